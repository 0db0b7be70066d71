"""Association rules between services and proactive offers per resident group."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from govanalytics.errors import ParameterError
from govanalytics.services import AGE_BANDS, association_rules, service_events, suggest_offers


@pytest.fixture(scope="module")
def rules(tables) -> pl.DataFrame:
    """Rules of the small city from applications and portal activity."""
    return association_rules(service_events(tables["applications"], tables["portal"]))


def test_planted_pairs_are_the_strongest_rules(rules, truth) -> None:
    pairs = truth["services"]["association"]["pairs"]
    top = rules.head(len(pairs)).select("antecedent", "consequent").rows()
    assert set(top) == {(p["antecedent"], p["consequent"]) for p in pairs}
    for p in pairs:
        r = rules.filter(
            (pl.col("antecedent") == p["antecedent"]) & (pl.col("consequent") == p["consequent"])
        ).row(0, named=True)
        assert r["confidence"] == pytest.approx(p["rate"], abs=0.08)
        assert r["lift"] > 1.5
        assert r["support"] == pytest.approx(r["persons_ab"] / r["persons"])
    # the reverse direction is weak: the rules are ordered
    back = rules.filter(
        (pl.col("antecedent") == "medical_insurance")
        & (pl.col("consequent") == "birth_registration")
    )
    assert back.height == 0 or back["lift"][0] < 1


def test_rules_rest_on_at_least_min_persons(rules) -> None:
    assert (rules["persons_ab"] >= 15).all()
    with pytest.raises(ParameterError, match="window_days"):
        association_rules(rules.head(0), window_days=0)


def test_offers_are_per_group_never_per_person(rules, tables, truth) -> None:
    end = dt.date.fromisoformat(truth["city"]["end"])
    k = 5
    offers = suggest_offers(
        rules,
        tables["applications"],
        tables["register"],
        regions=tables["regions"],
        as_of=end,
        k=k,
        by=("district_code",),
    )
    assert "person_key" not in offers.columns
    assert offers.height > 0
    assert set(offers["antecedent"]) <= {"birth_registration", "elderly_bus_card"}
    shown = offers["residents"].drop_nulls()
    assert shown.len() > 0 and (shown >= k).all()
    assert offers["suggestion_zh"].str.contains("主动推送").all()
    with pytest.raises(ParameterError, match="by"):
        suggest_offers(
            rules,
            tables["applications"],
            tables["register"],
            regions=tables["regions"],
            as_of=end,
            by=("person_key",),
        )


def test_offers_list_every_group_so_a_withheld_one_may_be_empty(rules, tables, truth) -> None:
    end = dt.date.fromisoformat(truth["city"]["end"])
    offers = suggest_offers(
        rules,
        tables["applications"],
        tables["register"],
        regions=tables["regions"],
        as_of=end,
        by=("district_code", "age_band"),
    )
    strong = rules.filter((pl.col("lift") >= 1.5) & (pl.col("confidence") >= 0.3)).height
    districts = tables["regions"].filter(pl.col("level") == "district").height
    bands = offers["age_band"].n_unique()
    assert bands == len(AGE_BANDS)
    # every strong rule x district x age band, zero included and withheld like small counts
    assert offers.height == strong * districts * bands
    assert offers.filter(pl.col("residents").is_null() != pl.col("suppressed")).height == 0
    assert (offers["residents"].drop_nulls() >= 15).all()
    # children do not apply for bus cards: their groups are listed, withheld, not absent
    kids = offers.filter(
        (pl.col("antecedent") == "elderly_bus_card") & (pl.col("age_band") == "0-17")
    )
    assert kids.height == districts and kids["suppressed"].all()
