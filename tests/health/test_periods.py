"""Monthly and weekly series alike: frequency, missing periods, region levels, report period."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from govanalytics.errors import DataError, ParameterError
from govanalytics.health import (
    aggregate_counts,
    detect_frequency,
    gap_notes,
    has_reported_total,
    missing_periods,
    report_period,
    report_week,
    top_diseases,
    total_counts,
)
from govanalytics.health._series import to_matrix

COUNTRY = "100000000000"


def _month(i: int) -> dt.date:
    return dt.date(2020 + i // 12, i % 12 + 1, 1)


@pytest.fixture
def provinces() -> pl.DataFrame:
    """Two provinces and the country's own row for 3 months; the country row is larger than the
    provinces' sum (cases of other provinces), as in a national table."""
    rows = []
    for i in range(3):
        rows += [
            (_month(i), "110000000000", "flu", 10 + i),
            (_month(i), "310000000000", "flu", 20 + i),
            (_month(i), COUNTRY, "flu", 100 + i),
        ]
    return pl.DataFrame(
        rows, schema=["week_start", "district_code", "disease", "count"], orient="row"
    ).with_columns(pl.lit(None, dtype=pl.String).alias("age_group"))


def test_frequency_detected_from_the_dates():
    assert detect_frequency([_month(i) for i in range(5)]) == "month"
    saturdays = [dt.date(2026, 11, 14) + dt.timedelta(weeks=i) for i in (0, 1, 3)]
    assert detect_frequency(saturdays) == "week"
    assert detect_frequency(pl.Series([dt.date(2026, 11, 16), None])) == "week"
    with pytest.raises(DataError, match="neither first days of months nor 7 days apart"):
        detect_frequency([dt.date(2026, 1, 5), dt.date(2026, 1, 7)])
    with pytest.raises(DataError, match="frequency 'week'"):
        detect_frequency([_month(0), _month(1)], frequency="week")
    with pytest.raises(ParameterError, match="'frequency'"):
        detect_frequency([_month(0)], frequency="day")


def test_missing_periods_and_null_counts_stay_missing():
    """A month without a row and a month reported as null are NaN in the matrix (never 0),
    counted by missing_periods and named in the Chinese note."""
    frame = pl.DataFrame(
        {
            "region_code": ["a"] * 5 + ["b"] * 6,
            "disease": "flu",
            "week_start": [_month(i) for i in (0, 1, 3, 4, 5)] + [_month(i) for i in range(6)],
            "count": [5, 6, 7, 8, 9, 1, 2, None, 4, 5, 6],
        }
    )
    mat = to_matrix(frame)
    assert mat.frequency == "month" and len(mat.periods) == 6
    assert np.isnan(mat.values[0, 2]) and np.isnan(mat.values[1, 2])
    assert np.nansum(mat.values) == 53
    gaps = missing_periods(frame)
    assert gaps.select("region_code", "absent", "not_reported").rows() == [("a", 1, 0), ("b", 0, 1)]
    assert gaps["first_missing"].to_list() == [_month(2), _month(2)]
    notes = gap_notes(gaps, {"a": "甲地"}, frequency="month")
    assert "1个月无记录" in notes[0] and "1个月未报告" in notes[0] and "不计为0" in notes[0]
    assert notes[1].startswith("甲地flu：缺1个月")


def test_a_series_starting_late_is_not_missing_before_it_starts():
    frame = pl.DataFrame(
        {
            "region_code": ["a"] * 4 + ["b"] * 2,
            "week_start": [_month(i) for i in range(4)] + [_month(2), _month(3)],
            "count": [1, 2, 3, 4, 5, 6],
        }
    )
    assert missing_periods(frame).is_empty()


def test_country_row_is_the_total_never_added_to_its_provinces(provinces):
    by_province = aggregate_counts(provinces, region_level="province")
    assert sorted(by_province["region_code"].unique()) == ["110000000000", "310000000000"]
    assert by_province["count"].sum() == 10 + 11 + 12 + 20 + 21 + 22
    total = total_counts(provinces, region_level="province")
    assert total["region_code"].unique().to_list() == [COUNTRY]
    assert total["count"].to_list() == [100, 101, 102]  # the country's row, not 130 + 100 + …
    assert has_reported_total(provinces, total)
    assert aggregate_counts(provinces, region_level="country")["count"].to_list() == [100, 101, 102]
    without = provinces.filter(pl.col("district_code") != COUNTRY)
    summed = total_counts(without, region_level="province")
    assert summed["count"].to_list() == [30, 32, 34] and not has_reported_total(without, summed)


def test_a_total_with_a_part_not_reported_is_unknown(provinces):
    gap = provinces.filter(pl.col("district_code") != COUNTRY).with_columns(
        pl.when((pl.col("district_code") == "310000000000") & (pl.col("week_start") == _month(1)))
        .then(None)
        .otherwise(pl.col("count"))
        .alias("count")
    )
    assert total_counts(gap, region_level="province")["count"].to_list() == [30, None, 34]


def test_district_level_of_province_data_names_the_levels_present(provinces):
    with pytest.raises(DataError, match=r"levels present: \['country', 'province'\]"):
        aggregate_counts(provinces, region_level="district")
    with pytest.raises(ParameterError, match="'region_level'"):
        aggregate_counts(provinces, region_level="county")


def test_sample_city_levels_keep_working(clinic_counts):
    districts = aggregate_counts(clinic_counts, region_level="district")
    city = aggregate_counts(clinic_counts, region_level="city")
    assert city["region_code"].unique().to_list() == ["449900000000"]
    assert city["count"].sum() == districts["count"].sum() == clinic_counts["count"].sum()
    total = total_counts(clinic_counts, region_level="district")
    assert total["region_code"].unique().to_list() == ["449900000000"]
    assert not has_reported_total(clinic_counts, total)


def test_top_diseases_over_the_last_year(provinces):
    """flu: the country row holds 303 cases (its provinces' 96 are part of it); measles, in two
    provinces only, 348. Adding every row would put flu first (399)."""
    measles = provinces.filter(pl.col("district_code") != COUNTRY).with_columns(
        pl.lit("measles").alias("disease"), pl.lit(58, dtype=pl.Int64).alias("count")
    )
    cholera = measles.with_columns(
        pl.lit("cholera").alias("disease"),
        pl.col("week_start").dt.offset_by("-2y"),
        pl.lit(10_000, dtype=pl.Int64).alias("count"),
    )  # large, but two years before the last month
    counts = pl.concat([provinces, measles, cholera])
    assert top_diseases(counts, n=2) == ["measles", "flu"]
    assert top_diseases(counts, n=5) == ["measles", "flu"]  # no cholera case in the last year
    with pytest.raises(ParameterError, match=r"parameter 'n' must be an integer ≥ 1, got 0"):
        top_diseases(counts, n=0)


def test_report_period_is_the_latest_complete_period():
    months = pl.Series([_month(i) for i in range(12)])  # 2020-01 … 2020-12
    assert report_week(months) == "2020-W53"  # 28 Dec – 3 Jan: the week December completes
    assert report_period("2020-W53", months) == (dt.date(2020, 12, 1), "")
    assert report_period("2020-W52", months)[0] == dt.date(2020, 11, 1)  # ends 27 Dec
    later, note = report_period("2026-W47", months)
    assert later == dt.date(2020, 12, 1) and "数据截至2020年12月" in note
    mondays = [dt.date(2026, 11, 16) - dt.timedelta(weeks=i) for i in range(5)]
    assert report_week(mondays) == "2026-W47"
    assert report_period("2026-W47", mondays) == (dt.date(2026, 11, 16), "")
    with pytest.raises(DataError, match="no month of the data is complete"):
        report_period("2019-W50", months)
    with pytest.raises(ParameterError, match="'week'"):
        report_period("2020-13", months)


def test_weeks_ending_on_friday_work_like_mondays(ili, truth):
    """The sample city's weeks moved to start on Saturday (ending Friday, as some systems
    report): the planted outbreak is still flagged and forecasts target Saturdays."""
    from govanalytics.health import flag_aberrations, forecast_counts

    saturdays = ili.with_columns(pl.col("week_start") - dt.timedelta(days=2))
    assert detect_frequency(saturdays["week_start"]) == "week"
    res = flag_aberrations(saturdays, method="farrington", periods=1)
    assert res.filter(pl.col("alarm"))["region_code"].to_list() == [
        truth["health"]["outbreak"]["district_code"]
    ]
    fc = forecast_counts(saturdays, horizon=2)
    assert (fc["target"].dt.weekday() == 6).all() and fc["value"].is_finite().all()


def test_region_names_from_the_table_then_the_gazetteer():
    from govanalytics.health import region_names

    regions = pl.DataFrame({"region_code": ["440300000000"], "region_name": ["鹏城"]})
    got = region_names(["440300000000", "110000000000", "449901000000"], regions=regions)
    assert got == {
        "440300000000": "鹏城",  # the project's own table wins
        "110000000000": "北京市",  # the national gazetteer
        "449901000000": "449901000000",  # unknown: the code itself
    }
