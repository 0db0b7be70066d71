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

:data:`SPRING_FESTIVAL` is the older hand-typed table (2012–2030), kept for the modules that
still read it (mobility, the sample city's generator); the tests check it against
:func:`lunar_new_year`.
"""

from __future__ import annotations

import datetime as dt
import functools

import polars as pl

from govanalytics.errors import DataError

__all__ = [
    "LUNAR_YEARS",
    "SPRING_FESTIVAL",
    "holiday_flags",
    "is_spring_festival_period",
    "lunar_new_year",
    "statutory_calendar",
    "statutory_years",
]

#: Years whose lunar new year's day :func:`lunar_new_year` knows (``lunardate``).
LUNAR_YEARS = range(1900, 2100)

#: Lunar new year's day (春节) by year.
SPRING_FESTIVAL: dict[int, dt.date] = {
    2012: dt.date(2012, 1, 23),
    2013: dt.date(2013, 2, 10),
    2014: dt.date(2014, 1, 31),
    2015: dt.date(2015, 2, 19),
    2016: dt.date(2016, 2, 8),
    2017: dt.date(2017, 1, 28),
    2018: dt.date(2018, 2, 16),
    2019: dt.date(2019, 2, 5),
    2020: dt.date(2020, 1, 25),
    2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1),
    2023: dt.date(2023, 1, 22),
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
    2029: dt.date(2029, 2, 13),
    2030: dt.date(2030, 2, 3),
}


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
        The year of ``day`` is not in :data:`SPRING_FESTIVAL` (a holiday is never silently
        missed: extend the table).
    """
    sf = SPRING_FESTIVAL.get(day.year)
    if sf is None:
        msg = (
            f"parameter 'day' {day}: Spring Festival date not known for {day.year} (known "
            f"{min(SPRING_FESTIVAL)}-{max(SPRING_FESTIVAL)}); extend govanalytics.calendar."
            "SPRING_FESTIVAL"
        )
        raise DataError(msg)
    nxt = SPRING_FESTIVAL.get(day.year + 1)
    return any(d is not None and -before <= (day - d).days <= after for d in (sf, nxt))


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
        A year of ``dates`` is not in :data:`SPRING_FESTIVAL`.
    """
    unknown = sorted({d.year for d in dates.drop_nulls().to_list()} - set(SPRING_FESTIVAL))
    if unknown:
        msg = (
            f"parameter 'dates': Spring Festival date not known for years {unknown}; extend "
            "govanalytics.calendar.SPRING_FESTIVAL"
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
