"""Monthly series: the planted outbreak month is found, forecasts run in months and stay finite."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from govanalytics.health import (
    QUANTILES,
    backtest,
    flag_aberrations,
    forecast_counts,
    risk_table,
    weekly_headlines,
)
from govanalytics.health._forecast import holiday_terms
from govanalytics.health._series import shift_period

N_REGIONS = 12
N_MONTHS = 120  # 2011-01 … 2020-12
OUTBREAK = {"region": "110000000000", "month": dt.date(2020, 10, 1), "factor": 2.5}


def _months(n: int, start: dt.date = dt.date(2011, 1, 1)) -> list[dt.date]:
    return [shift_period(start, i, frequency="month") for i in range(n)]


@pytest.fixture(scope="module")
def monthly() -> pl.DataFrame:
    """Negative-binomial monthly counts of 12 provinces over 10 years: a winter season, a 2 %
    yearly trend, and one planted outbreak month (2.5 × its expected count) in 北京 2020-10,
    two months before the end of the data."""
    rng = np.random.default_rng(7)
    months = _months(N_MONTHS)
    m = np.array([d.month for d in months])
    season = 1 + 0.8 * np.cos(2 * np.pi * (m - 1) / 12)
    level = rng.gamma(4, 50, N_REGIONS) + 30
    mu = level[:, None] * season[None, :] * (1.02 ** (np.arange(N_MONTHS) / 12))[None, :]
    hit = months.index(OUTBREAK["month"])
    mu[0, hit] *= OUTBREAK["factor"]
    counts = rng.negative_binomial(40, 40 / (40 + mu))
    codes = [f"{11 + i:02d}0000000000" for i in range(N_REGIONS)]
    return pl.DataFrame(
        {
            "region_code": np.repeat(codes, N_MONTHS),
            "disease": "流行性感冒",
            "week_start": months * N_REGIONS,
            "count": counts.reshape(-1).astype(np.int64),
        }
    )


@pytest.mark.parametrize("method", ["farrington", "noufaily", "moving_percentile"])
def test_planted_outbreak_month_is_found(monthly, method):
    res = flag_aberrations(monthly, method=method, periods=3)
    assert res["week_start"].unique().sort().to_list() == _months(3, dt.date(2020, 10, 1))
    hit = res.filter(pl.col("alarm"))
    assert (OUTBREAK["region"], OUTBREAK["month"]) in hit.select("region_code", "week_start").rows()
    assert (res["method"] == method).all()


@pytest.mark.parametrize("method", ["farrington", "noufaily", "moving_percentile"])
def test_few_false_alarms_in_ordinary_months(monthly, method):
    """Four years of ordinary months before the outbreak: at most 5 % alarm."""
    months = _months(48, dt.date(2016, 9, 1))
    res = flag_aberrations(monthly, method=method, weeks=months)
    assert res.height == 48 * N_REGIONS and res["alarm"].null_count() == 0
    assert res["alarm"].mean() <= 0.05, res["alarm"].mean()


def test_monthly_baseline_is_the_same_months_of_past_years(monthly):
    """The moving percentile's bound with alpha 0.2 is an order statistic of the same month ±1
    in each of the 5 previous years (15 months, exactly 12·k months back)."""
    one = monthly.filter(pl.col("region_code") == "120000000000")
    target = dt.date(2019, 6, 1)
    values = dict(zip(one["week_start"], one["count"], strict=True))
    base = sorted(
        values[shift_period(target, -12 * k + d, frequency="month")]
        for k in range(1, 6)
        for d in (-1, 0, 1)
    )
    res = flag_aberrations(
        one, method="moving_percentile", weeks=[target], level_adjust=False, alpha=0.2
    )
    k = int(np.ceil(0.8 * (len(base) + 1)))
    assert len(base) == 15 and res["upper_bound"][0] == base[k - 1]


def test_monthly_history_is_counted_in_months():
    """Two years of months: too little for Farrington (3 years) and the note says so in months."""
    short = pl.DataFrame(
        {"region_code": "x", "week_start": _months(24), "count": np.full(24, 20, dtype=np.int64)}
    )
    row = flag_aberrations(short, method="farrington", periods=1).row(0, named=True)
    assert row["method"] == "ears_c2"
    assert "历史仅23个月" in row["note"] and "3 年" in row["note"] and "周" not in row["note"]


def test_a_month_not_reported_gets_no_verdict(monthly):
    blank = monthly.with_columns(
        pl.when(pl.col("week_start") == pl.col("week_start").max())
        .then(None)
        .otherwise(pl.col("count"))
        .alias("count")
    )
    res = flag_aberrations(blank, method="farrington", periods=1)
    assert res["alarm"].null_count() == N_REGIONS
    assert (res["method"] == "not_reported").all() and res["observed"].null_count() == N_REGIONS


def test_forecasts_are_in_months_and_finite(monthly):
    fc = forecast_counts(monthly, horizon=3, models=("baseline", "glm", "theta", "ensemble"))
    assert fc.height == N_REGIONS * 4 * 3 * len(QUANTILES)
    assert fc["value"].is_finite().all() and fc["value"].min() >= 0
    assert sorted(fc["target"].unique()) == _months(3, dt.date(2021, 1, 1))
    steps = fc.sort("region_code", "model", "horizon", "quantile").with_columns(
        pl.col("value").diff().over("region_code", "model", "horizon").alias("d")
    )
    assert steps["d"].drop_nulls().min() >= 0


def test_monthly_default_beats_the_flat_baseline(monthly):
    """Two years of monthly origins before the outbreak, horizons 1–3 months."""
    before = monthly.filter(pl.col("week_start") <= dt.date(2020, 9, 1))
    _, scores = backtest(before, origins=24, horizon=3, models=("ensemble",))
    ens = scores.filter((pl.col("model") == "ensemble") & (pl.col("region_code") == "all"))
    assert ens.height == 3
    assert (ens["relative_wis"] < 0.9).all(), ens
    assert ens["coverage_95"].min() >= 0.85, ens


def _robust_cases() -> dict[str, pl.DataFrame]:
    """Weekly series that once gave +inf or NaN quantiles, one per series key."""
    weeks = [dt.date(2023, 1, 2) + dt.timedelta(weeks=i) for i in range(200)]
    rng = np.random.default_rng(3)
    base = rng.poisson(3, 200).astype(float)
    zero_festivals = base.copy()
    from govanalytics.health._series import spring_festival_weeks

    zero_festivals[spring_festival_weeks(weeks)] = 0  # zero in every festival week
    gaps = rng.poisson(40, 200).astype(float)
    gaps[rng.choice(200, 40, replace=False)] = np.nan
    cases = {
        "zero_festivals": zero_festivals,
        "all_zero": np.zeros(200),
        "sparse": np.where(rng.random(200) < 0.05, 1.0, 0.0),
        "huge": rng.poisson(5e6, 200).astype(float),
        "gaps": gaps,
        "spike": np.r_[np.zeros(199), 500.0],
    }
    frames = {
        name: pl.DataFrame({"region_code": name, "week_start": weeks, "count": values})
        for name, values in cases.items()
    }
    frames["one_week"] = pl.DataFrame(
        {"region_code": "one_week", "week_start": [weeks[-1]], "count": [7.0]}
    )
    return frames


def test_no_non_finite_quantile_leaves_the_package():
    frames = _robust_cases()
    frame = pl.concat(frames.values()).with_columns(pl.col("count").fill_nan(None).cast(pl.Int64))
    weeks = frames["all_zero"]["week_start"]
    # from week 160 the 8 weeks ahead hold Spring Festival 2026, whose GLM terms ran to +inf
    # on "zero_festivals" before they were penalised
    fc = forecast_counts(
        frame,
        horizon=8,
        models=("baseline", "glm", "theta", "ensemble"),
        origins=[weeks[159], weeks[199]],
    )
    assert fc["value"].is_finite().all() and fc["value"].min() >= 0
    # one week of data cannot be forecast: no rows, rather than NaN
    assert set(fc["region_code"]) == set(frames) - {"one_week"}
    festival = fc.filter((pl.col("region_code") == "zero_festivals") & (pl.col("model") == "glm"))
    assert festival["value"].max() < 100
    huge = fc.filter(pl.col("region_code") == "huge")["value"]
    assert huge.max() < 1e8
    # 200 weeks without a case: under one case at every level (the global model, trained on
    # all series, keeps a small chance of a first case in its upper quantiles)
    flat = fc.filter(pl.col("region_code") == "all_zero")["value"]
    assert flat.max() < 1
    assert fc.filter((pl.col("region_code") == "all_zero") & (pl.col("quantile") <= 0.5))[
        "value"
    ].max() == pytest.approx(0, abs=1e-6)


def test_festival_terms_only_where_identifiable():
    months = _months(36, dt.date(2017, 1, 1))  # festivals: Jan 2017, Feb 2018, Feb 2019
    assert holiday_terms(months, 36, "month").shape == (36, 1)
    same = _months(24, dt.date(2018, 1, 1))  # Feb 2018, Feb 2019: only "February"
    assert holiday_terms(same, 24, "month").shape == (24, 0)
    early = _months(36, dt.date(2008, 1, 1))  # Feb 2008, Jan 2009, Feb 2010 (lunardate)
    assert holiday_terms(early, 36, "month").shape == (36, 1)
    unknown = _months(36, dt.date(2098, 1, 1))  # 2100 is past the lunar calendar's range
    assert holiday_terms(unknown, 36, "month").shape == (36, 0)
    weeks = [dt.date(2023, 1, 2) + dt.timedelta(weeks=i) for i in range(156)]
    assert holiday_terms(weeks, 156, "week").shape == (156, 4)


def test_monthly_risk_and_headlines_speak_of_months(monthly):
    last = monthly["week_start"].max()
    fc = forecast_counts(monthly, horizon=1)
    pop = pl.DataFrame(schema={"region_code": pl.String, "population": pl.Int64})
    risk = risk_table(monthly, fc, pop)
    row = risk.filter(pl.col("region_code") == "120000000000").row(0, named=True)
    one = monthly.filter(pl.col("region_code") == "120000000000")

    def at(day):
        return one.filter(pl.col("week_start") == day)["count"][0]

    assert row["previous"] == at(dt.date(2020, 11, 1))
    assert row["year_ago"] == at(dt.date(2019, 12, 1))
    assert risk["rank"].max() == N_REGIONS  # ranked by forecast without population
    scores = pl.DataFrame({"model": ["ensemble"], "region_code": ["all"], "relative_wis": [0.8]})
    total = (
        monthly.group_by("week_start")
        .agg(pl.col("count").sum() + 1000)
        .with_columns(
            pl.lit("100000000000").alias("region_code"), pl.lit("流行性感冒").alias("disease")
        )
    )
    heads = weekly_headlines(
        monthly, week_start=last, alerts=[], risk=risk, scores=scores, totals=total
    )
    labels = [h["label"] for h in heads]
    assert labels[:3] == ["本月预警", "本月病例", "下月预测病例（中位数）"]
    cases = heads[1]
    want = total.filter(pl.col("week_start") == last)["count"][0]
    assert cases["value"] == want  # the reported total, not the sum of the parts
    prev = total.filter(pl.col("week_start") == dt.date(2020, 11, 1))["count"][0]
    assert cases["previous"] == prev
