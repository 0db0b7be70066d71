"""Loading geometry datasets (boundaries, grid cells): GeoJSON, Shapefile, GeoParquet."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import polars as pl
import shapely

from govanalytics.constants import CRS
from govanalytics.data._load import (
    ColumnMap,
    References,
    _finish,
    get_schema,
    plan_columns,
    resolve_path,
)
from govanalytics.data._read import RawTable
from govanalytics.data._report import LoadReport
from govanalytics.data._schema import Schema
from govanalytics.data._validate import show_value
from govanalytics.errors import DataError, ParameterError

_FORMATS = {
    ".geojson": "geojson",
    ".json": "geojson",
    ".shp": "shapefile",
    ".parquet": "geoparquet",
    ".geoparquet": "geoparquet",
}


def dbf_encoding(shp: Path) -> str | None:
    """Encoding of a Shapefile's attribute table when no ``.cpg`` file declares it.

    The ``.dbf`` records are tried as UTF-8, then GB18030 (which covers GBK, the usual
    encoding of Chinese government Shapefiles). Returns ``None`` when a ``.cpg`` exists.
    """
    if shp.with_suffix(".cpg").is_file() or shp.with_suffix(".CPG").is_file():
        return None
    dbf = next((p for p in (shp.with_suffix(".dbf"), shp.with_suffix(".DBF")) if p.is_file()), None)
    if dbf is None:
        return None
    data = dbf.read_bytes()
    if len(data) < 32:
        return None
    header_len = struct.unpack("<H", data[8:10])[0]
    records = data[header_len:]
    try:
        records.decode("utf-8")
    except UnicodeDecodeError:
        return "GB18030"
    return "UTF-8"


def read_geo(path: Path, report_notes: list[str]) -> tuple[gpd.GeoDataFrame, str, str | None]:
    """Read a geometry file; return the frame, its format and the attribute encoding used."""
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        msg = (
            f"{path}: unsupported geometry file type {path.suffix!r}; supported: {sorted(_FORMATS)}"
        )
        raise DataError(msg)
    if path.stat().st_size == 0:
        msg = f"{path}: the file is empty"
        raise DataError(msg)
    encoding = None
    try:
        if fmt == "geoparquet":
            gdf = gpd.read_parquet(path)
        elif fmt == "shapefile":
            encoding = dbf_encoding(path)
            kw = {"encoding": encoding} if encoding else {}
            gdf = gpd.read_file(path, engine="pyogrio", **kw)
            if encoding:
                report_notes.append(f"no .cpg file: attribute table read as {encoding}")
        else:
            gdf = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:
        kind = {"geojson": "GeoJSON", "shapefile": "a Shapefile", "geoparquet": "GeoParquet"}
        msg = f"{path}: cannot read as {kind[fmt]}: {exc}"
        raise DataError(msg) from exc
    if len(gdf) == 0:
        msg = f"{path}: the file has no features"
        raise DataError(msg)
    if gdf.crs is None:
        minx, miny, maxx, maxy = gdf.total_bounds
        if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90:
            gdf = gdf.set_crs(CRS)
            report_notes.append(
                f"no CRS declared: coordinates look like longitude/latitude, {CRS} assumed"
            )
        else:
            msg = (
                f"{path}: no coordinate reference system declared and the coordinates "
                f"({minx:.0f}, {miny:.0f}, {maxx:.0f}, {maxy:.0f}) are not longitude/latitude; "
                "add a .prj file or set the CRS"
            )
            raise DataError(msg)
    elif not gdf.crs.equals(CRS):
        report_notes.append(f"reprojected from {gdf.crs.to_string()} to {CRS}")
        gdf = gdf.to_crs(CRS)
    check_extent(gdf, path)
    return gdf, fmt, encoding


#: Longitude/latitude box the boundaries of a Chinese city must lie in (mainland, Hainan,
#: the South China Sea islands, Hong Kong, Macao, Taiwan): (west, south, east, north).
CHINA_BOUNDS = (73.0, 3.0, 136.0, 54.0)


def check_extent(
    gdf: gpd.GeoDataFrame, path: Path, bounds: tuple[float, float, float, float] = CHINA_BOUNDS
) -> None:
    """Refuse geometries outside ``bounds``, with a hint when longitude and latitude are swapped.

    Raises
    ------
    DataError
        Naming the file, its extent and the likely cause.
    """
    minx, miny, maxx, maxy = (float(v) for v in gdf.total_bounds)
    west, south, east, north = bounds

    def inside(x0: float, y0: float, x1: float, y1: float) -> bool:
        return west <= x0 and x1 <= east and south <= y0 and y1 <= north

    if inside(minx, miny, maxx, maxy):
        return
    extent = f"longitude {minx:.2f}…{maxx:.2f}, latitude {miny:.2f}…{maxy:.2f}"
    if inside(miny, minx, maxy, maxx):
        msg = (
            f"{path}: the coordinates lie outside China ({extent}) but would lie inside with "
            "longitude and latitude swapped: the file was written as (latitude, longitude); "
            "swap the axes (e.g. shapely.transform(gdf.geometry.values, lambda xy: xy[:, ::-1]))"
        )
    else:
        msg = (
            f"{path}: the coordinates lie outside China ({extent}); check the file's "
            "coordinate reference system (.prj) — projected metres read as degrees, or a "
            "wrong EPSG code"
        )
    raise DataError(msg)


def _attributes(gdf: gpd.GeoDataFrame) -> pl.DataFrame:
    attrs = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    try:
        return pl.from_pandas(attrs)
    except Exception:
        return pl.DataFrame(
            {c: [None if pd.isna(v) else str(v) for v in attrs[c]] for c in attrs.columns},
            schema=dict.fromkeys(attrs.columns, pl.String),
        )


def geometry_problems(
    geoms: gpd.GeoSeries, labels: list[str], *, repair: bool, report: LoadReport
) -> tuple[gpd.GeoSeries, list[dict]]:
    """Check polygons (missing, empty, not polygonal, invalid); optionally make them valid.

    Invalid polygons (self-intersections, …) are made valid with
    :func:`shapely.make_valid` (``method="structure"``) when ``repair`` is True, each one
    counted as a repair; otherwise each is a problem naming its row and region.
    """
    problems = []
    values = geoms.values
    missing = np.asarray(geoms.isna() | geoms.is_empty)
    if missing.any():
        rows = [int(i) + 1 for i in np.flatnonzero(missing)]
        problems.append(
            {
                "rows": rows,
                "column": "geometry",
                "message": "missing or empty geometry for "
                + ", ".join(labels[r - 1] for r in rows[:10]),
            }
        )
    types = np.asarray(geoms.geom_type.fillna(""))
    wrong = ~missing & ~np.isin(types, ["Polygon", "MultiPolygon"])
    if wrong.any():
        rows = [int(i) + 1 for i in np.flatnonzero(wrong)]
        problems.append(
            {
                "rows": rows,
                "column": "geometry",
                "message": "not a polygon: "
                + ", ".join(f"{labels[r - 1]} is a {types[r - 1]}" for r in rows[:10]),
            }
        )
    invalid = ~missing & ~wrong & ~np.asarray(shapely.is_valid(values))
    if invalid.any():
        idx = np.flatnonzero(invalid)
        if repair:
            fixed = shapely.make_valid(values[idx], method="structure", keep_collapsed=False)
            values = values.copy()
            values[idx] = fixed
            geoms = gpd.GeoSeries(values, index=geoms.index, crs=geoms.crs)
            report.add_repair("geometry", "invalid polygon made valid", len(idx))
        else:
            rows = [int(i) + 1 for i in idx]
            reasons = shapely.is_valid_reason(values[idx])
            detail = "; ".join(
                f"row {r}: {labels[r - 1]}: {why}"
                for r, why in zip(rows[:10], reasons, strict=False)
            )
            problems.append(
                {
                    "rows": rows,
                    "column": "geometry",
                    "message": f"invalid polygon ({detail}); pass repair_geometry=True to "
                    "make them valid (counted as a repair)",
                }
            )
    return geoms, problems


def load_geo(
    schema: Schema,
    *,
    data_dir: str | os.PathLike | None,
    path: str | os.PathLike | None,
    column_map: ColumnMap | None,
    references: References | None,
    repair_geometry: bool,
) -> tuple[gpd.GeoDataFrame, LoadReport]:
    """Load a geometry dataset with its report (see :func:`load_boundaries`)."""
    file = resolve_path(schema, data_dir=data_dir, path=path)
    notes: list[str] = []
    gdf, fmt, encoding = read_geo(file, notes)
    attrs = _attributes(gdf)
    scratch = LoadReport(source=str(file), dataset=schema.name, format=fmt)
    plan, _ = plan_columns(schema, attrs.columns, column_map, scratch)
    key = schema.unique[0] if schema.unique else ""
    key_src = plan.get(key) if key else None
    if isinstance(key_src, str):
        labels = [f"{key} {show_value(key, v)}" for v in attrs[key_src].to_list()]
    else:
        labels = [f"feature {i + 1}" for i in range(attrs.height)]
    geo_report = LoadReport(source=str(file), dataset=schema.name, format=fmt)
    geoms, geo_problems = geometry_problems(
        gdf.geometry, labels, repair=repair_geometry, report=geo_report
    )
    raw = RawTable(attrs.lazy(), fmt, str(file), encoding=encoding)
    frame, report = _finish(
        raw, schema, data_dir, column_map, references, extra_problems=geo_problems
    )
    report.notes = notes + report.notes
    for (col, kind), n in geo_report.repairs.items():
        report.add_repair(col, kind, n)
    out = gpd.GeoDataFrame(
        frame.to_pandas(), geometry=gpd.GeoSeries(geoms.values, crs=CRS), crs=CRS
    )
    return out, report


def load_boundaries(
    *,
    data_dir: str | os.PathLike | None = None,
    path: str | os.PathLike | None = None,
    column_map: ColumnMap | None = None,
    dataset: str = "boundaries",
    references: References | None = None,
    repair_geometry: bool = False,
) -> gpd.GeoDataFrame:
    """Load region boundaries (or another geometry dataset) as a validated GeoDataFrame.

    Reads GeoJSON, Shapefile (a ``.dbf`` in GBK without a ``.cpg`` is detected) and
    GeoParquet. The result is always in WGS84 (:data:`govanalytics.constants.CRS`); other
    reference systems are reprojected, and a file without one is accepted as WGS84 only
    when its coordinates look like longitude/latitude (noted in the report).

    Parameters
    ----------
    data_dir, path, column_map, references
        As in :func:`~govanalytics.data.load_with_report`.
    dataset
        ``"boundaries"`` (default) or ``"grid_cells"``.
    repair_geometry
        Make invalid polygons valid with :func:`shapely.make_valid` (counted as a repair)
        instead of raising.

    Returns
    -------
    geopandas.GeoDataFrame
        The schema's columns in declared order plus ``geometry``, CRS ``EPSG:4326``.

    Raises
    ------
    SchemaError
        Every problem found: attribute problems as for tables, plus missing, non-polygonal
        or invalid geometries (naming the row and the region code).
    DataError
        Missing, empty or malformed file (the parser's message is included).
    """
    schema = get_schema(dataset)
    if not schema.geometry:
        msg = f"dataset: {dataset!r} carries no geometry; use load({dataset!r}, ...)"
        raise ParameterError(msg)
    gdf, _ = load_geo(
        schema,
        data_dir=data_dir,
        path=path,
        column_map=column_map,
        references=references,
        repair_geometry=repair_geometry,
    )
    return gdf
