"""The privacy gate: personal data in any artifact stops publication and names the place."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from govanalytics.errors import PrivacyError
from govanalytics.privacy import id_check_digit, scan_file, scan_report, scan_text
from govanalytics.report import render_weekly

BODY17 = "44030519900307123"
ID_NUMBER = BODY17 + id_check_digit(BODY17)
WRONG_CHECK = BODY17 + ("0" if id_check_digit(BODY17) != "0" else "1")
PHONE = "13912345678"


def test_scan_text_finds_valid_ids_and_mobiles_only() -> None:
    text = f"身份证 {ID_NUMBER}，另一个 {WRONG_CHECK}，电话 139-1234-5678，热线 12345"
    kinds = sorted(scan_text(text))
    assert kinds == [("id_number", ID_NUMBER), ("mobile", PHONE)]
    # coordinates and long decimals are not phone numbers
    assert scan_text("[113.13912345678, 22.13912345678]") == []
    assert scan_text(f"{PHONE}.5") == []


def test_scan_names_place_in_tables_and_workbooks(tmp_path: Path) -> None:
    pl.DataFrame({"n": [1, 2], "note": ["无", f"联系 {PHONE}"]}).write_parquet(
        tmp_path / "t.parquet"
    )
    hits = scan_file(tmp_path / "t.parquet")
    assert [h.place for h in hits] == ["column 'note' row 2"] and hits[0].kind == "mobile"
    import xlsxwriter

    book = xlsxwriter.Workbook(str(tmp_path / "t.xlsx"))
    book.add_worksheet("表一").write(2, 1, f"证件 {ID_NUMBER}")
    book.close()
    hits = scan_file(tmp_path / "t.xlsx")
    assert [(h.place, h.kind) for h in hits] == [("sheet '表一' cell B3", "id_number")]
    assert ID_NUMBER not in str(hits[0])  # the message masks the number it reports


def test_scan_report_clean_on_published_report(weekly_report) -> None:
    assert scan_report(weekly_report.path) == []


def test_planted_number_fails_run_and_keeps_previous_report(
    good_notebooks: Path, tiny_data: Path, tmp_path: Path, make_notebook
) -> None:
    out = tmp_path / "reports"
    render_weekly(
        week="2026-W47", data_dir=tiny_data, out_dir=out, notebooks_dir=good_notebooks,
        compose=False, quiet=True,
    )  # fmt: skip
    before = (out / "2026-W47" / "manifest.json").read_bytes()
    make_notebook(good_notebooks / "leaky.ipynb", [
        "from govanalytics.report.contract import write_summary",
        'write_summary(".", notebook="leaky", title="泄露", week=week, headlines=[], alerts=[])',
        f'print("申请人证件号 {ID_NUMBER[:6]}" + "{ID_NUMBER[6:]}")',
    ])  # fmt: skip
    with pytest.raises(PrivacyError) as info:
        render_weekly(
            week="2026-W47", data_dir=tiny_data, out_dir=out, notebooks_dir=good_notebooks,
            compose=False, quiet=True,
        )  # fmt: skip
    message = str(info.value)
    # cell 4 of the executed notebook (papermill inserted the injected-parameters cell)
    assert "leaky/leaky.ipynb: cell 4 output 0: ID-card number" in message
    assert "leaky/leaky.html" in message  # the exported page is caught too
    assert ID_NUMBER not in message
    assert (out / "2026-W47" / "manifest.json").read_bytes() == before
    failed = out / "2026-W47.failed"
    assert failed.stat().st_mode & 0o077 == 0  # personal data inside: owner only
    manifest = json.loads((failed / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "failed" and manifest["privacy_hits"]
    assert "personal data" in (failed / "FAILED.txt").read_text(encoding="utf-8")


def test_scan_finds_a_phone_stored_as_a_number_in_a_big_workbook(tmp_path: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(tmp_path / "big.xlsx"))
    sheet = book.add_worksheet("数据")
    for r in range(2000):  # many harmless cells: codes, dates, long decimals
        sheet.write_row(r, 0, ["440300000000", "2026-11-16", 0.1391234567891 + r])
    sheet.write_number(1500, 3, int(PHONE))
    book.close()
    hits = scan_file(tmp_path / "big.xlsx")
    assert [(h.place, h.kind) for h in hits] == [("sheet '数据' cell D1501", "mobile")]
