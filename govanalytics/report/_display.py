"""How tables look in notebooks and their HTML pages: Chinese headers, no dtypes, no quotes."""

from __future__ import annotations

import polars as pl

from govanalytics.report._labels import zh_table

__all__ = ["table_html", "use_chinese_tables"]


def table_html(frame: pl.DataFrame, *, max_rows: int = 20) -> str:
    """HTML of ``frame`` as people read it (see :func:`~govanalytics.report.zh_table`).

    Chinese column labels, 是/否 for booleans, thousands separators, 已抑制 for values withheld
    in rows flagged ``suppressed``; at most ``max_rows`` rows with a note of how many there are.
    Tables written to Parquet keep their English snake_case names: this is display only.
    """
    shown = zh_table(frame.head(max_rows))
    body = shown.to_html(index=False, border=0, classes="ga-table", escape=True)
    note = (
        f"<p class='ga-table-note'>共 {frame.height:,} 行，显示前 {max_rows} 行。</p>"
        if frame.height > max_rows
        else ""
    )
    return body + note


def use_chinese_tables(*, max_rows: int = 20) -> bool:
    """Show every polars DataFrame in this notebook as a Chinese table (:func:`table_html`).

    Call once at the top of a notebook. Returns False (and changes nothing) outside IPython.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return False
    shell = get_ipython()
    if shell is None:
        return False
    formatter = shell.display_formatter.formatters["text/html"]
    formatter.for_type(pl.DataFrame, lambda frame: table_html(frame, max_rows=max_rows))
    return True
