"""The Spark engine gives the polars engine's tables on the small city (integers equal,
floats within 1e-9): (a) area presence, (b) OD by period, (c) writer counts of words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from govanalytics import hotwords, mobility
from govanalytics.data import load
from govanalytics.errors import DataError
from tests.spark import SPARK
from tests.spark.conftest import comment_sample

pytestmark = SPARK


def assert_same(polars_table: pl.DataFrame, spark_table: pl.DataFrame) -> None:
    """Same rows in the same order, integers equal, floats within 1e-9 (relative or absolute)."""
    assert polars_table.height > 0
    assert_frame_equal(polars_table, spark_table, check_exact=False, rel_tol=1e-9, abs_tol=1e-9)


# --- (a) cell-hour device counts → area presence ---------------------------------------------


@pytest.fixture(scope="module")
def spark_inputs(spark: Any, small_city: Path, lake: Path) -> mobility.MobilityInputs:
    """The small city's inputs with the device counts read by Spark from the date folders."""
    return mobility.load_mobility_inputs(
        data_dir=small_city, device_counts_path=lake / "device_counts", engine="spark"
    )


def test_spark_inputs_cover_the_same_days(
    spark_inputs: mobility.MobilityInputs, inputs: mobility.MobilityInputs
) -> None:
    assert spark_inputs.engine == "spark"
    assert (spark_inputs.first_day, spark_inputs.last_day) == (inputs.first_day, inputs.last_day)
    assert_frame_equal(spark_inputs.weights, inputs.weights)


def test_population_estimates_are_the_same(
    spark_inputs: mobility.MobilityInputs, estimates: pl.DataFrame, truth: dict
) -> None:
    on_spark = spark_inputs.estimate(month=truth["mobility"]["month"])
    assert_same(estimates, on_spark)
    assert on_spark["resident"].min() > 0  # not an empty or degenerate table


def test_night_levels_per_street_are_the_same(spark: Any, small_city: Path, lake: Path) -> None:
    """Street level (more areas, cells split over several), the counts given as a DataFrame."""
    street = mobility.load_mobility_inputs(data_dir=small_city, area_level="street")
    frame = spark.read.parquet(str(lake / "device_counts"))
    by_polars = mobility.night_levels(street.device_counts, street.weights).collect()
    by_spark = mobility.night_levels(frame, street.weights, engine="spark").collect()
    assert_same(by_polars, by_spark)
    assert by_polars["area"].n_unique() == street.weights["area"].n_unique()


# --- (b) OD aggregation by period ---------------------------------------------------------------


@pytest.mark.parametrize("period", ["day", "week", "month"])
def test_od_by_period_is_the_same(
    od_frame: Any, od: pl.DataFrame, small_city: Path, period: str
) -> None:
    regions = load("regions", data_dir=small_city)
    by_polars = mobility.od_by_period(od, period=period, regions=regions, area_level="district")
    by_spark = mobility.od_by_period(
        od_frame, period=period, regions=regions, area_level="district", engine="spark"
    )
    assert_same(by_polars, by_spark)


def test_od_from_a_metastore_table_and_orc(spark: Any, od: pl.DataFrame, tmp_path: Path) -> None:
    """A table name and an ORC folder are read like the Parquet folders; ISO weeks over a
    year's end (2020-W53, 2021-W52 of 2 January 2022) are labelled as polars labels them."""
    edge = pl.DataFrame(
        {
            "origin": ["A", "A", "B"],
            "destination": ["B", "B", "A"],
            "date": pl.Series(["2020-12-31", "2021-01-03", "2022-01-02"]).str.to_date(),
            "count": [1, 2, 3],
        }
    )
    data = pl.concat([od.head(500), edge])
    spark.createDataFrame(data.to_arrow()).createOrReplaceTempView("od_view")
    spark.createDataFrame(data.to_arrow()).write.orc(str(tmp_path / "od_orc"))
    by_polars = mobility.od_by_period(data, period="week")
    assert {"2020-W53", "2021-W52"} <= set(by_polars["period"])
    assert_same(by_polars, mobility.od_by_period("od_view", period="week", engine="spark"))
    assert_same(
        by_polars, mobility.od_by_period(str(tmp_path / "od_orc"), period="week", engine="spark")
    )


def test_od_unknown_codes_are_named_on_spark(spark: Any, small_city: Path) -> None:
    regions = load("regions", data_dir=small_city)
    bad = pl.DataFrame(
        {
            "origin": ["999999999999"],
            "destination": [regions["region_code"][0]],
            "date": pl.Series(["2026-10-01"]).str.to_date(),
            "count": [5],
        }
    )
    with pytest.raises(DataError, match="999999999999"):
        mobility.od_by_period(
            spark.createDataFrame(bad.to_arrow()),
            regions=regions,
            area_level="district",
            engine="spark",
        )


# --- (c) comment text → masked tokens → distinct writers per word × window × area -----------


def test_comment_word_counts_are_the_same(spark: Any, small_city: Path, lake: Path) -> None:
    regions = load("regions", data_dir=small_city)
    comments = comment_sample(small_city)
    options = {"window": "week", "by": ["district_code"], "regions": regions}
    by_polars = hotwords.count_comment_words(comments, **options)
    by_spark = hotwords.count_comment_words(str(lake / "comments"), engine="spark", **options)
    assert_same(by_polars, by_spark)
    assert by_polars["n_users"].max() >= 3


def test_spark_masks_before_tokens_leave_the_executor(spark: Any) -> None:
    """A name after 我叫, a phone number and an ID number planted in comments never come
    out of Spark as a token; cut without masking, the name would."""
    texts = [
        "我叫王建华，电话13912345678，身份证号110101199003071234，小区停水三天了",
        "我叫王建华，小区停水三天了，请尽快处理",
    ]
    comments = pl.DataFrame(
        {
            "message_id": ["m1", "m2"],
            "user_id": ["u1", "u2"],
            "created_at": pl.Series(
                ["2026-10-01 08:00:00", "2026-10-02 09:00:00"]
            ).str.to_datetime(),
            "district_code": ["330102000000", "330102000000"],
            "text": texts,
        }
    )
    unmasked = hotwords.segment(
        pl.Series(texts), hotwords.build_segmenter(["王建华"], engine="jieba")
    )
    assert "王建华" in unmasked["word"].to_list()  # the check below can fail
    out = hotwords.count_comment_words(
        spark.createDataFrame(comments.to_arrow()),
        extra_words=["王建华"],
        engine="spark",
    )
    words = out["word"].to_list()
    assert "停水" in words
    assert not [w for w in words if "建华" in w or any(ch.isdigit() for ch in w)]
