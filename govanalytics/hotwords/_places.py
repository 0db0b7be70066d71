"""Place and organisation names kept whole: estates, roads, villages, companies (…花园, …路, …公司)."""

from __future__ import annotations

import re
from collections.abc import Callable

import polars as pl

#: Endings of place and organisation names, longest first (one name can end in several:
#: 富康雅苑 ends in 雅苑 and in 苑). Single characters that end many ordinary words (都, 庭,
#: 家) are left out; their names end in two-character forms here (名都, 华庭, 家园).
PLACE_SUFFIXES = (
    "小区", "花园", "家园", "嘉园", "新村", "公馆", "华庭", "豪庭", "名都", "名苑", "雅苑",
    "广场", "大厦", "大道", "街道", "社区", "公寓", "山庄", "花苑", "华府", "新城", "中心",
    "集团", "公司", "医院", "学校", "小学", "中学", "市场", "车站", "园区", "片区",
    "苑", "园", "府", "城", "湾", "邸", "村", "镇", "乡", "路", "街", "巷", "站",
)  # fmt: skip
#: Characters a name never starts with (function words, pronouns, verbs of citizen letters).
_NOT_FIRST = set(
    "的了是在有与及或就不也都很还又再才把被让给对从向到这那我你他她它们么吗呢吧啊说要会能可没请"
    "住去来个条号座栋幢间家所名位只件张次年月日天时"
)
#: Characters never inside a name (function words, verbs of motion of a sentence: 人民路的学校,
#: 区到市中心 and 老人过马路 are phrases).
_NOT_INSIDE = set(
    "的了是在和与及或就也都很还又再才把被让给对从向到这那我你他她么吗呢吧啊说要会能没请于过找由今"
)
#: Two-character endings: a name holding one before its own ending is two names
#: (城北花园小区 is 城北花园 and 小区).
_LONG_SUFFIXES = tuple(sfx for sfx in PLACE_SUFFIXES if len(sfx) == 2)
#: Prefix characters read before an ending (a name's own part is at most six of them).
_MAX_PREFIX = 6
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ENDING = re.compile("(?=(" + "|".join(PLACE_SUFFIXES) + "))")


def place_names(
    texts: pl.Series,
    *,
    cut: Callable[[str], list[str]],
    not_a_part: Callable[[str], bool] = lambda piece: False,
    word_class: Callable[[str], str | None] = lambda piece: None,
    min_texts: int = 3,
    max_dominance: float = 0.5,
    sample: int = 20_000,
    max_chars: int = 5_000_000,
) -> pl.DataFrame:
    """Names ending like a place or an organisation (…花园, …路, …公司), found in the text.

    Every ending of :data:`PLACE_SUFFIXES` in the text proposes the names made of it and the
    two to six Chinese characters before it (金色阳光花园 proposes 阳光花园, 色阳光花园 and
    金色阳光花园). A proposed name is kept when

    * it is written in at least ``min_texts`` texts;
    * it is free on the left: no one character stands before it in more than
      ``max_dominance`` of its occurrences (a function word, punctuation or the start of the
      text counts as a free boundary), so 阳光花园, always preceded by 色, is a piece of
      金色阳光花园, not a name;
    * it does not start with a function word, measure word or verb of a letter (在, 住, 条,
      …), holds no function word inside (人民路的学校), no second ending (城北花园小区), is not
      a single character followed by a word the dictionary knows (去|公园, 条|马路 are
      phrases: ``cut`` is the dictionary's segmentation), and none of the dictionary words
      before its ending is a stopword or of a word class names are not made of
      (``not_a_part``: 希望|政府, 由于|小区);
    * no shorter kept name is its end (the shortest free name wins).

    Parameters
    ----------
    texts
        Masked, normalised comment text.
    cut
        The dictionary segmentation of a short string (jieba, HMM off).
    not_a_part
        True for a dictionary word that cannot be part of a name (stopwords, verbs, adverbs,
        …). Default: none.
    word_class
        The dictionary's class of a single character (a name does not start with a lone
        verb, preposition, measure word or locality word followed by a dictionary word:
        底|回家|路, 限|责任|公司). Default: none known.
    min_texts, max_dominance
        Thresholds, see above (defaults 3 and 0.5).
    sample, max_chars
        At most this many texts, and characters, are read (the first ones).

    Returns
    -------
    pl.DataFrame
        ``word``, ``n_texts``, most frequent first.

    References
    ----------
    Boundary freedom after Harris (1955); place-name endings as in Chinese address parsing.
    """
    rows = _occurrences(texts, sample=sample, max_chars=max_chars)
    schema = {"word": pl.String, "n_texts": pl.UInt32}
    if not rows:
        return pl.DataFrame(schema=schema)
    occ = pl.DataFrame(rows, schema=["text", "end", "word", "left"], orient="row")
    stats = (
        occ.unique(["text", "end", "word"])
        .group_by("word")
        .agg(
            pl.col("text").n_unique().alias("n_texts"),
            pl.len().alias("n"),
            pl.col("left").filter(pl.col("left") != "").value_counts(sort=True).first(),
        )
        .filter(pl.col("n_texts") >= min_texts)
        .with_columns(pl.col("left").struct.field("count").fill_null(0).alias("top"))
        .filter(pl.col("top") <= max_dominance * pl.col("n"))
    )
    kept = [w for w in stats["word"].to_list() if _name_like(w, cut, not_a_part, word_class)]
    kept_set = set(kept)
    whole = [w for w in kept if not any(w[i:] in kept_set for i in range(1, len(w) - 1))]
    return (
        stats.filter(pl.col("word").is_in(pl.Series(whole, dtype=pl.String).implode()))
        .select("word", pl.col("n_texts").cast(pl.UInt32))
        .sort(["n_texts", "word"], descending=[True, False])
    )


def _occurrences(texts: pl.Series, *, sample: int, max_chars: int) -> list[tuple]:
    """(text number, end position, proposed name, left character or '' for a boundary)."""
    t = texts.drop_nulls().head(sample)
    within = int((t.str.len_chars().cum_sum() <= max_chars).sum())
    rows = []
    for n, text in enumerate(t.head(max(within, 1)).to_list()):
        for m in _ENDING.finditer(text):
            at, suffix = m.start(), m.group(1)
            end = at + len(suffix)
            run = 0  # Chinese characters in a row before the ending
            while run < _MAX_PREFIX + 1 and at - run - 1 >= 0 and _HAN.match(text[at - run - 1]):
                run += 1
            for k in range(2, min(run, _MAX_PREFIX) + 1):
                left = text[at - k - 1] if k < run else ""
                if left in _NOT_FIRST:
                    left = ""
                rows.append((n, end, text[at - k : end], left))
    return rows


#: Classes of a lone first character that does not start a name before a dictionary word.
_NOT_LEADING = frozenset(
    ["c", "d", "f", "m", "mq", "p", "q", "r", "u", "ug", "uj", "ul", "uz", "v", "vg", "y", "zg"]
)


def _name_like(
    word: str,
    cut: Callable[[str], list[str]],
    not_a_part: Callable[[str], bool],
    word_class: Callable[[str], str | None],
) -> bool:
    ending = next(sfx for sfx in PLACE_SUFFIXES if word.endswith(sfx))
    before = word[: -len(ending)]
    if word[0] in _NOT_FIRST or any(c in _NOT_INSIDE for c in before):
        return False
    if any(sfx in before for sfx in _LONG_SUFFIXES):
        return False
    pieces = cut(word)
    # one character, then a word the dictionary knows: a phrase (去|公园), not a name
    lone_first = len(pieces) >= 2 and len(pieces[0]) == 1 and len(pieces[1]) >= 2
    if lone_first and (len(pieces) == 2 or word_class(pieces[0]) in _NOT_LEADING):
        return False
    head = cut(before)
    return not any(len(p) >= 2 and not_a_part(p) for p in head)
