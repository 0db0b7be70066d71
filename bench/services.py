"""Benchmark: promotion plan/apply, surge warnings and association rules vs naive baselines.

Run by hand (never in tests)::

    .venv/bin/python bench/services.py [--sizes default large] [--seed 1] [--keep DIR]

For each sample-city size the services part of the generator is run alone (base city, then
``govanalytics.synth._services``, with the seeds ``generate_city`` would use) into a temporary
folder outside the repository (removed afterwards unless ``--keep``). Each step is timed and
its peak resident memory sampled (RSS of this process, every 5 ms, by a background thread:
"peak" is the highest RSS during the step, "+" its rise over the RSS before the step), beside
a naive baseline in the same run whose result is checked equal to ours:

- promotion plan: a per-person Python loop applying the same per-field rule;
- promotion apply in memory: a Python dict update of the register rows; the on-disk apply
  (``apply_promotion`` to the folder: load, promote, audit log and register written through
  ``MasterStore.write``) is timed alone, and a second apply is checked to be a no-op;
- surge warnings (monthly, capacity + run-rate projection + seasonal test): pandas
  groupby/merge implementation of the same warnings;
- association rules: pandas self-merge on ``person_key`` and groupby counting.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
from scipy import stats

_PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE / 2**20


def measure(fn: Callable[[], Any]) -> tuple[Any, float, float, float]:
    """Run ``fn``: ``(result, seconds, peak RSS MB, rise over the RSS before, MB)``."""
    start = _rss_mb()
    peak = [start]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _rss_mb())
            stop.wait(0.005)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    t = time.perf_counter()
    try:
        out = fn()
    finally:
        seconds = time.perf_counter() - t
        stop.set()
        th.join()
    peak[0] = max(peak[0], _rss_mb())
    return out, seconds, peak[0], peak[0] - start


# --- data ---------------------------------------------------------------------------------


def make_city(size: str, seed: int, folder: Path) -> Path:
    """Base city + services part only, written like the sample city (master/, dynamic/)."""
    from govanalytics import synth
    from govanalytics.synth import _services
    from govanalytics.synth._base import DEFAULT_END, SIZES, make_base

    parts = list(synth._PARTS)
    root = np.random.SeedSequence([seed, list(SIZES).index(size)])
    base_seq, *part_seqs = root.spawn(1 + len(parts))
    city = make_base(size, seed, DEFAULT_END, np.random.default_rng(base_seq))
    part = _services.generate(city, np.random.default_rng(part_seqs[parts.index("services")]))
    files = {
        "master/regions.parquet": city.regions,
        "master/population_register.parquet": city.register,
        **part.files,
    }
    for rel, frame in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(folder / rel)
    return folder


# --- naive baselines ------------------------------------------------------------------------


def _text(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def naive_plan(register: pl.DataFrame, apps: pl.DataFrame, rules: dict) -> dict[str, set]:
    """Per-person Python loop over the records, the same rule as ``plan_promotion``."""
    from govanalytics.data.schemas import VERIFICATION_LEVELS

    rank = {lv: i for i, lv in enumerate(VERIFICATION_LEVELS)}
    fields = [f for f in rules if f in apps.columns]
    master = {
        f: dict(zip(register["person_key"].to_list(), register[f].to_list(), strict=True))
        for f in fields
        if f in register.columns
    }
    known = set(register["person_key"].to_list())
    rows = apps.sort("person_key", "submitted_at", "application_id").select(
        "person_key", "application_id", "verification_level", *fields
    )
    promoted: set = set()
    conflicts: set = set()
    skipped: dict[str, int] = {}
    for pk, group in itertools.groupby(rows.iter_rows(named=True), key=lambda r: r["person_key"]):
        records = list(group)
        for f in fields:
            recs = [r for r in records if r[f] is not None]
            if not recs:
                continue
            reasons: list[str | None] = []
            if f not in master:
                skipped["field_not_in_master"] = skipped.get("field_not_in_master", 0) + len(recs)
                continue
            old = _text(master[f].get(pk))
            need = rank[rules[f].min_level]
            anchor = -1
            for i, r in enumerate(recs):
                if rank[r["verification_level"]] >= need and _text(r[f]) == old:
                    anchor = i
            for i, r in enumerate(recs):
                lv, value = rank[r["verification_level"]], _text(r[f])
                if pk not in known:
                    reasons.append("person_not_in_master")
                elif value == old:
                    reasons.append("same_value")
                elif lv == 0:
                    reasons.append("unverified")
                elif lv < need:
                    reasons.append("below_required_level")
                elif i < anchor:
                    reasons.append("superseded")
                else:
                    reasons.append(None)
            cand = [(r, _text(r[f])) for r, why in zip(recs, reasons, strict=True) if why is None]
            for why in reasons:
                if why is not None:
                    skipped[why] = skipped.get(why, 0) + 1
            if not cand:
                continue
            protected = {_text(v) for v in rules[f].protected_values}
            if old in protected or len({v for _, v in cand}) > 1:
                conflicts.update((pk, f, r["application_id"]) for r, _ in cand)
                continue
            r, v = cand[0]
            promoted.add((pk, f, old, v, r["application_id"]))
            if len(cand) > 1:
                skipped["duplicate"] = skipped.get("duplicate", 0) + len(cand) - 1
    return {"promotions": promoted, "conflicts": conflicts, "skipped": skipped}


def naive_apply(register: pl.DataFrame, promotions: pl.DataFrame) -> pl.DataFrame:
    """Dict-of-rows update of the register, the same staleness check as ``promote_frame``."""
    rows = {r["person_key"]: r for r in register.iter_rows(named=True)}
    for pk, f, old, new in promotions.select(
        "person_key", "field", "old_value", "new_value"
    ).iter_rows():
        row = rows.get(pk)
        if row is None or f not in row or _text(row[f]) != old:
            continue
        row[f] = (new == "true") if register.schema[f] == pl.Boolean else new
    return pl.from_dicts(list(rows.values()), schema=register.schema)


def naive_surge(
    apps: pd.DataFrame,
    regions: pd.DataFrame,
    capacities: pd.DataFrame,
    *,
    min_days: int = 7,
    alpha: float = 1e-4,
    min_count: int = 10,
    min_ratio: float = 1.5,
) -> pd.DataFrame:
    """Monthly surge warnings in pandas (groupby/merge), the same rule as ``surge_warnings``."""
    comm = regions[["region_code", "district_code"]].rename(
        columns={"region_code": "community_code"}
    )
    df = apps[["service_type", "community_code", "submitted_at"]].merge(comm, how="left")
    df["day"] = df["submitted_at"].dt.normalize()
    daily = df.groupby(["service_type", "district_code", "day"]).size().rename("n").reset_index()
    days = pd.DataFrame({"day": pd.date_range(df["day"].min(), df["day"].max(), freq="D")})
    groups = daily[["service_type", "district_code"]].drop_duplicates()
    grid = groups.merge(days, how="cross").merge(daily, how="left")
    grid["n"] = grid["n"].fillna(0).astype("int64")
    grid["period_start"] = grid["day"].dt.to_period("M").dt.start_time
    grid["days_in_period"] = grid["day"].dt.days_in_month
    grid["days_elapsed"] = grid["day"].dt.day
    keys = ["service_type", "district_code", "period_start"]
    grid = grid.sort_values(["service_type", "district_code", "day"], kind="stable")
    grid["run"] = grid.groupby(keys)["n"].cumsum()
    grid["projected"] = grid["run"] / grid["days_elapsed"] * grid["days_in_period"]
    grid["year"] = grid["day"].dt.year
    caps = capacities[capacities["capacity_type"] == "school_places"].assign(
        service_type="school_place"
    )[["service_type", "district_code", "year", "capacity"]]
    grid = grid.merge(caps, how="left", on=["service_type", "district_code", "year"])
    totals = grid.groupby(keys).agg(
        total=("n", "sum"), seen=("days_elapsed", "max"), dim=("days_in_period", "first")
    )
    totals = totals.reset_index()
    totals["month"] = totals["period_start"].dt.month
    totals["pyear"] = totals["period_start"].dt.year
    past = totals[totals["seen"] == totals["dim"]][
        ["service_type", "district_code", "month", "pyear", "total"]
    ].rename(columns={"total": "past_total", "pyear": "past_year"})
    hist = totals[[*keys, "month", "pyear"]].merge(
        past, on=["service_type", "district_code", "month"]
    )
    hist = hist[hist["past_year"] < hist["pyear"]]
    hist = (
        hist.groupby(keys)
        .agg(hist_total=("past_total", "sum"), history_years=("past_year", "size"))
        .reset_index()
    )
    grid = grid.merge(hist, how="left", on=keys)
    years = grid["history_years"].fillna(0).to_numpy()
    hist_total = grid["hist_total"].fillna(0).to_numpy()
    run = grid["run"].to_numpy()
    p = np.ones(len(grid))
    idx = np.flatnonzero((years > 0) & (run > 0))
    p[idx] = stats.binom.sf(run[idx] - 1, run[idx] + hist_total[idx], 1.0 / (years[idx] + 1))
    expected = grid["hist_total"] / grid["history_years"]
    cap = grid["capacity"]
    grid["over_running"] = cap.notna() & (grid["run"] > cap)
    grid["over_projection"] = (
        cap.notna() & (grid["days_elapsed"] >= min_days) & (grid["projected"] > cap)
    )
    grid["over_season"] = (
        expected.notna() & (p < alpha) & (run >= min_count) & (run >= min_ratio * expected)
    )
    out = []
    for col, name in (
        ("over_running", "capacity_exceeded_on"),
        ("over_projection", "projection_exceeded_on"),
        ("over_season", "seasonal_fired_on"),
    ):
        first = grid[grid[col]].groupby(keys)["day"].min().rename(name)
        out.append(first)
    res = pd.concat(out, axis=1).reset_index()
    res["fired_on"] = res[
        ["capacity_exceeded_on", "projection_exceeded_on", "seasonal_fired_on"]
    ].min(axis=1)
    return res.sort_values(["fired_on", *keys]).reset_index(drop=True)


def naive_rules(events: pd.DataFrame, window_days: int = 90, min_persons: int = 15) -> pd.DataFrame:
    """Ordered rules "A then B within the window" by a pandas self-merge and groupby."""
    persons = events["person_key"].nunique()
    per = events.groupby("service_type")["person_key"].nunique()
    m = events.merge(events, on="person_key", suffixes=("_a", "_b"))
    gap = (m["day_b"] - m["day_a"]).dt.days
    m = m[(m["service_type_a"] != m["service_type_b"]) & (gap > 0) & (gap <= window_days)]
    ab = (
        m[["person_key", "service_type_a", "service_type_b"]]
        .drop_duplicates()
        .groupby(["service_type_a", "service_type_b"])
        .size()
        .rename("persons_ab")
        .reset_index()
        .rename(columns={"service_type_a": "antecedent", "service_type_b": "consequent"})
    )
    ab["persons_a"] = ab["antecedent"].map(per)
    ab["persons_b"] = ab["consequent"].map(per)
    ab["confidence"] = ab["persons_ab"] / ab["persons_a"]
    ab["lift"] = ab["confidence"] / (ab["persons_b"] / persons)
    return ab[ab["persons_ab"] >= min_persons]


# --- run ---------------------------------------------------------------------------------


def _row(what: str, ours: tuple, base: tuple | None, same: str) -> None:
    _, t, peak, rise = ours
    line = f"  {what:<34} ours {t:8.2f} s  peak {peak:7.0f} MB (+{rise:5.0f})"
    if base is not None:
        _, tb, peakb, riseb = base
        line += (
            f" | naive {tb:8.2f} s  peak {peakb:7.0f} MB (+{riseb:5.0f})"
            f" | naive/ours time {tb / t:6.1f}x"
        )
    print(line + f"  [{same}]", flush=True)


def bench_size(size: str, seed: int, folder: Path) -> None:
    from govanalytics import data, services
    from govanalytics.services._promotion import promote_frame

    t0 = time.perf_counter()
    make_city(size, seed, folder)
    gen = time.perf_counter() - t0
    register = services.load_master_register(folder)
    apps = data.load("applications", data_dir=folder)
    regions = data.MasterStore(folder).load("regions")
    capacities = data.MasterStore(folder).load("capacities")
    portal = data.load("portal_activity", data_dir=folder)
    print(
        f"\n== {size}: {register.height:,} residents, {apps.height:,} applications, "
        f"{portal.height:,} portal events (generated in {gen:.0f} s) ==",
        flush=True,
    )

    # promotion plan
    ours = measure(lambda: services.plan_promotion(register, apps))
    base = measure(lambda: naive_plan(register, apps, services.DEFAULT_RULES))
    plan, nv = ours[0], base[0]
    got = set(
        plan.promotions.select(
            "person_key", "field", "old_value", "new_value", "application_id"
        ).iter_rows()
    )
    got_conf = set(plan.conflicts.select("person_key", "field", "application_id").iter_rows())
    got_skip = dict(plan.skipped.group_by("reason").len().iter_rows())
    same = got == nv["promotions"] and got_conf == nv["conflicts"] and got_skip == nv["skipped"]
    _row(
        f"promotion plan ({plan.promotions.height:,} promoted)",
        ours,
        base,
        "identical promotions, conflicts, skip counts" if same else "DIFFERENT",
    )

    # promotion apply in memory, then on disk
    ours = measure(lambda: promote_frame(register, plan))
    base = measure(lambda: naive_apply(register, plan.promotions))
    same = ours[0][0].equals(base[0])
    _row("promotion apply (in memory)", ours, base, "identical register" if same else "DIFFERENT")
    ours = measure(lambda: services.apply_promotion(folder, plan))
    audit = ours[0][1]
    again = measure(lambda: services.apply_promotion(folder, plan))
    noop = again[0][1].equals(audit) and audit.height == plan.promotions.height
    _row(
        f"promotion apply to folder ({audit.height:,} audit rows)",
        ours,
        None,
        "written via MasterStore",
    )
    _row("  second apply (no-op)", again, None, "no-op" if noop else "CHANGED")
    replan = measure(lambda: services.plan_promotion(services.load_master_register(folder), apps))
    _row("  plan on promoted master", replan, None, f"{replan[0].promotions.height} promoted")

    # surge warnings (monthly)
    ours = measure(lambda: services.surge_warnings(apps, regions=regions, capacities=capacities))
    apps_pd = apps.select("service_type", "community_code", "submitted_at").to_pandas()
    reg_pd = regions.select("region_code", "district_code").to_pandas()
    cap_pd = capacities.to_pandas()
    base = measure(lambda: naive_surge(apps_pd, reg_pd, cap_pd))
    cols = [
        "service_type",
        "district_code",
        "period_start",
        "fired_on",
        "capacity_exceeded_on",
        "projection_exceeded_on",
        "seasonal_fired_on",
    ]
    mine = ours[0].select(cols).sort(cols[:3])
    theirs = (
        pl.from_pandas(base[0][cols])
        .with_columns(pl.col(c).cast(pl.Date) for c in cols[2:])
        .sort(cols[:3])
    )
    same = mine.equals(theirs)
    _row(
        f"surge warnings ({mine.height} warned periods)",
        ours,
        base,
        "identical warnings" if same else "DIFFERENT",
    )

    # association rules
    events = services.service_events(apps, portal)
    ours = measure(lambda: services.association_rules(events))
    ev_pd = events.to_pandas()
    ev_pd["day"] = pd.to_datetime(ev_pd["day"])
    base = measure(lambda: naive_rules(ev_pd))
    rcols = ["antecedent", "consequent", "persons_ab", "persons_a", "persons_b"]
    mine = ours[0].select(rcols).sort(rcols[:2])
    theirs = pl.from_pandas(base[0][rcols]).cast({c: pl.Int64 for c in rcols[2:]}).sort(rcols[:2])
    same = mine.equals(theirs)
    _row(
        f"association rules ({mine.height} rules, {events.height:,} events)",
        ours,
        base,
        "identical counts" if same else "DIFFERENT",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", nargs="+", default=["default", "large"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", default="", help="keep the generated folders under DIR")
    args = parser.parse_args()
    print(
        f"bench/services.py {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, polars {pl.__version__},"
        f" pandas {pd.__version__}, {os.cpu_count()} cores, POLARS threads "
        f"{pl.thread_pool_size()}"
    )
    for size in args.sizes:
        if args.keep:
            folder = Path(args.keep) / size
            folder.mkdir(parents=True, exist_ok=True)
            bench_size(size, args.seed, folder)
        else:
            tmp = Path(tempfile.mkdtemp(prefix=f"govanalytics-bench-services-{size}-"))
            try:
                bench_size(size, args.seed, tmp)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
