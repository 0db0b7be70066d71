"""Static PNG choropleth for the printed memo."""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.image as mpimg
import numpy as np
import pytest

from govanalytics import geo
from govanalytics.geo._maps import SUPPRESSED_COLOR


@pytest.fixture(autouse=True)
def _restore_rcparams():
    with mpl.rc_context():
        yield


def _has_colour(img: np.ndarray, hex_colour: str) -> bool:
    """At least 0.5 % of the pixels have this colour (not just anti-aliased edges)."""
    rgb = np.asarray(mpl.colors.to_rgb(hex_colour))
    share = (np.abs(img[..., :3] - rgb).max(axis=-1) < 0.01).mean()
    return bool(share > 0.005)


def test_static_map_writes_a_chinese_png(communities, tmp_path):
    communities["value"] = np.arange(len(communities), dtype=float)
    communities["withheld"] = communities["value"] < 5
    # warnings are errors in tests: a missing CJK glyph would fail here
    path = geo.static_map(
        communities,
        "value",
        tmp_path / "memo" / "map.png",
        title="各社区服务申请量",
        legend="申请件数",
        suppressed_column="withheld",
    )
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000
    img = mpimg.imread(path)
    assert img.shape[0] >= 800 and img.shape[1] >= 1000  # 6 x 5 in at 200 dpi
    assert _has_colour(img, SUPPRESSED_COLOR)  # withheld regions drawn grey
    assert _has_colour(img, mpl.colors.to_hex(mpl.colormaps["YlOrRd"](0.95)))  # top class


def test_static_map_without_withheld_values_has_no_grey(communities, tmp_path):
    communities["value"] = np.arange(len(communities), dtype=float)
    img = mpimg.imread(geo.static_map(communities, "value", tmp_path / "m.png", title="测试"))
    assert not _has_colour(img, SUPPRESSED_COLOR)


def test_static_map_labels_and_outlines(boundaries, communities, tmp_path):
    communities["value"] = np.arange(len(communities), dtype=float)
    districts = boundaries[boundaries["level"] == "district"]
    plain = mpimg.imread(geo.static_map(communities, "value", tmp_path / "a.png"))
    marked = mpimg.imread(
        geo.static_map(communities, "value", tmp_path / "b.png", outlines=districts, labels=True)
    )
    # thick district borders and the white-haloed names add dark ink to the same map
    dark = lambda img: (img[..., :3].max(axis=-1) < 0.3).mean()  # noqa: E731
    assert dark(marked) > dark(plain) * 1.5
