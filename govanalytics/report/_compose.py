"""Compose what people read from a built report: Excel appendix, policy memo, weekly index."""

from __future__ import annotations

import sys

from govanalytics.report._index import read_summaries, write_index


def compose_report(report, *, quiet: bool = False, out_dir=None) -> None:
    """Write ``tables.xlsx``, ``memo.html/.pdf/.docx`` and ``index.html`` into a report build.

    Only from the notebooks' summaries and tables (and the manifest). When a notebook failed
    only the index is written (it says what failed); the memo and appendix are not composed from
    a partial run. ``out_dir`` (the folder of all weeks) gives the index its previous / next
    week links. Records what was written in ``manifest["artifacts"]`` and ``["memo"]``.
    """
    from govanalytics.report._excel import write_tables_xlsx
    from govanalytics.report._memo import compose_memo

    m = report.manifest
    if report.ok:
        names = [r.name for r in report.runs]
        summaries = read_summaries(report.path, names)
        tables = [
            (r.name, summaries.get(r.name, {}).get("title", r.name), t)
            for r in report.runs
            for t in r.tables
        ]
        from govanalytics.report._index import index_headlines

        headlines = [
            (summaries.get(name, {}).get("title", name), h)
            for name, h in index_headlines(summaries)
        ]
        write_tables_xlsx(report.path, tables, report.path / "tables.xlsx", headlines=headlines)
        m["artifacts"].append("tables.xlsx")
        if not quiet:
            print("composing the memo …", file=sys.stderr, flush=True)
        status = compose_memo(report.path, m, names)
        m["memo"] = status
        m["artifacts"] += [f for f, s in status.items() if s == "ok"]
    write_index(report, out_dir=out_dir)
    m["artifacts"] += ["index.html", "appendix.html"]
