"""Count series by period: frequency, region aggregation, the dense series × period matrix.

Counts come weekly (a 7-day period starting on any weekday, the same for every row) or
monthly (periods starting on the 1st). The first day of each period is in ``week_start``,
the canonical column of the ``clinic_counts`` schema, whatever the frequency.

A period without a row, and a row whose ``count`` is null (not reported), are kept missing:
never read as zero. :func:`missing_periods` counts them per series.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl

from govanalytics.calendar import LUNAR_YEARS, lunar_new_year
from govanalytics.errors import DataError, ParameterError
from govanalytics.validation import int_like, string_like

#: Diseases of the sample city with their Chinese names (other disease codes are shown as is).
DISEASES_ZH: dict[str, str] = {
    "influenza_like_illness": "流感样病例",
    "hand_foot_mouth": "手足口病",
    "diarrhoea": "感染性腹泻",
}

Frequency = Literal["week", "month"]
#: Frequencies of count series.
FREQUENCIES: tuple[str, ...] = ("week", "month")
#: Periods per year by frequency (weeks: 365.2425 / 7).
PERIODS_PER_YEAR: dict[str, float] = {"week": 365.2425 / 7, "month": 12.0}
#: Whole periods in a season-year (seasonal windows, minimum history).
SEASON_LENGTH: dict[str, int] = {"week": 52, "month": 12}
#: Chinese words for a period: the unit after a number (``"8周"``, ``"8个月"``), "this
#: period" and "next period".
PERIOD_WORDS: dict[str, dict[str, str]] = {
    "week": {"unit": "周", "this": "本周", "next": "下周", "previous": "上周", "name": "周"},
    "month": {"unit": "个月", "this": "本月", "next": "下月", "previous": "上月", "name": "月"},
}

#: Region levels clinic counts can be aggregated to, coarsest first. ``"city"`` is the
#: sample city's name for ``"prefecture"`` (the sum of its districts, coded with the
#: 12-digit city code).
REGION_LEVELS: tuple[str, ...] = ("country", "province", "prefecture", "city", "district")
#: Chinese names of the region levels, as shown in notes and headings.
REGION_LEVELS_ZH: dict[str, str] = {
    "country": "全国",
    "province": "省级",
    "prefecture": "地市级",
    "city": "市级",
    "district": "区县级",
}
#: Code of the whole country (GB/T 2260 ``100000`` padded to 12 digits).
COUNTRY_CODE = "100000000000"
_RANK = {"country": 0, "province": 1, "prefecture": 2, "district": 3, "street": 4, "community": 5}
_DIGITS = {"province": 2, "prefecture": 4, "district": 6}

WEEK = "week_start"
COUNT = "count"
REGION = "region_code"


@contextlib.contextmanager
def quiet_nan() -> Iterator[None]:
    """Silence numpy's warnings about all-NaN or too-short slices (handled by the callers)."""
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def disease_name(code: str) -> str:
    """Chinese name of a disease code (the code itself when unknown).

    Parameters
    ----------
    code
        A disease code such as ``"influenza_like_illness"``.

    Returns
    -------
    str
        The name in :data:`DISEASES_ZH`, else ``code``.
    """
    return DISEASES_ZH.get(code, code)


def city_code(district_code: str) -> str:
    """The 12-digit city code above a district code (first four digits, then zeros).

    Parameters
    ----------
    district_code
        A 12-digit statistical division code (统计用区划代码) of a district.

    Returns
    -------
    str
        The code of its city, e.g. ``"440100000000"`` for ``"440103000000"``.
    """
    return district_code[:4] + "0" * 8


# ------------------------------------------------------------------------------ periods ---
def _as_dates(dates: pl.Series | Sequence[dt.date]) -> list[dt.date]:
    values = dates.drop_nulls().unique().sort().to_list() if isinstance(dates, pl.Series) else (
        sorted({d for d in dates if d is not None})
    )  # fmt: skip
    if not values:
        msg = "no dates to detect the frequency from (column 'week_start' is empty)"
        raise DataError(msg)
    return [d.date() if isinstance(d, dt.datetime) else d for d in values]


def _is_monthly(days: list[dt.date]) -> bool:
    return all(d.day == 1 for d in days)


def _is_weekly(days: list[dt.date]) -> bool:
    return all((d - days[0]).days % 7 == 0 for d in days)


def detect_frequency(
    dates: pl.Series | Sequence[dt.date], *, frequency: str | None = None
) -> Frequency:
    """The frequency of period start dates: ``"month"`` or ``"week"``.

    Every date on the 1st of a month: monthly. Dates 7 days apart (or a multiple of 7), on
    any weekday: weekly. Anything else is an error naming two offending dates.

    Parameters
    ----------
    dates
        First days of the periods (``week_start``); nulls are ignored.
    frequency
        ``"week"`` or ``"month"`` when known (e.g. declared in the project file): the dates
        are checked against it instead. ``None`` or ``""`` detects it.

    Returns
    -------
    str
        ``"week"`` or ``"month"``.

    Raises
    ------
    ParameterError
        ``frequency`` is not one of :data:`FREQUENCIES`.
    DataError
        The dates are neither monthly nor weekly (or do not match the given frequency).

    Examples
    --------
    >>> import datetime as dt
    >>> detect_frequency([dt.date(2024, 1, 1), dt.date(2024, 2, 1)])
    'month'
    >>> detect_frequency([dt.date(2024, 1, 6), dt.date(2024, 1, 20)])
    'week'
    """
    days = _as_dates(dates)
    if frequency:
        string_like(frequency, "frequency", options=FREQUENCIES)
        ok = _is_monthly(days) if frequency == "month" else _is_weekly(days)
        if not ok:
            bad = next(
                d
                for d in days
                if (d.day != 1 if frequency == "month" else (d - days[0]).days % 7 != 0)
            )
            what = "the 1st of a month" if frequency == "month" else f"7-day steps from {days[0]}"
            msg = (
                f"column 'week_start': frequency {frequency!r} needs every date on {what}, "
                f"but {bad} is not. Hint: check the declared frequency or the date column"
            )
            raise DataError(msg)
        return frequency  # type: ignore[return-value]
    if _is_monthly(days) and (len(days) == 1 or not _is_weekly(days)):
        return "month"
    if _is_weekly(days):
        return "week"
    bad = next(d for d in days if (d - days[0]).days % 7 != 0)
    msg = (
        f"column 'week_start': dates are neither first days of months nor 7 days apart "
        f"(e.g. {days[0]} and {bad}); give each period's first day, or pass frequency="
    )
    raise DataError(msg)


def shift_period(day: dt.date, n: int, *, frequency: str) -> dt.date:
    """The period start ``n`` periods after ``day`` (before when ``n`` is negative).

    Parameters
    ----------
    day
        A period start.
    n
        Number of periods.
    frequency
        ``"week"`` or ``"month"``.

    Returns
    -------
    datetime.date
        ``day`` plus ``n`` weeks, or the 1st of the month ``n`` months after ``day``'s month.
    """
    if frequency == "month":
        months = day.year * 12 + day.month - 1 + n
        return dt.date(months // 12, months % 12 + 1, 1)
    return day + dt.timedelta(weeks=n)


def year_before(day: dt.date, *, frequency: str) -> dt.date:
    """The same period a year before (同比): 52 weeks or 12 months before ``day``."""
    return shift_period(day, -SEASON_LENGTH[frequency], frequency=frequency)


def period_end(day: dt.date, *, frequency: str) -> dt.date:
    """Last day of the period starting on ``day``."""
    return shift_period(day, 1, frequency=frequency) - dt.timedelta(days=1)


def period_label(day: dt.date, *, frequency: str) -> str:
    """A period as people read it.

    Parameters
    ----------
    day
        First day of the period.
    frequency
        ``"week"`` or ``"month"``.

    Returns
    -------
    str
        ``"2020年12月"`` for a month, ``"2026-11-16 起的一周"`` for a week.
    """
    if frequency == "month":
        return f"{day.year}年{day.month}月"
    return f"{day.isoformat()} 起的一周"


def _index(days: pl.Expr, first: dt.date, frequency: str) -> pl.Expr:
    if frequency == "month":
        return (days.dt.year() * 12 + days.dt.month()) - (first.year * 12 + first.month)
    return (days - pl.lit(first)).dt.total_days() // 7


def period_grid(first: dt.date, last: dt.date, *, frequency: str) -> list[dt.date]:
    """Every period start from ``first`` to ``last``, both included."""
    out = [first]
    while out[-1] < last:
        out.append(shift_period(out[-1], 1, frequency=frequency))
    return out


# ------------------------------------------------------------------------------ regions ---
def region_level_of(code: pl.Expr) -> pl.Expr:
    """Level of a 12-digit region code from its layout (GB/T 2260 and 统计用区划代码):
    ``100000000000`` country; ``XX0000000000`` province; ``XXXX00000000`` prefecture;
    ``XXXXXX000000`` district; ``XXXXXXXXX000`` street; else community."""
    return (
        pl.when(code == COUNTRY_CODE)
        .then(pl.lit("country"))
        .when(code.str.slice(2) == "0" * 10)
        .then(pl.lit("province"))
        .when(code.str.slice(4) == "0" * 8)
        .then(pl.lit("prefecture"))
        .when(code.str.slice(6) == "0" * 6)
        .then(pl.lit("district"))
        .when(code.str.slice(9) == "000")
        .then(pl.lit("street"))
        .otherwise(pl.lit("community"))
    )


def _target_code(code: pl.Expr, level: str) -> pl.Expr:
    if level == "country":
        return pl.lit(COUNTRY_CODE)
    digits = _DIGITS[level]
    return code.str.slice(0, digits) + pl.lit("0" * (12 - digits))


def _check_level(region_level: str) -> str:
    string_like(region_level, "region_level", options=REGION_LEVELS)
    return "prefecture" if region_level == "city" else region_level


def aggregate_counts(
    counts: pl.DataFrame,
    *,
    region_level: str = "district",
    by_age: bool = False,
    disease: str | Sequence[str] | None = None,
) -> pl.DataFrame:
    """Counts as one series per region × disease (× age group) at one region level.

    Rows finer than ``region_level`` are summed into their region (districts into their
    prefecture-level city, provinces into the country). Rows coarser than it (a country row
    beside provincial rows) are left out: they are totals, not parts. Where one region holds
    rows of several levels — a country row *and* provincial rows, say — only its coarsest
    rows are used, so a reported total is never added to its own parts.

    A period's sum is null when any of its rows is null (not reported): a total with a
    missing part is unknown, never the sum of the parts that reported.

    Parameters
    ----------
    counts
        Clinic counts in canonical columns ``week_start``, ``district_code`` (12-digit codes
        of any level), ``disease``, ``count`` and optionally ``age_group`` (schema
        ``clinic_counts``).
    region_level
        ``"district"``, ``"prefecture"`` (``"city"``, as the sample city calls it),
        ``"province"`` or ``"country"``.
    by_age
        Keep ``age_group`` as a series key. Rows with a missing age group are kept in the totals
        (never dropped) and form their own group when ``by_age`` is true.
    disease
        Keep only this disease (or these diseases); ``None`` or ``""`` keeps all.

    Returns
    -------
    pl.DataFrame
        ``region_code``, ``disease`` (, ``age_group``), ``week_start``, ``count``, sorted.

    Raises
    ------
    DataError
        A column is missing, or no row lies at ``region_level`` or below (the message names
        the levels present).
    ParameterError
        ``region_level`` is unknown or ``disease`` is not in the data.
    """
    missing = [c for c in (WEEK, "district_code", "disease", COUNT) if c not in counts.columns]
    if missing:
        msg = f"clinic counts lack column(s) {missing}; columns present: {counts.columns}"
        raise DataError(msg)
    level = _check_level(region_level)
    frame = counts
    if disease:
        wanted = [disease] if isinstance(disease, str) else list(disease)
        frame = frame.filter(pl.col("disease").is_in(wanted))
        if frame.is_empty():
            have = sorted(counts["disease"].unique().to_list())
            msg = f"parameter 'disease': {disease!r} not in the data; diseases present: {have}"
            raise ParameterError(msg)
    rank = region_level_of(pl.col("district_code")).replace_strict(_RANK, return_dtype=pl.Int8)
    frame = frame.with_columns(rank.alias("_rank"))
    usable = frame.filter(pl.col("_rank") >= _RANK[level])
    if usable.is_empty() and not frame.is_empty():
        present = sorted(
            {lv for lv, r in _RANK.items() if r in set(frame["_rank"].to_list())},
            key=_RANK.__getitem__,
        )
        msg = (
            f"parameter 'region_level' {region_level!r}: the counts hold no rows at that level "
            f"or below (levels present: {present}); choose one of these"
        )
        raise DataError(msg)
    keys = [REGION, "disease"] + (["age_group"] if by_age and "age_group" in frame.columns else [])
    usable = usable.with_columns(_target_code(pl.col("district_code"), level).alias(REGION))
    coarsest = pl.col("_rank") == pl.col("_rank").min().over(keys)
    return (
        usable.filter(coarsest)
        .group_by([*keys, WEEK])
        .agg(
            pl.when(pl.col(COUNT).null_count() > 0)
            .then(None)
            .otherwise(pl.col(COUNT).sum())
            .cast(pl.Int64)
            .alias(COUNT)
        )
        .sort([*keys, WEEK])
    )


def total_counts(
    counts: pl.DataFrame,
    *,
    region_level: str = "district",
    disease: str | Sequence[str] | None = None,
) -> pl.DataFrame:
    """The total of all regions per disease: the reported total row where there is one.

    The total is taken at the finest level above ``region_level`` whose one region holds
    every row (the city above the sample city's districts; the country above provinces, or
    above prefectures of several provinces). When the data carry that region's own row —
    the 全国 row of a provincial table — it *is* the total; otherwise the parts are summed
    (:func:`aggregate_counts`).

    Parameters
    ----------
    counts
        Clinic counts in canonical columns (as for :func:`aggregate_counts`).
    region_level
        The level of the parts (as for :func:`aggregate_counts`).
    disease
        Keep only this disease (or these diseases); ``None`` or ``""`` keeps all.

    Returns
    -------
    pl.DataFrame
        ``region_code`` (the total's code), ``disease``, ``week_start``, ``count``.
    """
    level = _check_level(region_level)
    codes = counts.select(pl.col("district_code").unique())["district_code"]
    total = "country"
    for cand in ("prefecture", "province"):
        if _RANK[cand] < _RANK[level]:
            parents = codes.to_frame().select(_target_code(pl.col("district_code"), cand))
            ranks = codes.to_frame().select(region_level_of(pl.col("district_code")))
            if parents.n_unique() == 1 and not ranks.to_series().is_in(["country"]).any():
                coarser = {lv for lv, r in _RANK.items() if r < _RANK[cand]}
                if not ranks.to_series().is_in(list(coarser)).any():
                    total = cand
                    break
    return aggregate_counts(counts, region_level=total, disease=disease)


def total_name(code: str) -> str:
    """How a report names a total region: 全国 (the country), 全省 (a province), else 全市.

    Parameters
    ----------
    code
        The total's 12-digit code (:func:`total_counts`).

    Returns
    -------
    str
        ``"全国"``, ``"全省"`` or ``"全市"``.
    """
    if code == COUNTRY_CODE:
        return "全国"
    return "全省" if code[2:] == "0" * 10 else "全市"


def has_reported_total(counts: pl.DataFrame, total: pl.DataFrame) -> bool:
    """Whether the data hold the total's own rows (e.g. a 全国 row), rather than parts only.

    Parameters
    ----------
    counts
        Clinic counts in canonical columns.
    total
        Output of :func:`total_counts`.

    Returns
    -------
    bool
        True when a ``district_code`` of ``counts`` equals the total's region code.
    """
    return bool(counts["district_code"].is_in(total[REGION].unique().implode()).any())


def top_diseases(counts: pl.DataFrame, *, n: int = 5, frequency: str | None = None) -> list[str]:
    """The ``n`` diseases with most cases over the last year of data.

    "The last year" is the latest 12 months (or 52 weeks) up to the data's last period; the
    count of a disease is its largest regional sum there, so a country row does not weigh
    twice against its provinces. Ties are broken by name.

    Parameters
    ----------
    counts
        Clinic counts in canonical columns (``week_start``, ``district_code``, ``disease``,
        ``count``).
    n
        How many diseases. Must be at least 1.
    frequency
        ``"week"`` or ``"month"``; detected from the dates by default.

    Returns
    -------
    list of str
        Disease codes, most cases first.
    """
    int_like(n, "n", low=1)
    freq = detect_frequency(counts[WEEK], frequency=frequency)
    last: dt.date = counts[WEEK].max()  # type: ignore[assignment]
    since = shift_period(last, -(SEASON_LENGTH[freq] - 1), frequency=freq)
    recent = counts.filter(pl.col(WEEK) >= since).with_columns(
        region_level_of(pl.col("district_code")).alias("_level")
    )
    by_level = recent.group_by("disease", "_level").agg(pl.col(COUNT).sum().alias("_cases"))
    ranked = (
        by_level.group_by("disease")
        .agg(pl.col("_cases").max())
        .sort(["_cases", "disease"], descending=[True, False])
    )
    return ranked["disease"].head(n).to_list()


def missing_periods(series: pl.DataFrame, *, frequency: str | None = None) -> pl.DataFrame:
    """Periods without a count, per series: absent rows and counts not reported (null).

    Each series is judged from its own first period to the last period of all the data (a
    series that starts later, e.g. a disease made notifiable later, is not missing before).

    Parameters
    ----------
    series
        Long counts with key columns, ``week_start`` and ``count`` (e.g. from
        :func:`aggregate_counts`).
    frequency
        ``"week"`` or ``"month"``; detected from the dates by default.

    Returns
    -------
    pl.DataFrame
        Key columns, ``periods`` (on the grid), ``absent`` (no row), ``not_reported`` (null
        count), ``first_missing`` and ``last_missing`` (dates, null when nothing is missing);
        only series with something missing, sorted by key.
    """
    keys = [c for c in series.columns if c not in (WEEK, COUNT)]
    freq = detect_frequency(series[WEEK], frequency=frequency)
    last: dt.date = series[WEEK].max()  # type: ignore[assignment]
    first: dt.date = series[WEEK].min()  # type: ignore[assignment]
    grid = pl.DataFrame({WEEK: period_grid(first, last, frequency=freq)}, schema={WEEK: pl.Date})
    starts = series.group_by(keys).agg(pl.col(WEEK).min().alias("_start"))
    rows = series.select([*keys, WEEK, COUNT]).with_columns(pl.lit(True).alias("_row"))
    cells = (
        starts.join(grid, how="cross")
        .filter(pl.col(WEEK) >= pl.col("_start"))
        .join(rows, on=[*keys, WEEK], how="left", nulls_equal=True)
        .with_columns(pl.col("_row").fill_null(False), pl.col(COUNT).is_null().alias("_gap"))
    )
    return (
        cells.group_by(keys)
        .agg(
            pl.len().alias("periods"),
            (~pl.col("_row")).sum().cast(pl.Int64).alias("absent"),
            (pl.col("_row") & pl.col("_gap")).sum().cast(pl.Int64).alias("not_reported"),
            pl.col(WEEK).filter(pl.col("_gap")).min().alias("first_missing"),
            pl.col(WEEK).filter(pl.col("_gap")).max().alias("last_missing"),
        )
        .filter((pl.col("absent") + pl.col("not_reported")) > 0)
        .sort(keys)
    )


# ------------------------------------------------------------------------------- matrix ---
@dataclass
class SeriesMatrix:
    """Many count series on one dense grid of periods.

    Attributes
    ----------
    keys
        One row per series (the key columns, e.g. ``region_code``, ``disease``).
    periods
        The first day of every period of the grid, oldest first.
    values
        ``len(keys) × len(periods)`` float array; NaN before a series' first period, and
        where a period has no row or its count was not reported (never read as zero).
    holiday
        Boolean per period: the Spring Festival weeks whose counts distort baselines (the
        week before, the week of and the two weeks after lunar new year's day). Monthly
        series mark none (see :func:`spring_festival_months` for the forecasters' term).
    frequency
        ``"week"`` or ``"month"``.
    """

    keys: pl.DataFrame
    periods: list[dt.date]
    values: np.ndarray
    holiday: np.ndarray
    frequency: str = "week"

    @property
    def key_columns(self) -> list[str]:
        """Names of the key columns."""
        return self.keys.columns

    @property
    def per_year(self) -> float:
        """Periods per calendar year (52.18 weeks or 12 months)."""
        return PERIODS_PER_YEAR[self.frequency]

    @property
    def season(self) -> int:
        """Whole periods per season-year (52 or 12)."""
        return SEASON_LENGTH[self.frequency]

    def history(self) -> np.ndarray:
        """Number of periods with a count up to and including each period, per series."""
        return np.cumsum(~np.isnan(self.values), axis=1)


def spring_festival_weeks(weeks: list[dt.date], *, before: int = 1, after: int = 2) -> np.ndarray:
    """True for the weeks from ``before`` weeks before to ``after`` weeks after the week of
    lunar new year's day; these weeks drop and rebound (春节效应). Weeks may start on any
    weekday: a week is the one holding lunar new year's day when it covers that day."""
    flagged: set[dt.date] = set()
    if not weeks:
        return np.zeros(0, dtype=bool)
    anchor = weeks[0]
    years = range(max(min(weeks).year - 1, LUNAR_YEARS.start),
                  min(max(weeks).year + 2, LUNAR_YEARS.stop))  # fmt: skip
    for day in (lunar_new_year(y) for y in years):
        start = day - dt.timedelta(days=(day - anchor).days % 7)
        for k in range(-before, after + 1):
            flagged.add(start + dt.timedelta(weeks=k))
    return np.array([w in flagged for w in weeks], dtype=bool)


def spring_festival_months(months: list[dt.date]) -> np.ndarray:
    """Per month: 1.0 when lunar new year's day falls in it, 0.0 when not, NaN when the
    year is outside the lunar calendar's range (:func:`govanalytics.calendar.lunar_new_year`,
    1900–2099)."""
    out = np.zeros(len(months))
    for i, m in enumerate(months):
        if m.year not in LUNAR_YEARS:
            out[i] = np.nan
        else:
            out[i] = float(lunar_new_year(m.year).month == m.month)
    return out


def to_matrix(
    series: pl.DataFrame, *, keys: list[str] | None = None, frequency: str | None = None
) -> SeriesMatrix:
    """Lay long count series out as a dense series × period matrix.

    Parameters
    ----------
    series
        Long frame with ``week_start`` (first day of each period), ``count`` and key columns.
    keys
        Key columns; default every column other than ``week_start`` and ``count``.
    frequency
        ``"week"`` or ``"month"``; detected from the dates by default (:func:`detect_frequency`).

    Returns
    -------
    SeriesMatrix
        Missing periods and null counts are NaN; several rows of one series and period are
        summed (null when any of them is null).
    """
    if keys is None:
        keys = [c for c in series.columns if c not in (WEEK, COUNT)]
    for col in (WEEK, COUNT, *keys):
        if col not in series.columns:
            msg = f"series lack column {col!r}; columns present: {series.columns}"
            raise DataError(msg)
    if series.is_empty():
        msg = "no counts to analyse (empty table after filtering)"
        raise DataError(msg)
    freq = detect_frequency(series[WEEK], frequency=frequency)
    first: dt.date = series[WEEK].min()  # type: ignore[assignment]
    last: dt.date = series[WEEK].max()  # type: ignore[assignment]
    periods = period_grid(first, last, frequency=freq)
    key_frame = series.select(keys).unique().sort(keys).with_row_index("_sid")
    idx = series.join(key_frame, on=keys, how="left", nulls_equal=True).select(
        "_sid", _index(pl.col(WEEK), first, freq).alias("_t"), COUNT
    )
    n_s, n_t = key_frame.height, len(periods)
    sid = idx["_sid"].to_numpy()
    t = idx["_t"].to_numpy()
    count = idx[COUNT].cast(pl.Float64).to_numpy()
    null = np.isnan(count)
    sums = np.zeros((n_s, n_t))
    np.add.at(sums, (sid[~null], t[~null]), count[~null])
    seen = np.zeros((n_s, n_t), bool)
    seen[sid, t] = True
    blank = np.zeros((n_s, n_t), bool)
    blank[sid[null], t[null]] = True
    values = np.where(seen & ~blank, sums, np.nan)
    holiday = spring_festival_weeks(periods) if freq == "week" else np.zeros(n_t, bool)
    return SeriesMatrix(
        keys=key_frame.drop("_sid"),
        periods=periods,
        values=values,
        holiday=holiday,
        frequency=freq,
    )


# ------------------------------------------------------------------------- report period ---
def _iso_sunday(week: str) -> dt.date:
    import re

    if not isinstance(week, str) or not re.fullmatch(r"\d{4}-W\d{2}", week):
        msg = f"parameter 'week' must look like 2026-W47 (ISO year and week), got {week!r}"
        raise ParameterError(msg)
    try:
        return dt.date.fromisocalendar(int(week[:4]), int(week[6:]), 7)
    except ValueError as err:
        msg = f"parameter 'week': {week!r} is not an ISO week ({err})"
        raise ParameterError(msg) from None


def report_week(dates: pl.Series | Sequence[dt.date], *, frequency: str | None = None) -> str:
    """The ISO week ``YYYY-Www`` in which the data's last period is complete.

    That is the week holding the last day of the last period: for weekly data starting on
    Mondays, the last week itself; for monthly data ending in December 2020, 2020-W53 (28
    December 2020 – 3 January 2021), the first report week that can speak of December.

    Parameters
    ----------
    dates
        First days of the periods (``week_start``).
    frequency
        ``"week"`` or ``"month"``; detected from the dates by default.

    Returns
    -------
    str
        ``YYYY-Www``.
    """
    freq = detect_frequency(dates, frequency=frequency)
    last = period_end(_as_dates(dates)[-1], frequency=freq)
    year, num, _ = last.isocalendar()
    return f"{year}-W{num:02d}"


def report_period(
    week: str, dates: pl.Series | Sequence[dt.date], *, frequency: str | None = None
) -> tuple[dt.date, str]:
    """The period a report of ISO week ``week`` speaks of, and a note when it is not the latest.

    The report of a week covers the latest period of the data that is complete by the
    week's Sunday: that week itself for weekly data (whatever weekday the data's weeks start
    on, the latest one ending by Sunday), the latest complete month for monthly data. When
    the data end before that period, the report speaks of the data's last period and the
    note (Chinese) says so.

    Parameters
    ----------
    week
        ``YYYY-Www``, as the report runner passes it.
    dates
        First days of the periods of the data (``week_start``).
    frequency
        ``"week"`` or ``"month"``; detected from the dates by default.

    Returns
    -------
    (datetime.date, str)
        First day of the period, and a note (``""`` when the data reach the period).

    Raises
    ------
    ParameterError
        ``week`` is not an ISO week.
    DataError
        No period of the data is complete by the week's Sunday.
    """
    sunday = _iso_sunday(week)
    days = _as_dates(dates)
    freq = detect_frequency(days, frequency=frequency)
    complete = [d for d in days if period_end(d, frequency=freq) <= sunday]
    if not complete:
        msg = (
            f"parameter 'week' {week}: no {freq} of the data is complete by {sunday} (the data "
            f"start on {days[0]}); choose a later week"
        )
        raise DataError(msg)
    chosen = complete[-1]
    if freq == "month":
        latest = sunday.replace(day=1)
    else:
        latest = sunday - dt.timedelta(days=(sunday - days[0]).days % 7)
    if period_end(latest, frequency=freq) > sunday:
        latest = shift_period(latest, -1, frequency=freq)
    if chosen >= latest:
        return chosen, ""
    note = (
        f"数据截至{period_label(days[-1], frequency=freq)}，早于报告周{week}的最近一个完整"
        f"{PERIOD_WORDS[freq]['name']}（{period_label(latest, frequency=freq)}）；"
        f"本章按数据中最后一个完整的{PERIOD_WORDS[freq]['name']}（{period_label(chosen, frequency=freq)}）报告。"
    )
    return chosen, note
