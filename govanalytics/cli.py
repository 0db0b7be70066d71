"""Command line: ``govanalytics synth …`` and ``govanalytics report …``."""

from __future__ import annotations

import datetime as dt
import sys

import click


@click.group()
@click.version_option(package_name="govanalytics")
def main() -> None:
    """govanalytics — 政务数据分析工作台 (analysis workbench for government data teams)."""


@main.command()
@click.option(
    "--size",
    type=click.Choice(["small", "default", "large"]),
    default="default",
    show_default=True,
    help="small: tests; default: demo; large: benchmarks",
)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option(
    "--end",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="last day of data (default 2026-11-22)",
)
@click.option("--out", type=click.Path(file_okay=False), default="data/sample", show_default=True)
def synth(size: str, seed: int, end: dt.datetime | None, out: str) -> None:
    """Generate the sample city (deterministic: same seed, same bytes)."""
    from govanalytics.synth import DEFAULT_END, generate_city

    click.echo(f"generating sample city: size={size} seed={seed} → {out}", err=True)
    path = generate_city(out, size=size, seed=seed, end=end.date() if end else DEFAULT_END)
    click.echo(str(path))


def _parse_parameters(raw: tuple[str, ...]) -> dict:
    """``NAME=VALUE`` / ``NOTEBOOK.NAME=VALUE`` options as render_weekly's ``parameters``."""
    import json

    from govanalytics.errors import ParameterError

    out: dict = {}
    for item in raw:
        name, sep, text = item.partition("=")
        if not sep or not name:
            msg = f"--parameter {item!r}: expected NAME=VALUE or NOTEBOOK.NAME=VALUE"
            raise ParameterError(msg)
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            if text.lstrip().startswith(("{", "[")):
                msg = (
                    f"--parameter {name}: {text!r} is not valid JSON (use double quotes: "
                    f'-p {name}=\'{{"留言时间": "created_at"}}\')'
                )
                raise ParameterError(msg) from None
            value = text
        notebook, dot, key = name.rpartition(".")
        if dot:
            out.setdefault(notebook, {})[key] = value
        else:
            out[name] = value
    return out


@main.command()
@click.argument("data_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--force", is_flag=True, help="overwrite an existing govanalytics.toml")
def init(data_dir: str, force: bool) -> None:
    """Write DATA_DIR/govanalytics.toml, guessing each file's dataset and column map."""
    from govanalytics.data._init import init_project
    from govanalytics.errors import GovAnalyticsError

    try:
        path, guesses = init_project(data_dir, force=force)
    except GovAnalyticsError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    for g in guesses:
        if not g.dataset:
            click.echo(f"{g.file.name}: ? (could not tell; see the comments in the file)")
            continue
        pairs = ", ".join(f"{src} → {canonical}" for canonical, src in g.matched.items())
        extra = "".join(
            f"; {k} {v}"
            for k, v in (("frequency", g.frequency), ("region level", g.region_level))
            if v
        )
        click.echo(f"{g.file.name}: {g.dataset} ({pairs}{extra})")
    click.echo(f"wrote {path} — check the guesses, then: govanalytics check {data_dir}")


@main.command()
@click.argument("data_dir", type=click.Path(file_okay=False, exists=True))
def check(data_dir: str) -> None:
    """Load every dataset DATA_DIR declares and say which report chapters can run.

    Exit code 1 only when a declared dataset has errors.
    """
    from govanalytics.errors import GovAnalyticsError
    from govanalytics.report._check import check_data

    try:
        result = check_data(data_dir)
    except GovAnalyticsError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(result.to_text())
    sys.exit(0 if result.ok else 1)


@main.group()
def report() -> None:
    """Render the weekly report (城市运行周报) and the policy memo."""


@report.command()
@click.option("--week", default=None, help="ISO week YYYY-Www (default: latest complete week)")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="data folder (default: the sample city data/sample)",
)
@click.option("--out", type=click.Path(file_okay=False), default="reports", show_default=True)
@click.option(
    "--notebooks",
    "notebooks_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="folder of notebooks (default: notebooks/)",
)
@click.option("--kernel", default="govanalytics", show_default=True)
@click.option(
    "--k",
    "k",
    type=click.IntRange(min=1),
    default=None,
    help="small-count threshold: counts of people or devices below it are withheld in every "
    "notebook that declares k (default: each notebook's own, 15)",
)
@click.option(
    "-p",
    "--parameter",
    "raw_parameters",
    multiple=True,
    metavar="[NOTEBOOK.]NAME=VALUE",
    help="extra notebook parameter (VALUE read as JSON, else text); repeatable",
)
def weekly(
    week: str | None,
    data_dir: str | None,
    out: str,
    notebooks_dir: str | None,
    kernel: str,
    k: int | None,
    raw_parameters: tuple[str, ...],
) -> None:
    """Run every notebook into reports/<week>/ and publish it atomically."""
    import signal

    from govanalytics.errors import GovAnalyticsError
    from govanalytics.report import render_weekly

    def stop(signum: int, _frame: object) -> None:  # SIGTERM: unwind, so the build is removed
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    try:
        result = render_weekly(
            week=week,
            data_dir=data_dir,
            out_dir=out,
            notebooks_dir=notebooks_dir,
            kernel=kernel,
            parameters=_parse_parameters(raw_parameters),
            k=k,
        )
        for skipped in result.manifest.get("skipped", []):
            click.echo(f"not rendered: {skipped['title']} — {skipped['reason']}", err=True)
    except GovAnalyticsError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        _last_words("interrupted: nothing published; the last good report is untouched")
        sys.exit(130)
    except SystemExit as exc:
        if exc.code not in (0, None):
            _last_words("stopped: nothing published; the last good report is untouched")
        raise
    click.echo(str(result.path / "index.html"))


def _last_words(message: str) -> None:
    """Print the one line a stopped run ends on, then silence what shutting down would add.

    After SIGTERM or Ctrl-C the kernel and its client still unwind (nbclient logs
    ``DeadKernelError``, the kernel prints its interruption); the user reads our line last.
    """
    import logging
    import os

    click.echo(message, err=True)
    sys.stderr.flush()
    logging.disable(logging.CRITICAL)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)


@report.command()
@click.argument("report_dir", required=False, type=click.Path(file_okay=False))
@click.option("--out", type=click.Path(file_okay=False), default="reports", show_default=True)
@click.option(
    "--issuer", default=None, help="Issuing unit in the memo's header (default 数据分析组)."
)
def memo(report_dir: str | None, out: str, issuer: str | None) -> None:
    """(Re)write memo.pdf and memo.docx of a report (default: the latest in --out)."""
    from govanalytics.errors import GovAnalyticsError
    from govanalytics.report import write_memo

    try:
        paths = write_memo(report_dir, reports_dir=out, issuer=issuer)
    except GovAnalyticsError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    for path in paths:
        click.echo(str(path))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
