"""What reports may show of promotions and conflicts: masked values, pseudonymous keys."""

from __future__ import annotations

import polars as pl

from govanalytics.privacy import MOBILE_PATTERN, find_id_numbers
from govanalytics.services import (
    plan_promotion,
    publishable_conflicts,
    publishable_promotions,
)


def test_published_promotions_and_conflicts_hold_no_personal_values(tables) -> None:
    plan = plan_promotion(tables["register"], tables["applications"])
    for frame in (
        publishable_promotions(plan.promotions),
        publishable_conflicts(plan.conflicts),
    ):
        assert frame.height > 0
        assert not {"name", "id_number", "phone", "address"} & set(frame.columns)
        text = "\n".join(
            str(v) for c, t in frame.schema.items() if t == pl.String for v in frame[c]
        )
        assert find_id_numbers(text) == []
        assert MOBILE_PATTERN.search(text) is None
    full_addresses = set(tables["register"]["address"])
    pub = publishable_promotions(plan.promotions)
    assert not set(pub["new_value"]) & full_addresses


def test_published_values_follow_the_privacy_field_rule(tables) -> None:
    from govanalytics.privacy import WITHHELD, mask_field

    plan = plan_promotion(tables["register"], tables["applications"])
    pub = publishable_promotions(plan.promotions)
    expected = plan.promotions.select(mask_field("field", "new_value"))["new_value"]
    assert pub["new_value"].equals(expected)
    by_field = dict(pub.group_by("field").agg(pl.col("new_value").drop_nulls()).iter_rows())
    assert set(by_field) >= {"phone", "address"}
    assert all(v.endswith(WITHHELD) for v in by_field["address"])
    assert all(v[3:7] == "****" for v in by_field["phone"])
    for field in set(by_field) - {"phone", "address", "id_number"}:
        assert set(by_field[field]) <= {WITHHELD}, field


def test_published_demand_withholds_small_counts_and_their_changes(tables, truth) -> None:
    import datetime as dt

    from govanalytics.services import demand_by_community, publishable_demand

    end = dt.date.fromisoformat(truth["city"]["end"])
    demand = demand_by_community(tables["applications"], last_day=end, regions=tables["regions"])
    k = 10
    pub = publishable_demand(demand, k=k)
    assert pub.height == demand.height
    for col in ("count", "previous", "change"):
        assert (pub[col].drop_nulls().abs() >= k).all()
    # no withheld count can be recovered from its change, nor from the community total
    leak = pub.filter(pl.col("count").is_null() & pl.col("change").is_not_null())
    assert leak.height == 0
    per_comm = pub.group_by("community_code").agg(
        pl.col("count").is_null().sum().alias("n"), pl.len().alias("rows")
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
