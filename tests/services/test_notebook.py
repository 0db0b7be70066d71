"""The service_demand notebook runs through papermill on the small city."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import polars as pl
import pytest

from govanalytics.privacy import MOBILE_PATTERN, find_id_numbers

TABLES = (
    "surges.parquet",
    "roll_counts.parquet",
    "promotions.parquet",
    "conflicts.parquet",
    "suggestions.parquet",
)


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.notebook
def test_notebook_on_small_city(run_notebook, small_city: Path, truth: dict, tmp_path: Path):
    before = _digest(small_city)
    exports = tmp_path / "exports"
    out = run_notebook("service_demand", data_dir=str(small_city), exports_dir=str(exports))
    # the sample city is not touched by default (dry-run promotion)
    assert _digest(small_city) == before
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["notebook"] == "service_demand" and summary["week"] == "2026-W47"
    surge = truth["services"]["surge"]
    alerts = [a for a in summary["alerts"] if a["kind"] == "service_surge"]
    assert [a["place_code"] for a in alerts] == [surge["district_code"]]
    assert alerts[0]["date"] >= surge["launch_date"]
    for name in TABLES:
        assert name in summary["tables"]
    # no full ID number or phone number in any published table or the executed notebook
    for path in [*out.glob("*.parquet"), out / "service_demand.ipynb"]:
        if path.suffix == ".parquet":
            frame = pl.read_parquet(path)
            assert "name" not in frame.columns and "id_number" not in frame.columns
            text = "\n".join(
                str(v) for c, t in frame.schema.items() if t == pl.String for v in frame[c]
            )
        else:
            text = path.read_text(encoding="utf-8")
        assert find_id_numbers(text) == [], path.name
        assert MOBILE_PATTERN.search(text) is None, path.name
    conflicts = pl.read_parquet(out / "conflicts.parquet")
    planted = {(c["person_key"], c["field"]) for c in truth["services"]["conflicts"]}
    assert planted <= set(conflicts.select("person_key", "field").iter_rows())
    roll_counts = pl.read_parquet(out / "roll_counts.parquet")
    assert (roll_counts["bus_card"].drop_nulls() >= 15).all()
    # operational lists went to the exports folder, masked
    xlsx = sorted(exports.glob("*.xlsx"))
    assert len(xlsx) == 2
    listed = pl.read_excel(next(p for p in xlsx if "名册" in p.name))
    assert listed.height == len(truth["services"]["turning_60"])
    assert find_id_numbers("\n".join(listed["身份证号"].to_list())) == []
