"""Surge warnings: applications per service × district × period against capacity and season.

For every service, district and period (calendar month or ISO week) the running count of
applications is followed day by day. A warning fires on the first day that

- the running count exceeds the capacity for the period's year (``running_count``), or
- the projection to the period end at the current run-rate (count ÷ elapsed days × days in the
  period, once at least ``min_days`` have elapsed) exceeds it (``projection``), or
- the running count is significantly above the expected seasonal level (``seasonal``): the
  same calendar month (or ISO week) in the previous years. The test conditions on the total of
  the current and the ``n`` past periods: under "no change" the current count is
  Binomial(total, 1/(n+1)); the warning needs a one-sided p-value below ``alpha``, at least
  ``min_count`` applications and ``min_ratio`` times the seasonal mean. This accounts for the
  uncertainty of the expected level itself (a conditional test for comparing Poisson rates,
  Przyborowski & Wilenski 1940; see also the "same period in past years" windows of CIDARS and
  Farrington et al. 1996).

Capacities are annual (school places per district and year); a period's applications are
compared to the places prepared for its year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Literal, cast

import polars as pl
from scipy import stats

from govanalytics.validation import string_like

__all__ = ["CAPACITY_OF_SERVICE", "period_counts", "surge_alerts", "surge_warnings"]

#: Which capacity type bounds which service.
CAPACITY_OF_SERVICE: dict[str, str] = {"school_place": "school_places"}

_PERIODS = {"month": "1mo", "week": "1w"}


def _check_period(period: str) -> str:
    string_like(period, "period", options=sorted(_PERIODS))
    return _PERIODS[period]


def _with_district(applications: pl.DataFrame, regions: pl.DataFrame) -> pl.DataFrame:
    if "district_code" in applications.columns:
        return applications
    lookup = regions.select(pl.col("region_code").alias("community_code"), "district_code")
    return applications.join(lookup, on="community_code", how="left")


def period_counts(
    applications: pl.DataFrame,
    *,
    regions: pl.DataFrame,
    period: Literal["month", "week", "day"] = "month",
    service: str | None = None,
) -> pl.DataFrame:
    """Applications per service × district × period.

    Parameters
    ----------
    applications
        ``applications`` table (``service_type``, ``submitted_at``, ``community_code``).
    regions
        ``regions`` master table (maps communities to districts).
    period
        ``"month"`` (calendar month), ``"week"`` (ISO week, Monday start) or ``"day"`` (e.g.
        the days of a warned period for :func:`capacity_chart`).
    service
        Only this service type (default: all).

    Returns
    -------
    DataFrame
        ``service_type``, ``district_code``, ``period_start``, ``applications``: every period
        from the first to the last one with data, zeros included, for each service and
        district seen.
    """
    string_like(period, "period", options=["day", *sorted(_PERIODS)])
    every = {"day": "1d", **_PERIODS}[period]
    apps = _with_district(applications, regions)
    if service:
        apps = apps.filter(pl.col("service_type") == service)
    counts = apps.group_by(
        "service_type",
        "district_code",
        pl.col("submitted_at").dt.date().dt.truncate(every).alias("period_start"),
    ).agg(pl.len().cast(pl.Int64).alias("applications"))
    if counts.height == 0:
        return counts.sort("service_type", "district_code", "period_start")
    periods = pl.DataFrame(
        {
            "period_start": pl.date_range(
                cast(dt.date, counts["period_start"].min()),
                cast(dt.date, counts["period_start"].max()),
                every,
                eager=True,
            )
        }
    )
    keys = ["service_type", "district_code", "period_start"]
    return (
        counts.select("service_type", "district_code")
        .unique()
        .join(periods, how="cross")
        .join(counts, on=keys, how="left")
        .with_columns(pl.col("applications").fill_null(0))
        .sort(keys)
    )


def surge_warnings(
    applications: pl.DataFrame,
    *,
    regions: pl.DataFrame,
    capacities: pl.DataFrame | None = None,
    period: Literal["month", "week"] = "month",
    service: str | None = None,
    as_of: dt.date | None = None,
    capacity_of_service: Mapping[str, str] = CAPACITY_OF_SERVICE,
    min_days: int | None = None,
    seasonal: bool = True,
    alpha: float = 1e-4,
    min_count: int = 10,
    min_ratio: float = 1.5,
) -> pl.DataFrame:
    """Warn when applications in a period exceed capacity or the seasonal level.

    Parameters
    ----------
    applications
        ``applications`` table.
    regions
        ``regions`` master table.
    capacities
        ``capacities`` master table (``district_code``, ``capacity_type``, ``year``,
        ``capacity``); ``None`` checks the seasonal level only.
    period
        ``"month"`` or ``"week"``.
    service
        Only this service type (default: all).
    as_of
        Last day of data (default: the last submission day). Periods after it are not shown;
        the current period is followed up to it.
    capacity_of_service
        Service type → capacity type (default :data:`CAPACITY_OF_SERVICE`).
    min_days
        Days of a period that must have elapsed before the run-rate projection is used
        (default 7 for months, 3 for weeks): one busy first day does not project a surge.
    seasonal
        Also warn against the seasonal level of past years.
    alpha, min_count, min_ratio
        Seasonal test: one-sided p-value, least running count, least ratio to the seasonal
        mean (see the module docstring). The default ``alpha=1e-4`` accounts for the many
        series followed at once (services × districts × periods: a city of 6 districts and
        10 services tests ~6,000 running weekly counts a year); at 1e-3 a default-size
        sample city raised 1–6 seasonal false alarms over two years, at 1e-4 none or one,
        while a surge of the planted kind is still flagged on its first or second day.

    Returns
    -------
    DataFrame
        One row per warned period: ``service_type``, ``district_code``, ``period_start``,
        ``period_end``, ``applications`` (up to ``as_of``), ``days_elapsed``, ``days_in_period``,
        ``projected``, ``capacity``, ``expected`` (seasonal mean, null without history),
        ``history_years``, ``fired_on`` (first day any warning held), ``reason`` (the kind that
        fired first: ``running_count``, ``projection`` or ``seasonal``, capacity before season
        on the same day), the first day of each kind (``capacity_exceeded_on``,
        ``projection_exceeded_on``, ``seasonal_fired_on``; null if it never held) and
        ``ratio_to_capacity``.
    """
    every = _check_period(period)
    if min_days is None:
        min_days = 7 if period == "month" else 3
    apps = _with_district(applications, regions).with_columns(
        pl.col("submitted_at").dt.date().alias("day")
    )
    if service:
        apps = apps.filter(pl.col("service_type") == service)
    if apps.height == 0:
        return _empty()
    last = cast(dt.date, as_of or apps["day"].max())
    apps = apps.filter(pl.col("day") <= last)
    first = cast(dt.date, apps["day"].min())
    daily = apps.group_by("service_type", "district_code", "day").agg(
        pl.len().cast(pl.Int64).alias("n")
    )
    # full daily grid per group so that run-rates and first-firing days are exact
    days = pl.DataFrame({"day": pl.date_range(first, last, "1d", eager=True)})
    groups = daily.select("service_type", "district_code").unique()
    grid = (
        groups.join(days, how="cross")
        .join(daily, on=["service_type", "district_code", "day"], how="left")
        .with_columns(
            pl.col("n").fill_null(0),
            pl.col("day").dt.truncate(every).alias("period_start"),
        )
        .with_columns(pl.col("period_start").dt.offset_by(every).alias("_next"))
        .with_columns(
            (pl.col("_next") - pl.duration(days=1)).alias("period_end"),
            (pl.col("_next") - pl.col("period_start")).dt.total_days().alias("days_in_period"),
            ((pl.col("day") - pl.col("period_start")).dt.total_days() + 1).alias("days_elapsed"),
        )
        .sort("service_type", "district_code", "day")
        .with_columns(
            pl.col("n").cum_sum().over("service_type", "district_code", "period_start").alias("run")
        )
    )
    grid = grid.with_columns(
        (pl.col("run") / pl.col("days_elapsed") * pl.col("days_in_period")).alias("projected")
    )
    # capacity for the period's year
    if capacities is not None and len(capacity_of_service):
        cap_map = pl.DataFrame(
            {
                "service_type": list(capacity_of_service),
                "capacity_type": list(capacity_of_service.values()),
            }
        )
        caps = cap_map.join(capacities, on="capacity_type").select(
            "service_type", "district_code", pl.col("year").cast(pl.Int32), "capacity"
        )
        grid = grid.with_columns(pl.col("period_start").dt.year().alias("year")).join(
            caps, on=["service_type", "district_code", "year"], how="left"
        )
    else:
        grid = grid.with_columns(pl.lit(None, dtype=pl.Int64).alias("capacity"))
    # seasonal level: same month (or ISO week) in the previous years with data
    totals = grid.group_by("service_type", "district_code", "period_start").agg(
        pl.col("n").sum().alias("total"), pl.col("days_elapsed").max().alias("_seen")
    )
    totals = totals.with_columns(
        (
            pl.col("_seen")
            == (pl.col("period_start").dt.offset_by(every) - pl.col("period_start")).dt.total_days()
        ).alias("_complete"),
        _season_key(period).alias("_season"),
        pl.col("period_start").dt.year().alias("_year")
        if period == "month"
        else pl.col("period_start").dt.iso_year().alias("_year"),
    )
    past = totals.filter(pl.col("_complete")).select(
        "service_type", "district_code", "_season", pl.col("_year").alias("_pyear"), "total"
    )
    hist = (
        totals.select("service_type", "district_code", "period_start", "_season", "_year")
        .join(past, on=["service_type", "district_code", "_season"], how="inner")
        .filter(pl.col("_pyear") < pl.col("_year"))
        .group_by("service_type", "district_code", "period_start")
        .agg(pl.col("total").sum().alias("hist_total"), pl.len().alias("history_years"))
    )
    grid = grid.join(hist, on=["service_type", "district_code", "period_start"], how="left")
    # conditional binomial test per day of the running count (vectorised with scipy)
    hist_total = grid["hist_total"].fill_null(0).to_numpy()
    years = grid["history_years"].fill_null(0).to_numpy()
    run = grid["run"].to_numpy()
    with_hist = years > 0
    pvals = [1.0] * grid.height
    if seasonal and with_hist.any():
        import numpy as np

        p = np.ones(grid.height)
        idx = np.flatnonzero(with_hist & (run > 0))
        p[idx] = stats.binom.sf(run[idx] - 1, run[idx] + hist_total[idx], 1.0 / (years[idx] + 1))
        pvals = p.tolist()
    grid = grid.with_columns(
        pl.Series("_p", pvals),
        (pl.col("hist_total") / pl.col("history_years")).alias("expected"),
    )
    cap = pl.col("capacity")
    over_running = cap.is_not_null() & (pl.col("run") > cap)
    over_projection = (
        cap.is_not_null() & (pl.col("days_elapsed") >= min_days) & (pl.col("projected") > cap)
    )
    over_season = (
        pl.lit(seasonal)
        & pl.col("expected").is_not_null()
        & (pl.col("_p") < alpha)
        & (pl.col("run") >= min_count)
        & (pl.col("run") >= min_ratio * pl.col("expected"))
    )
    keys = ["service_type", "district_code", "period_start"]
    per = (
        grid.sort("day")
        .group_by(keys, maintain_order=True)
        .agg(
            pl.col("period_end").last(),
            pl.col("run").last().alias("applications"),
            pl.col("days_elapsed").last(),
            pl.col("days_in_period").last(),
            pl.col("projected").last(),
            pl.col("capacity").last(),
            pl.col("expected").last(),
            pl.col("history_years").last().fill_null(0),
            pl.col("day").filter(over_running).first().alias("capacity_exceeded_on"),
            pl.col("day").filter(over_projection).first().alias("projection_exceeded_on"),
            pl.col("day").filter(over_season).first().alias("seasonal_fired_on"),
        )
        .with_columns(
            pl.min_horizontal(
                "capacity_exceeded_on", "projection_exceeded_on", "seasonal_fired_on"
            ).alias("fired_on")
        )
        .filter(pl.col("fired_on").is_not_null())
    )
    reason = (
        pl.when(pl.col("capacity_exceeded_on") == pl.col("fired_on"))
        .then(pl.lit("running_count"))
        .when(pl.col("projection_exceeded_on") == pl.col("fired_on"))
        .then(pl.lit("projection"))
        .otherwise(pl.lit("seasonal"))
    )
    out = per.with_columns(
        reason.alias("reason"),
        (pl.col("applications") / pl.col("capacity")).alias("ratio_to_capacity"),
        pl.when(pl.col("days_elapsed") < pl.col("days_in_period"))
        .then(pl.col("projected"))
        .otherwise(pl.col("applications").cast(pl.Float64))
        .alias("projected"),
    )
    return out.select(list(_SCHEMA)).cast(_SCHEMA).sort("fired_on", *keys)


_SCHEMA = pl.Schema(
    {
        "service_type": pl.String(),
        "district_code": pl.String(),
        "period_start": pl.Date(),
        "period_end": pl.Date(),
        "applications": pl.Int64(),
        "days_elapsed": pl.Int64(),
        "days_in_period": pl.Int64(),
        "projected": pl.Float64(),
        "capacity": pl.Int64(),
        "expected": pl.Float64(),
        "history_years": pl.Int64(),
        "fired_on": pl.Date(),
        "reason": pl.String(),
        "capacity_exceeded_on": pl.Date(),
        "projection_exceeded_on": pl.Date(),
        "seasonal_fired_on": pl.Date(),
        "ratio_to_capacity": pl.Float64(),
    }
)


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=_SCHEMA)


def _season_key(period: str) -> pl.Expr:
    if period == "month":
        return pl.col("period_start").dt.month().cast(pl.Int32)
    return pl.col("period_start").dt.week().cast(pl.Int32)


_REASON_ZH = {
    "running_count": "累计申请已超过容量",
    "projection": "按当前速度预计超过容量",
    "seasonal": "显著高于往年同期水平",
}


def surge_alerts(
    surges: pl.DataFrame,
    *,
    regions: pl.DataFrame,
    week_start: dt.date,
    week_end: dt.date,
) -> list[dict]:
    """Alerts (kind ``service_surge``) for surges whose period overlaps the report week.

    Parameters
    ----------
    surges
        From :func:`surge_warnings`.
    regions
        ``regions`` table (district names).
    week_start, week_end
        The report week (Monday, Sunday).

    Returns
    -------
    list of dict
        Alerts for ``summary.json`` (``kind``, ``severity``, ``place_code``, ``place``,
        ``date`` = the day the warning first fired, ``service`` = Chinese service name,
        ``message`` in Chinese): severity
        ``high`` when the running count exceeds capacity, ``medium`` when the projection
        does, ``low`` for a seasonal excess only.
    """
    from govanalytics.data.schemas import SERVICE_TYPES

    names = dict(regions.select("region_code", "region_name").iter_rows())
    current = surges.filter(
        (pl.col("period_start") <= week_end)
        & (pl.col("period_end") >= week_start)
        & (pl.col("fired_on") <= week_end)
    )
    alerts = []
    for row in current.sort("fired_on", "district_code", "service_type").iter_rows(named=True):
        place = names.get(row["district_code"], row["district_code"])
        service_zh = SERVICE_TYPES.get(row["service_type"], row["service_type"])
        if row["capacity_exceeded_on"] is not None:
            severity = "high"
        elif row["projection_exceeded_on"] is not None:
            severity = "medium"
        else:
            severity = "low"
        parts = [
            f"{place}{service_zh}：{row['period_start']:%Y年%m月%d日}起本期已受理"
            f"{row['applications']}件"
        ]
        if row["capacity"] is not None:
            parts.append(f"容量{row['capacity']}个（{row['ratio_to_capacity']:.0%}）")
            if row["days_elapsed"] < row["days_in_period"]:
                parts.append(f"按当前速度预计全期{row['projected']:.0f}件")
        if row["expected"] is not None:
            parts.append(f"往年同期平均{row['expected']:.0f}件")
        kinds = [
            f"{_REASON_ZH[k]}（{row[c]:%m月%d日}起）"
            for k, c in (
                ("running_count", "capacity_exceeded_on"),
                ("projection", "projection_exceeded_on"),
                ("seasonal", "seasonal_fired_on"),
            )
            if row[c] is not None
        ]
        alerts.append(
            {
                "kind": "service_surge",
                "severity": severity,
                "place_code": row["district_code"],
                "place": place,
                "service": service_zh,
                "date": row["fired_on"].isoformat(),
                "message": "，".join(parts) + "；" + "；".join(kinds) + "。",
            }
        )
    return alerts
