"""WGS84 ↔ GCJ-02 conversion and tile configuration."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from pyproj import Geod

from govanalytics import geo
from govanalytics.errors import ParameterError

GEOD = Geod(ellps="WGS84")


def _metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2])


def test_offset_at_shenzhen_is_hundreds_of_metres():
    # a well-known property of GCJ-02: in Shenzhen it shifts positions by roughly 500-600 m
    lon, lat = 114.0579, 22.5431
    glon, glat = geo.wgs84_to_gcj02(lon, lat)
    offset = float(_metres(lon, lat, glon, glat))
    assert 300 < offset < 800
    assert glon > lon and glat < lat  # east and south there


def test_round_trip_within_a_metre():
    rng = np.random.default_rng(0)
    lon = rng.uniform(73.5, 134.0, 2000)
    lat = rng.uniform(18.0, 53.0, 2000)
    back = geo.gcj02_to_wgs84(*geo.wgs84_to_gcj02(lon, lat))
    assert _metres(lon, lat, *back).max() < 1.0
    assert _metres(lon, lat, *geo.wgs84_to_gcj02(lon, lat)).min() > 10  # really shifted


def test_outside_china_is_unchanged():
    lon, lat = np.array([2.35, -74.0, 151.2]), np.array([48.85, 40.7, -33.9])
    glon, glat = geo.wgs84_to_gcj02(lon, lat)
    assert np.array_equal(glon, lon) and np.array_equal(glat, lat)


def test_frames_convert_and_come_back(communities):
    moved = geo.to_gcj02(communities)
    assert moved.crs == communities.crs
    assert (moved.geometry.values != communities.geometry.values).all()
    back = geo.to_wgs84(moved)
    a = shapely.get_coordinates(np.asarray(back.geometry.values))
    b = shapely.get_coordinates(np.asarray(communities.geometry.values))
    assert _metres(a[:, 0], a[:, 1], b[:, 0], b[:, 1]).max() < 1.0
    assert communities.geometry.iloc[0].equals(communities.geometry.iloc[0])  # input intact


def test_gcj02_tiles_shift_the_drawn_boundaries(communities, layers):
    communities["value"] = 1.0
    tiles = geo.TileConfig("http://10.0.0.1/amap/{z}/{x}/{y}.png", "内网高德", crs="gcj02")
    html = geo.map_html(geo.choropleth(communities, "value", tiles=tiles, tolerance=0))
    (features,) = layers(html)
    drawn = shapely.from_geojson(json.dumps(features[0]["geometry"]))
    x, y = shapely.get_coordinates(communities.geometry.iloc[0])[0]
    expected = np.asarray(geo.wgs84_to_gcj02(x, y))
    assert shapely.get_coordinates(drawn)[0] == pytest.approx(expected, abs=1e-5)
    # the tile server is the page's only fetch, and its attribution is shown
    assert geo.external_references(html) == ["http://10.0.0.1/amap/{z}/{x}/{y}.png"]
    assert "内网高德" in html


def test_wgs84_tiles_leave_geometries(communities, layers):
    communities["value"] = 1.0
    tiles = geo.TileConfig("http://10.0.0.1/tdt/{z}/{x}/{y}.png", "天地图", crs="wgs84")
    (features,) = layers(geo.map_html(geo.choropleth(communities, "value", tiles=tiles,
                                                     tolerance=0)))  # fmt: skip
    x, y = shapely.get_coordinates(communities.geometry.iloc[0])[0]
    assert features[0]["geometry"]["coordinates"][0][0] == pytest.approx([x, y], abs=1e-5)


def test_tiles_from_the_environment(monkeypatch):
    monkeypatch.setenv(geo.TILES_ENV, "http://intra/t/{z}/{x}/{y}.png|市测绘院|gcj02")
    assert geo.resolve_tiles() == geo.TileConfig("http://intra/t/{z}/{x}/{y}.png", "市测绘院",
                                                 "gcj02")  # fmt: skip
    assert geo.resolve_tiles("none") is None  # an explicit "none" beats the environment
    monkeypatch.setenv(geo.TILES_ENV, "")
    assert geo.resolve_tiles() is None
    monkeypatch.setenv(geo.TILES_ENV, "http://intra/t/{z}/{x}/{y}.png|x|bd09")
    with pytest.raises(ParameterError, match=r"GOVANALYTICS_TILES.*crs"):
        geo.resolve_tiles()
    with pytest.raises(ParameterError, match="url_template"):
        geo.TileConfig("http://intra/tiles.png")
