"""Proactive rolls: the 60-year bus-card roll, home deliveries, exports and counts."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from govanalytics.errors import ParameterError
from govanalytics.privacy import find_id_numbers
from govanalytics.services import (
    ROLL_FILE,
    bus_card_roll,
    delivery_list,
    roll_counts,
    update_roll,
    write_roll_exports,
)


def test_roll_equals_planted_truth(tables, truth) -> None:
    s = truth["services"]
    roll = bus_card_roll(tables["register"], s["roll_year"])
    assert roll["person_key"].to_list() == s["turning_60"]
    assert (roll["eligible_on"].dt.year() == s["roll_year"]).all()
    delivery = delivery_list(roll, tables["register"])
    assert delivery["person_key"].to_list() == s["delivery"]
    disabled = set(tables["register"].filter(pl.col("disability"))["person_key"])
    assert set(delivery["person_key"]) == set(s["turning_60"]) & disabled


def test_rerun_adds_only_new_people(tmp_path: Path, tables, truth) -> None:
    year = truth["services"]["roll_year"]
    roll, added = update_roll(tmp_path, tables["register"], year)
    assert added.height == roll.height == len(truth["services"]["turning_60"])
    again, added_again = update_roll(tmp_path, tables["register"], year)
    assert added_again.height == 0 and again.equals(roll)
    nxt, added_next = update_roll(tmp_path, tables["register"], year + 1)
    born = tables["register"].filter(pl.col("birth_date").dt.year() == year + 1 - 60)
    assert sorted(added_next["person_key"]) == sorted(born["person_key"])
    assert nxt.filter(pl.col("roll_year") == year).equals(roll)
    kept = pl.read_parquet(tmp_path / ROLL_FILE)
    assert kept.equals(nxt)
    assert set(kept.columns) == {"person_key", "community_code", "roll_year", "eligible_on"}


def _excel_text(path: Path) -> str:
    frame = pl.read_excel(path)
    return "\n".join(str(v) for col in frame.columns for v in frame[col].to_list())


def test_exports_mask_id_numbers_unless_asked(tmp_path: Path, tables, truth) -> None:
    year = truth["services"]["roll_year"]
    roll = bus_card_roll(tables["register"], year)
    paths = write_roll_exports(
        roll, tables["register"], tmp_path / "masked", year=year, regions=tables["regions"]
    )
    masked = pl.read_excel(paths["roll"])
    assert masked.height == len(truth["services"]["turning_60"])
    assert pl.read_excel(paths["delivery"]).height == len(truth["services"]["delivery"])
    assert find_id_numbers(_excel_text(paths["roll"])) == []
    assert masked["身份证号"].str.contains(r"^\d{6}\*{8}[0-9X]{4}$").all()
    full = write_roll_exports(
        roll, tables["register"], tmp_path / "full", year=year, full_identity=True
    )
    assert len(find_id_numbers(_excel_text(full["roll"]))) == roll.height
    with pytest.raises(ParameterError, match="full_identity"):
        write_roll_exports(roll, tables["register"], tmp_path, year=year, full_identity="yes")


def test_roll_counts_per_community_withhold_small_counts(tables, truth) -> None:
    year = truth["services"]["roll_year"]
    roll = bus_card_roll(tables["register"], year)
    k = 10
    counts = roll_counts(roll, tables["register"], year=year, regions=tables["regions"], k=k)
    n_comm = tables["regions"].filter(pl.col("level") == "community").height
    assert counts.height == n_comm
    assert "person_key" not in counts.columns
    for col in ("bus_card", "home_delivery"):
        shown = counts[col].drop_nulls()
        assert (shown >= k).all()
    # what is shown adds up to no more than the roll, and something is shown
    assert 0 < counts["bus_card"].drop_nulls().sum() <= roll.height
    assert counts["home_delivery"].null_count() > 0


def test_service_exports_are_private_and_refused_in_a_report(tables, tmp_path) -> None:
    import stat

    from govanalytics.errors import PrivacyError
    from govanalytics.services import update_roll, write_roll_exports

    def _mode(path):
        return stat.S_IMODE(path.stat().st_mode)

    roll, _ = update_roll(tmp_path / "exports", tables["register"], 2026)
    paths = write_roll_exports(roll, tables["register"], tmp_path / "exports", year=2026)
    assert _mode(tmp_path / "exports") == 0o700
    for path in [*paths.values(), tmp_path / "exports" / "bus_card_roll.parquet"]:
        assert _mode(path) == 0o600, path
    week = tmp_path / "reports" / "2026-W47" / "service_demand"
    with pytest.raises(PrivacyError, match="exports_dir"):
        write_roll_exports(roll, tables["register"], week, year=2026)
    assert not week.exists()
