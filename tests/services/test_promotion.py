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
    SKIP_REASONS,
    FieldRule,
    apply_promotion,
    load_master_register,
    plan_promotion,
)

FIELDS = ("phone", "address", "employer", "disability")


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
    # every field of the rule is planted and promoted, employer included (street level)
    assert {f for _, f, _ in expected} == set(FIELDS)
    assert {c["field"] for c in changes if c["field"] == "employer" and c["promote"]}


def test_skipped_records_of_planted_changes_match_the_rule(plan, truth) -> None:
    changes = truth["services"]["promotable"]["changes"]
    expected: dict[tuple[str, str, str], int] = {}
    for c in changes:
        assert c["in_master"]  # the sample city's register has every rule field
        for reason, n in c["skip_reasons"].items():
            key = (c["person_key"], c["field"], reason)
            expected[key] = expected.get(key, 0) + n
    planted = {(c["person_key"], c["field"], _as_text(c["new_value"])) for c in changes}
    got = (
        plan.skipped.filter(
            pl.struct("person_key", "field", "new_value").is_in(
                [{"person_key": p, "field": f, "new_value": v} for p, f, v in planted]
            )
        )
        .group_by("person_key", "field", "reason")
        .len()
    )
    assert {(p, f, r): n for p, f, r, n in got.iter_rows()} == expected
    reasons = {r for _, _, r in expected}
    assert {"unverified", "below_required_level", "duplicate"} <= reasons
    assert "field_not_in_master" not in set(plan.skipped["reason"])
    assert (plan.skipped["reason"].replace_strict(SKIP_REASONS) == plan.skipped["reason_zh"]).all()


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
    assert {c["field"] for c in blocked} == set(FIELDS)
    values = {
        (pk, f): _as_text(v) for f in FIELDS for pk, v in new.select("person_key", f).iter_rows()
    }
    for c in blocked:
        assert values[(c["person_key"], c["field"])] != _as_text(c["new_value"])
    # every changed master cell traces back to an audit row
    assert audit.height == plan.promotions.height
    # an unverified-only application carrying a new phone changes nothing
    apps = tables["applications"].filter(pl.col("verification_level") == "unverified")
    only = plan_promotion(tables["register"], apps)
    assert only.promotions.height == 0
    assert set(only.skipped["reason"]) == {"unverified", "same_value"}


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
    # the audit log is the master dataset promotion_audit, readable through the data layer
    assert store.load("promotion_audit").height == audit.height
    assert set(audit["field"]) == set(FIELDS)
    # audit time is the source record's verification time, not the wall clock
    joined = audit.join(plan.promotions, on=["person_key", "field"])
    assert (joined["verified_at"] == joined["verified_at_right"]).all()
    digest = hashlib.sha256(register_file.read_bytes()).hexdigest()
    apps = pl.read_parquet(city_copy / "dynamic/applications.parquet")
    second = plan_promotion(store.load("population_register"), apps)
    apply_promotion(city_copy, second)
    assert hashlib.sha256(register_file.read_bytes()).hexdigest() == digest
    assert pl.read_parquet(city_copy / AUDIT_FILE).equals(on_disk)
    # the first plan applied again: nothing changes, nothing is logged twice
    apply_promotion(city_copy, plan)
    assert hashlib.sha256(register_file.read_bytes()).hexdigest() == digest
    assert pl.read_parquet(city_copy / AUDIT_FILE).equals(on_disk)


def test_audit_log_is_appended_and_a_stopped_run_is_completed(city_copy: Path, tables) -> None:
    store = MasterStore(city_copy)
    apps = tables["applications"]
    cutoff = dt.datetime(2025, 6, 30, 23, 59, 59)
    early = plan_promotion(store.load("population_register"), apps, as_of=cutoff)
    _, first = apply_promotion(city_copy, early)
    late = plan_promotion(store.load("population_register"), apps)
    _, log = apply_promotion(city_copy, late)
    assert first.height > 0 and log.height == first.height + late.promotions.height
    assert log.head(first.height).equals(first)
    full = plan_promotion(tables["register"], apps)
    key = ["person_key", "field", "application_id"]
    assert log.select(key).sort(key).equals(full.promotions.select(key).sort(key))
    # a run stopped after logging but before writing the register: the next run writes the
    # register and logs nothing twice (the audit log is unique by person, field and record)
    store.write("population_register", tables["register"])
    again, log2 = apply_promotion(city_copy, full)
    assert log2.equals(log) and store.load("promotion_audit").equals(log)
    assert store.load("population_register").equals(again)
    assert plan_promotion(again, apps).counts()["promoted"] == 0


def test_register_without_employer_skips_employer_changes(
    city_copy: Path, tables, plan, truth
) -> None:
    """A user's own register lacking the optional employer column (here a CSV with Chinese
    headers) still works: employer changes are skipped as 主数据无此字段, the rest promoted."""
    own = city_copy / "own_register.csv"
    register = tables["register"].drop("employer")
    register.rename({"person_key": "人员编号", "address": "地址"}).write_csv(own)
    loaded = load_master_register(city_copy, path=own)
    assert "employer" not in loaded.columns
    assert loaded.equals(register)
    # the data layer alone fills the missing column with nulls
    from govanalytics.data import load

    assert load("population_register", data_dir=city_copy, path=own)["employer"].null_count()

    no_emp = plan_promotion(loaded, tables["applications"])
    assert "employer" not in set(no_emp.promotions["field"])
    emp = no_emp.skipped.filter(pl.col("field") == "employer")
    assert set(emp["reason"]) == {"field_not_in_master"}
    assert set(emp["reason_zh"]) == {"主数据无此字段"}
    carried = tables["applications"]["employer"].drop_nulls().len()
    assert emp.height == carried  # every record carrying an employer
    planted = {
        (c["person_key"], c["new_value"])
        for c in truth["services"]["promotable"]["changes"]
        if c["field"] == "employer"
    }
    assert planted <= set(emp.select("person_key", "new_value").iter_rows())
    # the other fields are promoted exactly as with the full register
    others = plan.promotions.filter(pl.col("field") != "employer")
    assert no_emp.promotions.equals(others)

    # applied to a data folder whose register file lacks the column: it keeps its shape
    store = MasterStore(city_copy)
    store.write("population_register", register)
    new, audit = apply_promotion(city_copy, no_emp)
    assert "employer" not in pl.read_parquet(store.path("population_register")).columns
    assert load_master_register(city_copy).equals(new) and not new.equals(register)
    assert audit.height == others.height and "employer" not in set(audit["field"])
    assert (
        plan_promotion(load_master_register(city_copy), tables["applications"]).counts()["promoted"]
        == 0
    )


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
    # a person the master does not know, a field it does not keep
    extra = pl.DataFrame(
        {
            "application_id": ["A6"],
            "person_key": ["P9"],
            "submitted_at": [t[0]],
            "verification_level": ["department"],
            "verified_at": [t[1]],
            "phone": ["13844444444"],
            "employer": ["江海市某公司"],
        }
    )
    other = plan_promotion(master, pl.concat([apps, extra], how="diagonal"))
    got = other.skipped.filter(pl.col("application_id") == "A6")
    assert dict(got.select("field", "reason_zh").iter_rows()) == {
        "employer": "主数据无此字段",
        "phone": "主数据无此人",
    }
    assert other.promotions.height == 0
