"""WGS84 ↔ GCJ-02 (the offset coordinate system of map services published in China).

GCJ-02 (国测局坐标, "Mars coordinates") shifts WGS84 positions by a smooth, nonlinear offset of
some hundreds of metres inside mainland China; tile services of 高德 and other domestic
providers are drawn in it. The forward formula below is the widely published public one
(Krasovsky-1940 ellipsoid constants, polynomial-plus-sine offsets in metres turned into degrees);
positions outside mainland China's rough bounding box are left unchanged, as those services do.
The inverse has no closed form: :func:`gcj02_to_wgs84` solves it by fixed-point iteration
to well under a centimetre.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import shapely

from govanalytics.constants import CRS

__all__ = ["gcj02_to_wgs84", "to_gcj02", "to_wgs84", "wgs84_to_gcj02"]

_A = 6378245.0  # semi-major axis of Krasovsky 1940 (m)
_EE = 0.00669342162296594323  # its first eccentricity squared


def _in_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)


def _offset_lat(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    pi = math.pi
    out = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    out += (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    out += (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    out += (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    return out


def _offset_lon(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    pi = math.pi
    out = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    out += (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    out += (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    out += (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    return out


def _delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 minus WGS84, in degrees, at WGS84 position (lon, lat)."""
    x, y = lon - 105.0, lat - 35.0
    dlat = _offset_lat(x, y)
    dlon = _offset_lon(x, y)
    rad = lat / 180.0 * math.pi
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = dlat * 180.0 / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlon = dlon * 180.0 / (_A / sqrt_magic * np.cos(rad) * math.pi)
    inside = _in_china(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def wgs84_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Convert WGS84 longitude/latitude (degrees; scalars or arrays) to GCJ-02.

    Positions outside mainland China's bounding box are returned unchanged.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    dlon, dlat = _delta(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon, lat, *, iterations: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Convert GCJ-02 longitude/latitude back to WGS84 by fixed-point iteration.

    Starts from the GCJ-02 position and repeatedly corrects by the forward offset at the
    current estimate; each step shrinks the error about a thousandfold (the offset changes
    slowly), so a few steps reach sub-millimetre agreement with :func:`wgs84_to_gcj02`.
    """
    glon = np.asarray(lon, dtype=float)
    glat = np.asarray(lat, dtype=float)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(iterations):
        dlon, dlat = _delta(wlon, wlat)
        wlon = glon - dlon
        wlat = glat - dlat
    return wlon, wlat


def _transform(gdf: gpd.GeoDataFrame, func) -> gpd.GeoDataFrame:
    if gdf.crs is not None and gdf.crs != CRS:
        gdf = gdf.to_crs(CRS)

    def coords(xy: np.ndarray) -> np.ndarray:
        x, y = func(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    out = gdf.copy()
    out[out.geometry.name] = shapely.transform(np.asarray(gdf.geometry.values), coords)
    return out


def to_gcj02(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy of ``gdf`` with every geometry moved from WGS84 to GCJ-02.

    Use before drawing on GCJ-02 tiles (高德-style services); the CRS label stays
    ``EPSG:4326`` because GCJ-02 has no EPSG code — the frame is for drawing only.
    """
    return _transform(gdf, wgs84_to_gcj02)


def to_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy of ``gdf`` with every geometry moved from GCJ-02 back to WGS84."""
    return _transform(gdf, gcj02_to_wgs84)
