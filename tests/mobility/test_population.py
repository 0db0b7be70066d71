"""Resident and floating population recover the sample city's planted truths."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from govanalytics.errors import ParameterError
from govanalytics.mobility import (
    area_market_share,
    cell_area_weights,
    commuting_from_shifts,
    latest_complete_month,
    night_levels,
    population_estimates,
    register_counts,
    register_density,
    resident_population,
    voronoi_cells,
    weights_to_level,
)


def _tested_districts(truth: dict) -> list[str]:
    """Districts whose register differs from the true residents by 10 % or more."""
    mob = truth["mobility"]
    out = [d for d, n in mob["resident"].items() if abs(n / mob["registered"][d] - 1) >= 0.10]
    assert len(out) >= 2
    shares = {mob["market_share"][d] for d in out}
    assert max(shares) - min(shares) >= 0.05  # market share differs between them
    return out


def test_latest_complete_month_is_the_planted_month(inputs, truth) -> None:
    assert latest_complete_month(inputs.last_day) == truth["mobility"]["month"]
    assert latest_complete_month(dt.date(2026, 10, 31)) == "2026-10"


def test_resident_within_5_percent(estimates, truth) -> None:
    got = dict(estimates.select("area", "resident").iter_rows())
    for d in _tested_districts(truth):
        want = truth["mobility"]["resident"][d]
        assert got[d] == pytest.approx(want, rel=0.05), d


def test_floating_within_10_percent(estimates, truth) -> None:
    """Floating = resident − household-registered, within ±10 % of the planted truth in every
    district where register and truth differ by 10 % or more."""
    mob = truth["mobility"]
    got = dict(estimates.select("area", "floating").iter_rows())
    for d in _tested_districts(truth):
        want = mob["floating"][d]
        assert want >= 0.15 * mob["resident"][d], d  # floating is a real share of residents
        assert got[d] == pytest.approx(want, rel=0.10), d


def test_register_counts_match_the_register(estimates, truth) -> None:
    got = dict(estimates.select("area", "registered").iter_rows())
    assert got == truth["mobility"]["registered"]


def test_naive_city_wide_share_misses(inputs, truth) -> None:
    """Night devices ÷ one city-wide share: the test above would catch this method."""
    month = truth["mobility"]["month"]
    nights = night_levels(inputs.device_counts, inputs.weights).collect()
    first = dt.date.fromisoformat(month + "-01")
    naive = (
        nights.filter(pl.col("night").dt.strftime("%Y-%m") == month)
        .group_by("area")
        .agg(pl.col("devices").median())
        .with_columns(pl.col("devices") / inputs.market_share["market_share"].mean())
    )
    errors = [abs(v / truth["mobility"]["resident"][a] - 1) for a, v in naive.iter_rows()]
    assert first.day == 1
    assert naive.height == len(truth["mobility"]["resident"])  # every district compared
    assert max(errors) > 0.05


def test_interval_covers_estimate(estimates) -> None:
    assert (estimates["resident_low"] <= estimates["resident"]).all()
    assert (estimates["resident"] <= estimates["resident_high"]).all()
    width = (estimates["resident_high"] - estimates["resident_low"]) / estimates["resident"]
    assert (width < 0.1).all()


def test_short_stay_largest_where_visitors_planted(estimates, truth) -> None:
    planted = truth["mobility"]["short_stay"]
    got = dict(estimates.select("area", "short_stay").iter_rows())
    with_visitors = [d for d, v in planted.items() if v > 0]
    without = [d for d, v in planted.items() if v == 0]
    assert min(got[d] for d in with_visitors) > max(got[d] for d in without)


def test_cbd_gains_in_daytime(estimates, truth) -> None:
    shift = commuting_from_shifts(estimates)
    assert shift["area"][0] == truth["mobility"]["cbd_district"]
    assert shift["day_change"][0] > 0


def test_base_stations_as_voronoi_areas(inputs, small_city, truth) -> None:
    """Counts given per base station (points) instead of grid polygons."""
    import geopandas as gpd

    cells = gpd.read_parquet(small_city / "master/grid_cells.parquet")
    pts = cells.geometry.representative_point()
    stations = pl.DataFrame({"cell_id": cells["cell_id"], "lon": pts.x, "lat": pts.y})
    vor = voronoi_cells(stations, inputs.boundaries)
    assert len(vor) == len(cells)
    w = cell_area_weights(vor, inputs.boundaries)
    assert np.allclose(w.group_by("cell_id").agg(pl.col("weight").sum())["weight"], 1.0)
    est = population_estimates(
        inputs.device_counts,
        w,
        inputs.market_share,
        month=truth["mobility"]["month"],
        n_boot=20,
    )
    total = est["resident"].sum()
    assert total == pytest.approx(sum(truth["mobility"]["resident"].values()), rel=0.03)


def test_spring_festival_marked_not_averaged(truth) -> None:
    """A city whose data span Spring Festival 2026 (17 February): the month is marked and
    its resident level ignores the emptied holiday nights."""
    from govanalytics.synth import _mobile
    from govanalytics.synth._base import make_base

    city = make_base("small", 1, dt.date(2026, 3, 8), np.random.default_rng(5))
    part = _mobile.generate(city, np.random.default_rng(6))
    mob = part.truth
    assert mob["month"] == "2026-02" and mob["spring_festival_nights"]
    cells = part.files["master/grid_cells.parquet"]
    comm = city.boundaries[city.boundaries["level"] == "community"]
    dens = register_density(city.register, city.boundaries)
    w = weights_to_level(cell_area_weights(cells, comm, density=dens), city.regions)
    share = area_market_share(part.files["master/market_share.parquet"], city.regions)
    nights = night_levels(part.files["dynamic/device_counts.parquet"], w).collect()
    res = resident_population(nights, share, month="2026-02", n_boot=20)
    assert res["spring_festival"].all()
    assert (res["holiday_night"] < 0.8 * res["resident"]).all()
    for area, resident in res.select("area", "resident").iter_rows():
        assert resident == pytest.approx(mob["resident"][area], rel=0.05)
    reg = register_counts(city.register, city.regions)
    assert reg["registered"].sum() == city.register.height


def test_bad_month_named() -> None:
    frame = pl.DataFrame({"area": ["a"], "night": [dt.date(2026, 1, 1)], "devices": [1.0]})
    with pytest.raises(ParameterError, match="'month'"):
        resident_population(
            frame, pl.DataFrame({"area": ["a"], "market_share": [0.5]}), month="2026-13"
        )


def test_calibrate_to_register_total(inputs, truth) -> None:
    """Calibration takes the level from the register: the city total becomes the register's
    (which is why it is off by default — the register is not the truth)."""
    est = inputs.estimate(month=truth["mobility"]["month"], calibrate=True, n_boot=20)
    assert est["resident"].sum() == pytest.approx(est["registered"].sum(), rel=1e-9)
    truth_total = sum(truth["mobility"]["resident"].values())
    assert abs(est["resident"].sum() / truth_total - 1) > 0.05


def test_register_counts_names_unknown_community(inputs, small_city) -> None:
    from govanalytics.data import load
    from govanalytics.errors import DataError

    register = load("population_register", data_dir=small_city)
    stray = register.head(1).with_columns(pl.lit("449999999999").alias("community_code"))
    with pytest.raises(DataError, match=r"'community_code'.*449999999999"):
        register_counts(pl.concat([register, stray]), inputs.regions)


def test_cell_weights_count_what_they_cannot_place() -> None:
    """A cell outside every area is named in a warning; a cell only in zero-density areas
    keeps plain area shares instead of losing its devices (or turning them into NaN)."""
    import geopandas as gpd
    from shapely.geometry import box

    areas = gpd.GeoDataFrame(
        {"region_code": ["a", "b"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs="EPSG:4326"
    )
    cells = gpd.GeoDataFrame(
        {"cell_id": ["in", "empty", "out"]},
        geometry=[box(0.5, 0, 1.5, 1), box(0, 0, 0.5, 1), box(5, 5, 6, 6)],
        crs="EPSG:4326",
    )
    density = pl.DataFrame({"region_code": ["a", "b"], "density": [0.0, 3.0]})
    with pytest.warns(UserWarning) as record:
        w = cell_area_weights(cells, areas, density=density)
    text = " ".join(str(r.message) for r in record)
    assert "1 cell(s) overlap no area" in text and "out" in text
    assert "zero density" in text and "empty" in text
    got = {(c, a): v for c, a, v in w.iter_rows()}
    assert got[("in", "b")] == pytest.approx(1.0) and got[("in", "a")] == pytest.approx(0.0)
    assert got[("empty", "a")] == pytest.approx(1.0)
    assert not w["weight"].is_nan().any()


def test_duplicate_device_count_rows_are_refused_naming_key_and_rows(inputs, truth) -> None:
    import dataclasses

    from govanalytics.errors import DataError
    from govanalytics.mobility import duplicate_device_counts

    month = truth["mobility"]["month"]
    assert duplicate_device_counts(inputs.device_counts, month=month).is_empty()
    n = inputs.device_counts.select(pl.len()).collect().item()
    twice = inputs.device_counts.filter(pl.col("date") == pl.date(*map(int, month.split("-")), 2))
    doubled = dataclasses.replace(
        inputs, device_counts=pl.concat([inputs.device_counts, twice.head(4)])
    )
    dups = duplicate_device_counts(doubled.device_counts, month=month)
    assert dups.height == 4 and dups["n"].to_list() == [2] * 4
    assert all(r[1] > n for r in dups["rows"].to_list())  # the appended copies
    with pytest.raises(DataError, match=rf"4 duplicate row\(s\) in month {month}(.|\n)*rows "):
        doubled.estimate(month=month)
