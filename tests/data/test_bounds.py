"""Inputs bounded before they are read; reference checks whatever the regions file's format."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import polars as pl
import pytest

from govanalytics.data import load
from govanalytics.errors import DataError, SchemaError


def _claiming(path: Path, ref: str) -> Path:
    """A one-cell workbook whose sheet claims the range ``ref``."""
    import xlsxwriter

    plain = path.with_name("plain.xlsx")
    book = xlsxwriter.Workbook(str(plain))
    book.add_worksheet("留言").write_row(0, 0, ["工单编号", "受理时间", "内容"])
    book.close()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(
                    rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), data
                )
            out.writestr(info, data)
    return path


def test_a_sheet_claiming_the_whole_grid_is_refused_before_reading(tmp_path: Path) -> None:
    path = _claiming(tmp_path / "bomb.xlsx", "A1:XFD1048576")
    assert path.stat().st_size < 10_000
    with pytest.raises(DataError, match=r"bomb\.xlsx.*A1:XFD1048576.*re-save"):
        load("comments", path=path)


def test_a_sheet_claiming_a_modest_range_is_read(tmp_path: Path) -> None:
    path = _claiming(tmp_path / "ok.xlsx", "A1:C1")
    with pytest.raises(DataError, match="no data rows"):  # read, and found only a header
        load("comments", path=path)


def test_region_codes_checked_against_a_csv_regions_table(small_city: Path, tmp_path: Path) -> None:
    folder = tmp_path / "city"
    (folder / "master").mkdir(parents=True)
    regions = pl.read_parquet(small_city / "master" / "regions.parquet")
    regions.write_csv(folder / "master" / "regions.csv")
    (folder / "hotline.csv").write_text(
        "工单编号,受理时间,区县代码,内容\nA1,2026-11-02 09:00,449999000000,路灯不亮\n",
        encoding="utf-8",
    )
    with pytest.raises(SchemaError, match="449999000000"):
        load("comments", path=folder / "hotline.csv", data_dir=folder)
