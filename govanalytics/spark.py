"""The Apache Spark engine: one session, inputs where the data live, results back as polars.

The heavy, data-proportional steps (hourly device counts to area presence, OD counts to
periods, comment text to writer counts) run either on polars on one machine (the default,
``engine="polars"``) or on Spark (``engine="spark"``) where the data are past one machine.
Each capability keeps both engines in one private module (``mobility/_engine.py``,
``hotwords/_engine.py``); this module holds what they share:

* :func:`spark_session` — the active session, or one built from ``spark_conf`` (``k=v`` pairs
  of the command line's ``--spark-conf``), with Arrow transfer switched on;
* :func:`read_spark_table` — a Spark DataFrame from a DataFrame, a Parquet/ORC folder on any
  Hadoop-compatible path (``hdfs://``, ``s3a://``, local) or a metastore table name;
* :func:`to_polars` — an *aggregated* Spark result as a polars frame, through Arrow.

Raw rows never come to the driver: only aggregates go through :func:`to_polars`.
See ``docs/spark.md``.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, Literal

from govanalytics.errors import DataError, ParameterError

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "ENGINES",
    "Engine",
    "check_engine",
    "is_spark_frame",
    "read_spark_table",
    "spark_available",
    "spark_session",
    "to_polars",
]

#: The engines of the heavy steps.
Engine = Literal["polars", "spark"]
ENGINES: tuple[str, ...] = ("polars", "spark")

#: Settings every session gets unless ``spark_conf`` says otherwise: results come back through
#: Arrow, and timestamps are read as written (no time-zone shift of ``created_at``).
_DEFAULT_CONF = {
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.session.timeZone": "UTC",
}

_HINT = (
    "Hint: install the extra (pip install -e '.[spark]') and a Java runtime 17+ "
    "(Debian: openjdk-17-jre-headless; make system-deps installs it)"
)


def check_engine(engine: object, name: str = "engine") -> str:
    """Return ``engine`` if it is ``"polars"`` or ``"spark"``, else raise naming ``name``."""
    if engine not in ENGINES:
        msg = f"parameter {name!r} must be 'polars' or 'spark', got {engine!r}"
        raise ParameterError(msg)
    return str(engine)


def spark_available() -> str:
    """Why Spark cannot run here ("" when it can): pyspark importable and a Java found."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return f"pyspark is not installed. {_HINT}"
    import shutil

    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and os.path.exists(os.path.join(java_home, "bin", "java"))) and not (
        shutil.which("java")
    ):
        return f"no Java runtime (java not on PATH, JAVA_HOME unset). {_HINT}"
    return ""


def is_spark_frame(obj: object) -> bool:
    """True for a PySpark DataFrame (classic or Spark Connect), without importing pyspark."""
    return any(c.__module__.startswith("pyspark.") for c in type(obj).__mro__) and hasattr(
        obj, "groupBy"
    )


def spark_session(spark_conf: dict[str, Any] | None = None) -> Any:
    """The active Spark session, or a new one configured by ``spark_conf``.

    Parameters
    ----------
    spark_conf
        Spark settings (``{"spark.master": "yarn", "spark.executor.memory": "8g"}``), the
        ``--spark-conf k=v`` pairs of the command line. Without ``spark.master`` and outside
        ``spark-submit`` the session runs in local mode on all cores (``local[*]``). Settings
        go to the session builder; a session that already runs keeps its own (Spark cannot
        change most of them after start).

    Returns
    -------
    pyspark.sql.SparkSession

    Raises
    ------
    ParameterError
        pyspark or Java is missing, or ``spark_conf`` is not a mapping.
    """
    if spark_conf is not None and not isinstance(spark_conf, dict):
        msg = f"parameter 'spark_conf' must be a dict of Spark settings, got {spark_conf!r}"
        raise ParameterError(msg)
    why = spark_available()
    if why:
        msg = f"engine='spark': {why}"
        raise ParameterError(msg)
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = SparkSession.builder.appName("govanalytics")
    conf = {**_DEFAULT_CONF, **{str(k): str(v) for k, v in (spark_conf or {}).items()}}
    if "spark.master" not in conf and "SPARK_HOME" not in os.environ:
        conf["spark.master"] = "local[*]"
    if str(conf.get("spark.master", "")).startswith("local"):
        # local Python workers run this interpreter (its packages: polars, jieba, govanalytics);
        # pyspark reads the variable, not a setting, when it starts the context
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    for key, value in conf.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def read_spark_table(
    source: Any,
    *,
    spark: Any = None,
    file_format: Literal["auto", "parquet", "orc"] = "auto",
) -> Any:
    """A Spark DataFrame from a DataFrame, a Parquet/ORC path or a metastore table name.

    Parameters
    ----------
    source
        A Spark DataFrame (returned as is); a path (``hdfs://…/device_counts``,
        ``s3a://bucket/od/``, ``/data/counts.parquet``) of a Parquet or ORC file or folder —
        folders partitioned by date (``date=2026-10-01/part-….parquet``) are read with the
        partition column restored; or a table name of the metastore (``ods.device_counts``).
    spark
        The session (default :func:`spark_session`).
    file_format
        ``"auto"`` (default): ORC when the path ends in ``.orc`` or holds ``*.orc`` files,
        else Parquet.

    Returns
    -------
    pyspark.sql.DataFrame
        Lazy: nothing is read until an aggregate runs.

    Raises
    ------
    DataError
        The path or table does not exist (names it).
    """
    if is_spark_frame(source):
        return source
    if not isinstance(source, str | os.PathLike):
        msg = (
            "Spark input must be a Spark DataFrame, a Parquet/ORC path or a table name, got "
            f"{type(source).__name__}"
        )
        raise ParameterError(msg)
    if file_format not in ("auto", "parquet", "orc"):
        msg = f"parameter 'file_format' must be 'auto', 'parquet' or 'orc', got {file_format!r}"
        raise ParameterError(msg)
    spark = spark or spark_session()
    text = os.fspath(source)
    if _is_table_name(text):
        if not spark.catalog.tableExists(text):
            msg = f"Spark input {text!r}: no such table in the metastore, and not a path"
            raise DataError(msg)
        return spark.table(text)
    fmt = file_format if file_format != "auto" else _guess_format(text)
    try:
        return spark.read.format(fmt).load(text)
    except Exception as exc:  # AnalysisException: PATH_NOT_FOUND, unreadable files
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        msg = f"Spark input {text!r} ({fmt}): cannot be read: {first[:300]}"
        raise DataError(msg) from None


def _is_table_name(text: str) -> bool:
    """``db.table`` or ``table``: no path separator, no scheme, no file suffix."""
    return (
        "/" not in text
        and "\\" not in text
        and ":" not in text
        and not text.endswith((".parquet", ".orc"))
        and not os.path.exists(text)
    )


def _guess_format(path: str) -> str:
    if path.endswith(".orc"):
        return "orc"
    if "://" not in path and os.path.isdir(path):
        for _root, _dirs, files in os.walk(path):
            if any(f.endswith(".orc") for f in files):
                return "orc"
            if any(f.endswith(".parquet") for f in files):
                return "parquet"
    return "parquet"


def to_polars(frame: Any) -> pl.DataFrame:
    """An aggregated Spark result as a polars frame, through Arrow.

    Call it only on aggregates (areas × periods × hours, OD pairs × periods, words × windows
    × areas): the whole result comes to the driver.
    """
    import polars as pl

    if hasattr(frame, "toArrow"):  # Spark ≥ 4.0: record batches straight from the executors
        return pl.from_arrow(frame.toArrow())  # type: ignore[return-value]
    return pl.from_pandas(frame.toPandas())
