"""Flows, corridors and the gravity model on the small city's OD counts."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from govanalytics.errors import DataError, ParameterError
from govanalytics.mobility import (
    area_distances,
    common_part_of_commuters,
    evaluate_gravity,
    in_out_flows,
    od_by_period,
    od_from_matrix,
    top_corridors,
)


@pytest.fixture(scope="module")
def streets(inputs, small_city):
    from govanalytics.data import load_boundaries

    b = load_boundaries(data_dir=small_city)
    return b[b["level"] == "street"]


def test_gravity_predicts_held_back_pairs(od, streets, truth) -> None:
    month = truth["mobility"]["month"]
    flows = od_by_period(od, period="month").filter(pl.col("period") == month)
    model, held, scores = evaluate_gravity(flows, area_distances(streets), holdout=0.2, seed=3)
    assert scores["n_held_back"] >= 10
    assert scores["cpc"] >= 0.8
    assert scores["r2"] >= 0.8
    # the planted decay is exponential with a 6 km scale
    assert model.decay == truth["mobility"]["commuting"]["decay"]
    assert model.aic["exponential"] < model.aic["power"]
    assert -1 / model.gamma == pytest.approx(truth["mobility"]["commuting"]["scale_km"], rel=0.15)
    assert held["predicted"].null_count() == 0


def test_power_decay_is_worse_here(od, streets, truth) -> None:
    month = truth["mobility"]["month"]
    flows = od_by_period(od, period="month").filter(pl.col("period") == month)
    _, _, exp_scores = evaluate_gravity(flows, area_distances(streets), decay="exponential")
    _, _, pow_scores = evaluate_gravity(flows, area_distances(streets), decay="power")
    assert pow_scores["cpc"] < exp_scores["cpc"]


def test_cpc_bounds() -> None:
    assert common_part_of_commuters([10, 20], [10, 20]) == 1.0
    assert common_part_of_commuters([10, 0], [0, 10]) == 0.0


def test_district_flows_follow_commuting_truth(od, inputs, truth) -> None:
    flows = od_by_period(od, period="month", regions=inputs.regions, area_level="district")
    month = flows.filter(pl.col("period") == truth["mobility"]["month"])
    io = in_out_flows(month)
    # the CBD district has the largest net in-flow
    assert io.sort("net", descending=True)["area"][0] == truth["mobility"]["cbd_district"]
    # shares of each origin's out-flow match the planted district commuting matrix
    matrix = truth["mobility"]["commuting"]["district_matrix"]
    shares = month.with_columns(pl.col("count") / pl.col("count").sum().over("origin"))
    for o, d, s in shares.select("origin", "destination", "count").iter_rows():
        want = matrix[o][d] / sum(matrix[o].values())
        assert s == pytest.approx(want, abs=0.02)
    # in/out are totals of the unsuppressed flows
    assert io["inflow"].sum() == io["outflow"].sum() == month["count"].sum()


def test_top_corridors(od, inputs) -> None:
    flows = od_by_period(od, period="week", regions=inputs.regions, area_level="district")
    top = top_corridors(flows, n=3)
    assert top.group_by("period").len()["len"].max() == 3
    first = top.filter(pl.col("rank") == 1)
    assert (first["origin"] < first["destination"]).all()


def test_periods_and_labels(od) -> None:
    weeks = od_by_period(od, period="week")
    assert weeks["period"].str.contains(r"^\d{4}-W\d{2}$").all()
    days = od_by_period(od, period="day")
    assert (
        days["count"].sum() == od.filter(pl.col("origin") != pl.col("destination"))["count"].sum()
    )
    with pytest.raises(ParameterError, match="'period'"):
        od_by_period(od, period="year")


def test_od_from_matrix_round_trip(od) -> None:
    day = od.filter(pl.col("date") == pl.col("date").max())
    wide = day.pivot(on="destination", index=["origin", "date"], values="count")
    back = od_from_matrix(wide)
    assert back.sort("origin", "destination").equals(
        day.select(back.columns).sort("origin", "destination")
    )


def test_od_from_matrix_names_bad_cell() -> None:
    wide = pl.DataFrame(
        {"origin": ["440101001000"], "date": [dt.date(2026, 1, 1)], "440101002000": [-3]}
    )
    with pytest.raises(DataError, match="440101002000"):
        od_from_matrix(wide)


def test_load_od_accepts_wide_matrix(od, small_city, tmp_path) -> None:
    from govanalytics.mobility import load_od

    day = od.filter(pl.col("date") == pl.col("date").max())
    wide = day.pivot(on="destination", index=["origin", "date"], values="count")
    path = tmp_path / "od_wide.parquet"
    wide.write_parquet(path)
    got = load_od(data_dir=small_city, od_path=str(path))
    assert got["count"].sum() == day["count"].sum()


def test_od_by_period_names_unknown_codes(od, inputs) -> None:
    stray = od.head(1).with_columns(pl.lit("449999999999").alias("destination"))
    with pytest.raises(DataError, match=r"'destination'.*449999999999"):
        od_by_period(pl.concat([od, stray]), regions=inputs.regions, area_level="district")


def test_load_od_reads_a_wide_csv_like_any_input(od, small_city, tmp_path) -> None:
    """A wide matrix exported from Excel as 'CSV UTF-8' (with BOM) and Chinese headers."""
    from govanalytics.mobility import load_od

    day = od.filter(pl.col("date") == pl.col("date").max())
    wide = day.pivot(on="destination", index=["origin", "date"], values="count").rename(
        {"origin": "出发地", "date": "日期"}
    )
    path = tmp_path / "od_wide.csv"
    path.write_bytes(b"\xef\xbb\xbf" + wide.write_csv().encode("utf-8"))
    got = load_od(
        data_dir=small_city,
        od_path=str(path),
        column_map={"od_counts": {"出发地": "origin", "日期": "date"}},
    )
    assert got["count"].sum() == day["count"].sum()
    key = ["origin", "destination", "date"]
    assert got.select(*key, "count").sort(key).equals(day.select(*key, "count").sort(key))


@pytest.mark.parametrize(
    ("cell", "what"),
    [("abc", "not a number"), ("2.5", "not a whole number"), ("-1", "negative count")],
)
def test_od_from_matrix_text_cells_checked(cell, what) -> None:
    wide = pl.DataFrame(
        {"origin": ["440101001000"], "date": ["2026-01-01"], "440101002000": [cell]}
    )
    with pytest.raises(DataError, match=f"{what}.*'440101002000'"):
        od_from_matrix(wide)


def test_od_from_matrix_bad_date_named() -> None:
    wide = pl.DataFrame({"origin": ["440101001000"], "date": ["2026/13/01"], "440101002000": ["4"]})
    with pytest.raises(DataError, match="'date' is not a YYYY-MM-DD date"):
        od_from_matrix(wide)


def test_device_counts_of_unknown_cells_are_named(small_city, tmp_path) -> None:
    from govanalytics.mobility import load_mobility_inputs

    counts = pl.read_parquet(small_city / "dynamic" / "device_counts.parquet")
    stray = counts.head(1).with_columns(pl.lit("X999").alias("cell_id"))
    path = tmp_path / "device_counts.parquet"
    pl.concat([counts, stray]).write_parquet(path)
    with pytest.raises(DataError, match=r"'cell_id'.*X999"):
        load_mobility_inputs(data_dir=small_city, device_counts_path=path)


def test_gravity_names_pairs_without_distance(od, streets, truth) -> None:
    month = truth["mobility"]["month"]
    flows = od_by_period(od, period="month").filter(pl.col("period") == month)
    dist = area_distances(streets)
    o, d = flows.row(0)[:2]
    partial = dist.filter(~((pl.col("origin") == o) & (pl.col("destination") == d)))
    with pytest.raises(DataError, match=rf"'distances'.*{o}→{d}"):
        evaluate_gravity(flows, partial)


def test_top_corridors_never_add_a_withheld_direction() -> None:
    flows = pl.DataFrame(
        {
            "origin": ["a", "b", "a", "c", "b", "c"],
            "destination": ["b", "a", "c", "a", "c", "b"],
            "period": ["2026-W40"] * 6,
            "count": [500, None, 300, 200, None, None],
        },
        schema_overrides={"count": pl.Int64},
    )
    top = top_corridors(flows, n=5)
    got = {(o, d): (c, p) for _, o, d, c, _, p in top.iter_rows()}
    assert got == {("a", "b"): (500, True), ("a", "c"): (500, False)}  # b-c: both withheld
    one_way = top_corridors(flows, n=5, symmetric=False)
    assert one_way["count"].to_list() == [500, 300, 200]
    assert not one_way["partial"].any()
