"""Benchmark: the heavy steps on polars and on Apache Spark ``local[2]``, wall time and memory.

Run by hand (never in tests; minutes)::

    .venv/bin/govanalytics synth --size large --seed 1 --out /tmp/city-large   # ~1 min
    .venv/bin/python bench/scale.py --data /tmp/city-large                    # both cases
    .venv/bin/python bench/scale.py --data /tmp/city-large --case population
    .venv/bin/python bench/scale.py --data data/sample --comments 200000       # smaller

Cases, each engine in a process of its own so that peak memory is its own:

* **population** — (a) the city's hourly device counts (76.6 M cell-hours in the large sample)
  → night, day and resident population per district for the latest complete month:
  ``load_mobility_inputs`` (checks and date span) then ``MobilityInputs.estimate`` (two passes
  over the counts: nights and days). polars reads the Parquet file here; Spark reads the same
  file (its row groups are the tasks).
* **comments** — (c) 1 M comments (the city's comments repeated with new ids, writers and
  days and a perturbed text) → masked tokens → distinct writers per word × week × district
  (``hotwords.count_comment_words``, rjieba on both engines).

Figures: wall time; peak resident memory of the Python process (``ru_maxrss``) and, on Spark,
of the JVM and of its Python workers (sampled every 0.2 s with psutil); rows per second per
core (2 cores here). The baseline is polars in the same run (ratios Spark / polars). Spark
runs with ``spark.driver.memory`` 4g (local mode: the executors live in the driver's JVM).
Results: ``bench/results/scale.json`` (git-ignored) and a table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "results"
CORES = 2
SPARK_CONF = {
    "spark.master": f"local[{CORES}]",
    "spark.driver.memory": "4g",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "8",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}


class Sampler:
    """Peak RSS of this process's child processes: the JVM and Spark's Python workers."""

    def __init__(self) -> None:
        self.jvm = 0
        self.workers = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.wait(0.2):
            jvm = workers = 0
            try:
                for child in me.children(recursive=True):
                    try:
                        rss = child.memory_info().rss
                        name = child.name()
                    except psutil.Error:
                        continue
                    if "java" in name:
                        jvm += rss
                    elif "python" in name:
                        workers += rss
            except psutil.Error:
                continue
            self.jvm = max(self.jvm, jvm)
            self.workers = max(self.workers, workers)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_population(data: Path, engine: str) -> dict:
    import polars as pl

    from govanalytics import mobility

    counts = data / "dynamic" / "device_counts.parquet"
    rows = pl.scan_parquet(counts).select(pl.len()).collect().item()
    if engine == "spark":
        from govanalytics.spark import spark_session

        spark_session(SPARK_CONF).sparkContext.setLogLevel("ERROR")
    t0 = time.perf_counter()
    inputs = mobility.load_mobility_inputs(data_dir=data, engine=engine)
    t1 = time.perf_counter()
    est = inputs.estimate(month=mobility.latest_complete_month(inputs.last_day))
    t2 = time.perf_counter()
    est.write_parquet(OUT / f"scale_population_{engine}.parquet")
    return {"rows": rows, "load_s": t1 - t0, "estimate_s": t2 - t1, "wall_s": t2 - t0}


def make_comments(data: Path, n: int) -> Path:
    """``n`` comments: the city's comments repeated with new ids, writers, days and a word
    appended from a short list (so texts are not all the same)."""
    import polars as pl

    path = OUT / f"comments_{n}.parquet"
    if path.exists():
        return path
    from govanalytics.data import load

    base = load("comments", data_dir=data).select(
        "message_id", "user_id", "created_at", "district_code", "community_code", "channel", "text"
    )
    extra = ["谢谢", "急", "麻烦了", "盼回复", "望重视", "请核实", "已多次反映", ""]
    reps = -(-n // base.height)
    parts = []
    for k in range(reps):
        parts.append(
            base.with_columns(
                (pl.col("message_id") + f"-{k}").alias("message_id"),
                (pl.col("user_id") + f"-{k % 7}").alias("user_id"),
                (pl.col("created_at") + pl.duration(days=k % 5)).alias("created_at"),
                (pl.col("text") + extra[k % len(extra)]).alias("text"),
            )
        )
    pl.concat(parts).head(n).write_parquet(path)
    return path


def run_comments(data: Path, engine: str, n: int) -> dict:
    import polars as pl

    from govanalytics import hotwords
    from govanalytics.data import load

    path = make_comments(data, n)
    regions = load("regions", data_dir=data)
    if engine == "spark":
        from govanalytics.spark import spark_session

        spark_session(SPARK_CONF).sparkContext.setLogLevel("ERROR")
        source: object = str(path)
    else:
        source = pl.read_parquet(path)
    t0 = time.perf_counter()
    out = hotwords.count_comment_words(
        source, window="week", regions=regions, segmenter="rjieba", engine=engine
    )
    t1 = time.perf_counter()
    out.write_parquet(OUT / f"scale_comments_{engine}.parquet")
    return {"rows": n, "wall_s": t1 - t0, "out_rows": out.height}


def child(args: argparse.Namespace) -> None:
    with Sampler() as sampler:
        if args.case == "population":
            res = run_population(args.data, args.engine)
        else:
            res = run_comments(args.data, args.engine, args.comments)
    res.update(
        python_peak_mb=_peak_mb(),
        jvm_peak_mb=sampler.jvm / 2**20,
        workers_peak_mb=sampler.workers / 2**20,
    )
    print("RESULT " + json.dumps(res), flush=True)


def compare(case: str) -> str:
    """Largest relative difference between the two engines' tables (floats), or equality."""
    import polars as pl

    a = pl.read_parquet(OUT / f"scale_{case}_polars.parquet")
    b = pl.read_parquet(OUT / f"scale_{case}_spark.parquet")
    if a.shape != b.shape:
        return f"shapes differ {a.shape} {b.shape}"
    worst = 0.0
    for c in a.columns:
        if a[c].dtype.is_float():
            d = ((a[c] - b[c]).abs() / a[c].abs().clip(lower_bound=1e-300)).max()
            worst = max(worst, float(d or 0.0))
        elif not a[c].equals(b[c]):
            return f"column {c} differs"
    return f"equal (floats within {worst:.1e} relative)"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", type=Path, default=ROOT / "data" / "sample")
    p.add_argument("--case", choices=["population", "comments", "all"], default="all")
    p.add_argument("--comments", type=int, default=1_000_000)
    p.add_argument("--engine", choices=["polars", "spark"], help=argparse.SUPPRESS)
    args = p.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.engine:
        child(args)
        return
    cases = ["population", "comments"] if args.case == "all" else [args.case]
    results: dict = {}
    for case in cases:
        for engine in ("polars", "spark"):
            cmd = [sys.executable, __file__, "--data", str(args.data), "--case", case]
            cmd += ["--comments", str(args.comments), "--engine", engine]
            env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
            done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
            line = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")]
            if done.returncode or not line:
                print(done.stderr[-3000:], file=sys.stderr)
                sys.exit(f"{case}/{engine} failed")
            results[f"{case}/{engine}"] = res = json.loads(line[0][7:])
            res["rows_per_s_per_core"] = res["rows"] / res["wall_s"] / CORES
            print(
                f"{case:10s} {engine:6s} rows {res['rows']:>11,}  wall {res['wall_s']:7.1f} s  "
                f"{res['rows_per_s_per_core']:>11,.0f} rows/s/core  python peak "
                f"{res['python_peak_mb']:6.0f} MB  JVM peak {res['jvm_peak_mb']:6.0f} MB  "
                f"workers peak {res['workers_peak_mb']:6.0f} MB",
                flush=True,
            )
        ratio = results[f"{case}/spark"]["wall_s"] / results[f"{case}/polars"]["wall_s"]
        same = compare(case)
        results[f"{case}/spark_over_polars"] = ratio
        results[f"{case}/agreement"] = same
        print(f"{case}: Spark / polars wall time = {ratio:.2f}; tables {same}", flush=True)
    (OUT / "scale.json").write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
