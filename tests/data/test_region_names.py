"""Region names in code columns (所属区县: 东湖区) converted to codes; absent optional columns."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from govanalytics.data import load_with_report
from govanalytics.data._load import REGION_NAME_REPAIR
from govanalytics.errors import SchemaError

HEADER = "message_id,created_at,district_code,text"


def _districts(regions: pl.DataFrame) -> pl.DataFrame:
    return regions.filter(pl.col("level") == "district").sort("region_code")


def _comments_csv(write_text, rows: list[str]) -> Path:
    return write_text("comments.csv", HEADER + "\n" + "\n".join(rows) + "\n")


def test_sample_city_export_district_names_become_codes(small_city: Path) -> None:
    path = small_city / "dynamic" / "hotline_export_gbk.csv"
    frame, report = load_with_report(
        "comments",
        path=path,
        column_map={"text": ["标题", "内容"], "所属区县": "district_code"},
        data_dir=small_city,
    )
    named = frame["district_code"].drop_nulls()
    assert named.len() > 0.9 * frame.height
    assert report.repairs[("district_code", REGION_NAME_REPAIR)] == named.len()
    # every district code is the one the sample city recorded for that ticket
    stored = pl.read_parquet(small_city / "dynamic" / "comments.parquet").select(
        pl.col("message_id").str.replace("^M", "GD"), pl.col("district_code").alias("truth")
    )
    both = frame.join(stored, on="message_id", how="left")
    assert both.height == frame.height
    assert both["district_code"].eq_missing(both["truth"]).all()
    assert "所属区县" in report.mapped_columns


def test_names_converted_with_references_frame(write_text, regions: pl.DataFrame) -> None:
    d = _districts(regions)
    code, name = d["region_code"][0], d["region_name"][0]
    other = d["region_code"][1]
    path = _comments_csv(
        write_text,
        [f"M1,2026-11-01 10:00:00,{name},停水", f"M2,2026-11-01 11:00:00,{other},噪音"],
    )
    frame, report = load_with_report("comments", path=path, references={"regions": regions})
    assert frame["district_code"].to_list() == [code, other]
    assert report.repairs == {("district_code", REGION_NAME_REPAIR): 1}
    assert report.n_repairs == 1


def test_unknown_region_name_names_rows_and_value(write_text, regions: pl.DataFrame) -> None:
    name = _districts(regions)["region_name"][0]
    path = _comments_csv(
        write_text,
        [
            f"M1,2026-11-01 10:00:00,{name},停水",
            "M2,2026-11-01 11:00:00,无此区,噪音",
            "M3,2026-11-01 12:00:00,无此区,噪音",
        ],
    )
    with pytest.raises(SchemaError) as exc:
        load_with_report("comments", path=path, references={"regions": regions})
    problems = [p for p in exc.value.problems if p["column"] == "district_code"]
    assert len(problems) == 1, problems  # reported once, not also as a pattern mismatch
    assert problems[0]["rows"] == [2, 3]
    assert "无此区" in problems[0]["message"] and "region" in problems[0]["message"]
    assert str(path) in str(exc.value)


def test_ambiguous_region_name_lists_candidates(write_text, regions: pl.DataFrame) -> None:
    d = _districts(regions)
    a, b = d["region_code"][0], d["region_code"][1]
    twin = regions.with_columns(
        pl.when(pl.col("region_code").is_in([a, b]))
        .then(pl.lit("双名区"))
        .otherwise(pl.col("region_name"))
        .alias("region_name")
    )
    path = _comments_csv(write_text, ["M1,2026-11-01 10:00:00,双名区,停水"])
    with pytest.raises(SchemaError) as exc:
        load_with_report("comments", path=path, references={"regions": twin})
    (problem,) = [p for p in exc.value.problems if p["column"] == "district_code"]
    assert problem["rows"] == [1]
    assert "双名区" in problem["message"] and a in problem["message"] and b in problem["message"]


def test_district_name_of_a_street_is_not_a_district(write_text, regions: pl.DataFrame) -> None:
    street = regions.filter(pl.col("level") == "street")["region_name"][0]
    path = _comments_csv(write_text, [f"M1,2026-11-01 10:00:00,{street},停水"])
    with pytest.raises(SchemaError) as exc:
        load_with_report("comments", path=path, references={"regions": regions})
    (problem,) = [p for p in exc.value.problems if p["column"] == "district_code"]
    assert street in problem["message"] and "district level" in problem["message"]


def test_names_without_regions_table_say_how_to_convert(write_text, regions) -> None:
    name = _districts(regions)["region_name"][0]
    path = _comments_csv(write_text, [f"M1,2026-11-01 10:00:00,{name},停水"])
    with pytest.raises(SchemaError) as exc:
        load_with_report("comments", path=path)
    (problem,) = [p for p in exc.value.problems if p["column"] == "district_code"]
    assert problem["rows"] == [1]
    assert "references=" in problem["message"] and "region names" in problem["message"]


def test_absent_optional_columns_listed(write_text, regions: pl.DataFrame) -> None:
    code = _districts(regions)["region_code"][0]
    path = _comments_csv(write_text, [f"M1,2026-11-01 10:00:00,{code},停水"])
    frame, report = load_with_report("comments", path=path, references={"regions": regions})
    assert report.absent_columns == ["user_id", "community_code", "channel", "category"]
    for col in report.absent_columns:
        assert frame[col].null_count() == frame.height
        assert any(col in note and "absent" in note for note in report.notes)
    assert report.n_repairs == 0
