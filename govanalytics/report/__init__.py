"""The report layer: run the notebooks into a dated weekly report and compose what people read.

:func:`render_weekly` executes every notebook in ``notebooks/`` through papermill into
``reports/<YYYY-Www>/`` (executed notebooks, HTML pages without code, tables, summaries), then
composes the weekly index (城市运行周报), the policy memo and the Excel appendix from the
summaries and tables alone, scans everything with the privacy gate and publishes atomically.
The notebook contract lives in :mod:`govanalytics.report.contract`.
"""

from govanalytics.report._display import (
    HIDDEN_TAG,
    heading,
    say,
    show,
    table_html,
    use_chinese_tables,
)
from govanalytics.report._excel import write_tables_xlsx
from govanalytics.report._headlines import Headline, weekly_event_count
from govanalytics.report._html import export_html
from govanalytics.report._labels import (
    code_labels,
    column_label,
    format_number,
    label,
    zh_columns,
    zh_table,
)
from govanalytics.report._manifest import input_fingerprints, last_data_day
from govanalytics.report._memo import memo_content, missing_glyphs, write_memo
from govanalytics.report._overview import city_overview, overview_long
from govanalytics.report._params import check_parameters, notebook_parameters
from govanalytics.report._runner import NotebookRun, WeeklyReport, read_report, render_weekly

__all__ = [
    "HIDDEN_TAG",
    "Headline",
    "NotebookRun",
    "WeeklyReport",
    "check_parameters",
    "city_overview",
    "code_labels",
    "column_label",
    "export_html",
    "format_number",
    "heading",
    "input_fingerprints",
    "label",
    "last_data_day",
    "memo_content",
    "missing_glyphs",
    "notebook_parameters",
    "overview_long",
    "read_report",
    "render_weekly",
    "say",
    "show",
    "table_html",
    "use_chinese_tables",
    "weekly_event_count",
    "write_memo",
    "write_tables_xlsx",
    "zh_columns",
    "zh_table",
]
