"""One test per kind of bad input: each message names the file, the row and the column."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import polars as pl
import pytest
from shapely.geometry import Polygon, box

from govanalytics.data import load, load_boundaries, load_with_report
from govanalytics.errors import DataError, SchemaError


def _problem(err: SchemaError, column: str) -> dict:
    found = [p for p in err.problems if p["column"] == column]
    assert found, f"no problem reported for column {column!r}: {err}"
    return found[0]


def _names_row(message: str, column: str, row: int) -> None:
    pattern = rf"rows (?:\d+, )*{row}\b.*column '{re.escape(column)}'"
    assert re.search(pattern, message), message


def test_missing_file_names_path_and_lists_folder(small_city: Path) -> None:
    with pytest.raises(DataError) as exc:
        load("clinic_counts", data_dir=small_city / "master")
    msg = str(exc.value)
    assert "clinic_counts.parquet" in msg
    assert "regions.parquet" in msg  # what is there instead


def test_missing_user_file_names_path(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=re.escape(str(tmp_path / "nope.csv"))):
        load("clinic_counts", path=tmp_path / "nope.csv")


def test_gbk_file_is_read_correctly(clinic_csv) -> None:
    path = clinic_csv("2024-03-04,{d},0-4,流感样病例,5", encoding="gbk")
    frame, report = load_with_report("clinic_counts", path=path)
    assert report.encoding == "gb18030"
    assert frame["disease"].to_list() == ["流感样病例"]


def test_undecodable_file_is_a_clear_error(write_text) -> None:
    # Latin-1 bytes: neither valid UTF-8 nor GB18030 (0xE9 followed by a comma)
    path = write_text("latin.csv", "name,count\ncafé,1\n", "latin-1")
    with pytest.raises(DataError) as exc:
        load("clinic_counts", path=path)
    assert str(path) in str(exc.value)
    assert "UTF-8" in str(exc.value) and "GB18030" in str(exc.value)


def test_gb18030_noise_is_not_accepted(tmp_path: Path) -> None:
    # Bytes that decode as GB18030 four-byte sequences but mean nothing in Chinese.
    path = tmp_path / "noise.csv"
    path.write_bytes(b"a,b\n" + bytes([0x81, 0x30, 0x81, 0x30, 0x2C, 0x84, 0x31, 0xA4, 0x39]) * 20)
    with pytest.raises(DataError, match="cannot decode"):
        load("clinic_counts", path=path)


def test_binary_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(b"PK\x03\x04\x14\x00\x00\x00binary")
    with pytest.raises(DataError, match=r"not a CSV text file.*xlsx"):
        load("clinic_counts", path=path)


def test_missing_column_names_found_columns_and_suggests_mapping(write_text, district) -> None:
    path = write_text(
        "c.csv",
        f"week_start,district_code,age_group,disease,cnt\n2024-03-04,{district},0-4,ILI,3\n",
    )
    with pytest.raises(SchemaError) as exc:
        load("clinic_counts", path=path)
    p = _problem(exc.value, "count")
    assert "missing" in p["message"] and "'cnt'" in p["message"]
    assert "column_map={'cnt': 'count'}" in p["message"]
    assert str(path) in str(exc.value)


def test_wrong_type_names_row_column_and_value(clinic_csv) -> None:
    path = clinic_csv("2024-03-04,{d},0-4,ILI,5", "2024-03-11,{d},0-4,ILI,五")
    with pytest.raises(SchemaError) as exc:
        load("clinic_counts", path=path)
    msg = str(exc.value)
    assert str(path) in msg
    _names_row(msg, "count", 2)
    assert "'五'" in _problem(exc.value, "count")["message"]


def test_negative_count(clinic_csv) -> None:
    path = clinic_csv(
        "2024-03-04,{d},0-4,ILI,5", "2024-03-11,{d},0-4,ILI,3", "2024-03-18,{d},0-4,ILI,-2"
    )
    with pytest.raises(SchemaError) as exc:
        load("clinic_counts", path=path)
    _names_row(str(exc.value), "count", 3)
    assert "below the minimum 0" in str(exc.value)
    assert str(path) in str(exc.value)


def test_duplicate_key_lists_rows_of_each_duplicate(clinic_csv) -> None:
    path = clinic_csv(
        "2024-03-04,{d},0-4,ILI,5",
        "2024-03-04,{d},5-14,ILI,5",
        "2024-03-04,{d},0-4,ILI,6",
        "2024-03-04,{d},5-14,ILI,1",
    )
    with pytest.raises(SchemaError) as exc:
        load("clinic_counts", path=path)
    p = _problem(exc.value, "week_start, district_code, age_group, disease")
    assert p["rows"] == [1, 2, 3, 4]
    assert "at rows 1, 3" in p["message"] and "at rows 2, 4" in p["message"]
    assert str(path) in str(exc.value)


def test_unknown_region_code_against_data_dir(clinic_csv, small_city: Path) -> None:
    path = clinic_csv("2024-03-04,{d},0-4,ILI,5", "2024-03-04,449999999000,0-4,ILI,5")
    with pytest.raises(SchemaError) as exc:
        load("clinic_counts", path=path, data_dir=small_city)
    _names_row(str(exc.value), "district_code", 2)
    assert "449999999000" in str(exc.value) and str(path) in str(exc.value)


def test_unknown_region_code_against_given_frame(clinic_csv, regions) -> None:
    path = clinic_csv("2024-03-04,449999999000,0-4,ILI,5")
    with pytest.raises(SchemaError, match=r"not found in regions\.region_code"):
        load("clinic_counts", path=path, references={"regions": regions})


def test_region_check_skipped_without_regions_is_noted(clinic_csv) -> None:
    path = clinic_csv("2024-03-04,449999999000,0-4,ILI,5")
    _, report = load_with_report("clinic_counts", path=path)
    assert any("skipped" in n and "district_code" in n for n in report.notes)


def test_date_out_of_range(clinic_csv) -> None:
    path = clinic_csv("2024-03-04,{d},0-4,ILI,5", "1899-12-25,{d},0-4,ILI,5")
    with pytest.raises(SchemaError) as exc:
        load("clinic_counts", path=path)
    _names_row(str(exc.value), "week_start", 2)
    assert "below the minimum 1990-01-01" in str(exc.value)
    assert str(path) in str(exc.value)


def test_impossible_date_is_wrong_type(clinic_csv) -> None:
    path = clinic_csv("2024-02-30,{d},0-4,ILI,5")
    with pytest.raises(SchemaError) as exc:
        load("clinic_counts", path=path)
    _names_row(str(exc.value), "week_start", 1)
    assert "cannot be read as a date" in str(exc.value)


@pytest.mark.parametrize("text", ["", "   \n\n", "\ufeff"])
def test_empty_file(write_text, text: str) -> None:
    path = write_text("empty.csv", text)
    with pytest.raises(DataError, match=rf"{re.escape(str(path))}: the file is empty"):
        load("clinic_counts", path=path)


def test_header_only_file(write_text) -> None:
    path = write_text("header.csv", "week_start,district_code,age_group,disease,count\n")
    with pytest.raises(DataError, match="no data rows"):
        load("clinic_counts", path=path)


def test_malformed_geojson(tmp_path: Path) -> None:
    path = tmp_path / "bad.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feat', encoding="utf-8")
    with pytest.raises(DataError) as exc:
        load_boundaries(path=path)
    assert str(path) in str(exc.value) and "GeoJSON" in str(exc.value)


def _boundaries(tmp_path: Path, geoms: list) -> Path:
    gdf = gpd.GeoDataFrame(
        {"region_code": [f"44990100{i}000" for i in range(len(geoms))], "level": "street"},
        geometry=geoms,
        crs="EPSG:4326",
    )
    path = tmp_path / "b.geojson"
    path.write_text(gdf.to_json(drop_id=True), encoding="utf-8")
    return path


BOWTIE = Polygon([(113.0, 22.0), (113.1, 22.1), (113.1, 22.0), (113.0, 22.1)])


def test_invalid_polygon_names_row_and_region(tmp_path: Path) -> None:
    path = _boundaries(tmp_path, [box(113, 22, 113.1, 22.1), BOWTIE])
    with pytest.raises(SchemaError) as exc:
        load_boundaries(path=path)
    p = _problem(exc.value, "geometry")
    assert p["rows"] == [2]
    assert "449901001000" in p["message"] and "Self-intersection" in p["message"]
    assert str(path) in str(exc.value)


def test_invalid_polygon_repaired_and_counted(tmp_path: Path) -> None:
    path = _boundaries(tmp_path, [box(113, 22, 113.1, 22.1), BOWTIE])
    gdf, report = load_with_report("boundaries", path=path, repair_geometry=True)
    assert gdf.is_valid.all()
    assert set(gdf.geom_type) <= {"Polygon", "MultiPolygon"}
    assert report.repairs == {("geometry", "invalid polygon made valid"): 1}


def test_all_problems_listed_at_once(clinic_csv) -> None:
    path = clinic_csv(
        "2024-03-04,{d},0-4,ILI,5",
        "2024-03-11,{d},0-9,ILI,5",  # age group not allowed
        "2024-03-18,{d},0-4,ILI,-1",  # negative count
        "someday,{d},0-4,ILI,2",  # not a date
    )
    with pytest.raises(SchemaError) as exc:
        load("clinic_counts", path=path)
    err = exc.value
    assert len(err.problems) == 3
    assert {(p["column"], tuple(p["rows"])) for p in err.problems} == {
        ("age_group", (2,)),
        ("count", (3,)),
        ("week_start", (4,)),
    }
    assert str(err).count("\n  - ") == 3


def test_personal_data_not_printed(write_text, small_city: Path) -> None:
    reg = pl.read_parquet(small_city / "master" / "population_register.parquet").head(3)
    bad_id = reg["id_number"][1][:-1] + ("0" if reg["id_number"][1][-1] != "0" else "1")
    reg = reg.with_columns(
        id_number=pl.Series([reg["id_number"][0], bad_id, "12345"]),
        phone=pl.Series(["13800000000", "2345678", None]),
        name=pl.Series(["张三", None, "李四"]),
    )
    path = tmp = write_text("reg.csv", reg.write_csv())
    with pytest.raises(SchemaError) as exc:
        load("population_register", path=path)
    msg = str(exc.value)
    assert tmp.name in msg
    _names_row(msg, "id_number", 2)
    _names_row(msg, "phone", 2)
    _names_row(msg, "name", 2)
    for secret in (bad_id, "12345", "2345678", bad_id[:6] + bad_id[6:14]):
        assert secret not in msg
    assert "<masked, 18 characters>" in msg


def test_ragged_csv_names_the_row(write_text) -> None:
    path = write_text("rag.csv", "name,id_number\n张三,1\n李四,2,extra\n王五,3\n")
    with pytest.raises(DataError) as exc:
        load("population_register", path=path)
    assert str(path) in str(exc.value) and "row 2 has 3" in str(exc.value)
    assert "李四" not in str(exc.value)


def test_codes_in_scientific_notation_get_a_hint(clinic_csv) -> None:
    path = clinic_csv("2024-03-04,4.49901E+11,0-4,ILI,5")
    with pytest.raises(SchemaError) as exc:
        load("clinic_counts", path=path)
    _names_row(str(exc.value), "district_code", 1)
    assert "scientific notation" in str(exc.value)


def test_broken_utf8_after_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfweek_start,count\n2024-03-04,\xff\n")
    with pytest.raises(DataError, match="byte-order mark but is not valid utf-8-sig"):
        load("clinic_counts", path=path)
