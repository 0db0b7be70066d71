"""Data layer: read, map, convert and validate every dataset the analyses use.

``load`` / ``load_with_report`` / ``scan`` read a dataset from a data folder (``data_dir``,
laid out like the sample city) or a file of your own (``path``: CSV in UTF-8 or GBK, Excel,
Parquet), map your column names to ours, convert types (repairs counted in a
:class:`LoadReport`) and check the dataset's :class:`Schema`, raising one
:class:`~govanalytics.errors.SchemaError` listing every problem. ``load_boundaries`` does
the same for polygons. :class:`MasterStore` (基础主数据库) and :class:`DynamicStore`
(业务动态数据库) keep the two kinds of data apart.
"""

from govanalytics.data._geo import load_boundaries
from govanalytics.data._load import load, load_with_report, scan
from govanalytics.data._report import LoadReport
from govanalytics.data._schema import Column, Schema
from govanalytics.data._store import DynamicStore, MasterStore
from govanalytics.data.schemas import DYNAMIC_DATASETS, MASTER_DATASETS, SCHEMAS

__all__ = [
    "DYNAMIC_DATASETS",
    "MASTER_DATASETS",
    "SCHEMAS",
    "Column",
    "DynamicStore",
    "LoadReport",
    "MasterStore",
    "Schema",
    "load",
    "load_boundaries",
    "load_with_report",
    "scan",
]
