"""From grid cells or base stations to administrative areas."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import polars as pl
import shapely

from govanalytics.constants import CRS
from govanalytics.errors import DataError, ParameterError
from govanalytics.validation import string_like

__all__ = [
    "area_market_share",
    "cell_area_weights",
    "register_density",
    "voronoi_cells",
    "weights_to_level",
]


def cell_area_weights(
    cells: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    *,
    cell_column: str = "cell_id",
    area_column: str = "region_code",
    density: pl.DataFrame | None = None,
    normalize: bool = True,
) -> pl.DataFrame:
    """Share of each cell that lies in each area (areal weighting).

    A cell crossing a boundary is split by the areas it overlaps; its devices are shared out in
    proportion to the overlapping area (``weight``). A cell reaching beyond the areas (over the
    city limit, into the sea) keeps all its devices inside: its weights are rescaled to sum to 1
    (``normalize``), since the operator's counts cover the city only. With ``density``
    (dasymetric weighting) each piece's area is multiplied by the density of an ancillary
    layer, e.g. registered people per unit area of each community; a cell lying only in
    areas of zero density keeps its plain area shares. Cells that overlap no area, and cells
    falling back to plain area shares, are counted and named in a ``UserWarning``.

    Parameters
    ----------
    cells
        Polygons with ``cell_column`` (grid cells, or Voronoi areas of base stations).
    areas
        Polygons with ``area_column`` (one level of boundaries: districts, streets, …).
    cell_column, area_column
        Key columns.
    density
        Optional frame ``area_column``, ``density`` giving the ancillary density per area.
    normalize
        Rescale each cell's weights to sum to 1 (default); False keeps the plain area shares.

    Returns
    -------
    pl.DataFrame
        ``cell_id``, ``area``, ``weight`` (Float64).

    References
    ----------
    Goodchild, M. F. & Lam, N. S.-N. (1980), Areal interpolation: a variant of the traditional
    spatial problem, *Geo-Processing* 1, 297–312.
    """
    for gdf, col, what in ((cells, cell_column, "cells"), (areas, area_column, "areas")):
        if col not in gdf.columns:
            msg = f"{what} table has no column {col!r} (columns: {list(gdf.columns)})"
            raise ParameterError(msg)
    if cells.crs is not None and areas.crs is not None and cells.crs != areas.crs:
        areas = areas.to_crs(cells.crs)
    left = gpd.GeoDataFrame(
        {"cell_id": cells[cell_column].astype(str).to_numpy()},
        geometry=cells.geometry.values,
        crs=cells.crs,
    )
    right = gpd.GeoDataFrame(
        {"area": areas[area_column].astype(str).to_numpy()},
        geometry=areas.geometry.values,
        crs=areas.crs,
    )
    pieces = gpd.overlay(left, right, how="intersection", keep_geom_type=True)
    if pieces.empty:
        msg = "no grid cell overlaps any area: check that cells and boundaries share a CRS"
        raise DataError(msg)
    cell_area = dict(zip(left["cell_id"], shapely.area(left.geometry.values), strict=True))
    piece_area = shapely.area(pieces.geometry.values)
    out = pl.DataFrame(
        {
            "cell_id": pieces["cell_id"].to_numpy().astype(str),
            "area": pieces["area"].to_numpy().astype(str),
            "weight": piece_area / np.array([cell_area[c] for c in pieces["cell_id"]]),
        }
    )
    outside = sorted(set(left["cell_id"]) - set(out["cell_id"].to_list()))
    if outside:  # counted, never silent: their devices are not in any area
        shown = ", ".join(outside[:10])
        warnings.warn(
            f"{len(outside)} cell(s) overlap no area and are left out (their devices are not "
            f"counted): {shown}{' …' if len(outside) > 10 else ''}",
            UserWarning,
            stacklevel=2,
        )
    if density is not None:
        dens = density.select(pl.col(area_column).alias("area"), pl.col("density").cast(pl.Float64))
        dw = pl.col("weight") * pl.col("density").fill_null(0.0)
        total = dw.sum().over("cell_id")
        out = out.join(dens, on="area", how="left").with_columns(
            # a cell whose every piece has zero density keeps its plain area shares (its
            # devices would otherwise vanish, or turn into NaN after normalising)
            pl.when(total > 0).then(dw / total).otherwise(pl.col("weight")).alias("weight"),
            (total <= 0).alias("_plain"),
        )
        plain = out.filter(pl.col("_plain"))["cell_id"].unique().sort().to_list()
        if plain:
            warnings.warn(
                f"{len(plain)} cell(s) lie only in areas of zero density: plain areal weights "
                f"used for them: {', '.join(plain[:10])}{' …' if len(plain) > 10 else ''}",
                UserWarning,
                stacklevel=2,
            )
        out = out.drop("density", "_plain")
    out = out.group_by("cell_id", "area").agg(pl.col("weight").sum())
    if normalize:
        out = out.with_columns(pl.col("weight") / pl.col("weight").sum().over("cell_id"))
    return out.sort("cell_id", "area")


def voronoi_cells(
    stations: pl.DataFrame,
    outline: gpd.GeoDataFrame,
    *,
    id_column: str = "cell_id",
    lon: str = "lon",
    lat: str = "lat",
) -> gpd.GeoDataFrame:
    """Voronoi areas of base stations, clipped to the city outline.

    Parameters
    ----------
    stations
        One row per station: ``id_column``, ``lon``, ``lat`` (WGS84).
    outline
        Boundaries whose union is the city (e.g. the district boundaries).

    Returns
    -------
    geopandas.GeoDataFrame
        ``cell_id`` + polygon for every station (stations outside the outline are dropped).
    """
    missing = [c for c in (id_column, lon, lat) if c not in stations.columns]
    if missing:
        msg = f"stations table lacks columns {missing} (has {stations.columns})"
        raise ParameterError(msg)
    dup = stations[id_column].is_duplicated()
    if dup.any():
        msg = f"stations: duplicate {id_column} {stations.filter(dup)[id_column].head(5).to_list()}"
        raise DataError(msg)
    city = outline.to_crs(CRS).union_all()
    pts = shapely.points(stations[lon].to_numpy(), stations[lat].to_numpy())
    regions = shapely.voronoi_polygons(
        shapely.multipoints(pts), extend_to=shapely.box(*city.buffer(0.5).bounds)
    )
    polys = list(shapely.get_parts(regions))
    tree = shapely.STRtree(polys)
    ids, geoms = [], []
    for sid, pt in zip(stations[id_column].to_list(), pts, strict=True):
        hit = [polys[i] for i in tree.query(pt, predicate="intersects")]
        if not hit:
            continue
        clipped = hit[0].intersection(city)
        if not clipped.is_empty:
            ids.append(str(sid))
            geoms.append(clipped)
    return gpd.GeoDataFrame({"cell_id": ids}, geometry=geoms, crs=CRS)


def area_market_share(
    market_share: pl.DataFrame,
    regions: pl.DataFrame,
    *,
    area_level: str = "district",
) -> pl.DataFrame:
    """Market share per area of ``area_level``, inherited from the area's district.

    Parameters
    ----------
    market_share
        ``district_code``, ``market_share`` (the ``market_share`` dataset).
    regions
        The ``regions`` master table (to map streets/communities to districts).
    area_level
        ``"district"``, ``"street"`` or ``"community"``.

    Returns
    -------
    pl.DataFrame
        ``area``, ``market_share``.
    """
    string_like(area_level, "area_level", options=("district", "street", "community"))
    areas = regions.filter(pl.col("level") == area_level).select(
        pl.col("region_code").alias("area"), "district_code"
    )
    out = areas.join(market_share, on="district_code", how="left")
    missing = out.filter(pl.col("market_share").is_null())
    if missing.height:
        msg = (
            f"market_share: no share for district(s) {sorted(set(missing['district_code']))}; "
            "give one row per district"
        )
        raise DataError(msg)
    return out.select("area", "market_share").sort("area")


def register_density(
    register: pl.DataFrame | pl.LazyFrame,
    boundaries: gpd.GeoDataFrame,
) -> pl.DataFrame:
    """Registered people per unit area of each community (ancillary layer for weighting).

    Parameters
    ----------
    register
        The ``population_register`` (``community_code`` per person).
    boundaries
        Boundaries with ``region_code`` and ``level``; the community polygons are used.

    Returns
    -------
    pl.DataFrame
        ``region_code``, ``density`` (people per square degree; only ratios matter).
    """
    comm = boundaries[boundaries["level"] == "community"]
    if comm.empty:
        msg = "boundaries hold no community polygons; dasymetric weighting needs them"
        raise DataError(msg)
    area = pl.DataFrame(
        {
            "region_code": comm["region_code"].astype(str).to_list(),
            "a": shapely.area(comm.geometry.values),
        }
    )
    counts = (
        register.lazy()
        .group_by(pl.col("community_code").alias("region_code"))
        .agg(pl.len().alias("n"))
        .collect()
    )
    return (
        area.join(counts, on="region_code", how="left")
        .select("region_code", (pl.col("n").fill_null(0) / pl.col("a")).alias("density"))
        .sort("region_code")
    )


def weights_to_level(
    weights: pl.DataFrame,
    regions: pl.DataFrame,
    *,
    area_level: str = "district",
) -> pl.DataFrame:
    """Add up community-level cell weights to streets or districts.

    Parameters
    ----------
    weights
        ``cell_id``, ``area`` (community codes), ``weight``.
    regions
        The ``regions`` master table.
    area_level
        ``"district"``, ``"street"`` or ``"community"``.

    Returns
    -------
    pl.DataFrame
        ``cell_id``, ``area`` (codes of ``area_level``), ``weight``.
    """
    col = {"district": "district_code", "street": "parent_code", "community": "region_code"}
    string_like(area_level, "area_level", options=list(col))
    up = regions.filter(pl.col("level") == "community").select(
        pl.col("region_code").alias("area"), pl.col(col[area_level]).alias("to")
    )
    return (
        weights.join(up, on="area", how="inner")
        .group_by("cell_id", "to")
        .agg(pl.col("weight").sum())
        .rename({"to": "area"})
        .sort("cell_id", "area")
    )
