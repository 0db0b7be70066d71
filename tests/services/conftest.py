"""Fixtures of the services tests: the small city's tables, loaded once."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest


@pytest.fixture(scope="session")
def tables(small_city: Path) -> dict[str, pl.DataFrame]:
    """Master and dynamic tables of the small city, read through the data layer."""
    from govanalytics import data

    master = data.MasterStore(small_city)
    return {
        "regions": master.load("regions"),
        "register": master.load("population_register"),
        "capacities": master.load("capacities"),
        "applications": data.load("applications", data_dir=small_city),
        "portal": data.load("portal_activity", data_dir=small_city),
    }


@pytest.fixture
def city_copy(small_city: Path, tmp_path: Path) -> Path:
    """A private copy of the small city for tests that write to its master data."""
    target = tmp_path / "city"
    shutil.copytree(small_city, target)
    return target
