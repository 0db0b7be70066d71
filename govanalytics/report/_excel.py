"""The Excel appendix ``tables.xlsx``: one sheet per published table, in Chinese, that sums.

Sheet names are Chinese (chapter · table, at most 31 characters, unique); every header is a
Chinese label (:func:`govanalytics.report.column_label`) with the English column name in a cell
comment; codes in cells are their labels; a withheld value is an *empty* cell carrying the
comment 已抑制, and the row's 已抑制 column says so, so a numeric column holds only numbers and
Excel's sums work; lists are joined as text; numbers are rounded by kind (counts whole,
shares and changes as percentages, other decimals to two places).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl

from govanalytics.report._labels import (
    CHANGE_COLUMNS,
    SHARE_COLUMNS,
    code_labels,
    column_label,
)

WITHHELD = "已抑制"
#: Data rows a worksheet of the appendix holds. Excel allows 1,048,576, but a sheet of
#: hundreds of thousands of rows (every backtest quantile of 32 provinces × 5 diseases) is
#: nothing a reader scrolls, and writing and scanning it took minutes; longer tables are cut
#: with a note in the table of contents pointing to the full table.
MAX_ROWS = 100_000
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


#: Chinese names of the tables the chapters publish (file stem → name).
TABLE_LABELS_ZH = {
    "district_overview": "区县概况",
    "alarms": "预警",
    "forecasts": "预测",
    "scores": "预测回测误差",
    "risk": "风险排序",
    "missing_periods": "缺报期",
    "hot_words": "热词榜",
    "bursts": "突发热词",
    "issues": "议题",
    "population": "人口估计",
    "flows": "区域间流动",
    "flow_totals": "流动合计",
    "flow_volumes": "出行规模",
    "flow_balance": "迁入迁出",
    "corridors": "流动走廊",
    "surges": "申请激增",
    "roll_counts": "乘车卡名册人数",
    "promotions": "核验入库统计",
    "conflicts": "待裁定冲突",
    "suggestions": "主动服务推荐",
    "association_rules": "事项关联规则",
    "demand": "社区需求",
}


def _sheet_name(title: str, table: str, used: set[str]) -> str:
    """``章节·表`` in Chinese, at most 31 characters, unique (case-insensitive)."""
    label = TABLE_LABELS_ZH.get(table, table)
    base = _BAD_SHEET_CHARS.sub("_", f"{title}·{label}")
    if len(base) > 31:
        base = _BAD_SHEET_CHARS.sub("_", f"{title[: max(2, 30 - len(label))]}·{label}")[:31]
    name, i = base, 2
    while name.lower() in used:
        suffix = f"（{i}）"
        name = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(name.lower())
    return name


def _headers(columns: list[str]) -> list[str]:
    """Chinese headers, unique: a label given to two columns is numbered （2）, （3）."""
    out: list[str] = []
    for column in columns:
        label = column_label(column)
        name, i = label, 2
        while name in out:
            name, i = f"{label}（{i}）", i + 1
        out.append(name)
    return out


def write_tables_xlsx(
    report_dir: str | Path,
    tables: list[tuple[str, str, str]],
    path: str | Path,
    *,
    headlines: list[tuple[str, dict]] | None = None,
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
    headlines
        ``(section title, headline)`` pairs from the summaries: written first, on the sheet
        核心指标, with the same values as the index (one figure, one definition).

    Returns
    -------
    Path
        ``path``. The first sheet 目录 lists the sheets (a table longer than Excel's row limit
        is cut there, and 目录 says so); each table sheet has Chinese headers
        (:func:`govanalytics.report.column_label`; a label given twice is numbered) over the
        English column name in a comment; sheet names are Chinese (chapter · table).
        In rows flagged ``suppressed``, withheld (null) values are empty cells with the comment
        已抑制 (numeric columns stay numeric) — small counts stay withheld exactly as in the
        tables.
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
    count_fmt = book.add_format({"num_format": "#,##0"})
    decimal_fmt = book.add_format({"num_format": "#,##0.00"})
    percent_fmt = book.add_format({"num_format": "0.0%"})
    codes = code_labels()
    toc = book.add_worksheet("目录")
    toc.write_row(0, 0, ["工作表", "板块", "数据表", "行数", "说明"], head)
    toc.set_column(0, 0, 34)
    toc.set_column(1, 2, 28)
    used = {"目录"}
    if headlines:
        from govanalytics.report._headlines import headline_period

        used.add("核心指标")
        top = book.add_worksheet("核心指标")
        top.write_row(
            0, 0, ["板块", "指标", "统计期", "数值", "单位", "上期", "上期是", "去年同期"], head
        )
        top.set_column(0, 2, 24)
        for i, (title, h) in enumerate(headlines, 1):
            period, previous_label = headline_period(h)
            top.write_row(i, 0, [title, h["label"], period])
            for col, key in ((3, "value"), (5, "previous"), (7, "year_ago")):
                if isinstance(h.get(key), int | float):
                    top.write_number(
                        i, col, h[key], count_fmt if isinstance(h[key], int) else decimal_fmt
                    )
            top.write(i, 4, h.get("unit") or "")
            if "previous" in h:
                top.write(i, 6, previous_label)
    for row_no, (notebook, title, table) in enumerate(tables, 1):
        frame = pl.read_parquet(report_dir / notebook / table)
        sheet_name = _sheet_name(title, Path(table).stem, used)
        toc.write_url(row_no, 0, f"internal:'{sheet_name}'!A1", string=sheet_name)
        toc.write_row(
            row_no, 1, [title, TABLE_LABELS_ZH.get(Path(table).stem, table), frame.height]
        )
        if frame.height > MAX_ROWS:
            toc.write(row_no, 4, f"仅列出前 {MAX_ROWS:,} 行，完整数据见技术附录的数据下载")
            frame = frame.head(MAX_ROWS)
        sheet = book.add_worksheet(sheet_name)
        for col_no, (column, label) in enumerate(
            zip(frame.columns, _headers(frame.columns), strict=True)
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
        kinds = [
            "change" if c in CHANGE_COLUMNS else "share" if c in SHARE_COLUMNS else ""
            for c in frame.columns
        ]
        for r, values in enumerate(frame.iter_rows(), 1):
            for c, value in enumerate(values):
                if value is None or (isinstance(value, float) and value != value):
                    if flagged[r - 1]:  # empty cell, marked: sums over the column still work
                        sheet.write_blank(r, c, None)
                        sheet.write_comment(r, c, WITHHELD)
                    continue
                if isinstance(value, bool):
                    sheet.write_string(r, c, "是" if value else "否")
                elif isinstance(value, dt.datetime):
                    sheet.write_datetime(r, c, value.replace(tzinfo=None), time_fmt)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_fmt)
                elif isinstance(value, int):
                    sheet.write_number(r, c, value, count_fmt)
                elif isinstance(value, float):
                    if kinds[c]:
                        sheet.write_number(r, c, round(value, 4), percent_fmt)
                    else:
                        sheet.write_number(r, c, round(value, 2), decimal_fmt)
                elif isinstance(value, list | tuple):
                    sheet.write_string(r, c, "、".join(codes.get(str(v), str(v)) for v in value))
                elif isinstance(value, str):
                    sheet.write_string(r, c, codes.get(value, value))
                else:
                    sheet.write_string(r, c, str(value))
    book.close()
    return path
