"""Choropleth, heat map, flow map and centroids on the small sample city."""

from __future__ import annotations

import json
import re

import numpy as np
import polars as pl
import pytest
import shapely

from govanalytics import geo
from govanalytics.errors import DataError, ParameterError


def _coordinates(features: list[dict]) -> np.ndarray:
    out = []
    for f in features:
        out.extend(np.asarray(shapely.get_coordinates(shapely.from_geojson(json.dumps(f)))))
    return np.asarray(out)


def _decimals(html: str) -> int:
    """Most decimals of any number inside the map's GeoJSON layers."""
    data = "".join(re.findall(r"L\.geoJSON\((\{.*?\}), \{", html, re.DOTALL))
    return max(len(d) for d in re.findall(r"-?\d+\.(\d+)", data))


# --- choropleth -----------------------------------------------------------------------------


def test_choropleth_colours_tooltips_and_withheld_values(communities, layers):
    n = len(communities)
    communities["value"] = 1000 + np.arange(n) * 100.0 + 0.37
    communities["withheld"] = False
    communities.loc[[0, 1, 2], "withheld"] = True
    communities.loc[3, "value"] = np.nan
    m = geo.choropleth(
        communities, "value", legend="申请件数", suppressed_column="withheld", fmt="{:.2f}"
    )
    html = geo.map_html(m)
    (features,) = layers(html)
    assert len(features) == n
    tips = [f["properties"]["t"] for f in features]
    for i in (0, 1, 2):
        assert communities.loc[i, "region_name"] in tips[i]
        assert "已抑制" in tips[i]
        assert features[i]["properties"]["c"] == geo._maps.SUPPRESSED_COLOR
        # a withheld value appears nowhere on the page
        assert f"{communities.loc[i, 'value']:.2f}" not in html
    assert "无数据" in tips[3]
    assert f"申请件数：{communities.loc[10, 'value']:.2f}" in tips[10]
    shown = [f["properties"]["c"] for i, f in enumerate(features) if i > 3]
    assert len(set(shown)) == 5  # five quantile classes
    # higher values never get a lighter class: colours follow the value order
    order = [shown.index(c) for c in dict.fromkeys(shown)]
    assert order == sorted(order)
    assert "已抑制（小于阈值）" in html and "无数据" in html
    # only what is shown travels with each feature (no codes or other columns)
    assert all(set(f["properties"]) == {"t", "c"} for f in features)
    assert communities.loc[5, "region_code"] not in html


def test_choropleth_joins_a_polars_frame(communities, layers):
    codes = communities["region_code"].tolist()
    data = pl.DataFrame({"region_code": codes[:-1], "rate": [0.5] * (len(codes) - 1)})
    m = geo.choropleth(communities.drop(columns="region_name").assign(region_name="甲"), "rate",
                       data=data, fmt="{:.0%}", legend="比例")  # fmt: skip
    (features,) = layers(geo.map_html(m))
    assert "比例：50%" in features[0]["properties"]["t"]
    assert "无数据" in features[-1]["properties"]["t"]


def test_choropleth_fits_bounds_and_rounds_coordinates(communities, layers):
    communities["value"] = 1.0
    html = geo.map_html(geo.choropleth(communities, "value"))
    minx, miny, maxx, maxy = communities.total_bounds
    (fit,) = re.findall(r"map_\w+\.fitBounds\(\s*(\[\[.*?\]\])", html, re.DOTALL)
    (sw, ne) = json.loads(fit)
    assert sw == pytest.approx([miny, minx], abs=2e-4)
    assert ne == pytest.approx([maxy, maxx], abs=2e-4)
    assert _decimals(html) <= 5


def test_choropleth_simplifies_dense_boundaries(communities, layers):
    communities["value"] = 1.0
    dense = communities.copy()
    dense["geometry"] = shapely.segmentize(np.asarray(dense.geometry.values), 0.0002)
    full = layers(geo.map_html(geo.choropleth(dense, "value", tolerance=0)))[0]
    small = layers(geo.map_html(geo.choropleth(dense, "value")))[0]
    assert len(_coordinates(full)) > 5 * len(_coordinates(small))
    # simplified outlines stay within the tolerance of the original (0.0001° ≈ 10 m)
    for f, g in zip(small, dense.geometry, strict=True):
        drawn = shapely.from_geojson(json.dumps(f["geometry"]))
        assert drawn.hausdorff_distance(g) < 0.00012


def test_choropleth_names_wrong_parameters(communities):
    communities["value"] = 1.0
    with pytest.raises(ParameterError, match="value_column='missing'"):
        geo.choropleth(communities, "missing")
    with pytest.raises(ParameterError, match="suppressed_column='nope'"):
        geo.choropleth(communities, "value", suppressed_column="nope")
    with pytest.raises(ParameterError, match="colormap"):
        geo.choropleth(communities, "value", colormap="红黄")
    with pytest.raises(ParameterError, match="fmt"):
        geo.choropleth(communities, "value", fmt="{:d")


# --- heat map ---------------------------------------------------------------------------------


def _cluster(lon: float, lat: float, n: int, rng) -> pl.DataFrame:
    return pl.DataFrame(
        {"lon": lon + rng.uniform(0, 1e-5, n), "lat": lat + rng.uniform(0, 1e-5, n)}
    )


def test_heatmap_counts_cells_and_withholds_small_ones(layers):
    rng = np.random.default_rng(7)
    points = pl.concat(
        [
            _cluster(114.0003, 22.6003, 40, rng),  # a busy cell
            _cluster(114.1003, 22.7003, 20, rng),
            _cluster(113.9003, 22.5003, 3, rng),  # too few: withheld
        ]
    )
    cells = geo.grid_counts(points, cell_size_m=500)
    assert cells["points"].sum() == points.height
    m = geo.heatmap(points, legend="需求热度", cell_size_m=500)  # default min_count 15
    html = geo.map_html(m)
    (features,) = layers(html)
    counts = sorted(
        int(re.search(r"需求热度：(\d+)", f["properties"]["t"]).group(1)) for f in features
    )
    assert counts == [20, 40]  # the 3-point cell is not drawn
    assert all(c >= 15 for c in counts)
    assert "少于 15 条记录" in html


def test_heatmap_never_shows_input_coordinates():
    rng = np.random.default_rng(11)
    points = pl.DataFrame(
        {"lon": rng.uniform(113.95, 114.05, 4000), "lat": rng.uniform(22.55, 22.65, 4000)}
    )
    html = geo.map_html(geo.heatmap(points, min_count=1, cell_size_m=300))
    for lon, lat in points.head(500).iter_rows():
        for digits in (5, 4):
            assert f"{lon:.{digits}f}" not in html or f"{lat:.{digits}f}" not in html
    assert _decimals(html) <= 5


def test_heatmap_cells_have_the_requested_size():
    points = pl.DataFrame({"lon": [114.0, 114.3], "lat": [22.6, 22.8]})
    cells = geo.grid_counts(points, cell_size_m=500)
    for row in cells.iter_rows(named=True):
        lat = (row["min_lat"] + row["max_lat"]) / 2
        width = (row["max_lon"] - row["min_lon"]) * 111_320 * np.cos(np.radians(lat))
        height = (row["max_lat"] - row["min_lat"]) * 110_574
        assert width == pytest.approx(500, rel=0.01)
        assert height == pytest.approx(500, rel=0.01)


def test_heatmap_weights_and_outlines(communities, layers):
    rng = np.random.default_rng(5)
    points = _cluster(114.0003, 22.6003, 20, rng).with_columns(pl.lit(2.5).alias("w"))
    m = geo.heatmap(points, weight_column="w", boundaries=communities, fmt="{:.1f}")
    outlines, cells = layers(geo.map_html(m))
    assert len(outlines) == len(communities)
    assert ["数量：50.0" in f["properties"]["t"] for f in cells] == [True]


def test_heatmap_without_points_is_an_error():
    with pytest.raises(DataError, match="no points"):
        geo.heatmap(pl.DataFrame({"lon": [None], "lat": [None]}, schema={"lon": pl.Float64,
                                                                           "lat": pl.Float64}))  # fmt: skip
    with pytest.raises(ParameterError, match="lon_column='x'"):
        geo.heatmap(pl.DataFrame({"lon": [1.0], "lat": [2.0]}), lon_column="x")


# --- centroids and flows ----------------------------------------------------------------------


def test_region_centroids_lie_inside(communities):
    cent = geo.region_centroids(communities)
    assert cent.columns == ["region_code", "region_name", "lon", "lat"]
    assert cent["region_code"].to_list() == communities["region_code"].tolist()
    pts = shapely.points(cent["lon"].to_numpy(), cent["lat"].to_numpy())
    inside = shapely.contains(np.asarray(communities.geometry.values), pts)
    touching = shapely.distance(np.asarray(communities.geometry.values), pts) < 1e-5
    assert (inside | touching).all()


def _flows(streets) -> pl.DataFrame:
    codes = streets["region_code"].tolist()
    rows = [(o, d, float(10 * i + j)) for i, o in enumerate(codes) for j, d in enumerate(codes)]
    return pl.DataFrame(rows, schema=["origin", "destination", "count"], orient="row")


def test_flow_map_draws_the_largest_flows(streets, layers):
    flows = _flows(streets)
    m = geo.flow_map(flows, streets, top=5, legend="出行人次", boundaries=streets)
    outlines, lines = layers(geo.map_html(m))
    assert len(outlines) == len(streets)
    assert len(lines) == 5
    expected = (
        flows.filter(pl.col("origin") != pl.col("destination"))
        .sort("count", descending=True)["count"]
        .head(5)
        .to_list()
    )
    got = [float(re.search(r"出行人次：([\d,]+)", f["properties"]["t"]).group(1).replace(",", ""))
           for f in lines]  # fmt: skip
    assert got == expected
    widths = [f["properties"]["w"] for f in lines]
    assert widths == sorted(widths, reverse=True) and widths[0] == 10.0
    names = dict(zip(streets["region_code"], streets["region_name"], strict=True))
    first = flows.filter(pl.col("count") == expected[0]).row(0)
    assert f"{names[first[0]]} → {names[first[1]]}" in lines[0]["properties"]["t"]
    # both ends of each line sit on the two areas' centroids
    cent = {r[0]: (r[2], r[3]) for r in geo.region_centroids(streets).iter_rows()}
    start = lines[0]["geometry"]["coordinates"][0]
    assert start == pytest.approx(list(cent[first[0]]), abs=1e-5)


def test_flow_map_leaves_out_withheld_and_internal_flows(streets, layers):
    flows = _flows(streets).with_columns((pl.col("count") > 30).alias("small"))
    html = geo.map_html(geo.flow_map(flows, streets, suppressed_column="small", top=1000))
    (lines,) = layers(html)
    kept = flows.filter(~pl.col("small") & (pl.col("origin") != pl.col("destination")))
    assert len(lines) == kept.height
    withheld = flows.filter(pl.col("small") & (pl.col("origin") != pl.col("destination"))).height
    assert f"{withheld} 条流向小于阈值" in html


def test_opposite_flows_do_not_overlap(streets, layers):
    a, b = streets["region_code"].tolist()[:2]
    flows = pl.DataFrame({"origin": [a, b], "destination": [b, a], "count": [5, 7]})
    (lines,) = layers(geo.map_html(geo.flow_map(flows, streets)))
    mid = [np.asarray(f["geometry"]["coordinates"][6]) for f in lines]
    assert np.linalg.norm(mid[0] - mid[1]) > 1e-3


def test_flow_map_reports_unknown_regions(streets):
    flows = pl.DataFrame({"origin": ["999999999999"], "destination": ["449901001000"],
                          "count": [3]})  # fmt: skip
    with pytest.raises(DataError, match="999999999999"):
        geo.flow_map(flows, streets)


# --- per-region counts ------------------------------------------------------------------------


def test_region_counts_match_point_in_polygon(communities, layers):
    rng = np.random.default_rng(9)
    minx, miny, maxx, maxy = communities.total_bounds
    points = pl.DataFrame(
        {"lon": rng.uniform(minx, maxx, 3000), "lat": rng.uniform(miny, maxy, 3000),
         "w": rng.integers(1, 4, 3000).astype(float)}
    )  # fmt: skip
    got = geo.region_counts(points, communities, weight_column="w")
    assert got["region_code"].to_list() == communities["region_code"].tolist()
    pts = shapely.points(points["lon"].to_numpy(), points["lat"].to_numpy())
    for row, geom in zip(got.iter_rows(named=True), communities.geometry, strict=True):
        inside = shapely.contains(geom, pts)
        assert row["points"] == inside.sum()
        assert row["weight"] == points["w"].to_numpy()[inside].sum()
        assert row["suppressed"] == (row["points"] < 15)
    assert got["suppressed"].any() and not got["suppressed"].all()
    # drawn through choropleth, the small regions are withheld
    m = geo.choropleth(communities, "points", data=got, suppressed_column="suppressed")
    (features,) = layers(geo.map_html(m))
    withheld = ["已抑制" in f["properties"]["t"] for f in features]
    assert withheld == got["suppressed"].to_list()


def test_region_counts_count_a_shared_vertex_once(communities):
    x, y = shapely.get_coordinates(communities.geometry.iloc[0])[0]
    got = geo.region_counts(pl.DataFrame({"lon": [x], "lat": [y]}), communities, min_count=1)
    assert got["points"].sum() == 1


def test_choropleth_outlines_and_labels(boundaries, communities, layers):
    communities["value"] = np.arange(len(communities), dtype=float)
    districts = boundaries[boundaries["level"] == "district"]
    html = geo.map_html(geo.choropleth(communities, "value", outlines=districts, labels=True))
    fills, borders = layers(html)
    assert len(fills) == len(communities) and len(borders) == len(districts)
    assert all(f["properties"] == {} for f in borders)
    (items,) = re.findall(r"\((\[\[.*?\]\])\)\.forEach", html)
    items = json.loads(items)
    assert [i[2] for i in items] == communities["region_name"].tolist()
    cent = geo.region_centroids(communities)
    assert [[i[0], i[1]] for i in items] == [list(r) for r in cent.select("lat", "lon").rows()]
