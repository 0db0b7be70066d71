"""The hot-words notebook runs on the small city and reports the planted issue, masked."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import polars as pl
import pytest


@pytest.mark.notebook
def test_notebook_reports_planted_issue_without_personal_data(
    run_notebook, small_city: Path, truth: dict
) -> None:
    out = run_notebook("hot_words", data_dir=str(small_city))
    b = truth["hotwords"]["burst"]
    hot = pl.read_parquet(out / "hot_words.parquet")
    bursts = pl.read_parquet(out / "bursts.parquet")
    issues = pl.read_parquet(out / "issues.parquet")
    assert {"window", "word", "count", "rank", "rank_change", "score"} <= set(hot.columns)
    assert {"word", "start", "end", "weight", "areas"} <= set(bursts.columns)
    assert {"words", "start", "end", "weight", "comment_ids"} <= set(issues.columns)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["notebook"] == "hot_words" and summary["week"] == "2026-W47"
    alerts = [a for a in summary["alerts"] if a["kind"] == "hot_issue"]
    assert alerts, "the planted issue must raise an alert"
    top = alerts[0]
    assert top["place_code"] == b["district_code"]
    assert abs((dt.date.fromisoformat(top["date"]) - dt.date.fromisoformat(b["day"])).days) <= 1
    assert b["word"] in top["message"]
    assert truth["hotwords"]["decoy"]["word"] not in set(bursts["word"].to_list())
    # nothing personal anywhere in what the notebook wrote, the executed notebook included
    hw = truth["hotwords"]
    text = "\n".join(
        p.read_text(encoding="utf-8")
        if p.suffix in (".ipynb", ".json")
        else str(pl.read_parquet(p).to_dicts())
        for p in sorted(out.iterdir())
        if p.suffix in (".ipynb", ".json", ".parquet")
    )
    assert b["word"] in text  # the texts are there (so the checks below can fail)
    flat = re.sub(r"[ \-+]", "", text).upper()
    assert not [v for v in hw["planted_ids"] if v.upper() in flat]
    assert not [v for v in hw["planted_phones"] if v in flat]
    assert not [v for v in hw["planted_names"] if v in text]


@pytest.mark.notebook
def test_notebook_reads_a_users_gbk_export_with_joined_columns(
    run_notebook, small_city: Path, truth: dict
) -> None:
    out = run_notebook(
        "hot_words",
        data_dir=str(small_city),
        input_path=str(small_city / "dynamic/hotline_export_gbk.csv"),
        column_map={"text": ["标题", "内容"], "所属区县": "district_code"},
    )
    b = truth["hotwords"]["burst"]
    bursts = pl.read_parquet(out / "bursts.parquet")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    # the export names districts (所属区县: 东湖区); the data layer turns them into codes, so
    # the planted burst is found inside its district, not only for the whole city
    in_district = bursts.filter(
        (pl.col("word") == b["word"]) & (pl.col("scope") == b["district_code"])
    )
    assert in_district.height == 1
    assert in_district["start"][0] <= dt.date.fromisoformat(b["day"]) <= in_district["end"][0]
    issues = pl.read_parquet(out / "issues.parquet")
    assert b["district_code"] in set(issues["scope"].to_list())
    alerts = [a for a in summary["alerts"] if b["word"] in a["message"]]
    assert alerts and alerts[0]["place_code"] == b["district_code"]
    # the names turned into codes are counted in the chapter's notes, not done silently
    assert any(
        n.startswith("读取 群众留言 时自动修复") and "区县代码列" in n for n in summary["notes"]
    )


@pytest.mark.notebook
def test_notebook_withholds_counts_below_k_and_still_reports_planted_issue(
    run_notebook, small_city: Path, truth: dict
) -> None:
    k = 15
    b = truth["hotwords"]["burst"]
    day = dt.date.fromisoformat(b["day"])
    year, number, _ = day.isocalendar()
    # the week of the planted day, so that its day is in the published hot list
    out = run_notebook("hot_words", data_dir=str(small_city), week=f"{year}-W{number:02d}", k=k)
    tables = {
        "hot_words.parquet": ["count"],
        "bursts.parquet": ["peak_count", "total_count"],
        "issues.parquet": ["n_comments"],
    }
    n_withheld = 0
    for name, columns in tables.items():
        frame = pl.read_parquet(out / name)
        assert "suppressed" in frame.columns, name
        for col in columns:
            # no published count below k; a withheld one is null with its row flagged
            assert frame.filter(pl.col(col) < k).height == 0, (name, col)
            nulls = frame.filter(pl.col(col).is_null())
            assert nulls["suppressed"].all(), (name, col)
            n_withheld += nulls.height
    assert n_withheld > 0  # the small city has small counts: the rule was exercised
    issues = pl.read_parquet(out / "issues.parquet")
    withheld_ids = pl.col("n_comments").is_null() & pl.col("comment_ids").is_not_null()
    assert issues.filter(withheld_ids).height == 0  # the ids would give the count back
    # the planted burst still ranks top-3 on its day in the published list, count shown
    hot = pl.read_parquet(out / "hot_words.parquet").filter(
        (pl.col("word") == b["word"])
        & pl.col("window").is_between(day - dt.timedelta(days=1), day + dt.timedelta(days=1))
    )
    assert hot.filter(pl.col("rank") <= 3).height >= 1
    assert hot.sort("rank")["count"][0] >= k
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    alerts = [a for a in summary["alerts"] if b["word"] in a["message"]]
    assert alerts and alerts[0]["place_code"] == b["district_code"]
    shown = [int(n) for n in re.findall(r"（(\d+)条）", alerts[0]["message"])]
    assert shown and shown[0] >= k
    # no alert or finding prints a number of comments below k
    texts = [a["message"] for a in summary["alerts"]] + list(summary["findings"])
    assert not [t for t in texts if any(int(n) < k for n in re.findall(r"（(\d+)条）", t))]
