"""The health_risk notebook runs through papermill on the small city and writes its tables."""

from __future__ import annotations

import json

import polars as pl
import pytest


@pytest.mark.notebook
def test_health_risk_notebook(run_notebook, small_city, truth, tmp_path):
    """Runs on a user's own CSV with Chinese column names mapped to ours."""
    own = tmp_path / "门诊周报.csv"
    names = {"week_start": "周", "district_code": "区县", "age_group": "年龄组",
             "disease": "病种", "count": "病例数"}  # fmt: skip
    pl.read_parquet(small_city / "dynamic" / "clinic_counts.parquet").rename(names).write_csv(own)
    out = run_notebook(
        "health_risk",
        data_dir=str(small_city),
        input_path=str(own),
        column_map={v: k for k, v in names.items()},
        backtest_origins=4,
    )
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["week"] == "2026-W47"
    codes = [a["place_code"] for a in summary["alerts"]]
    assert truth["health"]["outbreak"]["district_code"] in codes
    fc = pl.read_parquet(out / "forecasts.parquet")
    for col in ("region", "disease", "origin", "target", "horizon", "quantile", "value"):
        assert col in fc.columns
    assert fc["origin"].n_unique() == 5  # four backtest origins and the current one
    assert fc["origin"].dtype == pl.Date and fc["value"].min() >= 0
    scores = pl.read_parquet(out / "scores.parquet")
    assert {
        "model",
        "horizon",
        "region",
        "wis",
        "relative_wis",
        "coverage_50",
        "coverage_95",
    } <= set(scores.columns)
    assert pl.read_parquet(out / "alarms.parquet").height > 0
    for fig in summary["figures"]:
        assert (out / fig).stat().st_size > 1000
