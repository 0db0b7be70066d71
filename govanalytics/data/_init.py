"""``govanalytics init DIR``: a commented project file guessed from the files in a folder.

For every data file in the folder (CSV, Excel, Parquet; GeoJSON and Shapefile as
boundaries) the header is read and matched against every dataset kind: each canonical
column is looked for under its own name, the schema's aliases and Chinese label, and the
header names common in Chinese government exports (:data:`HEADER_GUESSES`). The dataset
kind whose required columns are all found wins; its column map, date form, frequency and
region level are guessed from the values and written, with comments saying what was
guessed from what, so that the user can correct it before ``govanalytics check``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from govanalytics.data._load import get_schema, plan_columns
from govanalytics.data._read import CSV_SUFFIXES, EXCEL_SUFFIXES, PARQUET_SUFFIXES, read_table
from govanalytics.data._report import LoadReport
from govanalytics.data.schemas import SCHEMAS
from govanalytics.errors import DataError, ParameterError

__all__ = ["HEADER_GUESSES", "Guess", "guess_dataset", "init_project"]

#: Header names seen in real exports, per dataset and canonical column (case-insensitive),
#: beyond each schema's own aliases and Chinese labels. A list value joins several columns
#: in this order when all are present (title + body of a message).
HEADER_GUESSES: dict[str, dict[str, tuple[Any, ...]]] = {
    "comments": {
        "message_id": ("留言编号", "工单编号", "工单号", "编号", "id", "message_id", "ticket_id"),
        "user_id": ("留言用户", "用户", "用户编号", "来电人", "user", "user_id"),
        "created_at": (
            "留言时间",
            "受理时间",
            "来电时间",
            "创建时间",
            "时间",
            "日期",
            "created_at",
            "time",
            "date",
        ),
        "text": (
            ("留言主题", "留言详情"),
            ("标题", "内容"),
            ("主题", "详情"),
            ("诉求标题", "诉求内容"),
            "留言详情",
            "留言内容",
            "诉求内容",
            "工单内容",
            "内容",
            "text",
            "content",
        ),
        "category": ("一级分类", "诉求分类", "分类", "类别", "业务类别", "category"),
        "district_code": ("所属区县", "区县", "行政区", "district", "district_code"),
    },
    "clinic_counts": {
        "week_start": (
            "month",
            "月份",
            "统计月份",
            "week_start",
            "week",
            "周",
            "周起始日",
            "日期",
            "date",
            "period",
        ),
        "district_code": (
            "adcode",
            "区划代码",
            "行政区划代码",
            "地区编码",
            "region_code",
            "district_code",
            "code",
            "省份",
            "province",
            "地区",
            "区县",
            "region",
        ),
        "disease": ("disease_zh", "病种", "疾病", "疾病名称", "病名", "disease"),
        "count": ("cases", "病例数", "发病数", "报告病例数", "发病人数", "count", "n"),
        "age_group": ("年龄组", "age_group", "age"),
    },
    "od_counts": {
        "origin": ("出发地", "起点", "始发地", "origin", "from", "o"),
        "destination": ("目的地", "终点", "到达地", "destination", "to", "d"),
        "date": ("日期", "date", "day"),
        "count": ("人次", "流量", "出行量", "count", "flow", "trips", "value"),
    },
    "device_counts": {
        "cell_id": ("网格编号", "网格", "cell", "cell_id", "grid_id"),
        "date": ("日期", "date", "day"),
        "hour": ("小时", "时段", "hour"),
        "device_count": ("设备数", "用户数", "device_count", "users", "count"),
    },
}

_DATE_TYPES = (pl.Date, pl.Datetime)


@dataclass
class Guess:
    """What ``init`` made of one file."""

    file: Path
    dataset: str = ""
    column_map: dict[str, Any] = field(default_factory=dict)
    matched: dict[str, str] = field(default_factory=dict)  # canonical → how it was found
    unmatched: list[str] = field(default_factory=list)  # file columns not used
    missing: list[str] = field(default_factory=list)  # required columns not found
    frequency: str = ""
    region_level: str = ""
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    on_duplicate: str = ""


def _norm(name: str) -> str:
    return str(name).strip().casefold().replace(" ", "_")


def _guess_columns(dataset: str, found: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Column map from the header guesses (only entries that are not already canonical)."""
    by_norm = {_norm(f): f for f in found}
    cmap: dict[str, Any] = {}
    how: dict[str, str] = {}
    used: set[str] = set()
    for canonical, candidates in HEADER_GUESSES.get(dataset, {}).items():
        for cand in candidates:
            if isinstance(cand, tuple):
                hits = [by_norm.get(_norm(c)) for c in cand]
                if all(hits) and not used & set(hits):  # type: ignore[arg-type]
                    cmap[canonical] = list(hits)
                    used.update(hits)  # type: ignore[arg-type]
                    how[canonical] = " + ".join(str(h) for h in hits)
                    break
                continue
            hit = by_norm.get(_norm(cand))
            if hit is not None and hit not in used:
                if hit != canonical:
                    cmap[hit] = canonical
                used.add(hit)
                how[canonical] = hit
                break
    return cmap, how


def guess_dataset(columns: list[str]) -> tuple[str, dict[str, Any], list[str]]:
    """The dataset kind a header most likely belongs to.

    Parameters
    ----------
    columns
        The file's column names.

    Returns
    -------
    tuple
        Dataset name ("" when no kind has all its required columns), the column map, and
        the required columns still missing for the best candidate.
    """
    best: tuple[float, str, dict[str, Any], list[str]] = (-1.0, "", {}, [])
    for name, schema in SCHEMAS.items():
        if schema.geometry:
            continue
        cmap, _ = _guess_columns(name, columns)
        scratch = LoadReport(source="", dataset=name, format="")
        try:
            plan, _problems = plan_columns(schema, columns, cmap, scratch)
        except ParameterError:
            continue
        required = [c.name for c in schema.columns if c.required]
        missing = [c for c in required if c not in plan]
        hits = len([c for c in required if c in plan])
        score = hits / max(len(required), 1) + 0.01 * len(plan)
        if missing:
            score -= 1.0
        if score > best[0]:
            best = (score, name, cmap, missing)
    _, name, cmap, missing = best
    if missing:
        return "", cmap, missing
    return name, cmap, missing


def _frequency(values: pl.Series) -> str:
    dates = values.drop_nulls()
    if not dates.len():
        return ""
    if dates.dtype == pl.Datetime:
        times = dates.dt.time()
        if (times != dt.time(0)).any():
            return "event"
        dates = dates.dt.date()
    days = dates.unique().sort()
    if days.len() < 2:
        return ""
    gaps = days.diff().drop_nulls().dt.total_days()
    smallest = int(gaps.min())  # type: ignore[arg-type]
    if bool((days.dt.day() == 1).all()) and smallest >= 28:
        return "month"
    if smallest >= 7 and bool((gaps % 7 == 0).all()):
        return "week"
    if smallest >= 1 and days.len() == dates.len():
        return "day"
    return "event"


def _region_level(values: pl.Series) -> str:
    """Level of region codes or names (6/12-digit codes by their trailing zeros; names by
    the gazetteer)."""
    text = values.drop_nulls().cast(pl.String).str.strip_chars().unique()
    if not text.len():
        return ""
    codes = text.filter(text.str.contains(r"^\d{6}(\d{6})?$"))
    if codes.len() == text.len():
        six = codes.str.slice(0, 6)
        if bool((six.str.slice(2) == "0000").all()):
            return "province"
        if bool((six.str.slice(4) == "00").all()):
            return "prefecture"
        return "district"
    try:
        from govanalytics.data._gazetteer import resolve_places
    except ImportError:  # pragma: no cover - the gazetteer ships with the package
        return ""
    found = resolve_places(text.to_list())
    levels = found.filter(pl.col("region_code").is_not_null())["level"]
    levels = levels.filter(levels != "country")
    if not levels.len():
        return ""
    return str(levels.mode().sort()[0])


def _sample(path: Path, sheet: str | None, n: int = 5000) -> pl.DataFrame:
    raw = read_table(path, sheet=sheet)
    return raw.frame.head(n).collect()


def guess_file(path: Path) -> Guess:
    """Guess what one file holds (see :func:`init_project`)."""
    from govanalytics.data._convert import _parse_datetime

    guess = Guess(file=path)
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".shp", ".gpkg") or path.name.endswith(".geo.json"):
        guess.dataset = "boundaries"
        guess.notes.append("geometry file: read as region boundaries")
        return guess
    if suffix in EXCEL_SUFFIXES:
        from govanalytics.data._read import excel_sheets

        guess.sheets = excel_sheets(path)
        guess.sheet = guess.sheets[0] if guess.sheets else None
    try:
        sample = _sample(path, guess.sheet)
    except DataError as exc:
        guess.notes.append(f"cannot read: {exc}".splitlines()[0])
        return guess
    columns = [c for c in sample.columns if not c.startswith("__")]
    name, cmap, missing = guess_dataset(columns)
    guess.dataset, guess.column_map, guess.missing = name, cmap, missing
    if not name:
        guess.unmatched = columns
        return guess
    schema = get_schema(name)
    scratch = LoadReport(source=str(path), dataset=name, format="")
    plan, _ = plan_columns(schema, columns, cmap, scratch)
    for canonical, src in plan.items():
        guess.matched[canonical] = " + ".join(src) if isinstance(src, list) else src
    used = {s for v in plan.values() for s in ([v] if isinstance(v, str) else v)}
    guess.unmatched = [c for c in columns if c not in used]
    time_cols = [c.name for c in schema.columns if c.dtype in _DATE_TYPES and c.required]
    time_src = plan.get(time_cols[0]) if time_cols else None
    if isinstance(time_src, str):
        values: pl.Series = sample.get_column(time_src)
        if values.dtype == pl.String:
            repairs: dict = {}
            values = sample.select(
                _parse_datetime(pl.col(time_src).str.strip_chars(), pl.Datetime("us"), repairs)
            ).to_series()
        if values.dtype in _DATE_TYPES:
            guess.frequency = _frequency(values)
    code_cols = [
        c.name for c in schema.columns if c.references == "regions.region_code" and c.name in plan
    ]
    for col in code_cols:
        src = plan[col]
        if isinstance(src, str):
            level = _region_level(sample[src])
            if level:
                guess.region_level = level
                break
    key = list(schema.unique)
    if key and all(k in plan and isinstance(plan[k], str) for k in key):
        full = read_table(path, sheet=guess.sheet).frame.collect()
        srcs = [plan[k] for k in key]
        dup_keys = full.select(pl.struct(srcs).is_duplicated().sum()).item()
        exact = full.select(pl.struct(full.columns).is_duplicated().sum()).item()
        if dup_keys and dup_keys > exact:
            example = full.filter(pl.struct(srcs).is_duplicated()).select(srcs).head(1).row(0)
            guess.on_duplicate = "keep_first"
            guess.notes.append(
                f"{dup_keys} rows share their {', '.join(str(s) for s in srcs)} with another "
                f"row but differ elsewhere (e.g. {', '.join(str(v) for v in example)})"
            )
    return guess


def _toml_str(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _toml_key(key: str) -> str:
    return (
        key if key.replace("_", "").isascii() and key.replace("_", "").isalnum() else _toml_str(key)
    )


def render_project(guesses: list[Guess], folder: Path) -> str:
    """The text of a commented ``govanalytics.toml`` for ``guesses``."""
    lines = [
        "# govanalytics project file — written by `govanalytics init`; check every guess,",
        "# then run `govanalytics check` on this folder.",
        "# Keys of a dataset: source (file or glob), sheet, column_map, date_form, frequency",
        "# (event/day/week/month), value_type (count/share/index), orientation",
        "# (origin_rows/destination_rows), region_level (country/province/prefecture/district/",
        "# street/community), fixed (values for every row), filename_date, on_duplicate.",
        "",
        "[project]",
        f"name = {_toml_str(folder.resolve().name)}   # shown in the report",
        "# k = 15              # small-count threshold for every chapter",
        '# within = "430100"   # the area the data cover: place names are resolved inside it',
        "",
    ]
    seen: dict[str, int] = {}
    for g in guesses:
        rel = os.path.relpath(g.file, folder)
        if not g.dataset:
            lines.append(f"# {rel}: could not tell what this file holds.")
            if g.missing:
                lines.append(f"#   closest kind lacks the columns {g.missing}")
            if g.unmatched:
                lines.append(f"#   its columns: {', '.join(map(str, g.unmatched[:20]))}")
            lines += [f"#   {n}" for n in g.notes]
            lines.append("")
            continue
        seen[g.dataset] = seen.get(g.dataset, 0) + 1
        comment = "" if seen[g.dataset] == 1 else "# "
        if comment:
            lines.append(f"# a second file of {g.dataset}: declare one source (a glob) for both")
        label = get_schema(g.dataset).label_zh
        lines.append(f"{comment}[datasets.{g.dataset}]   # {label}")
        lines.append(f"{comment}source = {_toml_str(rel)}")
        if g.sheet is not None:
            others = f" (sheets: {', '.join(g.sheets)})" if len(g.sheets) > 1 else ""
            lines.append(f"{comment}sheet = {_toml_str(g.sheet)}{others and '   # ' + others}")
        if g.frequency:
            lines.append(
                f"{comment}frequency = {_toml_str(g.frequency)}   # guessed from the dates"
            )
        if g.region_level:
            lines.append(
                f"{comment}region_level = {_toml_str(g.region_level)}   # guessed from the region codes/names"
            )
        if g.on_duplicate:
            lines += [f"{comment}# {n}" for n in g.notes]
            lines.append(
                f"{comment}on_duplicate = {_toml_str(g.on_duplicate)}   # keep the first; "
                '"error" stops on them'
            )
        if g.column_map:
            lines.append(f"{comment}[datasets.{g.dataset}.column_map]")
            for key, value in g.column_map.items():
                lines.append(f"{comment}{_toml_key(key)} = {_toml_str(value)}")
        for canonical, src in g.matched.items():
            if canonical == src:
                lines.append(f"{comment}# {canonical}: the file's column has this name already")
        if g.unmatched:
            lines.append(f"{comment}# not used: {', '.join(map(str, g.unmatched))}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def init_project(data_dir: str | os.PathLike, *, force: bool = False) -> tuple[Path, list[Guess]]:
    """Write a commented ``govanalytics.toml`` guessed from the files in ``data_dir``.

    Parameters
    ----------
    data_dir
        The folder holding the user's exports (files at its top level and one level down).
    force
        Overwrite an existing project file.

    Returns
    -------
    tuple[Path, list[Guess]]
        The written file and what was guessed for every data file.

    Raises
    ------
    ParameterError
        The folder does not exist, holds no data file, or already has a project file (and
        ``force`` is False).
    """
    from govanalytics.data._project import PROJECT_FILE

    folder = Path(data_dir)
    if not folder.is_dir():
        msg = f"data_dir: folder {str(folder)!r} does not exist"
        raise ParameterError(msg)
    target = folder / PROJECT_FILE
    if target.exists() and not force:
        msg = f"{target} exists already; edit it, or pass --force to write a new one"
        raise ParameterError(msg)
    suffixes = (*CSV_SUFFIXES, *EXCEL_SUFFIXES, *PARQUET_SUFFIXES, ".geojson", ".shp", ".gpkg")
    files = sorted(
        p
        for pattern in ("*", "*/*")
        for p in folder.glob(pattern)
        if p.is_file()
        and p.suffix.lower() in suffixes
        and not any(part.startswith((".", "~$")) for part in p.relative_to(folder).parts)
    )
    if not files:
        msg = f"{folder}: no data file (CSV, Excel, Parquet, GeoJSON, Shapefile) found"
        raise ParameterError(msg)
    guesses = [guess_file(p) for p in files]
    target.write_text(render_project(guesses, folder), encoding="utf-8")
    return target, guesses
