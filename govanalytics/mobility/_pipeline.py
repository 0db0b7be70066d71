"""Load a data folder's mobile-signal inputs through the data layer and run the estimates."""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import polars as pl

from govanalytics.errors import DataError, ParameterError, SchemaError
from govanalytics.mobility._areas import (
    area_market_share,
    cell_area_weights,
    register_density,
    weights_to_level,
)
from govanalytics.mobility._flows import od_from_matrix
from govanalytics.mobility._population import population_estimates, register_counts
from govanalytics.spark import Engine, check_engine, read_spark_table, spark_session, to_polars
from govanalytics.validation import string_like

__all__ = [
    "MobilityInputs",
    "dataset_column_maps",
    "duplicate_device_counts",
    "latest_complete_month",
    "load_mobility_inputs",
    "load_od",
]

_CODE = re.compile(r"^\d{12}$")


def latest_complete_month(last_day: dt.date) -> str:
    """``YYYY-MM`` of the latest month fully covered by data ending on ``last_day``.

    Parameters
    ----------
    last_day
        The last day of the data.

    Returns
    -------
    str
        The month of ``last_day`` if it is the month's last day, else the month before.
    """
    if last_day.day == _cal.monthrange(last_day.year, last_day.month)[1]:
        return f"{last_day:%Y-%m}"
    prev = last_day.replace(day=1) - dt.timedelta(days=1)
    return f"{prev:%Y-%m}"


def dataset_column_maps(column_map: dict | None) -> dict[str, dict]:
    """A notebook's ``column_map`` as ``{dataset: map}`` (a flat map is the device counts')."""
    return _maps(column_map)


def _maps(column_map: dict | None) -> dict[str, dict]:
    """Per-dataset column maps: ``{"device_counts": {...}, "od_counts": {...}}``; a flat
    mapping applies to the device counts."""
    if not column_map:
        return {}
    if not isinstance(column_map, dict):
        msg = f"parameter 'column_map' must be a dict, got {type(column_map).__name__}"
        raise ParameterError(msg)
    if all(isinstance(v, dict) for v in column_map.values()):
        return column_map
    return {"device_counts": column_map}


@dataclass
class MobilityInputs:
    """Everything the estimates need, loaded and validated.

    Attributes
    ----------
    device_counts
        Hourly counts (lazy; a Spark DataFrame with ``engine="spark"``).
    weights
        ``cell_id``, ``area``, ``weight`` at the chosen area level.
    market_share
        ``area``, ``market_share``.
    register
        ``area``, ``registered``, ``household_registered``.
    regions, boundaries
        Master tables (boundaries of the chosen level only).
    first_day, last_day
        Dates covered by the device counts.
    engine
        ``"polars"``, or ``"spark"``: ``device_counts`` is then a Spark DataFrame and
        :meth:`estimate` runs its heavy passes on Spark.
    """

    device_counts: pl.LazyFrame | Any
    weights: pl.DataFrame
    market_share: pl.DataFrame
    register: pl.DataFrame
    regions: pl.DataFrame
    boundaries: gpd.GeoDataFrame
    first_day: dt.date
    last_day: dt.date
    engine: Engine = "polars"

    def estimate(self, *, month: str = "", **options) -> pl.DataFrame:
        """:func:`population_estimates` for ``month`` (empty = latest complete month).

        Duplicate device-count rows (one cell, date and hour twice) in the month are refused
        first (:func:`duplicate_device_counts`): they would count devices twice and make
        complete nights look incomplete.
        """
        month = month or latest_complete_month(self.last_day)
        if self.engine == "spark":
            _refuse_spark_duplicates(self.device_counts, month=month)
        else:
            duplicate_device_counts(self.device_counts, month=month, raise_error=True)
        return population_estimates(
            self.device_counts,
            self.weights,
            self.market_share,
            month=month,
            register=self.register,
            **{"engine": self.engine, **options},
        )


def duplicate_device_counts(
    device_counts: pl.LazyFrame | pl.DataFrame,
    *,
    month: str,
    raise_error: bool = False,
) -> pl.DataFrame:
    """Device-count rows whose key (``cell_id``, ``date``, ``hour``) occurs more than once.

    Only the month (and the day either side, which its nights reach into) is grouped, in one
    streaming pass, so the check stays cheap on a year of counts.

    Parameters
    ----------
    device_counts
        ``cell_id``, ``date``, ``hour``, ``device_count`` in file order (lazy for large files).
    month
        ``YYYY-MM``.
    raise_error
        Raise :class:`DataError` naming the duplicated keys and their rows instead of
        returning them.

    Returns
    -------
    pl.DataFrame
        ``cell_id``, ``date``, ``hour``, ``n`` (rows with that key) and ``rows`` (1-based row
        numbers in the file); empty when there are none.
    """
    from govanalytics.mobility._population import _month_bounds

    first, last = _month_bounds(month)
    one = dt.timedelta(days=1)
    dups = (
        device_counts.lazy()
        .with_row_index("row", offset=1)
        .filter(pl.col("date").is_between(first - one, last + one))
        .group_by("cell_id", "date", "hour")
        .agg(pl.len().alias("n"), pl.col("row").sort().alias("rows"))
        .filter(pl.col("n") > 1)
        .sort("date", "hour", "cell_id")
        .collect(engine="streaming")
    )
    if raise_error and dups.height:
        shown = "; ".join(
            f"({r['cell_id']}, {r['date']}, {r['hour']}) at rows "
            + ", ".join(str(x) for x in r["rows"][:5])
            for r in dups.head(5).iter_rows(named=True)
        )
        extra = int(dups["n"].sum()) - dups.height
        more = f"; and {dups.height - 5} more keys" if dups.height > 5 else ""
        msg = (
            f"device_counts: {extra} duplicate row(s) in month {month} — the same cell_id, date "
            f"and hour more than once: {shown}{more}. Each would count devices twice.\n"
            "Hint: remove the repeated rows (an export run twice?) and load again."
        )
        raise DataError(msg)
    return dups


def _refuse_spark_duplicates(device_counts: Any, *, month: str) -> None:
    """:func:`duplicate_device_counts` for a Spark input: keys are named, rows are not (a
    distributed table has no row order)."""
    from govanalytics.mobility._engine import duplicate_hour_keys_spark
    from govanalytics.mobility._population import _month_bounds

    first, last = _month_bounds(month)
    one = dt.timedelta(days=1)
    dups = duplicate_hour_keys_spark(device_counts, first=first - one, last=last + one)
    if dups.height:
        shown = "; ".join(
            f"({r['cell_id']}, {r['date']}, {r['hour']}) {r['n']} times"
            for r in dups.head(5).iter_rows(named=True)
        )
        msg = (
            f"device_counts: {int(dups['n'].sum()) - dups.height} duplicate row(s) in month "
            f"{month} — the same cell_id, date and hour more than once: {shown}. Each would "
            "count devices twice.\nHint: remove the repeated rows (an export run twice?) and "
            "load again."
        )
        raise DataError(msg)


def load_mobility_inputs(
    *,
    data_dir: str | os.PathLike | None = None,
    device_counts_path: str | os.PathLike | None = None,
    column_map: dict | None = None,
    area_level: Literal["district", "street", "community"] = "district",
    weighting: Literal["register", "area"] = "register",
    engine: Engine = "polars",
    spark_conf: dict | None = None,
) -> MobilityInputs:
    """Load device counts, grid cells, market share, regions, boundaries and the register.

    Parameters
    ----------
    data_dir
        Data folder laid out like the sample city.
    device_counts_path
        A device-counts file of your own (CSV/Excel/Parquet), else the folder's.
    column_map
        Column mapping, per dataset (``{"device_counts": {"网格": "cell_id", …}}``) or flat
        (applied to the device counts).
    area_level
        ``"district"``, ``"street"`` or ``"community"``.
    weighting
        ``"register"`` (default): cells are shared out over communities by area × registered
        people per unit area × the operator's market share there (the expected device
        density; dasymetric weighting), then added up to the level — the register is used
        only for where people live *within* a cell, not for how many; ``"area"``: plain areal
        weighting.
    engine
        ``"polars"`` (default): the counts are scanned and checked against their schema
        here; ``"spark"``: ``device_counts_path`` (default the folder's file) is read by
        Spark — a Parquet/ORC file or folder (partitioned by date) on any Hadoop-compatible
        path, or a metastore table name — and only its date span and list of cells come
        back here; the master tables (cells, regions, register, market share) are read here.
    spark_conf
        Spark settings for a new session (``{"spark.master": "yarn", …}``, the command
        line's ``--spark-conf k=v``), see :func:`govanalytics.spark.spark_session`.

    Returns
    -------
    MobilityInputs
        The validated inputs at ``area_level``; :meth:`MobilityInputs.estimate` runs
        :func:`population_estimates` on them.
    """
    from govanalytics.data import load, load_boundaries, scan

    string_like(weighting, "weighting", options=("register", "area"))
    check_engine(engine)
    maps = _maps(column_map)
    if engine == "spark":
        counts, span = _spark_counts(
            data_dir, device_counts_path, maps.get("device_counts"), spark_conf
        )
    else:
        counts = scan(
            "device_counts",
            data_dir=data_dir,
            path=device_counts_path or None,
            column_map=maps.get("device_counts"),
        )
        span = counts.select(
            pl.col("date").min().alias("a"),
            pl.col("date").max().alias("b"),
            pl.col("cell_id").cast(pl.String).unique().implode().alias("cells"),
        ).collect(engine="streaming")
    if span["a"][0] is None:
        msg = "device_counts: the file holds no rows"
        raise DataError(msg)
    regions = load("regions", data_dir=data_dir)
    bounds = load_boundaries(data_dir=data_dir)
    cells = load_boundaries(data_dir=data_dir, dataset="grid_cells")
    unknown = sorted(set(span["cells"][0].to_list()) - set(cells["cell_id"].astype(str)))
    if unknown:  # their counts could not be placed in any area: never dropped silently
        shown = ", ".join(unknown[:10]) + (" …" if len(unknown) > 10 else "")
        msg = (
            f"device_counts{' ' + str(device_counts_path) if device_counts_path else ''}, "
            f"column 'cell_id': {len(unknown)} cell(s) not in the grid_cells table: {shown}. "
            "Hint: give the cells' polygons in master/grid_cells, or map your cell column."
        )
        raise DataError(msg)
    register = load("population_register", data_dir=data_dir)
    share = load("market_share", data_dir=data_dir, column_map=maps.get("market_share"))
    comm = bounds[bounds["level"] == "community"]
    if weighting == "register" and not comm.empty:
        # expected devices per unit area: registered people per area × the operator's share
        comm_share = area_market_share(share, regions, area_level="community")
        density = (
            register_density(register, bounds)
            .join(comm_share.rename({"area": "region_code"}), on="region_code", how="left")
            .select("region_code", pl.col("density") * pl.col("market_share").fill_null(0.0))
        )
        w = cell_area_weights(cells, comm, density=density)
        weights = weights_to_level(w, regions, area_level=area_level)
    else:
        weights = cell_area_weights(cells, bounds[bounds["level"] == area_level])
    return MobilityInputs(
        device_counts=counts,
        weights=weights,
        market_share=area_market_share(share, regions, area_level=area_level),
        register=register_counts(register, regions, area_level=area_level),
        regions=regions,
        boundaries=bounds[bounds["level"] == area_level].reset_index(drop=True),
        first_day=span["a"][0],
        last_day=span["b"][0],
        engine=engine,
    )


def _spark_counts(
    data_dir: str | os.PathLike | None,
    path: str | os.PathLike | None,
    column_map: dict | None,
    spark_conf: dict | None,
) -> tuple[Any, pl.DataFrame]:
    """The device counts as a Spark DataFrame (columns mapped) and their span and cells."""
    from pyspark.sql import functions as F  # noqa: N812

    from govanalytics.data import SCHEMAS
    from govanalytics.data._load import resolve_path

    spark = spark_session(spark_conf)
    if path:
        source: Any = path
    else:
        file = resolve_path(SCHEMAS["device_counts"], data_dir=data_dir, path=None)
        source = str(file)
    sdf = read_spark_table(source, spark=spark)
    for src, canonical in (column_map or {}).items():
        if isinstance(canonical, str) and src in sdf.columns and src != canonical:
            sdf = sdf.withColumnRenamed(src, canonical)
    missing = [c for c in ("cell_id", "date", "hour", "device_count") if c not in sdf.columns]
    if missing:
        msg = (
            f"device_counts {source}: lacks columns {missing} (has {sdf.columns}); "
            "map them with column_map"
        )
        raise DataError(msg)
    sdf = sdf.withColumn("date", F.to_date(F.col("date")))
    # one pass, one small row back: the date span and the set of cells (tens of thousands)
    span = to_polars(
        sdf.agg(
            F.min("date").alias("a"),
            F.max("date").alias("b"),
            F.collect_set(F.col("cell_id").cast("string")).alias("cells"),
        )
    )
    return sdf, span


def load_od(
    *,
    data_dir: str | os.PathLike | None = None,
    od_path: str | os.PathLike | None = None,
    column_map: dict | None = None,
) -> pl.DataFrame:
    """OD counts in long form, through the data layer.

    A wide origin × destination matrix per day (``origin``, ``date`` and one column per
    destination code) is converted with :func:`od_from_matrix` first, then validated as
    ``od_counts``.

    Parameters
    ----------
    data_dir
        Data folder laid out like the sample city.
    od_path
        An OD file of your own (CSV/Excel/Parquet, long or wide), else the folder's.
    column_map
        Column mapping, per dataset (``{"od_counts": {"出发地": "origin", …}}``).

    Returns
    -------
    pl.DataFrame
        ``origin``, ``destination``, ``date``, ``count`` (schema ``od_counts``).
    """
    from govanalytics.data import load

    maps = _maps(column_map).get("od_counts")
    try:
        return load("od_counts", data_dir=data_dir, path=od_path or None, column_map=maps)
    except SchemaError:
        if not od_path:
            raise
        from govanalytics.data._read import read_table

        # the wide file is read like any other input (CSV encodings, Excel, Parquet)
        raw = read_table(Path(od_path)).frame.collect()
        if maps:
            raw = raw.rename({k: v for k, v in maps.items() if k in raw.columns})
        if not any(_CODE.match(c) for c in raw.columns):
            heads = [c for c in raw.columns if not _CODE.match(c)]
            shown = ", ".join(repr(c) for c in heads[:10])
            more = f" and {len(heads) - 10} more" if len(heads) > 10 else ""
            msg = (
                f"{od_path}: not a long OD table (origin, destination, date, count) and its "
                f"headers are not region codes ({shown}{more}). Hint: a wide matrix with "
                "place names (an OD product such as 百度迁徙) is read by load_od_product() / "
                "read_od_files(), with value_type, orientation and filename_date declared "
                "(docs/mobility-od.md)"
            )
            raise DataError(msg) from None
        long = od_from_matrix(raw)
        with tempfile.TemporaryDirectory() as tmp:
            long_file = Path(tmp) / "od_counts.parquet"
            long.write_parquet(long_file)
            try:
                return load("od_counts", path=long_file, data_dir=data_dir)
            except SchemaError as exc:  # name the user's file, never the temporary one
                raise SchemaError(str(od_path), exc.problems) from None
