"""Master and dynamic stores, lazy scans, the sample city and the public surface."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest

import govanalytics.data as data
from govanalytics.data import (
    DYNAMIC_DATASETS,
    MASTER_DATASETS,
    SCHEMAS,
    DynamicStore,
    MasterStore,
    load,
    load_with_report,
    scan,
)
from govanalytics.errors import DataError, ParameterError, SchemaError


def test_public_surface() -> None:
    assert sorted(data.__all__) == sorted(
        [
            "DYNAMIC_DATASETS",
            "MASTER_DATASETS",
            "PROJECT_FILE",
            "DatasetSpec",
            "Project",
            "open_project",
            "gazetteer",
            "regions_from_gazetteer",
            "resolve_places",
            "SCHEMAS",
            "Column",
            "DynamicStore",
            "LoadReport",
            "MasterStore",
            "Schema",
            "load",
            "load_boundaries",
            "load_with_report",
            "scan",
        ]
    )
    for name in data.__all__:
        assert getattr(data, name) is not None


def test_every_dataset_belongs_to_one_store() -> None:
    assert set(MASTER_DATASETS) | set(DYNAMIC_DATASETS) == set(SCHEMAS)
    assert not set(MASTER_DATASETS) & set(DYNAMIC_DATASETS)
    assert MasterStore.datasets == MASTER_DATASETS
    assert DynamicStore.datasets == DYNAMIC_DATASETS


def test_sample_city_validates_cleanly(small_city: Path) -> None:
    """Every dataset file present in the small sample city loads with no problem."""
    loaded = []
    for name, schema in SCHEMAS.items():
        store = MasterStore(small_city) if schema.store == "master" else DynamicStore(small_city)
        if not store.exists(name):
            continue
        frame, report = store.load_with_report(name)
        assert len(frame) > 0, name
        assert list(frame.columns[: len(schema.columns)]) == schema.column_names, name
        assert report.n_repairs == 0, f"{name}: {report}"
        loaded.append(name)
    assert {"regions", "boundaries", "population_register"} <= set(loaded)


def test_sample_city_hotline_export_gbk(small_city: Path) -> None:
    path = small_city / "dynamic" / "hotline_export_gbk.csv"
    assert path.is_file(), "the sample city writes dynamic/hotline_export_gbk.csv"
    frame, report = load_with_report(
        "comments", path=path, column_map={"text": ["标题", "内容"]}, data_dir=small_city
    )
    assert report.encoding == "gb18030"
    assert frame["message_id"].is_unique().all() and frame["text"].null_count() == 0
    assert report.repairs.get(("created_at", "date form 2024/3/5")) == frame.height


def test_master_store_refuses_dynamic_data(small_city: Path) -> None:
    with pytest.raises(ParameterError) as exc:
        MasterStore(small_city).load("clinic_counts")
    assert "DynamicStore" in str(exc.value) and "MasterStore" in str(exc.value)
    with pytest.raises(ParameterError, match="load it from MasterStore, not DynamicStore"):
        DynamicStore(small_city).load("regions")
    with pytest.raises(ParameterError):
        DynamicStore(small_city).path("population_register")
    assert not hasattr(DynamicStore, "write")


def test_store_paths(small_city: Path) -> None:
    assert MasterStore(small_city).path("regions") == small_city / "master" / "regions.parquet"
    assert DynamicStore(small_city).path("comments") == small_city / "dynamic" / "comments.parquet"


def test_master_write_is_validated_and_atomic(small_city: Path, tmp_path: Path) -> None:
    folder = tmp_path / "city"
    (folder / "master").mkdir(parents=True)
    shutil.copy(small_city / "master" / "regions.parquet", folder / "master")
    store = MasterStore(folder)
    capacities = pl.DataFrame(
        {
            "district_code": store.load("regions").filter(pl.col("level") == "district")[
                "region_code"
            ],
        }
    ).with_columns(capacity_type=pl.lit("school_places"), year=pl.lit(2026), capacity=pl.lit(500))
    path = store.write("capacities", capacities)
    assert store.load("capacities").equals(capacities)
    before = path.read_bytes()
    with pytest.raises(SchemaError, match="below the minimum 0"):
        store.write("capacities", capacities.with_columns(capacity=pl.lit(-1)))
    assert path.read_bytes() == before  # the bad frame never replaced the good file
    assert [p.name for p in (folder / "master").iterdir() if p.name.startswith(".")] == []


def test_scan_is_lazy_and_validated(small_city: Path) -> None:
    lf = scan("clinic_counts", data_dir=small_city)
    assert isinstance(lf, pl.LazyFrame)
    assert lf.collect_schema().names() == SCHEMAS["clinic_counts"].column_names
    assert lf.select(pl.len()).collect().item() == load("clinic_counts", data_dir=small_city).height


def _bad_counts(tmp_path: Path) -> Path:
    n = 50_000
    i = pl.int_range(0, n, eager=True)
    frame = pl.DataFrame(
        {
            "cell_id": "C" + (i % 500).cast(pl.String),
            "date": pl.Series([dt.date(2024, 1, 1)] * n),
            "hour": (i % 24).cast(pl.Int8),
            "device_count": i.cast(pl.Int32),
        }
    )
    frame = frame.with_columns(
        device_count=pl.when(pl.int_range(0, n) == 41_234).then(-5).otherwise("device_count"),
        hour=pl.when(pl.int_range(0, n) == 7).then(pl.lit(24, pl.Int8)).otherwise("hour"),
    )
    path = tmp_path / "device_counts.parquet"
    frame.write_parquet(path, row_group_size=10_000)
    return path


def test_scan_reports_offending_rows(tmp_path: Path) -> None:
    path = _bad_counts(tmp_path)
    with pytest.raises(SchemaError) as exc:
        scan("device_counts", path=path)
    problems = {p["column"]: p for p in exc.value.problems}
    assert problems["device_count"]["rows"] == [41_235]
    assert problems["hour"]["rows"] == [8]
    assert "above the maximum 23" in problems["hour"]["message"]
    assert str(path) in str(exc.value)
    scan("device_counts", path=path, check_values=False)  # names and types only


def test_scan_reports_missing_column_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "od.parquet"
    pl.DataFrame({"origin": ["449901000000"], "dest": ["449902000000"]}).write_parquet(path)
    with pytest.raises(SchemaError) as exc:
        scan("od_counts", path=path)
    assert {p["column"] for p in exc.value.problems} == {"destination", "date", "count"}


def test_scan_refuses_csv(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="Parquet only"):
        scan("clinic_counts", path=path)


def test_unknown_dataset() -> None:
    with pytest.raises(ParameterError, match="unknown dataset 'clinics'"):
        load("clinics", data_dir=".")


def test_neither_data_dir_nor_path() -> None:
    with pytest.raises(ParameterError, match="data_dir"):
        load("clinic_counts")


def test_data_dir_falls_back_to_other_suffix(tmp_path: Path, district: str) -> None:
    (tmp_path / "dynamic").mkdir()
    (tmp_path / "dynamic" / "clinic_counts.csv").write_text(
        f"week_start,district_code,age_group,disease,count\n2024-03-04,{district},0-4,ILI,2\n",
        encoding="utf-8",
    )
    frame, report = load_with_report("clinic_counts", data_dir=tmp_path)
    assert frame.height == 1 and report.format == "csv"
    assert any("regions" in n and "skipped" in n for n in report.notes)
    with pytest.raises(DataError, match=r"regions\.parquet: file not found"):
        load("regions", data_dir=tmp_path)


def test_scan_checks_unique_key_on_request(tmp_path: Path) -> None:
    path = tmp_path / "d.parquet"
    frame = pl.DataFrame(
        {
            "cell_id": ["C1", "C1", "C2"],
            "date": [dt.date(2024, 1, 1)] * 3,
            "hour": pl.Series([5, 5, 5], dtype=pl.Int8),
            "device_count": pl.Series([1, 2, 3], dtype=pl.Int32),
        }
    )
    frame.write_parquet(path)
    assert scan("device_counts", path=path).collect().equals(frame)
    with pytest.raises(SchemaError, match="duplicate key") as exc:
        scan("device_counts", path=path, check_unique=True)
    assert exc.value.problems[0]["rows"] == [1, 2]
