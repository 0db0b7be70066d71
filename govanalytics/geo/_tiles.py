"""Optional map tiles: off by default, configurable for intranet tile servers."""

from __future__ import annotations

import os
from dataclasses import dataclass

from govanalytics.errors import ParameterError

__all__ = ["TILES_ENV", "TileConfig", "resolve_tiles"]

#: Environment variable naming a tile server as ``"url_template|attribution|crs"``.
TILES_ENV = "GOVANALYTICS_TILES"
_CRS_NAMES = ("wgs84", "gcj02")


@dataclass(frozen=True)
class TileConfig:
    """A tile server to draw under the maps.

    Tiles must use the usual Web Mercator tiling (``{z}/{x}/{y}``, as OpenStreetMap, 高德 and
    天地图's ``_w`` services do); the datum of the drawn positions is set by ``crs``.
    Configure it once for every map with the environment variable ``GOVANALYTICS_TILES``,
    e.g. ``export GOVANALYTICS_TILES="http://10.1.2.3/amap/{z}/{x}/{y}.png|高德内网|gcj02"``.
    Any tile server is a network fetch: pages with tiles are not self-contained.

    Parameters
    ----------
    url_template
        Leaflet URL template, e.g. ``"http://10.1.2.3/tiles/{z}/{x}/{y}.png"``.
    attribution
        Text shown in the map corner (data source of the tiles).
    crs
        Coordinate system the tiles are drawn in: ``"wgs84"`` (OpenStreetMap-style, 天地图
        ``_w`` services) or ``"gcj02"`` (高德-style services). For ``"gcj02"`` our WGS84
        geometries are converted with :func:`govanalytics.geo.to_gcj02` before drawing;
        otherwise they sit hundreds of metres off the streets.
    max_zoom
        Highest zoom level the server provides.
    subdomains
        Values for ``{s}`` in the template, if it has one.
    """

    url_template: str
    attribution: str = ""
    crs: str = "wgs84"
    max_zoom: int = 18
    subdomains: str = "abc"

    def __post_init__(self) -> None:
        if not isinstance(self.url_template, str) or "{z}" not in self.url_template:
            msg = (
                f"TileConfig.url_template must be a Leaflet template with {{z}}, {{x}}, {{y}}, "
                f"got {self.url_template!r}"
            )
            raise ParameterError(msg)
        if self.crs not in _CRS_NAMES:
            msg = f"TileConfig.crs must be one of {_CRS_NAMES}, got {self.crs!r}"
            raise ParameterError(msg)


def resolve_tiles(tiles: TileConfig | str | None = None) -> TileConfig | None:
    """The tile server to use: ``tiles`` if given, else ``$GOVANALYTICS_TILES``, else none.

    Parameters
    ----------
    tiles
        A :class:`TileConfig`, a string ``"url_template|attribution|crs"`` (attribution and
        crs optional; crs defaults to ``"wgs84"``), ``"none"`` to force no tiles, or ``None``
        to read the environment variable ``GOVANALYTICS_TILES`` (same string form).

    Returns
    -------
    TileConfig or None
        ``None`` means boundaries on a plain background: nothing is fetched.
    """
    if isinstance(tiles, TileConfig):
        return tiles
    if tiles is None:
        tiles = os.environ.get(TILES_ENV, "")
        source = f"environment variable {TILES_ENV}"
    else:
        source = "parameter tiles"
    if not isinstance(tiles, str):
        msg = f"tiles must be a TileConfig, a string or None, got {type(tiles).__name__}"
        raise ParameterError(msg)
    text = tiles.strip()
    if not text or text.lower() == "none":
        return None
    parts = [p.strip() for p in text.split("|")]
    if len(parts) > 3:
        msg = f"{source}: expected 'url|attribution|crs', got {len(parts)} parts in {text!r}"
        raise ParameterError(msg)
    url = parts[0]
    attribution = parts[1] if len(parts) > 1 else ""
    crs = (parts[2] if len(parts) > 2 else "wgs84").lower() or "wgs84"
    try:
        return TileConfig(url, attribution, crs)
    except ParameterError as exc:
        msg = f"{source}: {exc}"
        raise ParameterError(msg) from None
