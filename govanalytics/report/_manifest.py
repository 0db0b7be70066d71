"""Provenance of a report: input fingerprints, package versions, the last day of data."""

from __future__ import annotations

import datetime as dt
import hashlib
import platform
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import polars as pl

from govanalytics.errors import GovAnalyticsError

#: Packages whose versions every manifest records (the analysis and report stack).
STACK = (
    "govanalytics",
    "polars",
    "pyarrow",
    "pandas",
    "numpy",
    "geopandas",
    "shapely",
    "folium",
    "jieba",
    "statsmodels",
    "matplotlib",
    "papermill",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "openpyxl",
    "python-docx",
    "reportlab",
    "pypdf",
    "xstatic-leaflet",
)

#: File kinds the data layer reads; only these are fingerprinted as inputs.
DATA_SUFFIXES = frozenset(
    {".parquet", ".csv", ".tsv", ".txt", ".xlsx", ".xls", ".geojson", ".json", ".shp", ".shx"}
    | {".dbf", ".prj", ".cpg", ".gpkg"}
)


def sha256_file(path: str | Path, *, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def input_fingerprints(data_dir: str | Path) -> dict[str, str]:
    """SHA-256 of every data file in the stores of ``data_dir``.

    Files in sub-folders (``master/``, ``dynamic/``, …) with a data suffix are fingerprinted,
    keyed by their POSIX path relative to ``data_dir``, in sorted order. Hidden files and files
    at the top level of ``data_dir`` (notes, the sample city's test oracle) are not inputs.
    """
    root = Path(data_dir)
    found = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or len(rel.parts) < 2:
            continue
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.suffix.lower() in DATA_SUFFIXES:
            found[rel.as_posix()] = sha256_file(path)
    return found


def package_versions(packages: tuple[str, ...] = STACK) -> dict[str, str]:
    """Installed versions of ``packages`` (``"not installed"`` where missing)."""
    out = {}
    for name in packages:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def runtime() -> dict[str, str]:
    """Python version and platform."""
    return {"python": sys.version.split()[0], "platform": platform.platform()}


def last_data_day(data_dir: str | Path) -> dt.date | None:
    """The last day with dynamic (event) data in ``data_dir``, or None when there is none.

    Reads only what is cheap: the date columns of the dynamic datasets' Parquet files (their
    statistics where present). Datasets stored in other formats are read through the data
    layer when it can read them.
    """
    from govanalytics.data.schemas import SCHEMAS

    root = Path(data_dir)
    last: dt.date | None = None
    for schema in SCHEMAS.values():
        if schema.store != "dynamic":
            continue
        time_cols = [
            c.name for c in schema.columns if c.dtype in (pl.Date, pl.Datetime) and c.required
        ]
        time_cols = [c for c in time_cols if c != "verified_at"][:1]
        if not time_cols:
            continue
        col = time_cols[0]
        value = _max_date(root, schema, col)
        if value is not None and col == "week_start":  # weekly counts cover to the Sunday
            value += dt.timedelta(days=6)
        if value is not None and (last is None or value > last):
            last = value
    return last


def _max_date(root: Path, schema, column: str) -> dt.date | None:
    """Latest value of ``column`` not after today (a row dated in the future is not data)."""
    path = root / schema.default_file
    today = dt.date.today()
    col = pl.col(column).cast(pl.Date) if schema.column(column).dtype != pl.Date else pl.col(column)
    try:
        if path.is_file() and path.suffix == ".parquet":
            lazy = pl.scan_parquet(path)
        else:
            from govanalytics import data

            lazy = data.scan(schema.name, data_dir=root)
        value = lazy.select(col.filter(col <= today).max()).collect().item()
    except (GovAnalyticsError, OSError, pl.exceptions.PolarsError):
        # a dataset that is absent or unreadable has no last day; bugs are not hidden
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def future_rows(data_dir: str | Path) -> dict[str, int]:
    """Rows dated after today in the dynamic Parquet files of a laid-out data folder."""
    from govanalytics.data.schemas import SCHEMAS

    root = Path(data_dir)
    today = dt.date.today()
    out = {}
    for schema in SCHEMAS.values():
        path = root / schema.default_file
        if schema.store != "dynamic" or not (path.is_file() and path.suffix == ".parquet"):
            continue
        cols = [c.name for c in schema.columns if c.dtype in (pl.Date, pl.Datetime) and c.required]
        cols = [c for c in cols if c != "verified_at"][:1]
        if not cols:
            continue
        col = pl.col(cols[0])
        if schema.column(cols[0]).dtype != pl.Date:
            col = col.cast(pl.Date)
        try:
            n = pl.scan_parquet(path).select((col > today).sum()).collect().item()
        except (OSError, pl.exceptions.PolarsError):
            continue
        if n:
            out[schema.name] = int(n)
    return out
