"""On the sample city: the planted burst is found, the decoy is not, nothing personal leaks."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from govanalytics.data import load
from govanalytics.hotwords import (
    ALL,
    DROPPED_CLASSES,
    HotWords,
    PreparedComments,
    Segmenter,
    area_concentration,
    count_words,
    detect_hot_words,
    prepare_comments,
    segment,
    stopwords,
    tokenization_agreement,
    word_class,
    word_trend,
)


@pytest.fixture(scope="module")
def prepared(small_city: Path) -> PreparedComments:
    """The small city's comments, masked and segmented."""
    comments = load("comments", data_dir=small_city)
    regions = load("regions", data_dir=small_city)
    return prepare_comments(comments, regions=regions)


@pytest.fixture(scope="module")
def daily(prepared: PreparedComments) -> HotWords:
    """Daily hot words, bursts and issues."""
    return detect_hot_words(prepared, window="day")


def _day(truth: dict) -> dt.date:
    return dt.date.fromisoformat(truth["hotwords"]["burst"]["day"])


def test_planted_word_bursts_on_its_day_in_its_district(daily: HotWords, truth: dict) -> None:
    b = truth["hotwords"]["burst"]
    day = _day(truth)
    found = daily.bursts.filter(
        (pl.col("word") == b["word"]) & (pl.col("scope") == b["district_code"])
    )
    assert found.height >= 1
    start = found.sort("weight", descending=True).row(0, named=True)
    assert abs((start["start"] - day).days) <= 1
    assert start["end"] >= day + dt.timedelta(days=b["days"] - 2)
    # the city-wide burst points at the district, the district burst at the community
    city = daily.bursts.filter((pl.col("word") == b["word"]) & (pl.col("scope") == ALL))
    assert city.height == 1 and city["areas"].item().to_list()[0] == b["district_code"]
    assert b["community_code"] in start["areas"]
    # no other district bursts with it
    others = daily.bursts.filter(
        (pl.col("word") == b["word"]) & ~pl.col("scope").is_in([ALL, b["district_code"]])
    )
    assert others.height == 0


def test_planted_word_ranks_top_three_in_its_window(daily: HotWords, truth: dict) -> None:
    b = truth["hotwords"]["burst"]
    day = _day(truth)
    for scope in (b["district_code"], ALL):
        ranks = daily.hot_words.filter(
            (pl.col("scope") == scope)
            & (pl.col("word") == b["word"])
            & pl.col("window").is_between(day - dt.timedelta(days=1), day + dt.timedelta(days=1))
        )["rank"]
        assert ranks.len() >= 1 and ranks.min() <= 3, scope


def test_words_of_one_issue_are_grouped(daily: HotWords, truth: dict) -> None:
    b = truth["hotwords"]["burst"]
    issue = daily.issues.filter(
        (pl.col("scope") == b["district_code"]) & pl.col("words").list.contains(b["word"])
    )
    assert issue.height == 1
    words = issue["words"].item().to_list()
    # the planted co-words, but for the numeral 三天: a duration says how long, not what, and
    # words of the numeral class are dropped with the other function classes
    content = [w for w in b["co_words"] if word_class(w) not in DROPPED_CLASSES]
    assert content == [b["co_words"][1]]  # the estate, 东方花园
    assert set(content) <= set(words) and b["co_words"][0] not in words
    assert issue["issue"].item() == 1  # the heaviest issue of its district
    assert b["word"] in issue["label"].item()
    # its example comments really are about it
    examples = issue["comment_ids"].item().to_list()
    assert len(examples) == 5


def test_decoy_is_frequent_every_week_and_never_bursts(
    prepared: PreparedComments, daily: HotWords, truth: dict
) -> None:
    decoy = truth["hotwords"]["decoy"]["word"]
    weekly = detect_hot_words(prepared, window="week")
    for result in (daily, weekly):
        assert result.bursts.filter(pl.col("word") == decoy).height == 0
        assert result.hot_words.filter(pl.col("word") == decoy)["bursting"].sum() == 0
    city_weeks = weekly.counts.filter((pl.col("scope") == ALL) & (pl.col("word") == decoy))
    assert city_weeks.height == 26 and city_weeks["count"].min() >= 20
    # the planted burst is found by week too, in the week of its day
    b = truth["hotwords"]["burst"]
    week = weekly.bursts.filter(
        (pl.col("word") == b["word"]) & (pl.col("scope") == b["district_code"])
    )
    assert week.height >= 1
    assert ((week["start"] <= _day(truth)) & (week["end"] >= _day(truth))).any()


def test_one_user_repeating_a_complaint_is_not_a_burst(
    prepared: PreparedComments, daily: HotWords, truth: dict
) -> None:
    rep = truth["hotwords"]["repeat"]
    day = dt.date.fromisoformat(rep["day"])

    def bursting(result: HotWords) -> bool:
        hits = result.bursts.filter(
            (pl.col("word") == rep["word"]) & (pl.col("start") <= day) & (pl.col("end") >= day)
        )
        return hits.height > 0

    assert not bursting(daily)
    # counting comments instead of writers would raise an alarm: distinct counting matters
    assert bursting(detect_hot_words(prepared, window="day", distinct_users=False))


def test_hot_list_holds_no_stopwords_numbers_punctuation_or_placeholders(
    daily: HotWords,
) -> None:
    words = set(daily.hot_words["word"].to_list()) | set(daily.bursts["word"].to_list())
    assert words
    assert not words & stopwords()
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,}", w) for w in words)
    assert not words & {
        "身份证号",
        "手机号",
        "电话",
        "疑似证件号",
        "身份证",
        "手机",
        "先生",
        "女士",
    }
    # the count floor follows each scope's volume: five for the city (about 100 writers a
    # day), lower in districts with fewer writers, never below three
    floors = dict(daily.floors.select("scope", "floor").iter_rows())
    assert floors[ALL] == 5 and min(floors.values()) >= 3
    with_floor = daily.hot_words.join(daily.floors, on="scope")
    assert (with_floor["count"] >= with_floor["floor"]).all()


def test_compound_names_stay_whole(prepared: PreparedComments, truth: dict) -> None:
    compounds = truth["hotwords"]["compounds"]
    words = set(prepared.tokens["word"].unique().to_list())
    whole = [c for c in compounds if c in words]
    assert len(whole) / len(compounds) >= 0.7
    assert truth["hotwords"]["burst"]["co_words"][1] in words
    # discovery found compound names jieba's dictionary lacks
    assert len(set(prepared.new_words["word"]) & set(compounds)) >= 0.5 * len(compounds)


def test_no_planted_personal_data_in_any_output(
    prepared: PreparedComments, daily: HotWords, truth: dict, small_city: Path
) -> None:
    hw = truth["hotwords"]
    # the planted values are really in the raw comments (so the checks below can fail)
    raw = re.sub(r"[ \-+]", "", "\n".join(load("comments", data_dir=small_city)["text"])).upper()
    assert hw["planted_ids"] and all(v.upper() in raw for v in hw["planted_ids"])
    assert hw["planted_phones"] and all(v in raw for v in hw["planted_phones"])
    raw_text = "\n".join(load("comments", data_dir=small_city)["text"])
    assert hw["planted_names"] and all(v in raw_text for v in hw["planted_names"])
    tables = [prepared.comments, prepared.tokens, daily.hot_words, daily.bursts, daily.issues]
    text = "\n".join(str(t.to_dicts()) for t in tables)
    flat = re.sub(r"[ \-+]", "", text).upper()
    assert not [v for v in hw["planted_ids"] if v.upper() in flat]
    assert not [v for v in hw["planted_phones"] if v in flat]
    assert not [v for v in hw["planted_names"] if v in text]
    assert prepared.masked["id_number"] + prepared.masked["id_number_15"] >= len(hw["planted_ids"])


def test_rjieba_agrees_with_jieba_on_sample_comments(prepared: PreparedComments) -> None:
    seg = prepared.segmenter
    assert seg.engine == "rjieba"
    texts = prepared.comments["text"].gather(list(range(0, prepared.comments.height, 12)))
    reference = Segmenter("jieba", seg.hmm, seg.user_words)
    share = tokenization_agreement(texts.to_list(), seg, reference)
    assert share >= 0.98


def test_counts_are_distinct_per_window_area_and_channel(prepared: PreparedComments) -> None:
    counts = count_words(prepared, window="week", by=("district_code", "channel"))
    assert (counts["n_users"] <= counts["n_comments"]).all()
    assert counts.select(
        pl.struct("window_start", "district_code", "channel", "word").is_unique().all()
    ).item()
    total = counts.filter(pl.col("word") == "噪音")["n_comments"].sum()
    direct = prepared.comments.filter(pl.col("text").str.contains("噪音")).height
    assert 0.8 * direct <= total <= direct


def test_gbk_hotline_export_reads_with_joined_columns(small_city: Path) -> None:
    export = small_city / "dynamic/hotline_export_gbk.csv"
    with pytest.raises(UnicodeDecodeError):
        export.read_bytes().decode("utf-8")
    comments = load("comments", path=export, column_map={"text": ["标题", "内容"]})
    assert comments.height > 500
    assert comments["created_at"].dt.year().min() == 2026
    # title and body are both in the text, so the title's words are counted too
    first = comments["text"][0]
    assert "\n" in first
    prepared = prepare_comments(comments, discover=False)
    assert prepared.tokens.height > comments.height


def test_issue_concentrates_in_the_planted_community(
    prepared: PreparedComments, daily: HotWords, truth: dict
) -> None:
    b = truth["hotwords"]["burst"]
    issue = daily.issues.filter(pl.col("scope") == b["district_code"]).row(0, named=True)
    conc = area_concentration(
        prepared,
        issue["words"][:3],
        issue["start"],
        issue["end"],
        level="community_code",
        scope=b["district_code"],
    )
    assert conc["region_code"][0] == b["community_code"]
    assert conc["lq"][0] > 1.5 and conc["share"][0] > 0.5
    city = area_concentration(prepared, [b["word"]], issue["start"], issue["end"])
    assert city["region_code"][0] == b["district_code"]


def test_trend_is_zero_filled_and_peaks_on_the_burst(daily: HotWords, truth: dict) -> None:
    b = truth["hotwords"]["burst"]
    trend = word_trend(daily, [b["word"], "不存在的词"], scope=b["district_code"])
    n_days = daily.totals.filter(pl.col("scope") == b["district_code"]).height
    assert trend.height == 2 * n_days
    assert trend.filter(pl.col("word") == "不存在的词")["count"].sum() == 0
    peak = (
        trend.filter(pl.col("word") == b["word"]).sort("count", descending=True).row(0, named=True)
    )
    assert 0 <= (peak["window"] - _day(truth)).days <= b["days"] - 1


def _whole_text_words(seg: Segmenter, texts: list[str], stop: frozenset[str]) -> set:
    """(row, word) pairs from cutting each text whole, filtered like :func:`segment`."""
    rows, words = [], []
    for i, text in enumerate(texts):
        for w in seg.cut(re.sub(r"\[[^\[\]]{1,10}\]", " ", text or "")):
            rows.append(i)
            words.append(w)
    kept = pl.DataFrame({"row": rows, "word": words}).filter(
        (pl.col("word").str.len_chars() >= 2)
        & pl.col("word").str.contains(r"^\p{Han}+$")
        & ~pl.col("word").is_in(pl.Series(sorted(stop)).implode())
    )
    return set(zip(kept["row"].to_list(), kept["word"].to_list(), strict=True))


@pytest.mark.parametrize("engine", ["rjieba", "jieba"])
def test_piece_cache_gives_the_tokens_of_whole_texts(
    prepared: PreparedComments, engine: str
) -> None:
    # segment() cuts each distinct piece between non-block characters once; the tokens must be
    # those of cutting every comment whole, with the same user words
    texts = prepared.comments["text"].head(600 if engine == "jieba" else 4000)
    seg = Segmenter(engine, True, prepared.segmenter.user_words)
    stop = stopwords()
    got = segment(texts, seg, stopwords=stop, processes=1)
    pairs = set(zip(got["row"].to_list(), got["word"].to_list(), strict=True))
    assert got.height == len(pairs) > 3 * len(texts)
    assert pairs == _whole_text_words(seg, texts.to_list(), stop)


def test_masking_in_threads_equals_one_call(small_city: Path, monkeypatch) -> None:
    from govanalytics.hotwords import _prepare
    from govanalytics.privacy import mask_personal_data

    texts = load("comments", data_dir=small_city)["text"]
    monkeypatch.setattr(_prepare, "_MASK_SPLIT", 10)
    threaded, counts = _prepare._mask(texts, processes=3)
    single, expected = mask_personal_data(texts)
    assert sum(expected.values()) > 0
    assert threaded.equals(single) and counts == expected


def test_packed_distinct_counts_equal_grouped_n_unique() -> None:
    from govanalytics.hotwords._detect import _distinct_units

    rng = np.random.default_rng(5)
    n = 20_000
    wid, t = rng.integers(0, 300, n), rng.integers(0, 40, n)
    unit, group = rng.integers(0, 500, n), rng.integers(0, 4, n)
    frame = pl.DataFrame({"g": group, "wid": wid, "t": t, "unit": unit})
    wide = unit * (1 << 40)  # too wide to pack into 64 bits: the group-by fallback
    for g, u in ((None, unit), (group, unit), (group, wide)):
        keys = ["wid", "t"] if g is None else ["g", "wid", "t"]
        want = frame.with_columns(unit=u).group_by(keys).agg(pl.col("unit").n_unique().alias("r"))
        got = _distinct_units(wid, t, u, g)
        assert got.columns == [*keys, "r"]
        cast = [pl.col(k).cast(pl.Int64) for k in [*keys, "r"]]
        assert got.select(cast).sort(keys).equals(want.select(cast).sort(keys))
