"""Gravity at city scale: the sparse fit against the dense GLM, great-circle distances, and
the empty-table bug (issue 14)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm
from pyproj import Geod
from shapely.geometry import Point

from govanalytics.errors import InsufficientDataError
from govanalytics.mobility import area_distances, fit_gravity, place_distances


@pytest.fixture(scope="module")
def flows() -> pl.DataFrame:
    """30 areas, 70 % of pairs listed, Poisson counts from a power-decay gravity model."""
    rng = np.random.default_rng(7)
    n = 30
    xy = rng.uniform(0, 300, (n, 2))
    a, b = rng.normal(7, 0.7, n), rng.normal(0, 0.7, n)
    rows = []
    for i in range(n):
        for j in range(n):
            if i != j and rng.random() < 0.7:
                km = float(np.hypot(*(xy[i] - xy[j]))) + 1.0
                mu = np.exp(a[i] + b[j] - 1.3 * np.log(km))
                rows.append((f"o{i:02d}", f"o{j:02d}", km, int(rng.poisson(mu))))
    return pl.DataFrame(
        rows, schema=["origin", "destination", "distance_km", "count"], orient="row"
    )


def _dense_glm(flows: pl.DataFrame, form: str):
    data = flows.sort("origin", "destination")
    origins, dests = sorted(set(data["origin"])), sorted(set(data["destination"]))
    x = np.zeros((data.height, len(origins) + len(dests)))
    x[:, 0] = 1.0
    for r, (o, d) in enumerate(zip(data["origin"], data["destination"], strict=True)):
        if origins.index(o):
            x[r, origins.index(o)] = 1.0
        if dests.index(d):
            x[r, len(origins) - 1 + dests.index(d)] = 1.0
    dist = data["distance_km"].to_numpy()
    x[:, -1] = np.log(dist) if form == "power" else dist
    return sm.GLM(data["count"].to_numpy().astype(float), x, family=sm.families.Poisson()).fit()


def test_sparse_fit_equals_the_dense_poisson_glm(flows) -> None:
    model = fit_gravity(flows.drop("distance_km"), flows.drop("count"))
    for form in ("power", "exponential"):
        ref = _dense_glm(flows, form)
        assert model.aic[form] == pytest.approx(ref.aic, rel=1e-7)
        assert model.deviance[form] == pytest.approx(ref.deviance, rel=1e-6)
    ref = _dense_glm(flows, "power")
    assert model.decay == "power"
    assert model.gamma == pytest.approx(ref.params[-1], abs=1e-6)
    assert model.gamma == pytest.approx(-1.3, abs=0.1)  # the planted decay
    first = min(model.origin_effect)
    assert model.origin_effect[first] == pytest.approx(ref.params[0], abs=1e-5)


def test_great_circle_distances_match_the_ellipsoid() -> None:
    points = pl.DataFrame(
        {
            "region_code": ["北京", "上海", "乌鲁木齐", "三亚"],
            "longitude": [116.407, 121.474, 87.617, 109.512],
            "latitude": [39.904, 31.230, 43.793, 18.253],
        }
    )
    got = place_distances(points)
    assert got.height == 12
    geod = Geod(ellps="WGS84")
    for o, d, km in got.iter_rows():
        a = points.filter(pl.col("region_code") == o).row(0)
        b = points.filter(pl.col("region_code") == d).row(0)
        ref = geod.inv(a[1], a[2], b[1], b[2])[2] / 1000
        assert km == pytest.approx(ref, rel=0.005), (o, d)
    gdf = gpd.GeoDataFrame(
        {"region_code": points["region_code"].to_list()},
        geometry=[Point(x, y) for x, y in points.select("longitude", "latitude").rows()],
        crs="EPSG:4326",
    )
    by_area = area_distances(gdf).sort("origin", "destination")
    assert np.allclose(
        by_area["distance_km"], got.sort("origin", "destination")["distance_km"], rtol=1e-6
    )


def test_empty_tables_are_typed_and_refused_plainly() -> None:
    empty = gpd.GeoDataFrame({"region_code": []}, geometry=[], crs="EPSG:4326")
    dist = area_distances(empty)
    assert dist.height == 0
    assert dist.schema == pl.Schema(
        {"origin": pl.String, "destination": pl.String, "distance_km": pl.Float64}
    )
    no_flows = pl.DataFrame(
        schema={"origin": pl.String, "destination": pl.String, "count": pl.Int64}
    )
    with pytest.raises(InsufficientDataError, match="OD pairs"):
        fit_gravity(no_flows, dist)
