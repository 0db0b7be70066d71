"""Pages that execute nothing from data: HTML and script planted in the city's text fields.

A copy of the small sample city gets ``<script>``, ``<img onerror>`` and ``<svg onload>`` in
the names of its districts, streets and communities (regions table and boundaries) and in the
comments of the report week. The weekly report is rendered from it, and every published page
is opened in headless Chromium: a payload that runs logs a marker to the console, and none
may. A control page proves the marker is seen when a payload does run.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import polars as pl
import pytest

from govanalytics.privacy import csp_meta, escape_markup

MARK = "govanalytics-xss"
PAYLOADS = {
    "script": f"<script>console.log('{MARK}-script')</script>",
    "img": f"<img src=x onerror=\"console.log('{MARK}-img')\">",
    "svg": f"<svg onload=console.log('{MARK}-svg')>",
}
_RAN = re.compile(rf"CONSOLE[^\]]*\]\s*\"({MARK}-\w+)\"")


def _browser():
    from govanalytics.report._browser import find_chromium, run_chromium

    if find_chromium() is None:
        pytest.skip("Debian's chromium is not installed (scripts/system-deps.sh installs it)")
    return run_chromium


def _ran(page: Path) -> list[str]:
    """Markers logged by payloads that ran while ``page`` loaded (frames included)."""
    done = _browser()(
        ["--enable-logging=stderr", "--v=0", "--virtual-time-budget=3000", "--dump-dom",
         page.resolve().as_uri()]
    )  # fmt: skip
    return _RAN.findall(done.stderr.decode("utf-8", errors="replace"))


def _hostile_city(city: Path, target: Path) -> Path:
    """A copy of ``city`` with a payload in every region name and the report week's comments."""
    shutil.copytree(city, target)
    regions = pl.read_parquet(target / "master/regions.parquet")
    kinds = list(PAYLOADS.values())
    names = {
        code: f"{name}{kinds[i % len(kinds)]}"
        for i, (code, name) in enumerate(regions.select("region_code", "region_name").iter_rows())
    }
    regions.with_columns(
        pl.col("region_code").replace_strict(names).alias("region_name")
    ).write_parquet(target / "master/regions.parquet")
    geojson = json.loads((target / "master/boundaries.geojson").read_text(encoding="utf-8"))
    for feature in geojson["features"]:
        props = feature["properties"]
        props["region_name"] = names.get(props["region_code"], props.get("region_name"))
    (target / "master/boundaries.geojson").write_text(json.dumps(geojson), encoding="utf-8")
    comments = pl.read_parquet(target / "dynamic/comments.parquet")
    in_week = pl.col("created_at").is_between(pl.datetime(2026, 11, 16), pl.datetime(2026, 11, 23))
    comments.with_columns(
        pl.when(in_week)
        .then(pl.col("text") + pl.lit(PAYLOADS["img"] + PAYLOADS["script"]))
        .otherwise(pl.col("text"))
    ).write_parquet(target / "dynamic/comments.parquet")
    return target


@pytest.mark.browser
def test_control_page_shows_a_payload_that_runs(tmp_path: Path) -> None:
    """The check can fail: a payload on a page without the policy is seen to run."""
    body = "".join(PAYLOADS.values())
    open_page = tmp_path / "open.html"
    open_page.write_text(f"<!DOCTYPE html><html><head></head><body>{body}</body></html>")
    assert sorted(_ran(open_page)) == [f"{MARK}-img", f"{MARK}-script", f"{MARK}-svg"]
    guarded = tmp_path / "guarded.html"
    guarded.write_text(f"<!DOCTYPE html><html><head>{csp_meta()}</head><body>{body}</body></html>")
    assert _ran(guarded) == []
    escaped = tmp_path / "escaped.html"
    escaped.write_text(
        f"<!DOCTYPE html><html><head></head><body>{escape_markup(body, markup='html')}</body></html>"
    )
    assert _ran(escaped) == []


@pytest.mark.browser
@pytest.mark.notebook
def test_no_script_planted_in_data_runs_in_any_published_page(
    small_city: Path, tmp_path: Path
) -> None:
    from govanalytics.report import render_weekly

    _browser()
    city = _hostile_city(small_city, tmp_path / "hostile")
    report = render_weekly(week="2026-W47", data_dir=city, out_dir=tmp_path / "reports", quiet=True)
    pages = sorted(report.path.rglob("*.html"))
    names = {p.relative_to(report.path).as_posix() for p in pages}
    assert {"index.html", "memo.html", "hot_words/hot_words.html"} <= names
    assert any(n.endswith("_map.html") for n in names)  # maps saved by geo.save_map
    reached = [p.name for p in pages if MARK in p.read_text(encoding="utf-8")]
    assert len(reached) >= 5, reached  # the planted names and comments reach the pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        head = re.search(r"<head[^>]*>\s*(<meta[^>]*>)", text, re.IGNORECASE)
        assert head and "Content-Security-Policy" in head.group(1), page.name
        assert "'unsafe-inline'" not in head.group(1).split("script-src", 1)[1].split(";")[0]
        assert _ran(page) == [], page.name


def test_notebook_page_allows_the_scripts_of_its_maps_only(tmp_path: Path) -> None:
    """A map displayed in the notebook gets its scripts hashed; a script in a Markdown output
    or in HTML dressed up as a map (but not a map object) gets nothing."""
    import html

    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from govanalytics import geo
    from govanalytics.privacy import inline_scripts, script_hash
    from govanalytics.report import export_html

    m = geo.OfflineMap(location=[22.6, 114.0], zoom_start=11)
    frame = m._repr_html_()
    planted = PAYLOADS["script"]
    fake = frame.replace("L.map(", planted + "L.map(")  # same frame, another script
    outputs = [
        new_output("display_data", data={"text/html": frame, "text/plain": repr(m)}),
        new_output("display_data", data={"text/markdown": f"区：{planted}", "text/plain": "x"}),
        new_output(
            "display_data",
            data={"text/html": fake, "text/plain": "<IPython.core.display.HTML object>"},
        ),
    ]
    nb = new_notebook(cells=[new_code_cell("show()", outputs=outputs)])
    nbformat.write(nb, tmp_path / "page.ipynb")
    page = export_html(tmp_path / "page.ipynb", tmp_path / "page.html").read_text("utf-8")
    policy = html.unescape(re.search(r'Content-Security-Policy" content="([^"]*)"', page)[1])
    allowed = set(re.search(r"script-src ([^;]*);", policy)[1].split())
    srcdoc = html.unescape(re.search(r'srcdoc="([^"]*)"', frame)[1])
    assert allowed == {script_hash(code) for code in inline_scripts(srcdoc)}
    assert len(allowed) >= 2  # Leaflet and the map's own script
    for code in inline_scripts(html.unescape(re.findall(r'srcdoc="([^"]*)"', fake)[0])):
        if "console.log" in code:
            assert script_hash(code) not in allowed
    assert script_hash(f"console.log('{MARK}-script')") not in allowed
