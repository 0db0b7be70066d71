"""The exceptions govanalytics raises.

::

    GovAnalyticsError
    ├── DataError                 bad input data (file, row, column, what is wrong)
    │   └── SchemaError           a table breaks its declared schema (all problems listed)
    ├── ParameterError            a function or notebook parameter is wrong
    ├── InsufficientDataError     too little history or data for a method
    ├── PrivacyError              personal data would be published
    └── ReportError               a report run failed (names the notebook and cell)
"""

from __future__ import annotations

__all__ = [
    "DataError",
    "GovAnalyticsError",
    "InsufficientDataError",
    "ParameterError",
    "PrivacyError",
    "ReportError",
    "SchemaError",
]


class GovAnalyticsError(Exception):
    """Base class of every error govanalytics raises on purpose."""


class DataError(GovAnalyticsError, ValueError):
    """Input data cannot be read or is wrong; the message names file, row and column."""


class SchemaError(DataError):
    """A table breaks its declared schema.

    Parameters
    ----------
    source
        The file (or table name) that was checked.
    problems
        Every problem found, each a dict with ``rows`` (1-based data rows as in the
        file, header excluded), ``column`` and ``message``.
    """

    def __init__(self, source: str, problems: list[dict]) -> None:
        self.source = source
        self.problems = problems
        lines = [f"{source}: {len(problems)} problem(s) found"]
        for p in problems:
            rows = p.get("rows") or []
            shown = ", ".join(str(r) for r in rows[:10])
            more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
            where = f"rows {shown}{more}" if rows else "whole file"
            lines.append(f"  - {where}, column {p.get('column')!r}: {p['message']}")
        super().__init__("\n".join(lines))


class ParameterError(GovAnalyticsError, ValueError):
    """A parameter has the wrong name, type or value; the message names it."""


class InsufficientDataError(GovAnalyticsError):
    """A method has too little history or data to run; the message says how much it needs."""


class PrivacyError(GovAnalyticsError):
    """Personal data (ID-card number, phone number, name) would be published."""


class ReportError(GovAnalyticsError):
    """A report run failed; the message names the notebook and the failing cell."""
