"""Surge warnings recover the planted school-place surge, on time and without false alarms."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from govanalytics.errors import ParameterError
from govanalytics.services import surge_alerts, surge_warnings


@pytest.fixture(scope="module")
def monthly(tables) -> pl.DataFrame:
    """Monthly warnings over the whole small city."""
    return surge_warnings(
        tables["applications"], regions=tables["regions"], capacities=tables["capacities"]
    )


def test_planted_surge_warns_in_its_month(monthly, truth) -> None:
    surge = truth["services"]["surge"]
    month_start = dt.date.fromisoformat(surge["month"] + "-01")
    hit = monthly.filter(
        (pl.col("district_code") == surge["district_code"])
        & (pl.col("service_type") == "school_place")
        & (pl.col("period_start") == month_start)
    )
    assert hit.height == 1
    row = hit.row(0, named=True)
    assert row["applications"] == surge["applications"]
    assert row["capacity"] == surge["capacity"]
    # the running count passes capacity exactly on the planted day
    assert row["capacity_exceeded_on"].isoformat() == surge["capacity_exceeded_on"]
    # the run-rate projection warns earlier, but not before the policy launch
    launch = dt.date.fromisoformat(surge["launch_date"])
    assert launch <= row["projection_exceeded_on"] < row["capacity_exceeded_on"]
    assert row["fired_on"] >= launch


def test_no_warning_before_the_surge(monthly, tables, truth) -> None:
    launch = dt.date.fromisoformat(truth["services"]["surge"]["launch_date"])
    assert monthly.filter(pl.col("fired_on") < launch).height == 0
    weekly = surge_warnings(
        tables["applications"],
        regions=tables["regions"],
        capacities=tables["capacities"],
        period="week",
    )
    assert weekly.height > 0
    assert weekly.filter(pl.col("fired_on") < launch).height == 0
    assert set(weekly["district_code"]) == {truth["services"]["surge"]["district_code"]}


def test_seasonal_level_alone_flags_the_surge(tables, truth) -> None:
    surge = truth["services"]["surge"]
    w = surge_warnings(tables["applications"], regions=tables["regions"], capacities=None)
    assert w.select("district_code", "service_type").rows() == [
        (surge["district_code"], "school_place")
    ]
    assert w["reason"][0] == "seasonal"
    assert w["capacity_exceeded_on"].null_count() == 1


def test_as_of_before_the_surge_gives_no_warning(tables, truth) -> None:
    launch = dt.date.fromisoformat(truth["services"]["surge"]["launch_date"])
    w = surge_warnings(
        tables["applications"],
        regions=tables["regions"],
        capacities=tables["capacities"],
        as_of=launch - dt.timedelta(days=1),
    )
    assert w.height == 0


def test_alert_for_the_report_week(monthly, tables, truth) -> None:
    surge = truth["services"]["surge"]
    end = dt.date.fromisoformat(truth["city"]["end"])
    alerts = surge_alerts(
        monthly, regions=tables["regions"], week_start=end - dt.timedelta(days=6), week_end=end
    )
    assert [a["place_code"] for a in alerts] == [surge["district_code"]]
    assert alerts[0]["kind"] == "service_surge" and alerts[0]["severity"] == "high"
    assert alerts[0]["place"] == truth["city"]["districts"][surge["district_code"]]
    assert "义务教育入学" in alerts[0]["message"]
    earlier = surge_alerts(
        monthly,
        regions=tables["regions"],
        week_start=dt.date(2025, 11, 10),
        week_end=dt.date(2025, 11, 16),
    )
    assert earlier == []


def test_bad_period_is_named(tables) -> None:
    with pytest.raises(ParameterError, match="period"):
        surge_warnings(tables["applications"], regions=tables["regions"], period="year")


@pytest.mark.parametrize("seed", [2, 3])
def test_other_seeds_warn_on_the_surge_only(seed: int) -> None:
    import numpy as np

    from govanalytics.synth import _base, _services

    root = np.random.SeedSequence([seed, list(_base.SIZES).index("small")])
    base_seq, *parts = root.spawn(5)
    city = _base.make_base("small", seed, _base.DEFAULT_END, np.random.default_rng(base_seq))
    part = _services.generate(city, np.random.default_rng(parts[3]))
    surge = part.truth["surge"]
    launch = dt.date.fromisoformat(surge["launch_date"])
    for period in ("month", "week"):
        w = surge_warnings(
            part.files["dynamic/applications.parquet"],
            regions=city.regions,
            capacities=part.files["master/capacities.parquet"],
            period=period,
        )
        assert w.filter(pl.col("fired_on") < launch).height == 0
        assert set(w["district_code"]) == {surge["district_code"]}
    month = surge_warnings(
        part.files["dynamic/applications.parquet"],
        regions=city.regions,
        capacities=part.files["master/capacities.parquet"],
    )
    assert month["capacity_exceeded_on"][0].isoformat() == surge["capacity_exceeded_on"]


def test_period_counts_are_complete_and_add_up(tables) -> None:
    from govanalytics.services import period_counts

    counts = period_counts(
        tables["applications"], regions=tables["regions"], service="school_place"
    )
    school = tables["applications"].filter(pl.col("service_type") == "school_place")
    first, last = school["submitted_at"].min(), school["submitted_at"].max()
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    per_group = counts.group_by("district_code").len()["len"].unique().to_list()
    assert per_group == [months]  # every month from the first to the last, zeros included
    assert (counts["applications"] == 0).any()
    assert (
        counts["applications"].sum()
        == tables["applications"].filter(pl.col("service_type") == "school_place").height
    )
    days = period_counts(
        tables["applications"], regions=tables["regions"], period="day", service="school_place"
    )
    n_days = (last.date() - first.date()).days + 1
    assert days.group_by("district_code").len()["len"].unique().to_list() == [n_days]
    assert days["applications"].sum() == school.height and (days["applications"] == 0).any()
