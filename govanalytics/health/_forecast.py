"""Probabilistic forecasts 1–4 weeks ahead in the forecast-hub quantile format.

Three fast models, each fitted to every series at once (no per-series loop):

- ``baseline`` — the FluSight hub baseline: the last value as median, spread from the past
  week-to-week changes (symmetrised), by simulated sample paths, truncated at zero.
- ``glm`` — a Poisson GLM with a trend, three Fourier pairs for the season and Spring Festival
  week effects, fitted on the last three years (:mod:`govanalytics.health._glm`, equal to
  statsmodels' GLM), plus an AR(1) correction on the log scale that carries the recent level
  forward and fades it.
- ``theta`` — the Theta method on ``log1p`` counts (simple exponential smoothing with half the
  linear-trend slope as drift; Assimakopoulos & Nikolopoulos 2000, Hyndman & Billah 2003).

``ensemble`` (the default) is the quantile median of the three (Vincentisation), sorted so that
quantiles never cross, truncated at zero. Seasonal SARIMA(52) costs seconds a series and is left
out on purpose.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
from scipy import stats

from govanalytics.errors import ParameterError
from govanalytics.health._glm import fit_poisson_batch
from govanalytics.health._series import SeriesMatrix, quiet_nan, to_matrix

#: The 23 quantile levels of the CDC FluSight hub.
QUANTILES: tuple[float, ...] = (
    0.01,
    0.025,
    *[round(0.05 * k, 2) for k in range(1, 20)],
    0.975,
    0.99,
)
MODELS = ("baseline", "glm", "theta", "ensemble")
_Q = np.array(QUANTILES)
_Z = stats.norm.ppf(_Q)


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
    diffs = np.diff(hist, axis=1)
    valid = ~np.isnan(diffs)
    n_valid = valid.sum(axis=1)
    # pack valid differences to the left so that uniform indices pick among them
    order = np.argsort(~valid, axis=1, kind="stable")
    packed = np.take_along_axis(np.nan_to_num(diffs), order, axis=1)
    last = y[:, -1]
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


def _design(weeks: list[dt.date], origin_ord: int, holiday_offsets: np.ndarray) -> np.ndarray:
    ords = np.array([w.toordinal() for w in weeks], dtype=float)
    years = (ords - origin_ord) / 365.2425
    doy = np.array([w.timetuple().tm_yday for w in weeks], dtype=float)
    cols = [np.ones(len(weeks)), years]
    for k in (1, 2, 3):
        ang = 2 * np.pi * k * doy / 365.2425
        cols += [np.sin(ang), np.cos(ang)]
    for off in (-1, 0, 1, 2):
        cols.append((holiday_offsets == off).astype(float))
    return np.column_stack(cols)


def _sf_offsets(weeks: list[dt.date]) -> np.ndarray:
    """Week offset from the Spring Festival week (-1 … 2), else 99."""
    from govanalytics.calendar import SPRING_FESTIVAL

    sf = {d - dt.timedelta(days=d.weekday()): 0 for d in SPRING_FESTIVAL.values()}
    out = np.full(len(weeks), 99)
    for i, w in enumerate(weeks):
        for off in (-1, 0, 1, 2):
            if (w - dt.timedelta(weeks=off)) in sf:
                out[i] = off
    return out


def _glm(y: np.ndarray, weeks: list[dt.date], horizon: int, *, window: int = 156) -> np.ndarray:
    """Poisson GLM (trend, Fourier, Spring Festival) + AR(1) log-level correction."""
    fit_weeks = weeks[-window:]
    yy = y[:, -window:]
    future = [weeks[-1] + dt.timedelta(weeks=h) for h in range(1, horizon + 1)]
    all_weeks = fit_weeks + future
    offsets = _sf_offsets(all_weeks)
    x_all = _design(all_weeks, weeks[-1].toordinal(), offsets)
    used = x_all[: len(fit_weeks)].std(axis=0) > 0
    used[0] = True
    x_all = x_all[:, used]
    x_fit, x_new = x_all[: len(fit_weeks)], x_all[len(fit_weeks) :]
    w = (~np.isnan(yy)).astype(float)
    fit = fit_poisson_batch(yy, x_fit, w)
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
    se_eta = np.sqrt(
        np.maximum(fit.phi, 1.0)[:, None]
        * np.einsum("hp,spq,hq->sh", x_new, fit.cov_unscaled, x_new)
    )
    sd = np.sqrt(sd**2 + se_eta**2)
    out = np.exp(mean[..., None] + sd[..., None] * _Z) - 0.5
    short = w.sum(axis=1) < 104
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
    out = np.expm1(mean[..., None] + sd[..., None] * _Z)
    out[cnt < 8] = np.nan
    return np.maximum(out, 0.0)


def _forecast_matrix(
    mat: SeriesMatrix, origin: int, horizon: int, models: tuple[str, ...], seed: int
) -> dict[str, np.ndarray]:
    y = mat.values[:, : origin + 1]
    weeks = mat.weeks[: origin + 1]
    rng = np.random.default_rng(seed)
    out: dict[str, np.ndarray] = {"baseline": _baseline(y, horizon, rng)}
    wanted = set(models) | ({"glm", "theta"} if "ensemble" in models else set())
    if "glm" in wanted:
        out["glm"] = _glm(y, weeks, horizon)
    if "theta" in wanted:
        out["theta"] = _theta(y, horizon)
    if "ensemble" in models:
        stack = np.stack([out["baseline"], out["glm"], out["theta"]])
        with quiet_nan():
            ens = np.nanmedian(stack, axis=0) if stack.shape[0] else stack
        out["ensemble"] = ens
    for name, q in out.items():
        # members without enough history fall back to the baseline; then keep quantiles sorted
        q = np.where(np.isnan(q), out["baseline"], q)
        out[name] = np.maximum(np.sort(q, axis=2), 0.0)
    return {m: out[m] for m in models}


def forecast_counts(
    series: pl.DataFrame,
    *,
    horizon: int = 4,
    models: tuple[str, ...] | list[str] = ("ensemble",),
    origins: list[dt.date] | None = None,
    keys: list[str] | None = None,
    seed: int = 0,
) -> pl.DataFrame:
    """Quantile forecasts 1…``horizon`` weeks ahead for every series.

    Parameters
    ----------
    series
        Long weekly counts (``week_start`` Mondays, ``count``, key columns such as
        ``region_code`` and ``disease``).
    horizon
        Weeks ahead (1–8; hubs use up to 4).
    models
        Any of ``"baseline"``, ``"glm"``, ``"theta"``, ``"ensemble"`` (default: the ensemble
        only). See the module docstring for each model.
    origins
        Forecast origins (the Monday of the last week used); default the last week of the data.
        Each origin uses only the weeks up to it.
    keys
        Series key columns (default every column but ``week_start`` and ``count``).
    seed
        Seed of the baseline's sample paths.

    Returns
    -------
    pl.DataFrame
        Key columns, ``model``, ``origin``, ``target`` (Mondays, dates), ``horizon``,
        ``quantile`` (the 23 FluSight levels) and ``value`` — monotone in ``quantile`` and never
        negative.

    References
    ----------
    CDC FluSight forecast hub: quantile format and baseline model; Bracher J et al. (2021)
    Evaluating epidemic forecasts in an interval format, PLoS Comput Biol 17:e1008618.
    """
    if not isinstance(horizon, int) or not 1 <= horizon <= 8:
        msg = f"parameter 'horizon' must be an integer from 1 to 8, got {horizon!r}"
        raise ParameterError(msg)
    bad = [m for m in models if m not in MODELS]
    if bad or not models:
        msg = f"parameter 'models': unknown {bad}; choose from {MODELS}"
        raise ParameterError(msg)
    mat = to_matrix(series, keys=keys)
    pos = {w: i for i, w in enumerate(mat.weeks)}
    if origins is None:
        origins = [mat.weeks[-1]]
    missing = [o for o in origins if o not in pos]
    if missing:
        msg = f"parameter 'origins': {missing[:3]} are not weeks (Mondays) of the data"
        raise ParameterError(msg)
    frames = []
    n_s, n_q = mat.values.shape[0], _Q.size
    for origin in origins:
        res = _forecast_matrix(mat, pos[origin], horizon, tuple(models), seed)
        for model, q in res.items():
            keys_rep = mat.keys.select(pl.all().gather(np.repeat(np.arange(n_s), horizon * n_q)))
            h = np.tile(np.repeat(np.arange(1, horizon + 1), n_q), n_s)
            frames.append(
                keys_rep.with_columns(
                    pl.lit(model).alias("model"),
                    pl.lit(origin).alias("origin"),
                    pl.Series("target", [origin + dt.timedelta(weeks=int(k)) for k in h]),
                    pl.Series("horizon", h, dtype=pl.Int64),
                    pl.Series("quantile", np.tile(_Q, n_s * horizon)),
                    pl.Series("value", q.reshape(-1)),
                )
            )
    return pl.concat(frames)


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
