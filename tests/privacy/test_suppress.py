"""Small-count suppression: nothing below k, nothing recoverable from published totals."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from govanalytics.errors import ParameterError
from govanalytics.privacy import (
    find_recoverable,
    group_totals,
    round_coordinates,
    secondary_suppress,
    suppress_small_counts,
)


def _matrix(seed: int, n: int = 8) -> pl.DataFrame:
    """A random OD-like table with many small cells."""
    rng = np.random.default_rng(seed)
    o, d = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    return pl.DataFrame(
        {
            "origin": o.ravel().astype(str),
            "destination": d.ravel().astype(str),
            "count": rng.negative_binomial(1, 0.03, n * n),
        }
    )


def test_primary_withholds_below_k_and_flags() -> None:
    df = pl.DataFrame({"a": [0, 14, 15, 200, None], "b": [100, 100, 3, 100, 100]})
    out = suppress_small_counts(df, ["a", "b"], k=15)
    assert out["a"].to_list() == [None, None, 15, 200, None]
    assert out["b"].to_list() == [100, 100, None, 100, 100]
    assert out["suppressed"].to_list() == [True, True, True, False, False]


def test_primary_uses_absolute_value_and_custom_k() -> None:
    df = pl.DataFrame({"net": [-3, -40, 9, 10]})
    out = suppress_small_counts(df, "net", k=10)
    assert out["net"].to_list() == [None, -40, None, 10]


def test_primary_keeps_existing_flag_and_works_lazily() -> None:
    df = pl.DataFrame({"a": [100, 3], "suppressed": [True, False]}).lazy()
    out = suppress_small_counts(df, "a").collect()
    assert out["suppressed"].to_list() == [True, True]


def test_bad_parameters_are_named() -> None:
    df = pl.DataFrame({"a": [1]})
    with pytest.raises(ParameterError, match="'k'"):
        suppress_small_counts(df, "a", k=0)
    with pytest.raises(ParameterError, match="nope"):
        suppress_small_counts(df, "nope")


@pytest.mark.parametrize("seed", range(6))
def test_no_withheld_cell_recoverable_from_row_and_column_totals(seed: int) -> None:
    raw = _matrix(seed)
    prim = suppress_small_counts(raw, "count")
    assert prim["count"].is_null().sum() > 0  # the scenario has small cells
    pub = secondary_suppress(prim, "count", groups=[["origin"], ["destination"]])
    out_tot = group_totals(raw, "count", ["origin"])
    in_tot = group_totals(raw, "count", ["destination"])
    # nothing published below k
    assert (pub["count"].drop_nulls() >= 15).all()
    assert (out_tot["total"].drop_nulls() >= 15).all()
    # the attack, written out: for each group with a published total, subtract the parts
    for keys, tot in ((["origin"], out_tot), (["destination"], in_tot)):
        parts = pub.group_by(keys).agg(
            pl.col("count").is_null().sum().alias("withheld"),
            pl.col("count").sum().alias("parts"),
        )
        j = parts.join(tot, on=keys).filter(pl.col("total").is_not_null())
        assert j.filter(pl.col("withheld") == 1).height == 0, j
    assert find_recoverable(
        pub, "count", {("origin",): out_tot, ("destination",): in_tot}
    ).is_empty()


def test_attack_finds_leak_without_secondary_suppression() -> None:
    raw = _matrix(0)
    prim = suppress_small_counts(raw, "count")
    leaks = find_recoverable(prim, "count", {("origin",): group_totals(raw, "count", ["origin"])})
    assert leaks.height > 0
    # each recovered value is the true withheld value
    truth = raw.join(prim.filter(pl.col("count").is_null()), on=["origin", "destination"])
    by_origin = truth.group_by("origin").agg(pl.col("count").sum(), pl.len())
    single = dict(by_origin.filter(pl.col("len") == 1).select("origin", "count").iter_rows())
    got = dict(leaks.select("key", "recovered").iter_rows())
    assert got == {o: float(v) for o, v in single.items()}


def test_grand_total_group() -> None:
    raw = pl.DataFrame({"area": list("abcd"), "n": [500, 7, 300, 200]})
    pub = secondary_suppress(suppress_small_counts(raw, "n"), "n", groups=[[]])
    assert pub["n"].to_list() == [500, None, 300, None]  # smallest published also withheld
    grand = raw.select(pl.col("n").sum().alias("total"))
    assert find_recoverable(pub, "n", {(): grand}).is_empty()


def test_round_coordinates() -> None:
    df = pl.DataFrame({"lon": [114.123456], "lat": [22.654321]})
    out = round_coordinates(df)
    assert out.row(0) == (114.123, 22.654)
