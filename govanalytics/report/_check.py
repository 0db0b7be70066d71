"""Readiness of a data folder: is every declared dataset sound, which chapters can run.

``govanalytics check DIR`` loads every dataset the folder declares (project file) or holds
(sample-city layout) with full validation and prints one table per part: dataset → rows,
period, regions matched, repairs, errors (capped, naming the user's file, rows and column);
notebook → ready, or not ready with what is missing. The report runner uses the same
readiness, without loading, to decide which chapters to render.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from govanalytics.data import PROJECT_FILE, Project, open_project
from govanalytics.data._load import get_schema
from govanalytics.errors import DataError, GovAnalyticsError, ParameterError, SchemaError
from govanalytics.report.contract import NOTEBOOK_DATA

#: At most this many problems are listed per dataset (the rest are counted).
MAX_PROBLEMS = 10


@dataclass
class DatasetCheck:
    """The outcome of loading one declared dataset."""

    name: str
    source: str
    status: str  # "ok" or "error"
    rows: int | None = None
    period: str = ""
    regions: str = ""
    repairs: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class NotebookCheck:
    """Whether one report notebook can run on the data."""

    name: str
    title: str
    ready: bool
    reason: str = ""


@dataclass
class Readiness:
    """Datasets checked and notebooks judged ready or not (see :func:`check_data`)."""

    project: Project
    datasets: list[DatasetCheck]
    notebooks: list[NotebookCheck]

    @property
    def ok(self) -> bool:
        """True when no declared dataset has an error (chapters not ready are not errors)."""
        return all(d.status == "ok" for d in self.datasets)

    def to_text(self) -> str:
        """The two tables as plain text (what ``govanalytics check`` prints)."""
        p = self.project
        where = p.file or p.root or "the inputs given"
        lines = [f"govanalytics check: {where} ({len(self.datasets)} datasets declared)"]
        if p.layout == "folder" and not p.datasets:
            lines.append(
                f"  no {PROJECT_FILE} and no data in the sample-city layout: run "
                f"`govanalytics init {p.root}` to write one from the files there"
            )
        lines.append("")
        head = ("dataset", "rows", "period", "regions matched", "repairs", "status")
        rows = [
            (
                d.name,
                "—" if d.rows is None else f"{d.rows:,}",
                d.period or "—",
                d.regions or "—",
                str(d.repairs),
                "ok" if d.status == "ok" else f"ERROR ({len(d.problems)})",
            )
            for d in self.datasets
        ]
        lines += _table(head, rows)
        for d in self.datasets:
            if d.problems:
                lines.append("")
                lines.append(f"{d.name} ({d.source}):")
                lines += [f"  {line}" for text in d.problems for line in text.splitlines()]
        lines.append("")
        lines += _table(
            ("notebook", "chapter", "ready"),
            [
                (n.name, n.title, "ready" if n.ready else f"not ready: {n.reason}")
                for n in self.notebooks
            ],
        )
        return "\n".join(lines)


def _table(head: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    def width(text: str) -> int:  # CJK characters take two columns in a terminal
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    widths = [max([width(h), *(width(r[i]) for r in rows)]) for i, h in enumerate(head)]

    def line(cells: tuple[str, ...]) -> str:
        text = "  ".join(c + " " * (w - width(c)) for c, w in zip(cells, widths, strict=True))
        return text.rstrip()

    return [line(head), line(tuple("-" * w for w in widths)), *(line(r) for r in rows)]


def _problems(exc: Exception) -> list[str]:
    """An error as at most :data:`MAX_PROBLEMS` lines (and a count of the rest)."""
    if isinstance(exc, SchemaError):
        text = str(exc).splitlines()
        head, items = text[0], text[1:]
        shown = items[:MAX_PROBLEMS]
        more = len(items) - len(shown)
        return [head, *shown] + ([f"  … and {more} more problem(s)"] if more > 0 else [])
    return [str(exc)]


def _period(frame: Any, name: str, frequency: str) -> str:
    schema = get_schema(name)
    cols = [c.name for c in schema.columns if c.dtype in (pl.Date, pl.Datetime)]
    cols = [c for c in cols if c != "verified_at" and c in getattr(frame, "columns", [])]
    if not cols or not isinstance(frame, pl.DataFrame) or not frame.height:
        return ""
    values = frame[cols[0]].drop_nulls()
    if not values.len():
        return ""
    lo, hi = values.min(), values.max()

    def day(v: Any) -> str:
        v = v.date() if isinstance(v, dt.datetime) else v
        return v.strftime("%Y-%m") if frequency == "month" else v.isoformat()

    return f"{day(lo)} … {day(hi)}"


def _regions_matched(frame: Any, name: str, regions: pl.DataFrame) -> str:
    schema = get_schema(name)
    cols = [
        c.name
        for c in schema.columns
        if c.references == "regions.region_code" and c.name in getattr(frame, "columns", [])
    ]
    if not cols or not isinstance(frame, pl.DataFrame):
        return ""
    codes = pl.concat([frame[c].drop_nulls().cast(pl.String) for c in cols]).unique()
    if not codes.len():
        return ""
    if not regions.height:
        return f"{codes.len()} codes (no regions table)"
    known = codes.is_in(regions["region_code"].implode()).sum()
    return f"{known}/{codes.len()}"


def _is_od_product(spec: Any) -> bool:
    """An OD dataset declared as a product (shares/indices, wide daily files) rather than a
    long table of counts: read by the mobility reader, not the generic loader."""
    return spec.dataset == "od_counts" and bool(
        spec.value_type != "count" or spec.orientation or spec.filename_date or spec.options
    )


def _check_od_product(project: Project, spec: Any) -> DatasetCheck:
    from govanalytics.mobility import load_od_product

    try:
        product = load_od_product(project=project)
    except (DataError, ParameterError, OSError) as exc:
        return DatasetCheck(spec.dataset, spec.source, "error", problems=_problems(exc))
    flows = product.flows
    dates = flows["date"].drop_nulls() if "date" in flows.columns else pl.Series([])
    period = " … ".join(str(v) for v in (dates.min(), dates.max())) if dates.len() else ""
    places = product.places
    named = int(places["region_name"].is_not_null().sum()) if places.height else 0
    return DatasetCheck(
        spec.dataset,
        f"{spec.source} ({len(product.files)} files, {product.value_type})",
        "ok",
        rows=flows.height,
        period=period,
        regions=f"{named}/{places.height}",
        notes=list(product.notes),
    )


def check_dataset(project: Project, name: str) -> DatasetCheck:
    """Load one declared dataset with full validation and summarise the outcome."""
    spec = project.spec(name)
    if _is_od_product(spec):
        return _check_od_product(project, spec)
    source = spec.source
    if spec.is_database:  # a table: shown by its URL without password
        from govanalytics.data._postgres import redact_url, table_name

        source = f"{redact_url(spec.source)} {table_name(name)}"
    try:
        files = [] if spec.is_database else project.files(name)
        if len(files) == 1:
            source = str(files[0])
        frame, report = project.load_with_report(name)
    except (DataError, ParameterError, OSError) as exc:
        return DatasetCheck(name, source, "error", problems=_problems(exc))
    try:
        regions = project.regions() if name not in ("regions", "boundaries") else frame
        if not isinstance(regions, pl.DataFrame):
            regions = pl.from_pandas(regions.drop(columns="geometry"))
    except (GovAnalyticsError, OSError) as exc:
        return DatasetCheck(name, source, "error", problems=[f"regions table: {exc}"])
    return DatasetCheck(
        name,
        source,
        "ok",
        rows=len(frame),
        period=_period(frame, name, spec.frequency),
        regions=_regions_matched(frame, name, regions),
        repairs=report.n_repairs,
        notes=list(report.notes),
    )


def notebook_readiness(
    project: Project, notebooks: list[str], *, failed: set[str] | None = None
) -> list[NotebookCheck]:
    """Which report notebooks can run: their required datasets declared (and not failed).

    Parameters
    ----------
    project
        The data (see :func:`~govanalytics.data.open_project`).
    notebooks
        Notebook names (file stems) in render order.
    failed
        Datasets that are declared but failed their check (a chapter needing one is not
        ready).
    """
    failed = failed or set()
    available = set(project.datasets) - failed
    out = []
    for name in notebooks:
        needs = NOTEBOOK_DATA.get(name)
        if needs is None:
            out.append(NotebookCheck(name, name, True))
            continue
        if needs.layout_only and project.layout == "project":
            reason = (
                "此章节暂只读取样例城市目录结构（master/、dynamic/）中的数据，"
                "尚不支持项目文件声明的数据"
            )
            out.append(NotebookCheck(name, needs.title, False, reason))
            continue
        missing = needs.missing(available)
        broken = [d for d in needs.required if d in failed]
        if not missing:
            out.append(NotebookCheck(name, needs.title, True))
            continue
        parts = []
        absent = [m for m in missing if m not in broken]
        if absent:
            labels = "、".join(_label(m) for m in absent)
            parts.append(f"缺少{labels}")
        if broken:
            parts.append("数据有误：" + "、".join(_label(m) for m in broken))
        out.append(NotebookCheck(name, needs.title, False, "；".join(parts)))
    return out


def _label(name: str) -> str:
    if " 或 " in name:
        return "或".join(_label(n) for n in name.split(" 或 "))
    try:
        return f"{get_schema(name).label_zh}（{name}）"
    except ParameterError:
        return name


def check_data(
    data_dir: str | os.PathLike,
    *,
    notebooks: list[str] | None = None,
) -> Readiness:
    """Check every dataset a data folder declares and say which chapters can run.

    Parameters
    ----------
    data_dir
        The data folder (with ``govanalytics.toml``, or laid out like the sample city).
    notebooks
        Notebook names to judge (default: the report's notebooks in ``notebooks/``, else
        the ones :data:`~govanalytics.report.contract.NOTEBOOK_DATA` lists).

    Returns
    -------
    Readiness
        ``ok`` is False only when a declared dataset has an error.
    """
    project = open_project(data_dir)
    if notebooks is None:
        notebooks = _default_notebooks()
    results = [check_dataset(project, name) for name in sorted(project.datasets)]
    failed = {d.name for d in results if d.status != "ok"}
    return Readiness(project, results, notebook_readiness(project, notebooks, failed=failed))


def _default_notebooks() -> list[str]:
    from govanalytics.report._runner import find_notebooks_dir, list_notebooks

    try:
        return [p.stem for p in list_notebooks(find_notebooks_dir(None))]
    except ParameterError:
        return list(NOTEBOOK_DATA)


def data_files(project: Project) -> dict[str, str]:
    """``{file key: sha256}`` of every file the project reads (keys relative to its folder),
    and ``{URL without password + table: md5 fingerprint}`` of every database table."""
    from govanalytics.report._manifest import sha256_file

    out = {}
    for path in project.input_files():
        key = str(path)
        if project.root is not None:
            try:
                key = Path(path).resolve().relative_to(project.root.resolve()).as_posix()
            except ValueError:
                key = str(Path(path).resolve())
        out[key] = sha256_file(path)
    for spec in project.datasets.values():  # database sources: URL without password, table
        if spec.is_database:
            from govanalytics.data._postgres import redact_url, table_fingerprint, table_name

            key = f"{redact_url(spec.source)} {table_name(spec.dataset)}"
            out[key] = table_fingerprint(spec.source, spec.dataset)
    return dict(sorted(out.items()))
