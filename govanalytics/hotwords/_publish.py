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

__all__ = ["published_bursts", "published_hot_words", "published_issues"]


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
    return withhold_derived(suppress_small_counts(issues, "n_comments", k=k), "issues")
