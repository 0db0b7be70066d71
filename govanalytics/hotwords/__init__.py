"""Hot words in citizen comments: masking, segmentation, counting, bursts, hot lists, issues.

Typical use, on the canonical ``comments`` dataset::

    from govanalytics import data, hotwords

    comments = data.load("comments", path="工单导出.csv", column_map={"text": ["标题", "内容"]})
    prepared = hotwords.prepare_comments(comments, regions=data.load("regions", data_dir=d))
    result = hotwords.detect_hot_words(prepared)  # window chosen from the volume
    result.hot_words, result.bursts, result.issues

Personal data are masked first (:func:`govanalytics.privacy.mask_personal_data`, then
:func:`govanalytics.privacy.mask_names` for names after 我叫, 姓名, 本人, 父亲, …); nothing in the
results
holds unmasked text, and the few messages a page prints go through a tagger once more
(:func:`example_messages`). :func:`describe_period` says how many messages a period holds and
whether that is enough to find anything.
"""

from govanalytics.hotwords._alerts import issue_alerts, issue_place
from govanalytics.hotwords._burst import (
    baseline_scores,
    kleinberg_states,
    likelihood_ratio,
    run_likelihood_ratio,
)
from govanalytics.hotwords._charts import burst_chart
from govanalytics.hotwords._detect import FUNNEL_STEPS, HotWords, count_words, detect_hot_words
from govanalytics.hotwords._dictionary import (
    DROPPED_CLASSES,
    class_stopwords,
    discover_words,
    domain_terms,
    is_fragment,
    region_words,
    stopwords,
    word_class,
)
from govanalytics.hotwords._engine import count_comment_words
from govanalytics.hotwords._examples import example_messages, mask_tagged_names
from govanalytics.hotwords._issues import (
    area_concentration,
    earlier_issues,
    issues_in_period,
    word_trend,
)
from govanalytics.hotwords._period import PeriodSummary, default_period, describe_period
from govanalytics.hotwords._places import PLACE_SUFFIXES, place_names
from govanalytics.hotwords._prepare import PreparedComments, prepare_comments
from govanalytics.hotwords._publish import (
    FILLER_WORDS,
    officials_hot_list,
    published_bursts,
    published_hot_words,
    published_issues,
)
from govanalytics.hotwords._segment import (
    Segmenter,
    build_segmenter,
    dictionary_cut,
    segment,
    tokenization_agreement,
)
from govanalytics.hotwords._text import normalise_text
from govanalytics.hotwords._where import places_from_text
from govanalytics.hotwords._windows import (
    ALL,
    WINDOW_ZH,
    WindowChoice,
    choose_window,
    count_floor,
)

__all__ = [
    "ALL",
    "DROPPED_CLASSES",
    "FILLER_WORDS",
    "FUNNEL_STEPS",
    "PLACE_SUFFIXES",
    "WINDOW_ZH",
    "HotWords",
    "PeriodSummary",
    "PreparedComments",
    "Segmenter",
    "WindowChoice",
    "area_concentration",
    "baseline_scores",
    "build_segmenter",
    "burst_chart",
    "choose_window",
    "class_stopwords",
    "count_comment_words",
    "count_floor",
    "count_words",
    "default_period",
    "describe_period",
    "detect_hot_words",
    "dictionary_cut",
    "discover_words",
    "domain_terms",
    "earlier_issues",
    "example_messages",
    "is_fragment",
    "issue_alerts",
    "issue_place",
    "issues_in_period",
    "kleinberg_states",
    "likelihood_ratio",
    "mask_tagged_names",
    "normalise_text",
    "officials_hot_list",
    "place_names",
    "places_from_text",
    "prepare_comments",
    "published_bursts",
    "published_hot_words",
    "published_issues",
    "region_words",
    "run_likelihood_ratio",
    "segment",
    "stopwords",
    "tokenization_agreement",
    "word_class",
    "word_trend",
]
