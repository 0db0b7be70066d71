"""The health_risk notebook runs through papermill on the small city and writes its tables."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

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
    # a forecast from a count below k is withheld (the baseline's median would be that count)
    origin_counts = (
        pl.read_parquet(small_city / "dynamic" / "clinic_counts.parquet")
        .group_by("district_code", "disease", "week_start")
        .agg(pl.col("count").sum())
        .rename({"district_code": "region", "week_start": "origin"})
    )
    from_small = fc.join(origin_counts, on=["region", "disease", "origin"]).filter(
        pl.col("count") < K
    )
    assert from_small.height > 0 and from_small["value"].is_null().all()
    assert fc["suppressed"].to_list() == fc["value"].is_null().to_list()
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


SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
PROVINCES = {"110000": "北京", "310000": "上海", "440000": "广东", "100000": "全国"}
PROJECT_FILE = """\
[datasets.clinic_counts]
source = "cnids_province_monthly.parquet"
frequency = "month"
region_level = "province"
[datasets.clinic_counts.column_map]
month = "week_start"
adcode = "district_code"
disease_zh = "disease"
cases = "count"
"""


@pytest.fixture
def cnids_folder(tmp_path: Path) -> Path:
    """A data folder holding only a slice of the real CNIDS table (three provinces and the
    country's own row, three diseases, 2004-2020) and its project file."""
    source = SHARED / "cnids_province_monthly.parquet"
    if not source.is_file():
        pytest.skip(f"shared data file {source} is absent on this machine")
    folder = tmp_path / "cnids"
    folder.mkdir()
    pl.read_parquet(source).filter(
        pl.col("adcode").is_in(list(PROVINCES))
        & pl.col("disease_zh").is_in(["流行性感冒", "手足口病", "猩红热"])
    ).write_parquet(folder / "cnids_province_monthly.parquet")
    (folder / "govanalytics.toml").write_text(PROJECT_FILE, encoding="utf-8")
    return folder


@pytest.mark.notebook
def test_health_risk_notebook_on_monthly_provincial_data(run_notebook, cnids_folder):
    """The real monthly table renders a chapter about months: December 2020 reported in the
    week it completes, the two diseases with most cases in 2020, the country row as the
    total (never added to its provinces), gaps counted and no sample-city fallback."""
    raw = pl.read_parquet(cnids_folder / "cnids_province_monthly.parquet")
    out = run_notebook("health_risk", data_dir=str(cnids_folder), top_diseases=2, horizon=3)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["week"] == "2020-W53"  # 28 Dec 2020 - 3 Jan 2021: December is complete
    labels = [h["label"] for h in summary["headlines"]]
    assert labels[:3] == ["本月预警", "本月病例", "下月预测病例（中位数）"]
    texts = labels + summary["findings"] + summary["notes"]
    texts += [a["message"] for a in summary["alerts"]]
    assert not [t for t in texts if "本周" in t or "下周" in t]
    # the two diseases with most cases in 2020, counted on the country's row
    country_2020 = raw.filter((pl.col("adcode") == "100000") & (pl.col("month") >= "2020-01-01"))
    top2 = (
        country_2020.group_by("disease_zh")
        .agg(pl.col("cases").sum())
        .sort("cases", descending=True)["disease_zh"]
        .head(2)
        .to_list()
    )
    december = country_2020.filter(
        (pl.col("month") == "2020-12-01") & pl.col("disease_zh").is_in(top2)
    )
    cases = next(h for h in summary["headlines"] if h["key"] == "cases")
    assert cases["value"] == december["cases"].sum()  # the 全国 row, not provinces + country
    alarms = pl.read_parquet(out / "alarms.parquet")
    assert sorted(alarms["disease"].unique()) == sorted(top2)
    assert sorted(alarms["region_code"].unique()) == [
        "110000000000",
        "310000000000",
        "440000000000",
    ]
    assert alarms["week_start"].max() == dt.date(2020, 12, 1)
    assert not alarms["note"].str.contains("周").any()
    fc = pl.read_parquet(out / "forecasts.parquet")
    assert fc["value"].is_finite().all() and fc["value"].min() >= 0
    assert (fc["target"].dt.day() == 1).all()
    now = fc.filter(pl.col("origin") == dt.date(2020, 12, 1))
    assert sorted(now["target"].unique()) == [dt.date(2021, m, 1) for m in (1, 2, 3)]
    assert "100000000000" in now["region"].to_list()  # the country forecast from its own row
    gaps = pl.read_parquet(out / "missing_periods.parquet")
    flu_bj = raw.filter((pl.col("adcode") == "110000") & (pl.col("disease_zh") == "流行性感冒"))
    assert "流行性感冒" in top2  # its Beijing series lacks months: counted, not zero
    row = gaps.filter(
        (pl.col("region_code") == "110000000000") & (pl.col("disease") == "流行性感冒")
    ).row(0, named=True)
    first = dt.date.fromisoformat(flu_bj["month"].min())
    span = (2020 - first.year) * 12 + 12 - first.month + 1
    assert row["absent"] + row["not_reported"] == span - flu_bj["cases"].drop_nulls().len() > 0
    assert any("不计为0" in n for n in summary["notes"])
    skill = [n for n in summary["notes"] if "相对基准误差" in n]
    assert skill[0].startswith("提前1个月：相对基准误差 ") and len(skill) == 3 + 1
    assert any("未绘制风险地图" in n for n in summary["notes"])  # no boundaries: a note
    assert summary["figures"] == ["alarm_chart.png", "forecast_bands.png"]
    executed = (out / "health_risk.ipynb").read_text(encoding="utf-8")
    assert "本周" not in executed and "江海" not in executed
