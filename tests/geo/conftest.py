"""Fixtures of the geo tests: the small sample city's boundaries and helpers to read map pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pytest

_LAYER = re.compile(r"L\.geoJSON\((\{.*?\}), \{\n\s*style", re.DOTALL)


@pytest.fixture(scope="session")
def boundaries(small_city: Path) -> gpd.GeoDataFrame:
    """Every region polygon of the small sample city (districts, streets, communities)."""
    from govanalytics.data import load_boundaries

    return load_boundaries(data_dir=small_city)


@pytest.fixture
def communities(boundaries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The small city's communities (a fresh copy each test)."""
    return boundaries[boundaries["level"] == "community"].reset_index(drop=True).copy()


@pytest.fixture
def streets(boundaries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The small city's streets/towns (a fresh copy each test)."""
    return boundaries[boundaries["level"] == "street"].reset_index(drop=True).copy()


def _layers(html: str) -> list[list[dict]]:
    return [json.loads(m.group(1))["features"] for m in _LAYER.finditer(html)]


@pytest.fixture
def layers():
    """``layers(html)``: the GeoJSON features of every layer drawn on a map page, in order."""
    return _layers
