"""Comment text → masked tokens → writer counts, on both engines (polars or Apache Spark).

The polars engine is :func:`prepare_comments` (without word discovery) then
:func:`count_words`. The Spark engine runs the same steps inside the executors, batch by
batch (``mapInArrow``: the batches arrive as Arrow, which polars reads without a copy): the
same masking functions (:func:`govanalytics.privacy.mask_personal_data`, then
:func:`govanalytics.privacy.mask_names`), the same normalisation, the same segmenter (jieba's
dictionary plus the same user words, rebuilt in each Python worker) and the same stopwords.
Personal data are masked before the text is cut, inside the executor, so no unmasked token
ever leaves it; only the counts per window × area × word come to the driver.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Literal

import polars as pl

from govanalytics.errors import DataError, ParameterError
from govanalytics.hotwords._detect import count_words
from govanalytics.hotwords._dictionary import domain_terms, region_words
from govanalytics.hotwords._prepare import _stop_set, prepare_comments
from govanalytics.hotwords._segment import Segmenter, build_segmenter, segment
from govanalytics.hotwords._text import normalise_text
from govanalytics.hotwords._windows import (
    Window,
    check_window,
    first_day,
    window_index,
    window_start,
)
from govanalytics.privacy import mask_names, mask_personal_data
from govanalytics.spark import Engine, check_engine, read_spark_table, spark_session, to_polars

__all__ = ["count_comment_words"]

_BY = ("district_code", "community_code", "channel", "category")


def count_comment_words(
    comments: pl.DataFrame | Any,
    *,
    window: Window = "day",
    by: Sequence[str] = ("district_code",),
    regions: pl.DataFrame | None = None,
    extra_words: Iterable[str] = (),
    segmenter: Literal["jieba", "rjieba"] = "jieba",
    word_classes: bool = True,
    engine: Engine = "polars",
    spark_conf: dict | None = None,
) -> pl.DataFrame:
    """Distinct comments and distinct writers per window × ``by`` × word, from comment text.

    The data-proportional part of hot-word detection, on one machine or on Spark: personal
    data masked, text normalised, cut into content words with jieba's dictionary plus the
    domain terms, the place names of ``regions`` and ``extra_words``, stopwords dropped,
    then counted. Both engines give the same table (tested). New-word discovery
    (:func:`prepare_comments` with ``discover=True``) needs all texts in one place and is
    not done here: pass words found on a sample as ``extra_words``.

    Parameters
    ----------
    comments
        The ``comments`` dataset (``message_id``, ``created_at``, ``text``; optional
        ``user_id``, ``district_code``, ``community_code``, ``channel``, ``category``): a
        polars frame, or with ``engine="spark"`` a Spark DataFrame, a Parquet/ORC path or a
        metastore table name (:func:`govanalytics.spark.read_spark_table`).
    window
        ``"day"`` (default), ``"week"`` (Monday first) or ``"month"``.
    by
        Comment columns to break down by (default the district).
    regions
        The master ``regions`` table, for place names in the user dictionary.
    extra_words
        More user-dictionary words (e.g. :attr:`PreparedComments.new_words` of a sample).
    segmenter
        ``"jieba"`` (default) or ``"rjieba"`` (jieba-rs, faster; same dictionary).
    word_classes
        Drop dictionary words of classes that are not issues (see :func:`class_stopwords`).
    engine
        ``"polars"`` (default) or ``"spark"``.
    spark_conf
        Settings of a new Spark session (:func:`govanalytics.spark.spark_session`).

    Returns
    -------
    pl.DataFrame
        ``window_start``, the ``by`` columns, ``word``, ``n_comments``, ``n_users`` (a writer
        is the ``user_id``, else the comment itself; ``message_id`` must then be unique).

    See Also
    --------
    prepare_comments, count_words, detect_hot_words
    """
    check_window(window)
    check_engine(engine)
    if segmenter not in ("jieba", "rjieba"):
        msg = f"parameter 'segmenter' must be 'jieba' or 'rjieba', got {segmenter!r}"
        raise ParameterError(msg)
    by = list(by)
    bad = [c for c in by if c not in _BY]
    if bad:
        msg = f"parameter 'by': {bad} are not comment columns (choose from {list(_BY)})"
        raise ParameterError(msg)
    extra = list(extra_words)
    if engine == "polars":
        prepared = prepare_comments(
            comments,
            regions=regions,
            discover=False,
            extra_words=extra,
            engine=segmenter,
            word_classes=word_classes,
        )
        return count_words(prepared, window=window, by=by)
    words = [*domain_terms(), *region_words(regions), *extra]
    seg = build_segmenter(words, engine=segmenter)
    stop = _stop_set(word_classes=word_classes, keep=words)
    return _count_spark(comments, seg=seg, stop=stop, window=window, by=by, conf=spark_conf)


def _count_spark(
    comments: Any,
    *,
    seg: Segmenter,
    stop: frozenset[str],
    window: str,
    by: list[str],
    conf: dict | None,
) -> pl.DataFrame:
    from pyspark.sql import functions as F  # noqa: N812
    from pyspark.sql import types as T  # noqa: N812

    spark = spark_session(conf)
    sdf = read_spark_table(comments, spark=spark)
    missing = [c for c in ("message_id", "created_at", "text") if c not in sdf.columns]
    if missing:
        msg = f"comments has no column(s) {missing}; it has {sdf.columns}"
        raise DataError(msg)
    cols = [
        F.col("message_id").cast("string").alias("message_id"),
        F.col("created_at").cast("timestamp").alias("created_at"),
        F.col("text").cast("string").alias("text"),
    ]
    for c in ("user_id", *by):
        cols.append(
            F.col(c).cast("string").alias(c)
            if c in sdf.columns
            else F.lit(None).cast("string").alias(c)
        )
    sdf = sdf.select(*cols)
    low = to_polars(sdf.agg(F.min("created_at").alias("created_at")))
    first = first_day(low, window)  # one value comes back: the earliest comment
    schema = T.StructType(
        [
            T.StructField("t", T.IntegerType()),
            *[T.StructField(c, T.StringType()) for c in by],
            T.StructField("word", T.StringType()),
            T.StructField("unit", T.StringType()),
        ]
    )
    spec = (seg.engine, seg.hmm, seg.user_words, stop, first, window, tuple(by))

    def tokens(batches: Iterator[Any]) -> Iterator[Any]:  # runs in the executors
        return _batch_tokens(batches, spec)

    counts = (
        sdf.mapInArrow(tokens, schema)
        .groupBy("t", *by, "word")
        .agg(F.count(F.lit(1)).alias("n_comments"), F.countDistinct("unit").alias("n_users"))
    )
    out = to_polars(counts)
    return (
        out.with_columns(
            pl.col("t").cast(pl.Int32),
            pl.col("n_comments").cast(pl.UInt32),
            pl.col("n_users").cast(pl.UInt32),
        )
        .with_columns(window_start(first, window).alias("window_start"))
        .select("window_start", *by, "word", "n_comments", "n_users")
        .sort(
            "window_start",
            *by,
            "n_comments",
            "word",
            descending=[False] * (1 + len(by)) + [True, False],
        )
    )


def _batch_tokens(batches: Iterator[Any], spec: tuple) -> Iterator[Any]:
    """Executor side: Arrow batches of comments → Arrow batches of (t, by…, word, unit)."""
    engine, hmm, user_words, stop, first, window, by = spec
    seg = Segmenter(engine, hmm, user_words)  # jieba's dictionary loads once per worker
    for batch in batches:
        frame = pl.from_arrow(batch)
        if not isinstance(frame, pl.DataFrame) or frame.is_empty():
            continue
        out = _comment_tokens(frame, seg, stop=stop, first=first, window=window, by=list(by))
        yield from out.to_arrow().to_batches()


def _comment_tokens(
    frame: pl.DataFrame,
    seg: Segmenter,
    *,
    stop: frozenset[str],
    first: dt.date,
    window: str,
    by: list[str],
) -> pl.DataFrame:
    """Masked, cut content words of a batch of comments: ``t``, ``by``…, ``word``, ``unit``
    (each comment's word once; ``unit`` = user id, else ``#`` + message id)."""
    masked, _ = mask_personal_data(frame["text"].cast(pl.String))
    masked, _ = mask_names(masked, titled=False)
    text = normalise_text(masked)
    words = segment(text, seg, stopwords=stop, processes=1)
    meta = frame.with_row_index("row").select(
        "row",
        window_index(pl.col("created_at").dt.date(), first, window).alias("t"),
        *by,
        pl.coalesce(pl.col("user_id"), pl.lit("#") + pl.col("message_id")).alias("unit"),
    )
    return words.join(meta, on="row", how="inner").select("t", *by, "word", "unit")
