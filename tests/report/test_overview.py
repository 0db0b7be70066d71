"""The overview notebook and the key figures behind it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from govanalytics.report import city_overview
from govanalytics.report.contract import week_bounds

WEEK = "2026-W47"


@pytest.fixture(scope="module")
def frames(small_city: Path) -> dict[str, pl.DataFrame]:
    """The small city's register, regions and event tables (read directly)."""
    return {
        "register": pl.read_parquet(small_city / "master" / "population_register.parquet"),
        "regions": pl.read_parquet(small_city / "master" / "regions.parquet"),
        "applications": pl.read_parquet(small_city / "dynamic" / "applications.parquet"),
        "comments": pl.read_parquet(small_city / "dynamic" / "comments.parquet"),
    }


def test_ageing_communities_recovered(frames: dict, truth: dict) -> None:
    ov = city_overview(register=frames["register"], regions=frames["regions"], week=WEEK)
    found = ov.communities.filter(pl.col("ageing"))["community_code"].to_list()
    assert sorted(found) == sorted(truth["city"]["ageing_communities"])
    assert int(ov.districts["ageing_communities"].sum()) == len(found)
    assert (
        dict(ov.districts.select("district_code", "region_name").iter_rows())
        == truth["city"]["districts"]
    )
    assert int(ov.districts["people"].sum()) == frames["register"].height


def test_people_outside_known_communities_are_noted_not_dropped_silently(frames: dict) -> None:
    ov = city_overview(register=frames["register"], regions=frames["regions"], week=WEEK)
    assert ov.notes == []  # the sample city places everyone
    register = frames["register"]
    moved = register.with_columns(
        pl.when(pl.int_range(pl.len()) < 20)
        .then(pl.lit("999999999999"))
        .otherwise(pl.col("community_code"))
        .alias("community_code")
    )
    ov = city_overview(register=moved, regions=frames["regions"], week=WEEK, k=15)
    assert int(ov.districts["people"].sum()) == register.height - 20
    assert len(ov.notes) == 1 and "20 人" in ov.notes[0]
    few = register.with_columns(
        pl.when(pl.int_range(pl.len()) < 3)
        .then(pl.lit("999999999999"))
        .otherwise(pl.col("community_code"))
        .alias("community_code")
    )
    ov = city_overview(register=few, regions=frames["regions"], week=WEEK, k=15)
    assert len(ov.notes) == 1 and "少于15 人" in ov.notes[0]  # a count of people below k


def test_weekly_counts_with_previous_and_year_ago(frames: dict) -> None:
    ov = city_overview(week=WEEK, k=15, **frames)
    head = {h["key"]: h for h in ov.headlines}
    apps = frames["applications"]["submitted_at"].dt.date()
    monday, sunday = week_bounds(WEEK)
    assert head["applications"]["value"] == int(apps.is_between(monday, sunday).sum())
    prev = apps.is_between(monday - dt.timedelta(days=7), sunday - dt.timedelta(days=7))
    assert head["applications"]["previous"] == int(prev.sum())
    ago = dt.date.fromisocalendar(2025, 47, 1)
    assert head["applications"]["year_ago"] == int(
        apps.is_between(ago, ago + dt.timedelta(days=6)).sum()
    )


def test_small_weekly_counts_withheld(frames: dict) -> None:
    ov = city_overview(week=WEEK, k=40, **frames)
    table = ov.districts
    for col in ("applications", "comments"):
        shown = table[col].drop_nulls()
        assert not (shown < 40).any()  # zero included: the shared rule withholds all below k
        hidden = table.filter(pl.col(col).is_null())
        assert hidden["suppressed"].all()
        assert hidden.height != 1  # never a single withheld cell next to a published total


def test_findings_print_no_count_below_k(frames: dict) -> None:
    """With a huge k no count of people or events is written in the findings."""
    ov = city_overview(week=WEEK, k=1_000_000_000, **frames)
    text = "".join(ov.findings)
    head = {h["key"]: h["value"] for h in ov.headlines}
    for n in (frames["register"].height, head["applications"], head["comments"]):
        assert f"{n:,}" not in text and str(n) not in text
    assert "少于1000000000人" in text and "少于1000000000件" in text


@pytest.mark.notebook
def test_overview_notebook_runs_on_small_city(run_notebook, small_city: Path, truth: dict) -> None:
    out = run_notebook("overview", data_dir=str(small_city))
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["notebook"] == "overview" and summary["week"] == WEEK
    head = {h["key"]: h["value"] for h in summary["headlines"]}
    assert head["ageing_communities"] == len(truth["city"]["ageing_communities"])
    assert "applications" in head and "comments" in head
    table = pl.read_parquet(out / "district_overview.parquet")
    assert set(table["district_code"]) == set(truth["city"]["districts"])
    for fig in summary["figures"]:
        assert (out / fig).stat().st_size > 1000
    from govanalytics.geo import external_references

    page = (out / "district_map.html").read_text(encoding="utf-8")
    assert "leaflet" in page.lower() and external_references(page) == []


@pytest.mark.notebook
def test_overview_notebook_skips_missing_dataset(run_notebook, small_city: Path, tmp_path) -> None:
    import shutil

    data = tmp_path / "city"
    shutil.copytree(small_city, data)
    (data / "dynamic" / "comments.parquet").unlink()
    out = run_notebook("overview", data_dir=str(data), week=WEEK)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert "comments" not in {h["key"] for h in summary["headlines"]}
    assert any("未找到群众留言数据" in n for n in summary["notes"])
    table = pl.read_parquet(out / "district_overview.parquet")
    assert table["comments"].null_count() == table.height > 0


def test_zh_table_shows_withheld_values_and_percentages() -> None:
    from govanalytics.report import zh_table

    frame = pl.DataFrame(
        {
            "people": [5378, 8050],
            "household_registered_share": [0.6993, 0.716],
            "applications": [None, 22],
            "comments": [None, None],
            "suppressed": [True, False],
        }
    )
    plain = zh_table(frame, percent=("household_registered_share",))
    assert "办件申请（件）" in plain.columns  # no period claimed unless the caller states it
    shown = zh_table(
        frame,
        percent=("household_registered_share",),
        labels={"applications": "本周办件申请", "comments": "本周群众留言"},
    )
    assert list(shown.columns) == [
        "登记人口",
        "户籍人口占比",
        "本周办件申请",
        "本周群众留言",
    ]  # the flag is not a column people read: withheld cells say 已抑制
    assert shown.iloc[0].tolist() == ["5,378", "69.9%", "已抑制", "已抑制"]
    assert shown.iloc[1].tolist() == ["8,050", "71.6%", "22", "—"]
