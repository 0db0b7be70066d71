"""A report notebook run on the database publishes the tables it publishes from Parquet."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

pytestmark = [pytest.mark.xdist_group("postgres"), pytest.mark.postgres]


@pytest.mark.notebook
def test_overview_notebook_from_the_database_equals_the_parquet_tables(
    run_notebook, city_db: str, city_frames: dict[str, Any], tmp_path: Path
) -> None:
    """The overview notebook reads every dataset of a project file pointing at the database;
    its published district table equals ``city_overview`` on the Parquet folder's tables."""
    from govanalytics.report import city_overview

    project = tmp_path / "db-project"
    project.mkdir()
    lines = ['[project]\nname = "样例市（数据库）"']
    lines += [f'[datasets.{name}]\nsource = "{city_db}"' for name in sorted(city_frames)]
    (project / "govanalytics.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = run_notebook("overview", data_dir=str(project), k=15)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    published = pl.read_parquet(out / "district_overview.parquet")
    frames = {name: frame for name, (frame, _) in city_frames.items()}
    expected = city_overview(
        register=frames["population_register"],
        regions=frames["regions"],
        week=summary["week"],
        k=15,
        applications=frames["applications"],
        comments=frames["comments"],
    )
    assert summary["week"] == "2026-W47"  # the last complete week of the small city's data
    assert published.height > 0 and published.equals(expected.districts)
    assert summary["findings"] == expected.findings
    # the manifest's inputs name each table by its URL without password, with a fingerprint
    from govanalytics.data import open_project
    from govanalytics.report._check import data_files

    inputs = data_files(open_project(project))
    key = f"{city_db} dynamic.clinic_counts"
    assert inputs[key].startswith("md5:") and len(inputs[key]) == 36
    assert len([k for k in inputs if k.startswith("postgresql://")]) == len(city_frames)


@pytest.mark.notebook
def test_weekly_report_from_the_database_equals_the_report_from_files(
    city_db: str, small_city: Path, tmp_path: Path
) -> None:
    """One project, two sources: every dataset a PostgreSQL table, or the same dataset's Parquet
    file. The weekly reports (every notebook, no memo) publish identical tables and numbers."""
    from govanalytics.data import open_project
    from govanalytics.report import render_weekly

    names = sorted(open_project(small_city).datasets)
    spec = open_project(small_city).spec
    reports = {}
    for kind in ("files", "database"):
        folder = tmp_path / kind
        folder.mkdir()
        lines = ['[project]\nname = "样例市"']
        for name in names:
            source = city_db if kind == "database" else (small_city / spec(name).source).resolve()
            lines.append(f'[datasets.{name}]\nsource = "{source}"')
        (folder / "govanalytics.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        reports[kind] = render_weekly(
            week="2026-W47", data_dir=folder, out_dir=tmp_path / f"out-{kind}", compose=False,
            quiet=True,
        )  # fmt: skip
    files, database = reports["files"], reports["database"]
    assert files.ok and database.ok
    tables = sorted(p.relative_to(files.path) for p in files.path.rglob("*.parquet"))
    assert len(tables) >= 10
    assert tables == sorted(p.relative_to(database.path) for p in database.path.rglob("*.parquet"))
    for rel in tables:
        assert pl.read_parquet(files.path / rel).equals(pl.read_parquet(database.path / rel)), rel
    for run in files.runs:
        a = json.loads((files.path / run.name / "summary.json").read_text(encoding="utf-8"))
        b = json.loads((database.path / run.name / "summary.json").read_text(encoding="utf-8"))
        assert (a["headlines"], a["alerts"], a["findings"]) == (
            b["headlines"],
            b["alerts"],
            b["findings"],
        ), run.name
