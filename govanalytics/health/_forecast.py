"""Probabilistic forecasts 1–4 periods ahead in the forecast-hub quantile format.

Weekly and monthly series alike (the frequency is detected from the dates or given); windows
are in years — 2 for the baseline and Theta, 3 for the GLM — so 104/156 weeks or 24/36 months.
Four members, each fitted to every series at once (no per-series loop):

- ``baseline`` — the FluSight hub baseline: the last observed value as median, spread from the
  past period-to-period changes (symmetrised), by simulated sample paths, truncated at zero.
- ``glm`` — a Poisson GLM with a trend, three Fourier pairs for the season and Spring Festival
  effects, fitted on the last three years (:mod:`govanalytics.health._glm`, equal to
  statsmodels' GLM), plus an AR(1) correction on the log scale that carries the recent level
  forward and fades it. Spring Festival terms — weekly: the week before, of and two weeks
  after lunar new year's day; monthly: the month holding it — are used only where they can
  be identified: every year of the window and horizon has a known festival date
  (:func:`govanalytics.calendar.lunar_new_year`, 1900–2099), the window holds at least two
  festivals, and (monthly) the festival month is not simply one calendar month (January in
  some years of the window, February in others). They carry a ridge penalty (a normal prior
  with sd 1 on the log effect), so a series with zero counts in every festival period gets a
  finite effect and a finite interval, never ``inf``.
- ``theta`` — the Theta method on ``log1p`` counts (simple exponential smoothing with half the
  linear-trend slope as drift; Assimakopoulos & Nikolopoulos 2000, Hyndman & Billah 2003).
- ``gbm`` — the global model (:mod:`govanalytics.health._global`): gradient-boosted trees
  (LightGBM) trained on all series pooled, in growth space, refitted every :data:`REFIT`
  periods with the counts up to the refit; its features are recomputed at each origin.

Missing periods and counts not reported are left out of every fit (never read as zero).
Before a member's quantiles leave the package they are checked finite and plausible (the
99 % quantile at most 1,000 times the series' largest count plus 10); a member that fails the
check for a series is replaced there by the baseline's quantiles. The ensemble is held to
the same cap, and any non-finite value drops its series from the output (no rows) rather than
leaving the package.

``ensemble`` (the default) is a stacked quantile average of the four members with weights per
horizon, shrunk toward equal weights with a floor, then recalibrated per horizon by split
conformal prediction on the members' rolling out-of-sample errors at the latest
:data:`ENSEMBLE_WINDOW` origins (:mod:`govanalytics.health._ensemble`);
:func:`ensemble_weights` reports which member carries it. The result is sorted so that
quantiles never cross, truncated at zero. Member forecasts of past origins are computed once
per call and shared by all origins of a backtest.

Why: on the real provincial CNIDS series (bench/health_real.py: 155 province × disease series,
60 monthly origins 2015–2019) the former default (three members, weights ∝ 1/WIS² per series
over 8 origins) scored relative WIS 0.70/0.69/0.73 (ratio of mean WIS against the flat
member) at horizons 1–3 with 50 % coverage 0.45–0.52; the per-series weights were nearly
equal, so it averaged three baseline-grade members. The global model alone scores
0.47/0.41/0.40 against the flat reference and 0.51/0.70/0.78 against the seasonal naive; the
stacked, recalibrated ensemble 0.47/0.42/0.41 and 0.51/0.71/0.80 with 50 % coverage
0.49–0.51 and 95 % coverage 0.92–0.95 at every horizon, and it keeps the GLM where a pooled
model has little to learn from. It costs about (1 + ENSEMBLE_WINDOW + horizon − 1) fits of the
per-series members and about (ENSEMBLE_WINDOW + horizon) / REFIT + 1 fits of the global model
per forecast.

Seasonal SARIMA(52) costs seconds a series and is left out on purpose.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
from scipy import stats

from govanalytics.errors import ParameterError
from govanalytics.health._ensemble import conformal_factors, recalibrate, stacked_weights
from govanalytics.health._glm import fit_poisson_batch
from govanalytics.health._global import GlobalContext, fit_global, global_context, predict_global
from govanalytics.health._series import (
    SEASON_LENGTH,
    SeriesMatrix,
    quiet_nan,
    shift_period,
    spring_festival_months,
    spring_festival_weeks,
    to_matrix,
)

#: The 23 quantile levels of the CDC FluSight hub.
QUANTILES: tuple[float, ...] = (
    0.01,
    0.025,
    *[round(0.05 * k, 2) for k in range(1, 20)],
    0.975,
    0.99,
)
MODELS = ("baseline", "glm", "theta", "gbm", "ensemble")
#: Members of the default ensemble.
ENSEMBLE_MEMBERS = ("baseline", "glm", "theta", "gbm")
#: Past origins whose out-of-sample errors weight and recalibrate the ensemble.
ENSEMBLE_WINDOW = 12
#: The global model is refitted every this many periods (a forecast from a period between
#: two refits uses the latest fit before it, with the newest counts as features).
REFIT = {"week": 4, "month": 3}
#: Longest horizon by frequency (periods ahead).
MAX_HORIZON = {"week": 8, "month": 12}
#: Fitting windows of the members, in years.
_WINDOW_YEARS = {"baseline": 2, "glm": 3, "theta": 2}
#: Ridge weight on the Spring Festival effects (a normal prior with sd 1 on the log scale).
HOLIDAY_PENALTY = 1.0
_Q = np.array(QUANTILES)
_Z = stats.norm.ppf(_Q)


def _last_observed(y: np.ndarray) -> np.ndarray:
    """Each row's last non-NaN value (NaN for an empty row)."""
    valid = ~np.isnan(y)
    idx = y.shape[1] - 1 - np.argmax(valid[:, ::-1], axis=1)
    last = y[np.arange(y.shape[0]), idx]
    return np.where(valid.any(axis=1), last, np.nan)


def _baseline(y: np.ndarray, horizon: int, rng: np.random.Generator, *, window: int = 104,
              samples: int = 1000, chunk: int = 256) -> np.ndarray:  # fmt: skip
    """FluSight baseline quantiles, ``S × H × Q`` (sample paths drawn ``chunk`` series at a
    time to bound memory)."""
    parts = [
        _baseline_chunk(y[i : i + chunk], horizon, rng, window=window, samples=samples)
        for i in range(0, y.shape[0], chunk)
    ]
    return np.concatenate(parts, axis=0)


def _baseline_chunk(
    y: np.ndarray, horizon: int, rng: np.random.Generator, *, window: int, samples: int
) -> np.ndarray:
    n_s = y.shape[0]
    hist = y[:, -(window + 1) :]
    if hist.shape[1] < 3:  # fewer than two changes: no forecast
        return np.full((n_s, horizon, _Q.size), np.nan)
    diffs = np.diff(hist, axis=1)
    valid = ~np.isnan(diffs)
    n_valid = valid.sum(axis=1)
    # pack valid differences to the left so that uniform indices pick among them
    order = np.argsort(~valid, axis=1, kind="stable")
    packed = np.take_along_axis(np.nan_to_num(diffs), order, axis=1)
    last = _last_observed(y)
    u = rng.random((n_s, samples * horizon))
    pick = np.minimum((u * np.maximum(n_valid, 1)[:, None]).astype(int), packed.shape[1] - 1)
    steps = np.take_along_axis(packed, pick, axis=1).reshape(n_s, samples, horizon)
    steps *= np.where(rng.random((n_s, samples, horizon)) < 0.5, -1.0, 1.0)  # symmetrise
    paths = np.maximum(last[:, None, None] + np.cumsum(steps, axis=2), 0.0)
    q = np.quantile(paths, _Q, axis=1).transpose(1, 2, 0)  # S × H × Q
    med = q[:, :, _Q.size // 2]
    out = q + (last[:, None] - med)[:, :, None]  # centre the median on the last value
    out[n_valid < 2] = np.nan
    return np.maximum(out, 0.0)


def _design(dates: list[dt.date], origin_ord: int) -> np.ndarray:
    """Intercept, trend (years from the origin) and three Fourier pairs of the day of year."""
    ords = np.array([w.toordinal() for w in dates], dtype=float)
    years = (ords - origin_ord) / 365.2425
    doy = np.array([w.timetuple().tm_yday for w in dates], dtype=float)
    cols = [np.ones(len(dates)), years]
    for k in (1, 2, 3):
        ang = 2 * np.pi * k * doy / 365.2425
        cols += [np.sin(ang), np.cos(ang)]
    return np.column_stack(cols)


def holiday_terms(dates: list[dt.date], n_fit: int, frequency: str) -> np.ndarray:
    """Spring Festival columns of the GLM's design, only those the window can identify.

    Weekly: one indicator each for the week before, of, one and two weeks after lunar new
    year's day. Monthly: one indicator for the month holding it. A column is kept only when
    the festival date is known for every year of ``dates`` (else none is: a festival
    silently missed would bias the others), it flags at least two of the first ``n_fit``
    dates (two festivals in the fitting window), and — monthly — it is not simply a calendar
    month there (the festival fell in January in some years and February in others;
    otherwise its effect is the season's).

    Parameters
    ----------
    dates
        Period starts of the fitting window followed by the forecast targets.
    n_fit
        How many of ``dates`` belong to the fitting window.
    frequency
        ``"week"`` or ``"month"``.

    Returns
    -------
    numpy.ndarray
        ``len(dates) × c`` indicators, ``c`` from 0 to 4.
    """
    from govanalytics.calendar import LUNAR_YEARS

    if not dates or any(d.year not in LUNAR_YEARS for d in dates):
        return np.zeros((len(dates), 0))
    if frequency == "month":
        cols = spring_festival_months(dates)[:, None]
        month = np.array([d.month for d in dates[:n_fit]])
        fit = cols[:n_fit, 0]
        mixed = any(len(set(fit[month == m])) > 1 for m in (1, 2))
        keep = [mixed and fit.sum() >= 2]
    else:
        shifted = [
            spring_festival_weeks([d - dt.timedelta(weeks=off) for d in dates], before=0, after=0)
            for off in (-1, 0, 1, 2)
        ]
        cols = np.column_stack(shifted).astype(float)
        keep = [cols[:n_fit, j].sum() >= 2 for j in range(cols.shape[1])]
    return cols[:, np.array(keep, dtype=bool)]


def _glm(
    y: np.ndarray, periods: list[dt.date], horizon: int, *, frequency: str = "week"
) -> np.ndarray:
    """Poisson GLM (trend, Fourier, Spring Festival) + AR(1) log-level correction."""
    season = SEASON_LENGTH[frequency]
    window = _WINDOW_YEARS["glm"] * season
    fit_dates = periods[-window:]
    yy = y[:, -window:]
    future = [shift_period(periods[-1], h, frequency=frequency) for h in range(1, horizon + 1)]
    all_dates = fit_dates + future
    base = _design(all_dates, periods[-1].toordinal())
    hol = holiday_terms(all_dates, len(fit_dates), frequency)
    x_all = np.column_stack([base, hol])
    penalty = np.r_[np.zeros(base.shape[1]), np.full(hol.shape[1], HOLIDAY_PENALTY)]
    used = x_all[: len(fit_dates)].std(axis=0) > 0
    used[0] = True
    x_all, penalty = x_all[:, used], penalty[used]
    x_fit, x_new = x_all[: len(fit_dates)], x_all[len(fit_dates) :]
    w = (~np.isnan(yy)).astype(float)
    fit = fit_poisson_batch(yy, x_fit, w, penalty=penalty)
    mu_fit = fit.mu
    r = np.log((np.nan_to_num(yy) + 0.5) / (mu_fit + 0.5))
    r = np.where(w > 0, r, np.nan)
    r_prev, r_now = r[:, :-1], r[:, 1:]
    both = ~np.isnan(r_prev) & ~np.isnan(r_now)
    with quiet_nan():
        m = np.nanmean(r, axis=1)
        a = np.where(both, r_prev - m[:, None], 0.0)
        b = np.where(both, r_now - m[:, None], 0.0)
        rho = np.clip((a * b).sum(axis=1) / np.maximum((a * a).sum(axis=1), 1e-12), 0.0, 0.95)
        var_r = np.nanvar(r, axis=1)
    mu_new = np.exp(np.clip(fit.beta @ x_new.T, -30, 30))  # S × H
    h = np.arange(1, horizon + 1)
    r_last = np.nan_to_num(r[:, -1])
    mean = np.log(mu_new + 0.5) + (rho[:, None] ** h) * r_last[:, None]
    sd = np.sqrt(np.maximum(var_r[:, None] * (1 - rho[:, None] ** (2 * h)), 1e-6))
    # parameter uncertainty of the GLM mean, on the log scale
    with quiet_nan():  # a degenerate fit (NaN or a negative variance) fails the check below
        se_eta = np.sqrt(
            np.maximum(fit.phi, 1.0)[:, None]
            * np.maximum(np.einsum("hp,spq,hq->sh", x_new, fit.cov_unscaled, x_new), 0.0)
        )
    sd = np.sqrt(sd**2 + se_eta**2)
    out = np.exp(np.clip(mean[..., None] + sd[..., None] * _Z, -30, 30)) - 0.5
    short = w.sum(axis=1) < 2 * season
    out[short] = np.nan
    return np.maximum(out, 0.0)


def _theta(y: np.ndarray, horizon: int, *, window: int = 104) -> np.ndarray:
    """Theta method on log1p counts, alpha chosen per series on a grid by one-step SSE."""
    x = np.log1p(y[:, -window:])
    n_s, n = x.shape
    valid = ~np.isnan(x)
    first = np.argmax(valid, axis=1)
    grid = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
    level = np.where(valid[:, :1], x[:, :1], np.nan).repeat(grid.size, axis=1)  # S × G
    sse = np.zeros((n_s, grid.size))
    cnt = np.zeros(n_s)
    for t in range(n):
        xt = x[:, t]
        ok = valid[:, t]
        start = ok & np.isnan(level[:, 0])
        level[start] = xt[start, None]
        step = ok & ~start
        err = np.where(step[:, None], xt[:, None] - level, 0.0)
        sse += err**2
        cnt += step
        level = np.where(step[:, None], level + grid[None, :] * err, level)
    best = np.argmin(sse, axis=1)
    alpha = grid[best]
    lev = level[np.arange(n_s), best]
    sigma = np.sqrt(sse[np.arange(n_s), best] / np.maximum(cnt - 1, 1))
    tt = np.arange(n, dtype=float)[None, :] - first[:, None]
    tm = np.where(valid, tt, np.nan)
    with quiet_nan():
        tbar = np.nanmean(tm, axis=1)
        xbar = np.nanmean(x, axis=1)
        slope = np.nansum((tm - tbar[:, None]) * (x - xbar[:, None]), axis=1) / np.nansum(
            (tm - tbar[:, None]) ** 2, axis=1
        )
    slope = np.nan_to_num(slope)
    h = np.arange(1, horizon + 1)
    mean = lev[:, None] + 0.5 * slope[:, None] * h
    sd = sigma[:, None] * np.sqrt(1 + (h - 1) * alpha[:, None] ** 2)
    out = np.expm1(np.clip(mean[..., None] + sd[..., None] * _Z, -30, 30))
    out[cnt < 8] = np.nan
    return np.maximum(out, 0.0)


def _members(
    mat: SeriesMatrix,
    origin: int,
    horizon: int,
    wanted: set[str],
    seed: int,
    context: dict[str, object],
) -> dict[str, np.ndarray]:
    """Member forecasts from ``origin``, quantiles sorted; a member without enough history for
    a series, or whose quantiles fail the finite-and-plausible check there, takes the
    baseline's quantiles for that series."""
    y = mat.values[:, : origin + 1]
    periods = mat.periods[: origin + 1]
    season = mat.season
    rng = np.random.default_rng(seed)
    out: dict[str, np.ndarray] = {
        "baseline": _baseline(y, horizon, rng, window=_WINDOW_YEARS["baseline"] * season)
    }
    if "glm" in wanted:
        out["glm"] = _glm(y, periods, horizon, frequency=mat.frequency)
    if "theta" in wanted:
        out["theta"] = _theta(y, horizon, window=_WINDOW_YEARS["theta"] * season)
    if "gbm" in wanted:
        if "ctx" not in context:
            context["ctx"] = global_context(mat, MAX_HORIZON[mat.frequency])
        ctx: GlobalContext = context["ctx"]  # type: ignore[assignment]
        cutoff = origin - origin % REFIT[mat.frequency]  # refitted every REFIT periods
        key = f"fit{cutoff}h{horizon}"
        if key not in context:
            context[key] = fit_global(ctx, cutoff, horizon, seed=seed)  # type: ignore[assignment]
        out["gbm"] = predict_global(context[key], ctx, origin, horizon)  # type: ignore[arg-type]
    cap = _plausible_cap(y)
    for name, q in out.items():
        fails = ~(np.isfinite(q) & (q <= cap[:, None, None])).all(axis=(1, 2))
        q = np.where(fails[:, None, None], out["baseline"], q)
        out[name] = np.maximum(np.sort(q, axis=2), 0.0)
    return out


def _plausible_cap(y: np.ndarray) -> np.ndarray:
    """Per series, the largest plausible quantile: 1,000 × its largest count so far + 10."""
    with quiet_nan():
        cap = 1000.0 * (np.nanmax(np.where(np.isnan(y), -np.inf, y), axis=1) + 10.0)
    return np.where(np.isfinite(cap), cap, np.inf)


def _wis(q: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Weighted interval score of quantiles ``… × Q`` against ``y`` (``…``); NaN where y is."""
    y = y[..., None]
    pinball = np.where(y < q, (1 - _Q) * (q - y), _Q * (y - q))
    return pinball.sum(axis=-1) / ((_Q.size - 1) / 2 + 0.5)


def _past_members(
    mat: SeriesMatrix,
    origin: int,
    horizon: int,
    seed: int,
    cache: dict[int, dict[str, np.ndarray]],
    context: dict[str, object],
    *,
    window: int = ENSEMBLE_WINDOW,
) -> tuple[np.ndarray, np.ndarray]:
    """Member forecasts at the past origins ``origin − horizon − window + 1 … origin − 1``
    (``M × P × S × H × Q``) and the counts observed by ``origin`` at their targets
    (``P × S × H``; NaN where not yet observed or missing)."""
    past = [u for u in range(origin - horizon - window + 1, origin) if u >= 0]
    n_s = mat.values.shape[0]
    stack = np.full((len(ENSEMBLE_MEMBERS), len(past), n_s, horizon, _Q.size), np.nan)
    truth = np.full((len(past), n_s, horizon), np.nan)
    for i, u in enumerate(past):
        if not set(ENSEMBLE_MEMBERS) <= set(cache.get(u, {})):
            cache[u] = _members(mat, u, horizon, set(ENSEMBLE_MEMBERS), seed, context)
        for j, m in enumerate(ENSEMBLE_MEMBERS):
            stack[j, i] = cache[u][m]
        for h in range(1, horizon + 1):
            if u + h <= origin:
                truth[i, :, h - 1] = mat.values[:, u + h]
    return stack, truth


def _ensemble(
    mat: SeriesMatrix,
    origin: int,
    horizon: int,
    seed: int,
    members: dict[str, np.ndarray],
    cache: dict[int, dict[str, np.ndarray]],
    context: dict[str, object],
) -> tuple[np.ndarray, np.ndarray]:
    """Ensemble quantiles ``S × H × Q`` and the member weights ``H × M`` (see
    :mod:`govanalytics.health._ensemble`)."""
    past, truth = _past_members(mat, origin, horizon, seed, cache, context)
    now = np.stack([members[m] for m in ENSEMBLE_MEMBERS])  # M × S × H × Q
    out = np.empty(now.shape[1:])
    weights = np.empty((horizon, len(ENSEMBLE_MEMBERS)))
    base = ENSEMBLE_MEMBERS.index("baseline")
    for h in range(horizon):
        w, _ = stacked_weights(past[:, :, :, h], truth[:, :, h], _Q, reference=base)
        weights[h] = w
        comb_past = np.sort(np.einsum("m,mpsq->psq", w, past[:, :, :, h]), axis=-1)
        factors = conformal_factors(comb_past, truth[:, :, h], _Q)
        comb = np.sort(np.einsum("m,msq->sq", w, now[:, :, h]), axis=-1)
        out[:, h] = recalibrate(comb, factors)
    # a widened interval is still held to the members' plausibility cap
    out = np.minimum(out, _plausible_cap(mat.values[:, : origin + 1])[:, None, None])
    return out, weights


def _forecast_matrix(
    mat: SeriesMatrix,
    origin: int,
    horizon: int,
    models: tuple[str, ...],
    seed: int,
    cache: dict[int, dict[str, np.ndarray]] | None = None,
    context: dict[str, object] | None = None,
) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
    cache = {} if cache is None else cache
    context = {} if context is None else context
    wanted = set(models) | (set(ENSEMBLE_MEMBERS) if "ensemble" in models else set())
    wanted.discard("ensemble")
    if wanted <= set(cache.get(origin, {})):
        out = dict(cache[origin])
    else:
        out = _members(mat, origin, horizon, wanted, seed, context)
        cache[origin] = out
    weights = None
    if "ensemble" in models:
        out["ensemble"], weights = _ensemble(mat, origin, horizon, seed, out, cache, context)
    return {m: out[m] for m in models}, weights


def forecast_counts(
    series: pl.DataFrame,
    *,
    horizon: int = 4,
    models: tuple[str, ...] | list[str] = ("ensemble",),
    origins: list[dt.date] | None = None,
    keys: list[str] | None = None,
    seed: int = 0,
    frequency: str | None = None,
) -> pl.DataFrame:
    """Quantile forecasts 1…``horizon`` periods (weeks or months) ahead for every series.

    Parameters
    ----------
    series
        Long weekly or monthly counts (``week_start`` the first day of each period,
        ``count``, key columns such as ``region_code`` and ``disease``). Missing periods and
        null counts are left out of the fits, never read as zero.
    horizon
        Periods ahead: 1–8 weeks (hubs use up to 4) or 1–12 months.
    models
        Any of ``"baseline"``, ``"glm"``, ``"theta"``, ``"ensemble"`` (default: the ensemble
        only). See the module docstring for each model.
    origins
        Forecast origins (the first day of the last period used); default the last period of
        the data. Each origin uses only the periods up to it.
    keys
        Series key columns (default every column but ``week_start`` and ``count``).
    seed
        Seed of the baseline's sample paths.
    frequency
        ``"week"`` or ``"month"``; detected from the dates by default.

    Notes
    -----
    The ensemble needs forecasts of its members from up to ``8 + horizon - 1`` earlier origins
    (to weight them), so the default costs about 9–12 times one model; a backtest over
    consecutive origins shares them (about one member fit per origin).

    Returns
    -------
    pl.DataFrame
        Key columns, ``model``, ``origin``, ``target`` (first days of periods, dates),
        ``horizon``, ``quantile`` (the 23 FluSight levels) and ``value`` — finite, monotone in
        ``quantile`` and never negative. A series with fewer than two counts up to an origin
        has no forecast from it (no rows).

    References
    ----------
    CDC FluSight forecast hub: quantile format and baseline model; Bracher J et al. (2021)
    Evaluating epidemic forecasts in an interval format, PLoS Comput Biol 17:e1008618. Bates JM,
    Granger CWJ (1969) The combination of forecasts, Oper Res Q 20:451–468. Ray EL et al. (2023)
    Comparing trained and untrained probabilistic ensemble forecasts of COVID-19 cases and deaths
    in the United States, Int J Forecast 39:1366–1383.
    """
    out, _ = _run(series, horizon, tuple(models), origins, keys, seed, frequency)
    return out


def ensemble_weights(
    series: pl.DataFrame,
    *,
    horizon: int = 4,
    origins: list[dt.date] | None = None,
    keys: list[str] | None = None,
    seed: int = 0,
    frequency: str | None = None,
) -> pl.DataFrame:
    """Which member carries the default forecast: the ensemble's weights per origin and horizon.

    Parameters
    ----------
    series, horizon, origins, keys, seed, frequency
        As in :func:`forecast_counts`.

    Returns
    -------
    pl.DataFrame
        ``origin``, ``horizon``, ``model`` (each member of the ensemble) and ``weight``
        (summing to 1 per origin and horizon), sorted.
    """
    _, weights = _run(series, horizon, ("ensemble",), origins, keys, seed, frequency)
    return weights


def _run(
    series: pl.DataFrame,
    horizon: int,
    models: tuple[str, ...],
    origins: list[dt.date] | None,
    keys: list[str] | None,
    seed: int,
    frequency: str | None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    bad = [m for m in models if m not in MODELS]
    if bad or not models:
        msg = f"parameter 'models': unknown {bad}; choose from {MODELS}"
        raise ParameterError(msg)
    mat = to_matrix(series, keys=keys, frequency=frequency)
    top = MAX_HORIZON[mat.frequency]
    if not isinstance(horizon, int) or isinstance(horizon, bool) or not 1 <= horizon <= top:
        msg = (
            f"parameter 'horizon' must be an integer from 1 to {top} ({mat.frequency}s ahead), "
            f"got {horizon!r}"
        )
        raise ParameterError(msg)
    pos = {w: i for i, w in enumerate(mat.periods)}
    if origins is None:
        origins = [mat.periods[-1]]
    missing = [o for o in origins if o not in pos]
    if missing:
        msg = (
            f"parameter 'origins': {missing[:3]} are not first days of {mat.frequency}s of "
            f"the data ({mat.periods[0]} … {mat.periods[-1]})"
        )
        raise ParameterError(msg)
    frames = []
    n_s, n_q = mat.values.shape[0], _Q.size
    cache: dict[int, dict[str, np.ndarray]] = {}  # member forecasts by origin, shared
    context: dict[str, object] = {}  # the global model's features, computed once
    weight_rows: list[tuple[dt.date, int, str, float]] = []
    for origin in sorted(origins):
        res, w = _forecast_matrix(mat, pos[origin], horizon, models, seed, cache, context)
        if w is not None:
            weight_rows += [
                (origin, h + 1, m, float(w[h, j]))
                for h in range(horizon)
                for j, m in enumerate(ENSEMBLE_MEMBERS)
            ]
        targets = {
            k: shift_period(origin, k, frequency=mat.frequency) for k in range(1, horizon + 1)
        }
        oldest = pos[origin] - horizon - ENSEMBLE_WINDOW + 2  # needed by the next origin
        for u in [u for u in cache if u < oldest]:
            del cache[u]
        for model, q in res.items():
            keys_rep = mat.keys.select(pl.all().gather(np.repeat(np.arange(n_s), horizon * n_q)))
            h = np.tile(np.repeat(np.arange(1, horizon + 1), n_q), n_s)
            frames.append(
                keys_rep.with_columns(
                    pl.lit(model).alias("model"),
                    pl.lit(origin).alias("origin"),
                    pl.Series("target", [targets[int(k)] for k in h], dtype=pl.Date),
                    pl.Series("horizon", h, dtype=pl.Int64),
                    pl.Series("quantile", np.tile(_Q, n_s * horizon)),
                    # a non-finite value never leaves: its series is dropped below
                    pl.Series("value", np.where(np.isfinite(q), q, np.nan).reshape(-1)),
                )
            )
    out = pl.concat(frames)
    complete = pl.col("value").is_not_nan().all().over([*mat.key_columns, "model", "origin"])
    weights = pl.DataFrame(
        weight_rows,
        schema={"origin": pl.Date, "horizon": pl.Int64, "model": pl.String, "weight": pl.Float64},
        orient="row",
    ).sort("origin", "horizon", "model")
    return out.filter(complete), weights


def sum_forecasts(forecasts: pl.DataFrame, *, parts: str, total: str) -> pl.DataFrame:
    """Add region totals to part forecasts so that every quantile of the total is the sum of
    the parts' quantiles (bottom-up, comonotone).

    Summing quantiles is exact when the parts move together (counts in districts of one city
    rise and fall with the same season) and gives the widest honest interval otherwise; the
    total is never negative and its median is the sum of the parts' medians.

    Parameters
    ----------
    forecasts
        Output of :func:`forecast_counts` with a part column ``parts`` (e.g. ``region_code``).
    parts
        The part key column.
    total
        Value written into ``parts`` for the total rows, e.g. the city code.
    """
    other = [c for c in forecasts.columns if c not in (parts, "value")]
    tot = (
        forecasts.group_by(other)
        .agg(pl.col("value").sum())
        .with_columns(pl.lit(total).alias(parts))
    )
    return pl.concat([forecasts, tot.select(forecasts.columns)]).sort(
        [c for c in forecasts.columns if c not in ("value", "quantile")] + ["quantile"]
    )
