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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
