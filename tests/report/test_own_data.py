"""init → check → report on folders holding only one real public data set each.

The folders are copies of ``../shared/data`` files, as a new user would bring them: the
report renders the chapter the data allow and lists every other chapter as 未生成 with the
reason; nothing of the sample city appears.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from govanalytics.data._init import init_project
from govanalytics.report import render_weekly
from govanalytics.report._check import check_data

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
OTHERS = {"overview", "health_risk", "hot_words", "population_flow", "service_demand"}

pytestmark = pytest.mark.notebook


def _need(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"shared data file {path} is absent on this machine")
    return path


def _index_and_manifest(report) -> tuple[str, dict]:
    index = (report.path / "index.html").read_text(encoding="utf-8")
    manifest = json.loads((report.path / "manifest.json").read_text(encoding="utf-8"))
    return index, manifest


def test_message_board_alone_renders_the_hot_words_chapter(tmp_path: Path) -> None:
    folder = tmp_path / "board"
    folder.mkdir()
    shutil.copy(_need(SHARED / "citizen_messages_sample.xlsx"), folder)
    init_project(folder)
    assert check_data(folder).ok
    report = render_weekly(data_dir=folder, out_dir=tmp_path / "reports", quiet=True)
    assert [r.name for r in report.runs] == ["hot_words"]
    assert report.week == "2020-W01"  # the latest complete week of the board's data
    index, manifest = _index_and_manifest(report)
    skipped = {s["name"]: s["reason"] for s in manifest["skipped"]}
    assert set(skipped) == OTHERS - {"hot_words"}
    assert "门诊病例周报（clinic_counts）" in skipped["health_risk"]
    assert index.count("未生成：") == 4 and "群众诉求热词" in index
    assert set(manifest["inputs"]) == {"citizen_messages_sample.xlsx", "govanalytics.toml"}
    memo = (report.path / "memo.html").read_text(encoding="utf-8")
    assert "本期未生成：" in memo and "城市概况" in memo  # the memo says what it leaves out
    summary = json.loads((report.path / "hot_words" / "summary.json").read_text("utf-8"))
    assert summary["week"] == "2020-W01"
    assert "江海" not in index  # nothing of the sample city


def test_disease_table_alone_renders_the_health_chapter(tmp_path: Path) -> None:
    folder = tmp_path / "cnids"
    folder.mkdir()
    table = pl.read_parquet(_need(SHARED / "cnids_province_monthly.parquet"))
    table.filter(
        pl.col("disease_zh").is_in(["手足口病", "流行性感冒"]) & (pl.col("month") >= "2012-01-01")
    ).write_parquet(folder / "cnids_province_monthly.parquet")
    init_project(folder)
    result = check_data(folder)
    assert result.ok
    assert result.datasets[0].regions == "32/32"
    report = render_weekly(data_dir=folder, out_dir=tmp_path / "reports", quiet=True)
    assert [r.name for r in report.runs] == ["health_risk"]
    index, manifest = _index_and_manifest(report)
    assert {s["name"] for s in manifest["skipped"]} == OTHERS - {"health_risk"}
    assert index.count("未生成：") == 4
    page = (report.path / "health_risk" / "health_risk.html").read_text(encoding="utf-8")
    assert "手足口病" in page and "广东" in page
    assert "江海" not in page  # nothing of the sample city
