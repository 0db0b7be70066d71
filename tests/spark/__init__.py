"""Engine-equality tests: the Spark path gives the polars path's tables (Spark ``local[2]``)."""

import pytest

from govanalytics.spark import spark_available

_WHY = spark_available()

#: Marks of every Spark test: one xdist worker (so one JVM) for all of them
#: (``pytest -n 2 --dist loadgroup``), skipped with the reason where Java or pyspark is missing.
SPARK = [
    pytest.mark.spark,
    pytest.mark.xdist_group("spark"),
    pytest.mark.skipif(bool(_WHY), reason=f"Spark cannot run here: {_WHY}"),
]
