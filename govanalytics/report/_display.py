"""How results look in notebooks and their HTML pages: one display helper for officials.

Every table a notebook shows goes through :func:`table_html` (Chinese headers, codes as their
labels, numbers formatted by kind, values escaped, no row index, no dtype row); headings and
sentences built from data go through :func:`heading` and :func:`say`, which escape every value
with :func:`govanalytics.privacy.escape_markup`. Cells tagged :data:`HIDDEN_TAG` (notes for
whoever edits the notebook) stay in the notebook and are left out of the published page.
"""

from __future__ import annotations

import re

import pandas as pd
import polars as pl

from govanalytics.privacy import escape_markup
from govanalytics.report._labels import zh_table

__all__ = ["HIDDEN_TAG", "heading", "say", "show", "table_html", "use_chinese_tables"]

#: Tag of notebook cells kept out of the published page (developer notes, the parameters).
HIDDEN_TAG = "report-hide"
_ANCHOR = re.compile(r"^[a-z][a-z0-9-]*$")


def table_html(frame: pl.DataFrame | pd.DataFrame, *, max_rows: int = 20) -> str:
    """HTML of ``frame`` as people read it (see :func:`~govanalytics.report.zh_table`).

    Chinese column labels, codes as Chinese labels, 是/否 for booleans, thousands separators,
    signed percentages for changes, 已抑制 for values withheld in rows flagged ``suppressed``;
    at most ``max_rows`` rows with a note of how many there are; every value HTML-escaped.
    A pandas frame is shown the same way, without its row index.
    """
    if isinstance(frame, pd.DataFrame):
        frame = pl.from_pandas(frame.reset_index(drop=True))
    shown = zh_table(frame.head(max_rows))
    body = shown.to_html(index=False, border=0, classes="ga-table", escape=True)
    note = (
        f"<p class='ga-table-note'>共 {frame.height:,} 行，显示前 {max_rows} 行。</p>"
        if frame.height > max_rows
        else ""
    )
    return body + note


def show(frame: pl.DataFrame | pd.DataFrame, *, max_rows: int = 20):
    """An IPython ``HTML`` object of :func:`table_html` (``display(show(frame))``)."""
    from IPython.display import HTML

    return HTML(table_html(frame, max_rows=max_rows))


def heading(text: str, *, anchor: str = "", level: int = 2):
    """An IPython ``HTML`` heading with a stable ``id`` (alerts on the index link to it).

    ``text`` is escaped; ``anchor`` is lower-case letters, digits and hyphens.
    """
    from IPython.display import HTML

    if anchor and not _ANCHOR.match(anchor):
        from govanalytics.errors import ParameterError

        msg = f"parameter 'anchor' must be lower-case letters, digits and '-', got {anchor!r}"
        raise ParameterError(msg)
    ident = f" id='{anchor}'" if anchor else ""
    return HTML(f"<h{level}{ident}>{escape_markup(text, markup='html')}</h{level}>")


def say(template: str, /, **values: object):
    """An IPython ``Markdown`` sentence: ``template`` (the notebook's own Markdown) with every
    ``{name}`` filled by its value escaped (:func:`~govanalytics.privacy.escape_markup`).

    Examples
    --------
    >>> say("**{place}**：{n} 件", place="东湖区", n="1,234")  # doctest: +SKIP
    """
    from IPython.display import Markdown

    return Markdown(template.format(**{k: escape_markup(v) for k, v in values.items()}))


def use_chinese_tables(*, max_rows: int = 20) -> bool:
    """Show every polars and pandas DataFrame in this notebook as a Chinese table
    (:func:`table_html`).

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
    formatter.for_type(pd.DataFrame, lambda frame: table_html(frame, max_rows=max_rows))
    return True
