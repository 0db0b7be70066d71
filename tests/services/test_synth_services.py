"""The services part of the sample city: its planted truths are consistent with its data."""

from __future__ import annotations

import polars as pl


def test_roll_truth_comes_from_register(tables, truth) -> None:
    s = truth["services"]
    assert s["roll_year"] == int(truth["city"]["end"][:4])
    reg = tables["register"]
    born = reg.filter(pl.col("birth_date").dt.year() == s["roll_year"] - 60)
    assert sorted(born["person_key"]) == s["turning_60"]
    assert sorted(born.filter(pl.col("disability"))["person_key"]) == s["delivery"]
    assert 0 < len(s["delivery"]) < len(s["turning_60"])


def test_surge_month_exceeds_capacity_and_ordinary_months_do_not(tables, truth) -> None:
    surge = truth["services"]["surge"]
    apps = tables["applications"].join(
        tables["regions"].select(pl.col("region_code").alias("community_code"), "district_code"),
        on="community_code",
    )
    monthly = (
        apps.filter(pl.col("service_type") == "school_place")
        .group_by(
            "district_code",
            pl.col("submitted_at").dt.year().alias("year"),
            pl.col("submitted_at").dt.strftime("%Y-%m").alias("month"),
        )
        .len()
        .join(
            tables["capacities"]
            .filter(pl.col("capacity_type") == "school_places")
            .select("district_code", "year", "capacity"),
            on=["district_code", "year"],
        )
    )
    over = monthly.filter(pl.col("len") > pl.col("capacity"))
    assert over.select("district_code", "month").rows() == [
        (surge["district_code"], surge["month"])
    ]
    assert over["len"][0] == surge["applications"] > surge["capacity"]
    years = set(tables["capacities"]["year"])
    assert len(years) >= 3 and {"school_places", "clinic_beds"} == set(
        tables["capacities"]["capacity_type"]
    )


def test_applications_span_two_years_with_all_levels(tables) -> None:
    apps = tables["applications"]
    span = apps["submitted_at"].max() - apps["submitted_at"].min()
    assert span.days >= 730
    assert set(apps["verification_level"]) == {"unverified", "community", "street", "department"}
    unverified = apps.filter(pl.col("verification_level") == "unverified")
    assert unverified["verified_at"].null_count() == unverified.height
    assert set(tables["portal"]["action"]) == {"view", "apply"}
