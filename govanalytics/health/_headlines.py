"""Headline figures of the weekly health report (summary.json ``headlines``)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from govanalytics.constants import DEFAULT_MIN_COUNT
from govanalytics.health._detect import DetectionMethod, flag_aberrations
from govanalytics.health._series import (
    PERIOD_WORDS,
    detect_frequency,
    shift_period,
    year_before,
)

__all__ = ["alarm_count", "shown_total", "weekly_headlines"]


def alarm_count(
    series: pl.DataFrame,
    week_start: dt.date,
    *,
    method: DetectionMethod = "auto",
    frequency: str | None = None,
) -> int:
    """How many series alarm in one period, detection run as of that period.

    Parameters
    ----------
    series
        Weekly or monthly counts per series (:func:`aggregate_counts`).
    week_start
        First day of the period (a week's start, or the 1st of a month).
    method
        Detection method of :func:`flag_aberrations`. Default ``"auto"``.
    frequency
        ``"week"`` or ``"month"``; detected from the dates by default.

    Returns
    -------
    int
        Number of region × disease series whose count lies above the alarm threshold.
    """
    res = flag_aberrations(series, method=method, weeks=[week_start], frequency=frequency)
    return int(res["alarm"].fill_null(False).sum())


def shown_total(
    series: pl.DataFrame, week_start: dt.date, *, k: int = DEFAULT_MIN_COUNT
) -> int | None:
    """A period's total count of all series as published.

    Disclosure rule: a total below ``k`` (zero included) is withheld (``None``).

    Parameters
    ----------
    series
        Counts per series (:func:`aggregate_counts`), columns ``week_start``, ``count``.
    week_start
        First day of the period.
    k
        Threshold of the small-count rule. Default 15.

    Returns
    -------
    int or None
        The total, or ``None`` when below ``k``. A period where a series' count is null (not
        reported) has no known total: see :func:`period_reported`.
    """
    total = int(series.filter(pl.col("week_start") == week_start)["count"].sum())
    return total if total >= k else None


def period_reported(series: pl.DataFrame, week_start: dt.date) -> bool:
    """Whether every series with a row in the period has a count (none null).

    Parameters
    ----------
    series
        Counts per series, columns ``week_start``, ``count``.
    week_start
        First day of the period.

    Returns
    -------
    bool
        False when a count of that period is null (not reported).
    """
    rows = series.filter(pl.col("week_start") == week_start)
    return rows["count"].null_count() == 0


def weekly_headlines(
    series: pl.DataFrame,
    *,
    week_start: dt.date,
    alerts: list[dict],
    risk: pl.DataFrame,
    scores: pl.DataFrame,
    method: DetectionMethod = "auto",
    k: int = DEFAULT_MIN_COUNT,
    frequency: str | None = None,
    totals: pl.DataFrame | None = None,
) -> list[dict]:
    """The four headlines of the health report, in the ``summary.json`` layout.

    Weekly series speak of 本周/上周/下周, monthly ones of 本月/上月/下月; "a year ago" is
    52 weeks or 12 months before.

    * ``alarms`` — this period's alerts (``len(alerts)``), with the previous period's and the
      same period a year ago as counts of alarming series (:func:`alarm_count`, detection as
      of that period), ``None`` when the series lack that period;
    * ``cases`` — this period's total (of ``totals`` when given — e.g. the country's own row
      of a provincial table — else of all series; :func:`shown_total`), shown as
      ``"少于{k}"`` when below ``k`` and ``"未报告"`` when a count of the period is null;
      previous and year-ago totals ``None`` when below ``k``, missing or not reported;
    * ``forecast_next_week`` (monthly: ``forecast_next_month``) — the sum of
      ``risk["forecast_next"]`` (median forecasts, a model output), rounded to whole cases;
    * ``relative_wis`` — mean relative WIS of the ``ensemble`` model over all regions
      (``region_code == "all"`` in ``scores``), rounded to 3 decimals.

    Disclosure rule: no count of patients below ``k`` is shown (``cases``); alarm counts
    count series, not people; forecasts and scores are model outputs.

    Parameters
    ----------
    series
        Counts per series (:func:`aggregate_counts`), up to ``week_start``.
    week_start
        First day of the report period.
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
    frequency
        ``"week"`` or ``"month"``; detected from the dates by default.
    totals
        The total series (:func:`total_counts`) the cases headline is taken from; default the
        sum of ``series``.

    Returns
    -------
    list of dict
        Headlines with ``key``, ``label`` (Chinese), ``value``, ``unit`` and, for ``alarms`` and
        ``cases``, ``previous`` and ``year_ago``.
    """
    freq = detect_frequency(series["week_start"], frequency=frequency)
    words = PERIOD_WORDS[freq]
    weeks_have = set(series["week_start"].unique().to_list())
    prev_week = shift_period(week_start, -1, frequency=freq)
    year_week = year_before(week_start, frequency=freq)
    cases = series if totals is None else totals
    cases_have = set(cases["week_start"].unique().to_list())

    def alarms_at(day: dt.date) -> int | None:
        if day not in weeks_have:
            return None
        return alarm_count(series, day, method=method, frequency=freq)

    def total_at(day: dt.date) -> int | None:
        if day not in cases_have or not period_reported(cases, day):
            return None
        return shown_total(cases, day, k=k)

    cases_now = shown_total(cases, week_start, k=k)
    if not period_reported(cases, week_start):
        cases_value: int | str = "未报告"
    else:
        cases_value = cases_now if cases_now is not None else f"少于{k}"
    ens = scores.filter((pl.col("model") == "ensemble") & (pl.col("region_code") == "all"))
    return [
        {
            "key": "alarms",
            "label": f"{words['this']}预警",
            "value": len(alerts),
            "unit": "个",
            "previous": alarms_at(prev_week),
            "year_ago": alarms_at(year_week),
        },
        {
            "key": "cases",
            "label": f"{words['this']}病例",
            "value": cases_value,
            "unit": "例",
            "previous": total_at(prev_week),
            "year_ago": total_at(year_week),
        },
        {
            "key": f"forecast_next_{freq}",
            "label": f"{words['next']}预测病例（中位数）",
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
