"""The attack: try to work every withheld cell of the sample city's published tables back out.

Each published table is built by the capability's own publish step from the small city; the
unsuppressed table it came from is the truth the attack is scored against. A cell counts as
recovered when an attack predicts it to within 0.5 (a count rounds to it). Attacks:

* **within a row** — least squares of the withheld column on one or two other published
  columns (plain, product, ratio, ``a + b·sqrt(a)`` for score inversions), fitted on the
  published rows; a fit exact to 0.5 on every published row is applied to the withheld ones
  (differences ``count − change``, totals minus parts, rate × population, share × total);
* **totals minus published parts** — for each grouping whose total is published (computed from
  the unsuppressed values, withheld below ``k``, as a headline would be), a group with exactly one
  withheld cell (:func:`govanalytics.privacy.find_recoverable`); balances that sum to zero too;
* **the same cell in two tables** — a count withheld in one table and published in another;
* **score inversion of the hot list** — the binomial z and likelihood ratio of a word solved for
  the window's writer total on published rows, then for the count on withheld rows.

Every attack must find nothing; each is also run on a planted leak (a derived column not
declared, the old hot-list and demand publications) and must find it.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from govanalytics.privacy import (
    find_recoverable,
    secondary_suppress,
    suppress_small_counts,
    withhold_derived,
)

K = 15


@dataclass
class Table:
    """A published table, the unsuppressed table it came from (same rows, same order), the
    count columns to attack and the groupings whose totals of each are published."""

    name: str
    published: pl.DataFrame
    truth: pl.DataFrame
    counts: tuple[str, ...]
    totals: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)


# ---------------------------------------------------------------- attacks


def _numeric(frame: pl.DataFrame, skip: set[str]) -> list[str]:
    return [
        c
        for c, t in frame.schema.items()
        if c not in skip and t.is_numeric() and frame[c].drop_nulls().n_unique() > 1
    ]


def _designs(a: np.ndarray, b: np.ndarray | None) -> list[list[np.ndarray]]:
    if b is None:
        return [[a]]
    with np.errstate(divide="ignore", invalid="ignore"):
        return [
            [a, b],
            [a * b],
            [a / b],
            [b / a],
            [a, b * np.sqrt(np.abs(a))],
            [b, a * np.sqrt(np.abs(b))],
        ]


def within_row(table: Table, column: str) -> int:
    """Withheld cells of ``column`` recovered by an exact relation to other published columns."""
    pub, truth = table.published, table.truth
    target = pub[column].cast(pl.Float64).to_numpy()
    true = truth[column].cast(pl.Float64).to_numpy()
    withheld = np.isnan(target) & ~np.isnan(true)
    if not withheld.any():
        return 0
    cols = _numeric(pub, {column, "suppressed"})
    arrays = {c: pub[c].cast(pl.Float64).fill_null(np.nan).to_numpy() for c in cols}
    found = np.zeros(len(target), dtype=bool)
    pairs = [(a, None) for a in cols] + list(itertools.combinations(cols, 2))
    for a, b in pairs:
        for feats in _designs(arrays[a], None if b is None else arrays[b]):
            x = np.column_stack([np.ones(len(target)), *feats])
            ok = np.isfinite(x).all(axis=1)
            fit = ok & np.isfinite(target)
            if fit.sum() < x.shape[1] + 5:
                continue
            coef, *_ = np.linalg.lstsq(x[fit], target[fit], rcond=None)
            if np.abs(x[fit] @ coef - target[fit]).max() >= 0.5:
                continue
            use = withheld & ok
            found[use] |= np.abs(x[use] @ coef - true[use]) < 0.5
    return int(found.sum())


def totals_minus_parts(table: Table, column: str) -> int:
    """Withheld cells recovered as a published group total minus the published parts."""
    n = 0
    for keys in table.totals.get(column, []):
        by = list(keys)
        agg = pl.col(column).sum().alias("total")
        tot = table.truth.group_by(by).agg(agg) if by else table.truth.select(agg)
        # a total is a count like any other: withheld below k, except balances (net sums to 0)
        if column != "net":
            small = pl.col("total").abs() < K
            tot = tot.with_columns(pl.when(small).then(None).otherwise("total").alias("total"))
        n += find_recoverable(table.published, column, {keys: tot}).height
    return n


def same_cell(a: pl.DataFrame, a_col: str, b: pl.DataFrame, b_col: str, on: list[str]) -> int:
    """Cells withheld in ``a`` but published in ``b`` (the same count of the same group)."""
    joined = a.select(*on, a_col).join(b.select(*on, pl.col(b_col).alias("_b")), on=on)
    return joined.filter(pl.col(a_col).is_null() & pl.col("_b").is_not_null()).height


def _llr(r: np.ndarray, d: np.ndarray, e: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = r * np.log(r / e) + (d - r) * np.log((d - r) / (d - e))
    return np.where(r > e, out, 0.0)


def _z(r: np.ndarray, d: np.ndarray, e: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return (r - e) / np.sqrt(e * (1 - e / d))


def _e_from_z(r: float, z: float, d: float) -> float | None:
    """The expected count ``e`` for which ``r`` writers out of ``d`` give the binomial ``z``."""
    from scipy.optimize import brentq

    def f(e: float) -> float:
        return float(_z(np.array(r), np.array(d), np.array(e))) - z

    lo, hi = 1e-9, (min(r, d) if z > 0 else d) - 1e-9
    if hi <= lo or f(lo) * f(hi) >= 0:
        return None
    return float(brentq(f, lo, hi))


def _misfit(shown: pl.DataFrame, d: float) -> float:
    err = 0.0
    for r, z, s in shown.select("count", "z", "score").iter_rows():
        e = _e_from_z(float(r), z, d)
        if e is None:
            return math.inf
        err += (float(_llr(np.array(r), np.array(d), np.array(e))) - s) ** 2
    return err


def _solve_count(z: float, score: float, d: float) -> int | None:
    """The count below ``k`` whose z and likelihood ratio match best, given ``d``."""
    candidates = []
    for r in range(K):
        e = _e_from_z(float(r), z, d)
        if e is not None:
            candidates.append((abs(float(_llr(np.array(r), np.array(d), np.array(e))) - score), r))
    return min(candidates)[1] if candidates else None


def hot_list_inversion(published: pl.DataFrame, truth: pl.DataFrame) -> int:
    """Withheld hot-word counts solved from ``z`` and ``score`` (binomial z and likelihood ratio).

    Per scope and window: the writer total ``d`` is solved on published rows (``count``, ``z``,
    ``score`` known; ``e`` eliminated), then each withheld row's count from its ``z`` and
    ``score`` given ``d``.
    """
    from scipy.optimize import minimize_scalar

    frame = published.with_columns(truth["count"].alias("_true")).filter(
        pl.col("z").is_not_null() & pl.col("score").is_not_null() & (pl.col("score") > 0)
    )
    n = 0
    for _, g in frame.group_by("scope", "window"):
        hidden = g.filter(pl.col("count").is_null())
        shown = g.filter(pl.col("count").is_not_null())
        if hidden.is_empty() or shown.is_empty():
            continue
        low = math.log(float(shown["count"].max()) + 1)  # type: ignore[arg-type]
        best = minimize_scalar(lambda ld, s=shown: _misfit(s, math.exp(ld)), bounds=(low, 15))
        d = math.exp(best.x)
        for z, score, true in hidden.select("z", "score", "_true").iter_rows():
            n += _solve_count(z, score, d) == true
    return n


# ---------------------------------------------------------------- the sample city's tables


@pytest.fixture(scope="module")
def health_tables(small_city: Path) -> list[Table]:
    """Alarms (five methods, last four weeks) and the risk table, as the health notebook
    publishes them."""
    from govanalytics.data import load
    from govanalytics.health import (
        aggregate_counts,
        flag_aberrations,
        forecast_counts,
        population_by_age,
        publishable_alarms,
        publishable_forecasts,
        publishable_risk,
        risk_table,
        withheld_cells,
    )

    series = aggregate_counts(load("clinic_counts", data_dir=small_city))
    methods = ("farrington", "ears_c1")
    alarms = pl.concat([flag_aberrations(series, method=m, periods=4) for m in methods])
    pub_alarms = publishable_alarms(alarms, k=K)
    register = load("population_register", data_dir=small_city)
    regions = load("regions", data_dir=small_city)
    monday = series["week_start"].max()
    pop = population_by_age(register, regions, on=monday)
    weeks = series["week_start"].unique().sort().tail(4).to_list()
    fc = forecast_counts(series, models=("baseline",), origins=weeks, horizon=1)
    farr = alarms.filter(pl.col("method") == "farrington")
    risk = risk_table(series, fc, pop, alarms=farr)
    keys = ("method", "week_start")
    cells = withheld_cells(series, weeks=weeks, k=K)
    truth_cells = cells.select("region_code", "disease", "week_start").join(
        series, on=["region_code", "disease", "week_start"], how="left", maintain_order="left"
    )
    return [
        Table(
            "alarms",
            pub_alarms,
            alarms,  # publishable_alarms keeps the rows and their order
            ("observed",),
            {"observed": [(*keys, "disease"), keys]},
        ),
        Table(
            "risk",
            publishable_risk(risk, series, k=K),
            risk,
            ("count", "previous", "year_ago", "population"),
            {c: [("disease",), ()] for c in ("count", "previous", "year_ago")},
        ),
        Table("forecasts", publishable_forecasts(fc, series, k=K), fc, ("value",)),
        Table("counts", cells, truth_cells.with_columns(pl.col("count").fill_null(0)), ("count",)),
    ]


@pytest.fixture(scope="module")
def hot_words_tables(small_city: Path) -> tuple[pl.DataFrame, pl.DataFrame, list[Table]]:
    """The weekly hot list, bursts and issues of the whole city, as published."""
    from govanalytics.data import load
    from govanalytics.hotwords import (
        detect_hot_words,
        prepare_comments,
        published_bursts,
        published_hot_words,
        published_issues,
    )

    prepared = prepare_comments(
        load("comments", data_dir=small_city), regions=load("regions", data_dir=small_city)
    )
    result = detect_hot_words(prepared, window="week")
    hot = result.hot_words.select(
        "scope", "window", "word", "count", "rank", "score", "z", "expected", "bursting"
    )
    bursts = result.bursts.drop("areas", strict=False)
    issues = result.issues.select("n_comments", "weight", "comment_ids")
    tables = [
        Table("hot_words", published_hot_words(hot, k=K), hot, ("count",)),
        Table("bursts", published_bursts(bursts, k=K), bursts, ("peak_count", "total_count")),
        Table(
            "issues",
            published_issues(issues, k=K).with_columns(pl.col("comment_ids").list.len()),
            issues.with_columns(pl.col("comment_ids").list.len()),
            ("n_comments",),
        ),
    ]
    return hot, published_hot_words(hot, k=K), tables


@pytest.fixture(scope="module")
def mobility_tables(small_city: Path, truth: dict) -> list[Table]:
    """District population of the planted month and weekly street flows, as published."""
    from govanalytics.mobility import (
        in_out_flows,
        load_mobility_inputs,
        load_od,
        od_by_period,
        publish_flows,
        publish_population,
    )

    estimates = load_mobility_inputs(data_dir=small_city).estimate(month=truth["mobility"]["month"])
    people = ["night", "day", "resident", "registered", "short_stay", "floating"]
    pop = publish_population(estimates, k=K)
    pop_truth = pop.select("area", "period").join(
        estimates.with_columns(pl.col(people).round(0)), on=["area", "period"], how="left"
    )
    flows = od_by_period(load_od(data_dir=small_city), period="week")
    pub_flows, pub_totals = publish_flows(flows, k=K)
    flows_truth = pub_flows.select("origin", "destination", "period").join(
        flows, on=["origin", "destination", "period"], how="left", maintain_order="left"
    )
    totals_truth = pub_totals.select("area", "period").join(
        in_out_flows(flows), on=["area", "period"], how="left", maintain_order="left"
    )
    # the published in/out totals are what an attacker subtracts the flows from
    outflow = pub_totals.select(pl.col("area").alias("origin"), "period", "outflow")
    inflow = pub_totals.select(pl.col("area").alias("destination"), "period", "inflow")
    on_out = pub_flows.join(outflow, on=["origin", "period"], how="left", maintain_order="left")
    on_in = pub_flows.join(inflow, on=["destination", "period"], how="left", maintain_order="left")
    return [
        Table(
            "population",
            pop,
            pop_truth,
            tuple(people),
            {c: [("period",)] for c in people},
        ),
        Table(
            "flows",
            pub_flows,
            flows_truth,
            ("count",),
            {"count": [("period", "origin"), ("period", "destination"), ("period",)]},
        ),
        Table(
            "flow_totals",
            pub_totals,
            totals_truth,
            ("inflow", "outflow", "net"),
            {"inflow": [("period",)], "outflow": [("period",)], "net": [("period",)]},
        ),
        # the published totals beside the flows: out-flow − published flows of an origin
        Table("flows_by_origin", on_out, flows_truth.with_columns(on_out["outflow"]), ("count",)),
        Table("flows_by_destination", on_in, flows_truth.with_columns(on_in["inflow"]), ("count",)),
    ]


@pytest.fixture(scope="module")
def services_tables(small_city: Path, truth: dict) -> list[Table]:
    """Demand per community and service, and promotion outcomes, as published."""
    import datetime as dt

    from govanalytics.data import MasterStore, load
    from govanalytics.services import (
        demand_by_community,
        plan_promotion,
        publishable_demand,
        publishable_promotions,
    )

    master = MasterStore(small_city)
    end = dt.date.fromisoformat(truth["city"]["end"])
    demand = demand_by_community(
        load("applications", data_dir=small_city), last_day=end, regions=master.load("regions")
    )
    plan = plan_promotion(
        master.load("population_register"), load("applications", data_dir=small_city)
    )
    promotions = publishable_promotions(plan, k=K)
    promotions_truth = publishable_promotions(plan, k=1)
    return [
        Table(
            "demand",
            publishable_demand(demand, k=K),
            demand,
            ("count", "previous"),
            {"count": [("community_code",)], "previous": [("community_code",)]},
        ),
        Table(
            "promotions",
            promotions,
            promotions_truth,
            ("records", "persons"),
            {"records": [("outcome",)]},
        ),
    ]


@pytest.fixture(scope="module")
def published(health_tables, hot_words_tables, mobility_tables, services_tables) -> list[Table]:
    """Every published table of the sample city with the truth it came from."""
    return [*health_tables, *hot_words_tables[2], *mobility_tables, *services_tables]


def forecast_medians(forecasts: pl.DataFrame, cells: Table) -> int:
    """Withheld counts equal to a published median forecast made from their week."""
    medians = forecasts.filter(pl.col("quantile") == 0.5).select(
        "region_code", "disease", pl.col("origin").alias("week_start"), "value"
    )
    hidden = cells.published.with_columns(cells.truth["count"].alias("_true")).filter(
        pl.col("count").is_null()
    )
    joined = hidden.join(medians, on=["region_code", "disease", "week_start"])
    return joined.filter((pl.col("value") - pl.col("_true")).abs() < 0.5).height


# ---------------------------------------------------------------- the test


def test_no_withheld_cell_of_the_sample_city_can_be_worked_back_out(
    published, health_tables, hot_words_tables
) -> None:
    """One test, so that the city's tables are built once per run (also under xdist)."""
    withheld = {
        t.name: sum(
            int((t.published[c].is_null() & t.truth[c].is_not_null()).sum()) for c in t.counts
        )
        for t in published
    }
    assert all(t.published.height == t.truth.height for t in published)
    assert sum(v > 0 for v in withheld.values()) >= 8, withheld  # the attacks have targets
    # within a row: differences, totals minus parts, rate × population, score inversions
    row = {f"{t.name}.{c}": n for t in published for c in t.counts if (n := within_row(t, c))}
    assert row == {}
    # published totals minus published parts (and balances summing to zero)
    tot = {
        f"{t.name}.{c}": n for t in published for c in t.counts if (n := totals_minus_parts(t, c))
    }
    assert tot == {}
    # the same cell in two health tables: risk (this period) and alarms of every method
    alarms, risk, forecasts, cells = health_tables
    last = risk.published["week_start"].max()
    on = ["region_code", "disease"]
    for method in ("farrington", "ears_c1"):
        one = alarms.published.filter((pl.col("method") == method) & (pl.col("week_start") == last))
        assert same_cell(risk.published, "count", one, "observed", on) == 0
        assert same_cell(one, "observed", risk.published, "count", on) == 0
    # a forecast from a withheld count: the baseline's median is that count
    assert forecast_medians(forecasts.published, cells) == 0
    assert forecast_medians(forecasts.truth, cells) == cells.published["count"].null_count() > 0
    # the hot list's z and likelihood ratio solved for the count
    hot, pub, _ = hot_words_tables
    assert pub["count"].null_count() > 10
    assert hot_list_inversion(pub, hot) == 0
    # ... which recovers counts from the publication before the derived-column rule
    city = pl.col("scope") == "all"
    leaky = suppress_small_counts(hot, "count", k=K).filter(city)
    scored = leaky.filter(
        pl.col("count").is_null() & pl.col("z").is_not_null() & (pl.col("score") > 0)
    )
    assert hot_list_inversion(leaky, hot.filter(city)) >= 0.5 * scored.height > 0


# ---------------------------------------------------------------- the attacks can fail


def _demand_like(n: int = 300) -> pl.DataFrame:
    rng = np.random.default_rng(7)
    count = rng.poisson(40, n)
    count[::23] = rng.integers(0, K, len(count[::23]))  # a few small counts, one per group
    previous = rng.poisson(40, n)
    return pl.DataFrame(
        {
            "area": [f"a{i % 20}" for i in range(n)],
            "kind": [f"k{i // 20}" for i in range(n)],
            "count": count,
            "previous": previous,
            "change": count - previous,
        }
    )


def test_the_row_attack_finds_an_undeclared_rate_and_a_kept_change() -> None:
    demand = _demand_like()
    # a rate per 1,000 next to its population, derived from the count but not declared
    rated = demand.with_columns(
        population=pl.col("previous") * 7 + 100,
        rate=pl.col("count") / (pl.col("previous") * 7 + 100) * 1000,
    )
    pub = suppress_small_counts(rated.drop("change"), "count", k=K)
    assert (
        within_row(Table("planted", pub, rated, ("count",)), "count")
        == (pub["count"].null_count())
        > 0
    )
    declared = withhold_derived(pub, {"rate": ("count",)})
    assert within_row(Table("declared", declared, rated, ("count",)), "count") == 0
    # the count withheld, previous and change kept: count = previous + change
    old = suppress_small_counts(demand, "count", k=K)
    assert within_row(Table("old_demand", old, demand, ("count",)), "count") == (
        old["count"].null_count()
    )
    assert (
        within_row(Table("demand", withhold_derived(old, "demand"), demand, ("count",)), "count")
        == 0
    )


def test_the_totals_attack_finds_primary_suppression_alone() -> None:
    demand = _demand_like()
    groups = {"count": [("area",), ("kind",)]}
    primary = suppress_small_counts(demand, "count", k=K)
    assert totals_minus_parts(Table("primary", primary, demand, ("count",), groups), "count") > 0
    both = secondary_suppress(primary, "count", groups=[["area"], ["kind"]])
    assert totals_minus_parts(Table("secondary", both, demand, ("count",), groups), "count") == 0
