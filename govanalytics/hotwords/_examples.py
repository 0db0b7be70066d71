"""Typical messages of an issue, as a page shows them: short excerpts, names masked again."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from govanalytics.hotwords._names import mask_tagged_names
from govanalytics.hotwords._prepare import PreparedComments
from govanalytics.validation import int_like

#: Characters of an excerpt (long letters of thousands of characters are cut around the
#: issue's words).
DEFAULT_EXCERPT = 160


def _excerpt(text: str, words: Sequence[str], width: int) -> str:
    """``width`` characters of ``text`` around the first of ``words`` found, ``…`` where cut."""
    hits = [i for i in (text.find(w) for w in words) if i >= 0]
    at = min(hits) if hits else 0
    start = max(0, min(at - width // 3, len(text) - width))
    end = min(len(text), start + width)
    return ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")


def example_messages(
    prepared: PreparedComments,
    message_ids: Sequence[str],
    *,
    words: Sequence[str] = (),
    width: int = DEFAULT_EXCERPT,
) -> pl.DataFrame:
    """Excerpts of some messages for a page, with person names masked once more.

    The text of :class:`PreparedComments` is masked already (numbers, names with a title,
    signature, self-introduction or label). A page prints only a few messages, so for them a
    slower, broader pass is affordable: each excerpt goes through
    :func:`mask_tagged_names` (names found by jieba's part-of-speech tagger, such as a bare
    name in running text).

    Parameters
    ----------
    prepared
        From :func:`prepare_comments`.
    message_ids
        The messages to show, in this order (ids absent from ``prepared`` are skipped).
    words
        The issue's words: the excerpt is taken around the first one found.
    width
        Characters of each excerpt (default 160).

    Returns
    -------
    pl.DataFrame
        ``message_id``, ``created_at``, ``channel``, ``category``, ``excerpt``.
    """
    int_like(width, "width", low=20)
    order = pl.DataFrame({"message_id": list(message_ids)}, schema={"message_id": pl.String})
    rows = order.with_row_index("order").join(
        prepared.comments.select("message_id", "created_at", "channel", "category", "text"),
        on="message_id",
        how="inner",
    )
    rows = rows.sort("order")
    excerpts = [_excerpt(t or "", words, width) for t in rows["text"].to_list()]
    return rows.select(
        "message_id",
        "created_at",
        "channel",
        "category",
        pl.Series("excerpt", mask_tagged_names(excerpts), dtype=pl.String),
    )
