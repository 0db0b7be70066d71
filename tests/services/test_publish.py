"""What reports may show of promotions and conflicts: masked values, pseudonymous keys."""

from __future__ import annotations

import polars as pl

from govanalytics.privacy import MOBILE_PATTERN, find_id_numbers
from govanalytics.services import (
    mask_value,
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


def test_mask_value_by_field() -> None:
    df = pl.DataFrame(
        {
            "field": ["phone", "id_number", "address", "employer", "disability"],
            "value": [
                "13812345678",
                "44030119800101123X",
                "江海市竹南社区富杨大道36号",
                "某公司",
                "true",
            ],
        }
    )
    out = df.select(mask_value("field", "value")).to_series().to_list()
    assert out == ["138****5678", "440301********123X", "江海市竹南社区***", "***", "***"]


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
