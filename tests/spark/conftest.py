"""One Spark session (``local[2]``) for the whole test session, and the small city's inputs
written where Spark reads them (Parquet folders partitioned by date)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

#: Small and quick: two cores, four shuffle partitions, no web UI, 1 GB for the driver.
SPARK_TEST_CONF = {
    "spark.master": "local[2]",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "2",
    "spark.driver.memory": "1g",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.session.timeZone": "UTC",
    # list the date folders here, not in a Spark job of its own (the default from 32 paths)
    "spark.sql.sources.parallelPartitionDiscovery.threshold": "10000",
}


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """The test session's only SparkSession (started once, stopped at the end)."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers import polars, jieba, …
    builder = SparkSession.builder.appName("govanalytics-tests")
    for key, value in SPARK_TEST_CONF.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def lake(small_city: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small city's device counts, OD counts and first comments as Parquet folders
    partitioned by date (``date=2026-10-01/…``), the layout of a data lake."""
    root = tmp_path_factory.mktemp("lake")
    dyn = small_city / "dynamic"
    pl.read_parquet(dyn / "device_counts.parquet").write_parquet(
        root / "device_counts", partition_by="date"
    )
    pl.read_parquet(dyn / "od_counts.parquet").write_parquet(
        root / "od_counts", partition_by="date"
    )
    comment_sample(small_city).with_columns(
        pl.col("created_at").dt.date().alias("date")
    ).write_parquet(root / "comments", partition_by="date")
    return root


@pytest.fixture(scope="session")
def od_frame(spark: Any, lake: Path) -> Any:
    """The OD date folders as a Spark DataFrame, cached (the OD tests read it four times)."""
    return spark.read.parquet(str(lake / "od_counts")).cache()


@pytest.fixture(scope="session")
def inputs(small_city: Path) -> Any:
    """District-level inputs of the small city on the polars engine."""
    from govanalytics.mobility import load_mobility_inputs

    return load_mobility_inputs(data_dir=small_city)


@pytest.fixture(scope="session")
def estimates(inputs: Any, truth: dict) -> pl.DataFrame:
    """Unsuppressed district estimates for the planted month, on the polars engine."""
    return inputs.estimate(month=truth["mobility"]["month"])


@pytest.fixture(scope="session")
def od(small_city: Path) -> pl.DataFrame:
    """The small city's street-to-street OD counts, on the polars engine."""
    from govanalytics.mobility import load_od

    return load_od(data_dir=small_city)


#: Comments of the engine-equality test: the first ones (jieba cuts in pure Python).
N_COMMENTS = 3000


def comment_sample(small_city: Path) -> pl.DataFrame:
    """The small city's first :data:`N_COMMENTS` comments, through the data layer."""
    from govanalytics.data import load

    comments = load("comments", data_dir=small_city)
    return comments.sort("created_at", "message_id").head(N_COMMENTS)
