"""Fixtures of the report tests: tiny notebooks built in tmp, a tiny data folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import nbformat
import polars as pl
import pytest
from nbformat.v4 import new_code_cell, new_notebook

PARAMETERS = 'data_dir: str = ""\nweek: str = ""\noutput_dir: str = "."\nrepeat: int = 1\n'


def tiny_notebook(path: Path, body: list[str], *, parameters: str = PARAMETERS) -> Path:
    """Write a notebook with a ``parameters`` cell followed by the ``body`` code cells."""
    cells = [new_code_cell(parameters, metadata={"tags": ["parameters"]})]
    cells += [new_code_cell(code) for code in body]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "govanalytics",
        "display_name": "govanalytics",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


GOOD_BODY = [
    "import polars as pl\nfrom govanalytics.report.contract import write_summary",
    (
        'pl.DataFrame({"district_code": ["449901000000"], "count": [20 * repeat]})'
        '.write_parquet("counts.parquet")\n'
        'write_summary(".", notebook="good", title="测试", week=week,\n'
        '    headlines=[{"key": "n", "label": "数量", "value": 20, "previous": 10}], alerts=[],\n'
        '    tables=["counts.parquet"])'
    ),
]
BAD_BODY = ["x = 1", 'raise ValueError("planted failure")', "y = 2"]


@pytest.fixture
def tiny_data(tmp_path: Path) -> Path:
    """A data folder with one small dynamic table whose last day is Sunday 2026-11-22."""
    folder = tmp_path / "data"
    (folder / "dynamic").mkdir(parents=True)
    pl.DataFrame(
        {
            "message_id": ["a", "b"],
            "created_at": [dt.datetime(2026, 11, 1), dt.datetime(2026, 11, 22, 9)],
            "text": ["x", "y"],
        }
    ).write_parquet(folder / "dynamic" / "comments.parquet")
    return folder


@pytest.fixture
def good_notebooks(tmp_path: Path) -> Path:
    """A notebooks folder holding one notebook that succeeds."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    tiny_notebook(folder / "good.ipynb", GOOD_BODY)
    return folder


@pytest.fixture
def make_notebook():
    """``make(path, body, parameters=...)`` writes a tiny notebook (see :func:`tiny_notebook`)."""
    return tiny_notebook


@pytest.fixture
def bad_body() -> list[str]:
    """Cells of a notebook that fails in cell 2 (cell 0 is the parameters cell)."""
    return list(BAD_BODY)
