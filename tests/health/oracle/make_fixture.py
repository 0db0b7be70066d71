"""Regenerate the R ``surveillance`` oracle fixture (needs R and r-cran-surveillance 1.20.3).

Run by hand, from the repository root::

    .venv/bin/python tests/health/oracle/make_fixture.py

Simulates four weekly series of different scale and seasonality (seeded negative-binomial
counts, 380 weeks from 2019-01-07, a few planted outbreak weeks), runs R ``surveillance``'s
``farrington``, ``farringtonFlexible`` (Noufaily et al. 2013 defaults) and ``earsC``
(C1, C2, C3) on the last 104 weeks of each, and writes R's upper bounds and alarms to
``surveillance_1.20.3.csv`` beside this script. ``tests/health/test_oracle.py`` compares
:func:`govanalytics.health.flag_aberrations` with it; R is needed only here.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "surveillance_1.20.3.csv"
N_WEEKS = 380
JUDGED = 104
START = dt.date(2019, 1, 7)
#: name: (mean level, seasonal amplitude, negative-binomial size)
SERIES = {
    "small_flat": (3.0, 0.0, 5.0),
    "small_seasonal": (8.0, 0.8, 10.0),
    "large_seasonal": (150.0, 0.6, 20.0),
    "large_trend": (60.0, 0.3, 30.0),
}

R_CODE = r"""
suppressPackageStartupMessages(library(surveillance))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE)
rows <- list()
for (s in unique(d$series)) {
  x <- d[d$series == s, ]
  n <- nrow(x)
  sts <- sts(observed = matrix(x$count, ncol = 1), epoch = as.Date(x$week_start),
             frequency = 52)
  range <- (n - %(judged)d + 1):n
  res <- list(
    farrington = farrington(sts, control = list(range = range, b = 5, w = 3, reweight = TRUE,
      trend = TRUE, alpha = 0.05, powertrans = "2/3", limit54 = c(5, 4))),
    noufaily = farringtonFlexible(sts, control = list(range = range, b = 5, w = 3,
      reweight = TRUE, weightsThreshold = 2.58, alpha = 0.05, trend = TRUE,
      pThresholdTrend = 0.05, limit54 = c(5, 4), powertrans = "2/3", noPeriods = 10,
      pastWeeksNotIncluded = 26, thresholdMethod = "muan")),
    ears_c1 = earsC(sts, control = list(range = range, method = "C1", baseline = 7,
      alpha = 0.001, minSigma = 0)),
    ears_c2 = earsC(sts, control = list(range = range, method = "C2", baseline = 7,
      alpha = 0.001, minSigma = 0)),
    ears_c3 = earsC(sts, control = list(range = range, method = "C3", baseline = 7,
      alpha = 0.001, minSigma = 0))
  )
  for (m in names(res)) {
    rows[[length(rows) + 1]] <- data.frame(series = s, week_start = x$week_start[range],
      method = m, observed = x$count[range], upper_bound = as.numeric(upperbound(res[[m]])),
      alarm = as.logical(alarms(res[[m]])))
  }
}
write.csv(do.call(rbind, rows), args[2], row.names = FALSE)
"""


def simulate() -> pl.DataFrame:
    """The four series, long: ``series``, ``week_start``, ``count``."""
    rng = np.random.default_rng(2026)
    weeks = [START + dt.timedelta(weeks=i) for i in range(N_WEEKS)]
    t = np.arange(N_WEEKS)
    frames = []
    for name, (level, amp, size) in SERIES.items():
        trend = 1 + (0.25 * t / 52 if name == "large_trend" else 0)
        mu = level * (1 + amp * np.cos(2 * np.pi * t / 52.18)) * trend
        counts = rng.negative_binomial(size, size / (size + mu))
        hits = rng.choice(np.arange(N_WEEKS - JUDGED, N_WEEKS), 3, replace=False)
        counts[hits] += rng.poisson(3 * mu[hits] + 8)
        frames.append(pl.DataFrame({"series": name, "week_start": weeks, "count": counts}))
    return pl.concat(frames)


def main() -> None:
    series = simulate()
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.csv", Path(tmp) / "out.csv"
        script = Path(tmp) / "oracle.R"
        series.write_csv(src)
        script.write_text(R_CODE % {"judged": JUDGED})
        subprocess.run(["Rscript", str(script), str(src), str(dst)], check=True)
        out = pl.read_csv(dst, null_values="NA", infer_schema_length=None)
    out.write_csv(FIXTURE)
    print(f"wrote {FIXTURE} ({out.height} rows)")


if __name__ == "__main__":
    main()
