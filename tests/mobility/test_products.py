"""OD products as they come: wide daily share files, relative volumes, alerts (issue 14).

The fixtures are written by the tests (``simulate_od_product``): daily wide CSV files of
inflow and outflow shares in percent, a blank first header, city names, the date only in the
file name, top-15 partners per city, 10 % multiplicative noise, two missing days, a province
row and column mixed in, and a planted lockdown (the largest city's outflow −80 % from day 25).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from govanalytics.errors import DataError
from govanalytics.mobility import (
    SimulatedProduct,
    flow_change_alerts,
    flow_changes,
    flows_from_shares,
    load_od_product,
    read_od_files,
    relative_volumes,
    simulate_od_product,
)


@pytest.fixture(scope="module")
def product(tmp_path_factory) -> SimulatedProduct:
    """40 cities, 35 days of inflow/outflow share files with a planted lockdown."""
    return simulate_od_product(tmp_path_factory.mktemp("migration"), n_cities=40, seed=3)


@pytest.fixture(scope="module")
def shares(product):
    """The product read as it came."""
    return read_od_files(
        sorted(product.folder.glob("*.csv")), value_type="share", filename_date="%Y%m%d"
    )


def test_wide_share_files_read_as_they_come(product, shares) -> None:
    flows = shares.flows
    assert shares.region_level == "prefecture"
    assert set(flows["flow"]) == {"inflow", "outflow"}
    days = set(flows["date"])
    assert len(days) == 35 - len(product.missing_days)
    assert not days & set(product.missing_days)
    assert set(pl.concat([flows["origin"], flows["destination"]])) <= set(
        product.cities["region_code"]
    )
    # percent became fractions: each city's listed outflow shares add up to about 1 or less
    sums = (
        flows.filter(pl.col("flow") == "outflow")
        .group_by("origin", "date")
        .agg(pl.col("value").sum())
    )
    assert sums["value"].max() <= 1.5  # noisy shares, not renormalised; percent would be ~80
    assert sums["value"].min() > 0.3  # top-15 partners hold most of the flow
    # the province row and column are kept apart, never among the cities
    assert shares.other_levels.height
    assert "province" in set(shares.other_levels["origin_level"]) | set(
        shares.other_levels["destination_level"]
    )
    assert any("kept apart" in n for n in shares.notes)
    assert shares.unit_zh == "占比%"
    with pytest.raises(DataError, match="not counts of trips"):
        shares.counts()


def test_relative_volumes_recover_the_truth(product, shares) -> None:
    volumes, fit = relative_volumes(shares.flows)
    assert (fit["r2"] > 0.9).all()
    truth = product.volumes
    got = volumes.drop_nulls(["outflow", "inflow"]).join(
        truth, on=["region_code", "date"], suffix="_true"
    )
    share = {
        c: (pl.col(c) / pl.col(c).sum().over("date"))
        for c in ("outflow", "inflow", "outflow_true", "inflow_true")
    }
    got = got.select(**share)
    assert got.height > 30 * 30
    assert np.corrcoef(got["outflow"], got["outflow_true"])[0, 1] >= 0.95
    assert np.corrcoef(got["inflow"], got["inflow_true"])[0, 1] >= 0.95


def test_trips_from_shares_follow_the_truth(product, shares) -> None:
    volumes, _ = relative_volumes(shares.flows)
    trips = flows_from_shares(shares.flows, volumes)
    got = trips.join(product.trips, on=["origin", "destination", "date"])
    got = got.with_columns(
        pl.col("volume") / pl.col("volume").sum().over("date"),
        pl.col("count") / pl.col("count").sum().over("date"),
    )
    assert np.corrcoef(got["volume"], got["count"])[0, 1] >= 0.95


def test_planted_lockdown_alerted_on_its_first_day(product, shares) -> None:
    volumes, _ = relative_volumes(shares.flows)
    city, first = product.lockdown
    changes = flow_changes(volumes, column="outflow")
    alerts = flow_change_alerts(changes, start=first, end=first + dt.timedelta(days=6))
    mine = [a for a in alerts if a["place_code"] == city]
    assert [a["date"] for a in mine] == [first.isoformat()]  # the first day, once
    assert mine[0]["severity"] == "high"
    assert "减少" in mine[0]["message"] and "非人数" in mine[0]["message"]
    before = flow_change_alerts(
        changes, start=first - dt.timedelta(days=7), end=first - dt.timedelta(days=1)
    )
    assert city not in {a["place_code"] for a in before}


def test_spring_festival_compared_with_last_years() -> None:
    """Every city empties at each Spring Festival: against the same lunar days of the year
    before it is expected (no alert); a city that empties only in 2020 is alerted."""
    days = pl.date_range(dt.date(2019, 1, 1), dt.date(2020, 2, 10), eager=True)
    rows = []
    for city in ("A", "B", "C"):
        for d in days.to_list():
            sf = dt.date(2020, 1, 25) if d.year == 2020 else dt.date(2019, 2, 5)
            value = 1 - 0.6 * np.exp(-(((d - sf).days / 5) ** 2))
            if city == "C" and d >= dt.date(2020, 1, 23):
                value = 0.1
            rows.append((city, d, value))
    volumes = pl.DataFrame(rows, schema=["region_code", "date", "outflow"], orient="row")
    changes = flow_changes(volumes)
    alerts = flow_change_alerts(changes, start=dt.date(2020, 1, 18), end=dt.date(2020, 1, 28))
    assert {a["place_code"] for a in alerts} == {"C"}
    assert changes.filter(pl.col("date") == dt.date(2020, 1, 20))["lunar_change"].abs().max() < 0.1


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_problems_name_the_users_files_with_hints(tmp_path) -> None:
    a = _write(
        tmp_path / "迁入_20200123.csv", ",武汉市,孝感市,火星市\n武汉市,,60.5,1\n孝感市,70.2,,\n"
    )
    b = _write(tmp_path / "matrix.csv", ",武汉市,孝感市\n武汉市,,60.5\n")
    with pytest.raises(DataError) as err:
        read_od_files([a, b], value_type="share", filename_date="%Y%m%d")
    text = str(err.value)
    assert "火星市" in text and "迁入_20200123.csv" in text  # unknown name, its file
    assert "matrix.csv" in text and "filename_date" in text  # no date: the hint
    assert "inflow" in text  # shares of unknown direction
    assert "/tmp" not in text.replace(str(tmp_path), "") or str(tmp_path) in text


def test_counts_that_are_shares_are_refused_with_a_hint(tmp_path) -> None:
    a = _write(tmp_path / "od_2020-01-23.csv", "城市,武汉市,孝感市\n武汉市,,60.5\n孝感市,12,\n")
    with pytest.raises(DataError, match=r'od_2020-01-23.csv.*value_type = "share"'):
        read_od_files([a], filename_date="%Y-%m-%d")


def test_long_list_of_unknown_names_is_capped(tmp_path) -> None:
    names = [f"无名{i}市" for i in range(25)]
    text = (
        ",".join(["", *names])
        + "\n"
        + "\n".join(f"{n}," + ",".join("1" for _ in names) for n in names)
    )
    a = _write(tmp_path / "out_20200101.csv", text + "\n")
    with pytest.raises(DataError, match=r"25 place name\(s\).*and 15 more"):
        read_od_files([a], filename_date="%Y%m%d")


def test_destination_rows_and_historical_names(tmp_path) -> None:
    """Counts with destinations as rows: read the right way round; 那曲地区 is 那曲市."""
    a = _write(tmp_path / "day.csv", ",拉萨市,那曲地区\n拉萨市,,30\n那曲地区,50,\n")
    got = read_od_files(
        [a], orientation="destination_rows", date="2020-01-23", region_level="prefecture"
    ).counts()
    pairs = {(o, d): c for o, d, _, c in got.iter_rows()}
    assert pairs == {("540600000000", "540100000000"): 30, ("540100000000", "540600000000"): 50}


def test_project_file_declares_the_product(product, tmp_path) -> None:
    folder = tmp_path / "proj"
    (folder / "迁徙").mkdir(parents=True)
    for f in sorted(product.folder.glob("*.csv"))[:6]:
        (folder / "迁徙" / f.name).write_bytes(f.read_bytes())
    (folder / "govanalytics.toml").write_text(
        '[datasets.od_counts]\nsource = "迁徙/*.csv"\nvalue_type = "share"\n'
        'filename_date = "%Y%m%d"\nregion_level = "prefecture"\n',
        encoding="utf-8",
    )
    got = load_od_product(folder)
    assert got.value_type == "share" and got.flows.height
    assert len(got.files) == 6


def test_a_project_of_street_counts_is_read_at_street_level(small_city, tmp_path) -> None:
    """A project file declaring the sample city's street-level OD counts without a level: the
    flows are read at the level their codes have, not set apart as 'other levels'."""
    import polars as pl

    from govanalytics.data import open_project
    from govanalytics.mobility import load_od_product

    lines = [
        f'[datasets.{n}]\nsource = "{small_city / "master" / f"{n}.parquet"}"' for n in ("regions",)
    ]
    lines.append(f'[datasets.od_counts]\nsource = "{small_city / "dynamic" / "od_counts.parquet"}"')
    (tmp_path / "govanalytics.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    product = load_od_product(project=open_project(tmp_path))
    raw = pl.read_parquet(small_city / "dynamic" / "od_counts.parquet")
    between = raw.filter(pl.col("origin") != pl.col("destination"))
    assert product.region_level == "street" and product.other_levels.height == 0
    assert product.flows.height == between.height
    assert product.flows["value"].sum() == between["count"].sum()
