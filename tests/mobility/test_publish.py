"""Published mobility tables: nothing below k, nothing recoverable from published totals."""

from __future__ import annotations

import polars as pl
import pytest

from govanalytics.mobility import od_by_period, publish_flows, publish_population

K = 15


def _attack(
    published: pl.DataFrame, column: str, keys: list[str], totals: pl.DataFrame, total_column: str
) -> pl.DataFrame:
    """For each group with a published total, subtract the published parts; a group with
    exactly one withheld part gives that part away."""
    parts = published.group_by(keys).agg(
        pl.col(column).is_null().sum().alias("withheld"),
        pl.col(column).sum().alias("parts"),
    )
    joined = parts.join(totals, on=keys, how="inner").filter(pl.col(total_column).is_not_null())
    return joined.filter(pl.col("withheld") == 1).with_columns(
        recovered=pl.col(total_column) - pl.col("parts")
    )


@pytest.fixture(scope="module")
def street_flows(od):
    return od_by_period(od, period="week")


def test_flows_nothing_below_k(street_flows) -> None:
    pub, totals = publish_flows(street_flows, k=K)
    assert pub["count"].null_count() > 0  # small flows exist and are withheld
    assert (pub["count"].drop_nulls() >= K).all()
    assert (totals["inflow"].drop_nulls() >= K).all()
    assert (totals["outflow"].drop_nulls() >= K).all()
    assert pub.filter(pl.col("count").is_null())["suppressed"].all()
    assert not pub.filter(pl.col("count").is_not_null())["suppressed"].any()


def test_flows_nothing_recoverable(street_flows) -> None:
    pub, totals = publish_flows(street_flows, k=K)
    out_tot = totals.select(pl.col("area").alias("origin"), "period", "outflow")
    in_tot = totals.select(pl.col("area").alias("destination"), "period", "inflow")
    assert _attack(pub, "count", ["period", "origin"], out_tot, "outflow").is_empty()
    assert _attack(pub, "count", ["period", "destination"], in_tot, "inflow").is_empty()
    # in/out-flows: never exactly one withheld per period (its grand total is published)
    per_period = totals.group_by("period").agg(
        pl.col("inflow").null_count().alias("in_w"), pl.col("outflow").null_count().alias("out_w")
    )
    assert (per_period["in_w"] != 1).all() and (per_period["out_w"] != 1).all()
    # net published only with both in- and out-flow
    both = totals["inflow"].is_not_null() & totals["outflow"].is_not_null()
    assert totals.filter(~both)["net"].null_count() == totals.filter(~both).height


def test_attack_would_succeed_without_secondary_suppression(street_flows) -> None:
    from govanalytics.privacy import suppress_small_counts

    _, totals = publish_flows(street_flows, k=K)
    naive = suppress_small_counts(street_flows, "count", k=K)
    out_tot = totals.select(pl.col("area").alias("origin"), "period", "outflow")
    leaks = _attack(naive, "count", ["period", "origin"], out_tot, "outflow")
    assert leaks.height > 0
    # and what leaks is the true withheld flow
    truth = street_flows.join(
        naive.filter(pl.col("count").is_null()).select("origin", "destination", "period"),
        on=["origin", "destination", "period"],
    )
    row = leaks.row(0, named=True)
    hidden = truth.filter((pl.col("origin") == row["origin"]) & (pl.col("period") == row["period"]))
    assert hidden["count"].to_list() == [row["recovered"]]


def test_population_published(estimates) -> None:
    pub = publish_population(estimates, k=K)
    assert pub.columns[:3] == ["area", "period", "night"]
    assert not pub["suppressed"].any()  # districts are large
    assert (pub["resident"] >= K).all()


def test_population_with_high_k_protects_city_totals(estimates) -> None:
    """With k above some districts' counts, withheld districts cannot be rebuilt from the
    city totals (published in the summary)."""
    k = int(estimates["registered"].min()) + 1
    pub = publish_population(estimates, k=k)
    assert pub["registered"].null_count() >= 2
    for col in ("night", "day", "resident", "registered", "short_stay", "floating"):
        vals = pub[col].drop_nulls()
        assert (vals.abs() >= k).all(), col
        assert pub[col].null_count() != 1, col  # never exactly one withheld per city total
    gone = pub.filter(pl.col("resident").is_null())
    assert gone["resident_low"].null_count() == gone.height
    assert "household_registered" not in pub.columns
