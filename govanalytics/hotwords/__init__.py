"""Hot words in citizen comments: masking, segmentation, counting, bursts, hot lists, issues.

Typical use, on the canonical ``comments`` dataset::

    from govanalytics import data, hotwords

    comments = data.load("comments", path="工单导出.csv", column_map={"text": ["标题", "内容"]})
    prepared = hotwords.prepare_comments(comments, regions=data.load("regions", data_dir=d))
    result = hotwords.detect_hot_words(prepared, window="day")
    result.hot_words, result.bursts, result.issues

Personal data are masked first (:func:`govanalytics.privacy.mask_personal_data`); nothing in
the results holds unmasked text.
"""

from govanalytics.hotwords._alerts import issue_alerts, issue_place
from govanalytics.hotwords._analysis import (
    ALL,
    HotWords,
    PreparedComments,
    area_concentration,
    count_words,
    detect_hot_words,
    prepare_comments,
    word_trend,
)
from govanalytics.hotwords._burst import baseline_scores, kleinberg_states, likelihood_ratio
from govanalytics.hotwords._dictionary import discover_words, domain_terms, region_words, stopwords
from govanalytics.hotwords._publish import (
    published_bursts,
    published_hot_words,
    published_issues,
)
from govanalytics.hotwords._segment import (
    Segmenter,
    build_segmenter,
    segment,
    tokenization_agreement,
)
from govanalytics.hotwords._text import normalise_text

__all__ = [
    "ALL",
    "HotWords",
    "PreparedComments",
    "Segmenter",
    "area_concentration",
    "baseline_scores",
    "build_segmenter",
    "count_words",
    "detect_hot_words",
    "discover_words",
    "domain_terms",
    "issue_alerts",
    "issue_place",
    "kleinberg_states",
    "likelihood_ratio",
    "normalise_text",
    "prepare_comments",
    "published_bursts",
    "published_hot_words",
    "published_issues",
    "region_words",
    "segment",
    "stopwords",
    "tokenization_agreement",
    "word_trend",
]
