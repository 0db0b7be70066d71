"""New-word discovery: the same words as a direct count, in time that grows with the text."""

from __future__ import annotations

import math
import re
import time
from collections import Counter, defaultdict

import numpy as np
import polars as pl
import pytest

from govanalytics.hotwords import discover_words

# characters that are not function characters (so the edge filter never applies here)
CHARS = "锦绣华庭碧桂花园停水噪音物业电梯垃圾路灯施工扰民燃气管道维修车位充电桩学校医院"
HAN = re.compile(r"^[\u4e00-\u9fff]+$")


def _reference(
    texts: list[str], *, min_count: int, min_texts: int, min_pmi: float, min_entropy: float
) -> dict[str, tuple[int, int, float, float, float]]:
    """Discovery written out directly: every offset of every text, dictionaries of counts."""
    marked = ["^" + re.sub(r"\[[^\[\]]{1,10}\]", "|", t) + "$" for t in texts]
    total = sum(len(t) for t in marked)
    count: Counter[str] = Counter()
    holders: dict[str, set[int]] = defaultdict(set)
    left: dict[str, Counter[str]] = defaultdict(Counter)
    right: dict[str, Counter[str]] = defaultdict(Counter)
    for i, t in enumerate(marked):
        for n in range(1, 5):
            for off in range(1, len(t) - n):
                gram = t[off : off + n]
                if HAN.match(gram):
                    count[gram] += 1
                    holders[gram].add(i)
                    left[gram][t[off - 1]] += 1
                    right[gram][t[off + n]] += 1

    def entropy(c: Counter[str]) -> float:
        s = sum(c.values())
        return -sum(v / s * math.log(v / s) for v in c.values())

    out = {}
    for w, c in count.items():
        if len(w) < 2 or c < min_count or len(holders[w]) < min_texts:
            continue
        pmi = min(
            math.log(c / total) - math.log(count[w[:k]] / total) - math.log(count[w[k:]] / total)
            for k in range(1, len(w))
        )
        le, re_ = entropy(left[w]), entropy(right[w])
        if pmi >= min_pmi and le >= min_entropy and re_ >= min_entropy:
            out[w] = (c, len(holders[w]), pmi, le, re_)
    return out


def test_discovery_equals_a_direct_count() -> None:
    rng = np.random.default_rng(7)
    words = ["".join(rng.choice(list(CHARS), size=rng.integers(2, 5))) for _ in range(25)]
    texts = []
    for _ in range(300):
        parts = [words[i] for i in rng.integers(0, len(words), size=rng.integers(1, 9))]
        seps = rng.choice(["", "，", "。", " ", "3", "[手机号]"], size=len(parts))
        texts.append("".join(p + s for p, s in zip(parts, seps, strict=True)))
    options = {"min_count": 8, "min_texts": 4, "min_pmi": 0.5, "min_entropy": 0.8}
    found = discover_words(pl.Series(texts), **options)
    expected = _reference(texts, **options)
    assert len(expected) > 20  # enough words to compare
    assert set(found["word"]) == set(expected)
    for row in found.iter_rows(named=True):
        c, n_texts, pmi, le, re_ = expected[row["word"]]
        assert (row["count"], row["n_texts"]) == (c, n_texts)
        assert row["pmi"] == pytest.approx(pmi)
        assert row["left_entropy"] == pytest.approx(le)
        assert row["right_entropy"] == pytest.approx(re_)


def test_a_name_repeated_in_one_letter_is_not_a_new_word() -> None:
    filler = ["附近施工很吵", "物业不管", "停车位不够", "电梯坏了", "垃圾没人清"]
    lead = ["您好，", "我住在", "反映：", "", "市民说"]
    letter = "，".join(f"{lead[i % 5]}柯景腾{filler[(i * 3) % 5]}" for i in range(30))
    board = [f"{lead[i % 5]}锦绣华庭{filler[(i * 3) % 5]}。" for i in range(40)]
    found = set(discover_words(pl.Series([letter, *board]), min_count=20)["word"])
    assert "锦绣华庭" in found and "柯景腾" not in found
    spread = [f"{lead[i % 5]}柯景腾{filler[(i * 3) % 5]}。" for i in range(30)]
    assert "柯景腾" in set(discover_words(pl.Series(spread + board), min_count=20)["word"])


def test_time_grows_with_the_text_not_with_texts_times_the_longest() -> None:
    rng = np.random.default_rng(3)
    long_text = "".join(rng.choice(list(CHARS + "，。"), size=200_000))
    lead = ["您好，", "我住在", "反映：", "", "市民说"]
    tail = ["停水三天", "物业不管", "电梯坏了", "路灯不亮", "垃圾没人清"]
    short = [f"{lead[i % 5]}锦绣华庭{tail[(i * 3) % 5]}。" for i in range(2_000)]
    texts = pl.Series([long_text, *short])
    start = time.perf_counter()
    found = discover_words(texts, min_count=20)
    # stepping through every offset up to the longest text took minutes on such input
    assert time.perf_counter() - start < 20
    assert "锦绣华庭" in set(found["word"])
