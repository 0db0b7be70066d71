"""The heavy mobility steps on both engines: polars (one machine) and Apache Spark (a cluster).

Two steps grow with the data and run here, each once per engine; everything after them works
on small aggregates and stays on polars:

* :func:`area_hours` — hourly device counts × cell→area weights → devices and reporting
  cells per area, period (night or day) and hour (areas × periods × hours rows);
* :func:`od_period_totals` — OD counts → counts per origin, destination and period.

On Spark the input is a Spark DataFrame (from :func:`govanalytics.spark.read_spark_table`:
Parquet/ORC folders partitioned by date, or a metastore table); the small weights and the
region map are broadcast, the only shuffle is the group-by on the small keys, and only its
result comes to the driver (:func:`govanalytics.spark.to_polars`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from govanalytics.errors import DataError
from govanalytics.spark import is_spark_frame, read_spark_table, spark_session, to_polars

#: Columns the device counts need, on either engine.
_COUNT_COLUMNS = ("cell_id", "date", "hour", "device_count")
#: Output schema of :func:`area_hours` (``key`` is renamed to the period's name).
_AREA_HOURS = {"area": pl.String, "key": pl.Int32, "hour": pl.Int32, "devices": pl.Float64}
_EPOCH = dt.date(1970, 1, 1)
#: Period labels of OD counts, as polars ``strftime`` formats.
PERIOD_FORMATS = {"day": "%Y-%m-%d", "week": "%G-W%V", "month": "%Y-%m"}


def area_hours(
    device_counts: Any,
    weights: pl.DataFrame,
    *,
    start: int,
    end: int,
    working_days_only: bool,
    key: str,
    engine: str,
) -> pl.LazyFrame:
    """Devices (Σ count × weight) and reporting cells per area, period and hour of a window.

    ``key`` names the period column: the day number (days since 1970-01-01) of the day, or
    for a window over midnight of the evening it starts on. ``working_days_only`` keeps
    Monday–Friday periods.

    Returns
    -------
    pl.LazyFrame
        ``area``, ``key`` (Int32 day number), ``hour`` (Int32), ``devices`` (Float64),
        ``cells`` (Int64).
    """
    if engine == "spark":
        return _area_hours_spark(
            device_counts,
            weights,
            start=start,
            end=end,
            working_days_only=working_days_only,
            key=key,
        )
    return _area_hours_polars(
        device_counts, weights, start=start, end=end, working_days_only=working_days_only, key=key
    )


def _area_hours_polars(
    device_counts: pl.LazyFrame | pl.DataFrame,
    weights: pl.DataFrame,
    *,
    start: int,
    end: int,
    working_days_only: bool,
    key: str,
) -> pl.LazyFrame:
    if is_spark_frame(device_counts):
        msg = "device_counts is a Spark DataFrame: pass engine='spark'"
        raise DataError(msg)
    lf = device_counts.lazy()
    schema = lf.collect_schema()
    _check_columns(schema.names())
    date = pl.col("date").cast(pl.Int32) if schema["date"] == pl.Date else pl.col("date")
    lf = lf.with_columns(date.alias("day"), pl.col("hour").cast(pl.Int32))
    overnight = start > end
    in_window = (
        (pl.col("hour") >= start) | (pl.col("hour") < end)
        if overnight
        else (pl.col("hour") >= start) & (pl.col("hour") < end)
    )
    # an overnight window belongs to the evening it starts on
    period = pl.col("day") - (pl.col("hour") < end).cast(pl.Int32) if overnight else pl.col("day")
    lf = lf.filter(in_window).with_columns(period.alias(key))
    if working_days_only:
        lf = lf.filter((pl.col(key) + 3) % 7 < 5)  # 1970-01-01 was a Thursday
    w = weights.lazy().select(
        pl.col("cell_id").cast(pl.String), pl.col("area").cast(pl.String), "weight"
    )
    # share each cell-hour out to areas first, then add up per area, period and hour: the big
    # table meets only a small join and a group-by with few groups (areas × periods × hours)
    return (
        lf.join(w, on="cell_id", how="inner")
        .group_by("area", key, "hour")
        .agg(
            (pl.col("device_count") * pl.col("weight")).sum().alias("devices"),
            pl.len().cast(pl.Int64).alias("cells"),
        )
        .with_columns(pl.col(key).cast(pl.Int32))
    )


def _area_hours_spark(
    device_counts: Any,
    weights: pl.DataFrame,
    *,
    start: int,
    end: int,
    working_days_only: bool,
    key: str,
) -> pl.LazyFrame:
    from pyspark.sql import functions as F  # noqa: N812

    spark = spark_session()
    sdf = read_spark_table(device_counts, spark=spark)
    _check_columns(sdf.columns)
    types = dict(sdf.dtypes)
    # date as a day number: a date (or a partition folder date=YYYY-MM-DD), or already a number
    day = (
        F.col("date").cast("int")
        if types["date"] in ("int", "bigint", "smallint")
        else F.datediff(F.to_date(F.col("date")), F.lit(_EPOCH))
    )
    hour = F.col("hour").cast("int")
    overnight = start > end
    in_window = (hour >= start) | (hour < end) if overnight else (hour >= start) & (hour < end)
    period = day - (hour < end).cast("int") if overnight else day
    rows = sdf.select(
        F.col("cell_id").cast("string").alias("cell_id"),
        period.alias(key),
        hour.alias("hour"),
        F.col("device_count").cast("double").alias("device_count"),
        in_window.alias("_in"),
    ).filter(F.col("_in"))
    if working_days_only:
        rows = rows.filter(F.pmod(F.col(key) + 3, F.lit(7)) < 5)  # 1970-01-01: a Thursday
    w = spark.createDataFrame(
        weights.select(
            pl.col("cell_id").cast(pl.String), pl.col("area").cast(pl.String), "weight"
        ).to_arrow()
    )
    out = (
        rows.join(F.broadcast(w), on="cell_id", how="inner")
        .groupBy("area", key, "hour")
        .agg(
            F.sum(F.col("device_count") * F.col("weight")).alias("devices"),
            F.count(F.lit(1)).alias("cells"),
        )
    )
    frame = to_polars(out)
    return frame.lazy().select(
        pl.col("area").cast(pl.String),
        pl.col(key).cast(pl.Int32),
        pl.col("hour").cast(pl.Int32),
        pl.col("devices").cast(pl.Float64),
        pl.col("cells").cast(pl.Int64),
    )


def _check_columns(names: list[str]) -> None:
    missing = [c for c in _COUNT_COLUMNS if c not in names]
    if missing:
        msg = f"device_counts lacks columns {missing} (has {list(names)}); map them first"
        raise DataError(msg)


def od_period_totals(
    od: Any,
    *,
    period: str,
    level_map: pl.DataFrame | None,
    area_level: str | None,
    engine: str,
) -> pl.DataFrame:
    """OD counts added up per origin, destination and period (codes mapped by ``level_map``).

    ``level_map`` (``code``, ``area``) maps region codes to the areas of ``area_level``; a
    code it lacks raises :class:`DataError` naming up to ten of them.

    Returns
    -------
    pl.DataFrame
        ``origin``, ``destination``, ``period``, ``count`` (Int64), unsorted.
    """
    if engine == "spark":
        return _od_spark(od, period=period, level_map=level_map, area_level=area_level)
    return _od_polars(od, period=period, level_map=level_map, area_level=area_level)


def _bad_codes(bad: list[str], area_level: str | None) -> DataError:
    bad = sorted(bad)
    shown = ", ".join(str(c) for c in bad[:10])
    more = f" and {len(bad) - 10} more" if len(bad) > 10 else ""
    msg = (
        f"OD counts, columns 'origin'/'destination': {len(bad)} code(s) are not regions "
        f"at or below the level {area_level!r}: {shown}{more}. Hint: use codes of the "
        "regions table, or a coarser 'area_level'."
    )
    return DataError(msg)


def _od_polars(
    od: pl.DataFrame | pl.LazyFrame,
    *,
    period: str,
    level_map: pl.DataFrame | None,
    area_level: str | None,
) -> pl.DataFrame:
    if is_spark_frame(od):
        msg = "od is a Spark DataFrame: pass engine='spark'"
        raise DataError(msg)
    lf = od.lazy()
    if level_map is not None:
        m = level_map.lazy()
        codes = pl.concat(
            [lf.select(pl.col(c).alias("code")) for c in ("origin", "destination")]
        ).unique()
        bad = codes.join(m.select("code"), on="code", how="anti").collect()["code"]
        if bad.len():
            raise _bad_codes(bad.to_list(), area_level)
        lf = (
            lf.join(m.rename({"area": "o"}), left_on="origin", right_on="code", how="left")
            .join(m.rename({"area": "d"}), left_on="destination", right_on="code", how="left")
            .drop("origin", "destination")
            .rename({"o": "origin", "d": "destination"})
        )
    return (
        lf.group_by(
            "origin",
            "destination",
            pl.col("date").dt.strftime(PERIOD_FORMATS[period]).alias("period"),
        )
        .agg(pl.col("count").sum().cast(pl.Int64))
        .collect()
    )


def _od_spark(
    od: Any,
    *,
    period: str,
    level_map: pl.DataFrame | None,
    area_level: str | None,
) -> pl.DataFrame:
    from pyspark.sql import functions as F  # noqa: N812

    spark = spark_session()
    sdf = read_spark_table(od, spark=spark)
    missing = [c for c in ("origin", "destination", "date", "count") if c not in sdf.columns]
    if missing:
        msg = f"OD counts lack columns {missing} (has {sdf.columns}); map them first"
        raise DataError(msg)
    sdf = sdf.select(
        F.col("origin").cast("string").alias("origin"),
        F.col("destination").cast("string").alias("destination"),
        F.to_date(F.col("date")).alias("date"),
        F.col("count").cast("long").alias("count"),
    )
    if level_map is not None:
        m = F.broadcast(spark.createDataFrame(level_map.select("code", "area").to_arrow()))
        codes = (
            sdf.select(F.col("origin").alias("code"))
            .union(sdf.select(F.col("destination").alias("code")))
            .distinct()
        )
        bad = to_polars(codes.join(m.select("code"), on="code", how="left_anti"))["code"]
        if bad.len():  # only the unknown codes come to the driver
            raise _bad_codes(bad.to_list(), area_level)
        sdf = (
            sdf.join(m.withColumnRenamed("area", "o"), sdf["origin"] == F.col("code"), "left")
            .drop("code")
            .join(m.withColumnRenamed("area", "d"), F.col("destination") == F.col("code"), "left")
            .select(F.col("o").alias("origin"), F.col("d").alias("destination"), "date", "count")
        )
    out = sdf.groupBy("origin", "destination", _spark_period(F.col("date"), period)).agg(
        F.sum("count").alias("count")
    )
    return to_polars(out).select(
        pl.col("origin").cast(pl.String),
        pl.col("destination").cast(pl.String),
        pl.col("period").cast(pl.String),
        pl.col("count").cast(pl.Int64),
    )


def _spark_period(date: Any, period: str) -> Any:
    """The period label of :data:`PERIOD_FORMATS` as a Spark column (ISO weeks by hand:
    Spark's date patterns have no week-based year)."""
    from pyspark.sql import functions as F  # noqa: N812

    if period == "day":
        return F.date_format(date, "yyyy-MM-dd").alias("period")
    if period == "month":
        return F.date_format(date, "yyyy-MM").alias("period")
    monday_based = F.pmod(F.dayofweek(date) + 5, F.lit(7))  # Monday 0 … Sunday 6
    thursday = F.date_sub(F.date_add(date, 3), monday_based)  # the week's Thursday
    return F.concat(
        F.year(thursday).cast("string"),
        F.lit("-W"),
        F.lpad(F.weekofyear(date).cast("string"), 2, "0"),
    ).alias("period")


def duplicate_hour_keys_spark(device_counts: Any, *, first: dt.date, last: dt.date) -> pl.DataFrame:
    """Keys (``cell_id``, ``date``, ``hour``) held by more than one row between two days, on
    Spark (the polars check, with row numbers, is :func:`duplicate_device_counts`).

    The rows stay in the executors; only the duplicated keys and their counts (``n``) are
    collected.
    """
    from pyspark.sql import functions as F  # noqa: N812

    sdf = read_spark_table(device_counts, spark=spark_session())
    dups = (
        sdf.select(
            F.col("cell_id").cast("string").alias("cell_id"),
            F.to_date(F.col("date")).alias("date"),
            F.col("hour").cast("int").alias("hour"),
        )
        .filter(F.col("date").between(F.lit(first), F.lit(last)))
        .groupBy("cell_id", "date", "hour")
        .agg(F.count(F.lit(1)).alias("n"))
        .filter(F.col("n") > 1)
    )
    return to_polars(dups).sort("date", "hour", "cell_id")
