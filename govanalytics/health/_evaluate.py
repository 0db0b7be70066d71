"""Rolling-origin backtests scored by weighted interval score (WIS) and interval coverage.

Skill is reported against two reference forecasts defined as in forecast-hub evaluations
(:func:`reference_forecasts`), both in the 23-quantile format and using every count up to
the origin:

- ``flat`` — the last observed count as median, spread from the empirical distribution of
  all past one-period changes (symmetrised, summed along sample paths for longer horizons,
  truncated at zero): the FluSight hub baseline;
- ``seasonal_naive`` — the count one season (52 weeks, 12 months) before the target plus
  the empirical quantiles of all past one-season changes, truncated at zero.

``relative_wis_flat`` and ``relative_wis_seasonal_naive`` are geometric means over series of
the ratio of a model's mean WIS to the reference's mean WIS on the same targets (Cramer et
al. 2022's relative WIS, pairwise against one reference), so a large region does not
outvote a small one.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from govanalytics.errors import InsufficientDataError, ParameterError
from govanalytics.health._forecast import QUANTILES, _baseline, forecast_counts
from govanalytics.health._series import detect_frequency, quiet_nan, shift_period, to_matrix

#: Reference forecasts the backtest scores skill against.
REFERENCES: tuple[str, ...] = ("flat", "seasonal_naive")

#: Number of central intervals in the 23 FluSight quantiles (plus the median).
_K = (len(QUANTILES) - 1) // 2


def score_forecasts(forecasts: pl.DataFrame, observed: pl.DataFrame, *,
                    keys: list[str]) -> pl.DataFrame:  # fmt: skip
    """Score every forecast (one row per key × model × origin × horizon) against the truth.

    WIS = (1 / (K + ½)) · Σ_τ 2·pinball_τ / 2 over the 23 quantiles, which equals Bracher et
    al.'s (2021) ½|y − median| + Σ_k α_k/2 · IS_αk form with K = 11 intervals.

    Parameters
    ----------
    forecasts
        Output of :func:`forecast_counts`.
    observed
        Long counts with ``week_start`` (first day of each period), ``count`` and ``keys``.
    keys
        Series key columns shared by both.

    Returns
    -------
    pl.DataFrame
        Keys, ``model``, ``origin``, ``target``, ``horizon``, ``observed``, ``wis``,
        ``covered_50``, ``covered_95``. Targets without an observation (no row, or a null
        count: not reported) are dropped.
    """
    obs = observed.select([*keys, pl.col("week_start").alias("target"), "count"]).filter(
        pl.col("count").is_not_null()
    )
    joined = forecasts.join(obs, on=[*keys, "target"], how="inner")
    y, q, tau = pl.col("count").cast(pl.Float64), pl.col("value"), pl.col("quantile")
    pinball = pl.when(y < q).then((1 - tau) * (q - y)).otherwise(tau * (y - q))
    group = [*keys, "model", "origin", "target", "horizon"]

    def at(level: float) -> pl.Expr:
        return pl.col("value").filter((pl.col("quantile") - level).abs() < 1e-9).first()

    return (
        joined.group_by(group)
        .agg(
            pl.col("count").first().alias("observed"),
            (pinball.sum() / (_K + 0.5)).alias("wis"),
            ((y >= at(0.25)) & (y <= at(0.75))).first().alias("covered_50"),
            ((y >= at(0.025)) & (y <= at(0.975))).first().alias("covered_95"),
        )
        .sort(group)
    )


def _seasonal_naive(y: np.ndarray, horizon: int, season: int) -> np.ndarray:
    """``S × H × Q``: the count a season before each target + quantiles of past season-changes."""
    n_s, n_t = y.shape
    q = np.array(QUANTILES)
    out = np.full((n_s, horizon, q.size), np.nan)
    if n_t <= season:
        return out
    changes = y[:, season:] - y[:, :-season]
    enough = (~np.isnan(changes)).sum(axis=1) >= 2
    with quiet_nan():
        spread = np.nanquantile(changes, q, axis=1).T  # S × Q
    for h in range(1, horizon + 1):
        anchor = y[:, n_t - 1 + h - season]
        out[:, h - 1] = anchor[:, None] + spread
    out[~enough] = np.nan
    return np.maximum(out, 0.0)


def reference_forecasts(
    series: pl.DataFrame,
    *,
    origins: list[dt.date],
    horizon: int,
    keys: list[str] | None = None,
    frequency: str | None = None,
    seed: int = 0,
) -> pl.DataFrame:
    """The reference forecasts ``flat`` and ``seasonal_naive`` (module docstring), from
    each origin with only the counts up to it.

    Parameters
    ----------
    series
        Long weekly or monthly counts (``week_start``, ``count``, key columns).
    origins
        First days of the last periods used.
    horizon
        Periods ahead (at most one season).
    keys
        Series key columns (default every column but ``week_start`` and ``count``).
    frequency
        ``"week"`` or ``"month"``; detected from the dates by default.
    seed
        Seed of the flat reference's sample paths.

    Returns
    -------
    pl.DataFrame
        The format of :func:`~govanalytics.health.forecast_counts` with ``model`` ``"flat"``
        or ``"seasonal_naive"``; a series without two past changes (or, for the seasonal
        naive, without the count a season before a target) has no rows for that origin.
    """
    mat = to_matrix(series, keys=keys, frequency=frequency)
    pos = {w: i for i, w in enumerate(mat.periods)}
    n_s, q = mat.values.shape[0], np.array(QUANTILES)
    frames = []
    for origin in sorted(origins):
        y = mat.values[:, : pos[origin] + 1]
        rng = np.random.default_rng(seed)
        found = {
            "flat": _baseline(y, horizon, rng, window=y.shape[1], samples=2000),
            "seasonal_naive": _seasonal_naive(y, horizon, mat.season),
        }
        targets = [shift_period(origin, k, frequency=mat.frequency) for k in range(1, horizon + 1)]
        rep = mat.keys.select(pl.all().gather(np.repeat(np.arange(n_s), horizon * q.size)))
        h = np.tile(np.repeat(np.arange(1, horizon + 1), q.size), n_s)
        for model, values in found.items():
            frames.append(
                rep.with_columns(
                    pl.lit(model).alias("model"),
                    pl.lit(origin).alias("origin"),
                    pl.Series("target", [targets[k - 1] for k in h], dtype=pl.Date),
                    pl.Series("horizon", h, dtype=pl.Int64),
                    pl.Series("quantile", np.tile(q, n_s * horizon)),
                    pl.Series("value", values.reshape(-1)),
                )
            )
    out = pl.concat(frames)
    complete = (
        pl.col("value").is_not_nan().all().over([*mat.key_columns, "model", "origin", "horizon"])
    )
    return out.filter(complete)


def relative_skill(
    scored: pl.DataFrame, *, keys: list[str], reference: str, by: list[str] | None = None
) -> pl.DataFrame:
    """Relative WIS of every model against ``reference``: the geometric mean over series of
    (model's mean WIS) / (reference's mean WIS), both over the targets both forecast.

    Parameters
    ----------
    scored
        Output of :func:`score_forecasts` holding the reference's rows too.
    keys
        Series key columns.
    reference
        The reference model, e.g. ``"flat"``.
    by
        Key columns to report by (besides ``model`` and ``horizon``); default none.

    Returns
    -------
    pl.DataFrame
        ``model``, ``horizon``, the ``by`` columns, ``relative_wis`` and ``series`` (series
        with a positive reference WIS; a series the reference forecast perfectly — all
        zeros, say — has no ratio and is left out).
    """
    by = by or []
    ref = scored.filter(pl.col("model") == reference).select(
        [*keys, "origin", "horizon", pl.col("wis").alias("_ref")]
    )
    per_series = (
        scored.join(ref, on=[*keys, "origin", "horizon"], how="inner")
        .group_by(["model", "horizon", *keys])
        .agg(pl.col("wis").mean(), pl.col("_ref").mean())
        .filter(pl.col("_ref") > 0)
    )
    return (
        per_series.group_by(["model", "horizon", *by])
        .agg(
            (pl.col("wis") / pl.col("_ref")).log().mean().exp().alias("relative_wis"),
            pl.len().alias("series"),
        )
        .sort(["model", "horizon", *by])
    )


def backtest_origins(
    weeks: list[dt.date], origins: int | list, *, frequency: str = "week"
) -> list[dt.date]:
    """Resolve ``origins``: a number N (the N periods before the last) or a list of dates.

    Parameters
    ----------
    weeks
        First days of the periods of the data, sorted.
    origins
        A number of origins, or dates (or ISO strings); a date is moved back to the first day
        of its period (the 1st of its month, or the period start of its week).
    frequency
        ``"week"`` or ``"month"``.

    Returns
    -------
    list of datetime.date
        The origins, sorted.
    """
    unit = "weeks" if frequency == "week" else "months"
    if isinstance(origins, int):
        if origins < 1:
            msg = f"parameter 'backtest_origins' must be ≥ 1, got {origins}"
            raise ParameterError(msg)
        if len(weeks) < origins + 2:
            msg = f"backtest needs at least {origins + 2} {unit} of data, have {len(weeks)}"
            raise InsufficientDataError(msg)
        return list(weeks[-origins - 1 : -1])
    out = []
    have = set(weeks)
    for o in origins:
        d = dt.date.fromisoformat(o) if isinstance(o, str) else o
        if frequency == "month":
            d = d.replace(day=1)
        else:
            d = d - dt.timedelta(days=(d - weeks[0]).days % 7)
        if d not in have or d == weeks[-1]:
            msg = (
                f"parameter 'backtest_origins': {o} is not in a {frequency} before the last "
                f"of the data ({weeks[0]} … {weeks[-1]})"
            )
            raise ParameterError(msg)
        out.append(d)
    return sorted(set(out))


def backtest(
    series: pl.DataFrame,
    *,
    origins: int | list = 8,
    horizon: int = 4,
    models: tuple[str, ...] = ("baseline", "glm", "theta", "ensemble"),
    keys: list[str] | None = None,
    by: tuple[str, ...] = ("region_code",),
    frequency: str | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rolling-origin backtest: forecast from each origin with only the data up to it, score.

    Parameters
    ----------
    series
        Long weekly or monthly counts (``week_start``, ``count``, key columns).
    origins
        Number of most recent origins (the periods before the last) or a list of dates.
    horizon, models
        As in :func:`forecast_counts`; ``"baseline"`` is always included (relative WIS).
    keys
        Series key columns (default every column but ``week_start`` and ``count``).
    by
        Columns (of the keys) to report scores by, besides ``model`` and ``horizon``.
    frequency
        ``"week"`` or ``"month"``; detected from the dates by default.

    Returns
    -------
    (forecasts, scores)
        All backtest forecasts (long quantile format) and a table with ``model``,
        ``horizon``, the ``by`` columns, ``wis`` (mean), ``relative_wis`` (mean WIS over
        the baseline member's on the same targets), ``coverage_50``, ``coverage_95``, ``n``,
        and ``relative_wis_flat`` / ``relative_wis_seasonal_naive`` (geometric mean over
        series of WIS ratios against the reference forecasts, module docstring). The
        forecasts and scores include the references as models ``"flat"`` and
        ``"seasonal_naive"``. Rows with ``region_code`` = ``"all"`` summarise all regions.
    """
    if keys is None:
        keys = [c for c in series.columns if c not in ("week_start", "count")]
    freq = detect_frequency(series["week_start"], frequency=frequency)
    weeks = series["week_start"].unique().sort().to_list()
    chosen = backtest_origins(weeks, origins, frequency=freq)
    members = tuple(dict.fromkeys(("baseline", *models)))
    fc = forecast_counts(
        series, horizon=horizon, models=members, origins=chosen, keys=keys, frequency=freq
    )
    refs = reference_forecasts(
        series, origins=chosen, horizon=horizon, keys=keys, frequency=freq
    ).select(fc.columns)
    scored = score_forecasts(pl.concat([fc, refs]), series, keys=keys)
    by_cols = [c for c in by if c in keys]
    parts = [scored]
    if by_cols:
        parts.append(scored.with_columns([pl.lit("all").alias(c) for c in by_cols]))
    both = pl.concat(parts)
    scores = _summarise(both, by_cols)
    for name in REFERENCES:
        col = f"relative_wis_{name}"
        found = [relative_skill(scored, keys=keys, reference=name, by=by_cols)]
        if by_cols:  # over all series, not over the "all" copy (whose keys collapse)
            overall = relative_skill(scored, keys=keys, reference=name)
            found.append(overall.with_columns([pl.lit("all").alias(c) for c in by_cols]))
        skill = pl.concat([f.select("model", "horizon", *by_cols, "relative_wis") for f in found])
        scores = scores.join(
            skill.rename({"relative_wis": col}), on=["model", "horizon", *by_cols], how="left"
        )
    return pl.concat([fc, refs]), scores


def _summarise(scored: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    group = ["model", "horizon", *by]
    agg = scored.group_by(group).agg(
        pl.col("wis").mean(),
        pl.col("covered_50").mean().alias("coverage_50"),
        pl.col("covered_95").mean().alias("coverage_95"),
        pl.len().alias("n"),
    )
    base = agg.filter(pl.col("model") == "baseline").select(
        [*group[1:], pl.col("wis").alias("_base")]
    )
    return (
        agg.join(base, on=group[1:], how="left")
        .with_columns((pl.col("wis") / pl.col("_base")).alias("relative_wis"))
        .drop("_base")
        .select([*group, "wis", "relative_wis", "coverage_50", "coverage_95", "n"])
        .sort(group)
    )
