"""Holidays from the maintained calendar libraries (lunardate, chinese-calendar)."""

from __future__ import annotations

import datetime as dt

import pytest

from govanalytics.calendar import (
    lunar_new_year,
    statutory_calendar,
    statutory_years,
)
from govanalytics.errors import DataError
from govanalytics.health._series import spring_festival_months, spring_festival_weeks


def test_lunar_new_year_for_any_year_of_real_data():
    # published dates: the first CNIDS year, a year of the old table, and beyond it
    assert lunar_new_year(2004) == dt.date(2004, 1, 22)
    assert lunar_new_year(2009) == dt.date(2009, 1, 26)
    assert lunar_new_year(2033) == dt.date(2033, 1, 31)
    assert lunar_new_year(2026) == dt.date(2026, 2, 17)
    with pytest.raises(DataError, match=r"'year'.*2100"):
        lunar_new_year(2100)


def test_statutory_holidays_and_adjusted_workdays():
    days = statutory_calendar(dt.date(2019, 2, 1), dt.date(2019, 2, 11))
    row = {d: (h, w) for d, h, w in days.select("date", "holiday", "adjusted_workday").rows()}
    assert row[dt.date(2019, 2, 2)] == (False, True)  # Saturday worked (调休)
    assert row[dt.date(2019, 2, 5)] == (True, False)  # lunar new year's day
    assert row[dt.date(2019, 2, 11)] == (False, False)
    assert days.filter(days["holiday"])["holiday_name"].unique().to_list() == ["Spring Festival"]
    years = statutory_years()
    assert years.start == 2004
    after = statutory_calendar(dt.date(years.stop, 1, 1), dt.date(years.stop, 1, 3))
    assert after["holiday"].null_count() == 3  # not covered: unknown, never "ordinary"


def test_festival_periods_before_2012():
    """Monthly and weekly festival flags reach back to the start of the CNIDS data."""
    months = [dt.date(2004, m, 1) for m in (1, 2)] + [dt.date(2005, m, 1) for m in (1, 2)]
    assert spring_festival_months(months).tolist() == [1.0, 0.0, 0.0, 1.0]  # 22 Jan, 9 Feb
    weeks = [dt.date(2004, 1, 19) + dt.timedelta(weeks=k) for k in range(4)]
    assert spring_festival_weeks(weeks, before=0, after=0).tolist() == [True, False, False, False]
