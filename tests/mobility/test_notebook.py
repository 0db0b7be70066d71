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


@pytest.mark.notebook
def test_flows_page_from_share_files_alone(run_notebook, tmp_path) -> None:
    """A project folder holding only daily inflow/outflow share files (as Baidu Migration
    ships them): the chapter is ready, renders flows only, labels shares, alerts the
    planted lockdown on its first day."""
    from govanalytics.data import open_project
    from govanalytics.mobility import simulate_od_product
    from govanalytics.report._check import notebook_readiness

    folder = tmp_path / "migration"
    sim = simulate_od_product(folder / "百度迁徙", n_cities=30, seed=5)
    (folder / "govanalytics.toml").write_text(
        '[datasets.od_counts]\nsource = "百度迁徙/*.csv"\nvalue_type = "share"\n'
        'filename_date = "%Y%m%d"\n',
        encoding="utf-8",
    )
    ready = notebook_readiness(open_project(folder), ["population_flow"])
    assert ready[0].ready, ready[0].reason
    city, first = sim.lockdown
    week = f"{first.isocalendar().year}-W{first.isocalendar().week:02d}"
    out = run_notebook("population_flow", data_dir=str(folder), week=week, k=15)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    mine = [a for a in summary["alerts"] if a["place_code"] == city and "迁出" in a["message"]]
    assert mine and mine[0]["date"] == first.isoformat() and mine[0]["severity"] == "high"
    assert not (out / "population.parquet").exists()
    corridors = pl.read_parquet(out / "corridors.parquet")
    assert corridors["volume"].is_sorted(descending=True)
    assert "count" not in pl.read_parquet(out / "flow_volumes.parquet").columns
    said = json.dumps(summary, ensure_ascii=False)
    assert "规模指数" in said
    assert "人次" not in said.replace("不是人数或人次", "")  # shares never called trips
