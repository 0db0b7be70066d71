"""Night, day and resident population per area from hourly device counts.

Time is handled as integers from ingest: ``date`` becomes the day number (days since
1970-01-01, Int32) and ``hour`` stays an integer, so that every group-by runs on integer keys
(computing calendar dates inside group-bys is about ten times slower on large tables).
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import math
import re
from typing import Any

import numpy as np
import polars as pl

from govanalytics.calendar import is_spring_festival_period
from govanalytics.errors import DataError, InsufficientDataError, ParameterError
from govanalytics.mobility._engine import area_hours
from govanalytics.spark import Engine, check_engine

__all__ = [
    "day_levels",
    "night_levels",
    "population_estimates",
    "register_counts",
    "resident_population",
]

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _hours(window: tuple[int, int], name: str) -> tuple[int, int]:
    if (
        not isinstance(window, tuple | list)
        or len(window) != 2
        or not all(isinstance(h, int) and 0 <= h <= 23 for h in window)
        or window[0] == window[1]
    ):
        msg = f"parameter {name!r} must be (start_hour, end_hour) with hours 0-23, got {window!r}"
        raise ParameterError(msg)
    return int(window[0]), int(window[1])


def _levels(
    device_counts: Any,
    weights: pl.DataFrame,
    *,
    start: int,
    end: int,
    working_days_only: bool,
    key: str,
    engine: str = "polars",
) -> pl.LazyFrame:
    check_engine(engine)
    overnight = start > end
    expected = (24 - start + end) if overnight else (end - start)
    # the heavy step, on either engine: areas × periods × hours rows come back
    per_hour = area_hours(
        device_counts,
        weights,
        start=start,
        end=end,
        working_days_only=working_days_only,
        key=key,
        engine=engine,
    )
    # an hour for which fewer than 95 % of the area's cells reported (a feed gap) is not used
    return (
        per_hour.filter(pl.col("cells") >= 0.95 * pl.col("cells").max().over("area"))
        .group_by("area", key)
        .agg(pl.col("devices").mean(), pl.len().alias("hours"))
        .filter(pl.col("hours") >= math.ceil(0.8 * expected))
        .with_columns(pl.col(key).cast(pl.Date))
        .drop("hours")
        .sort("area", key)
    )


def night_levels(
    device_counts: pl.LazyFrame | pl.DataFrame | Any,
    weights: pl.DataFrame,
    *,
    night_hours: tuple[int, int] = (21, 7),
    engine: Engine = "polars",
) -> pl.LazyFrame:
    """Mean devices present per area and night.

    Each cell's hourly count is shared out to areas by the cell weights and added up per area
    and hour; the area's level for a night is the mean over the night's hours (a night is named
    by the evening it starts on: 21:00 on 1 October to 07:00 on 2 October is night
    2026-10-01). Hours for which fewer than 95 % of the area's cells reported are skipped (a
    feed gap would otherwise read as people leaving), and nights with fewer than 80 % of the
    window's hours (the first and last of the data) are dropped. The heavy step is one
    streaming pass over the counts; its result has only areas × nights × hours rows.

    Parameters
    ----------
    device_counts
        ``cell_id``, ``date``, ``hour``, ``device_count`` (lazy for large tables); with
        ``engine="spark"`` a Spark DataFrame, a Parquet/ORC path (folders partitioned by date,
        ``hdfs://``, ``s3a://``, …) or a metastore table name
        (:func:`govanalytics.spark.read_spark_table`).
    weights
        ``cell_id``, ``area``, ``weight`` from :func:`cell_area_weights`.
    night_hours
        ``(start, end)`` hours, default 21:00–07:00 (end exclusive).
    engine
        ``"polars"`` (default, this machine) or ``"spark"``: the pass over the counts runs
        on Spark and only the areas × nights × hours sums come back (``docs/spark.md``).

    Returns
    -------
    pl.LazyFrame
        ``area``, ``night`` (Date), ``devices`` (Float64).
    """
    start, end = _hours(night_hours, "night_hours")
    return _levels(
        device_counts,
        weights,
        start=start,
        end=end,
        working_days_only=False,
        key="night",
        engine=engine,
    )


def day_levels(
    device_counts: pl.LazyFrame | pl.DataFrame | Any,
    weights: pl.DataFrame,
    *,
    day_hours: tuple[int, int] = (9, 17),
    working_days_only: bool = True,
    engine: Engine = "polars",
) -> pl.LazyFrame:
    """Mean devices present per area and (working) day within the daytime window.

    Parameters
    ----------
    device_counts, weights, engine
        As in :func:`night_levels`.
    day_hours
        ``(start, end)`` hours, default 09:00–17:00 (end exclusive).
    working_days_only
        Keep Monday–Friday only (default), the daytime population of a working day.

    Returns
    -------
    pl.LazyFrame
        ``area``, ``date`` (Date), ``devices`` (Float64).
    """
    start, end = _hours(day_hours, "day_hours")
    return _levels(
        device_counts,
        weights,
        start=start,
        end=end,
        working_days_only=working_days_only,
        key="date",
        engine=engine,
    )


def _month_bounds(month: str) -> tuple[dt.date, dt.date]:
    if not isinstance(month, str) or not _MONTH.match(month):
        msg = f"parameter 'month' must look like 2026-10, got {month!r}"
        raise ParameterError(msg)
    y, m = int(month[:4]), int(month[5:])
    return dt.date(y, m, 1), dt.date(y, m, _cal.monthrange(y, m)[1])


def _mth_largest(x: np.ndarray, m: int) -> float:
    """The level reached on at least ``m`` nights (the m-th largest nightly level)."""
    m = min(max(m, 1), len(x))
    return float(np.partition(x, len(x) - m)[len(x) - m])


def resident_population(
    nights: pl.DataFrame | pl.LazyFrame,
    market_share: pl.DataFrame,
    *,
    month: str,
    long_stay_nights: int = 18,
    short_stay_nights: int = 3,
    interval: float = 0.9,
    n_boot: int = 200,
    seed: int = 0,
    spring_festival: tuple[int, int] = (3, 7),
) -> pl.DataFrame:
    """Resident (常住) and short-stay population per area for one month from nightly levels.

    Method. Aggregated counts do not say which device was present on which night, so the
    long-stay/short-stay rule (present at night on ≥ 18 days of a month = long-stay, 3–17 days
    = short-stay; a rule used in Chinese cities' 实有人口 statistics) is applied to the nightly
    *levels*: the long-stay (resident) level is the level reached on at least 18 nights — the
    18th-largest nightly level, scaled to the nights available — and the level reached on at
    least 3 nights (the 3rd-largest) less the resident level estimates short-stay presence.
    This is exact when residents are present every night and visitors on fewer than 18; it
    cannot tell a resident who is away on many nights from a visitor. Devices become people by
    dividing by the operator's market share in the area (Eurostat/ESSnet penetration scaling).

    Nights inside the Spring Festival window (``spring_festival`` days before/after lunar new
    year's day, :mod:`govanalytics.calendar`) are not used for the level; the month is marked.

    The interval is a bootstrap over the month's nights (resampling nights with replacement),
    so it reflects night-to-night variation only, not error in the market share.

    Parameters
    ----------
    nights
        ``area``, ``night``, ``devices`` from :func:`night_levels`.
    market_share
        ``area``, ``market_share`` (:func:`area_market_share`).
    month
        ``"YYYY-MM"``.
    long_stay_nights, short_stay_nights
        Nights-present thresholds of the rule above.
    interval
        Coverage of the bootstrap interval (default 90 %).
    n_boot
        Bootstrap resamples.
    seed
        Random seed of the bootstrap.
    spring_festival
        Days before and after lunar new year's day treated as the holiday period.

    Returns
    -------
    pl.DataFrame
        ``area``, ``period`` (the month), ``nights`` (nights used), ``night`` (mean nightly
        people), ``resident``, ``resident_low``, ``resident_high``, ``short_stay``,
        ``spring_festival`` (month touches the holiday), ``holiday_night`` (mean nightly
        people on holiday nights, null if none).

    References
    ----------
    Eurostat (2020), *Methodological manual on the use of mobile network operator data for
    official statistics* (ESSnet Big Data WP5); FlowKit, ``flowclient.aggregates``.
    """
    first, last = _month_bounds(month)
    if long_stay_nights < short_stay_nights or short_stay_nights < 1:
        msg = "need 1 <= short_stay_nights <= long_stay_nights"
        raise ParameterError(msg)
    ndays = (last - first).days + 1
    frame = nights.lazy().collect() if isinstance(nights, pl.LazyFrame) else nights
    frame = frame.filter(pl.col("night").is_between(first, last))
    if frame.is_empty():
        msg = f"no complete night in month {month} in the device counts"
        raise InsufficientDataError(msg)
    before, after = spring_festival
    dates = frame["night"].unique().to_list()
    holiday = {d for d in dates if is_spring_festival_period(d, before=before, after=after)}
    share = dict(market_share.select("area", "market_share").iter_rows())
    rng = np.random.default_rng(seed)
    lo_q, hi_q = (1 - interval) / 2, 1 - (1 - interval) / 2
    rows = []
    for area, grp in frame.sort("area", "night").group_by("area", maintain_order=True):
        area = area[0]
        if area not in share:
            msg = f"market_share: no share for area {area!r}"
            raise DataError(msg)
        s = share[area]
        hol = grp.filter(pl.col("night").is_in(sorted(holiday)))
        x = grp.filter(~pl.col("night").is_in(sorted(holiday)))["devices"].to_numpy()
        if len(x) < short_stay_nights:
            msg = f"area {area}: only {len(x)} ordinary nights in {month}"
            raise InsufficientDataError(msg)
        m_long = math.ceil(long_stay_nights * len(x) / ndays)
        m_short = math.ceil(short_stay_nights * len(x) / ndays)
        resident = _mth_largest(x, m_long)
        boots = np.array([_mth_largest(rng.choice(x, len(x)), m_long) for _ in range(n_boot)])
        rows.append(
            {
                "area": area,
                "period": month,
                "nights": len(x),
                "night": float(x.mean()) / s,
                "resident": resident / s,
                "resident_low": float(np.quantile(boots, lo_q)) / s,
                "resident_high": float(np.quantile(boots, hi_q)) / s,
                "short_stay": max(_mth_largest(x, m_short) - resident, 0.0) / s,
                "spring_festival": bool(hol.height),
                "holiday_night": float(hol["devices"].to_numpy().mean()) / s
                if hol.height
                else None,
            }
        )
    return pl.DataFrame(rows, schema_overrides={"holiday_night": pl.Float64})


def register_counts(
    register: pl.DataFrame | pl.LazyFrame,
    regions: pl.DataFrame,
    *,
    area_level: str = "district",
) -> pl.DataFrame:
    """Registered and household-registered (户籍) people per area from the register.

    Parameters
    ----------
    register
        ``population_register`` (``community_code``, ``household_registered``).
    regions
        ``regions`` master table (maps communities to the level).
    area_level
        ``"district"``, ``"street"`` or ``"community"``.

    Returns
    -------
    pl.DataFrame
        ``area``, ``registered``, ``household_registered``.
    """
    comm = regions.filter(pl.col("level") == "community")
    if area_level == "community":
        to_area = comm.select("region_code", pl.col("region_code").alias("area"))
    elif area_level == "street":
        to_area = comm.select("region_code", pl.col("parent_code").alias("area"))
    elif area_level == "district":
        to_area = comm.select("region_code", pl.col("district_code").alias("area"))
    else:
        msg = f"parameter 'area_level' must be district, street or community, got {area_level!r}"
        raise ParameterError(msg)
    unknown = (
        register.lazy()
        .select(pl.col("community_code").unique())
        .join(to_area.lazy(), left_on="community_code", right_on="region_code", how="anti")
        .collect()["community_code"]
        .sort()
    )
    if unknown.len():  # no person silently left out of the counts
        shown = ", ".join(str(c) for c in unknown.head(10).to_list())
        msg = (
            f"population register, column 'community_code': {unknown.len()} code(s) are not "
            f"communities of the regions table: {shown}"
        )
        raise DataError(msg)
    return (
        register.lazy()
        .select("community_code", "household_registered")
        .join(to_area.lazy(), left_on="community_code", right_on="region_code", how="inner")
        .group_by("area")
        .agg(
            pl.len().cast(pl.Int64).alias("registered"),
            pl.col("household_registered").sum().cast(pl.Int64).alias("household_registered"),
        )
        .sort("area")
        .collect()
    )


def population_estimates(
    device_counts: pl.LazyFrame | pl.DataFrame | Any,
    weights: pl.DataFrame,
    market_share: pl.DataFrame,
    *,
    month: str,
    register: pl.DataFrame | None = None,
    calibrate: bool = False,
    night_hours: tuple[int, int] = (21, 7),
    day_hours: tuple[int, int] = (9, 17),
    long_stay_nights: int = 18,
    short_stay_nights: int = 3,
    n_boot: int = 200,
    seed: int = 0,
    engine: Engine = "polars",
) -> pl.DataFrame:
    """Night, day, resident and floating population per area for one month (unsuppressed).

    ``floating`` = ``resident`` − ``household_registered`` (流动人口 = 常住人口 − 户籍人口,
    negative where more people are registered than live there).

    ``day`` (mean over working days, 09:00–17:00) divides the area's daytime devices by the
    area's own market share; commuters carry their home area's share, so where many come from
    areas with a different share the daytime figure is biased (in the sample city the CBD's
    daytime population comes out about 8 % low). Aggregated counts cannot fix this without
    OD data by home area.

    The register is *not* the truth: it misses everyone who never registered and keeps people
    who left. With ``calibrate=True`` the estimates are rescaled so that the city total
    equals the register total (signals give the distribution, the register the level) — use it
    only where the operator's market share is unknown or doubtful; by default the level comes
    from the market share alone and the register is used only for ``registered`` and
    ``floating``.

    Parameters
    ----------
    device_counts, weights, engine
        As in :func:`night_levels`: with ``engine="spark"`` the two passes over the counts
        (nights, days) run on Spark; the levels, the resident rule and its bootstrap run here
        on their small results.
    market_share
        ``area``, ``market_share``.
    month
        ``"YYYY-MM"``.
    register
        ``area``, ``registered``, ``household_registered`` (:func:`register_counts`), optional.
    calibrate
        Rescale to the register's city total (see above).
    night_hours, day_hours, long_stay_nights, short_stay_nights, n_boot, seed
        See :func:`night_levels`, :func:`day_levels`, :func:`resident_population`.

    Returns
    -------
    pl.DataFrame
        ``area``, ``period``, ``night``, ``day``, ``resident``, ``resident_low``,
        ``resident_high``, ``short_stay``, ``registered``, ``household_registered``,
        ``floating``, ``nights``, ``spring_festival``, ``holiday_night``.
    """
    first, last = _month_bounds(month)
    nights = night_levels(device_counts, weights, night_hours=night_hours, engine=engine).collect(
        engine="streaming"
    )
    res = resident_population(
        nights,
        market_share,
        month=month,
        long_stay_nights=long_stay_nights,
        short_stay_nights=short_stay_nights,
        n_boot=n_boot,
        seed=seed,
    )
    days = (
        day_levels(device_counts, weights, day_hours=day_hours, engine=engine)
        .filter(pl.col("date").is_between(first, last))
        .group_by("area")
        .agg(pl.col("devices").mean().alias("day_devices"))
        .collect(engine="streaming")
        .join(market_share, on="area", how="left")
        .select("area", (pl.col("day_devices") / pl.col("market_share")).alias("day"))
    )
    out = res.join(days, on="area", how="left")
    if register is not None:
        out = out.join(
            register.select("area", "registered", "household_registered"), on="area", how="left"
        )
    else:
        out = out.with_columns(
            registered=pl.lit(None, pl.Int64), household_registered=pl.lit(None, pl.Int64)
        )
    if calibrate:
        if register is None:
            msg = "calibrate=True needs the register"
            raise ParameterError(msg)
        factor = float(out["registered"].sum()) / float(out["resident"].sum())
        people = ["night", "day", "resident", "resident_low", "resident_high", "short_stay"]
        out = out.with_columns([pl.col(c) * factor for c in people])
    out = out.with_columns(floating=pl.col("resident") - pl.col("household_registered"))
    return out.select(
        "area",
        "period",
        "night",
        "day",
        "resident",
        "resident_low",
        "resident_high",
        "short_stay",
        "registered",
        "household_registered",
        "floating",
        "nights",
        "spring_festival",
        "holiday_night",
    ).sort("area")
