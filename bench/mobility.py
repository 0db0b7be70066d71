"""Benchmark: a year of hourly device counts for 10,000 cells → district night/day/resident.

Run by hand (never in tests)::

    .venv/bin/python bench/mobility.py                 # 10,000 cells × 365 days × 24 h
    .venv/bin/python bench/mobility.py --cells 1000    # quicker
    .venv/bin/python bench/mobility.py --case gravity  # the gravity model only (~1 min)

Writes the counts (87.6 M rows for the defaults) as 12 monthly Parquet files under
``bench/results/mobility/`` (git-ignored; reused when present), then runs the same aggregation
in three engines, each in its own process so that peak memory is its own:

* **polars** — ``govanalytics.mobility.night_levels`` / ``day_levels`` (lazy scan, integer day
  and hour, streaming collect), then ``resident_population`` for every month;
* **duckdb** — the same two aggregations in SQL over the same files (2 threads);
* **pandas** — the same with ``read_parquet`` + ``groupby``, on one month and extrapolated ×12
  (a full year of rows does not fit a shared machine's memory comfortably in pandas; the
  figure says so).

The aggregation: per district and night (21:00–07:00, named by its evening) the area-weighted
sum over cells of each cell's mean hourly count; per district and working day the same over
09:00–17:00; then (polars) the resident level per month = the level reached on ≥ 18 nights.
Results of polars and duckdb are compared (must agree).

``--case gravity``: the doubly-constrained gravity model at city scale — 400 areas (random
points over China's extent), a month of daily OD counts drawn from a known gravity model
(400 × 399 pairs × 30 days = 4.8 M rows), summed per pair, great-circle distances, and
``fit_gravity(decay="auto")`` (both decay forms). Targets: < 30 s and < 1 GB. Baseline in
the same run: the dense statsmodels GLM the model used before, on 100 areas (the sparse fit
on the same 100 areas is timed beside it); the recovered γ is compared with the truth.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "results" / "mobility"
YEAR = 2025
N_DISTRICTS = 8


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_data(folder: Path, cells: int, seed: int = 0) -> None:
    """Monthly Parquet files of hourly counts plus the cell → district weights."""
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / f"done_{cells}.json"
    if marker.exists():
        return
    for f in folder.glob("*.parquet"):
        f.unlink()
    rng = np.random.default_rng(seed)
    ids = np.array([f"C{i:06d}" for i in range(cells)])
    base = rng.lognormal(3.5, 0.8, cells)  # devices per cell at night
    day_factor = rng.lognormal(0.0, 0.5, cells)  # some cells fill in the daytime
    # weights: each cell in one district, one in ten shared with the next district
    home = rng.integers(0, N_DISTRICTS, cells)
    split = rng.random(cells) < 0.1
    frac = np.where(split, rng.uniform(0.2, 0.8, cells), 1.0)
    w = pl.DataFrame(
        {
            "cell_id": np.concatenate([ids, ids[split]]),
            "area": np.concatenate([home, (home[split] + 1) % N_DISTRICTS]).astype(str),
            "weight": np.concatenate([frac, 1 - frac[split]]),
        }
    )
    w.write_parquet(folder / "weights.parquet.w")
    hours = np.arange(24, dtype=np.int8)
    daytime = ((hours >= 9) & (hours < 18)).astype(float)
    for month in range(1, 13):
        first = dt.date(YEAR, month, 1)
        ndays = (
            (first.replace(month=month % 12 + 1) if month < 12 else dt.date(YEAR + 1, 1, 1)) - first
        ).days
        lam = (
            base[None, None, :]
            * (1 + (day_factor[None, None, :] - 1) * daytime[None, :, None])
            * rng.normal(1.0, 0.02, (ndays, 1, 1))
        )
        counts = rng.poisson(np.broadcast_to(lam, (ndays, 24, cells))).astype(np.int32)
        days = np.array([(first - dt.date(1970, 1, 1)).days + i for i in range(ndays)], np.int32)
        frame = pl.DataFrame(
            {
                "cell_id": np.tile(ids, ndays * 24),
                "date": np.repeat(days, 24 * cells),
                "hour": np.tile(np.repeat(hours, cells), ndays),
                "device_count": counts.reshape(-1),
            }
        ).with_columns(pl.col("date").cast(pl.Date))
        frame.write_parquet(folder / f"{YEAR}-{month:02d}.parquet", row_group_size=1_000_000)
        del frame, counts, lam
    marker.write_text(json.dumps({"cells": cells}))


def run_polars(folder: Path) -> dict:
    from govanalytics.mobility import day_levels, night_levels, resident_population

    weights = pl.read_parquet(folder / "weights.parquet.w")
    t0 = time.perf_counter()
    lf = pl.scan_parquet(folder / "*.parquet")
    nights = night_levels(lf, weights).collect(engine="streaming")
    days = day_levels(lf, weights).collect(engine="streaming")
    t_agg = time.perf_counter() - t0
    share = pl.DataFrame({"area": [str(i) for i in range(N_DISTRICTS)], "market_share": 0.5})
    t1 = time.perf_counter()
    months = [
        resident_population(nights, share, month=f"{YEAR}-{m:02d}", n_boot=200)
        for m in range(1, 13)
    ]
    t_res = time.perf_counter() - t1
    nights.write_parquet(folder / "polars_nights.parquet.out")
    return {
        "seconds": t_agg,
        "resident_seconds": t_res,
        "peak_mb": _peak_mb(),
        "nights": nights.height,
        "days": days.height,
        "months": sum(m.height for m in months),
    }


def run_duckdb(folder: Path) -> dict:
    import duckdb

    con = duckdb.connect()
    con.execute("SET threads = 2")
    files = str(folder / "*.parquet")
    weights = str(folder / "weights.parquet.w")

    def sql(window: str, key: str, hours: int) -> str:
        # the same plan as the polars code: share cell-hours out to areas, add up per area,
        # period and hour, skip hours with < 95 % of cells, mean over the period's hours
        return f"""
        WITH per_hour AS (
            SELECT area, {key} AS k, hour, sum(device_count * weight) AS s, count(*) AS c
            FROM read_parquet('{files}') JOIN read_parquet('{weights}') USING (cell_id)
            WHERE {window}
            GROUP BY ALL
        ), marked AS (
            SELECT *, max(c) OVER (PARTITION BY area) AS top FROM per_hour
        )
        SELECT area, k, avg(s) AS devices FROM marked WHERE c >= 0.95 * top
        GROUP BY ALL HAVING count(*) >= {hours}
        """

    night_sql = sql("hour >= 21 OR hour < 7", "date - CAST(hour < 7 AS INTEGER)", 8)
    day_sql = sql("hour >= 9 AND hour < 17 AND isodow(date) <= 5", "date", 7)
    t0 = time.perf_counter()
    nights = pl.from_arrow(con.sql(night_sql).to_arrow_table())
    days = pl.from_arrow(con.sql(day_sql).to_arrow_table())
    t = time.perf_counter() - t0
    nights.rename({"k": "night"}).write_parquet(folder / "duckdb_nights.parquet.out")
    return {"seconds": t, "peak_mb": _peak_mb(), "nights": nights.height, "days": days.height}


def run_pandas(folder: Path) -> dict:
    import pandas as pd

    weights = pd.read_parquet(folder / "weights.parquet.w")
    sample = sorted(folder.glob("*.parquet"))[5]  # one month (June)
    t0 = time.perf_counter()
    df = pd.read_parquet(sample)
    df["date"] = pd.to_datetime(df["date"])

    def levels(part: pd.DataFrame, key: pd.Series, hours: int) -> pd.DataFrame:
        part = part.assign(k=key).merge(weights, on="cell_id")
        part["wc"] = part["device_count"] * part["weight"]
        per = part.groupby(["area", "k", "hour"]).agg(s=("wc", "sum"), c=("wc", "size"))
        per = per.reset_index()
        per = per[per["c"] >= 0.95 * per.groupby("area")["c"].transform("max")]
        out = per.groupby(["area", "k"]).agg(devices=("s", "mean"), n=("s", "size"))
        return out[out["n"] >= hours]

    night = df[(df["hour"] >= 21) | (df["hour"] < 7)]
    nights = levels(
        night, night["date"] - pd.to_timedelta((night["hour"] < 7).astype(int), unit="D"), 8
    )
    day = df[(df["hour"] >= 9) & (df["hour"] < 17) & (df["date"].dt.dayofweek < 5)]
    days = levels(day, day["date"], 7)
    t = time.perf_counter() - t0
    return {
        "seconds_one_month": t,
        "seconds": t * 12,
        "extrapolated": "one month × 12",
        "peak_mb": _peak_mb(),
        "nights": len(nights),
        "days": len(days),
    }


def _gravity_od(areas: int, days: int, seed: int = 0) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Daily OD counts from a known power-decay gravity model (γ = −1.5) and the points."""
    rng = np.random.default_rng(seed)
    codes = np.array([f"{100000 + i:06d}000000" for i in range(areas)])
    points = pl.DataFrame(
        {
            "region_code": codes,
            "longitude": rng.uniform(80, 125, areas),
            "latitude": rng.uniform(22, 48, areas),
        }
    )
    from govanalytics.mobility import place_distances

    dist = place_distances(points)
    o = dist["origin"].str.slice(0, 6).cast(pl.Int64).to_numpy() - 100000
    d = dist["destination"].str.slice(0, 6).cast(pl.Int64).to_numpy() - 100000
    a, b = rng.normal(16.0, 1.0, areas), rng.normal(0.0, 1.0, areas)
    mu = np.exp(a[o] + b[d] - 1.5 * np.log(dist["distance_km"].to_numpy())) / days
    frames = []
    for day in range(days):
        frames.append(
            pl.DataFrame(
                {
                    "origin": dist["origin"],
                    "destination": dist["destination"],
                    "date": [dt.date(2020, 3, 1) + dt.timedelta(days=day)] * dist.height,
                    "count": rng.poisson(mu),
                }
            ).filter(pl.col("count") > 0)
        )
    return pl.concat(frames), points


def run_gravity(folder: Path) -> dict:
    """One process: the sparse fit on 400 areas × a month, and the dense baseline on 100."""
    import statsmodels.api as sm

    from govanalytics.mobility import fit_gravity, od_by_period, place_distances

    out: dict = {}
    od, points = _gravity_od(400, 30)
    out["rows"] = od.height
    t0 = time.perf_counter()
    month = od_by_period(od.lazy(), period="month")
    model = fit_gravity(month, place_distances(points))
    out["sparse_400_s"] = time.perf_counter() - t0
    out["gamma_400"] = model.gamma
    out["decay_400"] = model.decay
    out["peak_mb_after_400"] = _peak_mb()
    small, pts = _gravity_od(100, 30, seed=1)
    flows = od_by_period(small.lazy(), period="month")
    dist = place_distances(pts)
    t0 = time.perf_counter()
    sparse = fit_gravity(flows, dist, decay="power")
    out["sparse_100_s"] = time.perf_counter() - t0
    data = flows.join(dist, on=["origin", "destination"]).sort("origin", "destination")
    t0 = time.perf_counter()
    origins, dests = sorted(set(data["origin"])), sorted(set(data["destination"]))
    oi, di = {c: i for i, c in enumerate(origins)}, {c: i for i, c in enumerate(dests)}
    x = np.zeros((data.height, len(origins) + len(dests)))
    x[:, 0] = 1.0
    for r, (o, d) in enumerate(zip(data["origin"], data["destination"], strict=True)):
        if oi[o]:
            x[r, oi[o]] = 1.0
        if di[d]:
            x[r, len(origins) - 1 + di[d]] = 1.0
    x[:, -1] = np.log(data["distance_km"].to_numpy())
    res = sm.GLM(data["count"].to_numpy().astype(float), x, family=sm.families.Poisson()).fit()
    out["dense_100_s"] = time.perf_counter() - t0
    out["gamma_100_sparse"] = sparse.gamma
    out["gamma_100_dense"] = float(res.params[-1])
    out["peak_mb"] = _peak_mb()
    return out


def main_gravity(folder: Path) -> None:
    proc = subprocess.run(
        [sys.executable, __file__, "--engine", "gravity", "--folder", str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    summary = {
        "gravity_rows": r["rows"],
        "sparse_400_areas_month_s": round(r["sparse_400_s"], 2),
        "peak_mb_400": round(r["peak_mb_after_400"]),
        "gamma_truth": -1.5,
        "gamma_400": round(r["gamma_400"], 4),
        "decay_400": r["decay_400"],
        "dense_glm_100_s": round(r["dense_100_s"], 2),
        "sparse_100_s": round(r["sparse_100_s"], 3),
        "dense_vs_sparse_100": round(r["dense_100_s"] / r["sparse_100_s"], 1),
        "gamma_100_sparse_minus_dense": r["gamma_100_sparse"] - r["gamma_100_dense"],
        "targets": "sparse_400_areas_month_s < 30, peak_mb_400 < 1024",
    }
    print(json.dumps(summary, indent=2))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=int, default=10_000)
    ap.add_argument("--engine", choices=("polars", "duckdb", "pandas", "gravity"))
    ap.add_argument("--case", choices=("counts", "gravity", "all"), default="all")
    ap.add_argument("--folder", type=Path, default=OUT)
    args = ap.parse_args()
    if args.engine == "gravity":
        print(json.dumps(run_gravity(args.folder)))
        return
    if args.case == "gravity":
        main_gravity(args.folder)
        return
    if args.engine:
        fn = {"polars": run_polars, "duckdb": run_duckdb, "pandas": run_pandas}[args.engine]
        print(json.dumps(fn(args.folder)))
        return
    t0 = time.perf_counter()
    make_data(args.folder, args.cells)
    rows = pl.scan_parquet(args.folder / "*.parquet").select(pl.len()).collect().item()
    size_mb = sum(f.stat().st_size for f in args.folder.glob("*.parquet")) / 2**20
    print(f"data: {rows:,} rows, {size_mb:,.0f} MB Parquet ({time.perf_counter() - t0:.0f} s)")
    results = {}
    for engine in ("polars", "duckdb", "pandas"):
        proc = subprocess.run(
            [sys.executable, __file__, "--engine", engine, "--folder", str(args.folder)],
            capture_output=True,
            text=True,
            check=True,
        )
        results[engine] = json.loads(proc.stdout.strip().splitlines()[-1])
        print(engine, results[engine])
    a = pl.read_parquet(args.folder / "polars_nights.parquet.out").sort("area", "night")
    b = (
        pl.read_parquet(args.folder / "duckdb_nights.parquet.out")
        .with_columns(pl.col("night").cast(pl.Date))
        .sort("area", "night")
    )
    same = a.height == b.height and np.allclose(a["devices"], b["devices"], rtol=1e-9)
    p, d, pd_ = (results[e]["seconds"] for e in ("polars", "duckdb", "pandas"))
    summary = {
        "rows": rows,
        "parquet_mb": round(size_mb),
        "polars_s": round(p, 2),
        "polars_resident_step_s": round(results["polars"]["resident_seconds"], 2),
        "duckdb_s": round(d, 2),
        "pandas_s_extrapolated": round(pd_, 1),
        "polars_vs_duckdb": round(p / d, 2),
        "pandas_vs_polars": round(pd_ / p, 1),
        "polars_peak_mb": round(results["polars"]["peak_mb"]),
        "duckdb_peak_mb": round(results["duckdb"]["peak_mb"]),
        "pandas_peak_mb_one_month": round(results["pandas"]["peak_mb"]),
        "polars_equals_duckdb": bool(same),
    }
    print(json.dumps(summary, indent=2))
    (args.folder / "summary.json.txt").write_text(json.dumps(summary, indent=2))
    if args.case == "all":
        main_gravity(args.folder)


if __name__ == "__main__":
    main()
