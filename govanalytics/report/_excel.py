"""The Excel appendix ``tables.xlsx``: one sheet per published table, Chinese headers."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl

from govanalytics.report._labels import zh_labels

WITHHELD = "已抑制"
#: Data rows a worksheet of the appendix holds. Excel allows 1,048,576, but a sheet of
#: hundreds of thousands of rows (every backtest quantile of 32 provinces × 5 diseases) is
#: nothing a reader scrolls, and writing and scanning it took minutes; longer tables are cut
#: with a note in the table of contents pointing to the full table.
MAX_ROWS = 100_000
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(notebook: str, table: str, used: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub("_", f"{notebook}.{table}")[:31]
    name, i = base, 2
    while name.lower() in used:
        suffix = f"~{i}"
        name = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(name.lower())
    return name


def write_tables_xlsx(
    report_dir: str | Path, tables: list[tuple[str, str, str]], path: str | Path
) -> Path:
    """Write every published table into one workbook.

    Parameters
    ----------
    report_dir
        The report folder holding ``<notebook>/<table>.parquet``.
    tables
        ``(notebook, section title, table file name)`` in order.
    path
        The ``.xlsx`` to write.

    Returns
    -------
    Path
        ``path``. The first sheet 目录 lists the sheets (a table longer than Excel's row limit
        is cut there, and 目录 says so); each table sheet has Chinese headers
        (:func:`govanalytics.report.column_label`; clashing labels keep the English name) over the English column name in a comment.
        In rows flagged ``suppressed``, withheld (null) values read 已抑制 — small counts stay
        withheld exactly as in the tables.
    """
    import xlsxwriter

    report_dir = Path(report_dir)
    path = Path(path)
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "nan_inf_to_errors": True})
    book.set_properties(
        {"title": "数据附表", "author": "govanalytics", "created": dt.datetime(2000, 1, 1)}
    )
    head = book.add_format({"bold": True, "bg_color": "#EEEEEE", "border": 1, "text_wrap": True})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    time_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    grey = book.add_format({"font_color": "#888888", "italic": True})
    toc = book.add_worksheet("目录")
    toc.write_row(0, 0, ["工作表", "板块", "数据表", "行数", "说明"], head)
    toc.set_column(0, 0, 34)
    toc.set_column(1, 2, 28)
    used = {"目录"}
    for row_no, (notebook, title, table) in enumerate(tables, 1):
        frame = pl.read_parquet(report_dir / notebook / table)
        sheet_name = _sheet_name(notebook, Path(table).stem, used)
        toc.write_url(row_no, 0, f"internal:'{sheet_name}'!A1", string=sheet_name)
        toc.write_row(row_no, 1, [title, table, frame.height])
        if frame.height > MAX_ROWS:
            toc.write(row_no, 4, f"仅列出前 {MAX_ROWS:,} 行，完整数据见 {notebook}/{table}")
            frame = frame.head(MAX_ROWS)
        sheet = book.add_worksheet(sheet_name)
        for col_no, (column, label) in enumerate(
            zip(frame.columns, zh_labels(frame.columns), strict=True)
        ):
            sheet.write(0, col_no, label, head)
            sheet.write_comment(0, col_no, column)
            sheet.set_column(col_no, col_no, max(10, min(40, len(label) * 2 + 2)))
        sheet.freeze_panes(1, 0)
        flagged = (
            frame["suppressed"].fill_null(False).to_list()
            if "suppressed" in frame.columns and frame.schema["suppressed"] == pl.Boolean
            else [False] * frame.height
        )
        for r, values in enumerate(frame.iter_rows(), 1):
            for c, value in enumerate(values):
                if value is None:
                    if flagged[r - 1]:
                        sheet.write_string(r, c, WITHHELD, grey)
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, dt.datetime):
                    sheet.write_datetime(r, c, value.replace(tzinfo=None), time_fmt)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_fmt)
                elif isinstance(value, int | float):
                    sheet.write_number(r, c, value)
                elif isinstance(value, str):
                    sheet.write_string(r, c, value)
                else:
                    sheet.write_string(r, c, str(value))
    book.close()
    return path
