"""The weekly report runner: papermill execution, manifest, composition, atomic publish.

A run builds the whole report in ``<out_dir>/.tmp-<week>-xxxx`` beside the target and moves it
into place only when every notebook succeeded and the privacy gate passed:

* success: ``<out_dir>/<week>/`` is replaced by the new build (the old folder is renamed aside
  first and removed only after the new one is in place); a stale ``<week>.failed/`` is removed.
* failure (a notebook failed, composing failed, or personal data was found): the earlier
  ``<out_dir>/<week>/`` is left untouched; the whole build, including the failed executed
  notebooks with their error banners, is kept in ``<out_dir>/<week>.failed/`` (replacing an
  older one) for inspection, with ``FAILED.txt`` saying what failed (readable by its owner only
  when it holds personal data); :class:`~govanalytics.errors.ReportError` (or
  :class:`~govanalytics.errors.PrivacyError`) is raised naming the notebook and the cell.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govanalytics.constants import DEFAULT_MIN_COUNT
from govanalytics.errors import (
    GovAnalyticsError,
    NotebookError,
    ParameterError,
    PrivacyError,
    ReportError,
)
from govanalytics.report import _html, _manifest
from govanalytics.report._params import check_parameters, notebook_parameters
from govanalytics.report.contract import check_week, resolve_data_dir, resolve_week
from govanalytics.validation import int_like

#: The notebook rendered first (the city overview); the others follow in name order.
FIRST_NOTEBOOK = "overview"


@dataclass
class NotebookRun:
    """The outcome of one notebook in a weekly run."""

    name: str
    status: str  # "ok" or "failed"
    duration_s: float
    parameters: dict[str, Any]
    error: dict[str, Any] | None = None  # cell_index, execution_count, ename, evalue
    tables: list[str] = field(default_factory=list)

    def describe_error(self) -> str:
        """One line naming the notebook, the failing cell and the error."""
        if not self.error:
            return f"{self.name}: ok"
        e = self.error
        return str(
            NotebookError(
                self.name,
                ename=str(e.get("ename")),
                evalue=str(e.get("evalue")),
                cell_index=e.get("cell_index"),
                execution_count=e.get("execution_count"),
                source=str(e.get("source") or ""),
            )
        )


@dataclass
class WeeklyReport:
    """A rendered weekly report."""

    week: str
    path: Path
    runs: list[NotebookRun]
    manifest: dict[str, Any]

    @property
    def ok(self) -> bool:
        """True when every notebook succeeded."""
        return all(r.status == "ok" for r in self.runs)

    @property
    def failures(self) -> list[NotebookRun]:
        """The notebooks that failed."""
        return [r for r in self.runs if r.status != "ok"]


def read_report(report_dir: str | Path) -> WeeklyReport:
    """A rendered report read back from its folder (``manifest.json``)."""
    folder = Path(report_dir)
    path = folder / "manifest.json"
    if not path.is_file():
        msg = f"parameter 'report_dir': {folder} has no manifest.json (not a report folder)"
        raise ParameterError(msg)
    m = json.loads(path.read_text(encoding="utf-8"))
    runs = [
        NotebookRun(
            name=n["name"],
            status=n["status"],
            duration_s=n["duration_s"],
            parameters=m["parameters"].get(n["name"], {}),
            error=n.get("error"),
            tables=list(n.get("tables", [])),
        )
        for n in m["notebooks"]
    ]
    return WeeklyReport(week=m["week"], path=folder, runs=runs, manifest=m)


def find_notebooks_dir(notebooks_dir: str | Path | None = None) -> Path:
    """Folder of the report notebooks: the argument, ``$GOVANALYTICS_NOTEBOOKS``,
    ``notebooks/`` in the current folder or its nearest parent that has one, else the one of the
    source checkout govanalytics is installed from (so ``report weekly`` runs from a data
    team's own folder, as :func:`~govanalytics.report.contract.resolve_data_dir` does)."""
    if notebooks_dir:
        path = Path(notebooks_dir)
    elif os.environ.get("GOVANALYTICS_NOTEBOOKS"):
        path = Path(os.environ["GOVANALYTICS_NOTEBOOKS"])
    else:
        here = Path.cwd().resolve()
        source_tree = Path(__file__).resolve().parents[2]  # the checkout of an editable install
        path = next(
            (
                f / "notebooks"
                for f in (here, *here.parents, source_tree)
                if any((f / "notebooks").glob("*.ipynb"))
            ),
            here / "notebooks",
        )
    if not path.is_dir():
        msg = (
            f"parameter 'notebooks_dir': folder {str(path)!r} does not exist\n"
            "Hint: give --notebooks (or set GOVANALYTICS_NOTEBOOKS) to the report notebooks"
        )
        raise ParameterError(msg)
    return path


def list_notebooks(notebooks_dir: Path) -> list[Path]:
    """The report's notebooks in render order: the overview first, then by name."""
    found = sorted(p for p in notebooks_dir.glob("*.ipynb") if not p.name.startswith((".", "_")))
    return sorted(found, key=lambda p: (p.stem != FIRST_NOTEBOOK, p.name))


def default_week(data_dir: Path) -> str:
    """The latest complete ISO week that has data (today's when no event data exists)."""
    last = _manifest.last_data_day(data_dir)
    return resolve_week("", last or dt.date.today())


def _default_week(project: Any, data_dir: Path) -> tuple[str, list[str]]:
    """The report week the data allow, and notes on rows left out to find it.

    Event and weekly data: the latest complete ISO week. Monthly data: the week holding
    the last day of the last month (so that a monthly chapter reports that month). Rows
    dated after today, and a few rows far beyond the bulk of the data, never decide.
    """
    from govanalytics.report.contract import latest_complete_week

    notes = []
    if project.layout != "project":
        for name, n in _manifest.future_rows(data_dir).items():
            notes.append(f"{name}：{n} 行日期晚于今天（数据有误），未用于确定报告周")
        return default_week(data_dir), notes
    weeks = []
    for end in project.data_ends():
        if end.frequency == "month":
            year, num, _ = end.last_day.isocalendar()
            weeks.append(f"{year}-W{num:02d}")
        else:
            weeks.append(latest_complete_week(end.last_day))
        if end.future_rows:
            notes.append(
                f"{end.dataset}：{end.future_rows} 行日期晚于今天（数据有误），未用于确定报告周"
            )
        if end.outlier_rows:
            notes.append(
                f"{end.dataset}：{end.outlier_rows} 行日期远晚于其余数据，未用于确定报告周"
            )
    return (max(weeks) if weeks else resolve_week("", dt.date.today())), notes


def _merge_parameters(from_project: dict | None, given: dict | None) -> dict:
    """The project file's ``[parameters]`` with the caller's on top (per notebook merged)."""
    out: dict = {}
    for source in (from_project or {}, given or {}):
        for key, value in source.items():
            if isinstance(value, dict) and isinstance(out.get(key), dict):
                out[key] = {**out[key], **value}
            else:
                out[key] = value
    return out


def _check_kernel(kernel: str) -> None:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(kernel)
    except NoSuchKernel:
        msg = (
            f"parameter 'kernel': Jupyter kernel {kernel!r} is not installed "
            "(`make setup` registers 'govanalytics' inside .venv)"
        )
        raise ParameterError(msg) from None


def _split_parameters(parameters: dict | None, names: list[str]) -> tuple[dict, dict]:
    shared, per = {}, {}
    for key, value in (parameters or {}).items():
        if key in names and isinstance(value, dict):
            per[key] = value
        else:
            shared[key] = value
    for reserved in ("output_dir", "data_dir", "week"):
        if reserved in shared or any(reserved in v for v in per.values()):
            msg = f"parameter {reserved!r} is set by the runner; use render_weekly's argument"
            raise ParameterError(msg)
    return shared, per


def _log(message: str, *, quiet: bool) -> None:
    if not quiet:
        print(message, file=sys.stderr, flush=True)


def _execute(nb_path: Path, folder: Path, params: dict, kernel: str) -> NotebookError | None:
    """Run one notebook with cwd = its output folder; the failure, or None."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    try:
        pm.execute_notebook(
            str(nb_path),
            str(folder / nb_path.name),
            parameters=params,
            kernel_name=kernel,
            cwd=str(folder),
            progress_bar=False,
            # the kernel's own start-up log (the "running over TCP without encryption" notice
            # of a kernel on the local machine) is not the notebook's output: not shown
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
    except PapermillExecutionError as exc:
        return NotebookError(
            nb_path.stem,
            cell_index=_source_index(folder / nb_path.name, exc.cell_index),
            execution_count=exc.exec_count,
            ename=exc.ename,
            evalue=str(exc.evalue),
            source=failing_line(exc.source or "", exc.traceback or []),
        )
    except Exception as exc:
        return NotebookError(nb_path.stem, ename=type(exc).__name__, evalue=str(exc))
    return None


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_ARROW = re.compile(r"^-*>\s*(\d+)\s")


def failing_line(source: str, traceback: list[str]) -> str:
    """The line of a cell that raised (IPython marks it ``---> 3``), else its first line."""
    lines = source.strip("\n").splitlines()
    for frame in traceback:
        for line in _ANSI.sub("", frame).splitlines():
            m = _ARROW.match(line.strip())
            if m:
                number = int(m.group(1))
                if 1 <= number <= len(source.splitlines()):
                    text = source.splitlines()[number - 1].strip()
                    if text:
                        return text[:200]
                break
        else:
            continue
        break
    return lines[0].strip()[:200] if lines else ""


def _source_index(executed: Path, index: int) -> int:
    """Index of a cell of the executed notebook in the stored notebook (papermill inserts an
    ``injected-parameters`` cell after the parameters cell)."""
    import nbformat

    try:
        nb = nbformat.read(executed, as_version=4)
    except Exception:
        return index
    injected = [
        i
        for i, c in enumerate(nb.cells)
        if "injected-parameters" in c.get("metadata", {}).get("tags", [])
    ]
    return index - sum(1 for i in injected if i < index)


def _replace_dir(source: Path, target: Path) -> None:
    """Move ``source`` to ``target``; an existing ``target`` is renamed aside first and
    removed only once the new folder is in place."""
    old = None
    if target.exists():
        old = target.with_name(f".old-{target.name}-{os.getpid()}-{time.time_ns()}")
        os.replace(target, old)
    try:
        os.replace(source, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def render_weekly(
    *,
    week: str | None = None,
    data_dir: str | Path | None = None,
    out_dir: str | Path = "reports",
    notebooks_dir: str | Path | None = None,
    parameters: dict[str, Any] | None = None,
    kernel: str = "govanalytics",
    compose: bool = True,
    quiet: bool = False,
    k: int | None = None,
) -> WeeklyReport:
    """Render the weekly report: every notebook through papermill into ``out_dir/<week>/``.

    Parameters
    ----------
    week
        ISO week ``YYYY-Www``; default the latest complete week that has event data.
    data_dir
        Data folder; default the sample city (see
        :func:`govanalytics.report.contract.resolve_data_dir`).
    out_dir
        Folder of reports; the report goes to ``out_dir/<week>/``.
    notebooks_dir
        Folder of the notebooks; default ``notebooks/`` (see :func:`find_notebooks_dir`).
    parameters
        Extra notebook parameters: ``{"name": value}`` is passed to every notebook (each must
        declare it), ``{"<notebook stem>": {"name": value}}`` to that notebook only. Names and
        types are checked against each notebook's ``parameters`` cell before anything runs.
    kernel
        Jupyter kernel name.
    compose
        Also compose the weekly index, the memo and the Excel appendix (default True).
    quiet
        Do not print progress lines to stderr.
    k
        The report's small-count threshold: passed as ``k`` to every notebook whose
        parameters cell declares it (a notebook-specific ``k`` in ``parameters`` wins); counts
        of people or devices below it are withheld. Default: each notebook's own (15).

    Returns
    -------
    WeeklyReport
        The published report.

    Raises
    ------
    ParameterError
        Unknown parameter name or wrong type (before any notebook runs).
    ReportError
        One or more notebooks failed; the message names each with its failing cell. The
        earlier report of the week is kept; this run is kept in ``out_dir/<week>.failed/``.
    PrivacyError
        An artifact contains an ID-card or mobile number; nothing is published.
    """
    started = time.perf_counter()
    from govanalytics.data import open_project
    from govanalytics.report._check import notebook_readiness

    data_path = resolve_data_dir(str(data_dir) if data_dir else "").resolve()
    project = open_project(data_path)
    data_notes: list[str] = []
    if week:
        week = check_week(week)
    else:
        week, data_notes = _default_week(project, data_path)
    nb_dir = find_notebooks_dir(notebooks_dir)
    notebooks = list_notebooks(nb_dir)
    if not notebooks:
        msg = f"no notebooks (*.ipynb) in {nb_dir}"
        raise ReportError(msg)
    names = [p.stem for p in notebooks]
    shared, per = _split_parameters(_merge_parameters(project.parameters, parameters), names)
    if k is None and project.k is not None:
        k = project.k
    plans, problems = [], []
    int_like(k, "k", optional=True, low=1)
    for path in notebooks:  # check every notebook, report every problem at once
        declared = notebook_parameters(path)
        given = {**shared, **per.get(path.stem, {})}
        if k is not None and "k" in declared:
            given = {"k": k, **given}
        try:
            check_parameters(path.name, declared, given)
        except ParameterError as exc:
            problems.append(str(exc))
            continue
        full = {"data_dir": str(data_path), "week": week, "output_dir": ".", **given}
        plans.append((path, full))
    if problems:
        raise ParameterError("\n".join(problems))
    readiness = {r.name: r for r in notebook_readiness(project, [p.stem for p, _ in plans])}
    skipped = [
        {"name": r.name, "title": r.title, "reason": r.reason}
        for r in readiness.values()
        if not r.ready
    ]
    plans = [(p, params) for p, params in plans if readiness[p.stem].ready]
    for s in skipped:
        _log(f"{s['name']}: not rendered — {s['reason']}", quiet=quiet)
    if not plans:
        lines = "\n  ".join(f"{s['name']} ({s['title']}): {s['reason']}" for s in skipped)
        msg = (
            f"weekly report {week}: no chapter can be rendered from {data_path}:\n  {lines}\n"
            f"Run `govanalytics check {data_path}` to see what the data hold."
        )
        raise ReportError(msg)

    _check_kernel(kernel)
    out = Path(out_dir).resolve()
    try:
        out.mkdir(parents=True, exist_ok=True)
        removed = clean_stale_builds(out)
        build = Path(tempfile.mkdtemp(prefix=f".tmp-{week}-", dir=out))
        build.chmod(0o755)  # mkdtemp makes it private; a published report is read by a web server
        (build / OWNER_FILE).write_text(str(os.getpid()), encoding="utf-8")
    except OSError as exc:
        msg = f"cannot write the report into {out}: {exc.strerror or exc}"
        raise ReportError(msg) from exc
    for folder in removed:
        _log(f"removed {folder.name}, left by an interrupted run", quiet=quiet)
    try:
        return _build(
            BuildPlan(
                build=build,
                out=out,
                week=week,
                data_path=data_path,
                notebooks=plans,
                kernel=kernel,
                compose=compose,
                quiet=quiet,
                started=started,
                project=project,
                skipped=skipped,
                data_notes=data_notes,
            )
        )
    except OSError as exc:  # disk full, folder made read-only during the run
        msg = f"weekly report {week}: writing failed ({exc.strerror or exc}: {exc.filename})"
        raise ReportError(msg) from exc
    finally:
        if build.exists():
            shutil.rmtree(build, ignore_errors=True)


def withhold_summary_headlines(path: Path, *, k: int | None) -> bool:
    """Apply the small-count rule to the headlines of a notebook's ``summary.json``.

    Disclosure rule: whatever a notebook wrote, a headline counting people, cases,
    applications or comments (:data:`govanalytics.privacy.HEADLINE_PEOPLE_UNITS`) whose value,
    previous or year-ago figure is below the run's ``k`` is published as ``"少于{k}"``
    (:func:`govanalytics.privacy.withhold_headlines`): with ``--k 1000000000`` no headline
    count is left.

    Parameters
    ----------
    path
        The notebook's ``summary.json``.
    k
        The threshold the notebook ran with (``None``: left as is).

    Returns
    -------
    bool
        Whether the file was rewritten.
    """
    if k is None or not path.is_file():
        return False
    from govanalytics.privacy import withhold_headlines

    summary = json.loads(path.read_text(encoding="utf-8"))
    shown = withhold_headlines(summary.get("headlines", []), k=k)
    if shown == summary.get("headlines"):
        return False
    summary["headlines"] = shown
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return True


#: File inside a build folder naming the process that owns it.
OWNER_FILE = ".owner"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def clean_stale_builds(out: Path) -> list[Path]:
    """Remove build folders (``.tmp-*``, ``.old-*``) left in ``out`` by runs that were killed.

    A folder is stale when the process that made it no longer runs (its pid is in
    :data:`OWNER_FILE`, or in the ``.old-`` name); a concurrent run's folder is left alone.

    Returns
    -------
    list of Path
        The folders removed.
    """
    removed = []
    for folder in sorted(out.glob(".tmp-*")) + sorted(out.glob(".old-*")):
        if not folder.is_dir():
            continue
        pid = None
        owner = folder / OWNER_FILE
        if owner.is_file():
            text = owner.read_text(encoding="utf-8").strip()
            pid = int(text) if text.isdigit() else None
        elif folder.name.startswith(".old-"):
            parts = folder.name.rsplit("-", 2)
            pid = int(parts[-2]) if len(parts) == 3 and parts[-2].isdigit() else None
        if pid is not None and _alive(pid):
            continue
        if pid is None and time.time() - folder.stat().st_mtime < 6 * 3600:
            continue  # no owner recorded: only folders older than six hours are taken
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


@dataclass
class BuildPlan:
    """A weekly run once its inputs are checked: where it builds, what it runs, how it reports.

    One object instead of the nine positional arguments the build steps used to pass along;
    :func:`_build` runs the steps (:func:`_run_notebook` for each notebook,
    :func:`_new_manifest`, :func:`_compose`, :func:`_gate`, :func:`_publish`) over it.
    """

    build: Path
    out: Path
    week: str
    data_path: Path
    notebooks: list[tuple[Path, dict[str, Any]]]
    kernel: str
    compose: bool = True
    quiet: bool = False
    started: float = field(default_factory=time.perf_counter)
    project: Any = None
    skipped: list[dict[str, str]] = field(default_factory=list)
    data_notes: list[str] = field(default_factory=list)
    generated_at: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    )

    def log(self, message: str) -> None:
        """A progress line on stderr (nothing when quiet)."""
        _log(message, quiet=self.quiet)

    def inputs(self) -> dict[str, str]:
        """The data files read, with their SHA-256."""
        if self.project is not None and self.project.layout == "project":
            from govanalytics.report._check import data_files

            return data_files(self.project)
        return _manifest.input_fingerprints(self.data_path)


def _run_notebook(plan: BuildPlan, i: int, path: Path, params: dict[str, Any]) -> NotebookRun:
    """Step: execute one notebook into its folder of the build and export its page."""
    from govanalytics.report._index import neighbours

    n = len(plan.notebooks)
    folder = plan.build / path.stem
    folder.mkdir()
    plan.log(f"[{i}/{n}] {path.stem} …")
    t0 = time.perf_counter()
    failure = _execute(path, folder, params, plan.kernel)
    if failure is None and not (folder / "summary.json").is_file():
        failure = NotebookError(
            path.stem, ename="ReportError", evalue="the notebook wrote no summary.json"
        )
    if failure is None:  # headline counts below k withheld with the run's k (issue 15)
        withhold_summary_headlines(folder / "summary.json", k=params.get("k") or DEFAULT_MIN_COUNT)
    run = NotebookRun(
        name=path.stem,
        status="ok" if failure is None else "failed",
        duration_s=round(time.perf_counter() - t0, 2),
        parameters=params,
        error=None if failure is None else failure.details(),
        tables=sorted(p.name for p in folder.glob("*.parquet")),
    )
    state = "ok" if failure is None else "FAILED — " + run.describe_error()
    plan.log(f"[{i}/{n}] {path.stem} {state} ({run.duration_s:.1f} s)")
    executed = folder / path.name
    if not executed.is_file():
        return run
    before, after = neighbours(plan.out, plan.week)
    try:
        _html.export_html(
            executed,
            folder / f"{path.stem}.html",
            footer_html=_html.footer_html(
                week=plan.week, generated_at=plan.generated_at, appendix="../appendix.html"
            ),
            header_html=_html.nav_html(week=plan.week, previous=before, following=after, depth=1),
        )
    except Exception as exc:  # the notebook ran but its page cannot be published
        if run.error is None:
            run.status = "failed"
            run.error = NotebookError(
                path.stem, ename="HTMLExportError", evalue=f"{type(exc).__name__}: {exc}"
            ).details()
            plan.log(f"[{i}/{n}] {path.stem} FAILED — {run.describe_error()}")
    return run


def _new_manifest(
    plan: BuildPlan,
    runs: list[NotebookRun],
    *,
    inputs: dict[str, str],
    versions: dict[str, str],
) -> dict[str, Any]:
    """Step: the run's manifest (inputs, parameters, outcome of each notebook, versions)."""
    return {
        "week": plan.week,
        "status": "ok" if all(r.status == "ok" for r in runs) else "failed",
        "generated_at": plan.generated_at,
        "data_dir": str(plan.data_path),
        "kernel": plan.kernel,
        "inputs": inputs,
        "parameters": {r.name: r.parameters for r in runs},
        "notebooks": [
            {
                "name": r.name,
                "status": r.status,
                "duration_s": r.duration_s,
                "error": r.error,
                "html": f"{r.name}/{r.name}.html",
                "notebook": f"{r.name}/{r.name}.ipynb",
                "tables": r.tables,
            }
            for r in runs
        ],
        "skipped": list(plan.skipped),
        "data_notes": list(plan.data_notes),
        "versions": versions,
        **_manifest.runtime(),
        "artifacts": ["manifest.json"],
    }


def _compose(plan: BuildPlan, report: WeeklyReport) -> GovAnalyticsError | None:
    """Step: the index (and, when asked, the memo and the Excel appendix); the error if any."""
    from govanalytics.report._index import write_index

    try:
        if plan.compose:
            from govanalytics.report._compose import compose_report

            compose_report(report, quiet=plan.quiet, out_dir=plan.out)
        else:
            write_index(report, out_dir=plan.out)
    except Exception as exc:
        failure = ReportError(
            f"weekly report {plan.week}: composing the index, memo or appendix failed: "
            f"{type(exc).__name__}: {exc}"
        )
        report.manifest["status"] = "failed"
        report.manifest["compose_error"] = str(failure)
        with contextlib.suppress(Exception):
            write_index(report, out_dir=plan.out)
        return failure
    return None


def _gate(
    plan: BuildPlan, report: WeeklyReport, failure: GovAnalyticsError | None
) -> GovAnalyticsError | None:
    """Step: the failure that stops publishing — a failed notebook, or personal data found
    by the privacy gate (scanned only when everything else succeeded)."""
    if failure is not None:
        return failure
    if not report.ok:
        lines = [r.describe_error() for r in report.failures]
        return ReportError(
            f"weekly report {plan.week}: {len(lines)} of {len(report.runs)} notebooks failed:"
            "\n  " + "\n  ".join(lines)
        )
    from govanalytics.privacy import scan_report

    hits = scan_report(plan.build)
    if not hits:
        return None
    shown = "\n  ".join(str(h) for h in hits[:20])
    more = f"\n  … and {len(hits) - 20} more" if len(hits) > 20 else ""
    report.manifest["status"] = "failed"
    report.manifest["privacy_hits"] = [str(h) for h in hits]
    _write_manifest(report)
    return PrivacyError(
        f"weekly report {plan.week} not published: personal data found in "
        f"{len(hits)} place(s):\n  {shown}{more}"
    )


def _publish(
    plan: BuildPlan, report: WeeklyReport, failure: GovAnalyticsError | None
) -> WeeklyReport:
    """Step: move the build into place — ``<week>/`` on success, ``<week>.failed/`` (and
    raise ``failure``) otherwise; the archive page is rewritten either way."""
    from govanalytics.report._index import write_archive

    (plan.build / OWNER_FILE).unlink(missing_ok=True)  # not part of what is published
    if failure is not None:
        (plan.build / "FAILED.txt").write_text(str(failure) + "\n", encoding="utf-8")
        failed_dir = plan.out / f"{plan.week}.failed"
        _replace_dir(plan.build, failed_dir)
        if isinstance(failure, PrivacyError):
            failed_dir.chmod(0o700)  # holds personal data: owner only, until someone fixes it
        report.path = failed_dir
        failure.report = report  # type: ignore[attr-defined]
        plan.log(f"report NOT published; this run is kept in {failed_dir}")
        write_archive(plan.out)
        raise failure
    target = plan.out / plan.week
    _replace_dir(plan.build, target)
    stale = plan.out / f"{plan.week}.failed"
    if stale.exists():
        shutil.rmtree(stale, ignore_errors=True)
    report.path = target
    write_archive(plan.out)
    plan.log(f"published {target} in {time.perf_counter() - plan.started:.1f} s")
    return report


def _build(plan: BuildPlan) -> WeeklyReport:
    """Run the steps of a weekly build (see :class:`BuildPlan`)."""
    plan.log(
        f"govanalytics report {plan.week}: {len(plan.notebooks)} notebooks, data {plan.data_path}"
    )
    inputs, versions = plan.inputs(), _manifest.package_versions()  # before anything runs
    runs = [
        _run_notebook(plan, i, path, params) for i, (path, params) in enumerate(plan.notebooks, 1)
    ]
    manifest = _new_manifest(plan, runs, inputs=inputs, versions=versions)
    report = WeeklyReport(week=plan.week, path=plan.build, runs=runs, manifest=manifest)
    failure = _compose(plan, report)
    report.manifest["duration_s"] = round(time.perf_counter() - plan.started, 2)
    _write_manifest(report)
    return _publish(plan, report, _gate(plan, report, failure))


def _write_manifest(report: WeeklyReport) -> None:
    (report.path / "manifest.json").write_text(
        json.dumps(report.manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
