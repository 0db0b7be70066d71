"""Benchmark: early warning and forecasting on 3,000 weekly series × 5 years.

Run by hand (never in tests)::

    .venv/bin/python bench/health.py [--series 3000] [--years 5]

Generates seasonal negative-binomial weekly counts (a winter season, a Spring Festival dip,
a mild trend), then times every detection method for the latest 4 weeks, the default forecast
(stacked ensemble of hub baseline, GLM, Theta and the global LightGBM model, weighted per
horizon and recalibrated on the members' out-of-sample errors at the latest 12 origins, so
the per-series members are fitted at 16 origins and the global model about 5 times; 4 horizons
× 23 quantiles) and, in the same run, a seasonal-naive forecast as the reference, with peak
traced memory (tracemalloc) per step and the process's maximum resident memory.
Targets (2-core machine): detection under 15 s, forecast under 2 minutes.

OpenBLAS is limited to one thread (unless ``OPENBLAS_NUM_THREADS`` is set): the batched GLM fits
multiply many small matrices, where BLAS threads only contend on a busy 2-core machine.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import datetime as dt
import resource
import time
import tracemalloc

import numpy as np
import polars as pl

from govanalytics.health import QUANTILES, flag_aberrations, forecast_counts
from govanalytics.health._series import spring_festival_weeks, to_matrix


def make_series(n_series: int, years: int, seed: int = 0) -> pl.DataFrame:
    """Long weekly counts: ``region_code``, ``disease``, ``week_start``, ``count``."""
    rng = np.random.default_rng(seed)
    n_weeks = round(years * 52.18)
    last = dt.date(2026, 11, 16)
    weeks = [last - dt.timedelta(weeks=n_weeks - 1 - i) for i in range(n_weeks)]
    woy = np.array([w.isocalendar()[1] for w in weeks], dtype=float)
    d = (woy - 3 + 26) % 52 - 26
    season = 1 + 1.5 * np.exp(-0.5 * (d / 4.5) ** 2)
    holiday = np.where(spring_festival_weeks(weeks, before=0, after=0), 0.6, 1.0)
    trend = 1 + 0.015 * np.arange(n_weeks) / 52.18
    level = rng.gamma(2.0, 20.0, n_series)
    mu = level[:, None] * (season * holiday * trend)[None, :]
    counts = rng.negative_binomial(20, 20 / (20 + mu))
    return pl.DataFrame(
        {
            "region_code": np.repeat([f"{i:012d}" for i in range(n_series)], n_weeks),
            "disease": "influenza_like_illness",
            "week_start": np.tile(np.array(weeks, dtype="datetime64[D]"), n_series),
            "count": counts.reshape(-1).astype(np.int64),
        }
    ).with_columns(pl.col("week_start").cast(pl.Date))


def seasonal_naive(series: pl.DataFrame, horizon: int = 4) -> np.ndarray:
    """Reference: the count 52 weeks before each target as median, spread from the past
    year-on-year differences (normal quantiles), S × H × 23."""
    from scipy import stats

    mat = to_matrix(series)
    y = mat.values
    diffs = y[:, 52:] - y[:, :-52]
    sd = np.nanstd(diffs, axis=1)
    z = stats.norm.ppf(np.array(QUANTILES))
    med = np.stack([y[:, -52 + h - 1] for h in range(1, horizon + 1)], axis=1)
    return np.maximum(med[..., None] + sd[:, None, None] * z, 0.0)


def timed(label: str, func, *args, **kwargs):
    tracemalloc.start()
    t0 = time.perf_counter()
    out = func(*args, **kwargs)
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<38s} {elapsed:8.2f} s   peak {peak / 2**20:8.1f} MiB")
    return out, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--series", type=int, default=3000)
    parser.add_argument("--years", type=int, default=5)
    args = parser.parse_args()
    series = make_series(args.series, args.years)
    n_weeks = series["week_start"].n_unique()
    print(f"{args.series} series × {n_weeks} weeks ({series.height:,} rows)\n")
    _, t_ref = timed("seasonal naive forecast (reference)", seasonal_naive, series)
    total = 0.0
    for method in ("farrington", "noufaily", "moving_percentile", "ears_c1", "ears_c2",
                   "ears_c3", "cusum"):  # fmt: skip
        _, t = timed(f"detect {method} (4 weeks)", flag_aberrations, series, method=method)
        total += t
    print(f"{'detection, sum of the above':<38s} {total:8.2f} s")
    _, total = timed("detect method='all' (one call)", flag_aberrations, series, method="all")
    print(f"{'detection, all methods':<38s} {total:8.2f} s   (target < 15 s)")
    _, t_fc = timed("default forecast (ensemble, 4 h × 23 q)", forecast_counts, series)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'forecast vs seasonal naive':<38s} {t_fc / t_ref:8.1f} ×   (target < 120 s)")
    print(f"{'detection vs seasonal naive':<38s} {total / t_ref:8.1f} ×")
    print(f"per series: forecast {1000 * t_fc / args.series:.2f} ms, "
          f"seasonal naive {1000 * t_ref / args.series:.3f} ms; max RSS {rss:.0f} MiB")  # fmt: skip


if __name__ == "__main__":
    main()
