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
