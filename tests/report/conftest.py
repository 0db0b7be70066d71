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


@pytest.fixture(scope="session")
def weekly_report(small_city: Path, tmp_path_factory: pytest.TempPathFactory):
    """The real weekly report of every notebook in notebooks/ on the small city.

    Rendered once per test session: under pytest-xdist the first worker renders it into the
    folder the workers share and the others read it back (a file lock orders them).
    """
    import fcntl
    import os

    from govanalytics.report import read_report, render_weekly

    if not os.environ.get("PYTEST_XDIST_WORKER"):
        out = tmp_path_factory.mktemp("reports")
        return render_weekly(week="2026-W47", data_dir=small_city, out_dir=out, quiet=True)
    shared = tmp_path_factory.getbasetemp().parent
    out = shared / "govanalytics-weekly-reports"
    with open(shared / "govanalytics-weekly.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (out / "2026-W47" / "manifest.json").is_file():
            return read_report(out / "2026-W47")
        return render_weekly(week="2026-W47", data_dir=small_city, out_dir=out, quiet=True)


#: Script put at the top of a copy of a page: records every resource that failed to load and
#: every remote (not data:/file:) resource requested, as attributes of <html>.
PROBE = (
    "<script>(function(){var failed=[];window.addEventListener('error',function(e){"
    "var t=e.target||{};failed.push(t.src||t.href||t.data||String(e.message||'error'));"
    "document.documentElement.setAttribute('data-failed-requests',failed.join(' '));},true);"
    "window.addEventListener('load',function(){var r=performance.getEntriesByType('resource')"
    ".map(function(x){return x.name;}).filter(function(n){return !/^(data|blob|file|about):/"
    ".test(n);});document.documentElement.setAttribute('data-remote-requests',r.join(' '));"
    "document.documentElement.setAttribute('data-loaded','yes');});})();</script>"
)


@pytest.fixture
def load_offline(tmp_path: Path):
    """``load(page_html, name) -> (dom, failed, remote)``: open a page in headless Chromium
    with the network blocked and report the DOM, failed requests and remote requests."""
    import re

    from govanalytics.report._browser import dump_dom, find_chromium

    if find_chromium() is None:
        pytest.skip("Debian's chromium is not installed (scripts/system-deps.sh installs it)")

    def load(page: str, name: str, *, beside: Path | None = None) -> tuple[str, list, list]:
        folder = beside or tmp_path
        target = folder / f".probe-{name.removesuffix('.html')}.html"
        at = page.lower().find("<head>")
        probed = page[: at + 6] + PROBE + page[at + 6 :] if at >= 0 else PROBE + page
        target.write_text(probed, encoding="utf-8")
        try:
            dom = dump_dom(target, budget_ms=5000)
        finally:
            target.unlink()
        tag = re.search(r"<html[^>]*>", dom)
        attrs = dict(re.findall(r'(data-[a-z-]+)="([^"]*)"', tag.group(0) if tag else ""))
        assert attrs.get("data-loaded") == "yes", f"{name}: the page did not finish loading"
        failed = attrs.get("data-failed-requests", "").split()
        remote = attrs.get("data-remote-requests", "").split()
        return dom, failed, remote

    return load
