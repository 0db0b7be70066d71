"""The default forecast on real provincial series (CNIDS): beats both reference forecasts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from govanalytics.data import open_project
from govanalytics.health import aggregate_counts, backtest

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
COLUMNS = {
    "month": "week_start",
    "adcode": "district_code",
    "disease_zh": "disease",
    "cases": "count",
}


@pytest.fixture(scope="module")
def two_diseases(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    """Influenza and HFMD in the 31 provinces (the 全国 row left out), 2004-01 … 2019-03,
    loaded from the real CNIDS file through the public API with a column map."""
    source = SHARED / "cnids_province_monthly.parquet"
    if not source.is_file():
        pytest.skip(f"shared data file {source} is absent on this machine")
    folder = tmp_path_factory.mktemp("cnids")
    pl.read_parquet(source).filter(
        pl.col("disease_zh").is_in(["流行性感冒", "手足口病"]) & (pl.col("month") <= "2019-03-01")
    ).write_parquet(folder / "cnids.parquet")
    project = open_project(
        inputs={"clinic_counts": folder / "cnids.parquet"}, column_maps={"clinic_counts": COLUMNS}
    )
    counts = project.load("clinic_counts")
    return aggregate_counts(counts, region_level="province")


def test_default_beats_both_references_on_real_provinces(two_diseases):
    """12 monthly origins of 2018, horizons 1–3: the default ensemble's relative WIS
    (geometric mean over the 62 series) is below 1 against the flat and the seasonal-naive
    reference at every horizon, and its 95 % intervals cover at least 85 % of the truths."""
    assert two_diseases.select("region_code", "disease").n_unique() == 62
    origins = [dt.date(2018, m, 1) for m in range(1, 13)]
    _, scores = backtest(two_diseases, origins=origins, horizon=3, models=("ensemble",))
    ens = scores.filter((pl.col("model") == "ensemble") & (pl.col("region_code") == "all"))
    assert ens.height == 3
    assert (ens["relative_wis_flat"] < 1.0).all(), ens
    assert (ens["relative_wis_seasonal_naive"] < 1.0).all(), ens
    assert ens["coverage_95"].min() >= 0.85, ens
