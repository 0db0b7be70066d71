"""Readers, column mapping and counted repairs."""

from __future__ import annotations

import codecs
import datetime as dt
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from govanalytics.data import load, load_with_report
from govanalytics.data._load import JOIN_SEPARATOR
from govanalytics.errors import DataError, ParameterError, SchemaError

HOTLINE = (
    "工单编号,受理时间,标题,内容,区县代码,备注\n"
    "GD001,2024/3/5 14:02:11,噪音扰民,夜间施工噪音太大。,{d},\n"
    "GD002,2024年3月6日,,路灯不亮,{d},催办\n"
    "GD003,2024-03-07 08:00:00,垃圾清运,小区垃圾无人清运,,\n"
)


def test_gbk_csv_with_chinese_headers_and_column_map(write_text, district) -> None:
    path = write_text("热线.csv", HOTLINE.replace("{d}", district), "gbk")
    frame, report = load_with_report(
        "comments",
        path=path,
        column_map={"text": ["标题", "内容"], "区县代码": "district_code"},
    )
    assert report.encoding == "gb18030"
    assert frame.columns == [
        "message_id",
        "user_id",
        "created_at",
        "district_code",
        "community_code",
        "channel",
        "category",
        "text",
    ]
    assert frame["message_id"].to_list() == ["GD001", "GD002", "GD003"]
    assert frame["text"].to_list() == [
        f"噪音扰民{JOIN_SEPARATOR}夜间施工噪音太大。",
        "路灯不亮",
        f"垃圾清运{JOIN_SEPARATOR}小区垃圾无人清运",
    ]
    assert frame["created_at"].to_list() == [
        dt.datetime(2024, 3, 5, 14, 2, 11),
        dt.datetime(2024, 3, 6),
        dt.datetime(2024, 3, 7, 8),
    ]
    assert frame["district_code"].to_list() == [district, district, None]
    assert report.mapped_columns == {
        "工单编号": "message_id",
        "受理时间": "created_at",
        "区县代码": "district_code",
        "标题 + 内容": "text",
    }
    assert report.dropped_columns == ["备注"]
    assert report.repairs == {
        ("created_at", "date form 2024/3/5"): 1,
        ("created_at", "date form 2024年3月5日"): 1,
    }
    assert "备注" in str(report) and "date form 2024/3/5 × 1" in str(report)


def test_utf8_bom_csv(write_text, district) -> None:
    text = codecs.BOM_UTF8.decode("utf-8") + HOTLINE.replace("{d}", district)
    frame, report = load_with_report("comments", path=write_text("bom.csv", text))
    assert report.encoding == "utf-8-sig"
    assert frame["message_id"][0] == "GD001"  # the BOM is not part of the first header
    assert frame["text"][0] == "夜间施工噪音太大。"  # alias 内容 → text without a mapping


def test_tab_separated_utf16_export(write_text, district) -> None:
    text = "\ufeff" + HOTLINE.replace("{d}", district).replace(",", "\t")
    frame, report = load_with_report("comments", path=write_text("x.txt", text, "utf-16-le"))
    assert report.encoding == "utf-16"
    assert frame.height == 3


def test_excel_sheet_by_name_and_index(tmp_path: Path, district) -> None:
    path = tmp_path / "clinic.xlsx"
    good = pl.DataFrame(
        {
            "周起始日": [dt.date(2024, 3, 4), dt.date(2024, 3, 11)],
            "区县代码": [district, district],
            "年龄组": ["0-4", "60+"],
            "病种": ["ILI", "ILI"],
            "病例数": [5, 1200],
        }
    )
    with xlsxwriter.Workbook(path) as wb:
        pl.DataFrame({"说明": ["本表为示例"]}).write_excel(wb, worksheet="说明")
        good.write_excel(wb, worksheet="数据")
    for sheet in ("数据", 1):
        frame, report = load_with_report("clinic_counts", path=path, sheet=sheet)
        assert report.sheet == "数据" and report.format == "excel"
        assert frame["week_start"].to_list() == [dt.date(2024, 3, 4), dt.date(2024, 3, 11)]
        assert frame["count"].to_list() == [5, 1200]
        assert frame["district_code"].to_list() == [district, district]
    with pytest.raises(DataError, match=r"no sheet named 'Sheet9'; sheets are \['说明', '数据'\]"):
        load("clinic_counts", path=path, sheet="Sheet9")


def test_excel_errors_name_the_sheet(tmp_path: Path, district) -> None:
    path = tmp_path / "clinic.xlsx"
    bad = pl.DataFrame(
        {
            "week_start": ["2024-03-04", "2024-03-11"],
            "district_code": [district, district],
            "age_group": ["0-4", "0-4"],
            "disease": ["ILI", "ILI"],
            "count": ["5", "-1"],
        }
    )
    bad.write_excel(path, worksheet="周报")
    with pytest.raises(SchemaError) as exc:
        load("clinic_counts", path=path)
    assert "sheet '周报'" in str(exc.value) and "rows 2, column 'count'" in str(exc.value)


def test_date_forms_and_excel_serials_counted(clinic_csv) -> None:
    lines = [
        "2024-03-04,{d},0-4,ILI,1",
        "2024/3/11,{d},0-4,ILI,1",
        "2024/3/18 00:00:00,{d},0-4,ILI,1",
        "2024年3月25日,{d},0-4,ILI,1",
        "20240401,{d},0-4,ILI,1",
        "45390,{d},0-4,ILI,1",
        "45397,{d},0-4,ILI,1",
        "2024-04-22T00:00:00,{d},0-4,ILI,1",
    ]
    frame, report = load_with_report("clinic_counts", path=clinic_csv(*lines))
    start = dt.date(2024, 3, 4)
    assert frame["week_start"].to_list() == [start + dt.timedelta(weeks=i) for i in range(8)]
    assert report.repairs == {
        ("week_start", "date form 2024/3/5"): 2,
        ("week_start", "date form 2024年3月5日"): 1,
        ("week_start", "date form 20240305"): 1,
        ("week_start", "Excel serial date"): 2,
    }
    table = report.to_frame()
    assert table.filter(pl.col("kind") == "Excel serial date")["count"].to_list() == [2]


def test_excel_serial_reference_value(clinic_csv) -> None:
    # 45356 is 2024-03-05 in Excel's 1900 date system
    frame = load("clinic_counts", path=clinic_csv("45356,{d},0-4,ILI,1"))
    assert frame["week_start"][0] == dt.date(2024, 3, 5)


def test_full_width_whitespace_and_thousands_repaired(clinic_csv) -> None:
    path = clinic_csv(
        '２０２４-03-04,{d}, 0-4 ,ILI,"1,234"',
        "2024-03-11,{d},０-４,ILI,１２３",
    )
    frame, report = load_with_report("clinic_counts", path=path)
    assert frame["count"].to_list() == [1234, 123]
    assert frame["age_group"].to_list() == ["0-4", "0-4"]
    assert frame["week_start"][0] == dt.date(2024, 3, 4)
    assert report.repairs == {
        ("week_start", "full-width to half-width"): 1,
        ("age_group", "trimmed whitespace"): 1,
        ("age_group", "full-width to half-width"): 1,
        ("count", "thousands separator removed"): 1,
        ("count", "full-width to half-width"): 1,
    }
    assert "full-width to half-width × 1" in str(report)


def test_free_text_keeps_full_width_characters(write_text) -> None:
    path = write_text("c.csv", "message_id,created_at,text\nM1,2024-03-05,ＡＢＣ小区１２号楼\n")
    frame, report = load_with_report("comments", path=path)
    assert frame["text"][0] == "ＡＢＣ小区１２号楼"
    assert report.n_repairs == 0


def test_yes_no_words_to_booleans(small_city: Path, write_text) -> None:
    reg = pl.read_parquet(small_city / "master" / "population_register.parquet").head(6)
    words = ["是", "否", "Y", "N", "1", "false"]
    reg = reg.with_columns(disability=pl.Series(words), household_registered=pl.lit("true"))
    frame, report = load_with_report(
        "population_register", path=write_text("r.csv", reg.write_csv())
    )
    assert frame["disability"].to_list() == [True, False, True, False, True, False]
    assert report.repairs == {("disability", "yes/no word to boolean"): 5}


def test_parquet_with_other_types_is_converted(tmp_path: Path, district) -> None:
    path = tmp_path / "c.parquet"
    pl.DataFrame(
        {
            "week_start": [dt.datetime(2024, 3, 4)],
            "district_code": [int(district)],
            "age_group": ["0-4"],
            "disease": ["ILI"],
            "count": pl.Series([7], dtype=pl.Int32),
        }
    ).write_parquet(path)
    frame, report = load_with_report("clinic_counts", path=path)
    assert frame.schema["count"] == pl.Int64 and frame.schema["week_start"] == pl.Date
    assert frame["district_code"][0] == district
    assert report.repairs == {("district_code", "number read as text"): 1}


def test_unknown_column_map_target_is_a_parameter_error(clinic_csv) -> None:
    with pytest.raises(ParameterError, match="'cases' is not a column of dataset 'clinic_counts'"):
        load(
            "clinic_counts",
            path=clinic_csv("2024-03-04,{d},0-4,ILI,1"),
            column_map={"count": "cases"},
        )


def test_column_map_source_missing_is_reported(clinic_csv) -> None:
    with pytest.raises(SchemaError, match=r"column_map names source column\(s\) \['病例数'\]"):
        load(
            "clinic_counts",
            path=clinic_csv("2024-03-04,{d},0-4,ILI,1"),
            column_map={"病例数": "count"},
        )


def test_codes_written_as_decimals_repaired(clinic_csv, district) -> None:
    path = clinic_csv(f"2024-03-04,{district}.0,0-4,ILI,5", "2024-03-11,{d},0-4,ILI,5.0")
    frame, report = load_with_report("clinic_counts", path=path)
    assert frame["district_code"].to_list() == [district, district]
    assert frame["count"].to_list() == [5, 5]
    assert report.repairs == {
        ("district_code", "'.0' removed from code"): 1,
        ("count", "whole number written as decimal"): 1,
    }


def test_codes_written_as_chinese_labels(write_text, district) -> None:
    path = write_text(
        "c.csv",
        "工单编号,受理时间,渠道,内容\n"
        "A1,2024-03-05,12345热线,停水\n"
        "A2,2024-03-05,政府网站,路灯\n"
        "A3,2024-03-05,portal,噪音\n"
        "A4,2024-03-05,微信,漏水\n",
    )
    with pytest.raises(SchemaError) as exc:
        load("comments", path=path, column_map={"渠道": "channel"})
    assert [(p["column"], p["rows"]) for p in exc.value.problems] == [("channel", [4])]
    assert "'微信'" in str(exc.value)
    path = write_text("d.csv", path.read_text(encoding="utf-8").replace("微信", "社交媒体"))
    frame, report = load_with_report("comments", path=path, column_map={"渠道": "channel"})
    assert frame["channel"].to_list() == ["hotline_12345", "portal", "portal", "social_media"]
    assert report.repairs == {("channel", "Chinese label to code"): 3}


def test_duplicated_header_is_noted(clinic_csv) -> None:
    path = clinic_csv("2024-03-04,{d},0-4,ILI,5,7")
    path.write_text(path.read_text(encoding="utf-8").replace("count\n", "count,count\n", 1))
    frame, report = load_with_report("clinic_counts", path=path)
    assert frame["count"].to_list() == [5]
    assert any("'count' appears 2 times" in n for n in report.notes)
    assert report.dropped_columns == ["count_duplicated_0"]


def test_excel_title_rows_and_blank_rows(tmp_path: Path, district) -> None:
    path = tmp_path / "title.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet("周报")
        ws.write(2, 0, "2024年3月门诊周报")  # a title on sheet row 3
        ws.write_row(3, 0, ["周起始日", "区县代码", "年龄组", "病种", "病例数"])  # row 4
        ws.write_row(4, 0, ["2024-03-04", district, "0-4", "ILI", 5])  # row 5
        ws.write_row(6, 0, ["2024-03-11", district, "0-4", "ILI", -1])  # row 7, after a blank
    with pytest.raises(SchemaError) as exc:
        load("clinic_counts", path=path)
    msg = str(exc.value)
    assert "sheet '周报' (data row 1 = sheet row 5)" in msg
    assert [(p["column"], p["rows"]) for p in exc.value.problems] == [("count", [3])]
    ws_ok = tmp_path / "ok.xlsx"
    with xlsxwriter.Workbook(ws_ok) as wb:
        ws = wb.add_worksheet()
        ws.write(0, 0, "标题")
        ws.write_row(1, 0, ["周起始日", "区县代码", "年龄组", "病种", "病例数"])
        ws.write_row(2, 0, ["2024-03-04", district, "0-4", "ILI", 5])
    frame, report = load_with_report("clinic_counts", path=ws_ok)
    assert frame["count"].to_list() == [5]
    assert any("skipped 1 title row" in n for n in report.notes)


def test_csv_blank_lines_keep_row_numbers(clinic_csv) -> None:
    path = clinic_csv("2024-03-04,{d},0-4,ILI,5", "", ",,,,", "2024-03-11,{d},0-4,ILI,x")
    with pytest.raises(SchemaError) as exc:
        load("clinic_counts", path=path)
    assert [(p["column"], p["rows"]) for p in exc.value.problems] == [("count", [4])]
