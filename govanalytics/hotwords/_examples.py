"""Typical messages of an issue, as a page shows them: short excerpts, names masked again."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from govanalytics.hotwords._prepare import PreparedComments
from govanalytics.privacy import surnames
from govanalytics.validation import int_like

#: A word this frequent in jieba's dictionary is an ordinary word, not a name (阳光, 文明 and
#: 康复 are even tagged as names); a public figure's name may be this frequent too.
_COMMON_WORD_FREQ = 50

#: Word classes of person names in jieba's tag set (ICTCLAS): person name, transcribed
#: name, Japanese/foreign name.
_PERSON_TAGS = frozenset({"nr", "nrfg", "nrt"})


def mask_tagged_names(texts: Sequence[str]) -> list[str]:
    """Mask person names found by jieba's part-of-speech tagger, for texts shown on a page.

    A word is masked (surname kept, ``*`` for each other character) when jieba tags it as a
    person name (``nr``, ``nrfg``, ``nrt``), it has two to four characters, it begins with a
    surname of :func:`govanalytics.privacy.surnames` and it is rare in jieba's dictionary (fewer than
    :data:`_COMMON_WORD_FREQ` occurrences: 阳光 and 文明 are tagged as names too). The tagger is
    slow (about 20,000 characters a second): use it on the few texts a page prints, not on a
    whole board; it finds most bare names (刘建国反映…) and masks a few place names as well.

    Parameters
    ----------
    texts
        Texts already masked by :func:`govanalytics.privacy.mask_personal_data`.

    Returns
    -------
    list of str
        The texts with tagged names masked.
    """
    import jieba.posseg

    from govanalytics.hotwords._segment import _jieba_base

    base = _jieba_base()
    tagger = jieba.posseg.POSTokenizer(base)
    sur = surnames()
    out = []
    for text in texts:
        parts = []
        for word, flag in tagger.lcut(text):
            head = 2 if word[:2] in sur else 1
            if (
                flag in _PERSON_TAGS
                and 2 <= len(word) <= 4
                and word[:head] in sur
                and len(word) > head
                and (base.FREQ.get(word) or 0) < _COMMON_WORD_FREQ
            ):
                word = word[:head] + "*" * (len(word) - head)
            parts.append(word)
        out.append("".join(parts))
    return out


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
