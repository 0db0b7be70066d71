"""Publishing step of the hot-words tables: small counts of people withheld below ``k``.

The analysis (counting, bursts, ranking, the count floor of 5 for detection) is not changed:
these functions only prepare what is shown or written. Counts of distinct writers or comments
below ``k`` become null and the row's ``suppressed`` flag is set
(:func:`govanalytics.privacy.suppress_small_counts`); the columns computed from them (declared
in :data:`govanalytics.privacy.DERIVED_FROM`) are withheld with them
(:func:`govanalytics.privacy.withhold_derived`).
"""

from __future__ import annotations

import polars as pl

from govanalytics.constants import DEFAULT_MIN_COUNT
from govanalytics.privacy import suppress_small_counts, withhold_derived

__all__ = [
    "FILLER_WORDS",
    "officials_hot_list",
    "published_bursts",
    "published_hot_words",
    "published_issues",
]

#: Words that say when or how much, not what about (一个多, 星期, 早上): kept in the analysis,
#: left out of the hot list shown to officials.
FILLER_WORDS = frozenset(
    {
        "一个多", "一个月", "半个月", "几天", "好几天", "多天", "多次", "一直", "已经",
        "星期", "礼拜", "周末", "早上", "晚上", "上午", "下午", "中午", "凌晨", "半夜",
        "今天", "昨天", "前天", "明天", "每天", "天天", "最近", "目前", "现在", "时候",
    }
)  # fmt: skip


def published_hot_words(hot_words: pl.DataFrame, *, k: int = DEFAULT_MIN_COUNT) -> pl.DataFrame:
    """The hot list as published: ``count`` (distinct writers) withheld below ``k``.

    Disclosure rule: ``count`` values below ``k`` become null and ``suppressed`` is true.
    ``expected``, ``z`` and ``score`` are computed from the count (binomial z and likelihood
    ratio against the baseline): from ``z`` and ``score`` alone the count can be solved for, so
    they are withheld on the same rows (``DERIVED_FROM["hot_words"]``). ``rank``,
    ``rank_change`` and ``bursting`` are kept (an order and a flag, computed on full counts).

    Parameters
    ----------
    hot_words
        :attr:`HotWords.hot_words` (or a selection of its columns holding ``count``).
    k
        Threshold; default :data:`govanalytics.constants.DEFAULT_MIN_COUNT` (15).

    Returns
    -------
    pl.DataFrame
        The same rows, ``count`` withheld below ``k`` and a boolean ``suppressed`` column.
    """
    return withhold_derived(suppress_small_counts(hot_words, "count", k=k), "hot_words")


def published_bursts(bursts: pl.DataFrame, *, k: int = DEFAULT_MIN_COUNT) -> pl.DataFrame:
    """Bursts as published: ``peak_count``, ``total_count`` and ``n_writers`` withheld below ``k``.

    Disclosure rule: each count below ``k`` becomes null and ``suppressed`` is true. ``weight``
    (the Kleinberg burst weight) and ``score`` (a likelihood ratio) are computed from the
    counts and are withheld with them (``DERIVED_FROM["bursts"]``); the dates are kept.

    Parameters
    ----------
    bursts
        :attr:`HotWords.bursts` (columns ``peak_count`` and ``total_count``).
    k
        Threshold; default 15.

    Returns
    -------
    pl.DataFrame
        The same rows with small counts withheld and a boolean ``suppressed`` column.
    """
    counts = [c for c in ("peak_count", "total_count", "n_writers") if c in bursts.columns]
    return withhold_derived(suppress_small_counts(bursts, counts, k=k), "bursts")


def published_issues(issues: pl.DataFrame, *, k: int = DEFAULT_MIN_COUNT) -> pl.DataFrame:
    """Issues as published: ``n_comments`` withheld below ``k``.

    Disclosure rule: ``n_comments`` below ``k`` becomes null and ``suppressed`` is true; the
    issue's ``comment_ids`` (whose length is the count) are emptied (null) on those rows too.
    ``weight`` is a score and is kept.

    Parameters
    ----------
    issues
        :attr:`HotWords.issues` (column ``n_comments``; ``comment_ids`` optional).
    k
        Threshold; default 15.

    Returns
    -------
    pl.DataFrame
        The same rows with small counts withheld and a boolean ``suppressed`` column.
    """
    out = withhold_derived(suppress_small_counts(issues, "n_comments", k=k), "issues")
    if "comment_ids" in out.columns:
        out = out.with_columns(
            pl.when(pl.col("n_comments").is_null())
            .then(None)
            .otherwise(pl.col("comment_ids"))
            .alias("comment_ids")
        )
    return out


def officials_hot_list(hot_words: pl.DataFrame, *, n: int = 20) -> pl.DataFrame:
    """The hot list shown to officials, from :func:`published_hot_words` output.

    Words whose count of writers is withheld (fewer than ``k`` writers) are not listed at all,
    nor :data:`FILLER_WORDS`; the rest keep their order (``rank``) and are numbered again
    from 1 in ``rank``. At most ``n`` rows.
    """
    kept = hot_words.filter(
        ~pl.col("suppressed").fill_null(False) & ~pl.col("word").is_in(list(FILLER_WORDS))
    ).sort("rank")
    return kept.head(n).with_columns(pl.int_range(1, pl.len() + 1).cast(pl.Int64).alias("rank"))
