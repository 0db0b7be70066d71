"""Running applications against capacity, with the projection to the period's end."""

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
from govanalytics.errors import ParameterError

__all__ = ["capacity_chart"]


def capacity_chart(
    daily: pl.DataFrame,
    *,
    capacity: float | None,
    period_end: dt.date,
    date_column: str = "date",
    count_column: str = "applications",
    title: str = "",
    figsize: tuple[float, float] = (6.0, 3.0),
    font_size: float = 8.0,
) -> Figure:
    """Applications received so far in a period (running total) against the capacity, and
    where the total goes at the period's average daily rate so far.

    Parameters
    ----------
    daily
        Applications per day of the period so far (``date_column``, ``count_column``), one
        district and service; days without a row count as none.
    capacity
        Places (or slots) of the period; ``None`` draws no capacity line.
    period_end
        Last day of the period (the projection runs to it).
    date_column, count_column
        Columns of ``daily``.
    title
        Chinese title.
    figsize, font_size
        Size in inches and smallest text in points.

    Returns
    -------
    ChartFigure
    """
    require_columns(daily, {date_column, count_column}, parameter="daily")
    if daily.is_empty():
        msg = "parameter 'daily' holds no day of the period"
        raise ParameterError(msg)
    use_chinese_font()
    days = daily.group_by(date_column).agg(pl.col(count_column).sum()).sort(date_column)
    first: dt.date = days[date_column].min()  # type: ignore[assignment]
    last: dt.date = days[date_column].max()  # type: ignore[assignment]
    grid = pl.DataFrame({date_column: pl.date_range(first, last, "1d", eager=True)})
    days = grid.join(days, on=date_column, how="left").with_columns(
        pl.col(count_column).fill_null(0).cum_sum().alias("_total")
    )
    x = days[date_column].to_list()
    total = [float(v) for v in days["_total"].to_list()]
    fig = ChartFigure(figsize=figsize, layout="constrained")
    ax = fig.add_subplot()
    ax.plot(x, total, color="#1f4e79", linewidth=1.8, label="累计申请")
    if period_end > last:
        rate = total[-1] / len(total)
        remaining = (period_end - last).days
        ends: list = [last, period_end]
        ax.plot(ends, [total[-1], total[-1] + rate * remaining], color="#1f4e79",
                linestyle="--", linewidth=1.2, label="按当前速度预计")  # fmt: skip
    if capacity is not None:
        ax.axhline(capacity, color="#c1121f", linestyle=":", linewidth=1.2, label="容量")
        over = days.filter(pl.col("_total") > capacity)
        if not over.is_empty():
            ax.axvline(over[date_column][0], color="#c1121f", linewidth=0.8, alpha=0.5)
    chinese_dates(ax)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("件数", fontsize=font_size)
    story_axes(ax, font_size=font_size, title=title)
    return fig
