"""Day/night change of population by district (昼夜人口变化图)."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl
from matplotlib.figure import Figure

from govanalytics.charts import (
    GAIN_COLOR,
    LOSS_COLOR,
    ChartFigure,
    require_columns,
    story_axes,
    use_chinese_font,
)

__all__ = ["day_night_chart"]


def day_night_chart(
    shift: pl.DataFrame,
    *,
    names: Mapping[str, str] | None = None,
    area_column: str = "area",
    value_column: str = "day_change",
    title: str = "工作日白天相对常住人口的变化",
    figsize: tuple[float, float] = (6.0, 3.0),
    font_size: float = 8.0,
) -> Figure:
    """Horizontal bars of the daytime gain (red) or loss (blue) of each area, largest gain
    on top, each bar labelled with its signed value.

    Parameters
    ----------
    shift
        One row per area (e.g. :func:`commuting_from_shifts`): ``area_column`` and
        ``value_column`` (day − resident population); null rows (withheld) are left out.
    names
        Area code → Chinese name.
    area_column, value_column
        Columns of ``shift``.
    title
        Chinese title.
    figsize, font_size
        Size in inches and smallest text in points.

    Returns
    -------
    ChartFigure
    """
    require_columns(shift, {area_column, value_column}, parameter="shift")
    use_chinese_font()
    names = names or {}
    rows = shift.drop_nulls(value_column).sort(value_column)
    labels = [names.get(a, a) for a in rows[area_column].cast(pl.String).to_list()]
    values = rows[value_column].to_list()
    fig = ChartFigure(figsize=figsize, layout="constrained")
    ax = fig.add_subplot()
    colours = [GAIN_COLOR if v >= 0 else LOSS_COLOR for v in values]
    bars = ax.barh(range(len(values)), values, color=colours)
    ax.bar_label(bars, labels=[f"{v:+,.0f}" for v in values], padding=2, fontsize=font_size)
    ax.set_yticks(range(len(values)), labels)
    ax.axvline(0, color="#333333", linewidth=0.8)
    span = max((abs(v) for v in values), default=1) * 1.25
    ax.set_xlim(-span if min(values, default=0) < 0 else 0, span)
    ax.set_xlabel("人（正数：白天流入，负数：白天流出）", fontsize=font_size)
    story_axes(ax, font_size=font_size, title=title, legend=False, grid="x")
    return fig
