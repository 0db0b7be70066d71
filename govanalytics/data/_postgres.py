"""PostgreSQL backend of the two stores (基础主数据库 and 业务动态数据库 in a database).

A store whose ``data_dir`` is a ``postgresql://`` URL keeps its datasets in tables instead of
Parquet files: master datasets in the database schema ``master``, dynamic datasets in
``dynamic``, one table per dataset, named like the dataset.

* **One source of truth.** The tables are generated from the declarations in
  :mod:`govanalytics.data.schemas` (:func:`table_ddl`): column types, ``NOT NULL`` for
  required non-empty columns, ``CHECK`` constraints for allowed codes, ranges and patterns,
  the dataset's unique key (``UNIQUE NULLS NOT DISTINCT``, PostgreSQL 15+) and an index on
  every join key. The 18-digit ID-number check digit and references to the regions table
  stay in the loader's validation (a project's regions may come from the national
  gazetteer, not from a table), which runs on every load and every read exactly as for files.
  Each table has a ``row_id`` identity column: rows read back in the order they were written.
* **Geometry** (boundaries, grid cells) is stored as WKB in a ``bytea`` column ``geometry``
  (WGS84, :data:`govanalytics.constants.CRS`), readable by PostGIS' ``ST_GeomFromWKB`` where
  a server has it; no PostGIS extension is required.
* **Reading** goes through Arrow: the ADBC PostgreSQL driver (Apache Arrow project, libpq and
  binary COPY underneath) returns an Arrow table that polars takes without copying.
  **Writing** uses psycopg 3 (``COPY … FROM STDIN`` in CSV), inside one transaction per load.
* **Promotion** (:func:`promote`) is one transaction: the register rows of the plan's persons
  are locked ``FOR UPDATE`` in ``person_key`` order, changed only where they still hold the
  plan's old value, the audit rows and a run record (``master.promotion_runs``) are written,
  and everything commits together or not at all.
* **Roles** (:data:`ROLES`): ``govanalytics_report`` reads, ``govanalytics_writer`` also
  writes business (dynamic) data, ``govanalytics_steward`` also promotes into the register.
  The audit table is append-only: no application role may update or delete it, and a
  trigger refuses updates, deletes and truncation even to the owner.
* **Secrets** never travel in URLs: a URL with a password is refused (put it in
  ``PGPASSWORD`` or ``~/.pgpass``; libpq reads both), and :func:`redact_url` is what
  messages, reprs and manifests show.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import polars as pl

from govanalytics.constants import CRS
from govanalytics.data._convert import target_dtype
from govanalytics.data._load import _finish, get_schema
from govanalytics.data._read import RawTable
from govanalytics.data._report import LoadReport
from govanalytics.data._schema import Column, Schema
from govanalytics.data.schemas import SCHEMAS
from govanalytics.errors import DataError, ParameterError

__all__ = [
    "DATABASE_SCHEMES",
    "ROLES",
    "RUNS_TABLE",
    "check_url",
    "has_password",
    "init_database",
    "is_database_url",
    "load_into_database",
    "promote",
    "read_dataset",
    "redact_url",
    "table_ddl",
    "table_fingerprint",
    "table_name",
    "write_dataset",
]

#: URL schemes of a database store.
DATABASE_SCHEMES = ("postgresql://", "postgres://")
#: Application roles: purpose → role name (NOLOGIN group roles; grant them to login users).
ROLES: dict[str, str] = {
    "report": "govanalytics_report",
    "writer": "govanalytics_writer",
    "steward": "govanalytics_steward",
}
#: One row per promotion run (who, when, how many changes).
RUNS_TABLE = "master.promotion_runs"
ROW_ID = "row_id"
GEOMETRY = "geometry"
#: Columns joined on by the analyses: indexed unless they lead the table's unique key.
#: Tables loaded with at least this many rows get their keys and indexes rebuilt in bulk.
BULK_ROWS = 100_000
JOIN_KEYS = ("person_key", "cell_id", "application_id", "region_code", "district_code")

_PG_TYPES: dict[Any, str] = {
    pl.String: "text",
    pl.Int64: "bigint",
    pl.Int32: "integer",
    pl.Int16: "smallint",
    pl.Int8: "smallint",
    pl.Float64: "double precision",
    pl.Boolean: "boolean",
    pl.Date: "date",
    pl.Datetime: "timestamp",
}

#: Test hook: called as ``hook(step, connection)`` with ``"begun"`` once the promotion's
#: transaction is open and ``"first_write"`` after its first UPDATE (None in normal use).
promotion_hook: Callable[[str, Any], None] | None = None


# ---------------------------------------------------------------------------- URLs
def is_database_url(value: object) -> bool:
    """Whether ``value`` is a ``postgresql://`` (or ``postgres://``) URL."""
    return isinstance(value, str) and value.startswith(DATABASE_SCHEMES)


def has_password(url: str) -> bool:
    """Whether a URL carries a password (``user:secret@host`` or ``?password=``)."""
    parts = urlsplit(url)
    return parts.password is not None or any(k == "password" for k, _ in parse_qsl(parts.query))


def redact_url(url: str) -> str:
    """``url`` without its password (user, host, database and options kept)."""
    if not has_password(url):
        return url
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        user, host = netloc.rsplit("@", 1)
        netloc = f"{user.split(':', 1)[0]}@{host}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "password"])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def check_url(url: str, *, parameter: str = "url") -> str:
    """Return ``url`` if it is a database URL without a password; else a ParameterError.

    Passwords belong in the environment (``PGPASSWORD``) or ``~/.pgpass``, which libpq reads:
    a URL is written into notebooks, project files and report manifests.
    """
    if not is_database_url(url):
        msg = f"parameter {parameter!r}: expected a postgresql:// URL, got {url!r}"
        raise ParameterError(msg)
    if has_password(url):
        msg = (
            f"parameter {parameter!r}: the URL {redact_url(url)!r} carries a password; remove "
            "it and put the password in PGPASSWORD or ~/.pgpass (URLs end up in notebooks, "
            "project files and report manifests)"
        )
        raise ParameterError(msg)
    return url


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        msg = "the database backend needs psycopg: pip install 'govanalytics[db]'"
        raise DataError(msg) from exc
    return psycopg


@contextmanager
def _connect(url: str, *, autocommit: bool = False) -> Iterator[Any]:
    psycopg = _psycopg()
    try:
        conn = psycopg.connect(url, autocommit=autocommit)
    except psycopg.OperationalError as exc:
        msg = f"{redact_url(url)}: cannot connect ({str(exc).strip().splitlines()[0]})"
        raise DataError(msg) from exc
    try:
        yield conn
    finally:
        conn.close()


# ---------------------------------------------------------------------------- DDL
def table_name(dataset: str | Schema) -> str:
    """Qualified table of a dataset: ``master.regions``, ``dynamic.comments``, …"""
    schema = get_schema(dataset)
    return f"{schema.store}.{schema.name}"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return f"'{value.isoformat(sep=' ')}'::timestamp"
    if isinstance(value, dt.date):
        return f"'{value.isoformat()}'::date"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _pg_type(column: Column) -> str:
    dtype = target_dtype(column)
    return _PG_TYPES[dtype.base_type()]


def _checks(table: str, column: Column) -> list[str]:
    col = _ident(column.name)
    out = []
    if column.allowed is not None:
        values = ", ".join(_literal(v) for v in column.allowed)
        out.append(
            f"CONSTRAINT {_ident(f'{table}_{column.name}_allowed')} CHECK ({col} IN ({values}))"
        )
    if column.min is not None or column.max is not None:
        parts = []
        if column.min is not None:
            parts.append(f"{col} >= {_literal(column.min)}")
        if column.max is not None:
            parts.append(f"{col} <= {_literal(column.max)}")
        out.append(
            f"CONSTRAINT {_ident(f'{table}_{column.name}_range')} CHECK ({' AND '.join(parts)})"
        )
    if column.pattern is not None:
        out.append(
            f"CONSTRAINT {_ident(f'{table}_{column.name}_pattern')} "
            f"CHECK ({col} ~ {_literal(f'^(?:{column.pattern})$')})"
        )
    return out


def table_ddl(dataset: str | Schema) -> list[str]:
    """The SQL statements creating a dataset's table, generated from its schema.

    Parameters
    ----------
    dataset
        A dataset name or :class:`~govanalytics.data.Schema`.

    Returns
    -------
    list of str
        ``CREATE TABLE`` (types, ``NOT NULL``, ``CHECK``, unique key), a table comment with
        the Chinese label, and ``CREATE INDEX`` on each join key; idempotent (``IF NOT
        EXISTS``).

    Examples
    --------
    >>> print(table_ddl("market_share")[0].splitlines()[0])
    CREATE TABLE IF NOT EXISTS master.market_share (
    """
    schema = get_schema(dataset)
    table = table_name(schema)
    lines = [f"{ROW_ID} bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"]
    constraints: list[str] = []
    for column in schema.columns:
        null = " NOT NULL" if column.required and not column.nullable else ""
        lines.append(f"{_ident(column.name)} {_pg_type(column)}{null}")
        constraints += _checks(schema.name, column)
    if schema.geometry:
        lines.append(f"{GEOMETRY} bytea NOT NULL")  # WKB, WGS84
    if schema.name == "promotion_audit":
        lines.append(f"run_id bigint REFERENCES {RUNS_TABLE} (run_id)")
    if schema.unique:
        keys = ", ".join(_ident(k) for k in schema.unique)
        constraints.append(
            f"CONSTRAINT {_ident(f'{schema.name}_key')} UNIQUE NULLS NOT DISTINCT ({keys})"
        )
    body = ",\n    ".join(lines + constraints)
    out = [f"CREATE TABLE IF NOT EXISTS {table} (\n    {body}\n)"]
    out.append(f"COMMENT ON TABLE {table} IS {_literal(schema.label_zh)}")
    lead = schema.unique[0] if schema.unique else None
    for column in schema.columns:
        if column.name == lead or not (column.references or column.name in JOIN_KEYS):
            continue
        index = _ident(f"{schema.name}_{column.name}_idx")
        out.append(f"CREATE INDEX IF NOT EXISTS {index} ON {table} ({_ident(column.name)})")
    return out


def _runs_ddl() -> list[str]:
    return [
        f"""CREATE TABLE IF NOT EXISTS {RUNS_TABLE} (
    run_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at timestamptz NOT NULL,
    finished_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    steward text NOT NULL DEFAULT session_user,
    planned integer NOT NULL CHECK (planned >= 0),
    applied integer NOT NULL CHECK (applied >= 0),
    stale integer NOT NULL CHECK (stale >= 0)
)""",
        f"COMMENT ON TABLE {RUNS_TABLE} IS '主数据更新运行记录'",
    ]


_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION master.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'table %.% is append-only (audit trail): % refused', TG_TABLE_SCHEMA,
        TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END $$"""


def _role_sql() -> list[str]:
    report, writer, steward = ROLES["report"], ROLES["writer"], ROLES["steward"]
    out = []
    for role in ROLES.values():
        out.append(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
            f"THEN CREATE ROLE {role} NOLOGIN; END IF; END $$"
        )
    everyone = f"{report}, {writer}, {steward}"
    audit = table_name("promotion_audit")
    out += [
        f"GRANT USAGE ON SCHEMA master, dynamic TO {everyone}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA master, dynamic TO {everyone}",
        f"GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA dynamic TO {writer}",
        f"GRANT UPDATE ON {table_name('population_register')} TO {steward}",
        f"GRANT INSERT ON {audit}, {RUNS_TABLE} TO {steward}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {audit}, {RUNS_TABLE} FROM PUBLIC, {everyone}",
    ]
    for table in (audit, RUNS_TABLE):
        name = table.split(".")[1]
        out += [
            f"DROP TRIGGER IF EXISTS {name}_append_only ON {table}",
            f"CREATE TRIGGER {name}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION master.refuse_change()",
            f"DROP TRIGGER IF EXISTS {name}_no_truncate ON {table}",
            f"CREATE TRIGGER {name}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION master.refuse_change()",
        ]
    return out


def init_database(url: str) -> list[str]:
    """Create the schemas, tables, indexes and roles of both stores (idempotent).

    Run it as the database's owner (a role that may create schemas and roles). The three
    application roles (:data:`ROLES`) are NOLOGIN groups; give them to login users with
    ``GRANT govanalytics_report TO alice``.

    Parameters
    ----------
    url
        ``postgresql://user@host/database`` without a password (see :func:`check_url`).

    Returns
    -------
    list of str
        The tables created or already present, qualified.
    """
    check_url(url)
    statements = ["CREATE SCHEMA IF NOT EXISTS master", "CREATE SCHEMA IF NOT EXISTS dynamic"]
    statements += _runs_ddl()
    for name in SCHEMAS:
        statements += table_ddl(name)
    statements.append(_APPEND_ONLY)
    statements += _role_sql()
    with _connect(url) as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('govanalytics db init'))")
        for sql in statements:
            conn.execute(sql)
    return [RUNS_TABLE, *(table_name(n) for n in SCHEMAS)]


# ---------------------------------------------------------------------------- writing
def _frame_for_copy(dataset: str, frame: Any) -> pl.DataFrame:
    """The canonical columns (and WKB geometry) of a loaded frame, ready for COPY."""
    schema = get_schema(dataset)
    if schema.geometry:
        import shapely

        wkb = shapely.to_wkb(frame.to_crs(CRS).geometry.values, hex=True)
        attrs = pl.from_pandas(frame.drop(columns=frame.geometry.name))
        return attrs.select(schema.column_names).with_columns(
            pl.Series(GEOMETRY, ["\\x" + w for w in wkb], dtype=pl.String)
        )
    return frame.select(schema.column_names)


def _copy(cur: Any, table: str, frame: pl.DataFrame, *, batch: int = 200_000) -> None:
    cols = ", ".join(_ident(c) for c in frame.columns)
    with cur.copy(f"COPY {table} ({cols}) FROM STDIN (FORMAT csv)") as copy:
        for part in frame.iter_slices(batch):
            buf = io.BytesIO()
            # strings quoted, nulls unquoted empty: PostgreSQL's CSV tells "" from NULL
            part.write_csv(
                buf,
                include_header=False,
                quote_style="non_numeric",
                null_value="",
                datetime_format="%Y-%m-%d %H:%M:%S%.6f",
            )
            copy.write(buf.getvalue())


def _replace_rows(cur: Any, dataset: str, frame: Any) -> int:
    table = table_name(dataset)
    data = _frame_for_copy(dataset, frame)
    if dataset == "promotion_audit":  # append-only: add the rows not logged yet
        cur.execute(f"CREATE TEMP TABLE _audit_in (LIKE {table}) ON COMMIT DROP")
        cur.execute(f"ALTER TABLE _audit_in DROP COLUMN {ROW_ID}")
        _copy(cur, "_audit_in", data)
        keys = ", ".join(_ident(k) for k in get_schema(dataset).unique)
        cols = ", ".join(_ident(c) for c in data.columns)
        cur.execute(
            f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _audit_in "
            f"ON CONFLICT ({keys}) DO NOTHING"
        )
        return data.height
    cur.execute(f"DELETE FROM {table}")  # MVCC: readers see the old rows until commit
    if data.height < BULK_ROWS:
        _copy(cur, table, data)
        return data.height
    # a large table: its keys and indexes are rebuilt once after COPY (about twice as fast
    # as growing them row by row); readers of this table wait until the load commits
    cur.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u') ORDER BY contype",
        [table],
    )
    keys = cur.fetchall()
    cur.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.oid)",
        [table],
    )
    indexes = cur.fetchall()
    drops = [f"DROP CONSTRAINT {_ident(name)}" for name, _ in keys]
    if drops:
        cur.execute(f"ALTER TABLE {table} {', '.join(drops)}")
    for name, _ in indexes:
        cur.execute(f"DROP INDEX {table.split('.')[0]}.{_ident(name)}")
    _copy(cur, table, data)
    adds = [f"ADD CONSTRAINT {_ident(name)} {definition}" for name, definition in keys]
    if adds:
        cur.execute(f"ALTER TABLE {table} {', '.join(adds)}")
    for _, definition in indexes:
        cur.execute(definition)
    return data.height


def write_dataset(url: str, dataset: str, frame: Any) -> None:
    """Replace the rows of one dataset's table by ``frame`` (validated) in one transaction."""
    write_frames(url, {dataset: frame})


def write_frames(url: str, frames: Mapping[str, Any]) -> dict[str, int]:
    """Replace several datasets' rows in ONE transaction (all or nothing); rows per table.

    The audit table is append-only: its rows are added where their key is new. Frames must
    already be validated (they come from the loader).
    """
    check_url(url)
    psycopg = _psycopg()
    out = {}
    with _connect(url) as conn:
        try:
            with conn.transaction(), conn.cursor() as cur:
                for name in _in_dependency_order(frames):
                    out[name] = _replace_rows(cur, name, frames[name])
        except psycopg.errors.UndefinedTable as exc:
            msg = f"{redact_url(url)}: {exc}".strip() + "; run `govanalytics db init URL` first"
            raise DataError(msg) from exc
        except psycopg.Error as exc:
            msg = f"{redact_url(url)}: nothing loaded (rolled back): {str(exc).strip()}"
            raise DataError(msg) from exc
    return out


def _in_dependency_order(frames: Mapping[str, Any]) -> list[str]:
    first = [n for n in ("regions", "boundaries") if n in frames]
    return first + sorted(n for n in frames if n not in first)


def load_into_database(
    url: str, datasets: Mapping[str, tuple[Any, LoadReport]] | None = None, *, source: Any = None
) -> dict[str, int]:
    """Load a data folder (or a project) into the database: validated first, one transaction.

    Parameters
    ----------
    url
        The database (schema created by :func:`init_database`).
    datasets
        ``{dataset: (frame, report)}`` already loaded; or None and ``source``.
    source
        A data folder (the sample city's layout or a project with ``govanalytics.toml``):
        every dataset it declares is loaded through the same loader as the file path
        (column maps, repairs, validation).

    Returns
    -------
    dict
        Rows written per dataset.

    Raises
    ------
    SchemaError
        Bad rows in any dataset: one error listing every problem of every dataset, and
        nothing is written.
    """
    from govanalytics.errors import SchemaError

    check_url(url)
    if datasets is None:
        from govanalytics.data._project import open_project

        project = open_project(source)
        loaded: dict[str, Any] = {}
        failures: list[SchemaError] = []
        for name in sorted(project.datasets):
            try:
                loaded[name] = project.load(name)
            except SchemaError as exc:
                failures.append(exc)
        if len(failures) == 1:
            raise failures[0]
        if failures:
            problems = [
                {**p, "message": f"{exc.source}: {p['message']}"}
                for exc in failures
                for p in exc.problems
            ]
            raise SchemaError(f"{source} ({len(failures)} datasets)", problems)
    else:
        loaded = {name: frame for name, (frame, _) in datasets.items()}
    return write_frames(url, loaded)


# ---------------------------------------------------------------------------- reading
def _adbc_connect(url: str) -> Any:
    try:
        import adbc_driver_postgresql.dbapi as adbc
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        msg = "the database backend needs adbc-driver-postgresql: pip install 'govanalytics[db]'"
        raise DataError(msg) from exc
    try:
        return adbc.connect(url)
    except Exception as exc:
        msg = f"{redact_url(url)}: cannot connect ({str(exc).strip().splitlines()[0]})"
        raise DataError(msg) from exc


def read_table(url: str, dataset: str) -> pl.DataFrame:
    """The raw rows of a dataset's table through Arrow (ADBC), in the order written."""
    schema = get_schema(dataset)
    cols = [_ident(c) for c in schema.column_names]
    if schema.geometry:
        cols.append(GEOMETRY)
    query = f"SELECT {', '.join(cols)} FROM {table_name(schema)} ORDER BY {ROW_ID}"
    conn = _adbc_connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(query)
            table = cur.fetch_arrow_table()
        conn.rollback()
    except Exception as exc:
        msg = f"{redact_url(url)} table {table_name(schema)}: {str(exc).strip().splitlines()[0]}"
        raise DataError(msg) from exc
    finally:
        conn.close()
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


def has_rows(url: str, dataset: str) -> bool:
    """Whether the dataset's table exists and holds at least one row."""
    with _connect(url, autocommit=True) as conn:
        found = conn.execute("SELECT to_regclass(%s)", [table_name(dataset)]).fetchone()
        if not found or found[0] is None:
            return False
        return conn.execute(f"SELECT EXISTS (SELECT 1 FROM {table_name(dataset)})").fetchone()[0]


def table_fingerprint(url: str, dataset: str) -> str:
    """A fingerprint of a table's rows for a report manifest: ``md5:<hex>`` of the rows in the
    order written (each row's text form hashed, the hashes hashed), computed by the server."""
    table = table_name(dataset)
    with _connect(url, autocommit=True) as conn:
        row = conn.execute(
            f"SELECT md5(coalesce(string_agg(md5(t::text), '' ORDER BY t.{ROW_ID}), '')) "
            f"FROM {table} AS t"
        ).fetchone()
    return f"md5:{row[0]}"


def read_dataset(
    url: str, dataset: str, *, references: Mapping[str, pl.DataFrame] | None = None
) -> tuple[Any, LoadReport]:
    """Read a dataset from the database, validated like a file, with its load report.

    The rows go through the same conversion and checks as a Parquet file of the dataset
    (:func:`govanalytics.data.load_with_report`), so a frame read from the database equals
    the frame read from the folder it was loaded from. Geometry datasets come back as a
    GeoDataFrame (WGS84).
    """
    schema = get_schema(dataset)
    frame = read_table(url, dataset)
    source = f"{redact_url(url)} table {table_name(schema)}"
    if frame.height == 0:
        msg = f"{source}: the table has no rows (load it with `govanalytics db load`)"
        raise DataError(msg)
    geometry = frame[GEOMETRY] if schema.geometry else None
    attrs = frame.drop(GEOMETRY) if schema.geometry else frame
    raw = RawTable(attrs.lazy(), "postgresql", source)
    out, report = _finish(raw, schema, None, None, references)
    if geometry is None:
        return out, report
    import geopandas as gpd
    import shapely

    geoms = shapely.from_wkb(geometry.to_numpy())
    gdf = gpd.GeoDataFrame(out.to_pandas(), geometry=gpd.GeoSeries(geoms, crs=CRS), crs=CRS)
    return gdf, report


# ---------------------------------------------------------------------------- promotion
def _as_frame(
    rows: list[tuple], columns: list[str], dtypes: Mapping[str, pl.DataType]
) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={c: dtypes[c] for c in columns}, orient="row")


def promote(url: str, plan: Any) -> dict[str, int]:
    """Apply a promotion plan in ONE transaction; the run's counts.

    The register rows of the plan's persons are locked (``SELECT … FOR UPDATE``, in
    ``person_key`` order, so that two stewards never deadlock). A field is written only
    where the locked row still holds the plan's old value: a second steward running the
    same plan waits for the first to commit, then finds nothing left to do. The changed
    fields, one audit row per change (``master.promotion_audit``, tagged with the run) and
    the run record (``master.promotion_runs``) commit together; a run stopped midway
    (error, lost connection, killed process) rolls back and leaves the master as it was.

    Returns
    -------
    dict
        ``run_id``, ``planned``, ``applied`` (fields changed) and ``stale`` (planned
        changes whose old value no longer held).
    """
    from govanalytics.data.schemas import PROMOTION_AUDIT
    from govanalytics.services._promotion import promote_frame

    check_url(url)
    psycopg = _psycopg()
    schema = get_schema("population_register")
    register = table_name(schema)
    todo = plan.promotions
    fields = sorted(f for f in set(todo["field"]) if f in schema.column_names)
    persons = sorted(set(todo["person_key"]))
    dtypes = {c.name: target_dtype(c) for c in schema.columns}
    with _connect(url) as conn:
        try:
            with conn.transaction(), conn.cursor() as cur:
                started = cur.execute("SELECT now()").fetchone()[0]
                if promotion_hook is not None:
                    promotion_hook("begun", conn)
                cols = ["person_key", *fields]
                cur.execute(
                    f"SELECT {', '.join(_ident(c) for c in cols)} FROM {register} "
                    "WHERE person_key = ANY(%s) ORDER BY person_key FOR UPDATE",
                    [persons],
                )
                current = _as_frame(cur.fetchall(), cols, dtypes)
                new, audit = promote_frame(current, plan)
                changed = new.join(current, on="person_key", suffix="_was")
                first = True
                for name in fields:
                    rows = changed.filter(pl.col(name).ne_missing(pl.col(f"{name}_was")))
                    if rows.height == 0:
                        continue
                    cur.executemany(
                        f"UPDATE {register} SET {_ident(name)} = %s WHERE person_key = %s",
                        list(rows.select(name, "person_key").iter_rows()),
                    )
                    if first and promotion_hook is not None:
                        promotion_hook("first_write", conn)
                    first = False
                run_id = cur.execute(
                    f"INSERT INTO {RUNS_TABLE} (started_at, planned, applied, stale) "
                    "VALUES (%s, %s, %s, %s) RETURNING run_id",
                    [started, todo.height, audit.height, todo.height - audit.height],
                ).fetchone()[0]
                if audit.height:
                    _copy(
                        cur,
                        table_name("promotion_audit"),
                        audit.select(PROMOTION_AUDIT.column_names).with_columns(
                            pl.lit(run_id, dtype=pl.Int64).alias("run_id")
                        ),
                    )
        except psycopg.Error as exc:
            msg = f"{redact_url(url)}: promotion rolled back, master unchanged: {str(exc).strip()}"
            raise DataError(msg) from exc
    return {
        "run_id": run_id,
        "planned": todo.height,
        "applied": audit.height,
        "stale": todo.height - audit.height,
    }
