"""The backtest's skill said in plain Chinese."""

from __future__ import annotations

import polars as pl

from govanalytics.health import skill_text


def test_skill_text_per_horizon_in_months():
    scores = pl.DataFrame(
        {
            "model": ["ensemble", "ensemble", "baseline", "ensemble"],
            "horizon": [2, 1, 1, 1],
            "region_code": ["all", "all", "all", "110000000000"],
            "relative_wis_flat": [0.42, 0.47, 0.9, 0.1],
            "relative_wis_seasonal_naive": [0.71, 0.51, 1.2, 0.1],
            "coverage_95": [0.93, 0.95, 0.9, 1.0],
        }
    )
    lines = skill_text(scores, frequency="month")
    assert lines[0] == "提前1个月：相对基准误差 0.47（对去年同期 0.51），95%区间覆盖实际值 95%。"
    assert lines[1].startswith("提前2个月：相对基准误差 0.42")
    assert len(lines) == 3 and "小于1表示比基准准确" in lines[2]
    assert skill_text(scores, model="gbm") == []
