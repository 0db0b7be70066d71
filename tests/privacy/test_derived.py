"""Derived columns withheld with their counts; headline counts withheld below k."""

from __future__ import annotations

import json

import polars as pl
import pytest

from govanalytics.errors import ParameterError
from govanalytics.privacy import (
    DERIVED_FROM,
    count_text,
    suppress_small_counts,
    withhold_count,
    withhold_derived,
    withhold_headlines,
)


def test_every_derived_column_goes_with_a_withheld_source() -> None:
    t = pl.DataFrame(
        {"count": [40, 3, 30], "previous": [30, 20, 2], "change": [10, -17, 28], "x": [1, 2, 3]}
    )
    pub = withhold_derived(suppress_small_counts(t, ["count", "previous"], k=15), "demand")
    assert pub["change"].to_list() == [10, None, None]
    assert pub["x"].to_list() == [1, 2, 3]  # not declared: kept
    assert pub["suppressed"].to_list() == [False, True, True]


def test_chains_of_derivations_are_followed_to_the_end() -> None:
    t = pl.DataFrame({"count": [None, 50], "forecast_next": [4.0, 51.0], "bed_demand": [0.2, 2.6]})
    t = t.with_columns(bed_ratio=pl.col("bed_demand") / 10)
    pub = withhold_derived(t, "risk")
    assert pub["bed_ratio"].to_list() == [None, pytest.approx(0.26)]
    assert pub["forecast_next"].to_list() == [None, 51.0]
    assert pub["suppressed"].to_list() == [True, False]


def test_a_mapping_of_ones_own_and_an_unknown_table() -> None:
    t = pl.DataFrame({"n": [None, 20], "rate": [0.1, 0.4]}).lazy()
    assert withhold_derived(t, {"rate": ("n",)}).collect()["rate"].to_list() == [None, 0.4]
    with pytest.raises(ParameterError, match=r"'table'(.|\n)*DERIVED_FROM"):
        withhold_derived(t, "no_such_table")


def test_declared_tables_name_their_sources() -> None:
    for table, rules in DERIVED_FROM.items():
        for col, sources in rules.items():
            assert sources and col not in sources, (table, col)


def test_headline_counts_below_k_are_withheld() -> None:
    assert withhold_count(125, k=1_000_000_000) == "少于1000000000"
    assert withhold_count(125, k=15) == 125
    assert withhold_count(0, k=15) == "少于15"
    assert withhold_count(None) is None
    assert count_text(26200, k=15, unit="人") == "26,200人"
    assert count_text(26200, k=1_000_000_000, unit="人") == "少于1000000000人"
    assert count_text(None, k=15, unit="件") == "少于15件"  # withheld upstream
    heads = [
        {"key": "apps", "label": "本周办件申请", "value": 125, "unit": "件", "previous": 9},
        {"key": "alarms", "label": "本周预警", "value": 3, "unit": "个"},
        {"key": "share", "label": "户籍人口占比", "value": 41.2, "unit": "%"},
    ]
    shown = withhold_headlines(heads, k=15)
    assert shown[0] == {**heads[0], "previous": "少于15"}
    assert shown[1:] == heads[1:]
    assert withhold_headlines(heads, k=1_000_000_000)[0]["value"] == "少于1000000000"
    assert heads[0]["previous"] == 9  # the input is not changed


def test_the_runner_withholds_headlines_of_any_notebook(tmp_path) -> None:
    from govanalytics.report._runner import withhold_summary_headlines

    path = tmp_path / "summary.json"
    heads = [
        {"key": "resident", "label": "常住人口", "value": 26200, "unit": "人"},
        {"key": "flow_alerts", "label": "迁入迁出骤变", "value": 2, "unit": "个"},
    ]
    path.write_text(json.dumps({"notebook": "x", "headlines": heads}), encoding="utf-8")
    assert not withhold_summary_headlines(path, k=15)
    assert withhold_summary_headlines(path, k=1_000_000_000)
    got = json.loads(path.read_text(encoding="utf-8"))["headlines"]
    assert got[0]["value"] == "少于1000000000" and got[1]["value"] == 2


def test_a_headline_that_is_not_a_number_is_refused_not_published(tmp_path) -> None:
    """The issue's 下周预测病例 nan例: a NaN never reaches summary.json as a bare NaN."""
    import math

    from govanalytics.report.contract import write_summary

    heads = [
        {"key": "forecast_next_week", "label": "下周预测病例", "value": math.nan, "unit": "例"}
    ]
    with pytest.raises(
        ParameterError, match=r"headlines\[0\] \('forecast_next_week'\) value is nan"
    ):
        write_summary(
            tmp_path, notebook="x", title="t", week="2026-W47", headlines=heads, alerts=[]
        )
    alert = {"kind": "service_surge", "severity": "high", "place_code": "1", "place": "p"}
    alert |= {"date": "2026-11-16", "message": "m", "ratio": math.inf}
    with pytest.raises(ParameterError, match="NaN is not a number to publish"):
        write_summary(
            tmp_path, notebook="x", title="t", week="2026-W47", headlines=[], alerts=[alert]
        )
    assert not (tmp_path / "summary.json").exists()
