"""weekly_headlines: the health report's headline figures, small counts withheld."""

from __future__ import annotations

import datetime as dt

import polars as pl

from govanalytics.health import alarm_count, shown_total, weekly_headlines


def _models() -> tuple[pl.DataFrame, pl.DataFrame]:
    risk = pl.DataFrame({"forecast_next": [10.4, 20.3]})
    scores = pl.DataFrame(
        {
            "model": ["ensemble", "ensemble", "baseline"],
            "region_code": ["all", "all", "all"],
            "relative_wis": [0.8, 0.9, 1.0],
        }
    )
    return risk, scores


def test_alarm_count_finds_the_planted_outbreak(ili, truth) -> None:
    ob = truth["health"]["outbreak"]
    last = dt.date.fromisoformat(truth["health"]["last_week"])
    start = dt.date.fromisoformat(ob["start_week"])
    assert start <= last < start + dt.timedelta(weeks=ob["weeks"])  # outbreak runs in the last week
    assert alarm_count(ili, last, method="farrington") == 1  # only the outbreak district


def test_shown_total_withholds_below_k(ili, truth) -> None:
    last = dt.date.fromisoformat(truth["health"]["last_week"])
    total = int(ili.filter(pl.col("week_start") == last)["count"].sum())
    assert total >= 15
    assert shown_total(ili, last, k=15) == total
    assert shown_total(ili, last, k=total + 1) is None
    assert shown_total(ili, last - dt.timedelta(weeks=10_000), k=15) is None  # no data: 0 < k


def test_weekly_headlines(ili, truth) -> None:
    last = dt.date.fromisoformat(truth["health"]["last_week"])
    risk, scores = _models()
    alerts = [{"kind": "health_alarm"}]
    heads = {
        h["key"]: h
        for h in weekly_headlines(
            ili, week_start=last, alerts=alerts, risk=risk, scores=scores, method="farrington"
        )
    }
    assert list(heads) == ["alarms", "cases", "forecast_next_week", "relative_wis"]
    assert heads["alarms"]["value"] == 1
    prev = last - dt.timedelta(weeks=1)
    assert heads["alarms"]["previous"] == alarm_count(ili, prev, method="farrington") >= 1
    week_total = int(ili.filter(pl.col("week_start") == last)["count"].sum())
    assert heads["cases"]["value"] == week_total
    prev_total = int(ili.filter(pl.col("week_start") == prev)["count"].sum())
    assert heads["cases"]["previous"] == prev_total
    assert heads["forecast_next_week"]["value"] == 31.0
    assert heads["relative_wis"]["value"] == 0.85


def test_weekly_headlines_small_and_missing_weeks(ili) -> None:
    first = ili["week_start"].min()
    risk, scores = _models()
    heads = {
        h["key"]: h
        for h in weekly_headlines(
            ili, week_start=first, alerts=[], risk=risk, scores=scores, k=10**9
        )
    }
    assert heads["cases"]["value"] == f"少于{10**9}"
    # the week before the first and a year before are not in the series
    for key in ("alarms", "cases"):
        assert heads[key]["previous"] is None and heads[key]["year_ago"] is None
    assert heads["alarms"]["value"] == 0
