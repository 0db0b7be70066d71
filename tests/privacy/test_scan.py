"""The privacy gate reads text, not binary payloads that happen to contain digit runs."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from govanalytics.privacy import id_check_digit, scan_file, scan_text


def test_digits_inside_base64_images_are_not_phone_numbers() -> None:
    page = '<img src="data:image/png;base64,iVBORw0KGgoAAb16142342557Zzq+/=">'
    assert scan_text(page) == []
    # the same digits in visible text are found
    assert scan_text("联系电话 16142342557") == [("mobile", "16142342557")]


def test_notebook_image_outputs_skipped_text_outputs_scanned(tmp_path: Path) -> None:
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "source": "show()",
                "outputs": [
                    {"output_type": "display_data", "data": {"image/png": "AAb16142342557Zz"}},
                    {"output_type": "stream", "name": "stdout", "text": "手机 13912345678"},
                ],
            }
        ]
    }
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    hits = scan_file(path)
    assert [(h.place, h.value) for h in hits] == [("cell 0 output 1", "13912345678")]


def test_parquet_numbers_and_list_columns_are_scanned(tmp_path: Path) -> None:
    """Numbers stored as integers and values inside list columns are not exempt."""
    body = "44030519900307123"
    id_number = body + id_check_digit(body)
    pl.DataFrame(
        {
            "phone": [1, 13912345678],
            "ids": [["A1"], ["A2", f"证件{id_number}"]],
            "share": [0.13912345678, 0.5],
        }
    ).write_parquet(tmp_path / "t.parquet")
    hits = scan_file(tmp_path / "t.parquet")
    assert [(h.place, h.kind) for h in hits] == [
        ("column 'phone' row 2", "mobile"),
        ("column 'ids' row 2", "id_number"),
    ]


def test_digit_runs_inside_map_element_ids_are_not_phone_numbers() -> None:
    """folium names elements with random hex ids; 11 digits inside one are not a phone."""
    page = "var geo_json_a17551873245bc0de9f8a7b6c5d4e3f2 = L.geoJson(null);"
    assert scan_text(page) == []
    assert scan_text('<div id="map_17551873245abcdef0123456789abcd">') == []
    # short tokens and plain text are still scanned
    assert scan_text("TEL13912345678") == [("mobile", "13912345678")]
    assert scan_text("电话：13912345678。") == [("mobile", "13912345678")]
    assert scan_text("联系人_13912345678") == [("mobile", "13912345678")]


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://analyst:S3cret!@db.gov.local:5432/city",
        "postgres://u:p@10.0.0.5/db",
        "http://admin:hunter2@intranet.example/report",
        "mysql+pymysql://etl:p%40ss@warehouse/stats",
    ],
)
def test_urls_with_a_password_are_flagged_in_every_artifact(tmp_path, url) -> None:
    (tmp_path / "page.html").write_text(f"<p>数据源：{url}</p>", encoding="utf-8")
    (tmp_path / "summary.json").write_text(json.dumps({"notes": [f"连接 {url}"]}), encoding="utf-8")
    pl.DataFrame({"source": ["ok", url]}).write_parquet(tmp_path / "t.parquet")
    for name in ("page.html", "summary.json", "t.parquet"):
        hits = scan_file(tmp_path / name)
        assert [h.kind for h in hits] == ["credential_url"], (name, hits)
        secret = url.split(":")[2].split("@")[0]
        assert secret not in str(hits[0]) or len(secret) <= 2  # the message masks it


@pytest.mark.parametrize(
    "text",
    [
        "postgresql://analyst@db/city",
        "postgresql://analyst:***@db/city",
        "postgresql://analyst:${PGPASSWORD}@db/city",
        "http://example.com:8080/a@b",
        "https://example.com/path",
    ],
)
def test_urls_without_a_password_are_not_flagged(text) -> None:
    assert [k for k, _ in scan_text(text) if k == "credential_url"] == []


@pytest.mark.parametrize(
    "line",
    [
        "2026-11-18  247  774 -527",  # a table row: date, day, night, change
        "18 247 774 527",
        "0  28  1  2350  13",
        "w47 1 38 124 6813 57",
    ],
)
def test_small_numbers_side_by_side_are_not_one_phone_number(line: str) -> None:
    # the same digits written as people write a phone are still found (the test can fail)
    assert scan_text(line) == []
    joined = "".join(ch for ch in line if ch.isdigit())[-11:]
    if joined.startswith("1") and joined[1] in "3456789":
        assert scan_text(f"{joined[:3]} {joined[3:7]} {joined[7:]}") == [("mobile", joined)]
