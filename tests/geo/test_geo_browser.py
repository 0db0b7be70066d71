"""Leaflet really draws the maps in headless Chromium with the network blocked."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import xstatic.pkg.leaflet

from govanalytics import geo

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (apt chromium)"),
]


def _dom(path) -> str:
    """The page's DOM after its scripts ran, with every network request refused."""
    out = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
         "--virtual-time-budget=2000", "--dump-dom", path.as_uri()],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return out.stdout


def test_maps_draw_offline(communities, streets, tmp_path):
    communities["value"] = np.arange(len(communities), dtype=float)
    rng = np.random.default_rng(1)
    points = pl.DataFrame(
        {"lon": rng.uniform(113.95, 114.0, 2000), "lat": rng.uniform(22.6, 22.65, 2000)}
    )
    cells = geo.grid_counts(points, cell_size_m=1000).filter(pl.col("points") >= 15).height
    assert cells > 10
    codes = streets["region_code"].tolist()
    flows = pl.DataFrame({"origin": codes[:-1], "destination": codes[1:], "count": 50})
    maps = {
        "choropleth": (
            geo.choropleth(communities, "value", legend="件数", labels=True),
            len(communities),
        ),
        "heatmap": (geo.heatmap(points, legend="热度", cell_size_m=1000), cells),
        "flow_map": (geo.flow_map(flows, streets, legend="人次"), len(codes) - 1),
    }
    for kind, (m, paths) in maps.items():
        dom = _dom(geo.save_map(m, tmp_path / f"{kind}.html"))
        # one SVG path per drawn feature: Leaflet ran from the inlined code
        assert dom.count('class="leaflet-interactive"') == paths, kind
        assert "govanalytics-legend" in dom, kind
        if kind == "choropleth":
            labels = re.findall(r'class="[^"]*\bgovanalytics-label\b', dom)
            assert len(labels) == len(communities)


def test_folium_markers_and_layer_control_need_no_image_files(tmp_path):
    import folium

    m = geo.OfflineMap(location=[22.6, 114.0], zoom_start=12)
    folium.Marker([22.6, 114.0], tooltip="服务点").add_to(m)
    folium.LayerControl().add_to(m)
    assert geo.external_references(geo.map_html(m), relative=True) == []
    dom = _dom(geo.save_map(m, tmp_path / "marker.html"))
    sources = re.findall(r'<img[^>]*\ssrc="([^"]*)"', dom)
    images = Path(xstatic.pkg.leaflet.BASE_DIR) / "images"
    expected = {
        "data:image/png;base64," + base64.b64encode((images / name).read_bytes()).decode()
        for name in ("marker-icon.png", "marker-shadow.png")
    }
    assert set(sources) == expected  # the marker and its shadow, as whole, valid images
