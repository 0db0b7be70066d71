"""The health_risk notebook runs through papermill on the small city and writes its tables."""

from __future__ import annotations

import json
import re

import polars as pl
import pytest

from govanalytics.privacy import find_recoverable, group_totals

K = 15


@pytest.mark.notebook
def test_health_risk_notebook(run_notebook, small_city, truth, tmp_path):
    """Runs on a user's own CSV with Chinese column names mapped to ours, every disease.

    Hand, foot and mouth counts of the small city are mostly below k: its published tables
    must withhold them while the planted influenza outbreak is still alerted.
    """
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
        disease="",
        k=K,
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
    alarms = pl.read_parquet(out / "alarms.parquet")
    assert alarms.height > 0
    _no_small_count(out, alarms, summary, small_city)
    for fig in summary["figures"]:
        assert (out / fig).stat().st_size > 1000


def _no_small_count(out, alarms, summary, small_city):
    """Published tables and texts hold no patient count below k; totals give none back."""
    assert alarms["observed"].drop_nulls().min() >= K
    assert alarms["suppressed"].sum() > 0
    assert alarms["suppressed"].to_list() == alarms["observed"].is_null().to_list()
    full = (
        pl.read_parquet(small_city / "dynamic" / "clinic_counts.parquet")
        .group_by("district_code", "disease", "week_start")
        .agg(pl.col("count").sum())
        .rename({"district_code": "region_code"})
    )
    withheld = alarms.filter(pl.col("suppressed")).join(
        full, on=["region_code", "disease", "week_start"]
    )
    assert withheld.height == alarms["suppressed"].sum()
    assert (withheld["count"] < K).sum() > 0  # small counts were withheld, not lost
    for method in alarms["method"].unique():
        one = alarms.filter(pl.col("method") == method)
        parts = (
            one.select("region_code", "disease", "week_start")
            .join(full, on=["region_code", "disease", "week_start"], how="left")
            .with_columns(pl.col("count").fill_null(0))
        )
        totals = {
            keys: group_totals(parts, "count", list(keys), k=K)
            for keys in (("week_start", "disease"), ("week_start",))
        }
        assert find_recoverable(one, "observed", totals).is_empty()
    risk = pl.read_parquet(out / "risk.parquet")
    for col in ("count", "previous", "year_ago"):
        assert risk[col].drop_nulls().min() >= K
    assert risk["count"].null_count() > 0 and risk["suppressed"].sum() > 0
    assert risk.filter(pl.col("count").is_null())["incidence_per_100k"].null_count() == (
        risk["count"].null_count()
    )
    texts = [a["message"] for a in summary["alerts"]] + summary["findings"]
    for text in texts:
        for n in re.findall(r"本周(\d+)例", text):
            assert int(n) >= K, text
    cases = next(h for h in summary["headlines"] if h["key"] == "cases")
    for key in ("value", "previous", "year_ago"):
        assert not isinstance(cases.get(key), int) or cases[key] >= K
