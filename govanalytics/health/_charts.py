"""Per-region forecast bands with the alarm threshold (预测区间与预警阈值图)."""

from __future__ import annotations

import polars as pl
from matplotlib.figure import Figure

from govanalytics.charts import (
    ChartFigure,
    chinese_dates,
    story_axes,
    use_chinese_font,
)
from govanalytics.errors import ParameterError
from govanalytics.health._series import PERIOD_WORDS

_LEVELS = {"q025": 0.025, "q25": 0.25, "q50": 0.5, "q75": 0.75, "q975": 0.975}


def _bands(forecasts: pl.DataFrame) -> pl.DataFrame:
    """Targets with the five quantiles drawn, one row per region × target."""
    level = (
        pl.col("quantile")
        .round(3)
        .replace_strict({v: k for k, v in _LEVELS.items()}, default=None, return_dtype=pl.String)
    )
    return (
        forecasts.with_columns(level.alias("_level"))
        .filter(pl.col("_level").is_not_null())
        .pivot(on="_level", index=["region_code", "target"], values="value")
        .sort("region_code", "target")
    )


def forecast_band_figure(
    history: pl.DataFrame,
    forecasts: pl.DataFrame,
    alarms: pl.DataFrame | None = None,
    *,
    regions: list[str],
    names: dict[str, str] | None = None,
    title: str = "",
    frequency: str = "week",
    columns: int = 3,
) -> Figure:
    """One panel per region: observed counts, the forecast's 50 % and 95 % bands and median,
    and the alarm threshold of the detection method with the periods that alarmed.

    Parameters
    ----------
    history
        Observed counts of one disease: ``region_code``, ``week_start``, ``count`` (counts
        withheld under the disclosure rule are null and not drawn).
    forecasts
        Quantile forecasts of one model and origin (:func:`forecast_counts` format):
        ``region_code``, ``target``, ``quantile``, ``value``.
    alarms
        Detection results (:func:`flag_aberrations` format, possibly published):
        ``region_code``, ``week_start``, ``upper_bound``, ``alarm``; None draws no threshold.
    regions
        Region codes to draw, one panel each, in this order (at most 12).
    names
        Region code to the name shown as the panel title.
    title
        Figure title (Chinese).
    frequency
        ``"week"`` or ``"month"`` (axis wording).
    columns
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure
        Not attached to pyplot; ``fig.savefig(path)`` or ``display(fig)``.
    """
    if not regions or len(regions) > 12:
        msg = f"parameter 'regions' must name 1 to 12 regions, got {len(regions)}"
        raise ParameterError(msg)
    use_chinese_font()
    names = names or {}
    words = PERIOD_WORDS[frequency]
    n_cols = min(columns, len(regions))
    n_rows = -(-len(regions) // n_cols)
    fig = ChartFigure(figsize=(4.2 * n_cols, 3.0 * n_rows + 0.6), layout="constrained")
    bands = _bands(forecasts) if not forecasts.is_empty() else pl.DataFrame()
    for i, code in enumerate(regions):
        ax = fig.add_subplot(n_rows, n_cols, i + 1)
        seen = history.filter(pl.col("region_code") == code).sort("week_start")
        ax.plot(seen["week_start"].to_list(), seen["count"].to_list(), color="#1f4e79",
                linewidth=1.5, label="实际病例")  # fmt: skip
        if not bands.is_empty():
            fc = bands.filter(pl.col("region_code") == code)
            if not fc.is_empty() and all(c in fc.columns for c in _LEVELS):
                x = fc["target"].to_numpy()
                ax.fill_between(x, fc["q025"].to_list(), fc["q975"].to_list(),
                                color="#f4a261", alpha=0.25, linewidth=0, label="95%预测区间")  # fmt: skip
                ax.fill_between(x, fc["q25"].to_list(), fc["q75"].to_list(),
                                color="#e76f51", alpha=0.35, linewidth=0, label="50%预测区间")  # fmt: skip
                ax.plot(x, fc["q50"].to_list(), color="#e76f51", linestyle="--", linewidth=1.2,
                        label="预测中位数")  # fmt: skip
        if alarms is not None and not alarms.is_empty():
            al = alarms.filter(pl.col("region_code") == code).sort("week_start")
            ax.step(al["week_start"].to_list(), al["upper_bound"].to_list(), where="mid",
                    color="#c1121f", linewidth=1.0, linestyle=":", label="预警阈值")  # fmt: skip
            hit = al.filter(pl.col("alarm").fill_null(False))
            if "observed" in hit.columns:
                hit = hit.filter(pl.col("observed").is_not_null())  # withheld: not drawn
            if not hit.is_empty() and "observed" in hit.columns:
                ax.scatter(hit["week_start"].to_list(), hit["observed"].to_list(),
                           color="#c1121f", zorder=3, s=18, label="预警")  # fmt: skip
        ax.set_title(names.get(code, code), fontsize=10)
        chinese_dates(ax, maxticks=5)
        ax.tick_params(axis="x", labelsize=8)
        ax.tick_params(axis="y", labelsize=8)
        ax.set_ylim(bottom=0)
        if i == 0:
            ax.legend(fontsize=8, loc="upper left")
    fig.supxlabel(words["name"], fontsize=9)
    fig.supylabel("病例数", fontsize=9)
    if title:
        fig.suptitle(title, fontsize=12)
    return fig


def _one_forecast(forecasts: pl.DataFrame, region_code: str, disease: str) -> pl.DataFrame:
    """Quantile bands of the latest origin of one model (ensemble first) for one series."""
    fc = forecasts.rename({"region": "region_code"}) if "region" in forecasts.columns else forecasts
    if "region_code" not in fc.columns:
        return pl.DataFrame()
    fc = fc.filter(pl.col("region_code") == region_code)
    if "disease" in fc.columns:
        fc = fc.filter(pl.col("disease") == disease)
    if fc.is_empty():
        return fc
    if "model" in fc.columns:
        models = fc["model"].unique().sort().to_list()
        fc = fc.filter(pl.col("model") == ("ensemble" if "ensemble" in models else models[0]))
    if "origin" in fc.columns:
        fc = fc.filter(pl.col("origin") == fc["origin"].max())
    return _bands(fc.select("region_code", "target", "quantile", "value"))


def alarm_chart(
    alarms: pl.DataFrame,
    forecasts: pl.DataFrame | None = None,
    *,
    region_code: str,
    disease: str,
    title: str = "",
    frequency: str = "week",
    periods: int = 26,
    figsize: tuple[float, float] = (3.6, 2.7),
    font_size: float = 8.0,
) -> Figure:
    """One series' story: observed cases against the expected count and alarm threshold, the
    periods that alarmed, and the forecast's 50 % and 95 % bands ahead.

    Parameters
    ----------
    alarms
        Detection results, published or not (:func:`flag_aberrations` /
        :func:`publishable_alarms`): ``region_code``, ``disease``, ``week_start``,
        ``observed``, ``expected``, ``upper_bound``, ``alarm``. Withheld counts (null) are not
        drawn.
    forecasts
        Quantile forecasts (``region`` or ``region_code``, ``disease``, ``model``, ``origin``,
        ``target``, ``quantile``, ``value``); the latest origin of the ensemble (else the first
        model) is drawn. ``None`` draws no forecast.
    region_code, disease
        The series drawn.
    title
        Chinese title; default the disease and place are not repeated (the caption says them).
    frequency
        ``"week"`` or ``"month"`` (axis wording).
    periods
        Periods of history shown.
    figsize, font_size
        Size in inches and smallest text in points (the memo prints the PNG at this size).

    Returns
    -------
    ChartFigure
        Not attached to pyplot.
    """
    if frequency not in PERIOD_WORDS:
        msg = f"parameter 'frequency' must be one of {tuple(PERIOD_WORDS)}, got {frequency!r}"
        raise ParameterError(msg)
    need = {"region_code", "disease", "week_start", "observed", "upper_bound", "alarm"}
    missing = sorted(need - set(alarms.columns))
    if missing:
        msg = f"parameter 'alarms' lacks columns {missing}"
        raise ParameterError(msg)
    use_chinese_font()
    series = (
        alarms.filter((pl.col("region_code") == region_code) & (pl.col("disease") == disease))
        .sort("week_start")
        .tail(periods)
    )
    fig = ChartFigure(figsize=figsize, layout="constrained")
    ax = fig.add_subplot()
    x = series["week_start"].to_list()
    if forecasts is not None and not forecasts.is_empty():
        fc = _one_forecast(forecasts, region_code, disease)
        if not fc.is_empty() and all(c in fc.columns for c in _LEVELS):
            t = fc["target"].to_list()
            ax.fill_between(t, fc["q025"].to_list(), fc["q975"].to_list(), color="#f4a261",
                            alpha=0.3, linewidth=0, label="95%预测区间")  # fmt: skip
            ax.fill_between(t, fc["q25"].to_list(), fc["q75"].to_list(), color="#e76f51",
                            alpha=0.4, linewidth=0, label="50%预测区间")  # fmt: skip
            ax.plot(t, fc["q50"].to_list(), color="#e76f51", linestyle="--", linewidth=1.0,
                    label="预测中位数")  # fmt: skip
    if "expected" in series.columns:
        ax.plot(x, series["expected"].to_list(), color="#7f7f7f", linewidth=1.0, label="预期值")
    ax.step(x, series["upper_bound"].to_list(), where="mid", color="#c1121f", linewidth=1.0,
            linestyle=":", label="预警阈值")  # fmt: skip
    ax.plot(x, series["observed"].to_list(), color="#1f4e79", linewidth=1.5, marker="o",
            markersize=2.5, label="实际病例")  # fmt: skip
    hit = series.filter(pl.col("alarm").fill_null(False) & pl.col("observed").is_not_null())
    if not hit.is_empty():
        ax.scatter(hit["week_start"].to_list(), hit["observed"].to_list(), color="#c1121f",
                   zorder=3, s=22, label="超出阈值")  # fmt: skip
    ax.set_ylim(bottom=0)
    chinese_dates(ax, maxticks=6)
    ax.tick_params(labelsize=font_size)
    ax.set_ylabel("病例数", fontsize=font_size)
    ax.grid(alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.legend(fontsize=font_size, frameon=False, loc="outside lower center", ncols=3,
               handlelength=1.5, columnspacing=0.8)  # fmt: skip
    if title:
        ax.set_title(title, fontsize=font_size + 1)
    return fig


def season_chart(
    series: pl.DataFrame,
    *,
    region_code: str,
    disease: str,
    seasons: int = 3,
    title: str = "",
    frequency: str = "week",
    figsize: tuple[float, float] = (6.0, 3.2),
    font_size: float = 8.0,
) -> Figure:
    """This year's counts against the same periods of the past ``seasons`` years.

    One line per calendar year over the week (or month) of the year: the latest year thick
    and dark, past years thin and light, so that an early or high season shows at a glance.

    Parameters
    ----------
    series
        Counts (``region_code``, ``disease``, ``week_start``, ``count``); withheld counts
        (null) are not drawn.
    region_code, disease
        The series drawn.
    seasons
        Past years drawn besides the latest.
    title
        Chinese title.
    frequency
        ``"week"`` (ISO week of the year) or ``"month"``.
    figsize, font_size
        Size in inches and smallest text in points.

    Returns
    -------
    ChartFigure
    """
    if frequency not in PERIOD_WORDS:
        msg = f"parameter 'frequency' must be one of {tuple(PERIOD_WORDS)}, got {frequency!r}"
        raise ParameterError(msg)
    if not isinstance(seasons, int) or seasons < 0:
        msg = f"parameter 'seasons' must be a non-negative integer, got {seasons!r}"
        raise ParameterError(msg)
    use_chinese_font()
    step = (
        pl.col("week_start").dt.week() if frequency == "week" else pl.col("week_start").dt.month()
    )
    one = (
        series.filter((pl.col("region_code") == region_code) & (pl.col("disease") == disease))
        .with_columns(pl.col("week_start").dt.iso_year().alias("_year"), step.alias("_step"))
        .sort("week_start")
    )
    fig = ChartFigure(figsize=figsize, layout="constrained")
    ax = fig.add_subplot()
    years = one["_year"].unique().sort().to_list()[-(seasons + 1) :]
    greys = ["#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5"]
    for i, year in enumerate(years):
        part = one.filter(pl.col("_year") == year)
        latest = year == years[-1]
        ax.plot(
            part["_step"].to_list(),
            part["count"].to_list(),
            color="#b71c1c" if latest else greys[(i + 5 - len(years)) % len(greys)],
            linewidth=2.2 if latest else 1.2,
            label=f"{year}年",
            zorder=3 if latest else 2,
        )
    unit = PERIOD_WORDS[frequency]["name"]
    ax.set_xlabel(f"第几{unit}" if frequency == "week" else "月份", fontsize=font_size)
    ax.set_ylabel("病例数", fontsize=font_size)
    ax.set_ylim(bottom=0)
    story_axes(ax, font_size=font_size, title=title, legend=False)
    ax.legend(fontsize=font_size, frameon=False)
    return fig
