"""Risk view: population denominators, ageing communities, ranking, summary alerts."""

from __future__ import annotations

import datetime as dt

import polars as pl

from govanalytics.data import load
from govanalytics.health import (
    ageing_communities,
    clinic_beds,
    flag_aberrations,
    forecast_counts,
    health_alerts,
    population_by_age,
    risk_table,
)


def test_ageing_communities_match_the_planted_ones(small_city, truth):
    register = load("population_register", data_dir=small_city)
    regions = load("regions", data_dir=small_city)
    table = ageing_communities(register, regions, on=dt.date(2026, 11, 22))
    found = sorted(table.filter(pl.col("ageing"))["community_code"].to_list())
    assert found == sorted(truth["city"]["ageing_communities"])


def test_risk_table_ranks_the_outbreak_district_first(small_city, truth, ili):
    register = load("population_register", data_dir=small_city)
    regions = load("regions", data_dir=small_city)
    monday = ili["week_start"].max()
    pop = population_by_age(register, regions, on=monday)
    assert pop["population"].sum() == register.height
    alarms = flag_aberrations(ili, method="farrington", periods=1)
    fc = forecast_counts(ili)
    beds = pl.DataFrame({"region_code": pop["region_code"].unique().sort(), "clinic_beds": 50})
    risk = risk_table(ili, fc, pop, alarms=alarms, beds=beds)
    top = risk.filter(pl.col("rank") == 1).row(0, named=True)
    assert top["region_code"] == truth["health"]["outbreak"]["district_code"]
    assert top["alarm"] is True
    d = pop.filter(pl.col("region_code") == top["region_code"])["population"].sum()
    assert abs(top["incidence_per_100k"] - top["count"] / d * 1e5) < 1e-6
    assert abs(top["change_week"] - (top["count"] / top["previous"] - 1)) < 1e-9
    assert top["bed_ratio"] > 0


def test_alerts_are_chinese_and_name_the_place(ili, truth):
    alarms = flag_aberrations(ili, method="farrington", periods=1)
    names = {truth["health"]["outbreak"]["district_code"]: "某区"}
    alerts = health_alerts(alarms, names)
    assert len(alerts) == 1
    a = alerts[0]
    assert a["kind"] == "health_alarm" and a["place"] == "某区"
    assert "流感样病例" in a["message"] and a["date"] == truth["health"]["last_week"]


def test_beds_missing_gives_none():
    assert clinic_beds(None, year=2026) is None
    caps = pl.DataFrame(
        {
            "district_code": ["a", "a", "b"],
            "capacity_type": ["clinic_beds", "clinic_beds", "school_places"],
            "year": [2025, 2026, 2026],
            "capacity": [10, 12, 99],
        }
    )
    assert clinic_beds(caps, year=2026).to_dicts() == [{"region_code": "a", "clinic_beds": 12}]


def test_rank_ties_by_code_and_unknown_incidence_last():
    """Equal forecast incidence is ordered by region code; a region without population (no
    incidence) ranks last, not first; the order does not depend on the input order."""
    week = dt.date(2026, 11, 16)
    regions = ["440103000000", "440101000000", "440102000000"]
    series = pl.DataFrame(
        {"region_code": regions, "disease": ["ili"] * 3, "week_start": [week] * 3, "count": [5] * 3}
    )
    fc = pl.DataFrame(
        {
            "region_code": [r for r in regions for _ in range(2)],
            "disease": ["ili"] * 6,
            "horizon": [1] * 6,
            "quantile": [0.5, 0.975] * 3,
            "value": [10.0, 20.0] * 3,
        }
    )
    pop = pl.DataFrame({"region_code": regions[:2], "population": [1000, 1000]})
    got = risk_table(series, fc, pop)
    assert got["region_code"].to_list() == ["440101000000", "440103000000", "440102000000"]
    assert got["rank"].to_list() == [1, 2, 3]
    again = risk_table(series.reverse(), fc.reverse(), pop.reverse())
    assert again.equals(got)


def test_findings_name_the_age_groups_of_the_alerts_disease():
    """An influenza alert names the age groups alarming for influenza in that district, not
    those of another disease alarming there."""
    from govanalytics.health import health_findings

    week = dt.date(2026, 11, 16)
    code = "440103000000"
    alarms = pl.DataFrame(
        {
            "region_code": [code] * 2,
            "disease": ["influenza_like_illness", "diarrhoea"],
            "week_start": [week] * 2,
            "observed": [90, 80],
            "expected": [30.0, 30.0],
            "upper_bound": [50.0, 50.0],
            "alarm": [True, True],
        }
    )
    ages = pl.DataFrame(
        {
            "region_code": [code] * 3,
            "disease": ["influenza_like_illness", "influenza_like_illness", "diarrhoea"],
            "age_group": ["5-14", "25-59", "60+"],
            "alarm": [True, False, True],
        }
    )
    alerts = health_alerts(alarms, {code: "某区"})
    risk = pl.DataFrame(schema={"rank": pl.Int64})
    findings, actions = health_findings(alerts, risk, ages, {code: "某区"})
    flu = next(f for f in findings if "流感样病例" in f)
    assert flu.endswith("以5-14岁组为主。")
    assert "以60+岁组为主" in next(f for f in findings if "感染性腹泻" in f)
    assert len(actions) == 1  # one action for the place, not one per disease
