"""The hot-words chapter on a real message board declared by a project file (issue 11).

A folder holding only a copy of ``../shared/data/citizen_messages_sample.xlsx`` (495 real
messages, 2011–2020, no districts, no regions table) and its ``govanalytics.toml``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import polars as pl
import pytest

from govanalytics.report import export_html

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
BOARD = SHARED / "citizen_messages_sample.xlsx"
# message 37042 is in the export twice (two categories): the project keeps the first row
PROJECT = """\
[datasets.comments]
source = "citizen_messages_sample.xlsx"
on_duplicate = "keep_first"
[datasets.comments.column_map]
"留言编号" = "message_id"
"留言用户" = "user_id"
"留言时间" = "created_at"
"一级分类" = "category"
text = ["留言主题", "留言详情"]
"""
#: Writers of the planted burst, each introducing themselves by name.
PLANTED_NAMES = [
    "柯景腾",
    "沈佳宜",
    "钱多宝",
    "孙立行",
    "周若水",
    "吴知秋",
    "郑远山",
    "冯晓岚",
    "陈默言",
    "褚云帆",
    "卫清歌",
    "蒋南枝",
    "韩北辰",
    "杨疏影",
    "朱静川",
]

pytestmark = pytest.mark.notebook


def _board(folder: Path, planted: pl.DataFrame | None = None) -> Path:
    if not BOARD.is_file():
        pytest.skip(f"shared data file {BOARD} is absent on this machine")
    folder.mkdir()
    if planted is None:
        (folder / BOARD.name).write_bytes(BOARD.read_bytes())
    else:
        raw = pl.read_excel(BOARD, infer_schema_length=0)
        pl.concat([raw, planted.select(raw.columns)]).write_excel(folder / BOARD.name)
    (folder / "govanalytics.toml").write_text(PROJECT, encoding="utf-8")
    return folder


def _published(out: Path) -> str:
    """Everything the notebook published: executed notebook, its page, summary, tables."""
    page = export_html(out / "hot_words.ipynb", out / "hot_words.html")
    parts = [page.read_text(encoding="utf-8"), (out / "hot_words.ipynb").read_text("utf-8")]
    parts.append((out / "summary.json").read_text(encoding="utf-8"))
    parts += [str(pl.read_parquet(p).to_dicts()) for p in sorted(out.glob("*.parquet"))]
    return "\n".join(parts)


def test_the_board_as_exported_is_counted_by_month_over_a_widened_period(
    run_notebook, tmp_path: Path
) -> None:
    # 494 messages over nine years, about 11 a month in the last year, 4 in the report week:
    # too few for days or weeks, so months; the report week is widened until it holds 50
    folder = _board(tmp_path / "board")
    out = run_notebook("hot_words", data_dir=str(folder))
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["title"] == "群众诉求热词" and summary["week"] == "2020-W01"
    notes = "\n".join(summary["notes"])
    assert "按月计数：近一年平均每日约 0.4 位留言人" in notes
    assert "报告周（2019年12月30日至2020年01月05日）只有 4 条留言，不足以判断" in notes
    widened = re.search(
        r"本页改为分析最近 (\d+) 个月（(.+?)至2020年01月05日，共 (\d+) 条留言）", notes
    )
    assert widened, notes
    n = int(widened.group(3))
    assert n >= 50
    heads = {h["key"]: h for h in summary["headlines"]}
    assert heads["comments"]["value"] == 4  # 本周群众留言: the report week, as everywhere
    assert heads["period_comments"]["value"] == n  # the widened period, its own figure
    assert heads["period_comments"]["period"].endswith("1月5日")
    assert "共 494 条" in notes
    # no district column: districts are read from the text (A3区, …), about half the board
    placed = re.search(
        r"从留言标题和正文中识别所提到的区县（如“A3区”），(\d+)% 的留言识别出区县", notes
    )
    assert placed and 40 <= int(placed.group(1)) <= 60
    # what each filter dropped is said, and nothing is reported as a burst here
    assert re.search(r"按月计数，候选突发 \d+ 个.*保留 0 个", notes)
    assert summary["alerts"] == []
    assert f"（{n} 条留言，按月计数）未发现突发热点议题" in summary["findings"][0]
    assert "江海" not in _published(out)  # nothing of the sample city


def test_a_burst_planted_in_the_board_is_found_and_its_writers_stay_masked(
    run_notebook, tmp_path: Path
) -> None:
    days = [dt.date(2020, 1, d) for d in (1, 2, 3)]
    planted = pl.DataFrame(
        {
            "留言编号": [f"9{i:05d}" for i in range(15)],
            "留言用户": [f"P{i:05d}" for i in range(15)],
            "留言主题": ["锦绣家园小区停水"] * 15,
            "留言时间": [f"{days[i // 5]:%Y/%-m/%-d} {8 + i % 5}:15:00" for i in range(15)],
            "留言详情": [
                f"我叫{name}，家住A3区锦绣家园，小区从前天开始停水，至今没有恢复，"
                "老人孩子生活困难，请尽快处理。"
                for name in PLANTED_NAMES
            ],
            "一级分类": ["城乡建设"] * 15,
        }
    )
    folder = _board(tmp_path / "board", planted)
    out = run_notebook("hot_words", data_dir=str(folder))
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["week"] == "2020-W01"
    assert "按月计数" in summary["notes"][0]
    assert "报告周（2019年12月30日至2020年01月05日）只有 19 条留言" in summary["notes"][1]
    alerts = [a for a in summary["alerts"] if "停水" in a["message"]]
    # the writers name A3区, but in January 2020 nearly every message is theirs: A3区 holds no
    # larger share of the issue than of the month's writers, so no concentration is claimed
    assert alerts and alerts[0]["place"] == "全市"
    assert dt.date(2020, 1, 1) <= dt.date.fromisoformat(alerts[0]["date"]) <= days[-1]
    published = _published(out)
    assert re.search(r"我叫[\u4e00-\u9fff]\*\*", published)  # the excerpts are shown, masked
    assert not [name for name in PLANTED_NAMES if name in published]
