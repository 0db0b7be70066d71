"""Promotion of verified dynamic data into the master register."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import polars as pl
import pytest

from govanalytics.data import MasterStore
from govanalytics.data.schemas import VERIFICATION_LEVELS
from govanalytics.errors import ParameterError
from govanalytics.services import (
    AUDIT_FILE,
    DEFAULT_RULES,
    FieldRule,
    apply_promotion,
    plan_promotion,
)


@pytest.fixture(scope="module")
def plan(tables):
    """The promotion plan of the whole small city."""
    return plan_promotion(tables["register"], tables["applications"])


def _as_text(value: object) -> str:
    return "true" if value is True else "false" if value is False else str(value)


def test_plan_recovers_planted_promotable_changes(plan, truth) -> None:
    changes = truth["services"]["promotable"]["changes"]
    expected = {
        (c["person_key"], c["field"], _as_text(c["new_value"])) for c in changes if c["promote"]
    }
    got = set(plan.promotions.select("person_key", "field", "new_value").iter_rows())
    assert got == expected
    assert len(expected) > 100


def test_promotions_only_from_records_at_the_required_level(plan) -> None:
    rank = {lv: i for i, lv in enumerate(VERIFICATION_LEVELS)}
    for field, level in plan.promotions.select("field", "verification_level").unique().rows():
        assert rank[level] >= rank[DEFAULT_RULES[field].min_level]
    assert plan.promotions["verified_at"].null_count() == 0


def test_unverified_or_underverified_changes_never_reach_master(plan, tables, truth) -> None:
    new, audit = apply_promotion(tables["register"], plan)
    changes = truth["services"]["promotable"]["changes"]
    blocked = [c for c in changes if c["in_master"] and not c["promote"]]
    assert len(blocked) > 50
    assert any(c["max_level"] == "unverified" for c in blocked)
    values = {
        (pk, f): _as_text(v)
        for f in ("phone", "address", "disability")
        for pk, v in new.select("person_key", f).iter_rows()
    }
    for c in blocked:
        assert values[(c["person_key"], c["field"])] != _as_text(c["new_value"])
    # every changed master cell traces back to an audit row
    assert audit.height == plan.promotions.height
    # an unverified-only application carrying a new phone changes nothing
    apps = tables["applications"].filter(pl.col("verification_level") == "unverified")
    only = plan_promotion(tables["register"], apps)
    assert only.promotions.height == 0
    assert set(only.skipped["reason"]) <= {"unverified", "same_value", "not_in_master"}


def test_planted_conflicts_are_listed_and_not_overwritten(plan, tables, truth) -> None:
    listed = set(plan.conflicts.select("person_key", "field", "kind").iter_rows())
    for c in truth["services"]["conflicts"]:
        assert (c["person_key"], c["field"], c["kind"]) in listed
        ids = set(
            plan.conflicts.filter(
                (pl.col("person_key") == c["person_key"]) & (pl.col("field") == c["field"])
            )["application_id"]
        )
        assert set(c["application_ids"]) <= ids
    new, _ = apply_promotion(tables["register"], plan)
    before = tables["register"].join(new, on="person_key", suffix="_new")
    for c in truth["services"]["conflicts"]:
        row = before.filter(pl.col("person_key") == c["person_key"]).row(0, named=True)
        assert row[c["field"]] == row[c["field"] + "_new"]
    assert plan.counts()["conflicts"] == len(truth["services"]["conflicts"])


def test_second_run_is_a_no_op(plan, tables) -> None:
    new, audit = apply_promotion(tables["register"], plan)
    assert plan.promotions.height > 0 and not new.equals(tables["register"])
    again = plan_promotion(new, tables["applications"])
    assert again.counts()["promoted"] == 0
    assert again.conflicts.equals(plan.conflicts)
    newer, audit2 = apply_promotion(new, again, audit_log=audit)
    assert newer.equals(new) and audit2.equals(audit)
    # the same plan applied twice changes nothing either
    twice, audit3 = apply_promotion(new, plan, audit_log=audit)
    assert twice.equals(new) and audit3.equals(audit)


def test_apply_to_a_data_folder_is_atomic_audited_and_reproducible(city_copy: Path, plan) -> None:
    store = MasterStore(city_copy)
    register_file = store.path("population_register")
    new, audit = apply_promotion(city_copy, plan)
    assert store.load("population_register").equals(new)
    on_disk = pl.read_parquet(city_copy / AUDIT_FILE)
    assert on_disk.equals(audit) and audit.height == plan.promotions.height
    # audit time is the source record's verification time, not the wall clock
    joined = audit.join(plan.promotions, on=["person_key", "field"])
    assert (joined["verified_at"] == joined["verified_at_right"]).all()
    digest = hashlib.sha256(register_file.read_bytes()).hexdigest()
    apps = pl.read_parquet(city_copy / "dynamic/applications.parquet")
    second = plan_promotion(store.load("population_register"), apps)
    apply_promotion(city_copy, second)
    assert hashlib.sha256(register_file.read_bytes()).hexdigest() == digest
    assert pl.read_parquet(city_copy / AUDIT_FILE).equals(on_disk)


def test_as_of_ignores_later_records(tables, plan) -> None:
    cutoff = dt.datetime(2025, 6, 30, 23, 59, 59)
    early = plan_promotion(tables["register"], tables["applications"], as_of=cutoff)
    assert 0 < early.promotions.height < plan.promotions.height
    assert (early.promotions["verified_at"] <= cutoff).all()
    assert (early.skipped["submitted_at"] <= cutoff).all()


def test_rules_are_checked() -> None:
    with pytest.raises(ParameterError, match="unverified"):
        FieldRule("unverified")
    with pytest.raises(ParameterError, match="rules"):
        plan_promotion(
            pl.DataFrame({"person_key": ["P1"]}),
            pl.DataFrame(
                {
                    "application_id": ["A1"],
                    "person_key": ["P1"],
                    "submitted_at": [dt.datetime(2026, 1, 1)],
                    "verification_level": ["street"],
                }
            ),
            rules={"phone": "community"},
        )


def test_two_records_disagreeing_and_a_later_confirmation() -> None:
    master = pl.DataFrame({"person_key": ["P1", "P2"], "phone": ["13800000000", "13900000000"]})
    t = [dt.datetime(2026, 1, d) for d in (1, 2, 3)]
    apps = pl.DataFrame(
        {
            "application_id": ["A1", "A2", "A3", "A4", "A5"],
            "person_key": ["P1", "P1", "P2", "P2", "P2"],
            "submitted_at": [t[0], t[1], t[0], t[1], t[2]],
            "verification_level": ["street", "community", "street", "street", "community"],
            "verified_at": [t[2]] * 5,
            "phone": ["13811111111", "13822222222", "13933333333", "13900000000", None],
        }
    )
    plan = plan_promotion(master, apps)
    # P1: two verified records give two new numbers -> a person decides
    assert set(plan.conflicts["application_id"]) == {"A1", "A2"}
    # P2: a new number, then a later verified record confirming the old one -> superseded
    assert plan.promotions.height == 0
    reasons = dict(plan.skipped.select("application_id", "reason").iter_rows())
    assert reasons == {"A3": "superseded", "A4": "same_value"}
