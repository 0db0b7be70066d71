"""Early warning: EARS C1/C2/C3, Farrington / Noufaily GLMs, moving percentile, CUSUM.

Every method works on many series at once (a series × period matrix, weekly or monthly) and
answers, for each series and each of the latest ``periods`` periods: observed, expected, upper
bound, alarm, method and a note. A method that lacks history says so in ``note`` and falls back
down the ladder

    farrington / noufaily / moving_percentile  (≥ 3 years)
      → EARS C2 (≥ 9 periods) → EARS C1 (≥ 7 periods) → CUSUM (≥ 3 periods) → no verdict

(after the EU SignalDetectionTool). ``alarm`` is null — never a silent ``False`` — when no
method had enough history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl
from scipy import stats

from govanalytics.errors import ParameterError
from govanalytics.health._glm import anscombe_residuals, fit_poisson_batch
from govanalytics.health._series import (
    PERIOD_WORDS,
    WEEK,
    SeriesMatrix,
    quiet_nan,
    to_matrix,
)
from govanalytics.validation import int_like, string_like

__all__ = ["DETECTION_METHODS", "flag_aberrations"]

#: A method :func:`flag_aberrations` accepts.
DetectionMethod = Literal[
    "farrington",
    "noufaily",
    "moving_percentile",
    "ears_c1",
    "ears_c2",
    "ears_c3",
    "cusum",
    "auto",
    "all",
]
#: Methods :func:`flag_aberrations` accepts.
DETECTION_METHODS: tuple[DetectionMethod, ...] = (
    "farrington",
    "noufaily",
    "moving_percentile",
    "ears_c1",
    "ears_c2",
    "ears_c3",
    "cusum",
    "auto",
    "all",
)
SEASONAL_METHODS = ("farrington", "noufaily", "moving_percentile")
_NAMES_ZH = {
    "farrington": "Farrington",
    "noufaily": "Farrington（Noufaily 改进）",
    "moving_percentile": "移动百分位数",
    "ears_c1": "EARS C1",
    "ears_c2": "EARS C2",
    "ears_c3": "EARS C3",
    "cusum": "CUSUM",
}


@dataclass
class _Result:
    """One method's answer for n_s series × n_p target weeks."""

    expected: np.ndarray
    upper: np.ndarray
    alarm: np.ndarray  # float: 1 alarm, 0 none, NaN no verdict
    ok: np.ndarray  # bool: enough history for this method
    note: np.ndarray  # object: extra note ('' when none)


def _empty(n_s: int, n_p: int) -> _Result:
    nan = np.full((n_s, n_p), np.nan)
    note = np.full((n_s, n_p), "", dtype=object)
    return _Result(nan.copy(), nan.copy(), nan.copy(), np.zeros((n_s, n_p), bool), note)


def _years_back(t: int, k: int, per_year: float) -> int:
    """Index of the period nearest the same calendar date ``k`` years before period ``t``.

    Calendar years are 52.18 weeks long, so ``t - 52 k`` drifts by a week every five or six
    years (and across ISO years with 53 weeks); this keeps the past windows on the season.
    For months it is exactly ``t - 12 k``.
    """
    return t - round(k * per_year)


# --------------------------------------------------------------------------------- EARS ---
def _ears_stats(
    mat: SeriesMatrix, t: int, *, lag: int, exclude_holidays: bool, min_sigma: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, sd and count of the 7-week baseline ending ``lag`` weeks before week ``t``."""
    lo, hi = t - lag - 7, t - lag
    if lo < 0:
        n_s = mat.values.shape[0]
        return np.full(n_s, np.nan), np.full(n_s, np.nan), np.zeros(n_s, int)
    base = mat.values[:, lo:hi].copy()
    if exclude_holidays and mat.holiday[lo:hi].any():
        masked = base.copy()
        masked[:, mat.holiday[lo:hi]] = np.nan
        enough = (~np.isnan(masked)).sum(axis=1) >= 5
        base = np.where(enough[:, None], masked, base)
    n = (~np.isnan(base)).sum(axis=1)
    with quiet_nan():
        mean = np.nanmean(np.where(n[:, None] > 0, base, 0.0), axis=1)
        sd = np.nanstd(np.where(n[:, None] > 1, base, 0.0), axis=1, ddof=1)
    sd = np.maximum(np.nan_to_num(sd), min_sigma)
    return mean, sd, n


def _ears(
    mat: SeriesMatrix,
    targets: list[int],
    *,
    variant: str,
    threshold: float = 3.0,
    c3_threshold: float = 2.0,
    min_sigma: float = 0.5,
    exclude_holidays: bool = True,
) -> _Result:
    n_s, n_p = mat.values.shape[0], len(targets)
    out = _empty(n_s, n_p)
    lag = 0 if variant == "c1" else 2
    need = {"c1": 7, "c2": 9, "c3": 11}[variant]
    hist = mat.history()
    for j, t in enumerate(targets):
        y = mat.values[:, t]
        have = hist[:, t - 1] if t > 0 else np.zeros(n_s)
        mean, sd, _ = _ears_stats(mat, t, lag=lag, exclude_holidays=exclude_holidays,
                                  min_sigma=min_sigma)  # fmt: skip
        out.expected[:, j] = mean
        if variant == "c3":
            prev = np.zeros(n_s)
            for i in (1, 2):
                m_i, s_i, _ = _ears_stats(mat, t - i, lag=2, exclude_holidays=exclude_holidays,
                                          min_sigma=min_sigma)  # fmt: skip
                z_i = (mat.values[:, t - i] - m_i) / s_i
                prev += np.maximum(0.0, np.nan_to_num(z_i) - 1.0)
            # the count above which the 3-period sum exceeds c3_threshold *and* the period's
            # own count exceeds mean + sd: an alarm is always a count above its bound (R's
            # C3 also alarms on a period at its baseline after two high ones)
            out.upper[:, j] = mean + sd * (1.0 + np.maximum(c3_threshold - prev, 0.0))
            alarm = y > out.upper[:, j]
        else:
            out.upper[:, j] = mean + threshold * sd
            alarm = y > out.upper[:, j]
        ok = (have >= need) & ~np.isnan(y)
        out.ok[:, j] = ok
        out.alarm[:, j] = np.where(ok, alarm.astype(float), np.nan)
    return out


def _cusum(
    mat: SeriesMatrix,
    targets: list[int],
    *,
    k: float = 1.04,
    h: float = 2.26,
    min_sigma: float = 0.5,
) -> _Result:
    """CUSUM over the last 3 weeks, standardised by every earlier week (≥ 3 needed)."""
    n_s, n_p = mat.values.shape[0], len(targets)
    out = _empty(n_s, n_p)
    for j, t in enumerate(targets):
        first = max(0, t - 2)
        past = mat.values[:, :t]
        n = (~np.isnan(past)).sum(axis=1) if t > 0 else np.zeros(n_s, int)
        with quiet_nan():
            mean = np.nanmean(np.where(n[:, None] > 0, past, 0.0), axis=1) if t > 0 else 0
            sd = np.nanstd(np.where(n[:, None] > 1, past, 0.0), axis=1, ddof=1) if t > 0 else 0
        sd = np.maximum(np.maximum(np.nan_to_num(sd), np.sqrt(np.maximum(mean, 0))), min_sigma)
        s_prev = np.zeros(n_s)
        for u in range(first, t):
            z = np.nan_to_num((mat.values[:, u] - mean) / sd)
            s_prev = np.maximum(0.0, s_prev + z - k)
        y = mat.values[:, t]
        s_now = np.maximum(0.0, s_prev + (y - mean) / sd - k)
        out.expected[:, j] = mean
        out.upper[:, j] = mean + sd * (h + k - s_prev)
        ok = (n >= 3) & ~np.isnan(y)
        out.ok[:, j] = ok
        out.alarm[:, j] = np.where(ok, (s_now > h).astype(float), np.nan)
    return out


# ---------------------------------------------------------------- Farrington / Noufaily ---
def _farrington(
    mat: SeriesMatrix,
    targets: list[int],
    *,
    flavour: str,
    b: int = 5,
    w: int | None = None,
    alpha: float | None = None,
    reweight_threshold: float | None = None,
    threshold: str | None = None,
    seasonal_levels: int = 10,
    past_weeks_not_included: int | None = None,
    limit54: tuple[int, int] = (5, 4),
    min_years: int = 3,
    exclude_holidays: bool = True,
) -> _Result:
    n_s, n_p = mat.values.shape[0], len(targets)
    out = _empty(n_s, n_p)
    monthly = mat.frequency == "month"
    if w is None:
        w = 1 if monthly else 3
    if past_weeks_not_included is None:
        past_weeks_not_included = 6 if monthly else 26
    per_year, season = mat.per_year, mat.season
    unit = PERIOD_WORDS[mat.frequency]["unit"]
    if alpha is None:  # noufaily's one-sided 0.025 = the tail of farrington's two-sided 0.05
        alpha = 0.05 if flavour == "farrington" else 0.025
    if reweight_threshold is None:
        reweight_threshold = 1.0 if flavour == "farrington" else 2.58
    if threshold is None:
        threshold = "delta" if flavour == "farrington" else "muan"
    if threshold not in ("delta", "nbPlugin", "muan"):
        msg = f"option 'threshold' must be 'delta', 'nbPlugin' or 'muan', got {threshold!r}"
        raise ParameterError(msg)
    z = stats.norm.ppf(1 - alpha / 2)
    n_t = mat.values.shape[1]
    for j, t in enumerate(targets):
        if flavour == "farrington":
            idx = np.array(
                [_years_back(t, k, per_year) + d for k in range(1, b + 1) for d in range(-w, w + 1)]
            )
        else:
            idx = np.arange(_years_back(t, b, per_year) - w, t - past_weeks_not_included)
        idx = idx[(idx >= 0) & (idx < n_t)]
        y0 = mat.values[:, t]
        if idx.size < 3 * (2 * w + 1):
            continue
        ybase = mat.values[:, idx]
        w0 = (~np.isnan(ybase)).astype(float)
        if exclude_holidays:
            w0[:, mat.holiday[idx]] = 0.0
        trend = (idx - t) / per_year
        cols = [np.ones(idx.size), trend]
        if flavour == "noufaily":
            d = np.rint((t - idx) % per_year).astype(int) % season
            in_window = (d <= w) | (d >= season - w)
            span = season - 2 * w - 1
            n_other = seasonal_levels - 1
            level = np.where(in_window, 0, 1 + ((d - w - 1) * n_other) // span)
            cols += [(level == lv).astype(float) for lv in range(1, seasonal_levels)]
        x = np.column_stack(cols)
        x_nt = np.delete(x, 1, axis=1)
        n_valid = w0.sum(axis=1)
        hist = mat.history()[:, t - 1]
        enough = (hist >= min_years * season + w) & (n_valid >= 2 * (2 * w + 1))
        # fit with trend, compute weights from Anscombe residuals, refit with and without trend
        first = fit_poisson_batch(ybase, x, w0)
        phi1 = np.maximum(first.phi, 1.0)
        r = anscombe_residuals(ybase, first, phi1)
        wr = np.where(r > reweight_threshold, 1.0 / np.maximum(r, 1e-6) ** 2, 1.0) * w0
        gamma = n_valid / np.maximum(wr.sum(axis=1), 1e-12)
        wr = wr * gamma[:, None]
        fit_t = fit_poisson_batch(ybase, x, wr, beta0=first.beta)
        fit_n = fit_poisson_batch(ybase, x_nt, wr, beta0=np.delete(first.beta, 1, axis=1))
        phi_t = np.maximum(fit_t.phi, 1.0)
        se = np.sqrt(phi_t * fit_t.cov_unscaled[:, 1, 1])
        p_trend = 2 * stats.norm.sf(np.abs(fit_t.beta[:, 1] / np.maximum(se, 1e-12)))
        mu_t = np.exp(fit_t.beta[:, 0])
        ymax = np.nanmax(np.where(w0 > 0, ybase, -np.inf), axis=1)
        keep = (p_trend < 0.05) & (mu_t <= ymax) & (fit_t.dof > 0)
        years_span = np.where(w0 > 0, -trend[None, :], 0).max(axis=1)
        keep &= years_span >= 3  # a trend needs three years (Farrington et al. 1996)
        phi = np.where(keep, phi_t, np.maximum(fit_n.phi, 1.0))
        mu0 = np.where(keep, mu_t, np.exp(fit_n.beta[:, 0]))
        var_eta = phi * np.where(keep, fit_t.cov_unscaled[:, 0, 0], fit_n.cov_unscaled[:, 0, 0])
        if threshold == "delta":
            tau = phi / np.maximum(mu0, 1e-12) + var_eta
            upper = mu0 * (1 + (2 / 3) * z * np.sqrt(tau)) ** 1.5
        else:
            # nbPlugin: NB quantile at the fitted mean; muan: at the mean's upper limit
            # both at the one-sided level 1 − alpha, as R's farringtonFlexible
            z1 = stats.norm.ppf(1 - alpha)
            mean = mu0 if threshold == "nbPlugin" else mu0 * np.exp(z1 * np.sqrt(var_eta))
            size = mean / np.maximum(phi - 1.0, 1e-9)
            nb = stats.nbinom.ppf(1 - alpha, size, size / (size + mean))
            po = stats.poisson.ppf(1 - alpha, mean)
            upper = np.where(phi > 1.0 + 1e-9, nb, po)
        lo = max(0, t - limit54[1] + 1)
        recent = np.nansum(mat.values[:, lo : t + 1], axis=1)
        few = recent < limit54[0]
        alarm = (y0 > upper) & ~few
        ok = enough & ~np.isnan(y0)
        out.expected[:, j] = mu0
        out.upper[:, j] = upper
        out.ok[:, j] = ok
        out.alarm[:, j] = np.where(ok, alarm.astype(float), np.nan)
        limit_note = f"近{limit54[1]}{unit}合计不足{limit54[0]}例，按规则不报警；"
        years_have = np.floor((hist - w) / per_year).astype(int)
        for s in np.nonzero(ok)[0]:
            short = f"基线仅{years_have[s]}年（少于{b}年）；" if years_have[s] < b else ""
            out.note[s, j] = (
                (limit_note if few[s] else "") + short + ("基线含显著趋势" if keep[s] else "")
            )
    return out


# ------------------------------------------------------------------- moving percentile ---
def _row_quantile(values: np.ndarray, q: float) -> np.ndarray:
    """Linear-interpolated quantile of each row ignoring NaN (as ``np.nanquantile``), by one
    sort instead of a per-row loop."""
    srt = np.sort(values, axis=1)  # NaN last
    n = (~np.isnan(values)).sum(axis=1)
    pos = q * np.maximum(n - 1, 0)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, np.maximum(n - 1, 0))
    frac = pos - lo
    rows = np.arange(values.shape[0])
    out = srt[rows, lo] * (1 - frac) + srt[rows, hi] * frac
    return np.where(n > 0, out, np.nan)


def _level_ratio(mat: SeriesMatrix, t: int, k: int) -> np.ndarray:
    """Ratio of each series' level now to its level ``k`` years before period ``t``.

    Both levels are medians of the same calendar span (a year — 52 weeks or 12 months —
    ending 4 weeks or 1 month before period ``t`` and before its ``k``-years-back twin; Spring
    Festival weeks left out), so the season cancels out, a few outbreak periods hardly move
    them and the periods being judged are not part of them. Where the older span runs off the
    start of the data both spans are shortened alike; with less than a quarter year (13 weeks,
    3 months), or no counts, the ratio is 1.
    """
    span = mat.season
    gap = 1 if mat.frequency == "month" else 4
    min_weeks = span // 4
    v = mat.values
    hi_now, hi_then = t - gap, _years_back(t, k, mat.per_year) - gap
    n = min(span, hi_then)
    if n < min_weeks:
        return np.ones(v.shape[0])
    now = v[:, hi_now - n : hi_now].copy()
    then = v[:, hi_then - n : hi_then].copy()
    now[:, mat.holiday[hi_now - n : hi_now]] = np.nan
    then[:, mat.holiday[hi_then - n : hi_then]] = np.nan
    with quiet_nan():
        ratio = np.nanmedian(now, axis=1) / np.nanmedian(then, axis=1)
    return np.where(np.isfinite(ratio) & (ratio > 0), ratio, 1.0)


def _moving_percentile(
    mat: SeriesMatrix,
    targets: list[int],
    *,
    years: int = 5,
    half_window: int | None = None,
    alpha: float = 0.05,
    percentile: float = 0.8,
    level_adjust: bool = True,
    min_years: int = 3,
    exclude_holidays: bool = True,
) -> _Result:
    if not 0 < alpha < 1 or not 0 < percentile < 1:
        msg = f"options 'alpha' and 'percentile' must lie in (0, 1), got {alpha!r}, {percentile!r}"
        raise ParameterError(msg)
    if half_window is None:
        half_window = 1 if mat.frequency == "month" else 2
    n_s, n_p = mat.values.shape[0], len(targets)
    out = _empty(n_s, n_p)
    n_t = mat.values.shape[1]
    hist_all = mat.history()
    rows = np.arange(n_s)
    name = PERIOD_WORDS[mat.frequency]["name"]
    unit = PERIOD_WORDS[mat.frequency]["unit"]
    for j, t in enumerate(targets):
        blocks = []
        for k in range(1, years + 1):
            idx = _years_back(t, k, mat.per_year) + np.arange(-half_window, half_window + 1)
            if idx.min() < 0 or idx.max() >= n_t:
                continue
            block = mat.values[:, idx].copy()
            if exclude_holidays:
                block[:, mat.holiday[idx]] = np.nan
            if level_adjust:
                block *= _level_ratio(mat, t, k)[:, None]
            blocks.append(block)
        y = mat.values[:, t]
        if not blocks:
            continue
        base = np.concatenate(blocks, axis=1)
        n = (~np.isnan(base)).sum(axis=1)
        # distribution-free prediction bound: the k-th smallest of n exchangeable weeks, with
        # k = ceil((1 - alpha)(n + 1)), is exceeded by a new ordinary week with probability
        # (n + 1 - k)/(n + 1) <= alpha (the maximum, 1/(n + 1), when n + 1 < 1/alpha)
        order = np.clip(np.ceil((1 - alpha) * (n + 1)).astype(int), 1, np.maximum(n, 1))
        upper = np.where(n > 0, np.sort(base, axis=1)[rows, order - 1], np.nan)
        screen = _row_quantile(base, percentile)
        hist = hist_all[:, t - 1]
        ok = (
            (hist >= min_years * mat.season + half_window)
            & (n >= 2 * (2 * half_window + 1))
            & ~np.isnan(y)
        )
        alarm = y > upper
        out.expected[:, j] = _row_quantile(base, 0.5)
        out.upper[:, j] = upper
        out.ok[:, j] = ok
        out.alarm[:, j] = np.where(ok, alarm.astype(float), np.nan)
        p_name = f"P{round(percentile * 100)}"
        for s in np.nonzero(ok)[0]:
            parts = []
            if y[s] > screen[s] and not alarm[s]:
                parts.append(f"超过同期{p_name}（{screen[s]:.0f}），为筛查信号，需核实，未达报警")
            if n[s] + 1 < 1 / alpha:
                parts.append(
                    f"可比{name}仅{n[s]}{unit}，上限取其最大值，误报率约{1 / (n[s] + 1):.0%}"
                )
            out.note[s, j] = "；".join(parts)
    return out


# ----------------------------------------------------------------------------- dispatch ---
_METHODS: dict[str, Callable[..., _Result]] = {
    "farrington": lambda mat, tg, **o: _farrington(mat, tg, flavour="farrington", **o),
    "noufaily": lambda mat, tg, **o: _farrington(mat, tg, flavour="noufaily", **o),
    "moving_percentile": _moving_percentile,
    "ears_c1": lambda mat, tg, **o: _ears(mat, tg, variant="c1", **o),
    "ears_c2": lambda mat, tg, **o: _ears(mat, tg, variant="c2", **o),
    "ears_c3": lambda mat, tg, **o: _ears(mat, tg, variant="c3", **o),
    "cusum": _cusum,
}
#: History each method needs: years for the seasonal methods, else periods.
_NEED = {
    "farrington": (3, "年"),
    "noufaily": (3, "年"),
    "moving_percentile": (3, "年"),
    "ears_c1": (7, ""),
    "ears_c2": (9, ""),
    "ears_c3": (11, ""),
    "cusum": (3, ""),
}


def _need_text(method: str, unit: str) -> str:
    n, word = _NEED[method]
    return f"{n} {word or unit}"


_LADDER = ("ears_c2", "ears_c1", "cusum")


def _run_with_ladder(
    mat: SeriesMatrix, targets: list[int], method: str, options: dict
) -> tuple[_Result, np.ndarray, np.ndarray]:
    """Run ``method``; where it lacks history fall back down the ladder. Returns the result,
    the method actually used and the note per cell."""
    res = _METHODS[method](mat, targets, **options)
    used = np.where(res.ok, method, "").astype(object)
    note = res.note.astype(object)
    hist = mat.history()
    unit = PERIOD_WORDS[mat.frequency]["unit"]
    for fallback in _LADDER:
        todo = used == ""
        if not todo.any() or fallback == method:
            continue
        alt = _METHODS[fallback](mat, targets)
        take = todo & alt.ok
        for name in ("expected", "upper", "alarm"):
            getattr(res, name)[take] = getattr(alt, name)[take]
        used[take] = fallback
        for s, j in zip(*np.nonzero(take), strict=True):
            have = int(hist[s, targets[j] - 1]) if targets[j] > 0 else 0
            note[s, j] = (
                f"历史仅{have}{unit}，不足{_NAMES_ZH[method]}所需的{_need_text(method, unit)}，"
                f"改用{_NAMES_ZH[fallback]}"
            )
    blank = np.isnan(mat.values[:, targets])
    for s, j in zip(*np.nonzero((used == "") & blank), strict=True):
        res.alarm[s, j] = np.nan
        note[s, j] = "该期无病例数（未报告或缺失），未作预警判断"
        used[s, j] = "not_reported"
    for s, j in zip(*np.nonzero(used == ""), strict=True):
        have = int(hist[s, targets[j] - 1]) if targets[j] > 0 else 0
        res.alarm[s, j] = np.nan
        note[s, j] = (
            f"历史不足：仅{have}{unit}数据，任何方法都无法判断（至少需3{unit}），未作预警判断"
        )
        used[s, j] = "insufficient_history"
    return res, np.where(used == "", method, used), note


def flag_aberrations(
    counts: pl.DataFrame,
    *,
    method: DetectionMethod = "auto",
    periods: int = 4,
    weeks: list | None = None,
    keys: list[str] | None = None,
    frequency: str | None = None,
    **options,
) -> pl.DataFrame:
    """Flag periods whose counts break from what is expected, per series, for the latest ones.

    Parameters
    ----------
    counts
        Long weekly or monthly counts: ``week_start`` (first day of each period), ``count``
        and key columns (e.g. the output of :func:`aggregate_counts`: ``region_code``,
        ``disease`` and maybe ``age_group``). A period missing inside a series, or with a
        null count, is kept missing: left out of baselines, and judged ``not_reported``
        (alarm null) when it is a period to judge.
    method
        ``"farrington"`` — Farrington et al. (1996) quasi-Poisson GLM on the same ``±w`` weeks
        of the past ``b`` years, trend kept only when significant (p < 0.05) and not
        extrapolating beyond the baseline, past outbreaks down-weighted (Anscombe residuals
        > 1), 2/3-power threshold at ``alpha`` (two-sided, as R ``surveillance``). Known
        differences from R's ``farrington``: the trend is tested with a z-test on the
        dispersion floored at 1 (R: a t-test on the raw dispersion), the refit without the
        trend reuses the weights of the fit with it, and reference weeks are ``round(k ·
        52.18)`` weeks back (R: calendar dates); on the oracle series of
        ``tests/health/oracle`` alarms agree with κ 0.985 and bounds by a median 0.16 %.
        Every seasonal method leaves the Spring Festival weeks out of its baseline by
        default (``exclude_holidays``), as Chinese counts need; pass
        ``exclude_holidays=False`` for series from elsewhere.
        ``"noufaily"`` — Noufaily et al. (2013) improvement: all weeks of the past ``b``
        years except the latest 26 (week t−26 excluded, as R's ``pastWeeksNotIncluded``), a
        10-level seasonal factor, reweighting above 2.58 and a negative-binomial quantile
        threshold taken at the upper confidence limit of the expected count
        (``threshold="muan"``; the limit and the quantile both at the one-sided level
        ``1 − alpha``, as R's ``farringtonFlexible``, but ``alpha`` defaults to 0.025, not
        R's 0.05, which doubles the false alarms of ordinary seasons on the sample city and
        the monthly test series; with ``alpha=0.05`` on the oracle series of
        ``tests/health/oracle`` the bounds are a median 6 % above R's, alarm κ 0.8 — the
        seasonal blocks and reference weeks are still counted in weeks, not R's calendar
        dates; ``"nbPlugin"`` uses the fitted mean itself and,
        ignoring estimation error, signals about twice as often in ordinary seasons here;
        ``"delta"`` is Farrington's 2/3-power rule). ``"moving_percentile"`` — the method of
        China's national automated alert system CIDARS (Yang et al. 2011), which compares the
        count with the same ``±half_window`` weeks of the past ``years`` years (25 weeks),
        made fit for alarms in two steps (see Notes): each past year's weeks are first scaled
        to the current level (``level_adjust``), then the alarm threshold is the
        distribution-free prediction bound at ``alpha`` — the ``k``-th smallest of the ``n``
        comparable weeks, ``k = ⌈(1 − alpha)(n + 1)⌉`` (with 25 weeks and ``alpha`` 0.05,
        their maximum). CIDARS' own percentile (``percentile``, P80) is reported as a
        screening signal in ``note`` (超过同期P80…为筛查信号), never as an alarm. ``"ears_c1"``, ``"ears_c2"``, ``"ears_c3"`` — CDC EARS
        (Hutwagner et al. 2003): mean + 3 sd of the previous 7 weeks (C2, C3: 2 weeks lag;
        C3 sums exceedances ``max(0, z − 1)`` over 3 weeks, alarm above 2; C1 and C2 equal
        R ``surveillance``'s ``earsC`` given its parameters: ``threshold=qnorm(1 − alpha)``,
        ``min_sigma=0``, ``exclude_holidays=False``). Our C3 follows the CDC definition: it
        alarms only when the week's count is above its ``upper_bound``, the count at which
        the 3-week sum passes 2 with the week itself above mean + sd, so an alarm never
        contradicts its bound. R 1.20.3's C3 differs on purpose: its bound is the observed
        count + sd·(zα − the two previous weeks' exceedances), so its alarm depends on the
        two previous weeks alone (default zα = qnorm(0.975)).
        ``"cusum"`` — k = 1.04, h = 2.26.
        ``"auto"`` (default) — ``"farrington"``. ``"all"`` — every method above, stacked.
    periods
        Number of latest periods to judge.
    weeks
        Judge these periods (their first days, as in ``week_start``) instead of the latest
        ``periods`` (e.g. to measure false alarms over past seasons).
    keys
        Series key columns (default: every column but ``week_start`` and ``count``).
    frequency
        ``"week"`` or ``"month"``; detected from the dates by default (every date on the 1st
        of a month: monthly; 7-day steps on any weekday: weekly). Periods per year, "a year
        ago", the windows and the minimum history follow it (see Notes).
    **options
        Method parameters: ``b`` (5), ``w`` (3), ``alpha`` (0.05), ``reweight_threshold``,
        ``limit54`` ((5, 4): no alarm with fewer than 5 cases in the last 4 weeks),
        ``threshold`` (``"delta"``, ``"nbPlugin"``, ``"muan"``),
        ``percentile`` (0.8: screening signal of the moving percentile), ``level_adjust``
        (True), ``years`` (5), ``half_window`` (2), ``min_sigma`` (0.5),
        ``exclude_holidays`` (True: Spring Festival weeks — the week before lunar new year
        to two weeks after — are left out of baselines, since visits drop and rebound).

    Returns
    -------
    pl.DataFrame
        Key columns, ``week_start``, ``observed``, ``expected``, ``upper_bound``, ``alarm``
        (null when no method had enough history or the period has no count), ``method`` (the
        method actually used; ``insufficient_history`` when none could run, ``not_reported``
        when the period has no count) and ``note`` (Chinese: fallbacks, too little history,
        the limit54 rule, Spring Festival weeks, a missing count).

    Notes
    -----
    Expected signal rates in ordinary seasons (sample city ``small``, Nov–Mar of 3 winters,
    4 districts, planted outbreaks left out): Farrington about 4 %, Noufaily about 3 %, the
    moving percentile 2–4 % (seeds 1–3). EARS, without seasonality, fires on every season's rise.

    Why the moving percentile is not CIDARS' bare P80: without an outbreak a count exceeds
    the 80th percentile of 25 comparable weeks about one week in five (measured 20–23 % on the
    sample city) — fine for CIDARS, whose signals are screened by county staff within a day,
    far too many for an alarm. Two documented steps make it an alarm at a stated rate:

    1. *Level adjustment.* The percentile assumes the 25 past weeks and the current week are
       exchangeable; a steady trend (more clinics, more residents, more reporting) makes the
       current week larger than older years' weeks. Each past year's weeks are multiplied by
       the ratio of the series' median weekly count over the 52 weeks ending 4 weeks before
       now to the median over the same calendar weeks that year (Spring Festival weeks left
       out; a median ignores the season and a few outbreak weeks alike).
    2. *Prediction bound.* For ``n`` exchangeable weeks a new ordinary week exceeds their
       ``k``-th smallest with probability ``(n + 1 − k)/(n + 1)``; ``k = ⌈(1 − alpha)(n + 1)⌉``
       keeps that at most ``alpha`` without assuming a distribution. With fewer than
       ``1/alpha − 1`` comparable weeks (e.g. 3 years × 5 weeks) the bound is their maximum
       and the note states the rate, ``1/(n + 1)``.

    Measured on the sample city (seeds 1–3): P80 raised 18–26 % signals (all diseases, all
    weeks of 29 months); for influenza-like illness in winter, P95 without adjustment 6–10 %
    and the bound without adjustment 3.5–8 %; with both steps 1.2–4.6 % (all diseases, all
    weeks), while a 50 % excess over the season is still caught in 25–59 % of weeks
    (Farrington 31–69 %, Noufaily 16–55 %) and the planted outbreak in its first week. A
    Poisson margin on P80 (P80 + 1.645√P80) gave similar rates here but depends on the count's
    scale (too lax for large overdispersed counts, too strict for small ones): not taken. Past outbreaks inside the 25 weeks are not
    down-weighted (as in CIDARS) and raise the bound; Farrington does down-weight them.

    Monthly series (12 periods a year; "``k`` years before" is exactly ``12 k`` months): the
    defaults become ``w = 1`` (Farrington/Noufaily: the same month ±1 of each past year, 15
    baseline months with ``b = 5``), ``past_weeks_not_included = 6`` (Noufaily leaves out
    the latest half year, as 26 weeks do for weekly data), ``half_window = 1`` (moving
    percentile: 15 comparable months) and a level adjustment over 12 months ending a month
    before. ``limit54`` counts periods (no alarm with fewer than 5 cases in the latest 4
    months). EARS and CUSUM work on periods as they come (7 months of baseline for C1).
    Spring Festival months are not left out of monthly baselines: the festival moves between
    January and February, so leaving out the month that holds it would leave out a different
    month each year; its effect stays in the baseline's spread.

    Minimum history: the seasonal methods need 3 years (they use up to ``b`` years when
    present), EARS C1/C2/C3 need 7/9/11 periods, CUSUM 3 periods. A series with less history for
    the requested method falls back down this ladder and says so in ``note``; it never raises
    and never reports a silent "no alarm".

    References
    ----------
    Farrington CP et al. (1996) JRSS A 159:547–563. Noufaily A et al. (2013) Stat Med
    32:1206–1222. Hutwagner L et al. (2003) J Urban Health 80:i89–i96. Yang W et al. (2011)
    China Infectious Disease Automated-alert and Response System (CIDARS), BMC Public Health.
    """
    string_like(method, "method", options=DETECTION_METHODS)
    int_like(periods, "periods", low=1)
    mat = to_matrix(counts, keys=keys, frequency=frequency)
    n_t = len(mat.periods)
    if weeks is None:
        targets = list(range(max(0, n_t - periods), n_t))
    else:
        pos = {w: i for i, w in enumerate(mat.periods)}
        absent = [w for w in weeks if w not in pos]
        if absent:
            msg = (
                f"parameter 'weeks': {absent[:3]} are not first days of {mat.frequency}s "
                f"within the data ({mat.periods[0]} … {mat.periods[-1]})"
            )
            raise ParameterError(msg)
        targets = [pos[w] for w in weeks]
    methods = [m for m in _METHODS] if method == "all" else ["farrington" if method == "auto"
                                                           else method]  # fmt: skip
    frames = []
    for m in methods:
        opts = _options_for(m, options)
        res, used, note = _run_with_ladder(mat, targets, m, opts)
        frames.append(_to_frame(mat, targets, res, used, note))
    return pl.concat(frames)


_OPTION_NAMES = {
    "farrington": {"b", "w", "alpha", "reweight_threshold", "limit54", "min_years",
                   "exclude_holidays", "threshold"},
    "noufaily": {"b", "w", "alpha", "reweight_threshold", "limit54", "min_years",
                 "exclude_holidays", "seasonal_levels", "past_weeks_not_included", "threshold"},
    "moving_percentile": {"years", "half_window", "alpha", "percentile", "level_adjust",
                          "min_years", "exclude_holidays"},
    "ears_c1": {"threshold", "min_sigma", "exclude_holidays"},
    "ears_c2": {"threshold", "min_sigma", "exclude_holidays"},
    "ears_c3": {"threshold", "c3_threshold", "min_sigma", "exclude_holidays"},
    "cusum": {"k", "h", "min_sigma"},
}  # fmt: skip


def _options_for(method: str, options: dict) -> dict:
    known = set().union(*_OPTION_NAMES.values())
    unknown = set(options) - known
    if unknown:
        msg = f"unknown option(s) {sorted(unknown)} for flag_aberrations; known: {sorted(known)}"
        raise ParameterError(msg)
    opts = {k: v for k, v in options.items() if k in _OPTION_NAMES[method]}
    if "limit54" in opts:
        opts["limit54"] = tuple(opts["limit54"])
    return opts


def _to_frame(
    mat: SeriesMatrix, targets: list[int], res: _Result, used: np.ndarray, note: np.ndarray
) -> pl.DataFrame:
    n_s, n_p = res.alarm.shape
    keys = mat.keys.select(pl.all().gather(np.repeat(np.arange(n_s), n_p)))
    weeks = [mat.periods[t] for t in targets] * n_s
    obs = mat.values[:, targets].reshape(-1)
    holiday = np.tile(mat.holiday[targets], n_s)
    note_flat = note.reshape(-1).astype(str)
    note_flat = np.where(
        holiday, np.char.add(note_flat, "（春节前后周，计数受假期影响）"), note_flat
    )
    alarm = res.alarm.reshape(-1)
    return keys.with_columns(
        pl.Series(WEEK, weeks, dtype=pl.Date),
        pl.Series("observed", obs).cast(pl.Int64, strict=False),
        pl.Series("expected", res.expected.reshape(-1)).fill_nan(None),
        pl.Series("upper_bound", res.upper.reshape(-1)).fill_nan(None),
        pl.Series("alarm", [None if np.isnan(a) else bool(a) for a in alarm], dtype=pl.Boolean),
        pl.Series("method", used.reshape(-1).astype(str)),
        pl.Series("note", note_flat),
    )
