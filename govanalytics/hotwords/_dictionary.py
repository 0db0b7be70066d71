"""Word lists: stopwords, the government-domain user dictionary and new-word discovery."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import polars as pl

from govanalytics.errors import ParameterError

#: Characters that rarely begin or end a name or a term (function words, verbs of citizen
#: letters); an n-gram starting or ending with one of them is not a new word.
_EDGE_CHARS = set(
    "的了是在有和与及或就不也都很还又再才把被让给对从向到这那我你他她它们么吗呢吧啊说要会能可没请"
)
_DISCOVERED = {
    "word": pl.String,
    "count": pl.UInt32,
    "n_texts": pl.UInt32,
    "pmi": pl.Float64,
    "left_entropy": pl.Float64,
    "right_entropy": pl.Float64,
}


def _read_words(name: str) -> list[str]:
    text = resources.files("govanalytics.hotwords").joinpath("resources", name).read_text("utf-8")
    words: list[str] = []
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        words.extend(line.split())
    return words


@cache
def _stopwords() -> frozenset[str]:
    import stopwordsiso

    iso = {w for w in stopwordsiso.stopwords("zh") if len(w) >= 2 and _all_han(w)}
    return frozenset(_read_words("stopwords.txt")) | frozenset(iso)


def _all_han(word: str) -> bool:
    return all(0x3400 <= ord(c) <= 0x9FFF or 0xF900 <= ord(c) <= 0xFAFF for c in word)


@cache
def _domain_terms() -> tuple[str, ...]:
    return tuple(dict.fromkeys(_read_words("domain_dict.txt")))


def stopwords() -> frozenset[str]:
    """The Chinese stopword list of this package.

    The Chinese list of the stopwords-iso collection (``stopwordsiso`` package, MIT licence:
    function words, pronouns, conjunctions; its words of two characters or more) and this
    package's own ``resources/stopwords.txt`` (about 700 words): what citizen letters add —
    courtesy phrases (您好, 不胜感激, …), hotline-record boilerplate (市民, 来电, 反映, …),
    generic words of letters that top a hot list without saying what the issue is (基本, 加上,
    避免, 必须, 位于, 规定, 要求, 无法, …), and words left by masking (先生, 身份证号, …).
    Each section of the file gives its reason.

    See Also
    --------
    class_stopwords : dictionary words dropped for their word class.
    """
    return _stopwords()


#: Word classes (jieba's dictionary tags, ICTCLAS) whose words are not issues: adjectives,
#: adverbs, conjunctions, prepositions, pronouns, numerals and measure words, particles,
#: interjections and onomatopoeia, locality words (附近, 以后), time words (目前, 今年),
#: distinguishing words (所有, 个别), status words and strings. Nouns, place and organisation
#: names, verbs (停水, 投诉), idioms and abbreviations are kept.
DROPPED_CLASSES = frozenset(
    [
        "a",
        "ad",
        "ag",
        "an",
        "b",
        "c",
        "d",
        "df",
        "dg",
        "e",
        "f",
        "h",
        "k",
        "m",
        "mg",
        "mq",
        "o",
        "p",
        "q",
        "r",
        "rg",
        "rr",
        "rz",
        "t",
        "tg",
        "u",
        "ud",
        "ug",
        "uj",
        "ul",
        "uv",
        "uz",
        "y",
        "z",
        "x",
    ]
)


@cache
def _dictionary_tags() -> pl.DataFrame:
    import jieba

    path = Path(jieba.__file__).with_name("dict.txt")
    return pl.read_csv(
        path,
        separator=" ",
        has_header=False,
        new_columns=["word", "freq", "tag"],
        quote_char=None,
        schema_overrides={"word": pl.String, "freq": pl.Int64, "tag": pl.String},
    ).unique("word", keep="first")


@cache
def _class_stopwords() -> frozenset[str]:
    tags = _dictionary_tags()
    dropped = tags.filter(
        pl.col("tag").is_in(sorted(DROPPED_CLASSES)) & (pl.col("word").str.len_chars() >= 2)
    )
    return frozenset(dropped["word"].to_list())


def class_stopwords() -> frozenset[str]:
    """Dictionary words of the classes in :data:`DROPPED_CLASSES` (two characters or more).

    Word classes are read from jieba's dictionary (each word's tag), so segmentation keeps
    its speed: no tagger runs. Words the dictionary does not hold (new words, place names)
    have no class and are kept; curated domain terms are never dropped (see
    :func:`prepare_comments`).
    """
    return _class_stopwords()


def word_class(word: str) -> str | None:
    """jieba's dictionary tag of ``word`` (``n``, ``v``, ``d``, …), None when it has none."""
    return _word_tags().get(word)


@cache
def _word_tags() -> dict[str, str]:
    tags = _dictionary_tags()
    return dict(zip(tags["word"].to_list(), tags["tag"].to_list(), strict=True))


#: Last characters that may end a new word after a dictionary word (人社局, 西地省): endings of
#: places and organisations.
_NAME_ENDS = set("省市县区局院所委厅站馆苑园城府庄村镇乡路街巷湾")
#: Classes of a first character that never starts a new word (个月, 号线 are fragments).
_FUNCTION_CHARS = frozenset(["c", "d", "m", "mq", "p", "q", "r", "u", "uj", "ul", "uz", "y"])


def is_fragment(word: str, pieces: list[str]) -> bool:
    """Whether a discovered n-gram is a fragment or a phrase rather than a new word.

    ``pieces`` is its dictionary segmentation (jieba, HMM off). A fragment is

    * two or more dictionary words side by side (业主|多次, 严重|影响): the segmenter
      already cuts them into words it knows;
    * one character glued to a dictionary word (城|小区, 管|部门, 县|人民, 条|规定), or a
      dictionary word followed by one character (严重|违, 过程|中), unless that character
      ends a place or organisation name (西地省, 人社局);
    * led by a measure word, numeral, particle, pronoun or other function character
      (个|月, 号|线).
    """
    if len(pieces) >= 2 and all(len(p) >= 2 for p in pieces):
        return True
    if len(pieces) >= 2 and len(pieces[0]) == 1 and len(pieces[1]) >= 2:
        return True
    if len(pieces) >= 2 and len(pieces[-1]) == 1 and len(pieces[-2]) >= 2:
        return pieces[-1] not in _NAME_ENDS
    return word_class(word[0]) in _FUNCTION_CHARS


def domain_terms() -> tuple[str, ...]:
    """Service and policy terms of the government domain (``resources/domain_dict.txt``)."""
    return _domain_terms()


def region_words(regions: pl.DataFrame | None) -> list[str]:
    """Place names for the user dictionary from the master ``regions`` table.

    District, street and community names as written (``东湖区``, ``新东街道``, ``平吉社区``)
    and their short forms without the administrative suffix when at least two characters remain
    (``东湖``, ``新东``, ``平吉``).

    Parameters
    ----------
    regions
        The ``regions`` master table (``region_name`` column), or None for no place names.
    """
    if regions is None:
        return []
    if "region_name" not in regions.columns:
        msg = "regions must have a 'region_name' column (the master regions table)"
        raise ParameterError(msg)
    names = regions["region_name"].drop_nulls().unique().sort().to_list()
    out: list[str] = []
    for name in names:
        out.append(name)
        for suffix in ("街道", "社区", "新区", "区", "镇", "村", "乡"):
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                out.append(name[: -len(suffix)])
                break
    return list(dict.fromkeys(out))


#: Characters of the Han script (the ranges of the regular-expression class ``\\p{Han}``):
#: radicals, iteration marks, the CJK blocks and their extensions.
_HAN_RANGES = (
    (0x2E80, 0x2E99),
    (0x2E9B, 0x2EF3),
    (0x2F00, 0x2FD5),
    (0x3005, 0x3005),
    (0x3007, 0x3007),
    (0x3021, 0x3029),
    (0x3038, 0x303B),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFA6D),
    (0xFA70, 0xFAD9),
    (0x20000, 0x323AF),
)
#: Code points standing for the start and the end of a text among the neighbours of an n-gram.
_START, _END = 0x02, 0x03
#: Bits of a Unicode code point (U+10FFFF).
_CP_BITS = 21
#: Characters of text read by :func:`discover_words` by default (about 10 MB of UTF-32
#: code points: statistics of this much text are stable, and memory stays below 1 GB).
DEFAULT_DISCOVERY_CHARS = 5_000_000


def discover_words(
    texts: pl.Series,
    *,
    min_count: int = 20,
    min_texts: int = 3,
    min_pmi: float = 3.0,
    min_entropy: float = 1.2,
    max_length: int = 4,
    sample: int = 20_000,
    max_chars: int = DEFAULT_DISCOVERY_CHARS,
    exclude: frozenset[str] | set[str] = frozenset(),
    protected: tuple[str, ...] | list[str] = (),
) -> pl.DataFrame:
    """Discover new words (compound names, local terms) from raw text.

    An n-gram of Chinese characters (2 ≤ n ≤ ``max_length``) is a new word when it is frequent
    (``count ≥ min_count``, in at least ``min_texts`` texts: a name repeated in one long
    letter is not a word of the board), cohesive (pointwise mutual information of its weakest binary
    split, ``ln p(w) − ln p(a) − ln p(b)``, at least ``min_pmi``) and free at both ends (the
    entropy of the characters seen immediately left and right of it, text boundaries and
    punctuation included as neighbours, each at least ``min_entropy`` nats). N-grams beginning
    or ending with a function character (的, 了, 是, …), those in ``exclude`` and those
    containing a ``protected`` term as a proper part (so that curated terms such as 停水 stay
    countable) are dropped.

    The work grows with the number of characters read, not with the number of texts times
    the longest text: every text becomes an array of code points, each n-gram one integer
    (characters packed side by side), counted in one pass per length.

    Parameters
    ----------
    texts
        Masked, normalised comment text.
    min_count, min_texts, min_pmi, min_entropy, max_length
        Thresholds, see above. Defaults 20, 3, 3.0, 1.2 nats, 4.
    sample
        At most this many texts are read (the first ones). Default 20,000.
    max_chars
        And at most this many characters (whole texts, the first ones; at least one text).
        Default :data:`DEFAULT_DISCOVERY_CHARS` (5 million).
    exclude
        Words never proposed (e.g. stopwords).
    protected
        Terms that must not be swallowed by a longer new word.

    Returns
    -------
    pl.DataFrame
        ``word``, ``count``, ``n_texts`` (texts holding it), ``pmi``, ``left_entropy``,
        ``right_entropy``, most frequent first.

    References
    ----------
    Church & Hanks (1990), word association norms, mutual information and lexicography;
    boundary (branching) entropy after Harris (1955) and Jin & Tanaka-Ishii (2006).
    """
    if max_length < 2:
        msg = f"max_length must be at least 2, got {max_length}"
        raise ParameterError(msg)
    stream = _code_points(texts, sample=sample, max_chars=max_chars)
    if stream.size == 0:
        return pl.DataFrame(schema=_DISCOVERED)
    grams = _Grams(stream, max_length)
    counts = grams.frequent(min_count)
    cand = _cohesive(counts, grams, total=float(stream.size), min_pmi=min_pmi)
    if cand.height == 0:
        return pl.DataFrame(schema=_DISCOVERED)
    out = grams.boundary_entropy(cand).filter(
        (pl.col("n_texts") >= min_texts)
        & (pl.col("left_entropy") >= min_entropy)
        & (pl.col("right_entropy") >= min_entropy)
    )
    out = out.with_columns(pl.Series("word", grams.decode(out["code"], out["n"]), dtype=pl.String))
    prot = [p for p in protected if len(p) >= 2]
    keep = [
        w[0] not in _EDGE_CHARS
        and w[-1] not in _EDGE_CHARS
        and w not in exclude
        and not any(p in w and p != w for p in prot)
        for w in out["word"].to_list()
    ]
    out = out.filter(pl.Series(keep, dtype=pl.Boolean))
    return out.select(
        "word",
        pl.col("count").cast(pl.UInt32),
        pl.col("n_texts").cast(pl.UInt32),
        "pmi",
        "left_entropy",
        "right_entropy",
    ).sort(["count", "word"], descending=[True, False])


def _code_points(texts: pl.Series, *, sample: int, max_chars: int) -> np.ndarray:
    """The first texts as one array of code points, each text between ``_START`` and ``_END``.

    Placeholders of masking (``[手机号]``) become ``|``: their inner words never count.
    """
    t = (
        texts.drop_nulls()
        .head(sample)
        .str.replace_all(r"\[[^\[\]]{1,10}\]", "|")
        .str.replace_all(r"[\x02\x03]", " ")
    )
    if t.len() == 0:
        return np.zeros(0, dtype=np.uint32)
    within = int(((t.str.len_chars() + 2).cum_sum() <= max_chars).sum())
    t = t.head(max(within, 1))
    joined = "".join(f"\x02{x}\x03" for x in t.to_list())
    return np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)


def _is_han(cp: np.ndarray) -> np.ndarray:
    out = np.zeros(cp.size, dtype=bool)
    for lo, hi in _HAN_RANGES:
        out |= (cp >= lo) & (cp <= hi)
    return out


class _Grams:
    """Every n-gram of Han characters in a code-point stream, as packed integers.

    Han characters get dense ids ``1…K``; an n-gram at position ``i`` is the integer whose
    ``bits``-wide digits are the ids of ``cp[i], …, cp[i+n-1]`` (so n-grams of different
    lengths never share a code). Valid where the ``n`` characters are all Han (a text's
    ends and its punctuation are not).
    """

    def __init__(self, cp: np.ndarray, max_length: int) -> None:
        self.cp = cp
        han = _is_han(cp)
        present = np.flatnonzero(np.bincount(cp[han], minlength=1))
        self.chars = present
        table = np.zeros(int(cp.max()) + 1, dtype=np.uint64)
        table[present] = np.arange(1, present.size + 1, dtype=np.uint64)
        self.ids = np.where(han, table[cp], np.uint64(0))
        self.bits = max(int(present.size).bit_length(), 1)
        self.max_length = min(max_length, 64 // self.bits)
        # Han characters in a row from each position (0 where the character is not Han)
        # (the stream ends with _END, so every run stops)
        pos = np.arange(cp.size)
        next_stop = np.minimum.accumulate(np.where(han, cp.size, pos)[::-1])[::-1]
        self.run = next_stop - pos
        self.text_of = np.cumsum(cp == _START) - 1  # which text each position is in

    def codes(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Positions where an n-gram starts, and its code."""
        at = np.flatnonzero(self.run >= n)
        code = self.ids[at].copy()
        for j in range(1, n):
            code = (code << np.uint64(self.bits)) | self.ids[at + j]
        return at, code

    def frequent(self, min_count: int) -> pl.DataFrame:
        """``code``, ``n``, ``count`` of every n-gram (1 ≤ n ≤ max) seen ``min_count`` times."""
        parts = []
        for n in range(1, self.max_length + 1):
            _, code = self.codes(n)
            parts.append(
                pl.Series("code", code, dtype=pl.UInt64)
                .value_counts(name="count")
                .filter(pl.col("count") >= min_count)
                .with_columns(pl.lit(n, pl.Int8).alias("n"))
            )
        return pl.concat(parts).select("code", "n", pl.col("count").cast(pl.Int64))

    def boundary_entropy(self, cand: pl.DataFrame) -> pl.DataFrame:
        """``cand`` with the number of texts holding each n-gram and the entropy of its left
        and right neighbours (nats).

        Occurrences are keyed by (candidate number, neighbour code point) packed in one
        integer and counted in one pass; ``H = ln N − Σ k ln k / N`` per candidate.
        """
        parts = []
        for n in sorted(set(cand["n"].to_list())):
            at, code = self.codes(n)
            sub = cand.filter(pl.col("n") == n).sort("code")
            wanted = sub["code"].to_numpy()
            hit = pl.Series(code, dtype=pl.UInt64).is_in(sub["code"].implode()).to_numpy()
            at = at[hit]
            idx = np.searchsorted(wanted, code[hit]).astype(np.uint64)
            pairs = (idx << np.uint64(32)) | self.text_of[at].astype(np.uint64)
            texts = pl.Series(pairs, dtype=pl.UInt64).unique().to_numpy()
            entropy: dict[str, np.ndarray] = {
                "n_texts": np.bincount(
                    (texts >> np.uint64(32)).astype(np.int64), minlength=wanted.size
                )
            }
            for side, neighbour in (("left", self.cp[at - 1]), ("right", self.cp[at + n])):
                key = (idx << np.uint64(_CP_BITS)) | neighbour.astype(np.uint64)
                k = pl.Series("key", key, dtype=pl.UInt64).value_counts(name="k")
                which = (k["key"].to_numpy() >> np.uint64(_CP_BITS)).astype(np.int64)
                kk = k["k"].to_numpy().astype(np.float64)
                total = np.bincount(which, weights=kk, minlength=wanted.size)
                klogk = np.bincount(which, weights=kk * np.log(kk), minlength=wanted.size)
                entropy[f"{side}_entropy"] = np.log(total) - klogk / total
            parts.append(sub.with_columns(**{c: pl.Series(v) for c, v in entropy.items()}))
        return pl.concat(parts)

    def decode(self, code: pl.Series, n: pl.Series) -> list[str]:
        """The n-grams of ``code`` as text."""
        mask = (1 << self.bits) - 1
        out = []
        for c, k in zip(code.to_list(), n.to_list(), strict=True):
            ids = [(c >> (self.bits * (k - 1 - j))) & mask for j in range(k)]
            out.append("".join(chr(int(self.chars[i - 1])) for i in ids))
        return out


def _cohesive(counts: pl.DataFrame, grams: _Grams, *, total: float, min_pmi: float) -> pl.DataFrame:
    """N-grams (n ≥ 2) whose weakest binary split has a PMI of at least ``min_pmi``.

    Every part of a frequent n-gram is at least as frequent, so ``counts`` (the frequent
    n-grams of every length) holds the parts' counts too.
    """
    logp = counts.select("code", (pl.col("count") / total).log().alias("logp"))
    cand = counts.filter(pl.col("n") >= 2).with_columns(
        (pl.col("count") / total).log().alias("logp_w")
    )
    worst = []
    for n in sorted(set(cand["n"].to_list())):
        sub = cand.filter(pl.col("n") == n)
        splits = []
        for k in range(1, n):
            base = pl.lit(1 << (grams.bits * (n - k)), pl.UInt64)
            left = (pl.col("code") // base).alias("a")
            right = (pl.col("code") % base).alias("b")
            splits.append(
                sub.select("code", left, right)
                .join(logp.rename({"code": "a", "logp": "la"}), on="a")
                .join(logp.rename({"code": "b", "logp": "lb"}), on="b")
                .select("code", (pl.col("la") + pl.col("lb")).alias("parts"))
            )
        worst.append(pl.concat(splits).group_by("code").agg(pl.col("parts").max().alias("parts")))
    if not worst:
        return cand.head(0).with_columns(pl.lit(0.0).alias("pmi"))
    return (
        cand.join(pl.concat(worst), on="code")
        .with_columns((pl.col("logp_w") - pl.col("parts")).alias("pmi"))
        .filter(pl.col("pmi") >= min_pmi)
        .select("code", "n", "count", "pmi")
    )


def _entropy(col: str) -> pl.Expr:
    p = pl.col(col) / pl.col(col).sum()
    return -(p * p.log()).sum()
