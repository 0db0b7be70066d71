"""Demand per community: applications (and complaints) this period against the previous one."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import polars as pl

from govanalytics.constants import DEFAULT_MIN_COUNT
from govanalytics.privacy import secondary_suppress, suppress_small_counts, withhold_derived
from govanalytics.validation import string_like

__all__ = [
    "COMPLAINTS",
    "demand_by_community",
    "demand_points",
    "period_window",
    "publishable_demand",
]

#: ``service_type`` given to citizen comments (complaints) in demand tables.
COMPLAINTS = "complaints"


def period_window(
    last_day: dt.date, *, period: Literal["month", "week"] = "month"
) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """Current and previous comparison windows ending on ``last_day``.

    Parameters
    ----------
    last_day
        Last day of the current window (inclusive).
    period
        ``"week"``: the ISO week of ``last_day`` and the week before. ``"month"`` (default):
        the month to date (first of the month to ``last_day``) and the same days of the
        previous month (cut at its end), so that a month in progress is compared like for like.

    Returns
    -------
    tuple of date
        ``(start, end, previous_start, previous_end)``, all inclusive.
    """
    if period == "week":
        start = last_day - dt.timedelta(days=last_day.weekday())
        end = start + dt.timedelta(days=6)
        return start, end, start - dt.timedelta(days=7), start - dt.timedelta(days=1)
    if period == "month":
        start = last_day.replace(day=1)
        prev_end_of_month = start - dt.timedelta(days=1)
        prev_start = prev_end_of_month.replace(day=1)
        prev_end = min(prev_end_of_month, prev_start.replace(day=1) + (last_day - start))
        return start, last_day, prev_start, prev_end
    string_like(period, "period", options=("month", "week"))
    raise AssertionError  # pragma: no cover - string_like refused it


def _count(frame: pl.DataFrame, time_col: str, lo: dt.date, hi: dt.date, name: str):
    return (
        frame.filter(pl.col(time_col).dt.date().is_between(lo, hi))
        .group_by("community_code", "service_type")
        .agg(pl.len().cast(pl.Int64).alias(name))
    )


def demand_by_community(
    applications: pl.DataFrame,
    *,
    last_day: dt.date,
    period: Literal["month", "week"] = "month",
    service: str | None = None,
    comments: pl.DataFrame | None = None,
    regions: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Applications (and complaints) per community and service, with change vs before.

    Parameters
    ----------
    applications
        ``applications`` table.
    last_day
        Last day of the current window (e.g. the report week's Sunday).
    period
        ``"month"`` (month to date vs the same days of last month) or ``"week"``.
    service
        Only this service type (complaints are still added when ``comments`` is given).
    comments
        ``comments`` table (optional); rows with a ``community_code`` are counted as service
        ``"complaints"``.
    regions
        ``regions`` table: adds ``community_name`` and ``district_code``.

    Returns
    -------
    DataFrame
        ``community_code``, ``service_type``, ``count``, ``previous``, ``change``,
        ``change_pct`` (null when ``previous`` is 0), ``period_start``, ``period_end``.
        Counts of applications, not of people: small counts are withheld when published.
    """
    start, end, p_start, p_end = period_window(last_day, period=period)
    apps = applications
    if service:
        apps = apps.filter(pl.col("service_type") == service)
    parts_now = [_count(apps, "submitted_at", start, end, "count")]
    parts_prev = [_count(apps, "submitted_at", p_start, p_end, "previous")]
    if comments is not None and "community_code" in comments.columns:
        com = comments.filter(pl.col("community_code").is_not_null()).with_columns(
            pl.lit(COMPLAINTS).alias("service_type")
        )
        parts_now.append(_count(com, "created_at", start, end, "count"))
        parts_prev.append(_count(com, "created_at", p_start, p_end, "previous"))
    now = pl.concat(parts_now)
    prev = pl.concat(parts_prev)
    out = (
        now.join(prev, on=["community_code", "service_type"], how="full", coalesce=True)
        .with_columns(pl.col("count", "previous").fill_null(0))
        .with_columns(
            (pl.col("count") - pl.col("previous")).alias("change"),
            pl.when(pl.col("previous") > 0)
            .then((pl.col("count") - pl.col("previous")) / pl.col("previous"))
            .alias("change_pct"),
            pl.lit(start).alias("period_start"),
            pl.lit(end).alias("period_end"),
        )
    )
    if regions is not None:
        names = regions.select(
            pl.col("region_code").alias("community_code"),
            pl.col("region_name").alias("community_name"),
            "district_code",
        )
        out = out.join(names, on="community_code", how="left")
    return out.sort("service_type", "community_code")


def demand_points(
    applications: pl.DataFrame,
    centroids: pl.DataFrame,
    *,
    start: dt.date,
    end: dt.date,
    service: str | None = None,
) -> pl.DataFrame:
    """One point (``lon``, ``lat``) per application, at its community's inner point.

    For :func:`govanalytics.geo.heatmap`, whose small-count rule counts these rows.

    Parameters
    ----------
    applications
        ``applications`` (canonical columns).
    centroids
        Community inner points from :func:`govanalytics.geo.region_centroids`
        (``region_code``, ``lon``, ``lat``). Applications of a community without a point
        have no place and are left out.
    start, end
        Days counted (inclusive) by ``submitted_at``.
    service
        Only this ``service_type``; default all.

    Returns
    -------
    DataFrame
        ``community_code``, ``service_type``, ``lon``, ``lat``: one row per application.
    """
    apps = applications.filter(pl.col("submitted_at").dt.date().is_between(start, end))
    if service:
        apps = apps.filter(pl.col("service_type") == service)
    cent = centroids.select(pl.col("region_code").alias("community_code"), "lon", "lat")
    return apps.select("community_code", "service_type").join(cent, on="community_code")


def publishable_demand(demand: pl.DataFrame, *, k: int = DEFAULT_MIN_COUNT) -> pl.DataFrame:
    """Demand table as a report may show it: small counts and their changes withheld.

    Disclosure rule: ``count`` and ``previous`` below ``k`` are withheld
    (:func:`govanalytics.privacy.suppress_small_counts`); since community totals over services
    are shown on the map, each community with exactly one withheld count loses one more
    (:func:`govanalytics.privacy.secondary_suppress`, the ``previous`` column likewise against
    the previous period's totals). ``change`` and ``change_pct`` are derived from the two
    counts and are withheld wherever either is (:func:`govanalytics.privacy.withhold_derived`,
    ``DERIVED_FROM["demand"]``). A small ``change`` between two published counts is published:
    withholding it would protect nothing, since ``count − previous`` gives it back.

    Parameters
    ----------
    demand
        Output of :func:`demand_by_community`.
    k
        Threshold of the small-count rule; default 15.

    Returns
    -------
    DataFrame
        ``demand`` with withheld values null and the suppression flags.
    """
    out = suppress_small_counts(demand, ["count", "previous"], k=k)
    out = secondary_suppress(out, "count", groups=[["community_code"]])
    out = secondary_suppress(out, "previous", groups=[["community_code"]])
    return withhold_derived(out, "demand")
