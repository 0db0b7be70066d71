"""Static (PNG) choropleth for printed memos, drawn with matplotlib and a CJK font."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import geopandas as gpd
import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.patheffects import withStroke

from govanalytics.charts import use_chinese_font
from govanalytics.constants import REGION_CODE, REGION_NAME
from govanalytics.errors import ParameterError
from govanalytics.geo._maps import (
    ALARM_COLOR,
    AUTO_LABELS,
    MISSING_COLOR,
    MISSING_LABEL,
    RING,
    SUPPRESSED_COLOR,
    SUPPRESSED_LABEL,
    _as_gdf,
    _classify,
    _formatter,
    _highlight_mask,
    _need_columns,
    _numeric,
    region_centroids,
)

__all__ = ["static_map"]


def static_map(
    gdf: gpd.GeoDataFrame,
    value_column: str,
    path: str | Path,
    *,
    title: str = "",
    legend: str = "",
    suppressed_column: str | None = None,
    fmt: str = "{:,.0f}",
    colormap: str = "YlOrRd",
    classes: int = 5,
    figsize: tuple[float, float] = (6.0, 5.0),
    dpi: int = 200,
    outlines: gpd.GeoDataFrame | None = None,
    labels: bool | Literal["auto"] = "auto",
    name_column: str = REGION_NAME,
    highlight: Sequence[str] = (),
    code_column: str = REGION_CODE,
    center: float | Literal["auto"] | None = "auto",
    font_size: float = 8.0,
) -> Path:
    """Write a PNG choropleth of ``value_column`` with a Chinese title and legend.

    Same classes and colours as :func:`choropleth` (quantile classes of the shown values,
    centred on zero for changes, a class of their own for alarm areas; withheld values grey
    "已抑制", missing light grey "无数据"), on a white background without axes, for a PDF memo.
    Names are written on the map so that it reads in print; with at most 10 regions each
    label also carries the region's value (a direct scale). Text is never smaller than
    ``font_size`` points at ``figsize``: show the PNG at that size (the memo does). Uses
    :func:`govanalytics.charts.use_chinese_font`.

    Parameters
    ----------
    gdf
        Regions with ``value_column`` (any CRS; drawn in WGS84 with a cos φ aspect ratio).
    value_column
        Numeric column to colour by.
    path
        PNG file to write (folders created).
    title, legend
        Chinese title above the map and legend title.
    suppressed_column
        Boolean column; true marks a withheld small count.
    fmt, colormap, classes
        As in :func:`choropleth`.
    figsize, dpi
        Size in inches and resolution.
    outlines
        Optional coarser regions whose borders are drawn thicker on top.
    labels
        Write each region's name (``name_column``) at its inner point; ``"auto"`` (default)
        for maps of at most 30 regions. Highlighted regions are always labelled.
    name_column
        Column of names for ``labels``.
    highlight
        Codes (in ``code_column``) of regions named in an alert: thick dark-red border,
        label, and a class of their own when their values are above all others.
    code_column
        Column of region codes for ``highlight``.
    center
        As in :func:`choropleth`: classes centred on this value (``"auto"``: on zero for a
        diverging colormap and values of both signs).
    font_size
        Smallest text size in points (legend, labels); title and legend title are larger.

    Returns
    -------
    Path
        ``path``.
    """
    gdf = _as_gdf(gdf, "gdf").reset_index(drop=True)
    _need_columns(
        gdf.columns,
        {
            "value_column": value_column,
            "suppressed_column": suppressed_column,
            "name_column": name_column if labels or highlight else None,
        },
        "gdf",
    )
    fmt_one = _formatter(fmt)
    if not isinstance(classes, int) or classes < 1:
        msg = f"classes must be a positive integer, got {classes!r}"
        raise ParameterError(msg)
    values = _numeric(gdf[value_column], value_column)
    suppressed = (
        gdf[suppressed_column].astype("boolean").fillna(False).to_numpy(dtype=bool)
        if suppressed_column
        else np.zeros(len(gdf), dtype=bool)
    )
    alarm = _highlight_mask(gdf, code_column, highlight)
    colours, rows = _classify(
        np.where(suppressed, np.nan, values), classes, colormap, fmt_one, center=center, alarm=alarm
    )
    colours = np.where(suppressed, SUPPRESSED_COLOR, colours)
    colours = np.where(colours == "", MISSING_COLOR, colours)
    if suppressed.any():
        rows.append((SUPPRESSED_COLOR, f"{SUPPRESSED_LABEL}（小于阈值）"))
    if (np.isnan(values) & ~suppressed).any():
        rows.append((MISSING_COLOR, MISSING_LABEL))

    use_chinese_font()
    fig = Figure(figsize=figsize, layout="constrained")
    ax = fig.add_subplot()
    gdf.plot(ax=ax, color=list(colours), edgecolor="#555555", linewidth=0.4)
    if outlines is not None:
        outlines = _as_gdf(outlines, "outlines").reset_index(drop=True)
        outlines.boundary.plot(ax=ax, color="#333333", linewidth=1.2)
        if labels and name_column in outlines.columns and len(outlines) <= AUTO_LABELS:
            _outline_labels(ax, outlines, name_column, font_size)
    if alarm.any():
        gdf[alarm].boundary.plot(ax=ax, color=ALARM_COLOR, linewidth=2.2)
        rows.append((RING + ALARM_COLOR, "本期预警地区（红框）"))
    chosen = (
        np.ones(len(gdf), dtype=bool)
        if labels is True or (labels == "auto" and len(gdf) <= AUTO_LABELS)
        else alarm
    )
    if chosen.any():
        _write_labels(ax, gdf, chosen, alarm, values, suppressed, name_column, fmt_one, font_size)
    mid_lat = float(np.mean(gdf.total_bounds[[1, 3]]))
    ax.set_aspect(1 / np.cos(np.radians(mid_lat)))
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=font_size + 2)
    handles = [
        Patch(facecolor="none", edgecolor=c.removeprefix(RING), linewidth=2, label=label)
        if c.startswith(RING)
        else Patch(facecolor=c, edgecolor="#999999", label=label)
        for c, label in rows
    ]
    if handles:
        ax.legend(
            handles=handles,
            title=legend or None,
            loc="upper left",
            bbox_to_anchor=(1.0, 1.0),
            frameon=False,
            fontsize=font_size,
            title_fontsize=font_size + 1,
        )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with mpl.rc_context({"savefig.facecolor": "white"}):
        fig.savefig(path, dpi=dpi)
    return path


def _write_labels(ax, gdf, chosen, alarm, values, suppressed, name_column, fmt_one, size) -> None:
    """Names at each chosen region's inner point; with at most 10 regions, their values too."""
    cent = region_centroids(gdf, name_column=name_column)
    direct = len(gdf) <= 10
    for i in np.flatnonzero(chosen):
        text = str(gdf[name_column].iloc[i])
        if direct and not suppressed[i] and not np.isnan(values[i]):
            text += "\n" + fmt_one(values[i])
        ax.text(
            cent["lon"][int(i)],
            cent["lat"][int(i)],
            text,
            ha="center",
            va="center",
            fontsize=size + (1 if alarm[i] else 0),
            fontweight="bold" if alarm[i] else "normal",
            color="#111111",
            path_effects=[withStroke(linewidth=3 if alarm[i] else 2.5, foreground="white")],
        )


def _outline_labels(ax, outlines, name_column: str, size: float) -> None:
    """Names of the coarser regions (districts over communities), larger and grey."""
    cent = region_centroids(outlines, name_column=name_column)
    for x, y, name in zip(cent["lon"], cent["lat"], outlines[name_column].astype(str), strict=True):
        ax.text(x, y, name, ha="center", va="center", fontsize=size + 3, color="#333333",
                alpha=0.85, path_effects=[withStroke(linewidth=3, foreground="white")])  # fmt: skip
