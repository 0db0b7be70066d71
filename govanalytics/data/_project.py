"""A user's own data, declared once: the project file ``govanalytics.toml``.

A data folder of one's own rarely looks like the sample city: it holds a handful of exports
(a 12345 Excel file, a monthly disease table from the CDC, an operator's OD product). The
project file beside them says, once, what each file is::

    [project]
    name = "A市"                 # shown in the report
    k = 15                       # small-count threshold for every notebook (optional)
    within = "430100"            # the area the data cover: place names are resolved inside it

    [datasets.comments]          # a canonical dataset kind (a key of data.SCHEMAS)
    source = "留言.xlsx"          # a path relative to this file, a glob ("hotline/*.csv"),
                                 # or a database table (postgresql://user@host/db, no
                                 # password: PGPASSWORD or ~/.pgpass; table = dataset name)
    sheet = 0                    # Excel: sheet name or 0-based index
    date_form = "%Y/%m/%d %H:%M:%S"   # optional: strftime form tried before the automatic ones
    frequency = "event"          # event, day, week or month
    value_type = "count"         # count, share or index (OD products)
    orientation = ""             # wide OD matrices: origin_rows or destination_rows
    region_level = ""            # country, province, prefecture, district, street, community
    filename_date = ""           # date written in the file name, e.g. "%Y%m%d"
    on_duplicate = "error"       # or "keep_first": rows repeating a key keep the first
    [datasets.comments.column_map]   # your column → canonical column
    "留言编号" = "message_id"
    text = ["留言主题", "留言详情"]      # several columns joined into one
    [datasets.comments.fixed]        # values the file does not carry, same for every row
    channel = "portal"

    [parameters]                 # notebook parameters for the weekly report (like -p)
    [parameters.health_risk]
    disease = "流行性感冒"

:func:`open_project` is how notebooks and the report runner reach data: a folder with a
project file, the sample city's layout (``master/``, ``dynamic/``), or single files given
as ``inputs``. It never falls back to the sample city when a folder or a file is given.
"""

from __future__ import annotations

import difflib
import glob as globlib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import polars as pl

from govanalytics.data._load import ColumnMap, get_schema, load_with_report, resolve_path
from govanalytics.data._report import LoadReport
from govanalytics.data.schemas import REGION_LEVELS, SCHEMAS
from govanalytics.errors import DataError, ParameterError, SchemaError

__all__ = [
    "FREQUENCIES",
    "ORIENTATIONS",
    "PROJECT_FILE",
    "VALUE_TYPES",
    "DatasetSpec",
    "Project",
    "open_project",
    "read_project_file",
]

#: Name of the project file in a data folder.
PROJECT_FILE = "govanalytics.toml"
#: How often a dataset's rows come: single events, or counts per day, week or month.
FREQUENCIES = ("event", "day", "week", "month")
#: What a dataset's numbers are: counts of people/events, shares (percent or fraction of a
#: total) or an index without unit (e.g. a migration scale index).
VALUE_TYPES = ("count", "share", "index")
#: Wide OD matrices: whether rows are origins (columns destinations) or the reverse.
ORIENTATIONS = ("origin_rows", "destination_rows")
#: Schemes of database sources (:mod:`govanalytics.data._postgres`).
DATABASE_SCHEMES = ("postgresql://", "postgres://")

Layout = Literal["project", "folder", "files", "sample"]

_DATASET_KEYS = {
    "source",
    "sheet",
    "column_map",
    "date_form",
    "frequency",
    "value_type",
    "orientation",
    "region_level",
    "fixed",
    "filename_date",
    "on_duplicate",
    "options",
}
_PROJECT_KEYS = {"name", "k", "within", "region_level"}
_TOP_KEYS = {"project", "datasets", "parameters"}


@dataclass(frozen=True)
class DatasetSpec:
    """What the project file says about one dataset.

    Parameters
    ----------
    dataset
        Canonical dataset kind (``"comments"``, ``"clinic_counts"``, ``"od_counts"``, …).
    source
        Where the data are: a path (relative paths are relative to the project folder), a
        glob matching several files of the same layout, or a database URL.
    sheet
        Excel sheet name or 0-based index (default: the first sheet).
    column_map
        ``{your column: canonical column}``; ``{canonical: [your columns]}`` joins columns.
    date_form
        A ``strftime`` form of the dates, tried before the automatic forms.
    frequency
        ``"event"``, ``"day"``, ``"week"`` or ``"month"``; empty when not declared (the
        analysis detects it from the dates).
    value_type
        ``"count"`` (default), ``"share"`` or ``"index"``.
    orientation
        For wide OD matrices: ``"origin_rows"`` or ``"destination_rows"``; empty otherwise.
    region_level
        Level of the regions the code columns hold; region names are resolved at it.
    fixed
        ``{canonical column: value}`` for every row.
    filename_date
        A ``strftime`` form of a date written in the file names (one file per day).
    on_duplicate
        ``"error"`` (default) or ``"keep_first"``: rows sharing the dataset's unique key
        (a message filed under two categories) keep the first, the others are dropped and
        counted. Exact repeats of a row are always removed and counted.
    options
        Further keys for the capability that reads the dataset (kept, not interpreted here).
    declared_in
        The project file (or ``"inputs"``) the declaration comes from, for messages.
    """

    dataset: str
    source: str
    sheet: str | int | None = None
    column_map: dict[str, Any] = field(default_factory=dict)
    date_form: str = ""
    frequency: str = ""
    value_type: str = "count"
    orientation: str = ""
    region_level: str = ""
    fixed: dict[str, Any] = field(default_factory=dict)
    filename_date: str = ""
    on_duplicate: str = "error"
    options: dict[str, Any] = field(default_factory=dict)
    declared_in: str = ""

    @property
    def is_database(self) -> bool:
        """Whether the source is a database URL rather than files."""
        return self.source.startswith(DATABASE_SCHEMES)


def _one_of(value: Any, options: tuple[str, ...], where: str, *, empty: bool = True) -> str:
    if value in ("", None) and empty:
        return ""
    if not isinstance(value, str) or value not in options:
        close = difflib.get_close_matches(str(value), options, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        msg = f"{where}: {value!r} is not one of {list(options)}{hint}"
        raise ParameterError(msg)
    return value


def _unknown_keys(keys: Any, known: set[str], where: str) -> None:
    for key in keys:
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            msg = f"{where}: unknown key {key!r} (known: {', '.join(sorted(known))}){hint}"
            raise ParameterError(msg)


def _spec(name: str, table: Any, where: str) -> DatasetSpec:
    """One ``[datasets.<name>]`` table checked and turned into a :class:`DatasetSpec`."""
    here = f"{where} [datasets.{name}]"
    if name not in SCHEMAS:
        close = difflib.get_close_matches(name, sorted(SCHEMAS), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        msg = f"{here}: {name!r} is not a dataset kind (known: {', '.join(sorted(SCHEMAS))}){hint}"
        raise ParameterError(msg)
    if not isinstance(table, dict):
        msg = f"{here}: expected a table of keys (source = …), got {table!r}"
        raise ParameterError(msg)
    _unknown_keys(table, _DATASET_KEYS, here)
    source = table.get("source")
    if not isinstance(source, str) or not source.strip():
        msg = f"{here}: key 'source' is missing: give the file, e.g. source = \"export.xlsx\""
        raise ParameterError(msg)
    if source.startswith(DATABASE_SCHEMES):
        from govanalytics.data._postgres import check_url

        check_url(source, parameter=f"{here} source")
    column_map = table.get("column_map", {})
    if not isinstance(column_map, dict):
        msg = f"{here}: column_map must be a table of 'your column' = 'canonical column'"
        raise ParameterError(msg)
    columns = set(get_schema(name).column_names)
    for key, value in column_map.items():
        target = value if isinstance(value, str) else key
        if isinstance(value, list) and not all(isinstance(v, str) for v in value):
            msg = f"{here}: column_map.{key} must list column names, got {value!r}"
            raise ParameterError(msg)
        if not isinstance(value, str | list):
            msg = f"{here}: column_map.{key} must be a column name or a list, got {value!r}"
            raise ParameterError(msg)
        if target not in columns:
            close = difflib.get_close_matches(target, sorted(columns), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            msg = (
                f"{here}: column_map maps to {target!r}, which is not a column of {name!r} "
                f"(its columns: {', '.join(get_schema(name).column_names)}){hint}"
            )
            raise ParameterError(msg)
    fixed = table.get("fixed", {})
    if not isinstance(fixed, dict):
        msg = f"{here}: fixed must be a table of 'canonical column' = value"
        raise ParameterError(msg)
    for key in fixed:
        if key not in columns:
            msg = f"{here}: fixed.{key}: not a column of {name!r} ({', '.join(sorted(columns))})"
            raise ParameterError(msg)
    sheet = table.get("sheet")
    if sheet is not None and not isinstance(sheet, str | int):
        msg = f"{here}: sheet must be a sheet name or a 0-based index, got {sheet!r}"
        raise ParameterError(msg)
    for key in ("date_form", "filename_date"):
        if not isinstance(table.get(key, ""), str):
            msg = f'{here}: {key} must be text such as "%Y/%m/%d", got {table[key]!r}'
            raise ParameterError(msg)
    return DatasetSpec(
        dataset=name,
        source=source.strip(),
        sheet=sheet,
        column_map=dict(column_map),
        date_form=table.get("date_form", ""),
        frequency=_one_of(table.get("frequency", ""), FREQUENCIES, f"{here} frequency"),
        value_type=_one_of(
            table.get("value_type", "count") or "count", VALUE_TYPES, f"{here} value_type"
        ),
        orientation=_one_of(table.get("orientation", ""), ORIENTATIONS, f"{here} orientation"),
        region_level=_one_of(table.get("region_level", ""), REGION_LEVELS, f"{here} region_level"),
        fixed=dict(fixed),
        filename_date=table.get("filename_date", ""),
        on_duplicate=_one_of(
            table.get("on_duplicate", "error") or "error",
            ("error", "keep_first"),
            f"{here} on_duplicate",
        ),
        options=dict(table.get("options", {})),
        declared_in=where,
    )


def read_project_file(path: str | os.PathLike) -> dict[str, Any]:
    """Read and check a project file; return its parts.

    Parameters
    ----------
    path
        The ``govanalytics.toml`` file.

    Returns
    -------
    dict
        ``name``, ``k`` (or None), ``within`` (12-digit code or ""), ``region_level``,
        ``datasets`` (name → :class:`DatasetSpec`) and ``parameters``
        (``{"name": value}`` for every notebook, ``{"<notebook>": {...}}`` for one).

    Raises
    ------
    ParameterError
        The file is not valid TOML, or a key or value is wrong; the message names the
        file, the table and the key.
    """
    file = Path(path)
    try:
        doc = tomllib.loads(file.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        msg = f"{file}: the project file must be saved as UTF-8 ({exc})"
        raise ParameterError(msg) from exc
    except tomllib.TOMLDecodeError as exc:
        msg = (
            f"{file}: not a valid TOML file: {exc}. Text values need quotes "
            f'(source = "留言.xlsx"); Chinese column names as keys too ("留言编号" = "message_id")'
        )
        raise ParameterError(msg) from exc
    where = str(file)
    _unknown_keys(doc, _TOP_KEYS, where)
    project = doc.get("project", {})
    _unknown_keys(project, _PROJECT_KEYS, f"{where} [project]")
    k = project.get("k")
    if k is not None and (isinstance(k, bool) or not isinstance(k, int) or k < 1):
        msg = f"{where} [project] k: must be a positive whole number, got {k!r}"
        raise ParameterError(msg)
    within = str(project.get("within", "") or "")
    if within and not (within.isdigit() and len(within) in (2, 4, 6, 9, 12)):
        msg = f'{where} [project] within: a region code such as "430100", got {within!r}'
        raise ParameterError(msg)
    level = _one_of(
        project.get("region_level", ""), REGION_LEVELS, f"{where} [project] region_level"
    )
    datasets = {name: _spec(name, table, where) for name, table in doc.get("datasets", {}).items()}
    if level:
        datasets = {
            n: (s if s.region_level else _replace(s, region_level=level))
            for n, s in datasets.items()
        }
    parameters = doc.get("parameters", {})
    if not isinstance(parameters, dict):
        msg = f"{where} [parameters]: expected a table"
        raise ParameterError(msg)
    return {
        "name": str(project.get("name", "") or ""),
        "k": k,
        "within": within.ljust(12, "0") if within else "",
        "region_level": level,
        "datasets": datasets,
        "parameters": parameters,
    }


def _replace(spec: DatasetSpec, **changes: Any) -> DatasetSpec:
    from dataclasses import replace

    return replace(spec, **changes)


@dataclass
class Project:
    """The datasets a notebook or report can use, and how to read them.

    Build it with :func:`open_project`. ``layout`` says where the declarations come from:
    ``"project"`` (a project file), ``"folder"`` (a folder laid out like the sample city),
    ``"sample"`` (the sample city itself) or ``"files"`` (files given one by one).
    """

    root: Path | None
    layout: Layout
    datasets: dict[str, DatasetSpec]
    name: str = ""
    k: int | None = None
    within: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    file: Path | None = None
    _cache: dict[str, tuple[Any, LoadReport]] = field(default_factory=dict, repr=False)

    @property
    def is_sample(self) -> bool:
        """Whether this is the embedded sample city."""
        return self.layout == "sample"

    def has(self, dataset: str) -> bool:
        """Whether ``dataset`` is declared (or present in the folder layout)."""
        return dataset in self.datasets

    def spec(self, dataset: str) -> DatasetSpec:
        """The declaration of ``dataset``; a ParameterError naming what is declared if none."""
        get_schema(dataset)
        if dataset not in self.datasets:
            declared = ", ".join(sorted(self.datasets)) or "none"
            where = self.file or self.root or "the inputs given"
            msg = (
                f"dataset {dataset!r} ({get_schema(dataset).label_zh}) is not declared in "
                f"{where} (declared: {declared}); add [datasets.{dataset}] with its source "
                f"to {PROJECT_FILE}, or run `govanalytics init` on the folder"
            )
            raise DataError(msg)
        return self.datasets[dataset]

    def files(self, dataset: str) -> list[Path]:
        """The files of ``dataset`` (a glob may give several, in name order); none for a
        database source.

        Raises
        ------
        DataError
            No file matches; the message names the declaration and lists the folder.
        """
        spec = self.spec(dataset)
        if spec.is_database:  # a table (read it with load()): no files
            return []
        base = self.root if self.root is not None else Path.cwd()
        pattern = Path(spec.source).expanduser()
        if not pattern.is_absolute():
            pattern = base / pattern
        if any(ch in spec.source for ch in "*?["):
            found = sorted(Path(p) for p in globlib.glob(str(pattern), recursive=True))
            found = [p for p in found if p.is_file()]
        else:
            found = [pattern] if pattern.is_file() else []
            if not found and spec.declared_in == "layout":
                try:
                    found = [resolve_path(get_schema(dataset), data_dir=base, path=None)]
                except DataError:
                    found = []
        if not found:
            folder = pattern.parent
            listing = _listing(folder)
            msg = (
                f"{spec.declared_in} [datasets.{dataset}] source {spec.source!r}: no file "
                f"found ({listing})"
            )
            raise DataError(msg)
        return found

    def references(self, dataset: str) -> dict[str, pl.DataFrame] | None:
        """The regions table the code columns of ``dataset`` are checked against.

        A folder laid out like the sample city finds its own ``master/regions.parquet``
        (None here). Built from the gazetteer, the table also lists each unit under its
        short and historical names (北京 → 北京市), so that files naming regions convert.
        """
        schema = get_schema(dataset)
        if self.layout in ("folder", "sample") or dataset in ("regions", "boundaries"):
            return None
        if not any(c.references for c in schema.columns):
            return None
        regions = self.regions()
        if not regions.height:
            return None
        if "regions" in self.datasets:
            return {"regions": regions}
        from govanalytics.data._gazetteer import gazetteer

        names = gazetteer().join(regions.select("region_code"), on="region_code", how="semi")
        extra = [names.select("region_code", pl.col("short_name").alias("region_name"), "level")]
        lookup = pl.concat(
            [regions.select("region_code", "region_name", "level"), *extra], how="vertical"
        ).unique(maintain_order=True)
        return {"regions": lookup.filter(pl.col("region_name").is_not_null())}

    def load_with_report(self, dataset: str) -> tuple[Any, LoadReport]:
        """Load ``dataset`` as declared, validated, with its :class:`LoadReport`.

        Several files (a glob) are loaded one by one and stacked; every file's problems are
        reported together, each naming its file.
        """
        if dataset in self._cache:
            return self._cache[dataset]
        spec = self.spec(dataset)
        if spec.is_database:
            self._cache[dataset] = self._load_database(spec)
            return self._cache[dataset]
        files = self.files(dataset)
        schema = get_schema(dataset)
        refs = self.references(dataset)
        data_dir = self.root if self.layout in ("folder", "sample") else None
        frames, reports, problems = [], [], []
        for file in files:
            try:
                frame, report = load_with_report(
                    dataset,
                    path=file,
                    data_dir=data_dir,
                    column_map=spec.column_map or None,
                    sheet=spec.sheet,
                    references=refs,
                    date_form=spec.date_form or None,
                    fixed=spec.fixed or None,
                    region_level=spec.region_level or None,
                    on_duplicate=spec.on_duplicate,
                )
            except SchemaError as exc:
                if len(files) == 1:
                    raise
                problems += [
                    {**p, "message": f"{exc.source}: {p['message']}"} for p in exc.problems
                ]
                continue
            frames.append(frame)
            reports.append(report)
        if problems:
            raise SchemaError(f"{spec.source} ({len(files)} files)", problems)
        if schema.geometry:
            import pandas as pd

            out: Any = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        else:
            out = pl.concat(frames, how="vertical_relaxed") if len(frames) > 1 else frames[0]
        report = reports[0] if len(reports) == 1 else _merge_reports(reports, spec)
        self._cache[dataset] = (out, report)
        return out, report

    def _load_database(self, spec: DatasetSpec) -> tuple[Any, LoadReport]:
        """A dataset whose source is a database: its table, validated as a file would be."""
        from govanalytics.data._postgres import check_url, read_dataset

        where = f"{spec.declared_in} [datasets.{spec.dataset}]"
        url = check_url(spec.source, parameter=f"{where} source")
        given = [k for k in ("column_map", "fixed", "date_form", "sheet") if getattr(spec, k)]
        if given:
            msg = (
                f"{where}: {', '.join(given)} apply to files; a database table holds the "
                "canonical columns already (map columns when loading it: govanalytics db load)"
            )
            raise ParameterError(msg)
        return read_dataset(url, spec.dataset, references=self.references(spec.dataset))

    def load(self, dataset: str) -> Any:
        """Load ``dataset`` as declared (see :meth:`load_with_report`)."""
        return self.load_with_report(dataset)[0]

    def load_boundaries(self, dataset: str = "boundaries") -> Any:
        """Region boundaries (a GeoDataFrame) as declared."""
        return self.load(dataset)

    def regions(self) -> pl.DataFrame:
        """The regions table: the project's own, else built from the national gazetteer.

        Without a ``regions`` dataset, the table holds the gazetteer's units at the levels
        the datasets declare (``region_level``) and above, inside ``within`` when given;
        empty (0 rows, the regions schema's columns) when no dataset declares a level.
        """
        if "regions" in self.datasets:
            return self.load("regions")
        levels = {s.region_level for s in self.datasets.values() if s.region_level}
        if not levels:
            return _empty_regions()
        from govanalytics.data._gazetteer import gazetteer

        order = list(REGION_LEVELS)
        deepest = max(order.index(lv) for lv in levels)
        wanted = [lv for lv in order[: deepest + 1]]
        table = gazetteer().filter(pl.col("level").is_in(wanted))
        if "current" in table.columns:
            table = table.filter(pl.col("current"))
        if self.within:
            inside = _inside(table, self.within)
            table = table.filter(inside | (pl.col("level") == "country"))
        return table.select(
            "region_code",
            "region_name",
            "level",
            pl.col("parent_code"),
            pl.col("region_code").alias("district_code")
            if "district_code" not in table.columns
            else pl.col("district_code"),
        ).sort("region_code")

    def data_ends(self, *, today: Any = None) -> list[DataEnd]:
        """Where each declared event dataset ends, judged from the bulk of its dates.

        Rows dated after ``today`` (default: the run date) cannot be real and are left out
        of the judgement, as are a few rows lying far beyond the rest (see
        :func:`bulk_last_day`); both are counted in the result so that the report can say
        so. Datasets that cannot be loaded are skipped (``check`` names their errors).
        """
        import datetime as dt

        today = today or dt.date.today()
        out = []
        for name, spec in sorted(self.datasets.items()):
            schema = get_schema(name)
            if schema.store != "dynamic" or schema.geometry:
                continue
            cols = [
                c.name
                for c in schema.columns
                if c.dtype in (pl.Date, pl.Datetime) and c.required and c.name != "verified_at"
            ][:1]
            if not cols:
                continue
            try:
                frame = self.load(name)
            except (DataError, ParameterError, OSError):
                continue
            dates = frame[cols[0]]
            if dates.dtype == pl.Datetime:
                dates = dates.dt.date()
            last, future, outliers = bulk_last_day(dates, today=today)
            if last is None:
                continue
            frequency = spec.frequency
            if cols[0] == "week_start":
                frequency = frequency or _guess_frequency(dates)
                last = _period_end(last, frequency)
            out.append(DataEnd(name, last, frequency or "event", future, outliers))
        return out

    def last_day(self) -> Any:
        """The last day covered by the declared event data (None when there is none)."""
        ends = self.data_ends()
        return max((e.last_day for e in ends), default=None)

    def input_files(self) -> list[Path]:
        """Every file the declared datasets read (for the report's input fingerprints)."""
        out: list[Path] = []
        for name in sorted(self.datasets):
            try:
                out += self.files(name)
            except DataError:
                continue
        if self.file is not None:
            out.append(self.file)
        return out


@dataclass(frozen=True)
class DataEnd:
    """The end of one dataset's data: its last day and the rows left out to find it."""

    dataset: str
    last_day: Any
    frequency: str
    future_rows: int = 0  # dated after the run date
    outlier_rows: int = 0  # a few rows far beyond the bulk of the data


#: A few rows (at most this share) lying more than :data:`OUTLIER_GAP_DAYS` after all the
#: others do not decide where the data end.
OUTLIER_SHARE = 0.001
OUTLIER_GAP_DAYS = 60


def bulk_last_day(dates: pl.Series, *, today: Any) -> tuple[Any, int, int]:
    """The last day of the bulk of ``dates``, and the rows left out to find it.

    Rows after ``today`` are left out (they cannot be real). Of the rest, the latest rows
    are left out while they are at most :data:`OUTLIER_SHARE` of all rows and lie more than
    :data:`OUTLIER_GAP_DAYS` days after the next earlier date — one mistyped year (2099)
    must not move the report to 2099.

    Returns
    -------
    tuple
        ``(last day or None, rows after today, outlier rows)``.
    """
    values = dates.drop_nulls()
    future = int((values > today).sum())
    values = values.filter(values <= today)
    if not values.len():
        return None, future, 0
    counts = values.value_counts(sort=False).sort(values.name, descending=True)
    days = counts[values.name].to_list()
    ns = counts["count"].to_list()
    total = values.len()
    dropped, first = 0, 0
    while first < len(days) - 1:
        gap = (days[first] - days[first + 1]).days
        if gap <= OUTLIER_GAP_DAYS or (dropped + ns[first]) > OUTLIER_SHARE * total:
            break
        dropped += ns[first]
        first += 1
    return days[first], future, dropped


def _period_end(start: Any, frequency: str) -> Any:
    import datetime as dt

    if frequency == "month":
        nxt = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)
    if frequency == "day":
        return start
    return start + dt.timedelta(days=6)


def _guess_frequency(dates: pl.Series) -> str:
    """``"month"`` for period starts on the 1st a month or more apart, else ``"week"`` (the
    same reading of the dates as ``govanalytics init``)."""
    from govanalytics.data._init import _frequency

    return "month" if _frequency(dates) == "month" else "week"


def _inside(table: pl.DataFrame, within: str) -> pl.Expr:
    """Rows of ``table`` that are ``within`` or below it (by the code's leading digits)."""
    code = within.rstrip("0")
    if len(code) % 2:
        code += "0"
    return pl.col("region_code").str.starts_with(code)


def _empty_regions() -> pl.DataFrame:
    """A regions table with no rows, its columns and types from the regions schema."""
    from govanalytics.data._convert import target_dtype

    return pl.DataFrame(schema={c.name: target_dtype(c) for c in get_schema("regions").columns})


def _merge_reports(reports: list[LoadReport], spec: DatasetSpec) -> LoadReport:
    merged = LoadReport(
        source=f"{spec.source} ({len(reports)} files)",
        dataset=spec.dataset,
        format=reports[0].format,
        encoding=reports[0].encoding,
    )
    for r in reports:
        merged.rows_read += r.rows_read
        for (col, kind), n in r.repairs.items():
            merged.add_repair(col, kind, n)
        merged.mapped_columns.update(r.mapped_columns)
        merged.notes += [f"{Path(r.source).name}: {n}" for n in r.notes]
        for c in r.dropped_columns:
            if c not in merged.dropped_columns:
                merged.dropped_columns.append(c)
        for c in r.absent_columns:
            if c not in merged.absent_columns:
                merged.absent_columns.append(c)
    return merged


def _listing(folder: Path, limit: int = 10) -> str:
    if not folder.is_dir():
        return f"the folder {folder} does not exist"
    files = sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        return f"the folder {folder} is empty"
    more = f" and {len(files) - limit} more" if len(files) > limit else ""
    return f"files in {folder}: {', '.join(files[:limit])}{more}"


def _layout_datasets(root: Path) -> dict[str, DatasetSpec]:
    """Datasets present in a folder laid out like the sample city (``master/``, ``dynamic/``)."""
    found = {}
    for name, schema in SCHEMAS.items():
        try:
            path = resolve_path(schema, data_dir=root, path=None)
        except DataError:
            continue
        found[name] = DatasetSpec(
            dataset=name, source=path.relative_to(root).as_posix(), declared_in="layout"
        )
    return found


def open_project(
    data_dir: str | os.PathLike | None = "",
    *,
    inputs: Mapping[str, str | os.PathLike | None] | None = None,
    column_maps: Mapping[str, ColumnMap | None] | None = None,
) -> Project:
    """The data a notebook works on: a project folder, a laid-out folder, or single files.

    Parameters
    ----------
    data_dir
        A data folder: with a ``govanalytics.toml`` its declarations are used; without one,
        the datasets present in the sample city's layout (``master/…``, ``dynamic/…``).
        Empty and no ``inputs``: the sample city (``$GOVANALYTICS_DATA`` or ``data/sample``).
    inputs
        ``{dataset: file}`` files given one by one (a notebook's ``input_path``); they win
        over the folder's declarations. Empty values are ignored.
    column_maps
        ``{dataset: column_map}`` merged over the declared column maps (a notebook's
        ``column_map`` parameter). Empty values are ignored.

    Returns
    -------
    Project

    Raises
    ------
    ParameterError
        The folder does not exist, the project file is wrong, or a dataset name is unknown.

    Notes
    -----
    When a folder or a file is given, the sample city is never used in its place: a
    dataset that is not there is an error naming what is declared.

    Examples
    --------
    >>> project = open_project("data/mine")  # doctest: +SKIP
    >>> comments = project.load("comments")  # doctest: +SKIP
    """
    from govanalytics.report.contract import resolve_data_dir

    given = {k: str(v) for k, v in (inputs or {}).items() if v}
    maps = {k: dict(v) for k, v in (column_maps or {}).items() if v}
    for name in [*given, *maps]:
        get_schema(name)
    if data_dir:
        root: Path | None = resolve_data_dir(str(data_dir))
    elif given:
        root = None
    else:
        root = resolve_data_dir("")
    project = _open_folder(root) if root is not None else Project(None, "files", {})
    if not data_dir and not given and project.layout == "folder":
        project.layout = "sample"  # the embedded sample city, found by resolve_data_dir
    for name, path in given.items():
        source = str(Path(path).resolve())
        old = project.datasets.get(name)
        project.datasets[name] = (
            _replace(old, source=source, declared_in="input_path")
            if old is not None and old.declared_in != "layout"
            else DatasetSpec(dataset=name, source=source, declared_in="input_path")
        )
    for name, cmap in maps.items():
        if name not in project.datasets:
            continue
        spec = project.datasets[name]
        project.datasets[name] = _replace(spec, column_map={**spec.column_map, **cmap})
    return project


def _open_folder(root: Path) -> Project:
    file = root / PROJECT_FILE
    if file.is_file():
        parts = read_project_file(file)
        return Project(
            root=root,
            layout="project",
            datasets=parts["datasets"],
            name=parts["name"],
            k=parts["k"],
            within=parts["within"],
            parameters=parts["parameters"],
            file=file,
        )
    return Project(root=root, layout="folder", datasets=_layout_datasets(root))
