"""Benchmark on real monthly series: the CNIDS provincial table, rolling origins, by hand.

Run by hand (never in tests)::

    .venv/bin/python bench/health_real.py [--first 2015-01] [--last 2019-12] [--horizon 3]

Reads ``../shared/data/cnids_province_monthly.parquet`` (China's notifiable diseases by
province and month, 2004-2020), keeps the 31 provinces (全国 left out) and five diseases of
different seasonality (influenza, hand-foot-and-mouth disease, scarlet fever, mumps,
bacterial dysentery), and runs :func:`govanalytics.health.backtest` with monthly origins from
``--first`` to ``--last`` (each origin sees only the months up to it) at horizons
1…``--horizon`` months, 23 quantiles. As issue 12 defines it, it prints per horizon and
model:

- ``rel_flat`` — relative WIS against the flat reference (last value + empirical quantiles
  of all past month-to-month changes), the geometric mean over series of WIS ratios;
- ``rel_seasonal`` — the same against the seasonal naive (the value 12 months before the
  target + empirical quantiles of all past 12-month changes);
- ``rel_baseline_mean`` — the ratio of mean WIS against the ensemble's own flat member (the
  figure the first pass reported);
- 50 % and 95 % interval coverage;

then the ensemble's mean weight per member and horizon (which member carries the forecast),
the time taken and the detection of the latest month by every method. Targets (issue 12):
rel_seasonal ≤ 0.85 and rel_flat ≤ 0.75 at every horizon, 95 % coverage 0.90-0.97, 50 %
coverage 0.45-0.60.
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
    models = ("baseline", "glm", "theta", "gbm", "ensemble")
    fc, scores = health.backtest(series, origins=origins, horizon=args.horizon, models=models)
    elapsed = time.perf_counter() - t0
    table = scores.filter(pl.col("region_code") == "all").select(
        "model",
        "horizon",
        pl.col("relative_wis_flat").alias("rel_flat"),
        pl.col("relative_wis_seasonal_naive").alias("rel_seasonal"),
        pl.col("relative_wis").alias("rel_baseline_mean"),
        "coverage_50",
        "coverage_95",
        "n",
    )
    with pl.Config(tbl_rows=40, tbl_cols=10, float_precision=3, tbl_width_chars=120):
        print(table.sort("model", "horizon"))
    finite = fc["value"].is_finite().all()
    print(f"\nbacktest {elapsed:.1f} s ({len(origins)} origins); every quantile finite: {finite}")
    t0 = time.perf_counter()
    weights = health.ensemble_weights(series, origins=origins, horizon=args.horizon)
    took = time.perf_counter() - t0
    mean = weights.group_by("horizon", "model").agg(pl.col("weight").mean()).sort("horizon")
    print(f"\nensemble weights, mean over the origins ({took:.1f} s):")
    with pl.Config(float_precision=3):
        print(mean.pivot("model", index="horizon", values="weight"))
    t0 = time.perf_counter()
    alarms = health.flag_aberrations(series, method="all", periods=1)
    took = time.perf_counter() - t0
    rates = alarms.group_by("method").agg(pl.col("alarm").mean().alias("alarm_share"))
    print(f"detection, every method, latest month: {took:.2f} s")
    with pl.Config(float_precision=3):
        print(rates.sort("method"))


if __name__ == "__main__":
    main()
