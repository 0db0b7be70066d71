"""Chinese public holidays that distort counts: Spring Festival above all.

Spring Festival (春节) moves between 21 January and 20 February; clinic visits, hotline calls
and the night-time population all drop or shift around it, so baselines and monthly estimates
must mark it. Dates are those of the lunar new year's day; the statutory holiday runs from
new year's eve for about 7–8 days (国务院办公厅 annual holiday notices). National Day (国庆节)
is 1–7 October every year.

Two maintained libraries back this module (compared for issue 12):

- ``lunardate`` (pure Python, no dependencies): the Chinese lunisolar calendar for 1900–2099,
  so :func:`lunar_new_year` knows Spring Festival for any year of real surveillance data
  (the provincial CNIDS tables start in 2004).
- ``chinese-calendar`` (pure Python, no dependencies): every statutory holiday and adjusted
  working day (调休) from the State Council's annual notices, 2004 to the latest notice
  (:func:`statutory_calendar`). Years it does not cover yet are said to be unknown, never
  silently taken as ordinary.

``holidays`` (the Open World Holidays framework) was also tried: it pins
``python-dateutil<3`` and so conflicts with this project's pinned dateutil 4, and its
Chinese calendar adds nothing the two above lack.
"""

from __future__ import annotations

import datetime as dt
import functools

import polars as pl

from govanalytics.errors import DataError

__all__ = [
    "LUNAR_YEARS",
    "holiday_flags",
    "is_spring_festival_period",
    "lunar_new_year",
    "statutory_calendar",
    "statutory_years",
]

#: Years whose lunar new year's day :func:`lunar_new_year` knows (``lunardate``).
LUNAR_YEARS = range(1900, 2100)


def is_spring_festival_period(day: dt.date, *, before: int = 7, after: int = 14) -> bool:
    """True if ``day`` lies from ``before`` days before to ``after`` days after new year's day.

    The window is wider than the statutory holiday because travel (春运) empties cities
    before it and people return over the following two weeks.

    Parameters
    ----------
    day
        The date to test.
    before, after
        Days before and after lunar new year's day counted as the Spring Festival period.

    Returns
    -------
    bool
        Whether ``day`` falls in the period (of its own year or of the next year's festival).

    Raises
    ------
    DataError
        The year of ``day`` is outside :data:`LUNAR_YEARS` (a holiday is never silently
        missed).
    """
    if day.year not in LUNAR_YEARS:
        msg = (
            f"parameter 'day' {day}: Spring Festival date not known for {day.year} (known "
            f"{LUNAR_YEARS.start}-{LUNAR_YEARS.stop - 1})"
        )
        raise DataError(msg)
    days = [lunar_new_year(day.year)]
    if day.year + 1 in LUNAR_YEARS:
        days.append(lunar_new_year(day.year + 1))
    return any(-before <= (day - d).days <= after for d in days)


def holiday_flags(dates: pl.Series, *, before: int = 7, after: int = 14) -> pl.DataFrame:
    """Flag each date: ``spring_festival`` (window above) and ``national_day`` (1–7 October).

    Parameters
    ----------
    dates
        A polars Date series.
    before, after
        Days before and after lunar new year's day counted as the Spring Festival period.

    Returns
    -------
    pl.DataFrame
        Columns ``date``, ``spring_festival``, ``national_day``.

    Raises
    ------
    DataError
        A year of ``dates`` is outside :data:`LUNAR_YEARS`.
    """
    unknown = sorted({d.year for d in dates.drop_nulls().to_list()} - set(LUNAR_YEARS))
    if unknown:
        msg = (
            f"parameter 'dates': Spring Festival date not known for years {unknown} (known "
            f"{LUNAR_YEARS.start}-{LUNAR_YEARS.stop - 1})"
        )
        raise DataError(msg)
    return pl.DataFrame({"date": dates}).with_columns(
        spring_festival=pl.col("date").map_elements(
            lambda d: is_spring_festival_period(d, before=before, after=after),
            return_dtype=pl.Boolean,
        ),
        national_day=(pl.col("date").dt.month() == 10) & (pl.col("date").dt.day() <= 7),
    )


@functools.lru_cache(maxsize=256)
def lunar_new_year(year: int) -> dt.date:
    """Lunar new year's day (春节) of ``year``, from the ``lunardate`` library.

    Parameters
    ----------
    year
        A Gregorian year in :data:`LUNAR_YEARS` (1900–2099).

    Returns
    -------
    datetime.date
        The first day of the first lunar month, between 21 January and 20 February.

    Raises
    ------
    DataError
        ``year`` is outside 1900–2099.

    Examples
    --------
    >>> lunar_new_year(2004)
    datetime.date(2004, 1, 22)
    """
    if year not in LUNAR_YEARS:
        msg = (
            f"parameter 'year': Spring Festival is known for {LUNAR_YEARS.start}-"
            f"{LUNAR_YEARS.stop - 1} (lunardate), not {year}"
        )
        raise DataError(msg)
    from lunardate import LunarDate

    return LunarDate(year, 1, 1).to_solar_date()


def statutory_years() -> range:
    """Years whose statutory holidays and adjusted working days are known (chinese-calendar).

    Returns
    -------
    range
        From 2004 to the year of the latest State Council notice the installed
        ``chinese-calendar`` carries.
    """
    import chinese_calendar

    years = [d.year for d in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


def statutory_calendar(first: dt.date, last: dt.date) -> pl.DataFrame:
    """Every day from ``first`` to ``last`` with its statutory status (法定节假日, 调休).

    Parameters
    ----------
    first, last
        The first and last day (both included).

    Returns
    -------
    pl.DataFrame
        ``date``; ``holiday`` (a statutory day off, weekends inside a holiday included),
        ``adjusted_workday`` (a weekend day worked in exchange, 调休上班) and ``holiday_name``
        (English name of the holiday, e.g. ``"Spring Festival"``; null on other days) — all
        three null for days of years :func:`statutory_years` does not cover, never False.

    References
    ----------
    国务院办公厅关于部分节假日安排的通知 (annual), as compiled by the ``chinese-calendar`` package.
    """
    import chinese_calendar

    known = statutory_years()
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    holiday: list[bool | None] = []
    worked: list[bool | None] = []
    names: list[str | None] = []
    for d in days:
        if d.year not in known:
            holiday.append(None)
            worked.append(None)
            names.append(None)
            continue
        name = chinese_calendar.holidays.get(d)
        names.append(None if name is None else str(getattr(name, "value", name)))
        holiday.append(name is not None)
        worked.append(d in chinese_calendar.workdays)
    return pl.DataFrame(
        {"date": days, "holiday": holiday, "adjusted_workday": worked, "holiday_name": names},
        schema={
            "date": pl.Date,
            "holiday": pl.Boolean,
            "adjusted_workday": pl.Boolean,
            "holiday_name": pl.String,
        },
    )
