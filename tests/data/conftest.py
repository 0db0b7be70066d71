"""Fixtures of the data-layer tests: small files written into a temporary folder."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

CLINIC_HEADER = "week_start,district_code,age_group,disease,count"


@pytest.fixture(scope="session")
def regions(small_city: Path) -> pl.DataFrame:
    """The regions table of the small sample city."""
    return pl.read_parquet(small_city / "master" / "regions.parquet")


@pytest.fixture(scope="session")
def district(regions: pl.DataFrame) -> str:
    """A district code that exists in the small sample city."""
    return regions.filter(pl.col("level") == "district")["region_code"][0]


@pytest.fixture
def write_text(tmp_path: Path):
    """Write ``text`` to ``tmp_path/name`` in ``encoding`` and return the path."""

    def write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write


@pytest.fixture
def clinic_csv(write_text, district: str):
    """Write a clinic-counts CSV from data lines (``{d}`` is replaced by a real district)."""

    def write(*lines: str, name: str = "clinic.csv", encoding: str = "utf-8") -> Path:
        body = "\n".join(line.replace("{d}", district) for line in lines)
        return write_text(name, f"{CLINIC_HEADER}\n{body}\n", encoding)

    return write
