"""The service_demand notebook runs through papermill on the small city."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import polars as pl
import pytest

from govanalytics.privacy import MOBILE_PATTERN, find_id_numbers, scan_file

TABLES = (
    "surges.parquet",
    "roll_counts.parquet",
    "promotions.parquet",
    "conflicts.parquet",
    "suggestions.parquet",
    "association_rules.parquet",
    "demand.parquet",
)


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def summary_value(summary: dict, key: str) -> object:
    return next(h["value"] for h in summary["headlines"] if h["key"] == key)


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
    # no person key, name, ID number or phone number in anything the report publishes
    published = [p for p in out.rglob("*") if p.is_file()]
    assert {p.name for p in published} >= set(TABLES)
    person_keys = set(truth["services"]["turning_60"]) | {
        c["person_key"] for c in truth["services"]["conflicts"]
    }
    phones = set(
        pl.read_parquet(small_city / "master/population_register.parquet")["phone"].drop_nulls()
    )
    assert phones
    for path in published:
        assert scan_file(path) == [], path.name
        if path.suffix == ".parquet":
            frame = pl.read_parquet(path)
            assert not {"person_key", "name", "id_number", "phone"} & set(frame.columns), path.name
            text = "\n".join(
                str(v) for c, t in frame.schema.items() if t == pl.String for v in frame[c]
            )
            assert MOBILE_PATTERN.search(text) is None, path.name
        else:
            # pages and notebooks carry base64 images and random map ids whose digit runs can
            # look like phone numbers: scan_file above reads them as text; here, no phone
            # number of a person in the register may appear anywhere
            text = path.read_text(encoding="utf-8", errors="ignore")
            assert not set(re.findall(r"(?<!\d)1[3-9]\d{9}(?!\d)", text)) & phones, path.name
        assert find_id_numbers(text) == [], path.name
        assert not [key for key in person_keys if key in text], path.name
    # the planted conflicts are counted in the published table (not withheld) ...
    conflicts = pl.read_parquet(out / "conflicts.parquet")
    counted = {(r["field"], r["kind"]): r["conflicts"] for r in conflicts.iter_rows(named=True)}
    for c in truth["services"]["conflicts"]:
        assert counted[(c["field"], c["kind"])] >= 1
    assert summary_value(summary, "conflicts") == len(truth["services"]["conflicts"])
    promotions = pl.read_parquet(out / "promotions.parquet")
    assert (promotions["persons"].drop_nulls() >= 15).all()
    # ... and listed person by person for the steward, in the exports folder only
    assert not list(out.rglob("*.xlsx"))
    listed = pl.read_excel(next(exports.glob("主数据冲突待裁定_2026-W47.xlsx")))
    planted = {
        (c["person_key"], c["field"], a)
        for c in truth["services"]["conflicts"]
        for a in c["application_ids"]
    }
    assert planted <= set(listed.select("人员编号", "字段", "来源办件").rows())
    plan = pl.read_excel(next(exports.glob("主数据入库预案_2026-W47.xlsx")))
    assert plan.height == promotions.filter(pl.col("outcome") == "promoted")["records"].sum()
    assert find_id_numbers("\n".join(plan["身份证号"].drop_nulls().to_list())) == []
    rules = pl.read_parquet(out / "association_rules.parquet")
    for col in ("persons_ab", "persons_a", "persons_b", "persons"):
        assert (rules[col].drop_nulls() >= 15).all()
    roll_counts = pl.read_parquet(out / "roll_counts.parquet")
    assert (roll_counts["bus_card"].drop_nulls() >= 15).all()
    assert (roll_counts["home_delivery"].drop_nulls() >= 15).all()
    demand = pl.read_parquet(out / "demand.parquet")
    for col in ("count", "previous"):
        assert (demand[col].drop_nulls() >= 15).all(), col
    # change is derived from the two counts: published only beside both, never giving one back
    both = pl.col("count").is_not_null() & pl.col("previous").is_not_null()
    assert demand.filter(~both)["change"].null_count() == demand.filter(~both).height
    shown = demand.filter(both)
    assert (shown["change"] == shown["count"] - shown["previous"]).all()
    offers = pl.read_parquet(out / "suggestions.parquet")
    assert (offers["residents"].drop_nulls() >= 15).all()
    # operational lists went to the exports folder, masked
    xlsx = sorted(exports.glob("*.xlsx"))
    assert len(xlsx) == 4
    listed = pl.read_excel(next(p for p in xlsx if "名册" in p.name))
    assert listed.height == len(truth["services"]["turning_60"])
    assert find_id_numbers("\n".join(listed["身份证号"].to_list())) == []
