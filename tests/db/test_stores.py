"""The stores in PostgreSQL: schema from the declarations, identical reads, loading, roles."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from govanalytics.data import DynamicStore, MasterStore, load_with_report
from govanalytics.data._postgres import redact_url, table_ddl
from govanalytics.data.schemas import DYNAMIC_DATASETS, MASTER_DATASETS, SCHEMAS
from govanalytics.errors import DataError, ParameterError, SchemaError
from tests.db.conftest import create_database

pytestmark = [pytest.mark.xdist_group("postgres"), pytest.mark.postgres]


def _same(a, b) -> bool:
    if isinstance(a, pl.DataFrame):
        return a.equals(b)
    geo = a.geometry.name
    return a.drop(columns=geo).equals(b.drop(columns=geo)) and bool(
        a.geometry.geom_equals_exact(b.geometry, 0).all()
    )


def test_every_dataset_reads_back_identical_to_the_folder(
    city_db: str, city_frames: dict[str, Any]
) -> None:
    """What every notebook reads: each table from the database equals the Parquet load."""
    assert set(city_frames) == set(SCHEMAS) - {"promotion_audit"}  # the city has no audit yet
    for kind, names in ((MasterStore, MASTER_DATASETS), (DynamicStore, DYNAMIC_DATASETS)):
        store = kind(city_db)
        for name in names:
            if name not in city_frames:
                assert not store.exists(name), name
                continue
            assert store.exists(name), name
            assert _same(city_frames[name][0], store.load(name)), name


def test_tables_carry_the_schema_constraints(city_db: str) -> None:
    import psycopg

    ddl = "\n".join(table_ddl("applications"))
    assert 'UNIQUE NULLS NOT DISTINCT ("application_id")' in ddl
    assert "applications_community_code_idx" in ddl  # join key indexed
    with psycopg.connect(city_db) as conn:
        # the server itself refuses what the schema forbids: an unknown service type,
        # a negative count, a malformed region code, a repeated key
        for sql in (
            "UPDATE dynamic.applications SET service_type = 'nonsense' WHERE row_id = 1",
            "UPDATE dynamic.od_counts SET count = -1 WHERE row_id = 1",
            "UPDATE master.regions SET region_code = '12AB' WHERE row_id = 1",
            "INSERT INTO master.market_share (district_code, market_share) "
            "SELECT district_code, market_share FROM master.market_share LIMIT 1",
        ):
            with pytest.raises(psycopg.errors.IntegrityError), conn.transaction():
                conn.execute(sql)
        indexes = {
            r[0]
            for r in conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'dynamic'")
        }
    assert {"comments_district_code_idx", "portal_activity_person_key_idx"} <= indexes
    assert len(SCHEMAS) == 13


def test_load_rejects_bad_rows_with_the_file_message_and_writes_nothing(
    pg_server, city_db: str, small_city: Path, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from govanalytics.cli import main

    folder = tmp_path / "bad"
    for name in ("regions", "market_share", "capacities"):
        source = small_city / SCHEMAS[name].default_file
        (folder / source.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy(source, folder / SCHEMAS[name].default_file)
    share = pl.read_parquet(folder / "master/market_share.parquet")
    share.with_columns(
        pl.Series("market_share", [1.5, *share["market_share"][1:].to_list()])
    ).write_parquet(folder / "master/market_share.parquet")
    with pytest.raises(SchemaError) as from_file:
        load_with_report("market_share", data_dir=folder)
    url = create_database(pg_server, "bad_load", template="city")
    before = MasterStore(url).load("capacities")
    MasterStore(url).write("capacities", before.with_columns(pl.col("capacity") + 1))
    result = CliRunner().invoke(main, ["db", "load", url, str(folder)])
    assert result.exit_code == 1
    assert str(from_file.value) in result.output and "nothing was loaded" in result.output
    # capacities were valid, but the load is one transaction: still the rows written above
    assert MasterStore(url).load("capacities")["capacity"].equals(before["capacity"] + 1)
    assert MasterStore(url).load("market_share").equals(MasterStore(city_db).load("market_share"))


def test_a_project_file_reads_database_sources(
    city_db: str, small_city: Path, tmp_path: Path
) -> None:
    from govanalytics.data import open_project

    (tmp_path / "govanalytics.toml").write_text(
        f'[datasets.regions]\nsource = "{city_db}"\n[datasets.clinic_counts]\nsource = "{city_db}"\n',
        encoding="utf-8",
    )
    project = open_project(tmp_path)
    counts, report = project.load_with_report("clinic_counts")
    assert counts.equals(DynamicStore(small_city).load("clinic_counts"))
    assert report.source.endswith("table dynamic.clinic_counts")
    assert project.files("clinic_counts") == []  # a table, no files
    # govanalytics check reads the tables too, naming them by URL and table
    from govanalytics.report._check import check_data

    checked = {d.name: d for d in check_data(tmp_path).datasets}
    assert checked["clinic_counts"].status == "ok" and checked["regions"].status == "ok"
    assert checked["clinic_counts"].rows == counts.height
    assert checked["clinic_counts"].source == f"{city_db} dynamic.clinic_counts"


def test_passwords_never_travel_in_urls(tmp_path: Path) -> None:
    secret = "postgresql://steward:s3cret@db.example/gov?sslmode=require"
    assert "s3cret" not in redact_url(secret)
    assert redact_url(secret) == "postgresql://steward@db.example/gov?sslmode=require"
    for given in (secret, "postgresql://steward@db.example/gov?password=s3cret"):
        with pytest.raises(ParameterError, match=r"PGPASSWORD or ~/\.pgpass") as err:
            MasterStore(given)
        assert "s3cret" not in str(err.value)
    (tmp_path / "govanalytics.toml").write_text(
        f'[datasets.comments]\nsource = "{secret}"\n', encoding="utf-8"
    )
    from govanalytics.data import open_project

    with pytest.raises(ParameterError, match="carries a password"):
        open_project(tmp_path)


def test_roles_have_least_privilege(pg_server, city_db: str) -> None:
    import psycopg

    with psycopg.connect(city_db, autocommit=True) as conn:
        for login, role in (("alice", "report"), ("bob", "writer"), ("carol", "steward")):
            conn.execute(f"CREATE ROLE {login} LOGIN IN ROLE govanalytics_{role}")
    report = pg_server.url(user="alice", database="city")
    # the report role reads through the store …
    assert MasterStore(report).load("market_share").height == 4
    share = MasterStore(report).load("market_share")
    # … and cannot write, neither master nor business data
    with pytest.raises(DataError, match="permission denied"):
        MasterStore(report).write("market_share", share)
    denied = psycopg.errors.InsufficientPrivilege
    with psycopg.connect(report) as conn:
        for sql in (
            "DELETE FROM dynamic.comments",
            "UPDATE master.population_register SET phone = NULL",
            "INSERT INTO master.promotion_audit (person_key) VALUES ('x')",
        ):
            with pytest.raises(denied), conn.transaction():
                conn.execute(sql)
    # the writer writes business data only; the steward cannot rewrite the audit trail
    with psycopg.connect(pg_server.url(user="bob", database="city")) as conn:
        with conn.transaction():
            conn.execute("UPDATE dynamic.comments SET text = text WHERE row_id = 1")
        for sql in (
            "UPDATE master.population_register SET phone = NULL WHERE row_id = 1",
            "INSERT INTO master.promotion_audit (person_key) VALUES ('x')",
        ):
            with pytest.raises(denied), conn.transaction():
                conn.execute(sql)
    with psycopg.connect(pg_server.url(user="carol", database="city")) as conn:
        for sql in (
            "UPDATE master.promotion_audit SET field = 'x'",
            "DELETE FROM master.promotion_runs",
        ):
            with pytest.raises(denied), conn.transaction():
                conn.execute(sql)
    # even the owner cannot empty the audit trail: the append-only trigger refuses
    with psycopg.connect(city_db) as conn, pytest.raises(denied, match="append-only"):
        conn.execute("TRUNCATE master.promotion_audit")
