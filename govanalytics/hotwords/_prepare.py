"""From comments to counted words: mask, normalise, discover words, segment."""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import polars as pl

from govanalytics.errors import DataError
from govanalytics.hotwords._dictionary import discover_words, domain_terms, region_words, stopwords
from govanalytics.hotwords._names import mask_introduced_names
from govanalytics.hotwords._segment import (
    Segmenter,
    _known_to_jieba,
    build_segmenter,
    preload_jieba,
    segment,
)
from govanalytics.hotwords._text import normalise_text
from govanalytics.privacy import mask_personal_data


@dataclass
class PreparedComments:
    """Comments ready for counting: masked text, content words, what was masked.

    Attributes
    ----------
    comments
        ``row``, ``message_id``, ``created_at``, ``district_code``, ``community_code``,
        ``channel``, ``category``, ``user_id`` and ``text`` — the text masked and normalised
        (absent optional columns filled with nulls).
    tokens
        ``row``, ``word``: each content word of each comment once.
    masked
        Number of personal-data items masked, per kind (see
        :func:`govanalytics.privacy.mask_personal_data`; ``name_introduced``: names after a
        self-introduction, a label or a kinship word, see
        :func:`govanalytics.hotwords.mask_introduced_names`).
    new_words
        Words found by :func:`discover_words` that jieba's dictionary lacks, added to the
        user dictionary.
    segmenter
        The segmenter used (engine, agreement with jieba).
    """

    comments: pl.DataFrame
    tokens: pl.DataFrame
    masked: dict[str, int]
    new_words: pl.DataFrame
    segmenter: Segmenter


def prepare_comments(
    comments: pl.DataFrame,
    *,
    regions: pl.DataFrame | None = None,
    discover: bool = True,
    extra_words: Iterable[str] = (),
    engine: str = "auto",
    traditional_to_simplified: bool = False,
    processes: int | None = None,
) -> PreparedComments:
    """Mask, normalise and segment comments (the ``comments`` dataset).

    Personal data are masked first, before anything else reads the text (numbers and names
    with a title or signature by :func:`govanalytics.privacy.mask_personal_data`, then names
    after a self-introduction, a label or a kinship word by :func:`mask_introduced_names`);
    then full-width characters become half-width and whitespace is tidied; new words are
    discovered; the
    text is cut with jieba's dictionary and algorithm plus a user dictionary of domain terms,
    place names from ``regions`` and the discovered words.

    Parameters
    ----------
    comments
        Canonical ``comments`` frame (``message_id``, ``created_at``, ``text``; optional
        ``user_id``, ``district_code``, ``community_code``, ``channel``, ``category``).
    regions
        The master ``regions`` table, for place names in the user dictionary.
    discover
        Run new-word discovery (PMI and boundary entropy). Default True.
    extra_words
        More user-dictionary words.
    engine
        ``"auto"`` (rjieba when it agrees with jieba on ≥ 98 % of a sample), ``"rjieba"`` or
        ``"jieba"``.
    traditional_to_simplified
        Convert traditional characters to simplified. Default False.
    processes
        Worker processes for segmenting large inputs, and threads masking slices of the
        text (default all cores; 1 for one core).

    Returns
    -------
    PreparedComments
    """
    for col in ("message_id", "created_at", "text"):
        if col not in comments.columns:
            msg = f"comments has no column {col!r}; it has {comments.columns}"
            raise DataError(msg)
    frame = comments.with_row_index("row")
    for col in ("user_id", "district_code", "community_code", "channel", "category"):
        if col not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(col))
    loading = preload_jieba()  # jieba's dictionary loads while polars masks and normalises
    masked, counts = _mask(frame["text"].cast(pl.String), processes=processes)
    masked, counts["name_introduced"] = mask_introduced_names(masked)
    text = normalise_text(masked, traditional_to_simplified=traditional_to_simplified)
    frame = frame.select(
        "row",
        "message_id",
        "created_at",
        "district_code",
        "community_code",
        "channel",
        "category",
        "user_id",
        text.alias("text"),
    )
    stop = stopwords()
    terms = domain_terms()
    new = (
        discover_words(text, exclude=stop, protected=terms)
        if discover
        else discover_words(pl.Series([], dtype=pl.String))
    )
    loading.join()
    new = new.filter(
        ~pl.col("word").is_in(pl.Series(sorted(_known_to_jieba(new["word"]))).implode())
    )
    words = [*terms, *region_words(regions), *new["word"].to_list(), *extra_words]
    sample = text.drop_nulls()
    sample = sample.gather(np.linspace(0, sample.len() - 1, min(1000, sample.len())).astype(int))
    seg = build_segmenter(words, engine=engine, check_sample=sample.to_list())
    tokens = segment(text, seg, stopwords=stop, processes=processes)
    return PreparedComments(frame, tokens, counts, new, seg)


#: Texts below which masking runs in one thread.
_MASK_SPLIT = 100_000


def _mask(texts: pl.Series, *, processes: int | None) -> tuple[pl.Series, dict[str, int]]:
    """:func:`mask_personal_data` on slices of ``texts`` in threads (one per core).

    Masking is text by text and its counts add up, so the slices give the same result as one
    call; its polars string kernels release the interpreter lock, so threads use the cores.
    """
    n = processes if processes is not None else (os.cpu_count() or 1)
    if n <= 1 or texts.len() < _MASK_SPLIT:
        return mask_personal_data(texts)
    size = -(-texts.len() // n)
    parts = [texts.slice(i, size) for i in range(0, texts.len(), size)]
    with ThreadPoolExecutor(max_workers=len(parts)) as pool:
        done = list(pool.map(mask_personal_data, parts))
    counts: dict[str, int] = {}
    for _, c in done:
        for k, v in c.items():
            counts[k] = counts.get(k, 0) + v
    return pl.concat([m for m, _ in done]), counts
