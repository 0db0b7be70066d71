"""OD products as they come: daily wide matrices of counts, shares or indices.

A city analyst's first mobility data is rarely an operator's cell counts. It is an OD
product such as Baidu Migration (百度迁徙) or Tencent location data, downloaded as one wide
CSV per day: a blank (or named) first header, place names as row and column headers, values
in **percent** of a city's inflow or outflow, the date only in the file name, inflow and
outflow files side by side, province rows mixed among the cities, and a separate volume
index (迁徙规模指数) per city and day. :func:`read_od_files` reads such files as they come;
:func:`load_od_product` does it for the ``od_counts`` dataset a project file declares.

How a file is read:

* **Long or wide.** A file with ``origin`` and ``destination`` columns (after the column
  map) is long; otherwise it is a wide matrix whose first column holds the row places and
  whose other headers (except a ``date`` column) are places.
* **Direction.** ``flow`` says what a file's shares are shares of: ``"inflow"`` (each row
  city's arrivals by origin) or ``"outflow"`` (each row city's departures by destination).
  Undeclared, it is read from the file name (迁入 / 流入 / inflow / ``_in_`` → inflow;
  迁出 / 流出 / outflow / ``_out_`` → outflow).
* **Orientation.** Rows are destinations in inflow files and origins in outflow files unless
  ``orientation`` (``"origin_rows"`` / ``"destination_rows"``) says otherwise; a count
  matrix of unknown direction is read with origins as rows, and a note says so.
* **Dates** come from a ``date`` column, a fixed value, or the file name (``filename_date``,
  a ``strftime`` form such as ``"%Y%m%d"``).
* **Places** are resolved through the national gazetteer
  (:func:`govanalytics.data.resolve_places`; names, short names, historical names such as
  那曲地区 → 那曲市, 6- or 12-digit codes), or through the regions table when one is given.
  At ``region_level="prefecture"`` the city-level units are prefectures, the
  province-level units without prefectures (直辖市, 香港, 澳门) and the county-level units
  directly under a province (仙桃市, 济源市, 石河子市 and the other 兵团 cities). Rows or
  columns of other levels (广东省, 全国) are kept apart in :attr:`ODProduct.other_levels`,
  never added to the cities.
* **Values.** Shares are stored as fractions (0–1); percent is detected (some row sums
  above 1.5) or declared (``share_unit``). Counts must be whole numbers. Empty cells are
  "not listed" (products list each city's largest partners only) and dropped.

Every problem of every file is collected into one :class:`~govanalytics.errors.DataError`
naming the user's own files, with long lists capped (the first 10 and a count).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import polars as pl

from govanalytics.errors import DataError, ParameterError
from govanalytics.validation import string_like

__all__ = [
    "FLOWS",
    "UNITS_ZH",
    "ODProduct",
    "city_level_codes",
    "load_od_product",
    "read_od_files",
]

ValueType = Literal["count", "share", "index"]
Flow = Literal["inflow", "outflow"]
#: What the shares of a file are shares of.
FLOWS: tuple[str, ...] = ("inflow", "outflow")
#: Units shown to people for each value type: counts are trips of people, shares are
#: percentages of a city's inflow or outflow, indices have no unit.
UNITS_ZH: dict[str, str] = {"count": "人次", "share": "占比%", "index": "指数"}

_LIST_CAP = 10
_DATE_HEADERS = ("date", "日期", "day", "时间")
_VALUE_HEADERS = ("count", "share", "value", "index", "人次", "占比", "比例", "指数", "数值")
_FLOW_WORDS: dict[str, tuple[str, ...]] = {
    "inflow": ("迁入", "流入", "inflow", "_in_", "_in.", "-in-", "-in."),
    "outflow": ("迁出", "流出", "outflow", "_out_", "_out.", "-out-", "-out."),
}
_STRFTIME = {"%Y": r"\d{4}", "%m": r"\d{1,2}", "%d": r"\d{1,2}", "%y": r"\d{2}", "%j": r"\d{3}"}


@dataclass
class ODProduct:
    """An OD product read as it came.

    Attributes
    ----------
    flows
        ``origin``, ``destination`` (12-digit codes of the chosen level), ``date``,
        ``value`` (Float64: trips for counts, a fraction 0–1 for shares, the index for
        indices) and ``flow`` (``"inflow"``, ``"outflow"``, or ``""`` for counts of unknown
        direction). Pairs not listed by the product are absent, never zero.
    value_type
        ``"count"``, ``"share"`` or ``"index"``.
    region_level
        The level of ``origin`` and ``destination``.
    places
        ``region_code``, ``region_name``, ``level``, ``longitude``, ``latitude`` (GCJ-02
        government-seat points; null where the gazetteer has none) of the places in
        ``flows``.
    other_levels
        Rows of ``flows``' layout (plus ``origin_level``, ``destination_level``) whose
        origin or destination is of another level (a province or the country among
        cities): kept apart, never added to the cities.
    volume_index
        ``region_code``, ``date``, ``flow``, ``index``: a volume index per city and day
        (迁徙规模指数) when one was given, else None.
    files
        The files read.
    notes
        What was assumed or repaired, for the reader of the report.
    """

    flows: pl.DataFrame
    value_type: str
    region_level: str
    places: pl.DataFrame
    other_levels: pl.DataFrame
    volume_index: pl.DataFrame | None = None
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def unit_zh(self) -> str:
        """The unit shown to people: 人次, 占比% or 指数."""
        return UNITS_ZH[self.value_type]

    @property
    def names(self) -> dict[str, str]:
        """Code → Chinese name of the places."""
        return dict(self.places.select("region_code", "region_name").iter_rows())

    def counts(self) -> pl.DataFrame:
        """The flows as ``od_counts`` (``origin``, ``destination``, ``date``, ``count``).

        Only counts of trips are counts: a share or index product raises (multiply shares
        by a volume with :func:`govanalytics.mobility.flows_from_shares`).
        """
        if self.value_type != "count":
            msg = (
                f"the OD product holds {self.value_type}s ({self.unit_zh}), not counts of "
                "trips; use flows_from_shares() for relative volumes"
            )
            raise DataError(msg)
        return self.flows.select(
            "origin",
            "destination",
            "date",
            pl.col("value").round(0).cast(pl.Int64).alias("count"),
        ).sort("date", "origin", "destination")


# --- problems, collected -------------------------------------------------------------------


class _Problems:
    """Problems of all files, collected and raised at once."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, file: Path | str, what: str) -> None:
        self.items.append(f"{file}: {what}")

    def raise_if_any(self, label: str) -> None:
        if not self.items:
            return
        shown = "\n  - ".join(self.items[:_LIST_CAP])
        more = (
            f"\n  … and {len(self.items) - _LIST_CAP} more" if len(self.items) > _LIST_CAP else ""
        )
        msg = f"{label}: {len(self.items)} problem(s)\n  - {shown}{more}"
        raise DataError(msg)


def _capped(values: Sequence[Any]) -> str:
    shown = ", ".join(repr(v) for v in values[:_LIST_CAP])
    more = f" and {len(values) - _LIST_CAP} more" if len(values) > _LIST_CAP else ""
    return f"{shown}{more}"


# --- dates and directions from file names -------------------------------------------------


def date_from_filename(name: str, form: str) -> dt.date | None:
    """The date written in a file name in the ``strftime`` form ``form`` (None if absent)."""
    pattern = re.escape(form)
    for code, rx in _STRFTIME.items():
        pattern = pattern.replace(re.escape(code), f"({rx})").replace(code, f"({rx})")
    for match in re.finditer(pattern, name):
        try:
            return dt.datetime.strptime(match.group(0), form).date()
        except ValueError:
            continue
    return None


def flow_from_filename(name: str) -> str:
    """``"inflow"`` / ``"outflow"`` from words in a file name, ``""`` when neither or both."""
    low = name.lower()
    found = [f for f, words in _FLOW_WORDS.items() if any(w in low for w in words)]
    return found[0] if len(found) == 1 else ""


# --- places ---------------------------------------------------------------------------------


def city_level_codes() -> pl.DataFrame:
    """The gazetteer's city-level units (the units OD products call cities).

    Prefecture-level units, province-level units with no prefecture under them (the 直辖市,
    香港, 澳门, 台湾) and county-level units directly under a province that has prefectures
    (省直辖县级: 仙桃市, 济源市, the 兵团 cities; not the districts of the 直辖市). Current
    units only.

    Returns
    -------
    pl.DataFrame
        ``region_code``, ``region_name``, ``short_name``, ``longitude``, ``latitude``.
    """
    from govanalytics.data import gazetteer

    g = gazetteer().filter(pl.col("current"))
    provinces = g.filter(pl.col("level") == "province")
    with_prefectures = g.filter(pl.col("level") == "prefecture")["parent_code"].unique()
    keep = (
        (pl.col("level") == "prefecture")
        | (
            (pl.col("level") == "province")
            & ~pl.col("region_code").is_in(with_prefectures.implode())
        )
        | (
            (pl.col("level") == "district")
            & pl.col("parent_code").is_in(provinces["region_code"].implode())
            & pl.col("parent_code").is_in(with_prefectures.implode())
        )
    )
    return g.filter(keep).select(
        "region_code", "region_name", "short_name", "longitude", "latitude"
    )


def _resolve_labels(
    labels: list[str],
    *,
    region_level: str,
    within: str | None,
    regions: pl.DataFrame | None,
) -> pl.DataFrame:
    """``label`` → ``region_code``, ``level`` (the area level or another), ``how``, ``candidates``.

    With a regions table, its codes and names are used first; the gazetteer resolves the
    rest. Historical units become their successors. ``level`` is ``region_level`` for
    units of the analysis level (city-level units at ``"prefecture"``) and the unit's own
    level otherwise.
    """
    from govanalytics.data import gazetteer, resolve_places

    frame = pl.DataFrame({"label": labels}, schema={"label": pl.String})
    parts = []
    rest = frame
    if regions is not None and regions.height:
        reg = regions.select("region_code", "region_name", "level")
        by_code = frame.join(reg, left_on="label", right_on="region_code", how="inner").select(
            "label", pl.col("label").alias("region_code"), "level"
        )
        by_name = (
            frame.join(by_code.select("label"), on="label", how="anti")
            .join(reg, left_on="label", right_on="region_name", how="inner")
            .unique("label", keep="none")
            .select("label", "region_code", "level")
        )
        known = pl.concat([by_code, by_name])
        parts.append(
            known.with_columns(
                how=pl.lit("regions"), candidates=pl.lit([], dtype=pl.List(pl.String))
            )
        )
        rest = frame.join(known.select("label"), on="label", how="anti")
    if rest.height:
        text = ("region_code", "region_name", "level", "matched_by")
        found = resolve_places(rest["label"], within=within).cast(dict.fromkeys(text, pl.String))
        # 恩施州, 延边州: a name with 州 or 地区 after the short name
        retry = found.filter(
            pl.col("region_code").is_null() & (pl.col("candidates").list.len() == 0)
        )
        if retry.height:
            stripped = retry["name"].str.replace(r"(州|地区|盟)$", "")
            again = (
                resolve_places(stripped, within=within)
                .cast(dict.fromkeys(text, pl.String))
                .with_columns(name=retry["name"])
            )
            found = pl.concat([found.join(again.select("name"), on="name", how="anti"), again])
        g = gazetteer()
        succ = (
            g.filter(~pl.col("current") & pl.col("successor_code").is_not_null())
            .select("region_code", "successor_code")
            .unique("region_code")
        )
        found = (
            found.join(succ, on="region_code", how="left")
            .with_columns(
                how=pl.when(
                    pl.col("successor_code").is_not_null() & (pl.col("matched_by") == "historical")
                )
                .then(pl.lit("successor"))
                .otherwise(pl.col("matched_by")),
                region_code=pl.when(pl.col("matched_by") == "historical")
                .then(pl.coalesce("successor_code", "region_code"))
                .otherwise("region_code"),
            )
            .select(pl.col("name").alias("label"), "region_code", "level", "how", "candidates")
        )
        parts.append(found)
    out = pl.concat(parts, how="vertical_relaxed") if parts else frame
    cities = city_level_codes()["region_code"].implode()
    level = region_level or _main_level(out)
    if level == "prefecture":  # 北京市, 仙桃市, 石河子市 are cities of OD products
        out = out.with_columns(
            level=pl.when(pl.col("region_code").is_in(cities))
            .then(pl.lit("prefecture"))
            .otherwise("level")
        )
    return out.with_columns(area_level=pl.lit(level))


def _main_level(found: pl.DataFrame) -> str:
    """The level most labels have, city-level units counted as prefectures unless most
    labels are provinces (a province table lists 北京市 as a province)."""
    levels = found["level"].drop_nulls()
    if not levels.len():
        return "prefecture"
    top = str(levels.mode().sort()[0])
    if top == "province":
        return "province"
    cities = city_level_codes()["region_code"]
    promoted = found.filter(pl.col("region_code").is_in(cities.implode())).height
    plain = {lv: int((levels == lv).sum()) for lv in ("prefecture", "district")}
    if top == "prefecture" or (promoted and promoted >= max(plain.values())):
        return "prefecture"
    return top


def _place_table(codes: pl.Series, regions: pl.DataFrame | None) -> pl.DataFrame:
    """Names and GCJ-02 points of the codes (the gazetteer, else the regions table)."""
    from govanalytics.data import gazetteer

    g = (
        gazetteer()
        .sort(["region_code", "current"], descending=[False, True])
        .unique("region_code", keep="first")
        .select("region_code", "region_name", "level", "longitude", "latitude")
    )
    want = codes.cast(pl.String).unique().sort().to_frame("region_code")
    out = want.join(g, on="region_code", how="left")
    if regions is not None and regions.height:
        own = regions.select(
            "region_code", pl.col("region_name").alias("own_name"), pl.col("level").alias("own")
        )
        out = out.join(own, on="region_code", how="left").select(
            "region_code",
            pl.coalesce("own_name", "region_name").alias("region_name"),
            pl.coalesce("own", "level").alias("level"),
            "longitude",
            "latitude",
        )
    return out


# --- one file ------------------------------------------------------------------------------


@dataclass
class _Options:
    value_type: str
    orientation: str
    filename_date: str
    date: dt.date | None
    flow: str
    share_unit: str
    column_map: dict[str, Any]
    sheet: str | int | None


def _read_raw(path: Path, opts: _Options) -> pl.DataFrame:
    from govanalytics.data._read import read_table

    raw = read_table(path, sheet=opts.sheet).frame.collect()
    renames = {k: v for k, v in opts.column_map.items() if isinstance(v, str) and k in raw.columns}
    return raw.rename(renames)


def _file_date(path: Path, raw: pl.DataFrame, opts: _Options, problems: _Problems) -> Any:
    """The file's date column name, or one date for the whole file (None on a problem)."""
    for col in raw.columns:
        if col.strip().lower() in _DATE_HEADERS:
            return col
    if opts.filename_date:
        day = date_from_filename(path.name, opts.filename_date)
        if day is None:
            problems.add(
                path,
                f"no date of the form {opts.filename_date!r} in the file name; "
                "Hint: rename the file or correct filename_date",
            )
        return day
    if opts.date is not None:
        return opts.date
    problems.add(
        path,
        "no date: the file has no date column and none was declared. Hint: if the date "
        'is in the file name, declare filename_date = "%Y%m%d" (its strftime form); '
        "else add a date column or a fixed date",
    )
    return None


def _looks_wide(raw: pl.DataFrame) -> bool:
    return not {"origin", "destination"} <= set(raw.columns)


def _long_from_wide(
    path: Path, raw: pl.DataFrame, date: Any, flow: str, opts: _Options
) -> tuple[pl.DataFrame, str]:
    """``row``, ``column``, ``date``, ``text`` cells and the orientation used."""
    row_col = raw.columns[0]
    skip = {row_col} | ({date} if isinstance(date, str) else set())
    cols = [c for c in raw.columns if c not in skip]
    orientation = opts.orientation or {"inflow": "destination_rows", "outflow": "origin_rows"}.get(
        flow, ""
    )
    cells = raw.select(
        pl.col(row_col).cast(pl.String).str.strip_chars().alias("row"),
        (pl.col(date).cast(pl.String) if isinstance(date, str) else pl.lit(date)).alias("date"),
        *[pl.col(c).cast(pl.String) for c in cols],
    ).unpivot(index=["row", "date"], on=cols, variable_name="column", value_name="text")
    return cells.with_columns(pl.col("column").str.strip_chars()), orientation


def _cells_from_long(raw: pl.DataFrame, date: Any) -> tuple[pl.DataFrame, str | None]:
    value = next((c for c in raw.columns if c.strip().lower() in _VALUE_HEADERS), None)
    if value is None:
        return raw.head(0), None
    cells = raw.select(
        pl.col("origin").cast(pl.String).str.strip_chars().alias("row"),
        pl.col("destination").cast(pl.String).str.strip_chars().alias("column"),
        (pl.col(date).cast(pl.String) if isinstance(date, str) else pl.lit(date)).alias("date"),
        pl.col(value).cast(pl.String).alias("text"),
    )
    return cells, value


def _read_one(path: Path, opts: _Options, problems: _Problems, notes: list[str]) -> pl.DataFrame:
    """One file as cells ``origin``, ``destination`` (labels), ``date``, ``text``, ``flow``."""
    raw = _read_raw(path, opts)
    flow = opts.flow or flow_from_filename(path.name)
    date = _file_date(path, raw, opts, problems)
    if opts.value_type == "share" and not flow:
        problems.add(
            path,
            "shares of what? the file name says neither inflow (迁入) nor outflow (迁出). "
            'Hint: declare flow = "inflow" or "outflow" in [datasets.od_counts.options], '
            "or keep inflow and outflow files apart by name",
        )
    if date is None:
        return _empty_cells()
    if _looks_wide(raw):
        if raw.width < 2:
            problems.add(path, f"one column only ({raw.columns}); expected a wide OD matrix")
            return _empty_cells()
        cells, orientation = _long_from_wide(path, raw, date, flow, opts)
        if not orientation:
            orientation = "origin_rows"
            notes.append(
                f"{path.name}: rows read as origins (no orientation or flow declared; "
                'declare orientation = "destination_rows" if rows are destinations)'
            )
    else:
        cells, value = _cells_from_long(raw, date)
        if value is None:
            problems.add(
                path,
                f"a long OD table needs a value column ({', '.join(_VALUE_HEADERS[:4])}); "
                f"columns: {_capped(raw.columns)}",
            )
            return _empty_cells()
        orientation = "origin_rows"
    swap = orientation == "destination_rows"
    return cells.select(
        pl.col("column" if swap else "row").alias("origin"),
        pl.col("row" if swap else "column").alias("destination"),
        "date",
        "text",
        pl.lit(flow).alias("flow"),
        pl.lit(path.name).alias("file"),
    )


def _empty_cells() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "origin": pl.String,
            "destination": pl.String,
            "date": pl.String,
            "text": pl.String,
            "flow": pl.String,
            "file": pl.String,
        }
    )


# --- values and dates -----------------------------------------------------------------------


def _parse_values(cells: pl.DataFrame, opts: _Options, problems: _Problems) -> pl.DataFrame:
    text = pl.col("text").str.strip_chars().str.replace_all(",", "").str.strip_chars_end("%")
    cells = cells.with_columns(
        text=pl.when(text.is_in(["", "-", "—", "NA", "nan", "NaN"])).then(None).otherwise(text)
    ).drop_nulls("text")
    cells = cells.with_columns(value=pl.col("text").cast(pl.Float64, strict=False))
    checks = [
        (pl.col("value").is_null(), "not a number"),
        (pl.col("value") < 0, "negative"),
    ]
    if opts.value_type == "count":
        checks.append(
            (
                pl.col("value") != pl.col("value").round(0),
                'not a whole number (if the values are shares, declare value_type = "share")',
            )
        )
    for cond, what in checks:
        bad = cells.filter(cond.fill_null(False))
        for file, group in bad.group_by("file", maintain_order=True):
            first = group.row(0, named=True)
            problems.add(
                file[0],
                f"{group.height} value(s) {what}, first {first['text']!r} at "
                f"{first['origin']} → {first['destination']}",
            )
    return cells.filter(pl.col("value").is_not_null() & (pl.col("value") >= 0))


def _to_dates(cells: pl.DataFrame, problems: _Problems) -> pl.DataFrame:
    """``date`` as pl.Date: ISO, 2020/1/23, 20200123 and 2020年1月23日 forms."""
    d = pl.col("date").str.strip_chars()
    forms = ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日", "%Y.%m.%d"]
    parsed = pl.coalesce([d.str.to_date(f, strict=False) for f in forms])
    cells = cells.with_columns(parsed_date=parsed)
    bad = cells.filter(pl.col("parsed_date").is_null())
    for file, group in bad.group_by("file", maintain_order=True):
        problems.add(
            file[0],
            f"{group.height} date(s) not understood, first {group['date'][0]!r}; "
            "Hint: write dates as 2020-01-23",
        )
    return cells.drop("date").rename({"parsed_date": "date"}).drop_nulls("date")


def _as_fraction(flows: pl.DataFrame, share_unit: str, notes: list[str]) -> pl.DataFrame:
    """Shares as fractions: percent detected from row sums above 1.5 unless declared."""
    if share_unit not in ("", "percent", "fraction"):
        msg = f"option 'share_unit' must be 'percent' or 'fraction', got {share_unit!r}"
        raise ParameterError(msg)
    unit = share_unit
    if not unit:
        key = pl.when(pl.col("flow") == "inflow").then("destination").otherwise("origin")
        sums = flows.group_by(key.alias("place"), "date", "flow").agg(pl.col("value").sum())
        unit = "percent" if sums.height and float(sums["value"].max()) > 1.5 else "fraction"  # type: ignore[arg-type]
        notes.append(f"shares read as {'percent' if unit == 'percent' else 'fractions'} (detected)")
    return flows.with_columns(pl.col("value") / 100) if unit == "percent" else flows


# --- reading files ---------------------------------------------------------------------------


def read_od_files(
    files: Sequence[str | os.PathLike],
    *,
    value_type: ValueType = "count",
    orientation: str = "",
    filename_date: str = "",
    date: dt.date | str | None = None,
    flow: str = "",
    region_level: str = "",
    within: str | None = None,
    regions: pl.DataFrame | None = None,
    column_map: Mapping[str, Any] | None = None,
    sheet: str | int | None = None,
    share_unit: str = "",
    volume_index: Sequence[str | os.PathLike] = (),
    label: str = "OD files",
) -> ODProduct:
    """Read OD files as they come (wide or long; counts, shares or indices).

    Parameters
    ----------
    files
        The files (CSV in any common encoding, Excel, Parquet), e.g. one per day.
    value_type
        ``"count"`` (trips), ``"share"`` (percent or fraction of a city's inflow or
        outflow) or ``"index"``.
    orientation
        ``"origin_rows"`` or ``"destination_rows"`` for wide matrices; empty: from
        ``flow`` (inflow files have destinations as rows).
    filename_date
        ``strftime`` form of the date in the file names (``"%Y%m%d"``, ``"%Y-%m-%d"``).
    date
        One date for every file (when neither a column nor the file name holds it).
    flow
        ``"inflow"`` or ``"outflow"`` for every file; empty: from each file name.
    region_level
        Level of the places analysed; others are kept apart. Empty (default): the level
        most places have, city-level units counting as ``"prefecture"`` (see the module
        documentation).
    within
        Resolve place names inside this unit (6- or 12-digit code).
    regions
        A regions table whose codes and names are used before the gazetteer.
    column_map
        ``{your column: canonical}`` (``origin``, ``destination``, ``date``, ``count``).
    sheet
        Excel sheet.
    share_unit
        ``"percent"`` or ``"fraction"``; empty: detected.
    volume_index
        Files of a volume index per place and day (:func:`read_volume_index`).
    label
        How the files are named in messages (the declaration).

    Returns
    -------
    ODProduct

    Raises
    ------
    DataError
        Every problem of every file at once, each naming its file: unreadable values,
        dates, unresolved place names (the first 10 and a count), share files of unknown
        direction.
    """
    string_like(value_type, "value_type", options=list(UNITS_ZH))
    if orientation not in ("", "origin_rows", "destination_rows"):
        msg = (
            "parameter 'orientation' must be 'origin_rows' or 'destination_rows', "
            f"got {orientation!r}"
        )
        raise ParameterError(msg)
    string_like(flow, "flow", options=("", *FLOWS))
    paths = [Path(f) for f in files]
    if not paths:
        msg = f"{label}: no files to read"
        raise DataError(msg)
    fixed = dt.date.fromisoformat(date) if isinstance(date, str) else date
    opts = _Options(
        value_type,
        orientation,
        filename_date,
        fixed,
        flow,
        share_unit,
        dict(column_map or {}),
        sheet,
    )
    problems, notes = _Problems(), list[str]()
    cells = pl.concat([_read_one(p, opts, problems, notes) for p in paths], how="vertical_relaxed")
    cells = _to_dates(cells.with_columns(pl.col("date").cast(pl.String)), problems)
    cells = _parse_values(cells, opts, problems)
    flows, other, places, region_level = _resolve(
        cells, region_level, within, regions, problems, label
    )
    problems.raise_if_any(label)
    if value_type == "share":
        flows = _as_fraction(flows, share_unit, notes)
        other = _as_fraction(other, share_unit or "", []) if other.height else other
    flows = _deduplicate(flows, notes)
    index = (
        read_volume_index(
            volume_index,
            filename_date=filename_date,
            region_level=region_level,
            within=within,
            regions=regions,
        )
        if volume_index
        else None
    )
    if other.height:
        levels = sorted(
            (set(other["origin_level"]) | set(other["destination_level"])) - {region_level}
        )
        notes.append(
            f"{other.height} value(s) with places of another level ({', '.join(levels)}) kept apart "
            "(other_levels), not added to the cities"
        )
    return ODProduct(
        flows=flows,
        value_type=value_type,
        region_level=region_level,
        places=places,
        other_levels=other,
        volume_index=index,
        files=paths,
        notes=notes,
    )


def _resolve(
    cells: pl.DataFrame,
    region_level: str,
    within: str | None,
    regions: pl.DataFrame | None,
    problems: _Problems,
    label: str,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, str]:
    labels = pl.concat([cells["origin"], cells["destination"]]).unique().sort().to_list()
    found = _resolve_labels(labels, region_level=region_level, within=within, regions=regions)
    region_level = str(found["area_level"][0]) if found.height else (region_level or "prefecture")
    bad = found.filter(pl.col("region_code").is_null())
    if bad.height:
        amb = bad.filter(pl.col("candidates").list.len() > 0)
        unknown = bad.filter(pl.col("candidates").list.len() == 0)["label"].to_list()
        files = (
            cells.filter(
                pl.col("origin").is_in(bad["label"].implode())
                | pl.col("destination").is_in(bad["label"].implode())
            )["file"]
            .unique()
            .sort()
            .to_list()
        )
        where = f"in {len(files)} file(s) ({_capped(files[:3])}{', …' if len(files) > 3 else ''})"
        if unknown:
            problems.add(
                label,
                f"{len(unknown)} place name(s) {where} not found in the national gazetteer: "
                f"{_capped(unknown)}. Hint: check the spelling, or give a regions table or "
                "codes; resolve_places() shows what a name finds",
            )
        if amb.height:
            shown = [f"{r[0]} ({'/'.join(r[1])})" for r in amb.select("label", "candidates").rows()]
            problems.add(
                label,
                f"{amb.height} place name(s) {where} fit several units: {_capped(shown)}. "
                'Hint: set within = "<province code>" in [project]',
            )
    code = dict(found.select("label", "region_code").iter_rows())
    level = dict(found.select("label", "level").iter_rows())
    resolved = cells.with_columns(
        origin_level=pl.col("origin").replace_strict(level, default=None),
        destination_level=pl.col("destination").replace_strict(level, default=None),
        origin=pl.col("origin").replace_strict(code, default=None),
        destination=pl.col("destination").replace_strict(code, default=None),
    ).drop_nulls(["origin", "destination"])
    same = (pl.col("origin_level") == region_level) & (pl.col("destination_level") == region_level)
    cols = ["origin", "destination", "date", "value", "flow"]
    flows = resolved.filter(same & (pl.col("origin") != pl.col("destination"))).select(cols)
    other = resolved.filter(~same).select(*cols, "origin_level", "destination_level")
    places = _place_table(pl.concat([flows["origin"], flows["destination"]]), regions)
    places = places.with_columns(level=pl.lit(region_level))
    return flows, other, places, region_level


def _deduplicate(flows: pl.DataFrame, notes: list[str]) -> pl.DataFrame:
    """One value per pair, day and flow: exact repeats dropped (noted), conflicts averaged."""
    key = ["origin", "destination", "date", "flow"]
    n = flows.height
    flows = flows.unique()
    if flows.height < n:
        notes.append(f"{n - flows.height} repeated value(s) removed")
    dup = flows.group_by(key).len().filter(pl.col("len") > 1).height
    if dup:
        notes.append(f"{dup} pair(s) listed twice with different values on a day: averaged")
        flows = flows.group_by(key).agg(pl.col("value").mean())
    return flows.select("origin", "destination", "date", "value", "flow").sort(key)


def read_volume_index(
    files: Sequence[str | os.PathLike],
    *,
    filename_date: str = "",
    region_level: str = "",
    within: str | None = None,
    regions: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """A volume index per place and day (迁徙规模指数), as products ship it.

    Each file holds a place column (the first column, or one named 城市/city/region), a
    date column or a date in the file name, and index columns: one whose name says inflow
    (迁入, in) and/or outflow (迁出, out), or a single index column whose direction the file
    name says.

    Returns
    -------
    pl.DataFrame
        ``region_code``, ``date``, ``flow`` (``"inflow"``/``"outflow"``), ``index``.
    """
    problems = _Problems()
    rows = []
    for f in files:
        path = Path(f)
        from govanalytics.data._read import read_table

        raw = read_table(path).frame.collect()
        place = raw.columns[0]
        date = _file_date(
            path, raw, _Options("index", "", filename_date, None, "", "", {}, None), problems
        )
        if date is None:
            continue
        value_cols: dict[str, str] = {}
        for c in raw.columns[1:]:
            if c == date:
                continue
            direction = flow_from_filename(c) or (
                "inflow"
                if ("入" in c or c.lower() in ("in", "inflow"))
                else "outflow"
                if ("出" in c or c.lower() in ("out", "outflow"))
                else ""
            )
            if not direction and len(raw.columns) - (2 if isinstance(date, str) else 1) == 1:
                direction = flow_from_filename(path.name)
            if direction:
                value_cols[c] = direction
        if not value_cols:
            problems.add(path, f"no inflow/outflow index column among {_capped(raw.columns)}")
            continue
        for c, direction in value_cols.items():
            rows.append(
                raw.select(
                    pl.col(place).cast(pl.String).str.strip_chars().alias("label"),
                    (
                        pl.col(date).cast(pl.String) if isinstance(date, str) else pl.lit(str(date))
                    ).alias("date"),
                    pl.lit(direction).alias("flow"),
                    pl.col(c)
                    .cast(pl.String)
                    .str.strip_chars()
                    .cast(pl.Float64, strict=False)
                    .alias("index"),
                    pl.lit(path.name).alias("file"),
                )
            )
    problems.raise_if_any("volume index")
    if not rows:
        return pl.DataFrame(
            schema={
                "region_code": pl.String,
                "date": pl.Date,
                "flow": pl.String,
                "index": pl.Float64,
            }
        )
    table = _to_dates(pl.concat(rows), problems)
    labels = table["label"].unique().sort().to_list()
    found = _resolve_labels(labels, region_level=region_level, within=within, regions=regions)
    missing = found.filter(pl.col("region_code").is_null())["label"].to_list()
    if missing:
        problems.add("volume index", f"{len(missing)} place name(s) not found: {_capped(missing)}")
    problems.raise_if_any("volume index")
    code = dict(found.select("label", "region_code").iter_rows())
    return (
        table.drop_nulls("index")
        .select(
            pl.col("label").replace_strict(code, default=None).alias("region_code"),
            "date",
            "flow",
            "index",
        )
        .drop_nulls("region_code")
        .unique(["region_code", "date", "flow"], keep="first")
        .sort("region_code", "date", "flow")
    )


def load_od_product(
    data_dir: str | os.PathLike | None = None,
    *,
    project: Any = None,
    od_path: str | os.PathLike | None = None,
    column_map: Mapping[str, Any] | None = None,
) -> ODProduct:
    """The ``od_counts`` dataset of a data folder or project file, read as it comes.

    A project file declares the product once::

        [datasets.od_counts]
        source = "迁徙/*.csv"          # daily wide files, inflow and outflow
        value_type = "share"          # count, share or index
        filename_date = "%Y%m%d"      # the date in the file names
        region_level = "prefecture"   # city-level units
        [datasets.od_counts.options]
        volume_index = "规模指数/*.csv" # optional: a volume index per city and day
        flow = ""                     # "inflow"/"outflow" for all files; empty: file names
        share_unit = ""               # "percent"/"fraction"; empty: detected

    A folder laid out like the sample city (long counts with its own region codes) gives
    its counts as they are.

    Parameters
    ----------
    data_dir
        The data folder (empty: the sample city unless ``od_path`` is given).
    project
        An opened :class:`~govanalytics.data.Project` (wins over ``data_dir``).
    od_path
        An OD file of your own (wins over the declaration).
    column_map
        ``{your column: canonical}`` merged over the declared one.

    Returns
    -------
    ODProduct
    """
    from govanalytics.data import open_project

    if project is None:
        project = open_project(
            data_dir or "",
            inputs={"od_counts": str(od_path) if od_path else None},
            column_maps={"od_counts": dict(column_map) if column_map else None},
        )
    spec = project.spec("od_counts")
    files = project.files("od_counts")  # none for a database table (canonical long counts)
    options = dict(spec.options)
    unknown = set(options) - {"volume_index", "flow", "share_unit", "within"}
    if unknown:
        msg = (
            f"{spec.declared_in} [datasets.od_counts.options]: unknown key(s) "
            f"{sorted(unknown)}; known: flow, share_unit, volume_index, within"
        )
        raise ParameterError(msg)
    if project.layout in ("folder", "sample") or spec.is_database:
        return _from_counts(project, files)
    regions = project.regions() if project.has("regions") else None
    index_files: list[Path] = []
    if options.get("volume_index"):
        base = project.root or Path.cwd()
        import glob as globlib

        index_files = sorted(Path(p) for p in globlib.glob(str(base / options["volume_index"])))
        if not index_files:
            msg = (
                f"{spec.declared_in} [datasets.od_counts.options] volume_index "
                f"{options['volume_index']!r}: no file found under {base}"
            )
            raise DataError(msg)
    fixed_date = spec.fixed.get("date") if spec.fixed else None
    within = options.get("within") or getattr(project, "within", "") or None
    product = read_od_files(
        files,
        value_type=spec.value_type or "count",  # type: ignore[arg-type]
        orientation=spec.orientation,
        filename_date=spec.filename_date,
        date=fixed_date,
        flow=options.get("flow", ""),
        region_level=spec.region_level,
        within=within,
        regions=regions,
        column_map=spec.column_map,
        sheet=spec.sheet,
        share_unit=options.get("share_unit", ""),
        volume_index=index_files,
        label=f"{spec.declared_in} [datasets.od_counts] source {spec.source!r}",
    )
    if product.flows.is_empty():  # nothing to analyse: say why instead of failing later
        why = "; ".join(product.notes) or "the files hold no flow between two places"
        msg = (
            f"{spec.declared_in} [datasets.od_counts] source {spec.source!r}: no flows read "
            f'({why}).\nHint: declare region_level (e.g. "street") if the codes are of '
            "another level than the one read."
        )
        raise DataError(msg)
    return product


def _from_counts(project: Any, files: list[Path]) -> ODProduct:
    """A folder laid out like the sample city (or a database table): its long counts with its
    own region codes."""
    from govanalytics.mobility._pipeline import load_od

    if project.spec("od_counts").is_database:
        counts = project.load("od_counts")
    else:
        counts = load_od(data_dir=project.root, od_path=files[0] if files else None)
    regions = project.regions()
    flows = counts.filter(pl.col("origin") != pl.col("destination")).select(
        "origin",
        "destination",
        "date",
        pl.col("count").cast(pl.Float64).alias("value"),
        pl.lit("").alias("flow"),
    )
    codes = pl.concat([flows["origin"], flows["destination"]])
    level = regions.filter(pl.col("region_code").is_in(codes.unique().implode()))["level"].mode()
    places = _place_table(codes, regions)
    return ODProduct(
        flows=flows,
        value_type="count",
        region_level=str(level[0]) if level.len() else "",
        places=places,
        other_levels=flows.head(0).with_columns(
            origin_level=pl.lit(None, dtype=pl.String),
            destination_level=pl.lit(None, dtype=pl.String),
        ),
        files=files,
    )
