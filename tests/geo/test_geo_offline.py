"""Map pages open without network access: Leaflet inlined, no CDN, no external fetch."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

import folium
import numpy as np
import polars as pl
import pytest
import xstatic.pkg.leaflet

from govanalytics import geo

LEAFLET_JS = (Path(xstatic.pkg.leaflet.BASE_DIR) / "leaflet.js").read_text(encoding="utf-8")
LEAFLET_CORE = LEAFLET_JS.split("//# sourceMappingURL")[0].strip()


@pytest.fixture
def maps(communities, streets) -> dict[str, folium.Map]:
    """One map of each kind on the small city, no tiles."""
    communities["value"] = np.arange(len(communities), dtype=float) * 10
    communities["withheld"] = communities["value"] < 50
    rng = np.random.default_rng(3)
    points = pl.DataFrame(
        {"lon": rng.uniform(113.9, 114.2, 3000), "lat": rng.uniform(22.55, 22.75, 3000)}
    )
    codes = streets["region_code"].tolist()
    flows = pl.DataFrame(
        {
            "origin": [codes[i] for i in range(len(codes)) for _ in range(2)],
            "destination": [codes[(i + k) % len(codes)] for i in range(len(codes)) for k in (1, 2)],
            "count": list(range(100, 100 + 2 * len(codes))),
        }
    )
    return {
        "choropleth": geo.choropleth(
            communities, "value", legend="申请件数", suppressed_column="withheld", tiles="none"
        ),
        "heatmap": geo.heatmap(points, legend="需求热度", min_count=2, tiles="none"),
        "flow_map": geo.flow_map(flows, streets, legend="出行人次", tiles="none"),
    }


@pytest.mark.parametrize("kind", ["choropleth", "heatmap", "flow_map"])
def test_map_page_fetches_nothing_and_carries_leaflet(maps, kind):
    html = geo.map_html(maps[kind])
    assert geo.external_references(html) == []
    assert geo.external_references(html, relative=True) == []
    assert LEAFLET_CORE in html
    # outside Leaflet's own code (an SVG namespace, a link in its attribution prefix) the page
    # holds no URL at all: no CDN, no tile server, no font
    rest = html.replace(LEAFLET_CORE, "")
    assert not re.search(r"https?://", rest)
    assert "sourceMappingURL" not in html
    for dropped in ("bootstrap", "font-awesome", "fontawesome", "awesome-markers", "jquery"):
        assert dropped not in html.lower()


@pytest.mark.parametrize("kind", ["choropleth", "heatmap", "flow_map"])
def test_notebook_display_embeds_the_offline_page(maps, kind):
    shown = maps[kind]._repr_html_()
    assert "srcdoc=" in shown
    assert escape(LEAFLET_CORE[:2000]) in shown
    assert geo.external_references(shown) == []


def test_plain_folium_map_is_caught_by_the_checker():
    refs = geo.external_references(folium.Map(tiles="OpenStreetMap").get_root().render())
    assert any("leaflet" in r and r.startswith("https://") for r in refs)
    assert any("bootstrap" in r for r in refs)
    assert any("tile.openstreetmap.org" in r for r in refs)


def test_leaflet_images_are_data_uris(maps):
    html = geo.map_html(maps["choropleth"])
    assert "url(images/" not in html
    assert "url(data:image/png;base64," in html


def test_jquery_inlined_only_when_the_page_uses_it(communities):
    communities["value"] = 1.0
    m = geo.choropleth(communities, "value", tiles="none")
    assert "jQuery" not in geo.map_html(m)
    layer = folium.FeatureGroup(name="前置").add_to(m)
    m.keep_in_front(layer)  # folium then calls $(document).ready(...)
    html = geo.map_html(m)
    assert "$(document).ready" in html
    assert "jQuery" in html
    assert geo.external_references(html) == []


def test_save_map_writes_the_page(maps, tmp_path):
    path = geo.save_map(maps["flow_map"], tmp_path / "sub" / "flows.html")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert geo.external_references(text) == []
    assert LEAFLET_CORE in text


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ('<script src="https://cdn.example.org/a.js"></script>', ["https://cdn.example.org/a.js"]),
        ('<link rel="stylesheet" href="//cdn.example.org/a.css">', ["//cdn.example.org/a.css"]),
        ('<link rel="icon" href="http://x.org/f.ico">', ["http://x.org/f.ico"]),
        ('<img srcset="http://x.org/a.png 1x, http://x.org/b.png 2x">',
         ["http://x.org/a.png", "http://x.org/b.png"]),
        ("<style>@font-face{src:url('https://f.org/a.woff2')}</style>", ["https://f.org/a.woff2"]),
        ('<style>@import "https://f.org/b.css";</style>', ["https://f.org/b.css"]),
        ('<div style="background:url(http://x.org/bg.png)"></div>', ["http://x.org/bg.png"]),
        ("<script>L.tileLayer('https://{s}.tile.example.org/{z}/{x}/{y}.png')</script>",
         ["https://{s}.tile.example.org/{z}/{x}/{y}.png"]),
        ('<iframe srcdoc="&lt;script src=&quot;https://cdn.x.org/l.js&quot;&gt;&lt;/script&gt;">'
         "</iframe>", ["https://cdn.x.org/l.js"]),
        ('<a href="https://example.org">链接</a>', []),
        ('<svg xmlns="http://www.w3.org/2000/svg"></svg>', []),
        ("<script>var ns = 'http://www.w3.org/2000/svg';</script>", []),
        ("<script>x = '<a href=\"https://leafletjs.com\">Leaflet</a>';</script>", []),
        ('<img src="data:image/png;base64,AAAA">', []),
        ('<script src="assets/leaflet.js"></script>', []),
    ],
)  # fmt: skip
def test_external_references_finds_what_a_browser_fetches(page, expected):
    assert geo.external_references(page) == expected


def test_external_references_relative_files_on_request():
    page = '<script src="assets/leaflet.js"></script><style>a{b:url(img/x.png)}</style>'
    assert geo.external_references(page) == []
    assert geo.external_references(page, relative=True) == ["assets/leaflet.js", "img/x.png"]
