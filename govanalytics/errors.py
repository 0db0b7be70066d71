"""The exceptions govanalytics raises.

::

    GovAnalyticsError
    ├── DataError                 bad input data (file, row, column, what is wrong)
    │   └── SchemaError           a table breaks its declared schema (all problems listed)
    ├── ParameterError            a function or notebook parameter is wrong
    ├── InsufficientDataError     too little history or data for a method
    ├── PrivacyError              personal data would be published
    └── ReportError               a report run failed (names the notebook and cell)
        └── NotebookError         one notebook failed (notebook, cell, error as attributes)
"""

from __future__ import annotations

__all__ = [
    "DataError",
    "GovAnalyticsError",
    "InsufficientDataError",
    "NotebookError",
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


class NotebookError(ReportError):
    """One notebook of a weekly report failed: which notebook, which cell, which error.

    Parameters
    ----------
    notebook
        The notebook's stem (``health_risk``).
    ename, evalue
        The error's type name and message (``evalue`` cut to 500 characters).
    cell_index
        Index of the failing cell in the stored notebook (None: not in a cell).
    execution_count
        Its ``In [n]`` number, when it ran.
    source
        The line of the cell that raised.
    """

    def __init__(
        self,
        notebook: str,
        *,
        ename: str,
        evalue: str,
        cell_index: int | None = None,
        execution_count: int | None = None,
        source: str = "",
    ) -> None:
        self.notebook = notebook
        self.ename = ename
        self.evalue = str(evalue)[:500]
        self.cell_index = cell_index
        self.execution_count = execution_count
        self.source = source
        where = f"cell {cell_index}" if cell_index is not None else "no cell"
        if execution_count is not None:
            where += f" (In [{execution_count}])"
        code = f" — `{source}`" if source else ""
        super().__init__(
            f"notebook {notebook}.ipynb failed at {where}: {ename}: {self.evalue}{code}"
        )

    def details(self) -> dict:
        """The record kept in ``manifest.json`` (``cell_index``, ``execution_count``,
        ``ename``, ``evalue`` and, when known, ``source``)."""
        out: dict = {
            "cell_index": self.cell_index,
            "execution_count": self.execution_count,
            "ename": self.ename,
            "evalue": self.evalue,
        }
        if self.source:
            out["source"] = self.source
        return out
