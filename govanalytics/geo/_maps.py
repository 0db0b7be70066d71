"""Interactive maps (choropleth, demand heat map, flow map) drawn with core Leaflet only.

Every map is an :class:`~govanalytics.geo._offline.OfflineMap`: it fetches nothing (Leaflet is
inlined from the installed ``xstatic-leaflet`` package) unless a tile server is configured.
Geometries are simplified and their coordinates rounded to 5 decimals (about 1 m) so that a
map of a few hundred communities stays small; features carry only what is shown (name,
formatted value, colour), never the other columns of the input.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Literal

import geopandas as gpd
import jinja2
import matplotlib as mpl
import numpy as np
import polars as pl
import shapely
from branca.element import MacroElement

from govanalytics.constants import CRS, DEFAULT_MIN_COUNT, REGION_CODE, REGION_NAME
from govanalytics.errors import DataError, ParameterError
from govanalytics.geo._counts import (
    _as_gdf,
    _need_columns,
    _to_polars,
    grid_counts,
    region_counts,
)
from govanalytics.geo._gcj02 import to_gcj02, wgs84_to_gcj02
from govanalytics.geo._offline import OfflineMap
from govanalytics.geo._tiles import TileConfig, resolve_tiles

__all__ = [
    "choropleth",
    "flow_map",
    "grid_counts",
    "heatmap",
    "region_centroids",
    "region_counts",
]

#: Colour and label of values withheld by small-count suppression, and of missing values.
SUPPRESSED_COLOR, SUPPRESSED_LABEL = "#9e9e9e", "已抑制"
#: Border colour of regions named in an alert.
ALARM_COLOR = "#b71c1c"
#: Legend colour prefix of a row drawn as an outline (the alarm border), not a filled box.
RING = "ring:"
#: Maps of at most this many regions get permanent name labels by default.
AUTO_LABELS = 30
MISSING_COLOR, MISSING_LABEL = "#eeeeee", "无数据"
_DECIMALS = 5
_FONT = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif"


# --- small helpers --------------------------------------------------------------------------


def _script(code: str) -> str:
    """JSON/JS text safe inside an inline <script>."""
    return code.replace("</", "<\\/")


def _dumps(obj) -> str:
    return _script(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))


def _round_geoms(geoms: np.ndarray) -> np.ndarray:
    return shapely.transform(geoms, lambda xy: np.round(xy, _DECIMALS))


def _formatter(fmt: str):
    try:
        fmt.format(1234.5)
    except (ValueError, IndexError, KeyError) as exc:
        msg = f"fmt={fmt!r} is not a format string for one number: {exc}"
        raise ParameterError(msg) from None
    return fmt.format


def _class_breaks(values: np.ndarray, classes: int) -> np.ndarray:
    """Quantile class breaks (ascending, unique, first = min, last = max)."""
    qs = np.quantile(values, np.linspace(0, 1, classes + 1))
    return np.unique(qs)


def _colors(colormap: str, n: int) -> list[str]:
    cmap = _cmap(colormap)
    if n == 1:
        return [mpl.colors.to_hex(cmap(0.6))]
    return [mpl.colors.to_hex(cmap(0.15 + 0.8 * i / (n - 1))) for i in range(n)]


#: Colormaps whose middle is neutral: with values on both sides of zero, classes are centred
#: on zero (a change map: losses in one hue, gains in the other).
DIVERGING_COLORMAPS = frozenset(
    f"{name}{rev}"
    for name in ("RdBu", "RdYlBu", "RdYlGn", "PuOr", "BrBG", "PiYG", "PRGn", "RdGy", "Spectral",
                 "coolwarm", "bwr", "seismic")
    for rev in ("", "_r")
)  # fmt: skip


def _centre(values: np.ndarray, center: float | str | None, colormap: str) -> float | None:
    """The value the classes are centred on: ``center``, or with ``"auto"`` zero when the
    colormap diverges and the values lie on both sides of it."""
    if center is None:
        return None
    if center == "auto":
        ok = values[~np.isnan(values)]
        spans_zero = ok.size > 0 and ok.min() < 0 < ok.max()
        return 0.0 if colormap in DIVERGING_COLORMAPS and spans_zero else None
    if isinstance(center, bool) or not isinstance(center, int | float):
        msg = f"parameter 'center' must be a number, 'auto' or None, got {center!r}"
        raise ParameterError(msg)
    return float(center)


def _diverging(
    values: np.ndarray, classes: int, colormap: str, fmt, centre: float
) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """Classes of equal width on both sides of ``centre`` (an even number of them, so that
    ``centre`` is a break); colours by distance from the centre, classes holding no value
    beyond the outermost values left out of the legend."""
    ok = ~np.isnan(values)
    colours = np.full(values.shape, "", dtype=object)
    spread = float(np.max(np.abs(values[ok] - centre))) or 1.0
    n = classes + classes % 2
    breaks = centre + spread * np.linspace(-1.0, 1.0, n + 1)
    cmap = _cmap(colormap)
    mids = (breaks[:-1] + breaks[1:]) / 2
    palette = [mpl.colors.to_hex(cmap(0.5 + 0.45 * (m - centre) / spread)) for m in mids]
    idx = np.clip(np.searchsorted(breaks, values[ok], side="right") - 1, 0, n - 1)
    colours[ok] = np.array(palette, dtype=object)[idx]
    lo, hi = min(int(idx.min()), n // 2 - 1), max(int(idx.max()), n // 2)
    rows = [(palette[i], f"{fmt(breaks[i])} – {fmt(breaks[i + 1])}") for i in range(lo, hi + 1)]
    return colours, rows


def _separated(
    values: np.ndarray, classes: int, colormap: str, fmt, alarm: np.ndarray
) -> tuple[np.ndarray, list[tuple[str, str]]] | None:
    """Classes that put the alarm areas in a class of their own (the top one, "≥ the lowest
    alarm value"): quantile classes of the other areas below it. ``None`` when an ordinary
    area has a value as high as an alarm area (no break can separate them)."""
    ok = ~np.isnan(values)
    ordinary, marked = ok & ~alarm, ok & alarm
    if not ordinary.any() or not marked.any():
        return None
    floor = float(values[marked].min())
    if values[ordinary].max() >= floor:
        return None
    colours, rows = _quantile(np.where(ordinary, values, np.nan), max(classes - 1, 1), fmt)
    palette = _colors(colormap, len(rows) + 1)
    recolour = dict(zip([c for c, _ in rows], palette[:-1], strict=True))
    colours = np.array([recolour.get(c, c) for c in colours], dtype=object)
    colours[marked] = palette[-1]
    rows = [(recolour[c], text) for c, text in rows]
    rows.append((palette[-1], f"{fmt(floor)} 及以上（预警地区）"))
    return colours, rows


def _cmap(colormap: str):
    try:
        return mpl.colormaps[colormap]
    except KeyError:
        msg = f"colormap={colormap!r} is not a matplotlib colormap name (e.g. 'YlOrRd', 'Blues')"
        raise ParameterError(msg) from None


def _classify(
    values: np.ndarray,
    classes: int,
    colormap: str,
    fmt,
    *,
    center: float | str | None = "auto",
    alarm: np.ndarray | None = None,
) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """Colour per value (NaN → ``""``) and legend rows (colour, Chinese range text).

    Quantile classes; centred classes of a diverging colormap when :func:`_centre` finds a
    centre; with ``alarm`` (a mask of alarm areas) the alarm areas get a class of their own.
    """
    ok = ~np.isnan(values)
    colours = np.full(values.shape, "", dtype=object)
    if not ok.any():
        return colours, []
    centre = _centre(values, center, colormap)
    if centre is not None:
        return _diverging(values, classes, colormap, fmt, centre)
    if alarm is not None:
        separated = _separated(values, classes, colormap, fmt, alarm)
        if separated is not None:
            return separated
    colours, rows = _quantile(values, classes, fmt)
    palette = _colors(colormap, max(len(rows), 1))
    recolour = dict(zip([c for c, _ in rows], palette, strict=True))
    return (
        np.array([recolour.get(c, c) for c in colours], dtype=object),
        [(recolour[c], text) for c, text in rows],
    )


def _quantile(values: np.ndarray, classes: int, fmt) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """Quantile classes: per value a class key ``"#<i>"`` (NaN → ``""``) and legend rows
    (key, Chinese range text); :func:`_classify` turns keys into colours."""
    ok = ~np.isnan(values)
    colours = np.full(values.shape, "", dtype=object)
    breaks = _class_breaks(values[ok], classes)
    # merge classes whose bounds print alike (e.g. 5.2 and 5.4 with "{:,.0f}")
    texts = [fmt(b) for b in breaks]
    keep = [i for i in range(len(breaks)) if i == len(breaks) - 1 or texts[i] != texts[i + 1]]
    if len(keep) > 1 and texts[keep[0]] == texts[0]:
        keep[0] = 0  # the lowest class starts at the minimum
    breaks = breaks[keep]
    if len(breaks) == 1:
        colours[ok] = "#0"
        return colours, [("#0", fmt(breaks[0]))]
    keys = np.array([f"#{i}" for i in range(len(breaks) - 1)], dtype=object)
    idx = np.clip(np.searchsorted(breaks, values[ok], side="right") - 1, 0, len(keys) - 1)
    colours[ok] = keys[idx]
    rows = [(str(keys[i]), f"{fmt(breaks[i])} – {fmt(breaks[i + 1])}") for i in range(len(keys))]
    return colours, rows


def _prepare_geoms(gdf: gpd.GeoDataFrame, tolerance: float, tiles: TileConfig | None):
    geoms = np.asarray(gdf.geometry.values)
    if tolerance > 0:
        geoms = shapely.simplify(geoms, tolerance, preserve_topology=True)
    if _is_gcj02(tiles):
        geoms = np.asarray(to_gcj02(gpd.GeoDataFrame(geometry=geoms, crs=CRS)).geometry.values)
    return _round_geoms(geoms)


def _feature(geom, props: dict) -> dict:
    return {"type": "Feature", "geometry": geom.__geo_interface__, "properties": props}


# --- Leaflet elements -------------------------------------------------------------------------


class _GeoJsonLayer(MacroElement):
    """A GeoJSON layer styled by ``properties.c`` (fill colour) with ``properties.t`` tooltips."""

    _template = jinja2.Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJSON({{ this.data }}, {
  style: function (f) {
    var s = Object.assign({}, {{ this.style }});
    if (f.properties.c) { s.fillColor = f.properties.c; }
    if (f.properties.w) { s.weight = f.properties.w; }
    return s;
  },
  onEachFeature: function (f, layer) {
    if (f.properties.t) { layer.bindTooltip(f.properties.t, {sticky: true}); }
  }
}).addTo({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, features: list[dict], style: dict, name: str = "layer") -> None:
        super().__init__()
        self._name = name
        self.data = _dumps({"type": "FeatureCollection", "features": features})
        self.style = _dumps(style)


class _Control(MacroElement):
    """A Leaflet control holding fixed HTML (legend, note), styled inline."""

    _template = jinja2.Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.control({position: {{ this.position }}});
{{ this.get_name() }}.onAdd = function () {
  var div = L.DomUtil.create('div', 'govanalytics-legend');
  div.innerHTML = {{ this.content }};
  L.DomEvent.disableClickPropagation(div);
  return div;
};
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, content: str, position: str = "bottomright") -> None:
        super().__init__()
        self._name = "Control"
        self.content = _dumps(content)
        self.position = _dumps(position)


class _Raw(MacroElement):
    """Fixed script text run after the map is created (``{map}`` is the map's variable)."""

    _template = jinja2.Template(
        """{% macro script(this, kwargs) %}{{ this.code.replace('{map}', this._parent.get_name()) }}
{% endmacro %}"""
    )

    def __init__(self, code: str) -> None:
        super().__init__()
        self._name = "Raw"
        self.code = code


class _Header(MacroElement):
    _template = jinja2.Template("{% macro header(this, kwargs) %}{{ this.text }}{% endmacro %}")

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Header"
        self.text = text


_LEGEND_CSS = (
    "<style>.govanalytics-legend{background:rgba(255,255,255,.92);padding:6px 9px;"
    "border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);font:12px/1.5 " + _FONT + ";"
    "color:#222}.govanalytics-legend i{display:inline-block;width:14px;height:12px;"
    "margin-right:6px;vertical-align:-1px;border:1px solid #999}"
    ".govanalytics-legend .t{font-weight:bold;margin-bottom:3px}"
    ".leaflet-tooltip{font-family:" + _FONT + "}"
    ".govanalytics-label{background:transparent;border:0;box-shadow:none;padding:0;"
    "font-size:12px;font-weight:bold;color:#222;text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff}"
    ".govanalytics-label:before{display:none}</style>"
)


def _legend_html(title: str, rows: list[tuple[str, str]], notes: Sequence[str] = ()) -> str:
    parts = [f'<div class="t">{html.escape(title)}</div>'] if title else []
    for colour, label in rows:
        swatch = (
            f"background:none;border:2px solid {colour.removeprefix(RING)}"
            if colour.startswith(RING)
            else f"background:{colour}"
        )
        parts.append(f'<div><i style="{swatch}"></i>{html.escape(label)}</div>')
    parts.extend(f"<div>{html.escape(n)}</div>" for n in notes)
    return "".join(parts)


def _base_map(bounds: Sequence[float] | np.ndarray, tiles: TileConfig | None) -> OfflineMap:
    """An OfflineMap fitted to ``bounds`` (minx, miny, maxx, maxy; WGS84 or GCJ-02)."""
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    m = OfflineMap(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=11,
        zoom_snap=0.25,
    )
    m.add_child(_Raw("L.control.scale({imperial: false}).addTo({map});"))
    m.add_child(_Header(_LEGEND_CSS))
    if tiles is None:
        m.add_child(_Header("<style>.leaflet-container{background:#f7f7f4}</style>"))
    else:
        layer = (
            "L.tileLayer("
            + _dumps(tiles.url_template)
            + ", "
            + _dumps(
                {
                    "attribution": tiles.attribution,
                    "maxZoom": tiles.max_zoom,
                    "subdomains": tiles.subdomains,
                }
            )
            + ").addTo({map});\nL.control.attribution({prefix: false}).addTo({map});"
        )
        m.add_child(_Raw(layer))
    m.fit_bounds([[round(miny, _DECIMALS), round(minx, _DECIMALS)],
                  [round(maxy, _DECIMALS), round(maxx, _DECIMALS)]])  # fmt: skip
    return m


_OUTLINE_STYLE = {"color": "#777", "weight": 0.8, "fill": False, "interactive": False}
_TOP_OUTLINE_STYLE = {"color": "#333", "weight": 2.2, "fill": False, "interactive": False}


def _outline_layer(
    gdf: gpd.GeoDataFrame | None,
    tiles: TileConfig | None,
    *,
    tolerance: float = 0.0001,
    style: dict | None = None,
    name: str = "outlines",
) -> tuple[_GeoJsonLayer | None, np.ndarray | None]:
    """Borders of ``gdf`` as a non-interactive layer, and their bounds (``None, None`` without
    regions). The one place outlines are drawn (heat map, flow map, choropleth)."""
    if gdf is None:
        return None, None
    geoms = _prepare_geoms(_as_gdf(gdf, name), tolerance, tiles)
    features = [_feature(g, {}) for g in geoms if g is not None and not g.is_empty]
    return _GeoJsonLayer(features, style or _OUTLINE_STYLE, name), _total_bounds(geoms)


def _is_gcj02(tiles: TileConfig | None) -> bool:
    """Whether geometries must be converted to GCJ-02 for ``tiles``."""
    return tiles is not None and tiles.crs == "gcj02"


def _total_bounds(geoms: np.ndarray) -> np.ndarray:
    return shapely.total_bounds(geoms)


# --- choropleth -----------------------------------------------------------------------------


def choropleth(
    gdf: gpd.GeoDataFrame,
    value_column: str,
    *,
    name_column: str = REGION_NAME,
    legend: str = "",
    suppressed_column: str | None = None,
    tiles: TileConfig | str | None = None,
    fmt: str = "{:,.0f}",
    colormap: str = "YlOrRd",
    classes: int = 5,
    data: pl.DataFrame | None = None,
    key: str = REGION_CODE,
    tolerance: float = 0.0001,
    outlines: gpd.GeoDataFrame | None = None,
    labels: bool | Literal["auto"] = "auto",
    highlight: Sequence[str] = (),
    center: float | Literal["auto"] | None = "auto",
) -> OfflineMap:
    """Regions coloured by a value, with Chinese tooltips and legend, drawable offline.

    Values are put in ``classes`` quantile classes coloured from ``colormap``. A region whose
    value is withheld (``suppressed_column`` true) is drawn grey and labelled "已抑制" — its
    value is neither shown nor used for the class breaks; a region with no value is drawn light
    grey and labelled "无数据". The map is fitted to the regions' bounds.

    Parameters
    ----------
    gdf
        Regions (any CRS; converted to WGS84), e.g. from
        :func:`govanalytics.data.load_boundaries`.
    value_column
        Numeric column to colour by (in ``gdf``, or in ``data`` when given).
    name_column
        Column with the region's name shown in the tooltip.
    legend
        Chinese title of the legend and label of the value in the tooltip (e.g. "申请件数").
    suppressed_column
        Boolean column; true marks a withheld small count (see ``govanalytics.privacy``).
    tiles
        Tile server (:class:`TileConfig`, ``"url|attribution|crs"`` string or ``"none"``);
        default ``None`` reads ``$GOVANALYTICS_TILES`` and otherwise draws on a plain background
        without fetching anything. GCJ-02 tiles get the geometries converted to GCJ-02.
    fmt
        Format of one value, e.g. ``"{:,.0f}"`` or ``"{:.1%}"``.
    colormap
        Matplotlib colormap name.
    classes
        Number of quantile classes (fewer when values repeat).
    data
        Optional polars frame holding ``value_column`` (and ``suppressed_column``), joined to
        ``gdf`` on ``key``; regions without a row show "无数据".
    key
        Join column of ``data`` and ``gdf``.
    tolerance
        Simplification tolerance in degrees (0.0001 ≈ 10 m) to keep maps small; 0 keeps every
        vertex. Coordinates are always rounded to 5 decimals.
    outlines
        Optional coarser regions whose borders are drawn thicker on top (e.g. districts over a
        map of communities).
    labels
        Write each region's name on the map (at its :func:`region_centroids` point), so that
        the map can be read in print; ``"auto"`` (default) labels maps of at most
        :data:`AUTO_LABELS` regions. Highlighted regions are always labelled.
    highlight
        Codes (in ``key``) of regions named in an alert: drawn with a thick dark-red border,
        labelled, and given a class of their own when their values are above all others.
    center
        Value the classes are centred on, for changes (gains and losses); ``"auto"``
        (default) centres on zero when ``colormap`` is diverging (:data:`DIVERGING_COLORMAPS`)
        and the values lie on both sides of zero; ``None`` keeps quantile classes.

    Returns
    -------
    OfflineMap
        A ``folium.Map``; show it with ``display(m)`` or write it with :func:`save_map`.

    See Also
    --------
    static_map : the same map as a PNG for printed memos.
    """
    gdf = _as_gdf(gdf, "gdf")
    tiles = resolve_tiles(tiles)
    fmt_one = _formatter(fmt)
    if not isinstance(classes, int) or classes < 1:
        msg = f"classes must be a positive integer, got {classes!r}"
        raise ParameterError(msg)
    frame = _attach(gdf, data, key, [value_column, suppressed_column])
    _need_columns(
        frame.columns,
        {"value_column": value_column, "name_column": name_column,
         "suppressed_column": suppressed_column},
        "gdf" if data is None else "gdf joined with data",
    )  # fmt: skip
    values = _numeric(frame[value_column], value_column)
    suppressed = (
        frame[suppressed_column].astype("boolean").fillna(False).to_numpy(dtype=bool)
        if suppressed_column
        else np.zeros(len(frame), dtype=bool)
    )
    shown = np.where(suppressed, np.nan, values)
    alarm = _highlight_mask(frame, key, highlight)
    colours, rows = _classify(shown, classes, colormap, fmt_one, center=center, alarm=alarm)
    label = legend or "数值"
    geoms = _prepare_geoms(frame, tolerance, tiles)
    features = []
    for i, geom in enumerate(geoms):
        if geom is None or geom.is_empty:
            continue
        name = html.escape(str(frame[name_column].iloc[i]))
        if suppressed[i]:
            text, colour = SUPPRESSED_LABEL, SUPPRESSED_COLOR
        elif np.isnan(values[i]):
            text, colour = MISSING_LABEL, MISSING_COLOR
        else:
            text, colour = fmt_one(values[i]), colours[i]
        tip = f"<b>{name}</b><br>{html.escape(label)}：{html.escape(text)}"
        features.append(_feature(geom, {"t": tip, "c": colour}))
    if suppressed.any():
        rows.append((SUPPRESSED_COLOR, f"{SUPPRESSED_LABEL}（小于阈值）"))
    if (np.isnan(values) & ~suppressed).any():
        rows.append((MISSING_COLOR, MISSING_LABEL))
    m = _base_map(_total_bounds(geoms), tiles)
    style = {"color": "#555", "weight": 0.8, "fillOpacity": 0.75}
    m.add_child(_GeoJsonLayer(features, style, "choropleth"))
    top_layer, _ = _outline_layer(
        outlines, tiles, tolerance=tolerance, style=_TOP_OUTLINE_STYLE, name="outlines"
    )
    if top_layer is not None:
        m.add_child(top_layer)
    if alarm.any():
        ring = {"color": ALARM_COLOR, "weight": 3.5, "fill": False, "interactive": False}
        marked, _ = _outline_layer(
            frame[alarm], tiles, tolerance=tolerance, style=ring, name="alarm"
        )
        if marked is not None:
            m.add_child(marked)
        rows.append((RING + ALARM_COLOR, "本期预警地区（红框）"))
    if labels == "auto":
        labels = len(frame) <= AUTO_LABELS
    chosen = np.ones(len(frame), dtype=bool) if labels else alarm
    if chosen.any():
        m.add_child(_labels(frame[chosen], name_column, tiles))
    m.add_child(_Control(_legend_html(legend, rows)))
    return m


def _highlight_mask(frame: gpd.GeoDataFrame, key: str, highlight: Sequence[str]) -> np.ndarray:
    if isinstance(highlight, str):
        msg = f"parameter 'highlight' must be a list of region codes, got the text {highlight!r}"
        raise ParameterError(msg)
    if not highlight:
        return np.zeros(len(frame), dtype=bool)
    _need_columns(frame.columns, {"key": key}, "gdf")
    return frame[key].astype(str).isin([str(c) for c in highlight]).to_numpy(dtype=bool)


def _labels(gdf: gpd.GeoDataFrame, name_column: str, tiles: TileConfig | None) -> _Raw:
    """Region names written at each region's inner point (permanent Leaflet tooltips)."""
    cent = region_centroids(gdf, name_column=name_column)
    lon, lat = cent["lon"].to_numpy(), cent["lat"].to_numpy()
    if _is_gcj02(tiles):
        lon, lat = wgs84_to_gcj02(lon, lat)
    names = gdf[name_column].astype(str).tolist()
    items = [
        [round(float(y), _DECIMALS), round(float(x), _DECIMALS), html.escape(n)]
        for x, y, n in zip(lon, lat, names, strict=True)
    ]
    code = (
        "(" + _dumps(items) + ").forEach(function (p) {\n"
        "  L.tooltip({permanent: true, direction: 'center', className: 'govanalytics-label',"
        " interactive: false}).setLatLng([p[0], p[1]]).setContent(p[2]).addTo({map});\n});"
    )
    return _Raw(code)


def _attach(gdf, data, key, columns) -> gpd.GeoDataFrame:
    if data is None:
        return gdf.reset_index(drop=True)
    if isinstance(data, pl.LazyFrame):
        data = data.collect()
    if not isinstance(data, pl.DataFrame):
        msg = f"data must be a polars DataFrame, got {type(data).__name__}"
        raise ParameterError(msg)
    _need_columns(gdf.columns, {"key": key}, "gdf")
    wanted = [c for c in columns if c is not None]
    _need_columns(data.columns, {"key": key, **{c: c for c in wanted}}, "data")
    if data[key].is_duplicated().any():
        dup = data.filter(data[key].is_duplicated())[key].unique().sort().to_list()[:5]
        msg = f"data has several rows for {key} {dup}; pass one row per region"
        raise DataError(msg)
    right = data.select(key, *wanted).to_pandas()
    right[key] = right[key].astype(str)
    left = gdf.drop(columns=[c for c in wanted if c in gdf.columns]).copy()
    left[key] = left[key].astype(str)
    return left.merge(right, on=key, how="left").reset_index(drop=True)


def _numeric(series, column: str) -> np.ndarray:
    try:
        return series.astype(float).to_numpy()
    except (TypeError, ValueError):
        msg = f"value_column={column!r} must be numeric, got dtype {series.dtype}"
        raise ParameterError(msg) from None


# --- demand heat map --------------------------------------------------------------------------


def heatmap(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    weight_column: str | None = None,
    lon_column: str = "lon",
    lat_column: str = "lat",
    cell_size_m: float = 500.0,
    min_count: int = DEFAULT_MIN_COUNT,
    legend: str = "",
    boundaries: gpd.GeoDataFrame | None = None,
    tiles: TileConfig | str | None = None,
    fmt: str = "{:,.0f}",
    colormap: str = "YlOrRd",
    classes: int = 5,
) -> OfflineMap:
    """Demand heat map: points counted on a square grid, drawn as coloured cells.

    Drawn with core Leaflet (no ``leaflet.heat`` plugin, which is not shipped by any PyPI
    package): each ``cell_size_m`` × ``cell_size_m`` cell holding points is a rectangle coloured
    by its total in quantile classes, with a Chinese tooltip. The page holds only cell corners
    and totals — never the input points' coordinates.

    Disclosure rule: a cell with fewer than ``min_count`` points (input rows) is not drawn; the
    legend says how many cells were withheld. The default, 15, is the package's small-count
    threshold (as FlowKit and Statistics Netherlands use for devices); pass ``min_count=1`` for
    points that are not people (facilities, for example).

    Parameters
    ----------
    frame
        Points with WGS84 ``lon_column`` and ``lat_column``.
    weight_column
        Optional numeric weight per point (e.g. number of applications); default counts rows.
    lon_column, lat_column
        Coordinate columns.
    cell_size_m
        Cell edge in metres (see :func:`grid_counts` for the grid).
    min_count
        Cells with fewer points are withheld (not drawn).
    legend
        Chinese title of the legend and tooltip label (e.g. "申请件数").
    boundaries
        Optional regions drawn as thin outlines for orientation.
    tiles
        As in :func:`choropleth`.
    fmt, colormap, classes
        As in :func:`choropleth`.

    Returns
    -------
    OfflineMap

    See Also
    --------
    region_counts : the same points counted per community or street, for :func:`choropleth`.
    """
    tiles = resolve_tiles(tiles)
    fmt_one = _formatter(fmt)
    if not isinstance(min_count, int) or min_count < 1:
        msg = f"min_count must be an integer ≥ 1, got {min_count!r}"
        raise ParameterError(msg)
    cells = grid_counts(
        frame,
        weight_column=weight_column,
        lon_column=lon_column,
        lat_column=lat_column,
        cell_size_m=cell_size_m,
    )
    shown = cells.filter(pl.col("points") >= min_count)
    withheld = cells.height - shown.height
    boxes = shapely.box(
        shown["min_lon"].to_numpy(),
        shown["min_lat"].to_numpy(),
        shown["max_lon"].to_numpy(),
        shown["max_lat"].to_numpy(),
    )
    if _is_gcj02(tiles):
        boxes = _round_geoms(
            np.asarray(to_gcj02(gpd.GeoDataFrame(geometry=boxes, crs=CRS)).geometry.values)
        )
    values = shown["weight"].to_numpy().astype(float)
    colours, rows = _classify(values, classes, colormap, fmt_one)
    label = legend or "数量"
    features = [
        _feature(box, {"t": f"{html.escape(label)}：{html.escape(fmt_one(v))}", "c": c})
        for box, v, c in zip(boxes, values, colours, strict=True)
    ]
    notes = [f"网格边长 {cell_size_m:,.0f} 米"]
    if withheld:
        notes.append(f"{withheld} 个网格少于 {min_count} 条记录，已抑制未显示")
    outline_layer, bounds = _outline_layer(boundaries, tiles)
    if bounds is None and len(boxes):
        bounds = _total_bounds(boxes)
    elif bounds is None:
        msg = "heatmap: no points to draw (frame is empty or has no coordinates)"
        raise DataError(msg)
    m = _base_map(bounds, tiles)
    if outline_layer is not None:
        m.add_child(outline_layer)
    style = {"stroke": False, "fillOpacity": 0.7}
    m.add_child(_GeoJsonLayer(features, style, "heatcells"))
    m.add_child(_Control(_legend_html(legend, rows, notes)))
    return m


# --- centroids and flows ----------------------------------------------------------------------


def region_centroids(
    gdf: gpd.GeoDataFrame, *, code_column: str = REGION_CODE, name_column: str = REGION_NAME
) -> pl.DataFrame:
    """One point per region to anchor labels and flow lines.

    The polygon's centroid when it lies inside the polygon, else a point guaranteed inside
    (GEOS ``PointOnSurface``), so that crescent-shaped regions still get an inner point.

    Returns
    -------
    pl.DataFrame
        ``region_code``, ``region_name`` (when ``name_column`` exists), ``lon``, ``lat``
        (WGS84, 5 decimals), in the order of ``gdf``.
    """
    gdf = _as_gdf(gdf, "gdf")
    _need_columns(gdf.columns, {"code_column": code_column}, "gdf")
    geoms = np.asarray(gdf.geometry.values)
    cent = shapely.centroid(geoms)
    inside = shapely.contains(geoms, cent)
    points = np.where(inside, cent, shapely.point_on_surface(geoms))
    cols = {REGION_CODE: gdf[code_column].astype(str).tolist()}
    if name_column in gdf.columns:
        cols[REGION_NAME] = gdf[name_column].astype(str).tolist()
    cols["lon"] = np.round(shapely.get_x(points), _DECIMALS)
    cols["lat"] = np.round(shapely.get_y(points), _DECIMALS)
    return pl.DataFrame(cols)


def _arc(x0: float, y0: float, x1: float, y1: float, bend: float = 0.12, n: int = 12):
    """Points of a gentle quadratic curve bending right of the direction of travel.

    Opposite flows (A→B, B→A) bend to opposite sides and so stay apart.
    """
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    cx, cy = mx + bend * (y1 - y0), my - bend * (x1 - x0)
    t = np.linspace(0, 1, n)
    xs = (1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t**2 * x1
    ys = (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t**2 * y1
    return [
        [round(float(x), _DECIMALS), round(float(y), _DECIMALS)]
        for x, y in zip(xs, ys, strict=True)
    ]


def flow_map(
    flows: pl.DataFrame | pl.LazyFrame,
    centroids: pl.DataFrame | gpd.GeoDataFrame,
    *,
    origin_column: str = "origin",
    destination_column: str = "destination",
    value_column: str = "count",
    top: int = 30,
    legend: str = "",
    suppressed_column: str | None = None,
    boundaries: gpd.GeoDataFrame | None = None,
    tiles: TileConfig | str | None = None,
    fmt: str = "{:,.0f}",
    color: str = "#c0392b",
    max_width: float = 10.0,
) -> OfflineMap:
    """The largest flows between areas as lines whose width grows with the flow.

    Lines join area centroids, bending slightly to the right of the direction of travel so that
    the two directions between a pair stay apart; width is proportional to the flow (from 1.5 px
    up to ``max_width``). Flows inside one area, null flows and withheld flows
    (``suppressed_column`` true) are not drawn; the legend says how many were withheld.

    Parameters
    ----------
    flows
        One row per origin–destination pair (e.g. the mobility OD table).
    centroids
        :func:`region_centroids` output (``region_code``, ``region_name``, ``lon``, ``lat``) or
        a GeoDataFrame of regions (centroids computed).
    origin_column, destination_column, value_column
        Columns of ``flows``; origin/destination hold region codes.
    top
        Number of largest flows drawn.
    legend
        Chinese title of the legend and tooltip label (e.g. "日均出行人次").
    suppressed_column
        Boolean column of ``flows``; true marks a withheld small count.
    boundaries
        Optional regions drawn as thin outlines.
    tiles, fmt
        As in :func:`choropleth`.
    color
        Line colour.
    max_width
        Width in pixels of the largest flow.

    Returns
    -------
    OfflineMap
    """
    tiles = resolve_tiles(tiles)
    fmt_one = _formatter(fmt)
    if not isinstance(top, int) or top < 1:
        msg = f"top must be a positive integer, got {top!r}"
        raise ParameterError(msg)
    if isinstance(centroids, gpd.GeoDataFrame):
        centroids = region_centroids(centroids)
    if not isinstance(centroids, pl.DataFrame):
        msg = f"centroids must be a polars DataFrame or GeoDataFrame, got {type(centroids)}"
        raise ParameterError(msg)
    _need_columns(centroids.columns, {"code": REGION_CODE, "lon": "lon", "lat": "lat"},
                  "centroids")  # fmt: skip
    lf = _to_polars(flows, "flows")
    _need_columns(
        lf.collect_schema().names(),
        {"origin_column": origin_column, "destination_column": destination_column,
         "value_column": value_column, "suppressed_column": suppressed_column},
        "flows",
    )  # fmt: skip
    od = lf.select(
        pl.col(origin_column).cast(pl.String).alias("o"),
        pl.col(destination_column).cast(pl.String).alias("d"),
        pl.col(value_column).cast(pl.Float64).alias("v"),
        (pl.col(suppressed_column).fill_null(False) if suppressed_column else pl.lit(False))
        .cast(pl.Boolean)
        .alias("s"),
    ).collect()
    withheld = od.filter(pl.col("s") & (pl.col("o") != pl.col("d"))).height
    od = (
        od.filter(~pl.col("s") & pl.col("v").is_not_null() & (pl.col("o") != pl.col("d")))
        .sort("v", "o", "d", descending=[True, False, False])
        .head(top)
    )
    cent = centroids.select(
        pl.col(REGION_CODE).cast(pl.String),
        (pl.col(REGION_NAME) if REGION_NAME in centroids.columns else pl.col(REGION_CODE))
        .cast(pl.String)
        .alias("name"),
        pl.col("lon").cast(pl.Float64),
        pl.col("lat").cast(pl.Float64),
    )
    if _is_gcj02(tiles):
        glon, glat = wgs84_to_gcj02(cent["lon"].to_numpy(), cent["lat"].to_numpy())
        cent = cent.with_columns(pl.Series("lon", glon), pl.Series("lat", glat))
    missing = sorted(set(od["o"]).union(od["d"]) - set(cent[REGION_CODE]))
    if missing:
        msg = f"flow_map: region codes in flows with no centroid: {missing[:10]}"
        raise DataError(msg)
    where = {r[0]: r[1:] for r in cent.iter_rows()}
    vmax = float(od["v"].to_numpy().max()) if od.height else 1.0
    label = legend or "流量"
    features = []
    for o, d, v, _ in od.iter_rows():
        (oname, ox, oy), (dname, dx_, dy_) = where[o], where[d]
        width = round(1.5 + (max_width - 1.5) * (v / vmax if vmax > 0 else 0), 1)
        tip = (
            f"<b>{html.escape(oname)} → {html.escape(dname)}</b><br>"
            f"{html.escape(label)}：{html.escape(fmt_one(v))}"
        )
        geom = {"type": "LineString", "coordinates": _arc(ox, oy, dx_, dy_)}
        features.append({"type": "Feature", "geometry": geom, "properties": {"t": tip, "w": width}})
    outline_layer, bounds = _outline_layer(boundaries, tiles)
    if bounds is None:
        xy = cent.select("lon", "lat").to_numpy()
        bounds = np.concatenate([xy.min(axis=0), xy.max(axis=0)])
    m = _base_map(bounds, tiles)
    if outline_layer is not None:
        m.add_child(outline_layer)
    m.add_child(_GeoJsonLayer(features, {"color": color, "opacity": 0.7}, "flows"))
    rows = []
    if od.height:
        for q in (1.0, 0.5, 0.1):
            w = 1.5 + (max_width - 1.5) * q
            rows.append(
                f'<div><i style="background:{color};height:{w:.0f}px;border:0;'
                f'vertical-align:middle"></i>{html.escape(fmt_one(vmax * q))}</div>'
            )
    notes = [f"显示最大的 {od.height} 条流向"]
    if withheld:
        notes.append(f"{withheld} 条流向小于阈值，已抑制未显示")
    content = (f'<div class="t">{html.escape(legend)}</div>' if legend else "") + "".join(rows)
    content += "".join(f"<div>{html.escape(n)}</div>" for n in notes)
    m.add_child(_Control(content))
    return m
