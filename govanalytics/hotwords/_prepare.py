"""From comments to counted words: mask, normalise, discover words, segment."""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import polars as pl

from govanalytics.errors import DataError
from govanalytics.hotwords._dictionary import (
    class_stopwords,
    discover_words,
    domain_terms,
    is_fragment,
    region_words,
    stopwords,
    word_class,
)
from govanalytics.hotwords._places import PLACE_SUFFIXES, place_names
from govanalytics.hotwords._segment import (
    Segmenter,
    build_segmenter,
    dictionary_cut,
    known_to_dictionary,
    preload_jieba,
    segment,
)
from govanalytics.hotwords._text import normalise_text
from govanalytics.privacy import mask_names, mask_personal_data


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
        :func:`govanalytics.privacy.mask_names`).
    new_words
        New words jieba's dictionary lacks, added to the user dictionary: ``word``, ``kind``
        (``place``: a name found by its ending; ``term``: found by discovery), ``n_texts``,
        and for terms ``count``, ``pmi``, ``left_entropy``, ``right_entropy``.
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
    word_classes: bool = True,
    processes: int | None = None,
) -> PreparedComments:
    """Mask, normalise and segment comments (the ``comments`` dataset).

    Personal data are masked first, before anything else reads the text (numbers and names
    with a title or signature by :func:`govanalytics.privacy.mask_personal_data`, then names
    after a self-introduction, a label or a kinship word by
    :func:`govanalytics.privacy.mask_names`);
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
        Find new words: place and organisation names by their endings (:func:`place_names`:
        富康雅苑, 金色阳光花园, 宏达建筑公司) and terms by PMI and boundary entropy
        (:func:`discover_words`, fragments such as 个月, 城小区, 业主多次 rejected by
        :func:`is_fragment`). Default True.
    extra_words
        More user-dictionary words.
    engine
        ``"auto"`` (rjieba when it agrees with jieba on ≥ 98 % of a sample), ``"rjieba"`` or
        ``"jieba"``.
    traditional_to_simplified
        Convert traditional characters to simplified. Default False.
    word_classes
        Drop dictionary words of classes that are not issues (adverbs, conjunctions,
        pronouns, measure words, …; :func:`class_stopwords`). Default True.
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
    # names after self-introductions, labels and kinship words, counted apart from titled ones
    masked, counts["name_introduced"] = mask_names(masked, titled=False)
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
    terms = domain_terms()
    places = region_words(regions)
    if discover:
        loading.join()  # the dictionary cuts candidates
        new = _new_words(text, places=places, terms=terms)
    else:
        new = pl.DataFrame(schema=NEW_WORDS_SCHEMA)
    loading.join()
    new = new.filter(
        ~pl.col("word").is_in(pl.Series(sorted(known_to_dictionary(new["word"]))).implode())
    )
    words = [*terms, *places, *new["word"].to_list(), *extra_words]
    stop = _stop_set(word_classes=word_classes, keep=words)
    sample = text.drop_nulls()
    sample = sample.gather(np.linspace(0, sample.len() - 1, min(1000, sample.len())).astype(int))
    seg = build_segmenter(words, engine=engine, check_sample=sample.to_list())
    tokens = segment(text, seg, stopwords=stop, processes=processes)
    return PreparedComments(frame, tokens, counts, new, seg)


#: Columns of :attr:`PreparedComments.new_words`.
NEW_WORDS_SCHEMA: dict[str, type[pl.DataType]] = {
    "word": pl.String,
    "kind": pl.String,
    "n_texts": pl.UInt32,
    "count": pl.UInt32,
    "pmi": pl.Float64,
    "left_entropy": pl.Float64,
    "right_entropy": pl.Float64,
}


#: Dictionary classes of words that are never part of a place name (verbs, adverbs,
#: conjunctions, prepositions, pronouns, numerals, particles, locality words): 希望|政府 and
#: 由于|小区 are phrases. Adjectives and time words are (富康雅苑, 春晓嘉园).
_NOT_IN_NAMES = frozenset(
    [
        "c",
        "d",
        "f",
        "m",
        "mq",
        "p",
        "q",
        "r",
        "u",
        "ud",
        "ug",
        "uj",
        "ul",
        "uv",
        "uz",
        "v",
        "vd",
        "vg",
        "vn",
        "y",
    ]
)


def _new_words(text: pl.Series, *, places: list[str], terms: tuple[str, ...]) -> pl.DataFrame:
    """Place names (kind ``place``) and discovered terms that are not fragments (``term``)."""
    stop = stopwords()
    classed = class_stopwords()

    def not_a_part(piece: str) -> bool:
        return piece in stop or word_class(piece) in _NOT_IN_NAMES

    named = place_names(
        text, cut=dictionary_cut, not_a_part=not_a_part, word_class=word_class
    ).with_columns(pl.lit("place").alias("kind"))
    found = discover_words(text, exclude=stop | classed, protected=(*terms, *named["word"]))
    keep = [not is_fragment(w, dictionary_cut(w)) for w in found["word"].to_list()]
    found = found.filter(pl.Series(keep, dtype=pl.Boolean)).with_columns(
        pl.lit("term").alias("kind")
    )
    # a bare ending (豪庭, 雅苑) is free on the left because many names end with it: not a word
    known = set(places) | set(named["word"].to_list()) | set(PLACE_SUFFIXES)
    found = found.filter(~pl.col("word").is_in(pl.Series(sorted(known), dtype=pl.String).implode()))
    out = pl.concat([named, found], how="diagonal_relaxed")
    return out.select(pl.col(c).cast(t) for c, t in NEW_WORDS_SCHEMA.items())


def _stop_set(*, word_classes: bool, keep: list[str]) -> frozenset[str]:
    """Stopwords, with the words of dropped classes when asked, never the user words."""
    stop = stopwords() | class_stopwords() if word_classes else stopwords()
    return stop - frozenset(keep)


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
