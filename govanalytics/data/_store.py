"""The two stores: master data (基础主数据库) and dynamic data (业务动态数据库).

Master data is static and verified (regions, boundaries, the population register,
capacities, grid cells, market share); dynamic data are events (applications, portal
activity, comments, device counts, origin–destination counts, clinic counts). Each store
serves only its own datasets, so a notebook says which kind of data it reads.

A store lives in a folder of Parquet files (the default) or in a PostgreSQL database: give
a ``postgresql://user@host/db`` URL (no password in it: libpq reads ``PGPASSWORD`` or
``~/.pgpass``) instead of a folder, and the same methods read and write its tables
(:mod:`govanalytics.data._postgres`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, ClassVar

import geopandas as gpd
import polars as pl

from govanalytics.constants import CRS
from govanalytics.data._load import _finish, get_schema, load_with_report, resolve_path, scan
from govanalytics.data._postgres import (
    check_url,
    has_rows,
    is_database_url,
    read_dataset,
    redact_url,
    write_frames,
)
from govanalytics.data._read import RawTable
from govanalytics.data._report import LoadReport
from govanalytics.data._schema import Schema, Store
from govanalytics.data.schemas import DYNAMIC_DATASETS, MASTER_DATASETS
from govanalytics.errors import DataError, ParameterError

_NAMES = {"master": "MasterStore", "dynamic": "DynamicStore"}
_ZH = {"master": "基础主数据库", "dynamic": "业务动态数据库"}


class _DataStore:
    """A folder (or a PostgreSQL database) of datasets of one kind (master or dynamic)."""

    kind: ClassVar[Store]
    datasets: ClassVar[tuple[str, ...]]

    def __init__(self, data_dir: str | os.PathLike) -> None:
        #: The database URL (password refused) when the store is a database, else None.
        self.url: str | None = None
        if is_database_url(data_dir):
            self.url = check_url(str(data_dir), parameter="data_dir")
        self.data_dir = Path(data_dir) if self.url is None else Path()
        self._regions: pl.DataFrame | None = None

    def __repr__(self) -> str:
        where = redact_url(self.url) if self.url else str(self.data_dir)
        return f"{type(self).__name__}({where!r})"

    def _references(self, schema: Schema) -> dict[str, pl.DataFrame] | None:
        """The database's regions table, for code checks as a folder's regions file gives."""
        if schema.name in ("regions", "boundaries") or not any(
            c.references for c in schema.columns
        ):
            return None
        if self._regions is None:
            assert self.url is not None
            self._regions = read_dataset(self.url, "regions")[0]
        return {"regions": self._regions}

    def _schema(self, name: str) -> Schema:
        schema = get_schema(name)
        if schema.store != self.kind:
            other = _NAMES[schema.store]
            msg = (
                f"name: {name!r} is {schema.store} data ({_ZH[schema.store]}), not "
                f"{self.kind} data; load it from {other}, not {type(self).__name__}"
            )
            raise ParameterError(msg)
        return schema

    def path(self, name: str) -> Path:
        """The file of dataset ``name`` in this store (it may not exist yet)."""
        if self.url is not None:
            msg = f"name: {name!r} is a table of the database {redact_url(self.url)}, not a file"
            raise ParameterError(msg)
        return self.data_dir / self._schema(name).default_file

    def exists(self, name: str) -> bool:
        """Whether dataset ``name`` has a file (a table with rows) in this store."""
        if self.url is not None:
            try:
                return has_rows(self.url, self._schema(name).name)
            except ParameterError:
                return False
        try:
            resolve_path(self._schema(name), data_dir=self.data_dir, path=None)
        except (DataError, ParameterError):  # not found, or not a dataset of this store
            return False
        return True

    def load_with_report(self, name: str, **kw: Any) -> tuple[Any, LoadReport]:
        """Load dataset ``name`` with its report (keywords as :func:`load_with_report`)."""
        schema = self._schema(name)
        if self.url is not None:
            if kw:
                msg = f"{sorted(kw)}: a database store reads its tables as loaded; no options"
                raise ParameterError(msg)
            return read_dataset(self.url, name, references=self._references(schema))
        return load_with_report(name, data_dir=self.data_dir, **kw)

    def load(self, name: str, **kw: Any) -> pl.DataFrame | gpd.GeoDataFrame:
        """Load dataset ``name``, validated (a GeoDataFrame for geometry datasets)."""
        return self.load_with_report(name, **kw)[0]

    def scan(self, name: str, **kw: Any) -> pl.LazyFrame:
        """Scan dataset ``name`` lazily (Parquet; keywords as :func:`scan`)."""
        self._schema(name)
        if self.url is not None:
            frame = self.load(name)
            if not isinstance(frame, pl.DataFrame):
                msg = f"name: {name!r} carries geometry; use load(), not scan()"
                raise ParameterError(msg)
            return frame.lazy()
        return scan(name, data_dir=self.data_dir, **kw)


def _validate_frame(name: str, frame: Any, references: dict[str, pl.DataFrame] | None) -> None:
    """Check a frame to be written against its schema (a SchemaError listing all problems)."""
    schema = get_schema(name)
    if schema.geometry:
        if not isinstance(frame, gpd.GeoDataFrame):
            msg = f"frame: {name!r} carries geometry; pass a GeoDataFrame"
            raise ParameterError(msg)
        attrs = pl.from_pandas(frame.drop(columns=frame.geometry.name))
    elif isinstance(frame, pl.DataFrame):
        attrs = frame
    else:
        msg = f"frame: expected a polars DataFrame, got {type(frame).__name__}"
        raise ParameterError(msg)
    _finish(RawTable(attrs.lazy(), "frame", f"frame for {name!r}"), schema, None, None, references)


class MasterStore(_DataStore):
    """Master data (基础主数据库): static, verified reference tables; readable and writable.

    Parameters
    ----------
    data_dir
        The data folder (its ``master/`` subfolder holds the files), or a
        ``postgresql://`` URL (schema ``master``).

    Examples
    --------
    >>> from govanalytics.data import MasterStore
    >>> regions = MasterStore("data/sample").load("regions")  # doctest: +SKIP
    """

    kind: ClassVar[Store] = "master"
    datasets: ClassVar[tuple[str, ...]] = MASTER_DATASETS

    def write(self, name: str, frame: pl.DataFrame | gpd.GeoDataFrame) -> Path:
        """Validate ``frame`` against the schema of ``name`` and replace its file atomically.

        The frame is written to a temporary file beside the target, read back through the
        loader (so that a frame breaking the schema never replaces good data), then moved
        into place with :func:`os.replace`.

        In a database store the frame is validated the same way and the table's rows are
        replaced in one transaction (the audit table only gains the rows not logged yet).

        Returns
        -------
        pathlib.Path
            The file written (an empty path for a database store).
        """
        schema = self._schema(name)
        if self.url is not None:
            _validate_frame(name, frame, self._references(schema))
            write_frames(self.url, {name: frame})
            self._regions = None
            return Path()
        target = self.path(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{target.name}-", suffix=target.suffix, dir=target.parent
        )
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            if schema.geometry:
                if not isinstance(frame, gpd.GeoDataFrame):
                    msg = f"frame: {name!r} carries geometry; pass a GeoDataFrame"
                    raise ParameterError(msg)
                frame = frame.to_crs(CRS) if frame.crs is not None else frame.set_crs(CRS)
                if target.suffix == ".geojson":
                    tmp.write_text(frame.to_json(drop_id=True), encoding="utf-8")
                else:
                    frame.to_parquet(tmp, index=False)
            else:
                if not isinstance(frame, pl.DataFrame):
                    msg = f"frame: expected a polars DataFrame, got {type(frame).__name__}"
                    raise ParameterError(msg)
                frame.write_parquet(tmp)
            load_with_report(name, path=tmp, data_dir=self.data_dir)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        return target


class DynamicStore(_DataStore):
    """Dynamic data (业务动态数据库): events, read-only here.

    Parameters
    ----------
    data_dir
        The data folder (its ``dynamic/`` subfolder holds the files), or a
        ``postgresql://`` URL (schema ``dynamic``).

    Examples
    --------
    >>> from govanalytics.data import DynamicStore
    >>> counts = DynamicStore("data/sample").scan("device_counts")  # doctest: +SKIP
    """

    kind: ClassVar[Store] = "dynamic"
    datasets: ClassVar[tuple[str, ...]] = DYNAMIC_DATASETS
