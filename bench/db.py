"""Benchmark: the stores in PostgreSQL against the Parquet folder, in the same run.

Run by hand (never in tests)::

    .venv/bin/python bench/db.py [--size default] [--seed 1]

Generates the sample city of ``--size`` into a temporary folder, starts a throwaway
PostgreSQL server (``tests/db/server.py``: initdb in a temporary folder, unix socket,
``fsync=off`` — a test server, so write figures are an upper bound on speed) and times:

- **load**: validating every dataset (the loader, shared by both paths) and then writing it:
  COPY into the database (one transaction) vs ``write_parquet`` of the same frames;
- **read** each table into polars: ADBC (Arrow) vs ``pl.read_parquet`` (raw rows), and the
  validated read of each store (``MasterStore``/``DynamicStore.load``, what notebooks do)
  from the database vs from the folder; for the largest table also psycopg's
  ``COPY … TO STDOUT`` in CSV parsed by polars (the alternative to ADBC);
- **promotion**: ``apply_promotion`` of the city's plan to the folder (register and audit
  rewritten atomically) vs to the database (one transaction), each including the reload of
  register and audit the function returns; and the database transaction alone.

Figures are seconds and ratios database / Parquet (above 1: the database is slower).
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def row(label: str, db: float, parquet: float) -> None:
    print(f"{label:34s} {db:8.2f} s {parquet:8.2f} s  x{db / parquet:6.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="default", choices=["small", "default", "large"])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from govanalytics.data import DynamicStore, MasterStore, open_project
    from govanalytics.data import _postgres as pg
    from govanalytics.data.schemas import SCHEMAS
    from govanalytics.services import apply_promotion, plan_promotion
    from govanalytics.synth import generate_city
    from tests.db.server import start_server, why_unavailable

    reason = why_unavailable()
    if reason:
        print(f"bench/db.py: skipped ({reason})")
        return
    work = Path(tempfile.mkdtemp(prefix="govanalytics-bench-db-"))
    server = start_server()
    try:
        city, t_gen = timed(lambda: generate_city(work / "city", size=args.size, seed=args.seed))
        url = server.url()
        pg.init_database(url)
        project = open_project(city)
        frames, t_valid = timed(lambda: {n: project.load(n) for n in sorted(project.datasets)})
        rows = sum(len(f) for f in frames.values())
        print(f"city {args.size} seed {args.seed}: {len(frames)} datasets, {rows:,} rows "
              f"(generated in {t_gen:.1f} s)")  # fmt: skip
        print(f"{'':34s} {'database':>10s} {'parquet':>10s}  ratio")
        print(f"{'validate every dataset (shared)':34s} {t_valid:8.2f} s")

        def write_parquet() -> None:
            out = work / "copy"
            for name, frame in frames.items():
                target = out / SCHEMAS[name].default_file
                target.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(frame, pl.DataFrame):
                    frame.write_parquet(target.with_suffix(".parquet"))
                else:
                    frame.to_parquet(target.with_suffix(".parquet"))

        _, t_copy = timed(lambda: pg.write_frames(url, frames))
        _, t_pq = timed(write_parquet)
        row("load: write all (COPY vs Parquet)", t_copy, t_pq)

        raw_db = raw_pq = 0.0
        for name in sorted(frames):
            if SCHEMAS[name].geometry:
                continue
            _, a = timed(lambda n=name: pg.read_table(url, n))
            _, b = timed(lambda n=name: pl.read_parquet(city / SCHEMAS[n].default_file))
            raw_db, raw_pq = raw_db + a, raw_pq + b
            if frames[name].height >= 100_000:
                row(f"read {name} (raw rows)", a, b)
        row("read all tables (raw rows)", raw_db, raw_pq)

        biggest = max((n for n in frames if not SCHEMAS[n].geometry), key=lambda n: len(frames[n]))

        def psycopg_csv() -> pl.DataFrame:
            import psycopg

            cols = ", ".join(SCHEMAS[biggest].column_names)
            buf = io.BytesIO()
            with psycopg.connect(url) as conn, conn.cursor() as cur:
                query = f"COPY (SELECT {cols} FROM {pg.table_name(biggest)}) TO STDOUT (FORMAT csv)"
                with cur.copy(query) as copy:
                    for block in copy:
                        buf.write(block)
            return pl.read_csv(buf.getvalue(), has_header=False, new_columns=cols.split(", "))

        _, t_adbc = timed(lambda: pg.read_table(url, biggest))
        _, t_csv = timed(psycopg_csv)
        row(f"read {biggest}: ADBC vs psycopg CSV", t_adbc, t_csv)

        val_db = val_pq = 0.0
        for kind in (MasterStore, DynamicStore):
            in_db, on_disk = kind(url), kind(city)
            for name in kind.datasets:
                if name not in frames:
                    continue
                _, a = timed(lambda s=in_db, n=name: s.load(n))
                _, b = timed(lambda s=on_disk, n=name: s.load(n))
                val_db, val_pq = val_db + a, val_pq + b
        row("read all tables (validated load)", val_db, val_pq)

        import psycopg

        with psycopg.connect(server.url(database="postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE alone TEMPLATE govanalytics")
        register = frames["population_register"]
        plan = plan_promotion(register, frames["applications"])
        folder = work / "promote"
        shutil.copytree(city, folder)
        (_, log_db), t_db = timed(lambda: apply_promotion(MasterStore(url), plan))
        (_, log_pq), t_fold = timed(lambda: apply_promotion(folder, plan))
        assert log_db.height == log_pq.height == plan.promotions.height
        row(f"promotion ({plan.promotions.height} changes, + reload)", t_db, t_fold)
        counts, t_tx = timed(lambda: pg.promote(server.url(database="alone"), plan))
        assert counts["applied"] == plan.promotions.height
        print(f"{'promotion transaction alone':34s} {t_tx:8.2f} s")
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
