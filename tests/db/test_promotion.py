"""Promotion in the database: one transaction, overlapping stewards, a killed run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from govanalytics.data import DynamicStore, MasterStore
from govanalytics.services import apply_promotion, plan_promotion
from govanalytics.services._promotion import promote_frame

pytestmark = [pytest.mark.xdist_group("postgres"), pytest.mark.postgres]
psycopg = pytest.importorskip("psycopg", reason="the db extra is not installed")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def plan(city_db: str):
    """The promotion plan of the small city, made from the database's own tables."""
    register = MasterStore(city_db).load("population_register")
    return plan_promotion(register, DynamicStore(city_db).load("applications"))


@pytest.fixture(scope="module")
def expected_master(city_db: str, plan) -> pl.DataFrame:
    """The register after ONE run of the plan, computed in memory (no database)."""
    return promote_frame(MasterStore(city_db).load("population_register"), plan)[0]


@pytest.fixture
def plan_file(plan, tmp_path: Path) -> Path:
    path = tmp_path / "promotions.parquet"
    plan.promotions.write_parquet(path)
    return path


class Steward:
    """A promotion run in a separate process, paused at the named steps."""

    def __init__(self, url: str, plan_file: Path, pause: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.db.promote_worker", url, str(plan_file), pause],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )

    def expect(self, step: str) -> int:
        """Wait until the run reports ``step``; the run's server process id."""
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().split()
        assert line and line[0] == step, f"expected {step!r}, got {line!r}"
        return int(line[1]) if len(line) > 1 else 0

    def go(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()

    def close(self) -> None:
        """End the process if still running and close its pipes."""
        self.proc.kill()
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()

    def finish(self) -> None:
        assert self.expect("done") == 0
        assert self.proc.wait(timeout=120) == 0


def _poll(url: str, sql: str, args: list, until: Callable[[object], bool]) -> None:
    """Query until ``until(value)`` holds (bounded: a failure after 60 s, never a sleep-and-hope)."""
    deadline = time.monotonic() + 60
    with psycopg.connect(url, autocommit=True) as conn:
        while not until(conn.execute(sql, args).fetchone()[0]):
            assert time.monotonic() < deadline, f"condition never reached: {sql} {args}"
            time.sleep(0.05)


def _state(url: str) -> tuple[pl.DataFrame, int, int]:
    with psycopg.connect(url) as conn:
        audit = conn.execute("SELECT count(*) FROM master.promotion_audit").fetchone()[0]
        runs = conn.execute("SELECT count(*) FROM master.promotion_runs").fetchone()[0]
    return MasterStore(url).load("population_register"), audit, runs


def test_two_overlapping_stewards_end_as_one_run(
    city_db_copy: str, plan, plan_file: Path, expected_master: pl.DataFrame
) -> None:
    url = city_db_copy
    first = Steward(url, plan_file, "begun,first_write")
    second = Steward(url, plan_file, "begun")
    try:
        pid_first, pid_second = first.expect("begun"), second.expect("begun")
        # barrier: both transactions are open at the same time
        _poll(
            url,
            "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s) AND xact_start IS NOT NULL",
            [[pid_first, pid_second]],
            lambda n: n == 2,
        )
        first.go()
        first.expect("first_write")  # the first run changed rows and holds their locks
        second.go()
        # the second run is blocked on those row locks while the first is paused
        _poll(
            url,
            "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
            [pid_second],
            lambda event: event == "Lock",
        )
        first.go()
        first.finish()
        second.finish()
    finally:
        first.close()
        second.close()
    master, audit, runs = _state(url)
    assert master.equals(expected_master)
    assert audit == plan.promotions.height > 100  # every change logged once, none twice
    with psycopg.connect(url) as conn:
        applied = [
            r[0] for r in conn.execute("SELECT applied FROM master.promotion_runs ORDER BY run_id")
        ]
        tagged = conn.execute(
            "SELECT count(DISTINCT run_id) FROM master.promotion_audit"
        ).fetchone()[0]
    assert applied == [plan.promotions.height, 0]  # the second found nothing left to do
    assert runs == 2 and tagged == 1


def test_a_killed_run_leaves_master_and_audit_unchanged(
    city_db_copy: str, plan, plan_file: Path, expected_master: pl.DataFrame
) -> None:
    url = city_db_copy
    before = _state(url)
    steward = Steward(url, plan_file, "begun,first_write")
    try:
        pid = steward.expect("begun")
        steward.go()
        steward.expect("first_write")
        os.kill(steward.proc.pid, signal.SIGKILL)
        steward.proc.wait()
    finally:
        steward.close()
    # the server notices the lost client and rolls its transaction back
    _poll(url, "SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid], lambda n: n == 0)
    after = _state(url)
    assert after[0].equals(before[0]) and after[1:] == before[1:] == (0, 0)
    assert not after[0].equals(expected_master)
    # the rows are free again: a new run applies the whole plan, once
    new, log = apply_promotion(MasterStore(url), plan)
    assert new.equals(expected_master) and log.height == plan.promotions.height
    # audit rows, once written, cannot be changed or removed, not even by the owner
    with psycopg.connect(url) as conn:
        for sql in (
            "DELETE FROM master.promotion_audit",
            "UPDATE master.promotion_runs SET applied = 0",
        ):
            with (
                pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"),
                conn.transaction(),
            ):
                conn.execute(sql)
