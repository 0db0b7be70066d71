"""Word lists: stopwords, the government-domain user dictionary and new-word discovery."""

from __future__ import annotations

import math
from functools import cache
from importlib import resources

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
    return frozenset(_read_words("stopwords.txt"))


@cache
def _domain_terms() -> tuple[str, ...]:
    return tuple(dict.fromkeys(_read_words("domain_dict.txt")))


def stopwords() -> frozenset[str]:
    """The Chinese stopword list of this package (``resources/stopwords.txt``).

    About 600 words: function words, pronouns, contentless verbs and adverbs, time words, the
    courtesy phrases of citizen letters (您好, 谢谢, 希望, 不胜感激, …), hotline-record
    boilerplate (市民, 来电, 反映, 诉求, …) and words left by masking (先生, 女士, 身份证号, …).
    Written for this package; public lists (HIT, Baidu, SCU) hold 750–1,400 words but lack the
    courtesy phrases.
    """
    return _stopwords()


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


def _entropy(col: str) -> pl.Expr:
    p = pl.col(col) / pl.col(col).sum()
    return -(p * p.log()).sum()


def discover_words(
    texts: pl.Series,
    *,
    min_count: int = 20,
    min_pmi: float = 3.0,
    min_entropy: float = 1.2,
    max_length: int = 4,
    sample: int = 20_000,
    exclude: frozenset[str] | set[str] = frozenset(),
    protected: tuple[str, ...] | list[str] = (),
) -> pl.DataFrame:
    """Discover new words (compound names, local terms) from raw text.

    An n-gram of Chinese characters (2 ≤ n ≤ ``max_length``) is a new word when it is frequent
    (``count ≥ min_count``), cohesive (pointwise mutual information of its weakest binary
    split, ``ln p(w) − ln p(a) − ln p(b)``, at least ``min_pmi``) and free at both ends (the
    entropy of the characters seen immediately left and right of it, text boundaries and
    punctuation included as neighbours, each at least ``min_entropy`` nats). N-grams beginning
    or ending with a function character (的, 了, 是, …), those in ``exclude`` and those
    containing a ``protected`` term as a proper part (so that curated terms such as 停水 stay
    countable) are dropped.

    Parameters
    ----------
    texts
        Masked, normalised comment text.
    min_count, min_pmi, min_entropy, max_length
        Thresholds, see above. Defaults 20, 3.0, 1.2 nats, 4.
    sample
        At most this many texts are scanned (the first ones). Default 20,000.
    exclude
        Words never proposed (e.g. stopwords).
    protected
        Terms that must not be swallowed by a longer new word.

    Returns
    -------
    pl.DataFrame
        ``word``, ``count``, ``pmi``, ``left_entropy``, ``right_entropy``, best first.

    References
    ----------
    Church & Hanks (1990), word association norms, mutual information and lexicography;
    boundary (branching) entropy after Harris (1955) and Jin & Tanaka-Ishii (2006).
    """
    if max_length < 2:
        msg = f"max_length must be at least 2, got {max_length}"
        raise ParameterError(msg)
    t = texts.drop_nulls().head(sample).str.replace_all(r"\[[^\[\]]{1,10}\]", "|")
    frame = pl.DataFrame({"text": ("^" + t + "$")})
    lengths = frame["text"].str.len_chars()
    max_len = int(lengths.max() or 0)  # type: ignore[arg-type]
    total_chars = float(lengths.sum() or 1)
    if max_len < 2 + max_length:
        return pl.DataFrame(schema=_DISCOVERED)

    lazy = frame.lazy().with_columns(lengths.alias("len"))

    def slices(n: int, with_context: bool) -> pl.LazyFrame:
        # one lazy query over all offsets: collected once, in parallel
        parts = []
        for off in range(1, max_len - n):
            cols = [pl.col("text").str.slice(off, n).alias("gram")]
            if with_context:
                cols += [
                    pl.col("text").str.slice(off - 1, 1).alias("left"),
                    pl.col("text").str.slice(off + n, 1).alias("right"),
                ]
            parts.append(lazy.filter(pl.col("len") > off + n).select(cols))
        return pl.concat(parts).filter(pl.col("gram").str.contains(r"^\p{Han}+$"))

    counts = pl.concat(
        [
            slices(n, False)
            .group_by("gram")
            .agg(pl.len().alias("count"))
            .with_columns(pl.lit(n, pl.Int8).alias("n"))
            for n in range(1, max_length + 1)
        ]
    ).collect()
    prob = dict(zip(counts["gram"], (counts["count"] / total_chars).to_list(), strict=True))
    cand = counts.filter((pl.col("n") >= 2) & (pl.col("count") >= min_count))
    words = cand["gram"].to_list()
    pmi = []
    for w in words:
        pw = prob[w]
        worst = min(
            math.log(pw) - math.log(prob[w[:k]]) - math.log(prob[w[k:]]) for k in range(1, len(w))
        )
        pmi.append(worst)
    cand = cand.with_columns(pl.Series("pmi", pmi))
    cand = cand.filter(pl.col("pmi") >= min_pmi)
    if cand.height == 0:
        return pl.DataFrame(schema=_DISCOVERED)
    keep_grams = cand["gram"].implode()
    sub = pl.concat(
        [
            slices(n, True).filter(pl.col("gram").is_in(keep_grams))
            for n in sorted(set(cand["n"].to_list()))
        ]
    ).collect()
    ent = []
    for side in ("left", "right"):
        ent.append(
            sub.group_by("gram", side)
            .agg(pl.len().alias("k"))
            .group_by("gram")
            .agg(_entropy("k").alias(f"{side}_entropy"))
        )
    out = cand.join(ent[0], on="gram").join(ent[1], on="gram")
    out = out.filter(
        (pl.col("left_entropy") >= min_entropy) & (pl.col("right_entropy") >= min_entropy)
    ).rename({"gram": "word"})
    keep = []
    prot = [p for p in protected if len(p) >= 2]
    for w in out["word"].to_list():
        ok = (
            w[0] not in _EDGE_CHARS
            and w[-1] not in _EDGE_CHARS
            and w not in exclude
            and not any(p in w and p != w for p in prot)
        )
        keep.append(ok)
    out = out.filter(pl.Series(keep))
    return out.select("word", "count", "pmi", "left_entropy", "right_entropy").sort(
        ["count", "word"], descending=[True, False]
    )
