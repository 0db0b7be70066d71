"""Origin–destination flows between areas: periods, in/out/net, corridors, commuting."""

from __future__ import annotations

from typing import Any, Literal

import polars as pl

from govanalytics.errors import DataError, ParameterError
from govanalytics.mobility._engine import PERIOD_FORMATS, od_period_totals
from govanalytics.spark import Engine, check_engine
from govanalytics.validation import string_like

__all__ = [
    "commuting_from_shifts",
    "in_out_flows",
    "od_by_period",
    "od_from_matrix",
    "top_corridors",
]


def od_from_matrix(
    frame: pl.DataFrame,
    *,
    origin: str = "origin",
    date: str = "date",
) -> pl.DataFrame:
    """Turn a wide origin × destination matrix per day into long OD counts.

    Parameters
    ----------
    frame
        One row per origin and day: ``origin``, ``date`` and one column per destination code
        holding the count (empty cells are taken as no trips reported and dropped).
    origin, date
        Names of the origin and date columns in ``frame``.

    Returns
    -------
    pl.DataFrame
        ``origin``, ``destination``, ``date``, ``count`` (Int64), the ``od_counts`` layout.
    """
    missing = [c for c in (origin, date) if c not in frame.columns]
    if missing:
        msg = f"OD matrix lacks columns {missing} (has {frame.columns})"
        raise DataError(msg)
    dests = [c for c in frame.columns if c not in (origin, date)]
    if not dests:
        msg = "OD matrix has no destination columns"
        raise DataError(msg)
    long = frame.unpivot(
        index=[origin, date], on=dests, variable_name="destination", value_name="count"
    )
    if long.schema["count"] == pl.String:  # a CSV read as text: blanks are empty cells
        long = long.with_columns(pl.col("count").str.strip_chars().replace("", None))
    if long.schema[date] == pl.String:
        long = long.with_columns(pl.col(date).str.strip_chars())
    num = pl.col("count").cast(pl.Float64, strict=False)
    day = (
        pl.col(date).str.to_date("%Y-%m-%d", strict=False)
        if long.schema[date] == pl.String
        else pl.col(date).cast(pl.Date)
    )
    checks = [
        (pl.col("count").is_not_null() & num.is_null(), "count is not a number"),
        (num < 0, "negative count"),
        (num != num.round(0), "count is not a whole number"),
        (pl.col(date).is_not_null() & day.is_null(), f"column {date!r} is not a YYYY-MM-DD date"),
    ]
    for cond, what in checks:
        bad = long.filter(cond.fill_null(False))
        if bad.height:
            r = bad.row(0, named=True)
            msg = (
                f"OD matrix: {what} ({bad.height} cell(s)), first: value {r['count']!r} for "
                f"origin {r[origin]}, destination column {r['destination']!r}, date {r[date]}"
            )
            raise DataError(msg)
    return (
        long.drop_nulls("count")
        .select(
            pl.col(origin).cast(pl.String).alias("origin"),
            pl.col("destination").cast(pl.String),
            day.alias("date"),
            num.cast(pl.Int64).alias("count"),
        )
        .sort("date", "origin", "destination")
    )


def _level_map(regions: pl.DataFrame, area_level: str) -> pl.DataFrame:
    col = {"district": "district_code", "street": None, "community": "region_code"}
    string_like(area_level, "area_level", options=list(col))
    rows = []
    for level in ("district", "street", "community"):
        sub = regions.filter(pl.col("level") == level)
        if area_level == "district":
            to = pl.col("district_code")
        elif area_level == "street":
            if level == "district":
                continue
            to = pl.col("region_code") if level == "street" else pl.col("parent_code")
        else:
            if level != "community":
                continue
            to = pl.col("region_code")
        rows.append(sub.select(pl.col("region_code").alias("code"), to.alias("area")))
    return pl.concat(rows)


def od_by_period(
    od: pl.DataFrame | pl.LazyFrame | Any,
    *,
    period: Literal["day", "week", "month"] = "week",
    regions: pl.DataFrame | None = None,
    area_level: str | None = None,
    keep_internal: bool = False,
    engine: Engine = "polars",
) -> pl.DataFrame:
    """OD counts added up per period (day, ISO week or month), optionally to coarser areas.

    Parameters
    ----------
    od
        ``origin``, ``destination``, ``date``, ``count``; with ``engine="spark"`` a Spark
        DataFrame, a Parquet/ORC path or a metastore table name
        (:func:`govanalytics.spark.read_spark_table`).
    period
        ``"day"`` (``2026-10-01``), ``"week"`` (``2026-W40``) or ``"month"`` (``2026-10``).
    regions, area_level
        Map origin and destination codes up to ``area_level`` (codes coarser than the level
        cannot be mapped down and raise).
    keep_internal
        Keep flows whose origin and destination fall in the same area (dropped by default:
        they are not flows between areas).
    engine
        ``"polars"`` (default) or ``"spark"``: the pass over the OD counts runs on Spark and
        only the per-period totals come back (``docs/spark.md``).

    Returns
    -------
    pl.DataFrame
        ``origin``, ``destination``, ``period``, ``count``.
    """
    string_like(period, "period", options=list(PERIOD_FORMATS))
    check_engine(engine)
    level_map = None
    if area_level is not None:
        if regions is None:
            msg = "area_level needs the regions table"
            raise ParameterError(msg)
        level_map = _level_map(regions, area_level)
    # the heavy step, on either engine: origin × destination × period totals come back
    out = od_period_totals(
        od, period=period, level_map=level_map, area_level=area_level, engine=engine
    )
    unmapped = out.filter(pl.col("origin").is_null() | pl.col("destination").is_null())
    if unmapped.height:
        msg = (
            f"OD counts, columns 'origin'/'destination': {unmapped.height} aggregated row(s) "
            f"have codes that are not regions at or below the level {area_level!r}"
        )
        raise DataError(msg)
    if not keep_internal:
        out = out.filter(pl.col("origin") != pl.col("destination"))
    return out.sort("period", "origin", "destination")


def in_out_flows(flows: pl.DataFrame) -> pl.DataFrame:
    """In-flow, out-flow and net flow per area and period, from *unsuppressed* flows.

    Totals must be computed before small counts are withheld: adding up published
    (suppressed) flows is biased, and differences between such sums give withheld flows away.

    Parameters
    ----------
    flows
        ``origin``, ``destination``, ``period``, ``count`` (internal flows excluded).

    Returns
    -------
    pl.DataFrame
        ``area``, ``period``, ``inflow``, ``outflow``, ``net`` (= inflow − outflow).
    """
    out = flows.group_by(pl.col("origin").alias("area"), "period").agg(
        pl.col("count").sum().alias("outflow")
    )
    inn = flows.group_by(pl.col("destination").alias("area"), "period").agg(
        pl.col("count").sum().alias("inflow")
    )
    return (
        inn.join(out, on=["area", "period"], how="full", coalesce=True)
        .with_columns(pl.col("inflow").fill_null(0), pl.col("outflow").fill_null(0))
        .with_columns(net=pl.col("inflow") - pl.col("outflow"))
        .select("area", "period", "inflow", "outflow", "net")
        .sort("period", "area")
    )


def top_corridors(flows: pl.DataFrame, *, n: int = 10, symmetric: bool = True) -> pl.DataFrame:
    """The ``n`` largest corridors per period.

    Parameters
    ----------
    flows
        ``origin``, ``destination``, ``period``, ``count`` (published or not; withheld
        flows are never among the top, and never added into a corridor's total — the total
        minus the published direction would give the withheld one back).
    n
        Corridors kept per period.
    symmetric
        Add both directions of a pair into one corridor (``origin`` < ``destination``).

    Returns
    -------
    pl.DataFrame
        ``period``, ``origin``, ``destination``, ``count``, ``rank``, ``partial`` (True where
        one direction of a symmetric corridor was withheld: ``count`` then holds the published
        direction only and is a lower bound of the two-way total).
    """
    f = flows.with_columns(pl.col("count").is_null().alias("partial"))
    if symmetric:
        f = (
            f.with_columns(
                pl.min_horizontal("origin", "destination").alias("a"),
                pl.max_horizontal("origin", "destination").alias("b"),
            )
            .group_by("period", pl.col("a").alias("origin"), pl.col("b").alias("destination"))
            .agg(
                pl.when(pl.col("count").is_not_null().any()).then(pl.col("count").sum()),
                pl.col("partial").any(),
            )
        )
    f = f.drop_nulls("count")
    return (
        f.sort(["period", "count", "origin", "destination"], descending=[False, True, False, False])
        .with_columns(rank=pl.col("count").rank("ordinal", descending=True).over("period"))
        .filter(pl.col("rank") <= n)
        .select(
            "period", "origin", "destination", "count", pl.col("rank").cast(pl.Int64), "partial"
        )
    )


def commuting_from_shifts(population: pl.DataFrame) -> pl.DataFrame:
    """Daytime gain or loss per area from the day/night shift (commuting balance).

    Parameters
    ----------
    population
        ``area``, ``period``, ``day``, ``resident`` (:func:`population_estimates`).

    Returns
    -------
    pl.DataFrame
        ``area``, ``period``, ``day_change`` (day − resident people), ``day_ratio``
        (day / resident), sorted by gain: positive areas draw commuters in (employment
        centres), negative ones send them out (dormitory areas).
    """
    return population.select(
        "area",
        "period",
        (pl.col("day") - pl.col("resident")).alias("day_change"),
        (pl.col("day") / pl.col("resident")).alias("day_ratio"),
    ).sort(["day_change", "area"], descending=[True, False], nulls_last=True)
