"""Fixtures of the health tests: the small city's clinic counts as district series."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from govanalytics.data import load
from govanalytics.health import aggregate_counts


@pytest.fixture(scope="session")
def clinic_counts(small_city: Path) -> pl.DataFrame:
    """The small city's weekly clinic counts, loaded through the data layer."""
    return load("clinic_counts", data_dir=small_city)


@pytest.fixture(scope="session")
def ili(clinic_counts: pl.DataFrame) -> pl.DataFrame:
    """Influenza-like illness per district and week."""
    return aggregate_counts(clinic_counts, disease="influenza_like_illness")
