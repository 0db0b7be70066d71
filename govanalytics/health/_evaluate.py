"""Rolling-origin backtests scored by weighted interval score (WIS) and interval coverage."""

from __future__ import annotations

import datetime as dt

import polars as pl

from govanalytics.errors import InsufficientDataError, ParameterError
from govanalytics.health._forecast import QUANTILES, forecast_counts
from govanalytics.health._series import detect_frequency

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
        the baseline's on the same targets), ``coverage_50``, ``coverage_95`` and ``n``.
        Rows with ``region_code`` = ``"all"`` summarise all regions.
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
    scored = score_forecasts(fc, series, keys=keys)
    by_cols = [c for c in by if c in keys]
    parts = [scored]
    if by_cols:
        parts.append(scored.with_columns([pl.lit("all").alias(c) for c in by_cols]))
    scores = _summarise(pl.concat(parts), by_cols)
    return fc, scores


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
