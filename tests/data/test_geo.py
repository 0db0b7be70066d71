"""Boundaries from GeoJSON, Shapefile (GBK attributes) and GeoParquet."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from govanalytics.constants import CRS
from govanalytics.data import load_boundaries, load_with_report
from govanalytics.errors import DataError, SchemaError


def _frame(crs: str = CRS) -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame(
        {
            "区划代码": ["449901000000", "449901001000"],
            "名称": ["东湖区", "东湖街道"],
            "level": ["district", "street"],
        },
        geometry=[box(113.0, 22.0, 113.2, 22.2), box(113.0, 22.0, 113.1, 22.1)],
        crs=CRS,
    )
    return gdf.to_crs(crs)


def test_sample_city_boundaries(small_city: Path) -> None:
    gdf = load_boundaries(data_dir=small_city)
    assert gdf.crs.equals(CRS)
    assert list(gdf.columns) == ["region_code", "level", "region_name", "geometry"]
    assert gdf["region_name"].notna().all()
    assert gdf.is_valid.all() and len(gdf) > 10


def test_shapefile_gbk_dbf_without_cpg(tmp_path: Path) -> None:
    path = tmp_path / "边界.shp"
    _frame().to_file(path, engine="pyogrio", encoding="GBK")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    assert b"\xb6\xab\xba\xfe" in path.with_suffix(".dbf").read_bytes()  # 东湖 in GBK
    gdf, report = load_with_report("boundaries", path=path)
    assert gdf["region_code"].tolist() == ["449901000000", "449901001000"]
    assert report.encoding == "GB18030"
    assert gdf["region_name"].tolist() == ["东湖区", "东湖街道"]  # alias 名称, GBK decoded
    assert report.mapped_columns == {"区划代码": "region_code", "名称": "region_name"}
    assert any("GB18030" in n for n in report.notes)


def test_shapefile_gbk_dbf_attribute_text(tmp_path: Path) -> None:
    from govanalytics.data._geo import dbf_encoding, read_geo

    path = tmp_path / "b.shp"
    _frame().to_file(path, engine="pyogrio", encoding="GBK")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    assert dbf_encoding(path) == "GB18030"
    gdf, _, _ = read_geo(path, [])
    assert gdf["名称"].tolist() == ["东湖区", "东湖街道"]


def test_projected_crs_is_reprojected(tmp_path: Path) -> None:
    path = tmp_path / "b.parquet"
    _frame("EPSG:32649").to_parquet(path)
    gdf, report = load_with_report("boundaries", path=path)
    assert gdf.crs.equals(CRS)
    assert gdf.total_bounds == pytest.approx([113.0, 22.0, 113.2, 22.2], abs=1e-6)
    assert report.format == "geoparquet"
    assert any("reprojected from EPSG:32649" in n for n in report.notes)


def test_bad_level_in_boundaries(tmp_path: Path) -> None:
    gdf = _frame()
    gdf["level"] = ["district", "town"]
    path = tmp_path / "b.geojson"
    path.write_text(gdf.to_json(drop_id=True), encoding="utf-8")
    with pytest.raises(SchemaError) as exc:
        load_boundaries(path=path)
    assert "rows 2, column 'level'" in str(exc.value) and str(path) in str(exc.value)


def test_empty_feature_collection(tmp_path: Path) -> None:
    path = tmp_path / "b.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(DataError, match="no features"):
        load_boundaries(path=path)


def test_swapped_longitude_latitude_refused_with_a_hint(tmp_path: Path) -> None:
    import shapely

    gdf = _frame()
    gdf["geometry"] = shapely.transform(gdf.geometry.values, lambda xy: xy[:, ::-1])
    path = tmp_path / "swapped.geojson"
    path.write_text(gdf.to_json(drop_id=True), encoding="utf-8")
    with pytest.raises(DataError, match=r"swapped\.geojson.*longitude and latitude swapped"):
        load_boundaries(path=path)


def test_metres_read_as_degrees_refused(tmp_path: Path) -> None:
    gdf = _frame("EPSG:32649").set_crs(CRS, allow_override=True)  # a wrong .prj
    path = tmp_path / "wrong_crs.parquet"
    gdf.to_parquet(path)
    with pytest.raises(DataError, match=r"wrong_crs\.parquet.*outside China.*reference system"):
        load_boundaries(path=path)
