"""The default ensemble: stacked member weights per horizon, then conformal recalibration.

Both steps learn from the rolling out-of-sample forecasts of the members at the latest past
origins (each made with only the data up to its own origin), scored on the targets already
observed at the forecast origin:

1. **Weights per horizon** (a stacked quantile average, Vincentisation). For each horizon the
   weights on the simplex grid of step 0.2 that minimise the mean over series of
   ``log(WIS_combination / WIS_baseline)`` — the geometric-mean relative WIS, so a large
   series does not outvote a small one — then shrunk toward equal weights by
   :data:`SHRINKAGE` (so every member keeps at least ``SHRINKAGE / M``: the floor).
   Without any scored past origin the weights are equal.
2. **Conformal recalibration per horizon** (split-conformal, scaled as in conformalised
   quantile regression, Romano et al. 2019). For each of the 11 central intervals of the
   ensemble, on ``log(1 + count)``: the past errors ``E = max(lo − y, y − hi) / w`` with
   ``w`` the interval's half-width plus 0.05; the interval of the forecast becomes
   ``[lo − c·w, hi + c·w]`` with ``c`` the ``(1 − α)(1 + 1/n)`` empirical quantile of ``E``
   over ``n`` past errors of that horizon (all series pooled), bounded to
   [−1, :data:`MAX_FACTOR`]. ``c`` may be negative (an interval that was too wide narrows,
   never past the median). With too few past errors for a level (``(1 − α)(1 + 1/n) > 1``)
   that interval is left as it is.

References
----------
Romano Y, Patterson E, Candès E (2019) Conformalized quantile regression, NeurIPS 32.
Lichtendahl KC, Grushka-Cockayne Y, Winkler RL (2013) Is it better to average probabilities
or quantiles? Management Science 59:1594–1611.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np

from govanalytics.health._series import quiet_nan

#: Weight moved from the stacked optimum to equal weights (each member keeps ≥ SHRINKAGE / M).
SHRINKAGE = 0.2
#: Step of the simplex grid the stacked weights are searched on (56 weightings of 4 members).
GRID_STEP = 0.2
#: Most series used to choose the weights (evenly spaced; all series are recalibrated).
WEIGHT_SERIES = 400
#: Largest widening factor: an interval grows at most to (1 + MAX_FACTOR) times its
#: half-width (+0.05) on the log scale, so a few wild series in the pool (a spike after
#: years of zeros) cannot blow up the intervals of all the others.
MAX_FACTOR = 3.0
_EPS = 0.5  # cases added to mean WIS before taking the ratio (all-zero series)
_WIDTH = 0.05


def _pinball_wis(q: np.ndarray, y: np.ndarray, levels: np.ndarray) -> np.ndarray:
    y = y[..., None]
    pin = np.where(y < q, (1 - levels) * (q - y), levels * (y - q))
    return pin.sum(axis=-1) / ((levels.size - 1) / 2 + 0.5)


@functools.lru_cache(maxsize=8)
def _simplex(m: int, step: float) -> np.ndarray:
    k = round(1 / step)
    rows = [c for c in itertools.product(range(k + 1), repeat=m) if sum(c) == k]
    return np.array(rows, dtype=float) / k


def stacked_weights(
    past: np.ndarray, truth: np.ndarray, levels: np.ndarray, *, reference: int = 0
) -> tuple[np.ndarray, int]:
    """Member weights for one horizon from past forecasts.

    Parameters
    ----------
    past
        ``M × P × S × Q`` member quantiles at ``P`` past origins (NaN where missing).
    truth
        ``P × S`` observed counts (NaN where not yet observed or missing).
    levels
        The ``Q`` quantile levels.
    reference
        Index of the member that scales each series' WIS (the flat baseline).

    Returns
    -------
    (numpy.ndarray, int)
        ``M`` weights summing to 1, and the number of series that were scored.
    """
    n_m = past.shape[0]
    ok = ~np.isnan(truth) & ~np.isnan(past).any(axis=(0, 3))
    series = np.flatnonzero(ok.any(axis=0))
    if series.size == 0:
        return np.full(n_m, 1.0 / n_m), 0
    if series.size > WEIGHT_SERIES:
        series = series[np.linspace(0, series.size - 1, WEIGHT_SERIES).astype(int)]
    q = np.nan_to_num(past[:, :, series])
    y = np.nan_to_num(truth[:, series])
    mask = ok[:, series]
    n = mask.sum(axis=0)
    ref = (_pinball_wis(q[reference], y, levels) * mask).sum(axis=0) / n
    grid = _simplex(n_m, GRID_STEP)
    losses = np.empty(len(grid))
    chunk = max(1, 2_000_000 // max(q[0].size, 1))  # combinations scored at once
    for i in range(0, len(grid), chunk):
        comb = np.sort(np.tensordot(grid[i : i + chunk], q, axes=(1, 0)), axis=-1)
        wis = (_pinball_wis(comb, y, levels) * mask).sum(axis=1) / n  # C × S
        losses[i : i + chunk] = np.mean(np.log((wis + _EPS) / (ref + _EPS)), axis=1)
    best = grid[int(np.argmin(losses))]  # first of equal losses: the grid's order
    return (1 - SHRINKAGE) * best + SHRINKAGE / n_m, int(series.size)


def conformal_factors(past: np.ndarray, truth: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Widening factors ``c`` of the central intervals for one horizon.

    Parameters
    ----------
    past
        ``P × S × Q`` past ensemble quantiles (counts, sorted; NaN where missing).
    truth
        ``P × S`` observed counts (NaN where not observed).
    levels
        The ``Q`` quantile levels (symmetric around the median).

    Returns
    -------
    numpy.ndarray
        ``K`` factors, one per central interval from the widest (first and last level)
        inward; 0 where too few errors were seen.
    """
    n_k = (levels.size - 1) // 2
    ok = ~np.isnan(truth) & ~np.isnan(past).any(axis=-1)
    lq = np.log1p(past[ok])  # n × Q
    ly = np.log1p(truth[ok])
    n = ly.size
    out = np.zeros(n_k)
    for k in range(n_k):
        lo, hi = lq[:, k], lq[:, -1 - k]
        width = (hi - lo) / 2 + _WIDTH
        score = np.maximum(lo - ly, ly - hi) / width
        level = (1 - 2 * levels[k]) * (1 + 1 / max(n, 1))
        if n and level <= 1:
            out[k] = np.quantile(score, level, method="higher")
    return np.clip(out, -1.0, MAX_FACTOR)


def recalibrate(q: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Apply :func:`conformal_factors` to quantiles ``S × Q`` (counts) of one horizon.

    Each interval moves out (or in) by ``c`` times its half-width on ``log(1 + count)``,
    never across the median; the result is sorted and never negative.
    """
    lq = np.log1p(np.maximum(q, 0.0))
    mid = lq.shape[-1] // 2
    med = lq[..., mid]
    out = lq.copy()
    for k, c in enumerate(factors):
        lo, hi = lq[..., k], lq[..., -1 - k]
        width = (hi - lo) / 2 + _WIDTH
        out[..., k] = np.minimum(lo - c * width, med)
        out[..., -1 - k] = np.maximum(hi + c * width, med)
    with quiet_nan():
        return np.maximum(np.expm1(np.sort(np.minimum(out, 40.0), axis=-1)), 0.0)
