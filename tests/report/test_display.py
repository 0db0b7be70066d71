"""Tables in notebooks and pages read as Chinese tables, withheld values marked."""

from __future__ import annotations

import polars as pl

from govanalytics.report import table_html, use_chinese_tables


def test_table_html_chinese_headers_and_withheld_values() -> None:
    frame = pl.DataFrame(
        {"area": ["东湖区", "西江区"], "resident": [52_000, None], "suppressed": [False, True]}
    )
    page = table_html(frame)
    assert "常住人口" in page and "区域" in page  # headers in Chinese
    assert "52,000" in page and "已抑制" in page
    assert "str" not in page and "i64" not in page  # no dtype row
    assert "&quot;" not in page and '"东湖区"' not in page  # no quoted strings


def test_long_tables_say_how_many_rows() -> None:
    page = table_html(pl.DataFrame({"count": list(range(50))}), max_rows=10)
    assert "共 50 行，显示前 10 行" in page
    assert page.count("<tr") == 11  # header + 10 rows


def test_outside_ipython_nothing_changes() -> None:
    assert use_chinese_tables() is False
