"""notebooks/population_flow.ipynb runs on the small city and publishes safe tables."""

from __future__ import annotations

import json

import polars as pl
import pytest


@pytest.mark.notebook
def test_population_flow_notebook(run_notebook, small_city, truth) -> None:
    out = run_notebook("population_flow", data_dir=str(small_city), k=15)
    mob = truth["mobility"]
    pop = pl.read_parquet(out / "population.parquet")
    assert pop.columns[:2] == ["area", "period"]
    for col in ("night", "day", "resident", "registered", "floating", "suppressed"):
        assert col in pop.columns
    assert set(pop["period"]) == {mob["month"]}
    tested = 0
    for area, resident in pop.select("area", "resident").iter_rows():
        if abs(mob["resident"][area] / mob["registered"][area] - 1) >= 0.10:
            assert resident == pytest.approx(mob["resident"][area], rel=0.05)
            tested += 1
    assert tested >= 2  # the check above is not vacuous
    for col in ("night", "day", "resident", "registered", "short_stay", "floating"):
        assert (pop[col].drop_nulls().abs() >= 15).all(), col
        assert pop[col].null_count() != 1, col  # nothing recoverable from the city total
    flows = pl.read_parquet(out / "flows.parquet")
    assert flows.columns == ["origin", "destination", "period", "count", "suppressed"]
    assert (flows["count"].drop_nulls() >= 15).all()
    assert flows.filter(pl.col("count").is_null())["suppressed"].all()
    totals = pl.read_parquet(out / "flow_totals.parquet")
    for col in ("inflow", "outflow"):
        assert (totals[col].drop_nulls() >= 15).all(), col
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["notebook"] == "population_flow"
    assert {a["kind"] for a in summary["alerts"]} <= {"population_change"}
    # the district where many people live unregistered is flagged
    most = max(mob["register_ratio"], key=mob["register_ratio"].get)
    assert most in {a["place_code"] for a in summary["alerts"]}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in f) for f in summary["findings"])
