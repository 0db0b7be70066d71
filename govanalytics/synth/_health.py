"""Sample-city generator part: weekly clinic counts (owned by the health capability).

Writes ``dynamic/clinic_counts.parquet`` (schema ``CLINIC_COUNTS``): weekly counts for every
district × age group × disease over eight years ending with the city's last week. Counts are
proportional to the district × age-group population of the register, with an ordinary season
every year (influenza-like illness peaking December–February, hand-foot-mouth disease in spring
and early autumn, infectious diarrhoea in summer and late autumn), a Spring Festival dip and
rebound, a mild upward trend and negative-binomial noise.

Planted truths (``truth.json`` → ``health``)::

    {
      "diseases": ["influenza_like_illness", "hand_foot_mouth", "diarrhoea"],
      "first_week": "2018-11-19", "last_week": "2026-11-16",
      "outbreak": {"district_code", "disease", "start_week", "weeks", "extra_cases",
                   "age_groups", "extra_by_week"},
      "past_outbreaks": [{same keys}]
    }

``outbreak`` is an influenza-like outbreak starting three weeks before the end (so the weekly
report shows it); ``past_outbreaks`` sit in earlier years inside the seasonal baseline windows,
so that methods which do not down-weight past outbreaks get inflated thresholds.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from govanalytics.calendar import lunar_new_year
from govanalytics.data.schemas import AGE_GROUPS
from govanalytics.synth._base import CityBase
from govanalytics.synth._part import SynthPart

#: Years of weekly history generated.
YEARS = 8

#: Weekly clinic visits per 1,000 residents outside the season, by age group (AGE_GROUPS order).
_BASE_RATE = {
    "influenza_like_illness": (25.0, 18.0, 6.0, 4.0, 8.0),
    "hand_foot_mouth": (18.0, 5.0, 0.3, 0.1, 0.05),
    "diarrhoea": (12.0, 4.0, 3.0, 2.5, 4.0),
}
#: Seasonal peaks per disease: (week of year of the peak, height above base, width in weeks).
_SEASONS = {
    "influenza_like_illness": ((3, 1.6, 4.5),),
    "hand_foot_mouth": ((19, 2.2, 5.0), (40, 0.7, 4.0)),
    "diarrhoea": ((30, 0.5, 6.0), (46, 0.6, 4.0)),
}
#: Negative-binomial size (dispersion) of the weekly noise per district × age cell.
_NB_SIZE = 30.0


def _age_group(age: np.ndarray) -> np.ndarray:
    bins = np.array([5, 15, 25, 60])
    return np.searchsorted(bins, age, side="right")


def _population(city: CityBase) -> np.ndarray:
    """Residents by district (code order) × age group at the city's end date."""
    comm = city.regions.filter(pl.col("level") == "community").select(
        "region_code", "district_code"
    )
    reg = city.register.select("community_code", "birth_date").join(
        comm, left_on="community_code", right_on="region_code", how="left"
    )
    age = (
        reg.select((pl.lit(city.end) - pl.col("birth_date")).dt.total_days() / 365.25)
        .to_series()
        .to_numpy()
    )
    districts = city.district_codes
    d_idx = np.searchsorted(np.array(districts), reg["district_code"].to_numpy())
    pop = np.zeros((len(districts), len(AGE_GROUPS)))
    np.add.at(pop, (d_idx, _age_group(age)), 1.0)
    return pop


def _seasonal_shape(weeks: list[dt.date], disease: str, rng: np.random.Generator) -> np.ndarray:
    """Multiplier per week: 1 + sum of circular Gaussian peaks, height varying by season."""
    woy = np.array([w.isocalendar()[1] for w in weeks], dtype=float)
    # season index: a winter season belongs to the year in which it ends (peak after new year)
    years = np.array([w.year for w in weeks])
    shape = np.ones(len(weeks))
    for peak, height, width in _SEASONS[disease]:
        season_of = years + (woy > peak + 26)
        uniq = np.unique(season_of)
        heights = dict(zip(uniq, height * rng.uniform(0.95, 1.05, len(uniq)), strict=True))
        shifts = dict(zip(uniq, rng.integers(0, 1, len(uniq)), strict=True))
        h = np.array([heights[s] for s in season_of])
        p = np.array([peak + shifts[s] for s in season_of])
        d = (woy - p + 26) % 52 - 26  # circular distance in weeks
        shape += h * np.exp(-0.5 * (d / width) ** 2)
    return shape


def _holiday_factor(weeks: list[dt.date]) -> np.ndarray:
    """Spring Festival: visits drop in the holiday week and the week before, rebound after."""
    f = np.ones(len(weeks))
    idx = {w: i for i, w in enumerate(weeks)}
    for day in (lunar_new_year(y) for y in range(weeks[0].year - 1, weeks[-1].year + 2)):
        monday = day - dt.timedelta(days=day.weekday())
        for offset, factor in ((-1, 0.85), (0, 0.55), (1, 0.9), (2, 1.12)):
            i = idx.get(monday + dt.timedelta(weeks=offset))
            if i is not None:
                f[i] *= factor
    return f


def _plant(
    counts: np.ndarray,
    mu: np.ndarray,
    rng: np.random.Generator,
    *,
    t0: int,
    district: int,
    disease: int,
    ratios: tuple[float, ...],
    age_share: dict[int, float],
) -> list[int]:
    """Add outbreak cases: ``ratio`` × the district's seasonal level, shared across ages."""
    extra_by_week = []
    for k, ratio in enumerate(ratios):
        level = mu[t0 + k, district, :, disease].sum()
        total = 0
        for a, share in age_share.items():
            extra = int(rng.poisson(ratio * level * share))
            counts[t0 + k, district, a, disease] += extra
            total += extra
        extra_by_week.append(total)
    return extra_by_week


def generate(city: CityBase, rng: np.random.Generator) -> SynthPart:
    """Weekly clinic counts with an ordinary season, holidays, a trend and planted outbreaks."""
    last_week = city.end - dt.timedelta(days=city.end.weekday())
    n_weeks = YEARS * 52 + 2
    weeks = [last_week - dt.timedelta(weeks=n_weeks - 1 - i) for i in range(n_weeks)]
    diseases = list(_BASE_RATE)
    districts = city.district_codes
    pop = _population(city)  # D × A

    years_in = np.arange(n_weeks) / 52.18
    trend = 1.0 + 0.015 * years_in  # mild growth of clinic use
    holiday = _holiday_factor(weeks)
    mu = np.empty((n_weeks, len(districts), len(AGE_GROUPS), len(diseases)))
    for k, disease in enumerate(diseases):
        shape = _seasonal_shape(weeks, disease, rng)
        # districts differ a little in level and season intensity
        level = rng.uniform(0.85, 1.15, len(districts))
        rate = np.array(_BASE_RATE[disease]) / 1000.0
        mu[..., k] = (
            (trend * holiday * shape)[:, None, None]
            * level[None, :, None]
            * (pop * rate[None, :])[None, :, :]
        )
    p = _NB_SIZE / (_NB_SIZE + mu)
    counts = rng.negative_binomial(_NB_SIZE, p).astype(np.int64)

    # the current outbreak: influenza-like illness in one district, school-age children first
    ili = diseases.index("influenza_like_illness")
    d_now = int(rng.integers(len(districts)))
    t_now = n_weeks - 3
    ages_now = {1: 0.6, 0: 0.25, 3: 0.15}
    extra_now = _plant(
        counts, mu, rng, t0=t_now, district=d_now, disease=ili,
        ratios=(0.8, 1.1, 1.2), age_share=ages_now,
    )  # fmt: skip
    # a past outbreak two years earlier in another district, in the same weeks of the year
    d_past = (d_now + 1 + int(rng.integers(len(districts) - 1))) % len(districts)
    t_past = n_weeks - 3 - 104
    ages_past = {1: 0.5, 2: 0.3, 3: 0.2}
    extra_past = _plant(
        counts, mu, rng, t0=t_past, district=d_past, disease=ili,
        ratios=(1.0, 1.6, 1.4, 0.8), age_share=ages_past,
    )  # fmt: skip

    n_d, n_a, n_k = len(districts), len(AGE_GROUPS), len(diseases)
    frame = pl.DataFrame(
        {
            "week_start": np.repeat(np.array(weeks, dtype="datetime64[D]"), n_d * n_a * n_k),
            "district_code": np.tile(np.repeat(np.array(districts), n_a * n_k), n_weeks),
            "age_group": np.tile(np.repeat(np.array(AGE_GROUPS), n_k), n_weeks * n_d),
            "disease": np.tile(np.array(diseases), n_weeks * n_d * n_a),
            "count": counts.reshape(-1),
        },
        schema={
            "week_start": pl.Date,
            "district_code": pl.String,
            "age_group": pl.String,
            "disease": pl.String,
            "count": pl.Int64,
        },
    )

    def _record(t0: int, d: int, ages: dict[int, float], extra: list[int]) -> dict:
        return {
            "district_code": districts[d],
            "disease": "influenza_like_illness",
            "start_week": weeks[t0].isoformat(),
            "weeks": len(extra),
            "extra_cases": int(sum(extra)),
            "extra_by_week": [int(e) for e in extra],
            "age_groups": [AGE_GROUPS[a] for a in sorted(ages)],
        }

    truth = {
        "diseases": diseases,
        "first_week": weeks[0].isoformat(),
        "last_week": weeks[-1].isoformat(),
        "outbreak": _record(t_now, d_now, ages_now, extra_now),
        "past_outbreaks": [_record(t_past, d_past, ages_past, extra_past)],
    }
    return SynthPart(files={"dynamic/clinic_counts.parquet": frame}, truth=truth)
