"""An issue's daily count with its burst shaded (热点议题走势图)."""

from __future__ import annotations

import datetime as dt

import polars as pl
from matplotlib.figure import Figure

from govanalytics.charts import (
    ChartFigure,
    chinese_dates,
    require_columns,
    story_axes,
    use_chinese_font,
)

__all__ = ["burst_chart"]


def burst_chart(
    counts: pl.DataFrame,
    bursts: pl.DataFrame,
    *,
    word: str,
    scope: str = "all",
    since: dt.date | None = None,
    title: str = "",
    figsize: tuple[float, float] = (6.0, 3.0),
    font_size: float = 8.0,
) -> Figure:
    """How many people wrote about ``word`` per counting window, its burst shaded.

    Parameters
    ----------
    counts
        Counts per window (``window``, ``word``, ``count``, ``scope``), e.g. the published
        ``hot_words`` table or :func:`word_trend`; withheld counts (null) are drawn as gaps.
    bursts
        Bursts (``word``, ``start``, ``end``, ``scope``), e.g. :attr:`HotWords.bursts`.
    word
        The word (an issue's leading word) drawn.
    scope
        Scope of both tables (``"all"`` for the city, else a district code).
    since
        First window drawn (default all).
    title
        Chinese title.
    figsize, font_size
        Size in inches and smallest text in points.

    Returns
    -------
    ChartFigure
    """
    require_columns(counts, {"window", "word", "count"}, parameter="counts")
    require_columns(bursts, {"word", "start", "end"}, parameter="bursts")
    use_chinese_font()
    one = counts.filter(pl.col("word") == word)
    spans = bursts.filter(pl.col("word") == word)
    if "scope" in counts.columns:
        one = one.filter(pl.col("scope") == scope)
    if "scope" in bursts.columns:
        spans = spans.filter(pl.col("scope") == scope)
    if since is not None:
        one = one.filter(pl.col("window") >= since)
    one = one.sort("window")
    fig = ChartFigure(figsize=figsize, layout="constrained")
    ax = fig.add_subplot()
    for i, (start, end) in enumerate(spans.select("start", "end").iter_rows()):
        ax.axvspan(start, end + dt.timedelta(days=1), color="#f4a261", alpha=0.35, linewidth=0,
                   label="突发时段" if i == 0 else None)  # fmt: skip
    ax.plot(one["window"].to_list(), one["count"].to_list(), color="#1f4e79", marker="o",
            markersize=2.5, linewidth=1.5, label=f"“{word}”留言人数")  # fmt: skip
    chinese_dates(ax)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("留言人数", fontsize=font_size)
    story_axes(ax, font_size=font_size, title=title)
    return fig
