"""Alerts of the summary from bursting issues: place, severity, date and message."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from govanalytics.errors import ParameterError
from govanalytics.hotwords import ALL, issue_alerts, issue_place

NAMES = {"440301": "东湖区", "440301001001": "锦绣社区", "440302": "西山区"}


def _issues() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "scope": ["440301", ALL, ALL],
            "areas": [["440301001001"], ["440302", "440301"], None],
            "start": [dt.date(2026, 11, 17), dt.date(2026, 11, 18), dt.date(2026, 11, 19)],
            "label": ["停水 · 小区", "噪音", "堵车"],
            "weight": [31.0, 15.0, 14.9],
            "n_comments": [42, 20, 7],
        }
    )


def test_issue_place_reads_district_then_areas() -> None:
    rows = list(_issues().iter_rows(named=True))
    assert issue_place(rows[0], names=NAMES) == "东湖区锦绣社区"
    assert issue_place(rows[1], names=NAMES) == "西山区东湖区"
    assert issue_place(rows[2], names=NAMES) == "全市"
    assert issue_place({"scope": "999", "areas": []}, names=NAMES) == "999"


def test_issue_alerts_severity_place_and_message() -> None:
    alerts = issue_alerts(_issues(), names=NAMES)
    assert [a["severity"] for a in alerts] == ["high", "medium", "low"]
    assert [a["place_code"] for a in alerts] == ["440301", "440302", ALL]
    assert alerts[0] == {
        "kind": "hot_issue",
        "severity": "high",
        "place_code": "440301",
        "place": "东湖区锦绣社区",
        "date": "2026-11-17",
        "words": ["停水", "小区"],
        "message": "东湖区锦绣社区自11月17日起群众集中反映“停水”问题（42条），留言中还多次提到“小区”",
    }
    assert issue_alerts(_issues().head(0), names=NAMES) == []


def test_issue_alerts_thresholds_checked() -> None:
    assert [a["severity"] for a in issue_alerts(_issues(), names=NAMES, high=50)] == [
        "medium",
        "medium",
        "low",
    ]
    with pytest.raises(ParameterError, match="medium"):
        issue_alerts(_issues(), names=NAMES, high=10, medium=20)


def test_issue_alerts_withhold_counts_below_k() -> None:
    issues = _issues().with_columns(
        pl.Series("n_comments", [42, None, 7], dtype=pl.Int64)  # None: already withheld
    )
    messages = [a["message"] for a in issue_alerts(issues, names=NAMES, k=15)]
    assert "问题（42条）" in messages[0]
    assert "问题（少于15条）" in messages[1] and "问题（少于15条）" in messages[2]
    assert "问题（少于50条）" in issue_alerts(issues, names=NAMES, k=50)[0]["message"]
    assert not any("7条" in m for m in messages)
    with pytest.raises(ParameterError, match="'k'"):
        issue_alerts(issues, names=NAMES, k=0)
