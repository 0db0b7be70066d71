"""The published weekly report: index, offline pages, memo, Excel appendix, provenance."""

from __future__ import annotations

import html as htmlmod
import json
import re
import shutil
from pathlib import Path

import polars as pl
import pytest

from govanalytics.geo import external_references
from govanalytics.report import render_weekly

WEEK = "2026-W47"


def _summaries(report) -> dict[str, dict]:
    return {
        r.name: json.loads((report.path / r.name / "summary.json").read_text(encoding="utf-8"))
        for r in report.runs
    }


def test_every_notebook_published(weekly_report) -> None:
    names = sorted(p.stem for p in (Path(__file__).parents[2] / "notebooks").glob("*.ipynb"))
    assert sorted(r.name for r in weekly_report.runs) == names
    assert weekly_report.runs[0].name == "overview"
    assert weekly_report.path.name == WEEK and weekly_report.ok
    for r in weekly_report.runs:
        folder = weekly_report.path / r.name
        for f in (f"{r.name}.ipynb", f"{r.name}.html", "summary.json"):
            assert (folder / f).is_file(), f"{r.name}: {f} missing"
        html = (folder / f"{r.name}.html").read_text(encoding="utf-8")
        assert 'class="jp-CodeMirrorEditor' not in html  # code excluded


def test_index_composed_from_summaries(weekly_report) -> None:
    from govanalytics.report._index import _PLAIN_HEADLINES, _day, alert_link

    page = (weekly_report.path / "index.html").read_text(encoding="utf-8")
    text = htmlmod.unescape(page)
    assert "城市运行周报" in text and "2026年第47周" in text
    summaries = _summaries(weekly_report)
    for name, s in summaries.items():
        assert f"href='{name}/{name}.html'" in page
        for h in s["headlines"]:
            assert _PLAIN_HEADLINES.get(h["key"], h["label"]) in text
        for a in s["alerts"]:
            assert a["place"] in text and _day(a["date"]) in text and a["message"] in text
            assert f"href='{alert_link({**a, 'notebook': name})}'" in page
        for fig in s["figures"]:
            assert f"{name}/{fig}" in page
            assert (weekly_report.path / name / fig).is_file()
    # 环比 shown for every headline that gives the previous period
    with_prev = [h for s in summaries.values() for h in s["headlines"] if "previous" in h]
    assert with_prev, "no summary gives a previous-week figure"
    from govanalytics.report._index import change_text

    for h in with_prev:
        assert change_text(h["value"], h["previous"])[0] in text
    for link in ("memo.pdf", "memo.docx", "tables.xlsx"):
        assert f"href='{link}'" in page and (weekly_report.path / link).is_file()
    appendix = (weekly_report.path / "appendix.html").read_text(encoding="utf-8")
    assert "href='manifest.json'" in appendix and "href='appendix.html'" in page


def _pages(report) -> list[Path]:
    return sorted(report.path.rglob("*.html"))


def test_no_page_references_an_external_host(weekly_report) -> None:
    for page in _pages(weekly_report):
        text = page.read_text(encoding="utf-8")
        assert external_references(text) == [], page.name
        for doc in re.findall(r'srcdoc="([^"]*)"', text):  # maps embedded in notebook pages
            assert external_references(htmlmod.unescape(doc)) == [], f"{page.name} (iframe)"


def test_provenance_in_the_appendix_linked_from_every_page(weekly_report) -> None:
    m = weekly_report.manifest
    _, digest = next(iter(m["inputs"].items()))
    appendix = (weekly_report.path / "appendix.html").read_text(encoding="utf-8")
    assert digest in appendix and m["generated_at"] in appendix
    assert m["versions"]["govanalytics"] in appendix
    for r in weekly_report.runs:  # the data download section: notebooks and tables
        assert f"href='{r.name}/{r.name}.ipynb'" in appendix
        for t in r.tables:
            assert f"href='{r.name}/{t}'" in appendix
    officials = [weekly_report.path / "index.html"] + [
        weekly_report.path / r.name / f"{r.name}.html" for r in weekly_report.runs
    ]
    for page in [*officials, weekly_report.path / "appendix.html"]:
        text = page.read_text(encoding="utf-8")
        assert "govanalytics-provenance" in text, page
        if page.name != "appendix.html":
            assert digest[:12] not in text, page  # officials' pages: no hashes
            links = re.findall(r"href=[\"']([^\"']*appendix\.html)[\"']", text)
            assert len(links) == 1, page  # linked once, from the footer


@pytest.mark.browser
def test_maps_draw_offline_in_chromium(weekly_report, load_offline) -> None:
    overview = weekly_report.path / "overview"
    n_districts = pl.read_parquet(overview / "district_overview.parquet").height
    # the map file and the map embedded in the executed notebook's page
    page = (overview / "overview.html").read_text(encoding="utf-8")
    docs = [htmlmod.unescape(d) for d in re.findall(r'srcdoc="([^"]*)"', page)]
    assert docs, "the overview page embeds no map"
    for name, text in [("district_map.html", (overview / "district_map.html").read_text()), *(
        (f"overview-iframe-{i}", d) for i, d in enumerate(docs)
    )]:  # fmt: skip
        dom, failed, remote = load_offline(text, name, beside=overview)
        paths = re.findall(r"<path[^>]*class=\"leaflet-interactive\"", dom)
        assert len(paths) >= n_districts, f"{name}: {len(paths)} boundary paths drawn"
        assert failed == [] and remote == [], name
    # whole pages: index (with its embedded map iframe and images) and every notebook page
    for path in [weekly_report.path / "index.html", *(
        weekly_report.path / r.name / f"{r.name}.html" for r in weekly_report.runs
    )]:  # fmt: skip
        _, failed, remote = load_offline(path.read_text(), path.name, beside=path.parent)
        assert failed == [] and remote == [], path.name


@pytest.mark.browser
def test_offline_probe_detects_external_requests(load_offline) -> None:
    page = "<html><head></head><body><img src='https://example.com/x.png'></body></html>"
    _, failed, _ = load_offline(page, "negative-control.html")
    assert failed == ["https://example.com/x.png"]


def test_memo_pdf_chinese_embedded_one_or_two_pages(weekly_report) -> None:
    from pypdf import PdfReader

    from govanalytics.report import memo_content, missing_glyphs
    from govanalytics.report._browser import find_chromium

    pdf = weekly_report.path / "memo.pdf"
    if find_chromium() is None:  # only a missing Chromium may excuse a missing PDF
        pytest.skip(weekly_report.manifest["memo"]["memo.pdf"])
    assert weekly_report.manifest["memo"]["memo.pdf"] == "ok"
    reader = PdfReader(pdf)
    assert 1 <= len(reader.pages) <= 2
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = "".join(p.extract_text() for p in reader.pages)
    memo = memo_content(_summaries(weekly_report), weekly_report.manifest)
    assert 3 <= len(memo.findings) <= 5 and memo.actions
    assert memo.map_figure and memo.chart_figure
    # the text layer gives back what was printed: 行 not the Kangxi radical ⾏ (same glyph)
    assert memo.title in text and "运行" in memo.title
    assert not [c for c in text if 0x2E80 <= ord(c) <= 0x2FDF]
    flat = re.sub(r"\s+", "", text)
    for line in (memo.findings[0], memo.actions[0]):
        assert re.sub(r"\s+", "", line)[:30] in flat
    assert missing_glyphs("".join(memo.texts())) == []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if font["/Subtype"] == "/Type3":
                assert font["/CharProcs"], "Type 3 font without glyph outlines"
                continue
            desc = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            fd = desc["/FontDescriptor"].get_object()
            assert any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3")), font


def test_memo_page_renders_to_an_image(weekly_report, tmp_path: Path) -> None:
    import subprocess

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (Debian poppler-utils) is not installed")
    from govanalytics.report._browser import find_chromium

    if find_chromium() is None:  # only a missing Chromium may excuse a missing PDF
        pytest.skip(weekly_report.manifest["memo"]["memo.pdf"])
    assert weekly_report.manifest["memo"]["memo.pdf"] == "ok"
    subprocess.run(
        ["pdftoppm", "-r", "40", "-gray", "-f", "1", "-l", "1", "-png",
         str(weekly_report.path / "memo.pdf"), str(tmp_path / "page")],
        check=True, timeout=60,
    )  # fmt: skip
    from PIL import Image

    with Image.open(next(tmp_path.glob("page*.png"))) as image:
        dark = sum(image.convert("L").histogram()[:128]) / (image.width * image.height)
    assert 0.01 < dark < 0.5  # text and figures printed, not a blank or black page


def test_memo_docx_editable_copy(weekly_report) -> None:
    from docx import Document

    doc = Document(str(weekly_report.path / "memo.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "城市运行监测专报" in text and "工作建议" in text and "数据来源" in text
    assert len(doc.inline_shapes) == 2  # the map and the chart


def test_excel_appendix(weekly_report) -> None:
    from openpyxl import load_workbook

    book = load_workbook(weekly_report.path / "tables.xlsx")
    tables = [(r.name, t) for r in weekly_report.runs for t in r.tables]
    assert book.sheetnames[:2] == ["目录", "核心指标"]
    assert len(book.sheetnames) == 2 + len(tables)
    assert len({n.lower() for n in book.sheetnames}) == len(book.sheetnames)
    for name in book.sheetnames:  # Chinese names, within Excel's 31 characters
        assert len(name) <= 31 and not re.search(r"[A-Za-z_]{3,}", name), name
        header = [c.value for c in book[name][1]]
        assert not [h for h in header if h and re.fullmatch(r"[a-z0-9_]+", str(h))], name
    sheet = book["城市概况·区县概况"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("区县代码", "区域名称", "登记人口")
    frame = pl.read_parquet(weekly_report.path / "overview" / "district_overview.parquet")
    assert len(rows) == frame.height + 1
    col = frame.columns.index("applications")
    for r, parquet_row in enumerate(frame.iter_rows(named=True), start=2):
        cell = sheet.cell(row=r, column=col + 1)
        if parquet_row["applications"] is None:  # withheld: empty, numeric column, marked
            assert cell.value is None and cell.comment is not None
            assert "已抑制" in cell.comment.text
        else:
            assert cell.value == parquet_row["applications"]
    published = [v for v in frame["applications"].to_list() if v is not None]
    assert all(isinstance(row[col], int | type(None)) for row in rows[1:])
    assert sum(row[col] or 0 for row in rows[1:]) == sum(published)  # the column sums
    book.close()


def test_manifest(weekly_report) -> None:
    m = json.loads((weekly_report.path / "manifest.json").read_text(encoding="utf-8"))
    assert m["status"] == "ok" and m["week"] == WEEK
    assert {n["name"] for n in m["notebooks"]} == {r.name for r in weekly_report.runs}
    assert all(n["status"] == "ok" and n["duration_s"] > 0 for n in m["notebooks"])
    assert "master/population_register.parquet" in m["inputs"]
    assert m["memo"]["memo.docx"] == "ok"


def test_same_inputs_give_identical_tables(weekly_report, small_city: Path, tmp_path) -> None:
    again = render_weekly(
        week=WEEK, data_dir=small_city, out_dir=tmp_path, compose=False, quiet=True
    )
    first = sorted(p.relative_to(weekly_report.path) for p in weekly_report.path.rglob("*.parquet"))
    second = sorted(p.relative_to(again.path) for p in again.path.rglob("*.parquet"))
    assert first == second and first
    for rel in first:
        assert (weekly_report.path / rel).read_bytes() == (again.path / rel).read_bytes(), rel
    for r in weekly_report.runs:
        a = (weekly_report.path / r.name / "summary.json").read_text(encoding="utf-8")
        assert a == (again.path / r.name / "summary.json").read_text(encoding="utf-8"), r.name


def test_report_read_back_from_its_folder(weekly_report) -> None:
    from govanalytics.report import read_report

    again = read_report(weekly_report.path)
    assert again.week == WEEK and again.ok
    assert [(r.name, r.tables) for r in again.runs] == [
        (r.name, r.tables) for r in weekly_report.runs
    ]
