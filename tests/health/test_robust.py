"""Property test: no non-finite, negative or crossing quantile ever leaves the package."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govanalytics.health import MODELS, QUANTILES, forecast_counts

START = {"week": dt.date(2022, 1, 4), "month": dt.date(2015, 1, 1)}  # a Tuesday; a 1st


def _periods(frequency: str, n: int) -> list[dt.date]:
    if frequency == "week":
        return [START["week"] + dt.timedelta(weeks=i) for i in range(n)]
    return [dt.date(2015 + (i // 12), i % 12 + 1, 1) for i in range(n)]


def _values(kind: str, length: int, rng: np.random.Generator) -> list[int | None]:
    if kind == "zeros":
        return [0] * length
    if kind == "small":
        return rng.poisson(0.3, length).tolist()
    if kind == "huge":
        return rng.poisson(2e9, length).tolist()
    if kind == "spike":
        return [0] * (length - 1) + [int(rng.integers(1, 10**7))]
    return [None if rng.random() < 0.4 else int(v) for v in rng.poisson(40, length)]


@st.composite
def series_sets(draw: st.DrawFn) -> tuple[str, pl.DataFrame]:
    """1–3 series of one frequency: zeros, all-zero, one-period, huge counts, gaps, spikes."""
    frequency = draw(st.sampled_from(["week", "month"]))
    n = draw(st.integers(min_value=1, max_value=130))
    rows = []
    for k in range(draw(st.integers(min_value=1, max_value=3))):
        kind = draw(st.sampled_from(["zeros", "small", "huge", "spike", "gappy"]))
        length = draw(st.integers(min_value=1, max_value=n))
        rng = np.random.default_rng(draw(st.integers(min_value=0, max_value=2**32 - 1)))
        values = _values(kind, length, rng)
        periods = _periods(frequency, n)[n - length :]
        rows += [(f"s{k}", p, v) for p, v in zip(periods, values, strict=True)]
    frame = pl.DataFrame(
        rows,
        schema={"region_code": pl.String, "week_start": pl.Date, "count": pl.Int64},
        orient="row",
    )
    return frequency, frame


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=series_sets())
def test_quantiles_are_finite_non_negative_and_monotone(case):
    frequency, frame = case
    fc = forecast_counts(frame, horizon=3, models=MODELS, frequency=frequency)
    if fc.is_empty():
        return
    assert fc["value"].is_finite().all()
    assert fc["value"].min() >= 0
    per = fc.group_by("region_code", "model", "origin", "horizon").agg(
        pl.col("value").sort_by("quantile").diff().min().alias("step"), pl.len()
    )
    assert (per["len"] == len(QUANTILES)).all()
    assert (per["step"] >= 0).all()
    top = frame.group_by("region_code").agg(pl.col("count").max())
    joined = fc.join(top, on="region_code")
    # plausible: never above 1,000 × the series' largest count + 10 (the members' cap)
    assert (joined["value"] <= 1000 * (joined["count"].fill_null(0) + 10) * 1.0001).all()
