"""Fixtures of the mobility tests: the small city's inputs and estimates, loaded once."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from govanalytics.mobility import MobilityInputs, load_mobility_inputs, load_od


@pytest.fixture(scope="session")
def inputs(small_city: Path) -> MobilityInputs:
    """District-level inputs of the small city, through the data layer."""
    return load_mobility_inputs(data_dir=small_city)


@pytest.fixture(scope="session")
def estimates(inputs: MobilityInputs, truth: dict) -> pl.DataFrame:
    """Unsuppressed district estimates for the planted estimation month."""
    return inputs.estimate(month=truth["mobility"]["month"])


@pytest.fixture(scope="session")
def od(small_city: Path) -> pl.DataFrame:
    """The small city's street-to-street OD counts."""
    return load_od(data_dir=small_city)
