"""Benchmark on real monthly series: the CNIDS provincial table, rolling origins, by hand.

Run by hand (never in tests)::

    .venv/bin/python bench/health_real.py [--first 2015-01] [--last 2019-12] [--horizon 3]

Reads ``../shared/data/cnids_province_monthly.parquet`` (China's notifiable diseases by
province and month, 2004-2020), keeps the 31 provinces (全国 left out) and five diseases of
different seasonality (influenza, hand-foot-and-mouth disease, scarlet fever, mumps,
bacterial dysentery), and runs :func:`govanalytics.health.backtest` with monthly origins from
``--first`` to ``--last`` (each origin sees only the months up to it) at horizons 1…``--horizon``
months. It prints, per horizon and model, the relative WIS against the flat baseline (the
FluSight hub baseline: last value, spread from past month-to-month changes) — here the ratio
of mean WIS over all series, as the backtest reports it — and the 50 % and 95 % interval
coverage, then the time taken and the detection of the latest month by every method.

Issue 12 asks for more (a seasonal-naive baseline, the geometric mean of per-series ratios,
23-quantile baselines from past changes); this script is the measuring stick it will extend.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import datetime as dt
import time
from pathlib import Path

import polars as pl

from govanalytics import health

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DISEASES = ("流行性感冒", "手足口病", "猩红热", "流行性腮腺炎", "细菌性痢疾")


def load_series(path: Path) -> pl.DataFrame:
    """Province × disease monthly series in canonical columns (全国 left out)."""
    raw = pl.read_parquet(path)
    counts = raw.filter(pl.col("disease_zh").is_in(DISEASES)).select(
        pl.col("month").str.to_date().alias("week_start"),
        (pl.col("adcode") + "000000").alias("district_code"),
        pl.col("disease_zh").alias("disease"),
        pl.col("cases").alias("count"),
    )
    return health.aggregate_counts(counts, region_level="province")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=SHARED / "cnids_province_monthly.parquet")
    parser.add_argument("--first", default="2015-01")
    parser.add_argument("--last", default="2019-12")
    parser.add_argument("--horizon", type=int, default=3)
    args = parser.parse_args()
    series = load_series(args.data)
    first = dt.date.fromisoformat(args.first + "-01")
    last = dt.date.fromisoformat(args.last + "-01")
    origins = [d for d in series["week_start"].unique().sort().to_list() if first <= d <= last]
    end = health.shift_period(last, args.horizon, frequency="month")
    series = series.filter(pl.col("week_start") <= end)
    n = series.select("region_code", "disease").n_unique()
    gaps = health.missing_periods(series)
    print(
        f"{n} series × {series['week_start'].n_unique()} months; {len(origins)} origins "
        f"{origins[0]} … {origins[-1]}; horizons 1–{args.horizon} months; "
        f"{int(gaps['absent'].sum())} months without a row, "
        f"{int(gaps['not_reported'].sum())} not reported (left out)\n"
    )
    t0 = time.perf_counter()
    fc, scores = health.backtest(series, origins=origins, horizon=args.horizon)
    elapsed = time.perf_counter() - t0
    table = scores.filter(pl.col("region_code") == "all").select(
        "model", "horizon", "relative_wis", "coverage_50", "coverage_95", "n"
    )
    with pl.Config(tbl_rows=40, float_precision=3):
        print(table.sort("model", "horizon"))
    finite = fc["value"].is_finite().all()
    print(f"\nbacktest {elapsed:.1f} s ({len(origins)} origins); every quantile finite: {finite}")
    t0 = time.perf_counter()
    alarms = health.flag_aberrations(series, method="all", periods=1)
    took = time.perf_counter() - t0
    rates = alarms.group_by("method").agg(pl.col("alarm").mean().alias("alarm_share"))
    print(f"detection, every method, latest month: {took:.2f} s")
    with pl.Config(float_precision=3):
        print(rates.sort("method"))


if __name__ == "__main__":
    main()
