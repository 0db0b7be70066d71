"""The report layer: run the notebooks into a dated weekly report and compose what people read.

:func:`render_weekly` executes every notebook in ``notebooks/`` through papermill into
``reports/<YYYY-Www>/`` (executed notebooks, HTML pages without code, tables, summaries), then
composes the weekly index (城市运行周报), the policy memo and the Excel appendix from the
summaries and tables alone, scans everything with the privacy gate and publishes atomically.
The notebook contract lives in :mod:`govanalytics.report.contract`.
"""

from govanalytics.report._display import table_html, use_chinese_tables
from govanalytics.report._excel import write_tables_xlsx
from govanalytics.report._html import export_html
from govanalytics.report._labels import column_label, zh_columns, zh_table
from govanalytics.report._manifest import input_fingerprints, last_data_day
from govanalytics.report._memo import memo_content, missing_glyphs, write_memo
from govanalytics.report._overview import city_overview, overview_long
from govanalytics.report._params import check_parameters, notebook_parameters
from govanalytics.report._runner import NotebookRun, WeeklyReport, read_report, render_weekly

__all__ = [
    "NotebookRun",
    "WeeklyReport",
    "check_parameters",
    "city_overview",
    "column_label",
    "export_html",
    "input_fingerprints",
    "last_data_day",
    "memo_content",
    "missing_glyphs",
    "notebook_parameters",
    "overview_long",
    "read_report",
    "render_weekly",
    "table_html",
    "use_chinese_tables",
    "write_memo",
    "write_tables_xlsx",
    "zh_columns",
    "zh_table",
]
