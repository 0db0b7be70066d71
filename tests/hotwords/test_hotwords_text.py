"""Normalisation, new-word discovery and segmentation hygiene."""

from __future__ import annotations

import polars as pl
import pytest

from govanalytics.hotwords import (
    build_segmenter,
    discover_words,
    domain_terms,
    normalise_text,
    region_words,
    segment,
    stopwords,
)


def test_full_width_and_whitespace_are_normalised() -> None:
    s = pl.Series(["ＡＢＣ　１２３，！  小区\n停水", None])
    assert normalise_text(s).to_list() == ["ABC 123,! 小区 停水", None]


def test_traditional_to_simplified_is_optional() -> None:
    s = pl.Series(["社區停水。請儘快處理"])
    assert normalise_text(s).to_list() == s.to_list()
    assert normalise_text(s, traditional_to_simplified=True).item() == "社区停水。请尽快处理"


def test_stopwords_hold_courtesy_phrases_and_domain_terms_are_not_stopwords() -> None:
    stop = stopwords()
    for w in ("您好", "谢谢", "希望", "不胜感激", "尽快", "反映", "身份证号", "手机号"):
        assert w in stop
    assert not set(domain_terms()) & stop
    assert "停水" in domain_terms()


def test_region_words_add_short_forms() -> None:
    regions = pl.DataFrame({"region_name": ["东湖区", "平吉社区", "新东街道", "春溪镇"]})
    words = region_words(regions)
    assert {"东湖区", "平吉社区", "平吉", "新东街道", "新东", "春溪镇", "春溪"} <= set(words)


def test_discovery_finds_a_compound_name_and_not_its_pieces() -> None:
    fill = ["附近施工很吵", "物业不管", "停车位不够", "电梯坏了", "垃圾没人清"]
    lead = ["您好，", "我住在", "反映：", "", "市民说"]
    texts = [f"{lead[i % 5]}锦绣华庭{fill[(i * 3) % 5]}。" for i in range(60)]
    texts += [f"{lead[i % 5]}碧桂花园{fill[(i * 2) % 5]}！" for i in range(40)]
    found = discover_words(pl.Series(texts), min_count=20, exclude=stopwords())
    words = set(found["word"].to_list())
    assert {"锦绣华庭", "碧桂花园"} <= words
    assert "锦绣华" not in words and "绣华庭" not in words


def test_segmentation_drops_placeholders_numbers_punctuation_and_stopwords() -> None:
    seg = build_segmenter(["锦绣华庭"], engine="rjieba")
    texts = pl.Series(
        ["您好，锦绣华庭停水3天了，电话[手机号]，身份证[身份证号]，谢谢！", "2026年11月3号 ABC"]
    )
    tokens = segment(texts, seg, stopwords=stopwords())
    words = tokens.filter(pl.col("row") == 0)["word"].to_list()
    assert "锦绣华庭" in words and "停水" in words
    bad = {"您好", "谢谢", "手机号", "手机", "身份证号", "身份证", "3", "，", "[", "]", "了"}
    assert not bad & set(tokens["word"].to_list())
    assert tokens["word"].str.contains(r"^\p{Han}{2,}$").all()
    assert tokens.filter(pl.col("row") == 1).height == 0


def test_worker_processes_give_the_same_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    from govanalytics.hotwords import _segment

    monkeypatch.setattr(_segment, "CHUNK", 150)
    seg = build_segmenter(["锦绣华庭"], engine="rjieba")
    base = ["锦绣华庭停水三天", "碧桂花园噪音扰民严重", "路灯不亮晚上出行不安全", "停车位严重不足"]
    texts = pl.Series([f"{base[i % 4]}，第{i}次反映" for i in range(400)])
    one = segment(texts, seg, stopwords=stopwords(), processes=1).sort("row", "word")
    two = segment(texts, seg, stopwords=stopwords(), processes=2).sort("row", "word")
    assert one.height > 800
    assert one.equals(two)
