"""Headline figures of the weekly health report (summary.json ``headlines``)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from govanalytics.constants import DEFAULT_MIN_COUNT
from govanalytics.health._detect import flag_aberrations

__all__ = ["alarm_count", "shown_total", "weekly_headlines"]


def alarm_count(series: pl.DataFrame, week_start: dt.date, *, method: str = "auto") -> int:
    """How many series alarm in one week, detection run as of that week.

    Parameters
    ----------
    series
        Weekly counts per series (:func:`aggregate_counts`).
    week_start
        Monday of the week.
    method
        Detection method of :func:`flag_aberrations`. Default ``"auto"``.

    Returns
    -------
    int
        Number of region × disease series whose count lies above the alarm threshold.
    """
    res = flag_aberrations(series, method=method, weeks=[week_start])
    return int(res["alarm"].fill_null(False).sum())


def shown_total(
    series: pl.DataFrame, week_start: dt.date, *, k: int = DEFAULT_MIN_COUNT
) -> int | None:
    """A week's total count of all series as published.

    Disclosure rule: a total below ``k`` (zero included) is withheld (``None``).

    Parameters
    ----------
    series
        Weekly counts per series (:func:`aggregate_counts`), columns ``week_start``, ``count``.
    week_start
        Monday of the week.
    k
        Threshold of the small-count rule. Default 15.

    Returns
    -------
    int or None
        The total, or ``None`` when below ``k``.
    """
    total = int(series.filter(pl.col("week_start") == week_start)["count"].sum())
    return total if total >= k else None


def weekly_headlines(
    series: pl.DataFrame,
    *,
    week_start: dt.date,
    alerts: list[dict],
    risk: pl.DataFrame,
    scores: pl.DataFrame,
    method: str = "auto",
    k: int = DEFAULT_MIN_COUNT,
) -> list[dict]:
    """The four headlines of the weekly health report, in the ``summary.json`` layout.

    * ``alarms`` — this week's alerts (``len(alerts)``), with last week's and the same week a
      year ago as counts of alarming series (:func:`alarm_count`, detection as of that week),
      ``None`` when the series lack that week;
    * ``cases`` — this week's total count of all series (:func:`shown_total`), shown as
      ``"少于{k}"`` when below ``k``; previous and year-ago totals ``None`` when below ``k`` or
      missing;
    * ``forecast_next_week`` — the sum of ``risk["forecast_next"]`` (median forecasts, a model
      output), rounded to whole cases;
    * ``relative_wis`` — mean relative WIS of the ``ensemble`` model over all regions
      (``region_code == "all"`` in ``scores``), rounded to 3 decimals.

    Disclosure rule: no count of patients below ``k`` is shown (``cases``); alarm counts
    count series, not people; forecasts and scores are model outputs.

    Parameters
    ----------
    series
        Weekly counts per series (:func:`aggregate_counts`), up to ``week_start``.
    week_start
        Monday of the report week.
    alerts
        The week's alerts (:func:`health_alerts`).
    risk
        Risk table (:func:`risk_table`) with column ``forecast_next``.
    scores
        Backtest scores (:func:`backtest`) with columns ``model``, ``region_code``,
        ``relative_wis``.
    method
        Detection method used for the alarm counts. Default ``"auto"``.
    k
        Threshold of the small-count rule. Default 15.

    Returns
    -------
    list of dict
        Headlines with ``key``, ``label`` (Chinese), ``value``, ``unit`` and, for ``alarms`` and
        ``cases``, ``previous`` and ``year_ago``.
    """
    weeks_have = set(series["week_start"].unique().to_list())
    prev_week = week_start - dt.timedelta(weeks=1)
    year_week = week_start - dt.timedelta(weeks=52)
    cases_now = shown_total(series, week_start, k=k)
    ens = scores.filter((pl.col("model") == "ensemble") & (pl.col("region_code") == "all"))
    return [
        {
            "key": "alarms",
            "label": "本周预警",
            "value": len(alerts),
            "unit": "个",
            "previous": (
                alarm_count(series, prev_week, method=method) if prev_week in weeks_have else None
            ),
            "year_ago": (
                alarm_count(series, year_week, method=method) if year_week in weeks_have else None
            ),
        },
        {
            "key": "cases",
            "label": "本周病例",
            "value": cases_now if cases_now is not None else f"少于{k}",
            "unit": "例",
            "previous": shown_total(series, prev_week, k=k) if prev_week in weeks_have else None,
            "year_ago": shown_total(series, year_week, k=k) if year_week in weeks_have else None,
        },
        {
            "key": "forecast_next_week",
            "label": "下周预测病例（中位数）",
            "value": round(float(risk["forecast_next"].sum()), 0),
            "unit": "例",
        },
        {
            "key": "relative_wis",
            "label": "预测相对基准误差（WIS）",
            "value": round(float(ens.select(pl.col("relative_wis").mean()).item()), 3),
            "unit": "",
        },
    ]
