"""Fixtures of the database tests: ONE throwaway PostgreSQL server per test session.

Every test module here is marked ``xdist_group("postgres")``: with ``--dist loadgroup`` they
all run in one worker, which starts one server.
Without PostgreSQL (or as root without a ``postgres`` user) they skip with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.db.server import Server, start_server, why_unavailable


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    """A throwaway PostgreSQL server (initdb in a temporary folder, unix socket, free port)."""
    reason = why_unavailable()
    if reason:
        pytest.skip(f"no PostgreSQL for the database tests: {reason}")
    server = start_server()
    try:
        yield server
    finally:
        server.stop()


def create_database(server: Server, name: str, *, template: str | None = None) -> str:
    """A new database on ``server`` (a copy of ``template`` when given); its URL."""
    import psycopg

    with psycopg.connect(server.url(database="postgres"), autocommit=True) as conn:
        copy = f" TEMPLATE {template}" if template else ""
        conn.execute(f"CREATE DATABASE {name}{copy}")
    return server.url(database=name)


@pytest.fixture(scope="session")
def city_frames(small_city: Path) -> dict[str, Any]:
    """Every dataset of the small city as the folder path loads it (validated)."""
    from govanalytics.data import open_project

    project = open_project(small_city)
    return {name: project.load_with_report(name) for name in sorted(project.datasets)}


@pytest.fixture(scope="session")
def city_db(pg_server: Server, city_frames: dict[str, Any]) -> str:
    """URL of a database holding the small city (db init + load), never written to."""
    from click.testing import CliRunner

    from govanalytics.cli import main
    from govanalytics.data._postgres import load_into_database

    url = create_database(pg_server, "city")
    result = CliRunner().invoke(main, ["db", "init", url])
    assert result.exit_code == 0, result.output
    assert "14 tables; roles govanalytics_report" in result.output
    load_into_database(url, city_frames)
    return url


@pytest.fixture
def city_db_copy(pg_server: Server, city_db: str, request: pytest.FixtureRequest) -> str:
    """URL of a private copy of the city database (CREATE DATABASE … TEMPLATE city)."""
    name = "t_" + "".join(ch if ch.isalnum() else "_" for ch in request.node.name).lower()[:50]
    return create_database(pg_server, name, template="city")
