"""Publishing step: small counts of patients withheld in every published health table."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest

from govanalytics.data import load
from govanalytics.health import (
    aggregate_counts,
    count_text,
    flag_aberrations,
    forecast_counts,
    health_alerts,
    health_findings,
    interval_disclosures,
    population_by_age,
    publishable_alarms,
    publishable_risk,
    publishable_series,
    risk_table,
    withheld_cells,
)
from govanalytics.privacy import find_recoverable, group_totals, suppress_small_counts

K = 15
KEYS = ["region_code", "disease"]
METHODS = ("farrington", "moving_percentile", "ears_c1", "ears_c2", "ears_c3")


@pytest.fixture(scope="module")
def every_disease(clinic_counts: pl.DataFrame) -> pl.DataFrame:
    """Every disease per district and week (hand, foot and mouth counts are mostly small)."""
    return aggregate_counts(clinic_counts)


@pytest.fixture(scope="module")
def alarms(every_disease: pl.DataFrame) -> pl.DataFrame:
    return pl.concat([flag_aberrations(every_disease, method=m, periods=4) for m in METHODS])


def _totals(frame: pl.DataFrame, value: str, k: int) -> dict:
    """Totals a reader sees or knows, computed before suppression: per week × disease, per week."""
    return {
        ("week_start", "disease"): group_totals(frame, value, ["week_start", "disease"], k=k),
        ("week_start",): group_totals(frame, value, ["week_start"], k=k),
    }


def test_published_alarms_hold_no_small_count(alarms):
    pub = publishable_alarms(alarms, k=K)
    assert pub.height == alarms.height
    small = alarms["observed"] < K
    assert small.sum() > 0  # the sample's hand, foot and mouth weeks are small
    shown = pub["observed"].drop_nulls()
    assert shown.min() >= K
    # every small count withheld and flagged; flagged exactly where withheld
    assert pub.filter(small)["observed"].null_count() == small.sum()
    assert pub["suppressed"].to_list() == pub["observed"].is_null().to_list()
    # the same series × week is withheld under every method
    per_cell = pub.group_by([*KEYS, "week_start"]).agg(pl.col("suppressed").n_unique())
    assert per_cell["suppressed"].max() == 1
    # model outputs untouched; counts at or above k published as they are
    for col in ("expected", "upper_bound", "alarm", "method"):
        assert pub[col].to_list() == alarms[col].to_list()
    shown_rows = pub["observed"].is_not_null()
    assert pub.filter(shown_rows)["observed"].to_list() == (
        alarms.filter(shown_rows)["observed"].to_list()
    )
    # the alarm flags and bounds leave more than one possible value for every withheld count
    assert interval_disclosures(pub, k=K).is_empty()


def test_secondary_suppression_keeps_totals_from_giving_a_cell_away(every_disease):
    """A week whose smallest cell alone falls below k: its partner is withheld too."""
    found = None
    for week in reversed(every_disease["week_start"].unique().sort().to_list()):
        c = every_disease.filter(pl.col("week_start") == week)["count"].sort().to_list()
        if c[0] + 1 < c[1]:
            found = week, c[0] + 1
            break
    assert found is not None
    week, k = found
    cells = every_disease.filter(pl.col("week_start") == week)
    only_primary = suppress_small_counts(cells, "count", k=k)
    assert only_primary["count"].null_count() == 1
    # the attack works on primary suppression alone: the weekly total gives the cell back
    assert not find_recoverable(only_primary, "count", _totals(cells, "count", k)).is_empty()
    pub = withheld_cells(every_disease, weeks=[week], k=k)
    assert pub["count"].null_count() >= 2
    assert find_recoverable(pub, "count", _totals(cells, "count", k)).is_empty()
    # the alarm table takes the same decision
    alarms = flag_aberrations(every_disease, method="ears_c1", weeks=[week])
    pub_alarms = publishable_alarms(alarms, k=k)
    assert find_recoverable(pub_alarms, "observed", _totals(alarms, "observed", k)).is_empty()
    same = pub.join(pub_alarms, on=[*KEYS, "week_start"])
    assert same["count"].is_null().to_list() == same["observed"].is_null().to_list()


def test_nothing_recoverable_from_published_alarms(alarms):
    pub = publishable_alarms(alarms, k=K)
    for method in METHODS:
        one = pub.filter(pl.col("method") == method)
        full = alarms.filter(pl.col("method") == method)
        assert find_recoverable(one, "observed", _totals(full, "observed", K)).is_empty()


def test_published_risk(small_city, every_disease, alarms):
    register = load("population_register", data_dir=small_city)
    regions = load("regions", data_dir=small_city)
    monday = every_disease["week_start"].max()
    pop = population_by_age(register, regions, on=monday)
    fc = forecast_counts(every_disease, models=("baseline",))
    farr = alarms.filter(pl.col("method") == "farrington")
    risk = risk_table(every_disease, fc, pop, alarms=farr)
    pub = publishable_risk(risk, every_disease, k=K)
    assert pub.height == risk.height
    assert (risk["count"] < K).sum() > 0
    for col in ("count", "previous", "year_ago", "population"):
        assert pub[col].drop_nulls().min() >= K
        assert pub.filter(risk[col] < K)[col].null_count() == (risk[col] < K).sum()
    assert pub.filter(pl.col("count").is_null())["incidence_per_100k"].null_count() == (
        pub["count"].null_count()
    )
    gone = pl.col("count").is_null() | pl.col("previous").is_null()
    assert pub.filter(gone)["change_week"].null_count() == pub.filter(gone).height
    gone = pl.col("count").is_null() | pl.col("year_ago").is_null()
    assert pub.filter(gone)["change_year"].null_count() == pub.filter(gone).height
    assert pub["suppressed"].sum() >= pub["count"].null_count() > 0
    for col in ("alarm", "rank"):
        assert pub[col].to_list() == risk[col].to_list()
    # forecasts from a withheld count are withheld with it (the baseline's median is the count)
    kept = pl.col("count").is_not_null()
    for col in ("forecast_next", "forecast_upper"):
        assert pub.filter(~kept)[col].null_count() == pub.filter(~kept).height
        assert (
            pub.filter(kept)[col].to_list()
            == risk.filter(pub["count"].is_not_null())[col].to_list()
        )
    # last week as in the alarm table: the same cells withheld
    prev = monday - dt.timedelta(weeks=1)
    pub_alarms = publishable_alarms(farr, k=K).filter(pl.col("week_start") == prev)
    both = pub.join(pub_alarms, on=KEYS)
    assert both.height == pub.height
    assert both["previous"].to_list() == both["observed"].to_list()


def test_published_series_for_charts(every_disease):
    recent = every_disease.filter(
        pl.col("week_start") > every_disease["week_start"].max() - dt.timedelta(weeks=26)
    )
    pub = publishable_series(recent, k=K)
    assert pub.height == recent.height
    assert pub["count"].drop_nulls().min() >= K
    assert pub["count"].null_count() >= (recent["count"] < K).sum() > 0


def test_text_never_prints_a_small_count(ili, truth):
    assert count_text(23) == "23例"
    assert count_text(3) == "少于15例" and count_text(None, k=10) == "少于10例"
    farr = flag_aberrations(ili, method="farrington", periods=1)
    code = truth["health"]["outbreak"]["district_code"]
    observed = farr.filter(pl.col("alarm").fill_null(False))["observed"][0]
    (shown,) = health_alerts(farr, {code: "某区"}, k=K)
    assert f"本周{observed}例" in shown["message"]  # a large count is printed
    big = observed + 1
    (hidden,) = health_alerts(farr, {code: "某区"}, k=big)
    assert f"本周少于{big}例" in hidden["message"]
    assert str(observed) not in re.sub(r"少于\d+例", "", hidden["message"])
    risk = pl.DataFrame(
        {
            "region_code": [code],
            "disease": ["influenza_like_illness"],
            "rank": [1],
            "count": [None],
            "incidence_per_100k": [None],
            "change_week": [None],
            "forecast_next": [12.4],
            "bed_ratio": [None],
        },
        schema_overrides={"count": pl.Int64, "incidence_per_100k": pl.Float64},
    )
    findings, _ = health_findings([], risk, None, {code: "某区"}, k=K)
    assert "某区：本周病例少于15例，下周预测12例。" in findings[1]
