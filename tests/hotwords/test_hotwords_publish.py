"""Publishing step: counts of writers/comments below k withheld, ranks and scores kept."""

from __future__ import annotations

import polars as pl

from govanalytics.hotwords import published_bursts, published_hot_words, published_issues


def test_published_hot_words_withholds_count_and_its_scores_keeps_rank() -> None:
    hot = pl.DataFrame(
        {
            "word": ["停水", "噪音", "堵车"],
            "count": [40, 14, 15],
            "expected": [2.0, 1.0, 3.0],
            "rank": [1, 2, 3],
            "score": [90.0, 12.0, 8.0],
        }
    )
    out = published_hot_words(hot, k=15)
    assert out["count"].to_list() == [40, None, 15]
    assert out["suppressed"].to_list() == [False, True, False]
    assert out["expected"].to_list() == [2.0, None, 3.0]  # would give the count back via score
    # z and score are computed from the count (they solve for it): withheld with it
    assert out["score"].to_list() == [90.0, None, 8.0]
    assert out["rank"].to_list() == [1, 2, 3]
    assert published_hot_words(hot, k=50)["count"].null_count() == 3


def test_published_bursts_and_issues() -> None:
    bursts = pl.DataFrame({"word": ["a", "b"], "peak_count": [20, 6], "total_count": [60, 16]})
    out = published_bursts(bursts, k=15)
    assert out["peak_count"].to_list() == [20, None]
    assert out["total_count"].to_list() == [60, 16]
    assert out["suppressed"].to_list() == [False, True]
    weighted = bursts.with_columns(weight=pl.lit(2.5), score=pl.lit(9.0))
    assert published_bursts(weighted, k=15)["weight"].to_list() == [2.5, None]
    issues = pl.DataFrame(
        {"n_comments": [30, 3], "comment_ids": [[str(i) for i in range(30)], ["x", "y", "z"]]}
    )
    out = published_issues(issues, k=15)
    assert out["n_comments"].to_list() == [30, None]
    assert out["comment_ids"][0].len() == 30 and out["comment_ids"][1] is None
    assert out["suppressed"].to_list() == [False, True]
