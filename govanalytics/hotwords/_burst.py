"""Burst detection (Kleinberg, exact Viterbi), baseline-aware scores and the ranked hot list."""

from __future__ import annotations

import numpy as np

from govanalytics.errors import ParameterError

#: Kleinberg's rate ratio of the burst state (p1 = s·p0).
DEFAULT_S = 2.0
#: Kleinberg's cost of entering the burst state, in units of ln(number of windows).
DEFAULT_GAMMA = 1.0


def kleinberg_states(
    r: np.ndarray, d: np.ndarray, *, s: float = DEFAULT_S, gamma: float = DEFAULT_GAMMA
) -> tuple[np.ndarray, np.ndarray]:
    """Two-state batched Kleinberg burst model, decoded exactly, vectorised over words.

    Per window ``t`` there are ``d_t`` documents of which ``r_t`` contain the word. The base
    state emits at rate ``p0 = Σr/Σd``, the burst state at ``p1 = min(s·p0, 0.9999)``; the cost
    of window ``t`` in state ``i`` is ``−ln Binom(r_t | d_t, p_i)``; moving up into the burst
    state costs ``γ·ln n`` (``n`` windows), moving down is free; the sequence starts in the base
    state. The state sequence of least total cost is found exactly by Viterbi (not greedily).

    Parameters
    ----------
    r
        Counts, shape ``(words, windows)``; ``r ≤ d``.
    d
        Documents per window, shape ``(windows,)`` or ``(words, windows)``.
    s, gamma
        Model parameters; defaults 2 and 1 as in Kleinberg (2002).

    Returns
    -------
    states : np.ndarray of bool, shape ``(words, windows)``
        True where the word is in the burst state.
    gain : np.ndarray of float, shape ``(words, windows)``
        ``cost_0 − cost_1`` per window: summed over a burst it is the burst's weight.

    References
    ----------
    Kleinberg, J. (2002). Bursty and hierarchical structure in streams. KDD '02, 91–101.
    """
    if s <= 1:
        msg = f"s must be greater than 1, got {s}"
        raise ParameterError(msg)
    if gamma <= 0:
        msg = f"gamma must be positive, got {gamma}"
        raise ParameterError(msg)
    r = np.asarray(r, dtype=np.float64)
    d = np.broadcast_to(np.asarray(d, dtype=np.float64), r.shape)
    n_words, n_win = r.shape
    if n_words == 0 or n_win == 0:
        return np.zeros(r.shape, dtype=bool), np.zeros(r.shape)
    p0 = r.sum(axis=1, keepdims=True) / np.maximum(d.sum(axis=1, keepdims=True), 1.0)
    p0 = np.clip(p0, 1e-12, 0.9999)
    p1 = np.minimum(s * p0, 0.9999)
    # the binomial coefficient is the same in both states and cancels
    c0 = -(r * np.log(p0) + (d - r) * np.log1p(-p0))
    c1 = -(r * np.log(p1) + (d - r) * np.log1p(-p1))
    tau = gamma * np.log(max(n_win, 2))
    cost0 = c0[:, 0].copy()
    cost1 = tau + c1[:, 0]
    from1_into0 = np.zeros(r.shape, dtype=bool)  # best predecessor of state 0 is state 1
    from1_into1 = np.zeros(r.shape, dtype=bool)  # best predecessor of state 1 is state 1
    for t in range(1, n_win):
        b0 = cost1 < cost0
        b1 = cost1 <= cost0 + tau
        new0 = np.where(b0, cost1, cost0) + c0[:, t]
        new1 = np.where(b1, cost1, cost0 + tau) + c1[:, t]
        from1_into0[:, t] = b0
        from1_into1[:, t] = b1
        cost0, cost1 = new0, new1
    states = np.zeros(r.shape, dtype=bool)
    cur = cost1 < cost0
    for t in range(n_win - 1, -1, -1):
        states[:, t] = cur
        if t > 0:
            cur = np.where(cur, from1_into1[:, t], from1_into0[:, t])
    return states, c0 - c1


def burst_runs(
    states: np.ndarray,
    gain: np.ndarray,
    r: np.ndarray | None = None,
    *,
    max_gap: int | None = None,
) -> list[tuple[int, int, int, float]]:
    """Runs of the burst state as ``(word_index, start, end, weight)`` (end inclusive).

    Windows without any document cost nothing in either state, so on a small board the
    burst state carries over weeks of empty days, back to an old use of the word: a burst of
    three days would start a month early. With ``r`` (the word's counts, shape ``(words,
    windows)``), a run is therefore cut to its first and last window in which the word is
    used, and split wherever the word goes unused for more than ``max_gap`` windows; each
    piece is then trimmed at both ends to the windows that fit the burst state better than
    the base state (``gain > 0``: the entry cost lets the decoding carry the burst state over
    ordinary use around a burst, months of it when counting by month); the weight is summed
    over what remains. Pieces without any such window are dropped.
    """
    out = []
    padded = np.pad(states.astype(np.int8), ((0, 0), (1, 1)))
    diff = np.diff(padded, axis=1)
    starts = np.argwhere(diff == 1)
    ends = np.argwhere(diff == -1)
    for (w, a), (_, b) in zip(starts, ends, strict=True):
        pieces = [(int(a), int(b - 1))]
        if r is not None:
            pieces = _spells(r[w, a:b] > 0, int(a), max_gap)
        for lo, hi in pieces:
            if r is not None:
                above = np.flatnonzero(gain[w, lo : hi + 1] > 0)
                if above.size == 0:
                    continue
                lo, hi = lo + int(above[0]), lo + int(above[-1])
            out.append((int(w), lo, hi, float(gain[w, lo : hi + 1].sum())))
    return out


def _spells(used: np.ndarray, offset: int, max_gap: int | None) -> list[tuple[int, int]]:
    """Spells of use: first and last used window of each group of uses no more than
    ``max_gap`` unused windows apart (all uses one spell when ``max_gap`` is None)."""
    at = np.flatnonzero(used)
    if at.size == 0:
        return []
    if max_gap is None:
        return [(offset + int(at[0]), offset + int(at[-1]))]
    breaks = np.flatnonzero(np.diff(at) > max_gap + 1)
    firsts = np.concatenate([[0], breaks + 1])
    lasts = np.concatenate([breaks, [at.size - 1]])
    return [(offset + int(at[i]), offset + int(at[j])) for i, j in zip(firsts, lasts, strict=True)]


def baseline_scores(
    r: np.ndarray, d: np.ndarray, *, baseline: int, min_history: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Binomial z-score of each window against the word's trailing baseline rate.

    The baseline rate of window ``t`` is ``p_b = (R_b + 0.5) / (D_b + 1)`` over the
    ``baseline`` windows before ``t`` (``t`` itself excluded; the 0.5 pseudo-count keeps a
    never-seen word finite); the score is ``z = (r_t − d_t·p_b) / sqrt(d_t·p_b·(1 − p_b))``,
    binomial rather than a plain z against a trailing mean, whose variance ranks one-off noise
    first. Windows with fewer than ``min_history`` windows of history (default half the
    baseline) get NaN.

    Parameters
    ----------
    r
        Relevant units (distinct writers of the word), shape ``(words, windows)``.
    d
        All units per window, shape ``(windows,)`` or ``(words, windows)``.
    baseline
        Number of trailing windows forming the baseline.
    min_history
        Windows of history needed for a score; default ``max(1, baseline // 2)``.

    Returns
    -------
    z, expected : np.ndarray, shape ``(words, windows)``
    """
    r = np.asarray(r, dtype=np.float64)
    d = np.broadcast_to(np.asarray(d, dtype=np.float64), r.shape)
    n_win = r.shape[1]
    if min_history is None:
        min_history = max(1, baseline // 2)
    cr = np.concatenate([np.zeros((r.shape[0], 1)), np.cumsum(r, axis=1)], axis=1)
    cd = np.concatenate([np.zeros((r.shape[0], 1)), np.cumsum(d, axis=1)], axis=1)
    t = np.arange(n_win)
    lo = np.maximum(t - baseline, 0)
    rb = cr[:, t] - cr[:, lo]
    db = cd[:, t] - cd[:, lo]
    pb = (rb + 0.5) / (db + 1.0)
    expected = d * pb
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (r - expected) / np.sqrt(d * pb * (1 - pb))
    z[:, t < min_history] = np.nan
    z[~np.isfinite(z)] = np.nan
    return z, expected


def likelihood_ratio(r: np.ndarray, d: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Binomial log-likelihood ratio of the observed rate against the expected one.

    ``LLR = r·ln(r/e) + (d − r)·ln((d − r)/(d − e))`` for ``r > e`` (a rise), ``0`` otherwise:
    the evidence that window ``t`` runs at a higher rate than the baseline. Unlike the
    z-score it does not explode for words with a near-empty baseline, so a frequent bursting
    word outranks a rare word seen five times for the first time.

    Parameters
    ----------
    r
        Relevant units, shape ``(words, windows)``.
    d
        All units per window, broadcast to ``r``'s shape.
    expected
        Expected relevant units ``d·p_b`` (from :func:`baseline_scores`), same shape as ``r``.

    Returns
    -------
    np.ndarray
        Non-negative log-likelihood ratios, shape of ``r``.
    """
    r = np.asarray(r, dtype=np.float64)
    d = np.broadcast_to(np.asarray(d, dtype=np.float64), r.shape)
    e = np.clip(np.asarray(expected, dtype=np.float64), 1e-12, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        first = np.where(r > 0, r * np.log(np.maximum(r, 1e-300) / e), 0.0)
        rest = np.where(d - r > 0, (d - r) * np.log(np.maximum(d - r, 1e-300) / (d - e)), 0.0)
        llr = first + rest
    llr = np.where((r > e) & np.isfinite(llr), llr, 0.0)
    return llr


def run_likelihood_ratio(
    r: np.ndarray,
    d: np.ndarray,
    runs: np.ndarray,
    *,
    baseline: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Evidence that a word ran above its own baseline over a whole run of windows.

    For a run ``a…b`` of word ``w``, ``R = Σ r`` and ``D = Σ d`` over the run are compared
    with the word's usual rate, the larger of its rate in the ``baseline`` windows before the
    run and its rate in all windows outside the run (each ``(R' + 0.5) / (D' + 1)``): the
    binomial log-likelihood ratio of :func:`likelihood_ratio` with ``expected = D·p``.
    Scoring the run rather than its best window keeps an issue that rises for several days
    at four or five writers a day, which no single day shows; the rate outside the run keeps
    a month in which a steady complaint happens to run high after a quiet month from passing
    for a burst (Kleinberg's decoding picks the best-looking stretch, so a trailing baseline
    alone overstates the evidence).

    Parameters
    ----------
    r
        Counts, shape ``(words, windows)``.
    d
        Units per window, shape ``(windows,)``.
    runs
        Integer array of shape ``(n, 3)``: word index, first and last window (inclusive).
    baseline
        Windows before the run forming its baseline.

    Returns
    -------
    llr, expected : np.ndarray, shape ``(n,)``
        The ratio (0 for no rise) and the expected count over the run.
    """
    runs = np.asarray(runs, dtype=np.int64).reshape(-1, 3)
    if runs.shape[0] == 0:
        return np.zeros(0), np.zeros(0)
    r = np.asarray(r, dtype=np.float64)
    d = np.asarray(d, dtype=np.float64)
    cr = np.concatenate([np.zeros((r.shape[0], 1)), np.cumsum(r, axis=1)], axis=1)
    cd = np.concatenate([[0.0], np.cumsum(d)])
    w, a, b = runs[:, 0], runs[:, 1], runs[:, 2]
    lo = np.maximum(a - baseline, 0)
    trailing = (cr[w, a] - cr[w, lo] + 0.5) / (cd[a] - cd[lo] + 1.0)
    total_r = cr[w, b + 1] - cr[w, a]
    total_d = cd[b + 1] - cd[a]
    outside = (cr[w, -1] - total_r + 0.5) / (cd[-1] - total_d + 1.0)
    rate = np.maximum(trailing, outside)
    expected = total_d * np.minimum(rate, 1.0)
    llr = likelihood_ratio(total_r[:, None], total_d[:, None], expected[:, None])[:, 0]
    return llr, expected
