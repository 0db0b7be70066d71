"""population_alerts: register-gap and month-on-month alerts, never giving back a withheld count."""

from __future__ import annotations

import re

import polars as pl
import pytest

from govanalytics.mobility import MobilityInputs, population_alerts, publish_population


def _names(inputs: MobilityInputs) -> dict[str, str]:
    return dict(inputs.regions.select("region_code", "region_name").iter_rows())


def test_planted_register_gaps_are_flagged(estimates, inputs, truth) -> None:
    ratios = truth["mobility"]["register_ratio"]
    published = publish_population(estimates, k=15)
    alerts = population_alerts(estimates, published, k=15, names=_names(inputs))
    by_area = {a["place_code"]: a for a in alerts}
    flagged = [area for area, ratio in ratios.items() if abs(ratio - 1) >= 0.10]
    assert len(flagged) >= 2  # the small city plants gaps of 10 % or more
    for area, ratio in ratios.items():
        gap = abs(ratio - 1)
        if gap >= 0.12:
            alert = by_area[area]
            assert alert["kind"] == "population_change"
            assert alert["date"] == f"{truth['mobility']['month']}-01"
            assert alert["place"] == _names(inputs)[area]
            assert ("多" if ratio > 1 else "少") in alert["message"]
            if abs(gap - 0.20) >= 0.04:  # clear of the high/medium threshold
                assert alert["severity"] == ("high" if gap >= 0.20 else "medium")
        elif gap <= 0.05:
            assert area not in by_area


def _numbers(text: str) -> list[int]:
    """Whole numbers of a message that are not percentages."""
    return [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?!\d|,|%)", text)]


@pytest.mark.parametrize("k", [15, 5000, 8000])
def test_no_alert_gives_back_a_withheld_count(estimates, inputs, k) -> None:
    published = publish_population(estimates, k=k)
    previous = estimates.with_columns(pl.col("resident") * 0.8)  # every area changes by 25 %
    alerts = population_alerts(estimates, published, previous=previous, k=k, names=_names(inputs))
    shown = {
        v
        for col in ("night", "day", "resident", "registered", "floating", "short_stay")
        for v in published[col].drop_nulls().to_list()
    }
    withheld = published.filter(pl.col("resident").is_null() | pl.col("registered").is_null())
    if k > 15:
        assert withheld.height >= 1  # the check below is not vacuous
    assert alerts
    hidden_areas = set(withheld["area"])
    for alert in alerts:
        for number in _numbers(alert["message"]):
            assert number in shown, alert["message"]
        if alert["place_code"] in hidden_areas and "环比" not in alert["message"]:
            pytest.fail(f"register-gap alert for a withheld area: {alert['message']}")
    resident_hidden = set(published.filter(pl.col("resident").is_null())["area"])
    assert not {a["place_code"] for a in alerts} & resident_hidden


def _frames(resident: list[float], registered: list[float]) -> tuple[pl.DataFrame, pl.DataFrame]:
    areas = [f"a{i}" for i in range(len(resident))]
    est = pl.DataFrame(
        {"area": areas, "period": "2026-10", "resident": resident, "registered": registered}
    )
    pub = est.with_columns(pl.col("resident").round().cast(pl.Int64), pl.col("registered"))
    return est, pub


def test_register_gap_severity_thresholds() -> None:
    est, pub = _frames(
        [1099.0, 1101.0, 1199.0, 1201.0, 899.0, 780.0, 500.0],
        [1000.0, 1000.0, 1000.0, 1000.0, 1000.0, 1000.0, 0.0],
    )
    alerts = population_alerts(est, pub, names={"a1": "甲区"})
    assert {a["place_code"]: a["severity"] for a in alerts} == {
        "a1": "medium",
        "a2": "medium",
        "a3": "high",
        "a4": "medium",
        "a5": "high",
    }
    first = alerts[0]
    assert first["place"] == "甲区" and first["date"] == "2026-10-01"
    assert first["message"] == "甲区常住人口约1,101人，比登记人口多10%。"
    assert alerts[-1]["message"] == "a5常住人口约780人，比登记人口少22%。"


def test_month_on_month_threshold_and_small_previous() -> None:
    est, pub = _frames([1000.0, 1000.0, 1000.0, 1000.0], [1000.0] * 4)
    previous = pl.DataFrame(
        {"area": ["a0", "a1", "a2", "a3"], "resident": [960.0, 940.0, 1060.0, 10.0]}
    )
    alerts = population_alerts(est, pub, previous=previous, k=15)
    assert [(a["place_code"], a["severity"], a["message"]) for a in alerts] == [
        ("a1", "high", "a1常住人口环比增加6%。"),
        ("a2", "high", "a2常住人口环比减少6%。"),
    ]
    assert population_alerts(est, pub, previous=None, k=15) == []
