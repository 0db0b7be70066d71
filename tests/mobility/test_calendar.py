"""Spring Festival marking (govanalytics.calendar), which the night-time estimates rely on."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from govanalytics.calendar import holiday_flags, is_spring_festival_period
from govanalytics.errors import DataError


def test_window_around_lunar_new_year() -> None:
    assert is_spring_festival_period(dt.date(2026, 2, 17))
    assert is_spring_festival_period(dt.date(2026, 2, 10))  # 7 days before
    assert not is_spring_festival_period(dt.date(2026, 2, 9))
    assert is_spring_festival_period(dt.date(2026, 3, 3))  # 14 days after
    assert not is_spring_festival_period(dt.date(2026, 3, 4))


def test_unknown_year_is_an_error_not_a_missed_holiday() -> None:
    assert is_spring_festival_period(dt.date(2031, 1, 25))  # 春节 2031-01-23, past the old table
    with pytest.raises(DataError, match=r"'day'.*2100"):
        is_spring_festival_period(dt.date(2100, 1, 25))
    with pytest.raises(DataError, match=r"'dates'.*2100"):
        holiday_flags(pl.Series([dt.date(2100, 1, 25)]))


def test_holiday_flags() -> None:
    flags = holiday_flags(
        pl.Series([dt.date(2026, 2, 17), dt.date(2026, 10, 3), dt.date(2026, 6, 1)])
    )
    assert flags["spring_festival"].to_list() == [True, False, False]
    assert flags["national_day"].to_list() == [False, True, False]
