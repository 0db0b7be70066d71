"""Compose what people read from a built report: index, Excel appendix, policy memo."""

from __future__ import annotations

from govanalytics.report._index import write_index


def compose_report(report, *, quiet: bool = False) -> None:
    """Write the weekly index (and, where possible, the memo and the Excel appendix)."""
    write_index(report)
