"""Early warning recovers the planted outbreak and stays quiet in ordinary seasons."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm

from govanalytics.errors import ParameterError
from govanalytics.health import flag_aberrations
from govanalytics.health._glm import fit_poisson_batch
from govanalytics.health._series import spring_festival_weeks


def _past_winter_weeks(series: pl.DataFrame) -> list[dt.date]:
    """Mondays of November–March in the three winters before the current one."""
    return [
        w
        for w in series["week_start"].unique().sort().to_list()
        if w.month in (11, 12, 1, 2, 3) and dt.date(2023, 11, 1) <= w <= dt.date(2026, 3, 31)
    ]


def _without_planted(alarms: pl.DataFrame, truth: dict) -> pl.DataFrame:
    for ob in [truth["health"]["outbreak"], *truth["health"]["past_outbreaks"]]:
        start = dt.date.fromisoformat(ob["start_week"])
        end = start + dt.timedelta(weeks=ob["weeks"])
        alarms = alarms.filter(
            ~(
                (pl.col("region_code") == ob["district_code"])
                & (pl.col("week_start") >= start)
                & (pl.col("week_start") < end)
            )
        )
    return alarms


@pytest.mark.parametrize("method", ["farrington", "noufaily", "moving_percentile", "ears_c2"])
def test_planted_outbreak_flagged_within_a_week(ili, truth, method):
    ob = truth["health"]["outbreak"]
    start = dt.date.fromisoformat(ob["start_week"])
    res = flag_aberrations(ili, method=method, periods=4)
    mine = res.filter(pl.col("region_code") == ob["district_code"])
    early = mine.filter(
        (pl.col("week_start") >= start) & (pl.col("week_start") <= start + dt.timedelta(weeks=1))
    )
    assert early.height == 2
    assert early["alarm"].any(), early
    assert (mine["method"] == method).all()


def test_only_the_outbreak_district_alarms_in_the_last_week(ili, truth):
    res = flag_aberrations(ili, method="farrington", periods=1)
    alarmed = res.filter(pl.col("alarm"))["region_code"].to_list()
    assert alarmed == [truth["health"]["outbreak"]["district_code"]]


@pytest.mark.parametrize("method", ["farrington", "noufaily", "moving_percentile"])
def test_false_alarms_in_ordinary_winters(ili, truth, method):
    """The seasonal methods alarm in at most 5 % of ordinary winter region-weeks."""
    res = _without_planted(
        flag_aberrations(ili, method=method, weeks=_past_winter_weeks(ili)), truth
    )
    assert res.height >= 200
    assert res["alarm"].null_count() == 0
    rate = res["alarm"].mean()
    assert rate <= 0.05, f"{method}: false-alarm rate {rate:.3f} over {res.height} region-weeks"


def test_moving_percentile_screening_signals_are_not_alarms(ili, truth):
    """CIDARS' P80 flags about a fifth of ordinary weeks: reported as screening signals in the
    note, not as alarms; without the level adjustment and prediction bound the alarm rate is
    higher than with them."""
    weeks = _past_winter_weeks(ili)
    res = _without_planted(flag_aberrations(ili, method="moving_percentile", weeks=weeks), truth)
    signal = res["note"].str.contains("筛查信号")
    assert 0.1 <= signal.mean() <= 0.35
    assert not (signal & res["alarm"]).any()
    assert (res["upper_bound"] >= res["expected"]).all()
    bare = _without_planted(
        flag_aberrations(
            ili, method="moving_percentile", weeks=weeks, level_adjust=False, alpha=0.2
        ),
        truth,
    )
    assert bare["alarm"].mean() > res["alarm"].mean() + 0.05


def test_moving_percentile_bound_is_the_order_statistic():
    """With 5 years × 5 weeks = 25 flat weeks, alpha 0.05 puts the bound at their maximum and
    alpha 0.2 at the 21st smallest; a trend is removed by the level adjustment."""
    frame = _short(400)
    mat_weeks = frame["week_start"].to_list()
    counts = np.asarray(frame["count"].to_list(), dtype=float)
    res = flag_aberrations(frame, method="moving_percentile", periods=1, level_adjust=False)
    t = len(mat_weeks) - 1
    idx = [t - round(k * 365.2425 / 7) + d for k in range(1, 6) for d in range(-2, 3)]
    holiday = spring_festival_weeks(mat_weeks)
    base = np.sort(counts[[i for i in idx if not holiday[i]]])
    assert res["upper_bound"][0] == base[-1]
    res20 = flag_aberrations(
        frame, method="moving_percentile", periods=1, level_adjust=False, alpha=0.2
    )
    k = int(np.ceil(0.8 * (len(base) + 1)))
    assert res20["upper_bound"][0] == base[k - 1]


def test_moving_percentile_level_adjustment_follows_a_trend():
    """A series growing 10 % a year: unadjusted, the same-season bound of older years lags the
    current level and ordinary weeks alarm; adjusted to the current level they do not."""
    rng = np.random.default_rng(5)
    n = 420
    start = dt.date(2026, 11, 16) - dt.timedelta(weeks=n - 1)
    mu = 200 * 1.1 ** (np.arange(n) / 52.18)
    frame = pl.DataFrame(
        {
            "region_code": ["440101000000"] * n,
            "disease": ["influenza_like_illness"] * n,
            "week_start": [start + dt.timedelta(weeks=i) for i in range(n)],
            "count": rng.poisson(mu).astype(np.int64),
        }
    )
    on = flag_aberrations(frame, method="moving_percentile", periods=52)
    off = flag_aberrations(frame, method="moving_percentile", periods=52, level_adjust=False)
    assert on["alarm"].mean() <= 0.1
    assert off["alarm"].mean() >= 0.5


def test_past_outbreak_is_down_weighted(ili, truth):
    """The planted past outbreak sits in the baseline of the same weeks two years later: with
    reweighting the threshold there is lower than without."""
    past = truth["health"]["past_outbreaks"][0]
    weeks = [
        dt.date.fromisoformat(past["start_week"]) + dt.timedelta(weeks=104 + k) for k in (1, 2)
    ]
    on = flag_aberrations(ili, method="farrington", weeks=weeks)
    off = flag_aberrations(ili, method="farrington", weeks=weeks, reweight_threshold=1e9)
    sel = pl.col("region_code") == past["district_code"]
    assert (on.filter(sel)["upper_bound"] < off.filter(sel)["upper_bound"]).all()


def _short(weeks: int) -> pl.DataFrame:
    start = dt.date(2026, 11, 16) - dt.timedelta(weeks=weeks - 1)
    rng = np.random.default_rng(0)
    return pl.DataFrame(
        {
            "region_code": ["440101000000"] * weeks,
            "disease": ["influenza_like_illness"] * weeks,
            "week_start": [start + dt.timedelta(weeks=i) for i in range(weeks)],
            "count": rng.poisson(20, weeks).astype(np.int64),
        }
    )


@pytest.mark.parametrize(
    ("weeks", "used", "phrase"),
    [(60, "ears_c2", "改用EARS C2"), (8, "ears_c1", "改用EARS C1"), (5, "cusum", "改用CUSUM")],
)
def test_too_little_history_falls_back_and_says_so(weeks, used, phrase):
    res = flag_aberrations(_short(weeks), method="farrington", periods=1)
    row = res.row(0, named=True)
    assert row["method"] == used
    assert phrase in row["note"] and "不足" in row["note"]
    assert row["alarm"] is not None


def test_no_verdict_rather_than_silent_no_alarm():
    res = flag_aberrations(_short(2), method="farrington", periods=2)
    assert res["alarm"].null_count() == 2
    assert (res["method"] == "insufficient_history").all()
    assert res["note"].str.contains("历史不足").all()


def test_limit54_blocks_alarms_on_tiny_counts():
    frame = _short(400).with_columns(pl.lit(0, dtype=pl.Int64).alias("count"))
    frame = frame.with_columns(
        pl.when(pl.col("week_start") == frame["week_start"].max())
        .then(3)
        .otherwise(0)
        .alias("count")
    )
    res = flag_aberrations(frame, method="farrington", periods=1)
    assert res["alarm"].to_list() == [False]
    assert "不足5例" in res["note"][0]


def test_unknown_method_names_parameter():
    with pytest.raises(ParameterError, match="'method'"):
        flag_aberrations(_short(20), method="magic")


def test_batched_glm_equals_statsmodels():
    rng = np.random.default_rng(3)
    n = 60
    x = np.column_stack([np.ones(n), np.linspace(-1, 1, n), np.sin(np.arange(n) / 5)])
    y = rng.poisson(np.exp(2 + 0.3 * x[:, 1] + 0.5 * x[:, 2]), size=(3, n)).astype(float)
    w = rng.uniform(0.2, 1.5, size=(3, n))
    w[:, :4] = 0.0
    fit = fit_poisson_batch(y, x, w)
    for s in range(3):
        ref = sm.GLM(y[s], x, family=sm.families.Poisson(), var_weights=w[s]).fit(scale="X2")
        np.testing.assert_allclose(fit.beta[s], ref.params, rtol=1e-6)
        # Pearson dispersion over the observations that carry weight
        keep = w[s] > 0
        ref2 = sm.GLM(y[s][keep], x[keep], family=sm.families.Poisson(),
                      var_weights=w[s][keep]).fit(scale="X2")  # fmt: skip
        np.testing.assert_allclose(fit.phi[s], ref2.scale, rtol=1e-6)


def test_outbreak_age_groups_are_found(clinic_counts, truth):
    """Split by age group, the alarms in the outbreak district fall in the planted age groups,
    led by the largest share (school-age children)."""
    from govanalytics.health import aggregate_counts

    ob = truth["health"]["outbreak"]
    by_age = aggregate_counts(clinic_counts, disease=ob["disease"], by_age=True)
    res = flag_aberrations(by_age, method="farrington", periods=ob["weeks"])
    hit = res.filter((pl.col("region_code") == ob["district_code"]) & pl.col("alarm"))
    ages = set(hit["age_group"])
    assert "5-14" in ages
    assert ages <= set(ob["age_groups"])


def test_three_years_run_farrington_with_a_note():
    res = flag_aberrations(_short(175), method="farrington", periods=1)
    row = res.row(0, named=True)
    assert row["method"] == "farrington" and row["alarm"] is not None
    assert "基线仅3年" in row["note"]


def test_ears_c3_alarm_never_contradicts_its_bound():
    """Two very high weeks, then a week with no cases: R's C3 would alarm on that week (the
    3-week sum is still above 2); ours does not, and every alarm lies above its bound."""
    import datetime as dt

    import numpy as np
    import polars as pl

    from govanalytics.health import flag_aberrations

    weeks = [dt.date(2024, 1, 1) + dt.timedelta(weeks=i) for i in range(30)]
    rng = np.random.default_rng(5)
    counts = rng.poisson(10, 30)
    counts[-3:] = [60, 70, 0]
    frame = pl.DataFrame({"region_code": "x", "week_start": weeks, "count": counts})
    res = flag_aberrations(frame, method="ears_c3", periods=3, exclude_holidays=False).sort(
        "week_start"
    )
    assert res["alarm"].to_list() == [True, True, False]
    judged = res.filter(pl.col("alarm").is_not_null())
    assert (judged["alarm"] == (judged["observed"] > judged["upper_bound"])).all()
