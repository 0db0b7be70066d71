"""Benchmark: validating a large hourly device-count Parquet file with ``scan``.

Run by hand (never in tests)::

    .venv/bin/python bench/data_scan.py --rows 10_000_000

Writes a synthetic ``device_counts`` file (cells × hours), then times

* baseline: one lazy aggregate written by hand (min/max/null counts of every column),
* ``scan(..., check_values=True)``: the data layer's full value checks,
* ``scan(..., check_values=False)``: names and types only (metadata),

and reports the ratio to the baseline and the peak resident memory growth, to show that the
checks stay one streaming pass and never collect the table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from govanalytics.data import scan


def make_file(path: Path, rows: int) -> None:
    hours = 24
    cells = max(1, rows // (365 * hours))
    days = rows // (cells * hours)
    lf = (
        pl.LazyFrame({"cell_id": [f"C{i:05d}" for i in range(cells)]})
        .join(
            pl.LazyFrame(
                {
                    "date": pl.date_range(
                        dt.date(2025, 1, 1),
                        dt.date(2025, 1, 1) + dt.timedelta(days - 1),
                        eager=True,
                    )
                }
            ),
            how="cross",
        )
        .join(pl.LazyFrame({"hour": pl.Series(range(24), dtype=pl.Int8)}), how="cross")
        .with_columns(device_count=(pl.int_range(0, pl.len()).hash(7) % 500).cast(pl.Int32))
    )
    lf.sink_parquet(path, row_group_size=1_000_000)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--make", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make:
        make_file(Path(args.make), args.rows)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "device_counts.parquet"
        # generate in a child process so that this process's peak memory is the checks' own
        subprocess.run(
            [sys.executable, __file__, "--make", str(path), "--rows", str(args.rows)], check=True
        )
        n = pl.scan_parquet(path).select(pl.len()).collect().item()
        size = path.stat().st_size / 1e6
        print(f"file: {n:,} rows, {size:.0f} MB")
        mem0 = peak_mb()

        def baseline() -> None:
            # the same counts written by hand: nulls and values out of range per column
            pl.scan_parquet(path).select(
                pl.all().null_count().name.suffix("_nulls"),
                (pl.col("date") < dt.date(1990, 1, 1)).sum().alias("date_low"),
                (pl.col("date") > dt.date(2100, 12, 31)).sum().alias("date_high"),
                (pl.col("hour") < 0).sum().alias("hour_low"),
                (pl.col("hour") > 23).sum().alias("hour_high"),
                (pl.col("device_count") < 0).sum().alias("count_low"),
            ).collect(engine="streaming")

        def checked() -> None:
            scan("device_counts", path=path)

        def names_only() -> None:
            scan("device_counts", path=path, check_values=False)

        results = {}
        for name, fn in (
            ("baseline", baseline),
            ("scan", checked),
            ("scan_names_only", names_only),
        ):
            results[name] = min(timed(fn) for _ in range(args.repeat))
        base = results["baseline"]
        for name, t in results.items():
            print(f"{name:16s} {t:7.2f} s   ratio to baseline {t / base:5.2f}")
        print(
            f"peak RSS of this process: {peak_mb():.0f} MB before timing {mem0:.0f} MB "
            f"(file {size:.0f} MB, {n:,} rows)"
        )


if __name__ == "__main__":
    main()
