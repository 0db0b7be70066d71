"""Maps that work offline: choropleths, demand heat maps, flow maps, static PNG maps.

Every interactive map is a ``folium.Map`` subclass whose page carries Leaflet inline (from the
installed ``xstatic-leaflet`` package) and fetches nothing from the network unless a tile
server is configured (``tiles=`` or ``$GOVANALYTICS_TILES``); GCJ-02 tile servers get our WGS84
geometries converted.
"""

from govanalytics.geo._counts import grid_counts, region_counts
from govanalytics.geo._gcj02 import gcj02_to_wgs84, to_gcj02, to_wgs84, wgs84_to_gcj02
from govanalytics.geo._maps import choropleth, flow_map, heatmap, region_centroids
from govanalytics.geo._offline import OfflineMap, external_references, map_html, save_map
from govanalytics.geo._static import static_map
from govanalytics.geo._tiles import TILES_ENV, TileConfig, resolve_tiles

__all__ = [
    "TILES_ENV",
    "OfflineMap",
    "TileConfig",
    "choropleth",
    "external_references",
    "flow_map",
    "gcj02_to_wgs84",
    "grid_counts",
    "heatmap",
    "map_html",
    "region_centroids",
    "region_counts",
    "resolve_tiles",
    "save_map",
    "static_map",
    "to_gcj02",
    "to_wgs84",
    "wgs84_to_gcj02",
]
