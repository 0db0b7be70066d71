"""Loading a dataset: locate, read, map columns, convert, validate, report."""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import polars as pl

from govanalytics.data._convert import convert, target_dtype
from govanalytics.data._read import RawTable, read_table
from govanalytics.data._report import LoadReport
from govanalytics.data._schema import Schema
from govanalytics.data._validate import (
    ROW,
    Check,
    column_checks,
    duplicate_problems,
    run_checks,
)
from govanalytics.data.schemas import SCHEMAS
from govanalytics.errors import DataError, ParameterError, SchemaError

#: Separator used when several source columns are joined into one (``column_map`` lists).
JOIN_SEPARATOR = "\n"

ColumnMap = Mapping[str, str | Sequence[str]]
References = Mapping[str, pl.DataFrame | Sequence[object]]


def get_schema(dataset: str | Schema) -> Schema:
    """The schema called ``dataset`` (or ``dataset`` itself when it is a Schema)."""
    if isinstance(dataset, Schema):
        return dataset
    try:
        return SCHEMAS[dataset]
    except KeyError:
        msg = f"dataset: unknown dataset {dataset!r}; known datasets are {sorted(SCHEMAS)}"
        raise ParameterError(msg) from None


def _listing(folder: Path) -> str:
    if not folder.is_dir():
        return f"the folder {folder} does not exist"
    files = sorted(
        str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p.name[0] != "."
    )
    if not files:
        return f"the folder {folder} is empty"
    shown = ", ".join(files[:30]) + (f" and {len(files) - 30} more" if len(files) > 30 else "")
    return f"files in {folder}: {shown}"


def resolve_path(
    schema: Schema, *, data_dir: str | os.PathLike | None, path: str | os.PathLike | None
) -> Path:
    """The file to read: ``path`` if given, else ``schema.default_file`` inside ``data_dir``.

    When the default file is missing but a file of the same name with another supported
    suffix exists (``comments.csv`` instead of ``comments.parquet``), that file is used.

    Raises
    ------
    DataError
        The file does not exist; for a data folder the message lists the files there.
    ParameterError
        Neither ``data_dir`` nor ``path`` was given.
    """
    if path is not None:
        p = Path(path)
        if not p.is_file():
            where = _listing(p.parent) if p.parent.is_dir() else f"{p.parent} does not exist"
            msg = f"{p}: file not found ({where})"
            raise DataError(msg)
        return p
    if data_dir is None:
        msg = f"give data_dir= (a data folder) or path= (a file) to load {schema.name!r}"
        raise ParameterError(msg)
    folder = Path(data_dir)
    p = folder / schema.default_file
    if p.is_file():
        return p
    stem = p.with_suffix("")
    for suffix in (".parquet", ".csv", ".xlsx", ".xls", ".geojson", ".shp"):
        alt = stem.with_suffix(suffix)
        if alt.is_file():
            return alt
    msg = (
        f"{p}: file not found for dataset {schema.name!r} ({schema.label_zh}) in data_dir "
        f"{folder}; {_listing(folder)}"
    )
    raise DataError(msg)


def shown_columns(found: Sequence[str], limit: int = 10) -> str:
    """A file's column names for a message: the first ``limit`` and how many more."""
    names = list(found)
    head = ", ".join(repr(n) for n in names[:limit])
    return f"[{head}]" + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _norm(name: str) -> str:
    return name.strip().casefold().replace(" ", "_")


def plan_columns(
    schema: Schema,
    found: Sequence[str],
    column_map: ColumnMap | None,
    report: LoadReport,
) -> tuple[dict[str, str | list[str]], list[dict]]:
    """Decide which source column(s) feed each canonical column.

    Order of precedence: ``column_map`` entries; a source column already called by the
    canonical name; a declared alias or the Chinese label (case and surrounding spaces
    ignored). Source columns not used are dropped and listed in the report.

    Returns
    -------
    tuple
        ``{canonical: source name or list of names to join}`` and the problems found
        (missing required columns, mapping to columns that are not in the file).
    """
    problems: list[dict] = []
    plan: dict[str, str | list[str]] = {}
    names = set(schema.column_names)
    found = list(found)
    for key, value in (column_map or {}).items():
        if isinstance(value, str):
            source, canonical = key, value
            sources = [source]
        else:
            canonical, sources = key, list(value)
            source = None
        if canonical not in names:
            msg = (
                f"column_map: {canonical!r} is not a column of dataset {schema.name!r}; "
                f"its columns are {schema.column_names}"
            )
            raise ParameterError(msg)
        missing = [s for s in sources if s not in found]
        if missing:
            problems.append(
                {
                    "rows": [],
                    "column": canonical,
                    "message": f"column_map names source column(s) {missing} which are not "
                    f"in the file; the file has columns {shown_columns(found)}",
                }
            )
            continue
        if canonical in plan:
            msg = f"column_map: two entries map to {canonical!r}"
            raise ParameterError(msg)
        plan[canonical] = source if source is not None else sources
    used = {s for v in plan.values() for s in ([v] if isinstance(v, str) else v)}
    by_norm: dict[str, str] = {}
    for f in found:
        by_norm.setdefault(_norm(f), f)
    for col in schema.columns:
        if col.name in plan:
            continue
        for candidate in (col.name, *col.aliases, col.label_zh):
            if not candidate:
                continue
            hit = candidate if candidate in found else by_norm.get(_norm(candidate))
            if hit is not None and hit not in used:
                plan[col.name] = hit
                used.add(hit)
                break
    for canonical, feed in plan.items():
        if isinstance(feed, str):
            if feed != canonical:
                report.mapped_columns[feed] = canonical
        else:
            report.mapped_columns[" + ".join(feed)] = canonical
    free = [f for f in found if f not in used]
    report.dropped_columns = free
    listed = False  # the file's columns are listed once, with the first missing column
    for col in schema.columns:
        if col.name in plan:
            continue
        if col.required:
            hint = difflib.get_close_matches(col.name, free, n=1, cutoff=0.5)
            suggestion = (
                f"column_map={{{hint[0]!r}: {col.name!r}}}"
                if hint
                else f"column_map={{'<your column>': {col.name!r}}}"
            )
            label = f" ({col.label_zh})" if col.label_zh else ""
            columns = "see above" if listed else shown_columns(found)
            listed = True
            problems.append(
                {
                    "rows": [],
                    "column": col.name,
                    "message": f"required column {col.name!r}{label} is missing (the file's "
                    f"columns: {columns}); map yours with {suggestion}",
                }
            )
        else:
            report.absent_columns.append(col.name)
            report.notes.append(f"optional column {col.name!r} absent: filled with nulls")
    return plan, problems


def _reference_values(
    schema: Schema,
    present: Sequence[str],
    *,
    data_dir: str | os.PathLike | None,
    references: References | None,
    report: LoadReport,
) -> dict[str, Sequence[object]]:
    """Allowed values of every column with a ``references`` declaration that can be checked."""
    out: dict[str, Sequence[object]] = {}
    cache: dict[str, Sequence[object]] = {}
    for col in schema.columns:
        if col.references is None or col.name not in present:
            continue
        table, _, ref_col = col.references.partition(".")
        if table not in cache:
            values = None
            if references is not None and table in references:
                given = references[table]
                if isinstance(given, pl.DataFrame):
                    if ref_col not in given.columns:
                        msg = f"references[{table!r}]: frame has no column {ref_col!r}"
                        raise ParameterError(msg)
                    values = given[ref_col].cast(pl.String).to_list()
                else:
                    values = [str(v) for v in given]
            elif data_dir is not None:
                ref = _reference_table(table, data_dir)
                if ref is not None:
                    values = ref[ref_col].cast(pl.String).to_list()
                else:
                    report.notes.append(
                        f"reference check of {col.name!r} against {col.references} skipped: "
                        f"no {table} table in {data_dir}"
                    )
            else:
                report.notes.append(
                    f"reference check of {col.name!r} against {col.references} skipped: no "
                    f"{table} table (pass data_dir= or references={{{table!r}: frame}})"
                )
            if values is not None:
                cache[table] = values
        if table in cache:
            out[col.name] = cache[table]
    return out


def _reference_table(table: str, data_dir: str | os.PathLike) -> pl.DataFrame | None:
    """A referenced table (regions) of a data folder, in any format the loader reads
    (``regions.csv`` checks codes as well as ``regions.parquet`` does); None when absent."""
    schema = get_schema(table)
    try:
        path = resolve_path(schema, data_dir=data_dir, path=None)
    except DataError:
        return None
    if path.suffix == ".parquet":
        return pl.read_parquet(path)
    return load_with_report(table, path=path)[0]


#: Repair kind of region names written instead of codes, converted to the codes.
REGION_NAME_REPAIR = "region names → codes"
#: Level of the regions a code column holds, by column name (other columns: any level).
_LEVEL_OF = {"district_code": "district", "community_code": "community"}
_REGIONS_REF = "regions.region_code"


def _regions_table(
    data_dir: str | os.PathLike | None, references: References | None
) -> pl.DataFrame | None:
    """The regions table (``region_code``, ``region_name``, ``level`` if any), when known."""
    frame: pl.DataFrame | None = None
    if references is not None and "regions" in references:
        given = references["regions"]
        if isinstance(given, pl.DataFrame):
            frame = given
    elif data_dir is not None:
        frame = _reference_table("regions", data_dir)
    if frame is None or not {"region_code", "region_name"} <= set(frame.columns):
        return None
    cols = [c for c in ("region_code", "region_name", "level") if c in frame.columns]
    return frame.select(pl.col(cols).cast(pl.String))


def _unknown_name(column: str) -> Callable[[list[object]], str]:
    def describe(values: list[object]) -> str:
        shown = ", ".join(repr(v) for v in dict.fromkeys(values[:10]))
        more = " …" if len(values) > 10 else ""
        return (
            f"neither a region code nor the name of a region in regions "
            f"({_LEVEL_OF.get(column, 'any')} level): {shown}{more}"
        )

    return describe


def _ambiguous_name(candidates: dict[str, list[str]]) -> Callable[[list[object]], str]:
    def describe(values: list[object]) -> str:
        names = list(dict.fromkeys(str(v) for v in values))
        parts = [f"{n!r} → {', '.join(candidates.get(n, []))}" for n in names[:5]]
        more = f"; and {len(names) - 5} more names" if len(names) > 5 else ""
        return (
            "region name matches several regions, write the code instead: "
            + "; ".join(parts)
            + more
        )

    return describe


def region_names_to_codes(
    staged: pl.DataFrame,
    schema: Schema,
    present: Sequence[str],
    regions: pl.DataFrame | None,
    report: LoadReport,
    *,
    region_level: str | None = None,
) -> tuple[pl.DataFrame, list[Check], dict[str, pl.Expr]]:
    """Region names written in code columns (``所属区县: 东湖区``) turned into their codes.

    A value of a column declared with ``references="regions.region_code"`` that holds Chinese
    characters is taken as a region name and looked up in ``regions.region_name`` (among
    districts for ``district_code``, communities for ``community_code``, all regions for other
    columns). A name of exactly one region becomes its code (repair
    :data:`REGION_NAME_REPAIR`, counted); a name of no region, or of several, is a problem
    naming the rows and values (and, for several, the candidate codes).

    ``region_level`` (the project file's ``region_level``: ``"province"``, …) overrides the
    level looked up for every code column.

    Returns
    -------
    tuple
        The frame with names replaced, the checks reporting unknown and ambiguous names, and
        per column the rows those checks cover (other checks of the column skip them so that a
        name is reported once).
    """
    checks: list[Check] = []
    covered: dict[str, pl.Expr] = {}
    for col in schema.columns:
        name = col.name
        if col.references != _REGIONS_REF or name not in present:
            continue
        if staged.schema[name] != pl.String:
            continue
        is_name = pl.col(name).str.contains(r"\p{Han}").fill_null(False)
        if regions is None or not staged.select(is_name.any()).item():
            continue
        table = regions
        level = region_level or _LEVEL_OF.get(name)
        if level is not None and "level" in table.columns:
            table = table.filter(pl.col("level") == level)
        lookup = table.group_by("region_name").agg(pl.col("region_code").unique().sort())
        single = lookup.filter(pl.col("region_code").list.len() == 1)
        several = lookup.filter(pl.col("region_code").list.len() > 1)
        to_code = dict(zip(single["region_name"], single["region_code"].list.first(), strict=True))
        candidates = dict(
            zip(several["region_name"].to_list(), several["region_code"].to_list(), strict=True)
        )
        known = is_name & pl.col(name).is_in(pl.Series(list(to_code), dtype=pl.String).implode())
        ambiguous = is_name & pl.col(name).is_in(
            pl.Series(list(candidates), dtype=pl.String).implode()
        )
        unknown, amb = f"__unknown_name_{name}", f"__ambiguous_name_{name}"
        staged = staged.with_columns(
            (is_name & ~known & ~ambiguous).alias(unknown),
            ambiguous.alias(amb),
            known.alias(f"__known_name_{name}"),
        )
        report.add_repair(name, REGION_NAME_REPAIR, int(staged[f"__known_name_{name}"].sum()))
        staged = staged.with_columns(
            pl.when(pl.col(f"__known_name_{name}"))
            .then(pl.col(name).replace(to_code))
            .otherwise(pl.col(name))
            .alias(name)
        ).drop(f"__known_name_{name}")
        checks.append(Check(name, pl.col(unknown), _unknown_name(name)))
        checks.append(Check(name, pl.col(amb), _ambiguous_name(candidates)))
        covered[name] = pl.col(unknown) | pl.col(amb)
    return staged, checks, covered


def _names_hint(problems: list[dict], schema: Schema, staged: pl.DataFrame) -> None:
    """Say how to convert region names when a code column holds names and regions is unknown."""
    for problem in problems:
        column = problem.get("column")
        if column not in staged.columns or staged.schema[column] != pl.String:
            continue
        if schema.column(column).references != _REGIONS_REF:
            continue
        if "pattern" in problem["message"] and staged[column].str.contains(r"\p{Han}").any():
            problem["message"] += (
                " — these look like region names: pass data_dir= (a data folder with "
                "master/regions.parquet) or references={'regions': regions_frame} to convert "
                "names to codes"
            )


def prepare(
    raw: RawTable,
    schema: Schema,
    *,
    column_map: ColumnMap | None,
    report: LoadReport,
    repair_text: bool = True,
    date_form: str | None = None,
    eager: pl.DataFrame | None = None,
) -> tuple[pl.LazyFrame, list[str], dict[str, dict[str, pl.Expr]], list[dict]]:
    """Map and convert a raw table lazily.

    With ``eager`` (the same table, in memory), a text column converted to another type
    whose values repeat (dates, codes, numbers of an export) is converted once per distinct
    value and joined back: the result is identical, the date parsers run on a few hundred
    values instead of every row.

    Returns
    -------
    tuple
        The staged frame (canonical columns plus ``__failed_<c>`` and ``__shown_<c>``
        helper columns), the canonical columns present, the repair flags by column and
        kind, and the mapping problems.
    """
    src_schema = raw.frame.collect_schema()
    found = [c for c in src_schema.names() if c != ROW]
    plan, problems = plan_columns(schema, found, column_map, report)
    exprs: list[pl.Expr] = []
    repairs: dict[str, dict[str, pl.Expr]] = {}
    present = []
    lookups: list[tuple[str, pl.DataFrame]] = []
    for col in schema.columns:
        source = plan.get(col.name)
        if source is None:
            exprs.append(pl.lit(None, dtype=target_dtype(col)).alias(col.name))
            continue
        dtype: pl.DataType
        if isinstance(source, str):
            raw_expr, dtype = pl.col(source), src_schema[source]
        else:
            parts = [pl.col(s).cast(pl.String).str.strip_chars() for s in source]
            raw_expr = pl.concat_str(parts, separator=JOIN_SEPARATOR, ignore_nulls=True)
            dtype = pl.String()
        conv = convert(raw_expr, dtype, col, repair_text=repair_text, date_form=date_form)
        present.append(col.name)
        outputs = [
            conv.value,
            conv.failed.alias(f"__failed_{col.name}"),
            conv.shown.alias(f"__shown_{col.name}"),
        ]
        repairs[col.name] = conv.repairs
        if (
            eager is not None
            and isinstance(source, str)
            and dtype == pl.String
            and target_dtype(col) != pl.String
        ):
            distinct = eager.select(pl.col(source).unique())
            if distinct.height * 4 < eager.height:
                key = f"__key_{len(lookups)}"
                names = [o.meta.output_name() for o in outputs]
                table = distinct.select(
                    pl.col(source).alias(key),
                    *(o.alias(f"{key}_{n}") for o, n in zip(outputs, names, strict=True)),
                )
                lookups.append((source, table))
                exprs += [pl.col(f"{key}_{n}").alias(n) for n in names]
                continue
        exprs += outputs
    if ROW in src_schema.names():
        exprs.append(pl.col(ROW))
    frame = raw.frame
    for i, (source, table) in enumerate(lookups):
        key = f"__key_{i}"
        frame = frame.with_columns(pl.col(source).alias(key)).join(
            table.lazy(),
            on=key,
            how="left",
            nulls_equal=True,
            maintain_order="left",
        )
    return frame.select(exprs), present, repairs, problems


def _count_repairs(
    staged: pl.LazyFrame | pl.DataFrame, repairs: dict[str, dict[str, pl.Expr]], report
) -> None:
    """Count every repair flag on the raw frame.

    Flags depend on one or a few source columns; they are evaluated once per distinct value
    (combination) of those columns and weighted by how often it occurs — real exports repeat
    their dates, codes and labels, so this costs a group-by instead of re-running every
    conversion (a chain of regular expressions for dates) on every row.
    """
    lazy = staged.lazy() if isinstance(staged, pl.DataFrame) else staged
    by_roots: dict[tuple[str, ...], list[tuple[str, str, pl.Expr]]] = {}
    for col, kinds in repairs.items():
        for kind, expr in kinds.items():
            roots = tuple(sorted(set(expr.meta.root_names())))
            by_roots.setdefault(roots, []).append((col, kind, expr))
    for roots, items in by_roots.items():
        if roots:
            frame = lazy.group_by(list(roots)).agg(pl.len().alias("__n"))
            weight = pl.col("__n")
        else:
            frame, weight = lazy, pl.lit(1)
        sums = [
            (expr.fill_null(False).cast(pl.Int64) * weight).sum().alias(str(i))
            for i, (_, _, expr) in enumerate(items)
        ]
        counts = frame.select(sums).collect().row(0)
        for (col, kind, _), n in zip(items, counts, strict=True):
            report.add_repair(col, kind, int(n or 0))


def _skip_blank_rows(frame: pl.DataFrame, report: LoadReport) -> pl.DataFrame:
    """Drop rows with no value at all, keeping the data row numbers of the others."""
    text = [
        pl.col(c).cast(pl.String).str.strip_chars().str.len_chars().fill_null(0) > 0
        for c, t in frame.schema.items()
        if t == pl.String or t.is_numeric() or t.is_temporal() or t == pl.Boolean
    ]
    if not text:
        return frame
    blank = frame.select(~pl.any_horizontal(text)).to_series()
    if not blank.any():
        return frame
    rows = [i + 1 for i in blank.arg_true().to_list()]
    shown = ", ".join(str(r) for r in rows[:10]) + (" …" if len(rows) > 10 else "")
    report.notes.append(f"{len(rows)} blank row(s) skipped (data rows {shown})")
    return frame.with_row_index(ROW, offset=1).filter(~blank)


def load_with_report(
    dataset: str,
    *,
    data_dir: str | os.PathLike | None = None,
    path: str | os.PathLike | None = None,
    column_map: ColumnMap | None = None,
    sheet: str | int | None = None,
    references: References | None = None,
    repair_geometry: bool = False,
    date_form: str | None = None,
    fixed: Mapping[str, object] | None = None,
    region_level: str | None = None,
    on_duplicate: str = "error",
) -> tuple[pl.DataFrame, LoadReport]:
    """Load a dataset, validated against its schema, with a report of what was repaired.

    Parameters
    ----------
    dataset
        Dataset name, a key of :data:`~govanalytics.data.SCHEMAS` (``"clinic_counts"``, …).
    data_dir
        A data folder laid out like the sample city; the file is ``schema.default_file``
        inside it (or the same name with a ``.csv``/``.xlsx`` suffix). Also where
        referenced tables (regions) are found for code checks.
    path
        A file of your own (CSV, Excel or Parquet; for geometry datasets GeoJSON, Shapefile
        or GeoParquet). Takes precedence over ``data_dir`` for the file to read.
    column_map
        ``{your column: canonical column}``; to join several columns into one, give
        ``{canonical column: [your columns, ...]}`` — values are joined with a newline
        (:data:`JOIN_SEPARATOR`), empty parts skipped (e.g. hotline exports with 标题 and
        内容: ``{"text": ["标题", "内容"]}``). Declared aliases and the Chinese labels of
        the schema are recognised without a mapping. Source columns not in the schema are
        dropped and listed in ``LoadReport.dropped_columns``.
    sheet
        Excel sheet name, or 0-based index; default the first sheet.
    references
        Tables for code checks when there is no ``data_dir``, e.g.
        ``{"regions": regions_frame}``. Without either, the check is skipped and a note
        says so.
    repair_geometry
        Geometry datasets only: make invalid polygons valid (counted as a repair).
    date_form
        A ``strftime`` form of the file's dates (``"%d/%m/%Y %H:%M"``), tried before the
        automatic forms (ISO, ``2024/3/5``, ``2024年3月5日``, ``20240305``, ``2024-03``, Excel
        serials).
    fixed
        ``{canonical column: value}`` for columns the file does not carry (every row of a
        CDC table is one disease: ``{"disease": "流感"}``); noted in the report.
    region_level
        Level of the regions the code columns hold (``"province"``, ``"prefecture"``,
        ``"district"``, …): region names are looked up among regions of that level.
    on_duplicate
        Rows repeating an earlier row exactly are always removed (counted). Rows sharing
        the unique key but differing elsewhere are an error (``"error"``, default) or all
        but the first are dropped (``"keep_first"``, counted and their rows noted).

    Returns
    -------
    tuple[polars.DataFrame, LoadReport]
        The frame with exactly the schema's columns, in declared order and types (optional
        columns absent from the file are filled with nulls), and the report. Geometry
        datasets return a :class:`geopandas.GeoDataFrame` instead (see
        :func:`load_boundaries`).

    Raises
    ------
    SchemaError
        Listing every problem found: file, 1-based data rows (header excluded), column and
        what is wrong; values of ``id_number``, ``phone`` and ``name`` are masked.
    DataError
        The file is missing, empty, or cannot be decoded or parsed.
    """
    schema = get_schema(dataset)
    if schema.geometry:
        from govanalytics.data._geo import load_geo

        return load_geo(
            schema,
            data_dir=data_dir,
            path=path,
            column_map=column_map,
            references=references,
            repair_geometry=repair_geometry,
        )
    file = resolve_path(schema, data_dir=data_dir, path=path)
    raw = read_table(file, sheet=sheet)
    return _finish(
        raw,
        schema,
        data_dir,
        column_map,
        references,
        date_form=date_form,
        fixed=fixed,
        region_level=region_level,
        on_duplicate=on_duplicate,
    )


def _with_fixed(
    raw_df: pl.DataFrame, schema: Schema, fixed: Mapping[str, object] | None, report: LoadReport
) -> pl.DataFrame:
    """Add the project file's fixed values as source columns named by their canonical name."""
    if not fixed:
        return raw_df
    names = set(schema.column_names)
    unknown = [c for c in fixed if c not in names]
    if unknown:
        msg = (
            f"fixed: {unknown} are not columns of dataset {schema.name!r}; "
            f"its columns are {schema.column_names}"
        )
        raise ParameterError(msg)
    for column, value in fixed.items():
        if column in raw_df.columns:
            report.notes.append(
                f"column {column!r} of the file replaced by the fixed value {value!r}"
            )
        else:
            report.notes.append(f"fixed value {value!r} for column {column!r} (every row)")
        text = value.isoformat() if hasattr(value, "isoformat") else str(value)  # type: ignore[union-attr]
        raw_df = raw_df.with_columns(pl.lit(text, dtype=pl.String).alias(column))
    return raw_df


def _finish(
    raw: RawTable,
    schema: Schema,
    data_dir,
    column_map: ColumnMap | None,
    references: References | None,
    extra_problems: Sequence[dict] = (),
    *,
    date_form: str | None = None,
    fixed: Mapping[str, object] | None = None,
    region_level: str | None = None,
    on_duplicate: str = "error",
) -> tuple[pl.DataFrame, LoadReport]:
    report = LoadReport(
        source=raw.source,
        dataset=schema.name,
        format=raw.format,
        encoding=raw.encoding,
        sheet=raw.sheet,
        notes=list(raw.notes),
    )
    source = raw.source
    if raw.sheet is not None:
        source += f", sheet {raw.sheet!r} (data row 1 = sheet row {raw.first_row or 2})"
    raw_df = raw.frame.collect()  # read once; conversion and repair counts reuse it
    report.rows_read = raw_df.height
    if raw_df.height == 0:
        msg = f"{raw.source}: the file has no data rows (only a header)"
        raise DataError(msg)
    raw_df = _skip_blank_rows(raw_df, report)
    raw_df = _with_fixed(raw_df, schema, fixed, report)
    staged_lazy, present, repairs, problems = prepare(
        replace(raw, frame=raw_df.lazy()),
        schema,
        column_map=column_map,
        report=report,
        date_form=date_form,
        eager=raw_df,
    )
    if problems and not present:
        raise SchemaError(source, problems)
    staged = staged_lazy.collect()
    _count_repairs(raw_df, repairs, report)
    refs = _reference_values(
        schema, present, data_dir=data_dir, references=references, report=report
    )
    regions = _regions_table(data_dir, references)
    staged, name_checks, covered = region_names_to_codes(
        staged, schema, present, regions, report, region_level=region_level
    )
    checks = [
        replace(ch, bad=ch.bad & ~covered[ch.column]) if ch.column in covered else ch
        for ch in column_checks(schema, present, references=refs)
    ]
    found = run_checks(staged.lazy(), [*checks, *name_checks])
    if regions is None:
        _names_hint(found, schema, staged)
    problems += found
    problems += list(extra_problems)
    keys = [k for k in schema.unique if k in present]
    if keys and len(keys) == len(schema.unique):
        staged = _drop_duplicates(staged, schema, keys, on_duplicate, report)
        dups = duplicate_problems(staged.lazy().select(*keys, ROW), keys)
        for p in dups:
            p["message"] += (
                "; if these are one record entered twice (e.g. a message filed under two "
                'categories), declare on_duplicate = "keep_first" for the dataset in '
                "govanalytics.toml to keep the first row of each key (counted)"
            )
        problems += dups
    if problems:
        raise SchemaError(source, problems)
    return staged.select(schema.column_names), report


#: Repair kinds of rows removed as duplicates.
EXACT_DUPLICATE_REPAIR = "exact duplicate row removed"
KEEP_FIRST_REPAIR = "later row of a duplicated key dropped (on_duplicate = keep_first)"


def _drop_duplicates(
    staged: pl.DataFrame,
    schema: Schema,
    keys: Sequence[str],
    on_duplicate: str,
    report: LoadReport,
) -> pl.DataFrame:
    """Remove rows that repeat an earlier row exactly, and with ``keep_first`` every later
    row of a duplicated key; both counted as repairs of the key column."""
    if ROW not in staged.columns:
        staged = staged.with_row_index(ROW, offset=1)
    cols = [c for c in schema.column_names if c in staged.columns]
    key_label = ", ".join(keys)
    exact = ~pl.struct(cols).is_first_distinct()
    n_exact = int(staged.select(exact.sum()).item())
    if n_exact:
        staged = staged.filter(~exact)
        report.add_repair(key_label, EXACT_DUPLICATE_REPAIR, n_exact)
    if on_duplicate == "keep_first":
        later = ~pl.struct(list(keys)).is_first_distinct()
        n_later = int(staged.select(later.sum()).item())
        if n_later:
            rows = staged.filter(later)[ROW].head(10).to_list()
            staged = staged.filter(~later)
            report.add_repair(key_label, KEEP_FIRST_REPAIR, n_later)
            report.notes.append(
                f"{n_later} row(s) sharing a key ({key_label}) with an earlier row dropped "
                f"(data rows {', '.join(str(r) for r in rows)}{' …' if n_later > 10 else ''})"
            )
    elif on_duplicate != "error":
        msg = f"on_duplicate: 'error' or 'keep_first', got {on_duplicate!r}"
        raise ParameterError(msg)
    return staged


def load(
    dataset: str,
    *,
    data_dir: str | os.PathLike | None = None,
    path: str | os.PathLike | None = None,
    column_map: ColumnMap | None = None,
    sheet: str | int | None = None,
    references: References | None = None,
    repair_geometry: bool = False,
) -> pl.DataFrame:
    """Load a dataset validated against its schema (see :func:`load_with_report`).

    Examples
    --------
    >>> from govanalytics.data import load
    >>> clinic = load("clinic_counts", data_dir="data/sample")  # doctest: +SKIP
    >>> mine = load("comments", path="热线工单.xlsx",
    ...             column_map={"text": ["标题", "内容"]})  # doctest: +SKIP
    """
    frame, _ = load_with_report(
        dataset,
        data_dir=data_dir,
        path=path,
        column_map=column_map,
        sheet=sheet,
        references=references,
        repair_geometry=repair_geometry,
    )
    return frame


def scan(
    dataset: str,
    *,
    data_dir: str | os.PathLike | None = None,
    path: str | os.PathLike | None = None,
    column_map: ColumnMap | None = None,
    references: References | None = None,
    check_values: bool = True,
    check_unique: bool = False,
) -> pl.LazyFrame:
    """Scan a large Parquet dataset lazily, checked against its schema.

    Column names and types are checked from the file's metadata without reading data.
    With ``check_values`` (default) one streaming aggregate pass counts, per column, values
    that fail conversion, empty values, values out of range, codes not allowed, pattern
    mismatches and unknown region codes; only when a count is non-zero are the offending
    rows (at most 1000 per check) collected for the message. Text stored as text is taken
    as it is (checked, not trimmed or normalised), and other conversions (dates written as
    text, ...) are made but their repairs not counted; use :func:`load_with_report` for a
    full report on files that fit in memory.

    Parameters
    ----------
    dataset, data_dir, path, column_map, references
        As in :func:`load_with_report`; the file must be Parquet.
    check_values
        Run the value checks (one pass over the data). ``False`` checks names and types only.
    check_unique
        Also check the unique key (a full group-by: costly on hundreds of millions of rows).

    Returns
    -------
    polars.LazyFrame
        Canonical columns in declared order and types.

    Raises
    ------
    SchemaError
        Listing every problem found (rows are 1-based rows of the file).
    """
    schema = get_schema(dataset)
    if schema.geometry:
        msg = f"dataset: {dataset!r} carries geometry; use load_boundaries(dataset={dataset!r})"
        raise ParameterError(msg)
    file = resolve_path(schema, data_dir=data_dir, path=path)
    raw = read_table(file)
    if raw.format != "parquet":
        msg = f"path: scan() reads Parquet only; {file} is {raw.format}: use load() for it"
        raise ParameterError(msg)
    report = LoadReport(source=raw.source, dataset=schema.name, format=raw.format)
    staged, present, _repairs, problems = prepare(
        raw, schema, column_map=column_map, report=report, repair_text=False
    )
    if problems and not present:
        raise SchemaError(raw.source, problems)
    if check_values:
        refs = _reference_values(
            schema, present, data_dir=data_dir, references=references, report=report
        )
        problems += run_checks(staged, column_checks(schema, present, references=refs))
    keys = [k for k in schema.unique if k in present]
    if check_unique and keys and len(keys) == len(schema.unique):
        problems += duplicate_problems(staged.select(keys), keys)
    if problems:
        raise SchemaError(raw.source, problems)
    return staged.select(schema.column_names)
