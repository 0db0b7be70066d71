"""The sample city: deterministic bytes and consistent truths."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl

from govanalytics.privacy import is_valid_id_number
from govanalytics.synth import generate_city


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_identical_bytes(small_city: Path, tmp_path: Path) -> None:
    again = generate_city(tmp_path / "again", size="small", seed=1)
    assert _digest(again) == _digest(small_city)


def test_other_seed_gives_other_data(small_city: Path, tmp_path: Path) -> None:
    other = generate_city(tmp_path / "other", size="small", seed=2)
    assert (
        _digest(other)["master/population_register.parquet"]
        != _digest(small_city)["master/population_register.parquet"]
    )


def test_register_ids_valid_and_unique(small_city: Path) -> None:
    reg = pl.read_parquet(small_city / "master/population_register.parquet")
    assert reg["id_number"].n_unique() == reg.height
    assert all(is_valid_id_number(v) for v in reg["id_number"].head(2000))
    # ID birth date agrees with birth_date
    mismatch = reg.filter(
        pl.col("id_number").str.slice(6, 8) != pl.col("birth_date").dt.strftime("%Y%m%d")
    )
    assert mismatch.height == 0


def test_region_codes_are_hierarchical(small_city: Path, truth: dict) -> None:
    regions = pl.read_parquet(small_city / "master/regions.parquet")
    assert regions["region_code"].str.len_chars().unique().to_list() == [12]
    comm = regions.filter(pl.col("level") == "community")
    assert (comm["region_code"].str.slice(0, 9) == comm["parent_code"].str.slice(0, 9)).all()
    assert set(truth["city"]["districts"]) == set(
        regions.filter(pl.col("level") == "district")["region_code"]
    )
    assert set(truth["city"]["ageing_communities"]) <= set(comm["region_code"])
