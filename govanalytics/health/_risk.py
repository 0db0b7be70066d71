"""Risk view: incidence per 100,000, forecast demand against beds, ranking, ageing communities."""

from __future__ import annotations

import datetime as dt

import polars as pl

from govanalytics.data.schemas import AGE_GROUPS
from govanalytics.health._series import (
    PERIODS_PER_YEAR,
    detect_frequency,
    shift_period,
    year_before,
)

_AGE_BREAKS = (5, 15, 25, 60)


def _age_group_expr(on: dt.date) -> pl.Expr:
    age = (pl.lit(on) - pl.col("birth_date")).dt.total_days() / 365.25
    expr: pl.Expr = pl.lit(AGE_GROUPS[-1])
    for label, hi in reversed(list(zip(AGE_GROUPS[:-1], _AGE_BREAKS, strict=True))):
        expr = pl.when(age < hi).then(pl.lit(label)).otherwise(expr)
    return expr.alias("age_group")


def population_by_age(
    register: pl.DataFrame, regions: pl.DataFrame, *, on: dt.date, level: str = "district"
) -> pl.DataFrame:
    """Residents per region × age group (``AGE_GROUPS``) from the population register.

    Parameters
    ----------
    register
        ``population_register`` (``birth_date``, ``community_code``).
    regions
        ``regions`` master table (to map communities to districts).
    on
        Date at which ages are computed.
    level
        ``"district"`` or ``"community"``.

    Returns
    -------
    pl.DataFrame
        ``region_code``, ``age_group``, ``population``.
    """
    comm = regions.filter(pl.col("level") == "community").select(
        pl.col("region_code").alias("community_code"), "district_code"
    )
    frame = register.select("community_code", _age_group_expr(on)).join(
        comm, on="community_code", how="left"
    )
    col = "district_code" if level == "district" else "community_code"
    return (
        frame.group_by(pl.col(col).alias("region_code"), "age_group")
        .agg(pl.len().cast(pl.Int64).alias("population"))
        .sort("region_code", "age_group")
    )


def ageing_communities(
    register: pl.DataFrame, regions: pl.DataFrame, *, on: dt.date, threshold: float = 0.3
) -> pl.DataFrame:
    """Communities whose share of residents aged 60+ exceeds ``threshold`` (老龄化社区).

    China counts a population as ageing (老龄化) from 10 % aged 60+ and deeply ageing from
    20 %; communities above 30 % need home and clinic services planned first, hence the default.

    Parameters
    ----------
    register
        ``population_register`` (``birth_date``, ``community_code``).
    regions
        ``regions`` master table.
    on
        Date at which ages are computed.
    threshold
        Share of residents aged 60+ above which a community is marked ageing. Default 0.3.

    Returns
    -------
    pl.DataFrame
        ``community_code``, ``district_code``, ``population``, ``share_60_plus``, ``ageing``.
    """
    pop = population_by_age(register, regions, on=on, level="community")
    comm = regions.filter(pl.col("level") == "community").select(
        pl.col("region_code"), "district_code"
    )
    return (
        pop.group_by("region_code")
        .agg(
            pl.col("population").sum(),
            pl.col("population").filter(pl.col("age_group") == "60+").sum().alias("_old"),
        )
        .join(comm, on="region_code", how="left")
        .with_columns((pl.col("_old") / pl.col("population")).alias("share_60_plus"))
        .with_columns((pl.col("share_60_plus") > threshold).alias("ageing"))
        .select(
            pl.col("region_code").alias("community_code"),
            "district_code",
            "population",
            "share_60_plus",
            "ageing",
        )
        .sort("community_code")
    )


def risk_table(
    series: pl.DataFrame,
    forecasts: pl.DataFrame,
    population: pl.DataFrame,
    *,
    alarms: pl.DataFrame | None = None,
    beds: pl.DataFrame | None = None,
    ageing: pl.DataFrame | None = None,
    admission_rate: float = 0.05,
    stay_weeks: float = 1.0,
    frequency: str | None = None,
) -> pl.DataFrame:
    """One row per region × disease for the latest period: incidence, change, forecast, beds.

    Parameters
    ----------
    series
        Long weekly or monthly counts per ``region_code`` × ``disease`` (``week_start``,
        ``count``).
    forecasts
        Output of :func:`forecast_counts` (model ``ensemble`` is used when present) from the
        latest week.
    population
        ``region_code``, ``population`` (summed over age groups here).
    alarms
        Output of :func:`flag_aberrations`; the latest week's alarm is carried over.
    beds
        ``region_code``, ``clinic_beds``; without it the bed columns are null.
    ageing
        Output of :func:`ageing_communities`; counted per district.
    admission_rate, stay_weeks
        Planning assumptions turning forecast cases into occupied beds: share of cases needing
        a bed and weeks a bed stays occupied. Set them from local records. Occupied beds are
        admissions per week × ``stay_weeks``; a month's forecast is spread over its
        52/12 ≈ 4.35 weeks.
    frequency
        ``"week"`` or ``"month"``; detected from the dates by default.

    Returns
    -------
    pl.DataFrame
        ``region_code``, ``disease``, ``week_start`` (the latest period), ``count``,
        ``population``, ``incidence_per_100k`` (of the period), ``previous`` and
        ``change_week`` (环比: change over the previous period, week or month, as a share),
        ``year_ago`` and ``change_year`` (同比: the same period a year before — 52 weeks or 12
        months), ``forecast_next`` (median of the next period), ``forecast_upper`` (95 %
        upper, next period), ``forecast_incidence_per_100k``, ``alarm``, ``clinic_beds``,
        ``bed_demand``, ``bed_ratio``, ``ageing_communities``, ``rank`` (1 = highest risk:
        alarm first, then forecast incidence, then — without population — the forecast
        count).
    """
    freq = detect_frequency(series["week_start"], frequency=frequency)
    last: dt.date = series["week_start"].max()  # type: ignore[assignment]
    prev = shift_period(last, -1, frequency=freq)
    year_ago = year_before(last, frequency=freq)
    weeks_per_period = PERIODS_PER_YEAR["week"] / PERIODS_PER_YEAR[freq]
    keys = ["region_code", "disease"]

    def at(week: dt.date, name: str) -> pl.DataFrame:
        return series.filter(pl.col("week_start") == week).select(
            [*keys, pl.col("count").alias(name)]
        )

    pop = population.group_by("region_code").agg(pl.col("population").sum())
    fc = forecasts
    if "model" in fc.columns and (fc["model"] == "ensemble").any():
        fc = fc.filter(pl.col("model") == "ensemble")
    fc = fc.filter(pl.col("horizon") == 1)
    fnext = fc.group_by(keys).agg(
        pl.col("value")
        .filter((pl.col("quantile") - 0.5).abs() < 1e-9)
        .first()
        .alias("forecast_next"),
        pl.col("value")
        .filter((pl.col("quantile") - 0.975).abs() < 1e-9)
        .first()
        .alias("forecast_upper"),
    )
    out = (
        at(last, "count")
        .with_columns(pl.lit(last).alias("week_start"))
        .join(at(prev, "previous"), on=keys, how="left")
        .join(at(year_ago, "year_ago"), on=keys, how="left")
        .join(pop, on="region_code", how="left")
        .join(fnext, on=keys, how="left")
        .with_columns(
            (pl.col("count") / pl.col("population") * 1e5).alias("incidence_per_100k"),
            (pl.col("count") / pl.col("previous") - 1).alias("change_week"),
            (pl.col("count") / pl.col("year_ago") - 1).alias("change_year"),
            (pl.col("forecast_next") / pl.col("population") * 1e5).alias(
                "forecast_incidence_per_100k"
            ),
        )
    )
    if alarms is not None:
        latest = alarms.filter(pl.col("week_start") == last).select([*keys, "alarm"])
        out = out.join(latest, on=keys, how="left")
    else:
        out = out.with_columns(pl.lit(None, dtype=pl.Boolean).alias("alarm"))
    if beds is not None:
        out = out.join(beds.select("region_code", "clinic_beds"), on="region_code", how="left")
    else:
        out = out.with_columns(pl.lit(None, dtype=pl.Int64).alias("clinic_beds"))
    out = out.with_columns(
        (pl.col("forecast_upper") / weeks_per_period * admission_rate * stay_weeks).alias(
            "bed_demand"
        )
    ).with_columns((pl.col("bed_demand") / pl.col("clinic_beds")).alias("bed_ratio"))
    if ageing is not None:
        n_old = ageing.group_by(pl.col("district_code").alias("region_code")).agg(
            pl.col("ageing").sum().cast(pl.Int64).alias("ageing_communities")
        )
        out = out.join(n_old, on="region_code", how="left")
    else:
        out = out.with_columns(pl.lit(None, dtype=pl.Int64).alias("ageing_communities"))
    # ties (and regions without a forecast incidence, ranked last) ordered by code: the rank
    # and the published row order never depend on the order rows arrived in
    order = [
        pl.col("alarm").fill_null(False),
        "forecast_incidence_per_100k",
        "forecast_next",
        "region_code",
        "disease",
    ]
    return out.sort(
        order, descending=[True, True, True, False, False], nulls_last=True
    ).with_columns(pl.int_range(1, pl.len() + 1).over("disease").alias("rank"))


def clinic_beds(capacities: pl.DataFrame | None, *, year: int) -> pl.DataFrame | None:
    """Clinic beds per district from the ``capacities`` table: the latest year up to ``year``.

    Parameters
    ----------
    capacities
        The ``capacities`` master table (``district_code``, ``capacity_type``, ``year``,
        ``capacity``), or ``None``.
    year
        The report year; capacities of later years are ignored.

    Returns
    -------
    pl.DataFrame or None
        ``region_code``, ``clinic_beds`` sorted by region, or ``None`` when no clinic-bed
        capacities up to ``year`` are available.
    """
    if capacities is None or capacities.is_empty():
        return None
    beds = capacities.filter((pl.col("capacity_type") == "clinic_beds") & (pl.col("year") <= year))
    if beds.is_empty():
        return None
    return (
        beds.sort("year")
        .group_by("district_code")
        .agg(pl.col("capacity").last().alias("clinic_beds"))
        .rename({"district_code": "region_code"})
        .sort("region_code")
    )
