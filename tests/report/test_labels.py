"""One label table, one number format, one definition per headline figure."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from govanalytics.report import Headline, format_number, label, weekly_event_count, zh_table
from govanalytics.report._headlines import headline_period
from govanalytics.report._index import neighbours


@pytest.mark.parametrize(
    ("code", "shown"),
    [
        ("ears_c1", "近期基线法一"),
        ("farrington", "历史同期基线法"),
        ("glm", "回归模型"),
        ("influenza_like_illness", "流感样病例"),
        ("school_place", "义务教育入学"),
        ("all", "全市"),
        ("high", "高"),
        (True, "是"),
        (False, "否"),
        (None, "—"),
        (1234567, "1,234,567"),
    ],
)
def test_every_code_has_a_chinese_label(code, shown) -> None:
    assert label(code) == shown


def test_numbers_formatted_by_kind() -> None:
    assert format_number(0.11, kind="change") == "+11.0%"
    assert format_number(-0.084, kind="change") == "-8.4%"
    assert format_number(0.5463, kind="share") == "54.6%"
    assert format_number(3522.0, kind="count") == "3,522"


def test_tables_show_labels_not_codes() -> None:
    frame = pl.DataFrame(
        {
            "district_code": ["449901000000", "449902000000"],
            "region_name": ["东湖区", "西江区"],
            "method": ["ears_c1", "farrington"],
            "change_week": [0.11, -0.05],
            "words": [["停水", "抢修"], ["噪音"]],
            "alarm": [True, False],
            "count": [None, 20],
            "suppressed": [True, False],
        }
    )
    shown = zh_table(frame)
    assert "区县代码" not in shown.columns  # the name is shown, the code is not
    assert shown.iloc[0].tolist() == [
        "东湖区",
        "近期基线法一",
        "+11.0%",
        "停水、抢修",
        "是",
        "已抑制",
    ]
    assert shown.iloc[1].tolist()[2] == "-5.0%"


def test_headline_states_its_period() -> None:
    h = Headline("resident", "常住人口", 26_200, "人", period="2026年10月", previous=25_900,
                 previous_label="上月").as_dict()  # fmt: skip
    assert headline_period(h) == ("2026年10月", "上月")
    assert "previous" not in Headline("people", "登记人口", 5, "人").as_dict()
    assert headline_period({"label": "本周病例"}) == ("本周", "上周")  # older summaries
    assert headline_period({"label": "下周预测病例"})[0] == "下周"


def test_weekly_event_count_is_monday_to_sunday() -> None:
    days = [dt.datetime(2026, 11, d, 12) for d in (8, 15, 16, 19, 22, 23)]
    days.append(dt.datetime(2025, 11, 18, 9))  # ISO week 47 of 2025
    events = pl.DataFrame({"created_at": days})
    h = weekly_event_count(events, "created_at", "2026-W47", key="c", label="留言", unit="条")
    assert (h.value, h.previous, h.year_ago) == (3, 1, 1)  # 16, 19, 22 | 15 | 2025-11-18


def test_neighbouring_weeks_from_published_folders(tmp_path: Path) -> None:
    for week in ("2026-W45", "2026-W47", "2026-W49"):
        (tmp_path / week).mkdir()
        (tmp_path / week / "manifest.json").write_text("{}")
    (tmp_path / "2026-W48.failed").mkdir()  # not published
    assert neighbours(tmp_path, "2026-W47") == ("2026-W45", "2026-W49")
    assert neighbours(tmp_path, "2026-W48") == ("2026-W47", "2026-W49")
    assert neighbours(tmp_path, "2026-W45") == (None, "2026-W47")


def test_sample_city_found_from_any_folder(tmp_path: Path, monkeypatch) -> None:
    from govanalytics.errors import ParameterError
    from govanalytics.report import contract
    from govanalytics.report.contract import resolve_data_dir

    monkeypatch.delenv("GOVANALYTICS_DATA", raising=False)
    # a checkout with its sample city, and a notebook copied out of it, far from both
    checkout = tmp_path / "checkout"
    (checkout / "data" / "sample" / "master").mkdir(parents=True)
    (checkout / "govanalytics" / "report").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere" / "my-notebooks"
    elsewhere.mkdir(parents=True)
    monkeypatch.chdir(elsewhere)
    monkeypatch.setattr(contract, "__file__", str(checkout / "govanalytics/report/contract.py"))
    assert resolve_data_dir("") == checkout / "data" / "sample"
    # from a subfolder of a data team's own tree, its own sample city wins
    own = tmp_path / "elsewhere"
    (own / "data" / "sample" / "master").mkdir(parents=True)
    assert resolve_data_dir("") == own / "data" / "sample"
    # no sample anywhere: the message says how to make one
    monkeypatch.setattr(contract, "__file__", str(tmp_path / "none/govanalytics/report/c.py"))
    monkeypatch.chdir(tmp_path / "checkout" / "govanalytics")
    (checkout / "data" / "sample" / "master").rmdir()
    with pytest.raises(ParameterError, match="make sample"):
        resolve_data_dir("")


def test_hot_list_for_officials_leaves_out_withheld_words_and_fillers() -> None:
    from govanalytics.hotwords import officials_hot_list

    hot = pl.DataFrame(
        {
            "word": ["一个多", "停水", "星期", "抢修", "早上", "小区"],
            "rank": [1, 2, 3, 4, 5, 6],
            "count": [40, None, 30, 25, 22, 18],
            "suppressed": [False, True, False, False, False, False],
        }
    )
    shown = officials_hot_list(hot)
    assert shown["word"].to_list() == ["抢修", "小区"]
    assert shown["rank"].to_list() == [1, 2]


def test_rules_with_lift_not_above_one_are_not_recommended() -> None:
    from govanalytics.services import recommendable_rules

    rules = pl.DataFrame(
        {
            "antecedent": ["a", "b", "c", "d"],
            "consequent": ["x", "y", "z", "w"],
            "lift": [0.07, 1.0, 2.5, None],
        }
    )
    assert recommendable_rules(rules)["lift"].to_list() == [2.5]
