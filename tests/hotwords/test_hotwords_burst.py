"""Kleinberg's two-state model decoded exactly, and the baseline scores."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from govanalytics.errors import ParameterError
from govanalytics.hotwords import baseline_scores, kleinberg_states, likelihood_ratio


def _brute_force(r: np.ndarray, d: np.ndarray, s: float, gamma: float) -> np.ndarray:
    """Least-cost state sequence by enumerating all 2^T sequences (Kleinberg's cost)."""
    p0 = min(max(r.sum() / d.sum(), 1e-12), 0.9999)
    p1 = min(s * p0, 0.9999)
    c = [-(r * np.log(p) + (d - r) * np.log1p(-p)) for p in (p0, p1)]
    tau = gamma * np.log(len(r))
    best, best_seq = np.inf, None
    for seq in itertools.product((0, 1), repeat=len(r)):
        cost, prev = 0.0, 0
        for t, q in enumerate(seq):
            cost += c[q][t] + (tau if q > prev else 0.0)
            prev = q
        if cost < best - 1e-9:
            best, best_seq = cost, seq
    return np.array(best_seq, dtype=bool)


def test_viterbi_is_exact_against_enumeration() -> None:
    rng = np.random.default_rng(7)
    n_t = 10
    d = rng.integers(20, 60, n_t).astype(float)
    rows = []
    for _ in range(40):
        rate = rng.uniform(0.02, 0.2, n_t)
        rate[rng.integers(n_t) :] *= rng.choice([1.0, 3.0])
        rows.append(rng.binomial(d.astype(int), np.minimum(rate, 0.9)))
    r = np.array(rows, dtype=float)
    states, _ = kleinberg_states(r, d, s=2.0, gamma=1.0)
    for i in range(r.shape[0]):
        assert (states[i] == _brute_force(r[i], d, 2.0, 1.0)).all(), i
    assert states.any()  # the check is not trivially all-False


def test_constant_rate_does_not_burst_and_a_step_does() -> None:
    rng = np.random.default_rng(3)
    n_t = 180
    d = np.full(n_t, 100.0)
    constant = rng.binomial(100, 0.12, (50, n_t)).astype(float)
    states_c, gain_c = kleinberg_states(constant, d)
    # Kleinberg alone flags a random spike of a frequent word now and then, weakly
    assert states_c.any(axis=1).mean() <= 0.15
    step = rng.binomial(100, 0.01, n_t).astype(float)
    step[150:154] = [15, 25, 20, 9]
    states, gain = kleinberg_states(step[None, :], d)
    assert states[0, 150:154].all()
    assert states[0].sum() <= 6
    weight = gain[0, states[0]].sum()
    assert weight > 3 * max(gain_c[i, states_c[i]].sum() for i in range(50))


def test_parameters_are_checked() -> None:
    with pytest.raises(ParameterError, match="s must"):
        kleinberg_states(np.ones((1, 3)), np.full(3, 5.0), s=1.0)
    with pytest.raises(ParameterError, match="gamma"):
        kleinberg_states(np.ones((1, 3)), np.full(3, 5.0), gamma=0)


def test_baseline_scores_use_trailing_windows_only() -> None:
    d = np.full(20, 100.0)
    r = np.full((1, 20), 5.0)
    r[0, 15] = 30
    z, expected = baseline_scores(r, d, baseline=8)
    assert np.isnan(z[0, :4]).all()  # too little history
    assert expected[0, 15] == pytest.approx(100 * (40 + 0.5) / 801)
    assert z[0, 15] > 8
    # the rise itself does not raise its own baseline, but raises the next windows'
    assert expected[0, 16] > expected[0, 15]
    llr = likelihood_ratio(r, d, expected)
    assert llr[0, 15] > 20 and llr[0, 10] < 2
    assert (llr >= 0).all()
