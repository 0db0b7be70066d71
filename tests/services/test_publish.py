"""What reports may show of promotions, conflicts, rules and demand; the steward's exports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from govanalytics.errors import ParameterError
from govanalytics.privacy import find_id_numbers, find_recoverable, scan_file
from govanalytics.services import (
    association_rules,
    plan_promotion,
    publishable_conflicts,
    publishable_promotions,
    publishable_rules,
    service_events,
    write_promotion_exports,
)

K = 15


@pytest.fixture(scope="module")
def plan(tables):
    """The promotion plan of the whole small city."""
    return plan_promotion(tables["register"], tables["applications"])


def _as_text(value: object) -> str:
    return "true" if value is True else "false" if value is False else str(value)


def test_published_promotions_are_counts_with_small_counts_withheld(plan) -> None:
    pub = publishable_promotions(plan, k=K)
    assert "person_key" not in pub.columns
    assert not {"old_value", "new_value", "application_id"} & set(pub.columns)
    assert (pub["persons"].drop_nulls() >= K).all()
    assert pub["field_zh"].str.contains("[\u4e00-\u9fff]").all()  # every field has a label
    assert pub["suppressed"].any()  # the small city has small cells (e.g. duplicates)
    # a row is withheld as a whole, and flagged
    assert pub.filter(pl.col("records").is_null() != pl.col("persons").is_null()).height == 0
    assert pub.filter(pl.col("records").is_null() & ~pl.col("suppressed")).height == 0
    # promoted rows: one record per person, by field and level
    raw = plan.promotions.group_by("field", "verification_level").len()
    shown = pub.filter(pl.col("outcome") == "promoted")
    assert shown.height == raw.height
    assert (shown["records"].drop_nulls() == shown["persons"].drop_nulls()).all()
    # the outcome totals published in the summary give no withheld cell back
    published_totals = pl.DataFrame(
        {
            "outcome": ["promoted", "skipped"],
            "total": [plan.promotions.height, plan.skipped.height],
        }
    )
    leaks = find_recoverable(pub, "records", {("outcome",): published_totals})
    assert leaks.height == 0, leaks
    # published + withheld = the whole plan
    assert pub["records"].sum() < plan.promotions.height + plan.skipped.height


def test_published_conflicts_count_the_planted_conflicts(plan, truth) -> None:
    pub = publishable_conflicts(plan)
    assert "person_key" not in pub.columns
    planted: dict[tuple[str, str], int] = {}
    for c in truth["services"]["conflicts"]:
        planted[(c["field"], c["kind"])] = planted.get((c["field"], c["kind"]), 0) + 1
    got = {(r["field"], r["kind"]): r["conflicts"] for r in pub.iter_rows(named=True)}
    assert got == planted  # listed although below k: counts of decisions, not suppressed
    assert pub["conflicts"].sum() == plan.counts()["conflicts"]
    for col in ("kind_zh", "field_zh"):
        assert pub[col].str.contains("[\u4e00-\u9fff]").all(), col


def test_steward_exports_list_people_with_full_values_and_masked_ids(
    plan, tables, truth, tmp_path: Path
) -> None:
    paths = write_promotion_exports(plan, tables["register"], tmp_path / "exports", tag="2026-W47")
    assert {p.parent for p in paths.values()} == {tmp_path / "exports"}
    promotions = pl.read_excel(paths["promotions"])
    conflicts = pl.read_excel(paths["conflicts"])
    # planted promotable changes are recovered from the exported plan, values in full
    expected = {
        (c["person_key"], c["field"], _as_text(c["new_value"]))
        for c in truth["services"]["promotable"]["changes"]
        if c["promote"]
    }
    got = set(promotions.select("人员编号", "字段", pl.col("核验记录值").cast(pl.String)).rows())
    assert got == expected
    # the planted conflicts are listed for the steward, every record of them
    listed = set(conflicts.select("人员编号", "字段", "来源办件").rows())
    for c in truth["services"]["conflicts"]:
        for app in c["application_ids"]:
            assert (c["person_key"], c["field"], app) in listed
    # ID-card numbers masked, names present for the steward
    for frame in (promotions, conflicts):
        assert find_id_numbers("\n".join(frame["身份证号"].drop_nulls().to_list())) == []
        assert frame["姓名"].null_count() == 0
    with pytest.raises(ParameterError, match="tag"):
        write_promotion_exports(plan, tables["register"], tmp_path, tag="../x")


def test_published_rules_hold_no_count_below_k(tables, truth) -> None:
    events = service_events(tables["applications"], tables["portal"])
    rules = association_rules(events, min_persons=1)
    assert (rules["persons_ab"] < K).any()  # small rules exist before publication
    pub = publishable_rules(rules, k=K)
    assert (pub["persons_ab"].drop_nulls() >= K).all()
    assert pub.height == rules.filter(pl.col("persons_ab") >= K).height
    for col in ("persons_a", "persons_b", "persons"):
        assert (pub[col].drop_nulls() >= K).all()
    # what a reader can subtract within a published rule is at least k as well
    shown = pub.filter(pl.col("persons_ab").is_not_null())
    assert ((shown["persons_a"] - shown["persons_ab"]) >= K).all()
    assert ((shown["persons_b"] - shown["persons_ab"]) >= K).all()
    # the planted pairs stay published with their figures
    for p in truth["services"]["association"]["pairs"]:
        row = pub.filter(
            (pl.col("antecedent") == p["antecedent"]) & (pl.col("consequent") == p["consequent"])
        )
        assert row.height == 1 and row["confidence"][0] is not None


def _events(pairs: dict[tuple[str, str], int], only: dict[str, int]) -> pl.DataFrame:
    rows = []
    n = 0
    for (a, b), count in pairs.items():
        for _ in range(count):
            rows += [(f"P{n}", a, dt.date(2026, 1, 1)), (f"P{n}", b, dt.date(2026, 1, 10))]
            n += 1
    for s, count in only.items():
        for _ in range(count):
            rows.append((f"P{n}", s, dt.date(2026, 1, 1)))
            n += 1
    return pl.DataFrame(rows, schema=["person_key", "service_type", "day"], orient="row")


def test_rules_whose_complement_is_small_are_withheld() -> None:
    # everyone with A went on to B (complement 0); C then D has 5 people; E then F is safe
    events = _events(
        {("A", "B"): 30, ("C", "D"): 5, ("E", "F"): 20},
        {"B": 20, "E": 20, "F": 20, "G": 100},
    )
    rules = association_rules(events, min_persons=1)
    pub = publishable_rules(rules, k=K)
    assert set(pub.select("antecedent", "consequent").rows()) == {("A", "B"), ("E", "F")}
    ab = pub.filter(pl.col("antecedent") == "A").row(0, named=True)
    assert ab["suppressed"] and ab["persons_ab"] is None
    assert ab["confidence"] is None and ab["support"] is None and ab["lift"] is None
    ef = pub.filter(pl.col("antecedent") == "E").row(0, named=True)
    assert not ef["suppressed"] and ef["persons_ab"] == 20 and ef["confidence"] == 0.5
    # almost everyone did E: persons - persons_E < k would give the rest away
    crowded = _events({("E", "F"): 20, ("F", "E"): 20}, {"E": 20, "G": 3})
    pub = publishable_rules(association_rules(crowded, min_persons=1), k=K)
    assert pub["persons"].null_count() == pub.height and pub["support"].null_count() == pub.height
    assert pub["confidence"].null_count() == 0
    with pytest.raises(ParameterError, match="'k'"):
        publishable_rules(rules, k=0)


def test_published_files_pass_the_privacy_scan(plan, tmp_path: Path) -> None:
    for name, frame in {
        "promotions": publishable_promotions(plan, k=K),
        "conflicts": publishable_conflicts(plan),
    }.items():
        path = tmp_path / f"{name}.parquet"
        frame.write_parquet(path)
        assert scan_file(path) == []


def test_published_demand_withholds_small_counts_and_their_changes(tables, truth) -> None:
    from govanalytics.services import demand_by_community, publishable_demand

    end = dt.date.fromisoformat(truth["city"]["end"])
    demand = demand_by_community(tables["applications"], last_day=end, regions=tables["regions"])
    k = 10
    pub = publishable_demand(demand, k=k)
    assert pub.height == demand.height
    for col in ("count", "previous"):
        assert (pub[col].drop_nulls().abs() >= k).all()
    assert pub["count"].null_count() > 0  # the rule was exercised
    # no withheld count can be recovered from its change (count = previous + change), and
    # every published change is the difference of two published counts
    hidden = pl.col("count").is_null() | pl.col("previous").is_null()
    assert pub.filter(hidden & pl.col("change").is_not_null()).height == 0
    assert pub.filter(~hidden & pl.col("change").is_null()).height == 0
    # ... nor from the community total of this or the previous period
    for col in ("count", "previous"):
        per_comm = pub.group_by("community_code").agg(
            pl.col(col).is_null().sum().alias("n"), pl.len().alias("rows")
        )
        assert per_comm.filter((pl.col("n") == 1) & (pl.col("rows") > 1)).height == 0
    # the planted surge district's school places are visible and up on last month
    surge = truth["services"]["surge"]
    up = pub.filter(
        (pl.col("service_type") == "school_place")
        & (pl.col("district_code") == surge["district_code"])
        & pl.col("count").is_not_null()
    )
    assert up.height > 0
    assert demand.filter(pl.col("service_type") == "school_place")["change"].sum() > 0


def test_a_lonely_small_promotion_cell_is_protected_against_the_total() -> None:
    from govanalytics.services import PromotionPlan

    def rows(field: str, level: str, n: int, start: int) -> list[dict]:
        return [
            {"person_key": f"P{start + i}", "field": field, "verification_level": level}
            for i in range(n)
        ]

    promotions = pl.DataFrame(
        rows("phone", "community", 40, 0)
        + rows("phone", "street", 20, 100)
        + rows("address", "street", 3, 200)
    )
    skipped = pl.DataFrame(
        [
            {**r, "reason": "same_value", "reason_zh": "与主数据一致"}
            for r in rows("phone", "community", 50, 300)
        ]
    )
    plan = PromotionPlan(promotions, skipped, pl.DataFrame())
    pub = publishable_promotions(plan, k=K)
    promoted = pub.filter(pl.col("outcome") == "promoted").sort("records", nulls_last=True)
    # the 3 address promotions are withheld, and so is the next smallest (20), since the
    # total promoted (63) is published
    assert promoted["records"].to_list() == [40, None, None]
    totals = pl.DataFrame({"outcome": ["promoted", "skipped"], "total": [63, 50]})
    assert find_recoverable(pub, "records", {("outcome",): totals}).height == 0
    # without the secondary cell, the 3 would be the total minus the published parts
    street = (pl.col("field") == "phone") & (pl.col("verification_level") == "street")
    primary_only = pub.with_columns(
        pl.when(street)
        .then(pl.lit(20, dtype=pl.Int64))
        .otherwise(pl.col("records"))
        .alias("records")
    )
    leaks = find_recoverable(primary_only, "records", {("outcome",): totals})
    assert leaks["recovered"].to_list() == [3.0]
