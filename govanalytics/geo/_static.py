"""Static (PNG) choropleth for printed memos, drawn with matplotlib and a CJK font."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.patheffects import withStroke

from govanalytics.charts import use_chinese_font
from govanalytics.constants import REGION_NAME
from govanalytics.errors import ParameterError
from govanalytics.geo._maps import (
    MISSING_COLOR,
    MISSING_LABEL,
    SUPPRESSED_COLOR,
    SUPPRESSED_LABEL,
    _as_gdf,
    _classify,
    _formatter,
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
    labels: bool = False,
    name_column: str = REGION_NAME,
) -> Path:
    """Write a PNG choropleth of ``value_column`` with a Chinese title and legend.

    Same classes and colours as :func:`choropleth` (quantile classes of the shown values;
    withheld values grey "已抑制", missing light grey "无数据"), on a white background without
    axes, for a PDF memo. Uses :func:`govanalytics.charts.use_chinese_font`.

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
        Write each region's name (``name_column``) at its inner point.
    name_column
        Column of names for ``labels``.

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
            "name_column": name_column if labels else None,
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
    colours, rows = _classify(np.where(suppressed, np.nan, values), classes, colormap, fmt_one)
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
        _as_gdf(outlines, "outlines").boundary.plot(ax=ax, color="#333333", linewidth=1.2)
    if labels:
        cent = region_centroids(gdf, name_column=name_column)
        for x, y, name in zip(cent["lon"], cent["lat"], gdf[name_column].astype(str), strict=True):
            ax.text(x, y, name, ha="center", va="center", fontsize=6, color="#222222",
                    path_effects=[withStroke(linewidth=2, foreground="white")])  # fmt: skip
    mid_lat = float(np.mean(gdf.total_bounds[[1, 3]]))
    ax.set_aspect(1 / np.cos(np.radians(mid_lat)))
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=13)
    handles = [Patch(facecolor=c, edgecolor="#999999", label=label) for c, label in rows]
    if handles:
        ax.legend(
            handles=handles,
            title=legend or None,
            loc="lower left",
            bbox_to_anchor=(1.0, 0.0),
            frameon=False,
            fontsize=8,
            title_fontsize=9,
        )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with mpl.rc_context({"savefig.facecolor": "white"}):
        fig.savefig(path, dpi=dpi)
    return path
