"""Weekly count series: region aggregation, the dense series × week matrix, holiday weeks."""

from __future__ import annotations

import contextlib
import datetime as dt
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import polars as pl

from govanalytics.calendar import SPRING_FESTIVAL
from govanalytics.errors import DataError, ParameterError

#: Diseases of the sample city with their Chinese names (other disease codes are shown as is).
DISEASES_ZH: dict[str, str] = {
    "influenza_like_illness": "流感样病例",
    "hand_foot_mouth": "手足口病",
    "diarrhoea": "感染性腹泻",
}

#: Region levels the clinic counts can be aggregated to.
REGION_LEVELS = ("district", "city")

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


def aggregate_counts(
    counts: pl.DataFrame,
    *,
    region_level: str = "district",
    by_age: bool = False,
    disease: str | list[str] | None = None,
) -> pl.DataFrame:
    """Sum clinic counts to one series per region × disease (× age group).

    Parameters
    ----------
    counts
        Clinic counts in canonical columns ``week_start``, ``district_code``, ``age_group``,
        ``disease``, ``count`` (schema ``clinic_counts``).
    region_level
        ``"district"`` (one series per district) or ``"city"`` (the sum of all districts, coded
        with the 12-digit city code).
    by_age
        Keep ``age_group`` as a series key. Rows with a missing age group are kept in the totals
        (never dropped) and form their own group when ``by_age`` is true.
    disease
        Keep only this disease (or these diseases); ``None`` or ``""`` keeps all.

    Returns
    -------
    pl.DataFrame
        ``region_code``, ``disease`` (, ``age_group``), ``week_start``, ``count``, sorted.
    """
    missing = [c for c in (WEEK, "district_code", "disease", COUNT) if c not in counts.columns]
    if missing:
        msg = f"clinic counts lack column(s) {missing}; columns present: {counts.columns}"
        raise DataError(msg)
    if region_level not in REGION_LEVELS:
        msg = f"parameter 'region_level' must be one of {REGION_LEVELS}, got {region_level!r}"
        raise ParameterError(msg)
    frame = counts
    if disease:
        wanted = [disease] if isinstance(disease, str) else list(disease)
        frame = frame.filter(pl.col("disease").is_in(wanted))
        if frame.is_empty():
            have = sorted(counts["disease"].unique().to_list())
            msg = f"parameter 'disease': {disease!r} not in the data; diseases present: {have}"
            raise ParameterError(msg)
    if region_level == "district":
        region = pl.col("district_code").alias(REGION)
    else:
        region = pl.col("district_code").str.slice(0, 4).add(pl.lit("0" * 8)).alias(REGION)
    keys = [REGION, "disease"] + (["age_group"] if by_age and "age_group" in frame.columns else [])
    return (
        frame.with_columns(region)
        .group_by([*keys, WEEK])
        .agg(pl.col(COUNT).sum().cast(pl.Int64))
        .sort([*keys, WEEK])
    )


@dataclass
class SeriesMatrix:
    """Many weekly series on one dense weekly grid.

    Attributes
    ----------
    keys
        One row per series (the key columns, e.g. ``region_code``, ``disease``).
    weeks
        The Monday of every week of the grid, oldest first.
    values
        ``len(keys) × len(weeks)`` float array; NaN before a series' first week, zero where a
        week is missing after it (no report means no cases).
    holiday
        Boolean per week: the Spring Festival weeks whose counts distort baselines (the
        week before, the week of and the two weeks after lunar new year's day).
    """

    keys: pl.DataFrame
    weeks: list[dt.date]
    values: np.ndarray
    holiday: np.ndarray

    @property
    def key_columns(self) -> list[str]:
        """Names of the key columns."""
        return self.keys.columns

    def history(self) -> np.ndarray:
        """Number of weeks with data up to and including each week, per series (S × T)."""
        return np.cumsum(~np.isnan(self.values), axis=1)


def spring_festival_weeks(weeks: list[dt.date], *, before: int = 1, after: int = 2) -> np.ndarray:
    """True for the weeks (Mondays) from ``before`` weeks before to ``after`` weeks after the
    week of lunar new year's day; these weeks drop and rebound (春节效应)."""
    flagged: set[dt.date] = set()
    for day in SPRING_FESTIVAL.values():
        monday = day - dt.timedelta(days=day.weekday())
        for k in range(-before, after + 1):
            flagged.add(monday + dt.timedelta(weeks=k))
    return np.array([w in flagged for w in weeks], dtype=bool)


def to_matrix(series: pl.DataFrame, *, keys: list[str] | None = None) -> SeriesMatrix:
    """Lay long weekly series out as a dense series × week matrix.

    Parameters
    ----------
    series
        Long frame with ``week_start`` (Mondays), ``count`` and key columns.
    keys
        Key columns; default every column other than ``week_start`` and ``count``.
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
    bad = series.filter(pl.col(WEEK).dt.weekday() != 1)
    if not bad.is_empty():
        msg = (
            f"column 'week_start' must hold Mondays; {bad.height} row(s) do not, e.g. "
            f"{bad[WEEK][0]}. Hint: convert dates with .dt.truncate('1w')"
        )
        raise DataError(msg)
    first: dt.date = series[WEEK].min()  # type: ignore[assignment]
    last: dt.date = series[WEEK].max()  # type: ignore[assignment]
    n_weeks = (last - first).days // 7 + 1
    weeks = [first + dt.timedelta(weeks=i) for i in range(n_weeks)]
    key_frame = series.select(keys).unique().sort(keys).with_row_index("_sid")
    idx = series.join(key_frame, on=keys, how="left").select(
        "_sid", ((pl.col(WEEK) - pl.lit(first)).dt.total_days() // 7).alias("_t"), COUNT
    )
    values = np.zeros((key_frame.height, n_weeks))
    sid = idx["_sid"].to_numpy()
    t = idx["_t"].to_numpy()
    np.add.at(values, (sid, t), idx[COUNT].fill_null(0).to_numpy().astype(float))
    start = np.full(key_frame.height, n_weeks)
    np.minimum.at(start, sid, t)
    values[np.arange(n_weeks)[None, :] < start[:, None]] = np.nan
    return SeriesMatrix(
        keys=key_frame.drop("_sid"),
        weeks=weeks,
        values=values,
        holiday=spring_festival_weeks(weeks),
    )
