"""Counting points for maps, with small-count disclosure: grid cells and regions.

No drawing here: :func:`grid_counts` and :func:`region_counts` return polars frames that the
rendering functions of :mod:`govanalytics.geo._maps` (and callers) draw or publish.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import polars as pl
import shapely

from govanalytics.constants import CRS, DEFAULT_MIN_COUNT, REGION_CODE
from govanalytics.errors import ParameterError

__all__ = ["grid_counts", "region_counts"]

_DECIMALS = 5
_METRES_PER_DEGREE = 111_320.0


def _as_gdf(gdf: gpd.GeoDataFrame, name: str) -> gpd.GeoDataFrame:
    if not isinstance(gdf, gpd.GeoDataFrame):
        msg = f"{name} must be a geopandas GeoDataFrame, got {type(gdf).__name__}"
        raise ParameterError(msg)
    if gdf.crs is not None and gdf.crs != CRS:
        gdf = gdf.to_crs(CRS)
    return gdf


def _need_columns(columns, needed: dict[str, str | None], what: str) -> None:
    for param, col in needed.items():
        if col is not None and col not in columns:
            msg = (
                f"{param}={col!r} is not a column of {what}; "
                f"columns are {sorted(map(str, columns))}"
            )
            raise ParameterError(msg)


def _to_polars(frame, name: str) -> pl.LazyFrame:
    if isinstance(frame, pl.LazyFrame):
        return frame
    if isinstance(frame, pl.DataFrame):
        return frame.lazy()
    msg = f"{name} must be a polars DataFrame or LazyFrame, got {type(frame).__name__}"
    raise ParameterError(msg)


def grid_counts(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    weight_column: str | None = None,
    lon_column: str = "lon",
    lat_column: str = "lat",
    cell_size_m: float = 500.0,
) -> pl.DataFrame:
    """Points aggregated to a square grid of ``cell_size_m`` metres.

    The grid is laid in a local equirectangular projection (x = lon·cos φ₀, y = lat, in metres
    with φ₀ the points' mean latitude, rounded to 0.1°), accurate to well under 1 % over a
    city. Rows with a missing coordinate are dropped.

    Returns
    -------
    pl.DataFrame
        ``ix``, ``iy`` (cell indices), ``points`` (rows in the cell), ``weight`` (sum of
        ``weight_column``, or ``points``), ``min_lon``, ``min_lat``, ``max_lon``, ``max_lat``
        (cell corners, 5 decimals), sorted by ``iy``, ``ix``.
    """
    lf = _to_polars(frame, "frame")
    names = lf.collect_schema().names()
    _need_columns(
        names,
        {"lon_column": lon_column, "lat_column": lat_column, "weight_column": weight_column},
        "frame",
    )
    if not cell_size_m > 0:
        msg = f"cell_size_m must be positive, got {cell_size_m!r}"
        raise ParameterError(msg)
    lf = lf.filter(pl.col(lon_column).is_not_null() & pl.col(lat_column).is_not_null())
    mean_lat = lf.select(pl.col(lat_column).mean()).collect().item()
    if mean_lat is None:
        return pl.DataFrame(
            schema={"ix": pl.Int64, "iy": pl.Int64, "points": pl.UInt32,
                    "weight": pl.Float64, "min_lon": pl.Float64, "min_lat": pl.Float64,
                    "max_lon": pl.Float64, "max_lat": pl.Float64}
        )  # fmt: skip
    phi0 = round(float(mean_lat), 1)
    dx = cell_size_m / (_METRES_PER_DEGREE * math.cos(math.radians(phi0)))  # degrees of lon
    dy = cell_size_m / _METRES_PER_DEGREE  # degrees of lat
    weight = pl.col(weight_column).cast(pl.Float64) if weight_column else pl.lit(1.0)
    return (
        lf.select(
            (pl.col(lon_column) / dx).floor().cast(pl.Int64).alias("ix"),
            (pl.col(lat_column) / dy).floor().cast(pl.Int64).alias("iy"),
            weight.alias("weight"),
        )
        .group_by("ix", "iy")
        .agg(pl.len().alias("points"), pl.col("weight").sum())
        .with_columns(
            (pl.col("ix") * dx).round(_DECIMALS).alias("min_lon"),
            (pl.col("iy") * dy).round(_DECIMALS).alias("min_lat"),
            ((pl.col("ix") + 1) * dx).round(_DECIMALS).alias("max_lon"),
            ((pl.col("iy") + 1) * dy).round(_DECIMALS).alias("max_lat"),
        )
        .select("ix", "iy", "points", "weight", "min_lon", "min_lat", "max_lon", "max_lat")
        .sort("iy", "ix")
        .collect()
    )


def region_counts(
    frame: pl.DataFrame | pl.LazyFrame,
    boundaries: gpd.GeoDataFrame,
    *,
    weight_column: str | None = None,
    lon_column: str = "lon",
    lat_column: str = "lat",
    code_column: str = REGION_CODE,
    min_count: int = DEFAULT_MIN_COUNT,
) -> pl.DataFrame:
    """Points counted per region (point in polygon), small counts flagged for withholding.

    The per-region alternative to the grid of :func:`heatmap`: pass the result to
    :func:`choropleth` with ``data=`` and ``suppressed_column="suppressed"``. A point on a
    shared edge counts once (for the first region in ``boundaries``); points outside every
    region are not counted.

    Disclosure rule: ``suppressed`` is true where a region holds fewer than ``min_count``
    points (default 15, the package's small-count threshold); the counts stay in the table
    for internal use, and maps and reports must show those regions as withheld.

    Returns
    -------
    pl.DataFrame
        ``region_code``, ``points``, ``weight`` (sum of ``weight_column``, or ``points``),
        ``suppressed``; one row per region of ``boundaries`` (zeros included), in its order.
    """
    boundaries = _as_gdf(boundaries, "boundaries")
    _need_columns(boundaries.columns, {"code_column": code_column}, "boundaries")
    lf = _to_polars(frame, "frame")
    _need_columns(
        lf.collect_schema().names(),
        {"lon_column": lon_column, "lat_column": lat_column, "weight_column": weight_column},
        "frame",
    )
    if not isinstance(min_count, int) or min_count < 1:
        msg = f"min_count must be an integer ≥ 1, got {min_count!r}"
        raise ParameterError(msg)
    weight = pl.col(weight_column).cast(pl.Float64) if weight_column else pl.lit(1.0)
    pts = (
        lf.filter(pl.col(lon_column).is_not_null() & pl.col(lat_column).is_not_null())
        .select(pl.col(lon_column).cast(pl.Float64), pl.col(lat_column).cast(pl.Float64),
                weight.alias("weight"))
        .collect()
    )  # fmt: skip
    geoms = np.asarray(boundaries.geometry.values)
    tree = shapely.STRtree(geoms)
    points = shapely.points(pts[lon_column].to_numpy(), pts[lat_column].to_numpy())
    point_idx, region_idx = tree.query(points, predicate="intersects")
    hits = (
        pl.DataFrame({"p": point_idx, "r": region_idx}, schema={"p": pl.Int64, "r": pl.Int64})
        .sort("p", "r")
        .unique("p", keep="first", maintain_order=True)
    )
    hits = hits.with_columns(pl.Series("weight", pts["weight"].to_numpy()[hits["p"].to_numpy()]))
    per_region = hits.group_by("r").agg(pl.len().alias("points"), pl.col("weight").sum())
    codes = pl.DataFrame(
        {"r": np.arange(len(geoms)), REGION_CODE: boundaries[code_column].astype(str).tolist()}
    )
    return (
        codes.join(per_region, on="r", how="left", maintain_order="left")
        .with_columns(
            pl.col("points").fill_null(0).cast(pl.Int64),
            pl.col("weight").fill_null(0.0),
        )
        .with_columns((pl.col("points") < min_count).alias("suppressed"))
        .select(REGION_CODE, "points", "weight", "suppressed")
    )
