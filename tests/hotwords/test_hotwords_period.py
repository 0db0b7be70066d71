"""A page says what period it analyses, how many messages fall into it, and what that allows."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from govanalytics.errors import ParameterError
from govanalytics.hotwords import (
    PeriodSummary,
    describe_period,
    example_messages,
    prepare_comments,
)

WEEK = (dt.date(2020, 1, 6), dt.date(2020, 1, 12))


def _board(days: list[dt.date], per_day: int) -> pl.DataFrame:
    """Comments: ``per_day`` writers on each of ``days``."""
    rows = [
        (f"{d:%Y%m%d}-{i}", f"u{d:%Y%m%d}{i}", dt.datetime.combine(d, dt.time(9)))
        for d in days
        for i in range(per_day)
    ]
    return pl.DataFrame(
        rows, schema=["message_id", "user_id", "created_at"], orient="row"
    ).with_columns(pl.lit("小区停水").alias("text"))


def _days(start: dt.date, end: dt.date, step: int = 1) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range(0, (end - start).days + 1, step)]


def test_a_thin_week_on_a_small_board_is_said_plainly() -> None:
    # one message every ten days for nine years, two in the report week
    comments = _board(_days(dt.date(2011, 5, 2), dt.date(2019, 12, 31), 10), 1)
    comments = pl.concat([comments, _board([dt.date(2020, 1, 7), dt.date(2020, 1, 8)], 1)])
    s = describe_period(comments, *WEEK, window="day")
    assert isinstance(s, PeriodSummary)
    assert (s.n_comments, s.n_writers, s.n_total) == (2, 2, comments.height)
    assert s.too_few and s.low_volume
    text = "\n".join(s.notes)
    assert "2020年01月06日至2020年01月12日" in text and "2 条留言" in text
    assert "只有 2 条留言" in text and "不代表没有问题" in text
    assert "少于 15 位留言人" in text  # a count of people below k is not printed
    assert "数据跨度约 9 年" in text
    assert not s.quiet_finding().endswith("未发现突发热点议题。")
    assert "仅有 2 条留言" in s.quiet_finding()


def test_a_busy_week_gets_no_warning() -> None:
    comments = _board(_days(dt.date(2019, 11, 1), dt.date(2020, 1, 12)), 20)
    s = describe_period(comments, *WEEK, window="day")
    assert (s.n_comments, s.n_writers) == (140, 140)
    assert not s.too_few and not s.low_volume
    assert len(s.notes) == 1 and "140 条留言（140 位留言人）" in s.notes[0]
    assert s.quiet_finding().endswith("未发现突发热点议题。")


def test_an_empty_period_is_not_called_quiet() -> None:
    comments = _board(_days(dt.date(2019, 1, 1), dt.date(2019, 12, 1)), 20)
    s = describe_period(comments, *WEEK)
    assert s.n_comments == 0
    assert "没有留言" in s.notes[1] and "没有留言" in s.quiet_finding()


def test_period_parameters_are_checked() -> None:
    comments = _board([dt.date(2020, 1, 7)], 1)
    with pytest.raises(ParameterError, match="window"):
        describe_period(comments, *WEEK, window="fortnight")
    with pytest.raises(ParameterError, match="before"):
        describe_period(comments, WEEK[1], WEEK[0])


def test_examples_are_excerpts_around_the_issue_with_names_masked() -> None:
    body = "情况说明。" * 100
    comments = pl.DataFrame(
        {
            "message_id": ["a", "b", "c"],
            "created_at": [dt.datetime(2020, 1, 7, 9)] * 3,
            "text": [
                body + "我叫柯景腾，锦绣小区停水三天了。" + body,
                "刘建国反映锦绣小区停水，物业不管。",
                "路灯不亮。",
            ],
        }
    )
    prepared = prepare_comments(comments, discover=False, engine="jieba")
    shown = example_messages(prepared, ["b", "a", "zz"], words=["停水"], width=60)
    assert shown["message_id"].to_list() == ["b", "a"]  # in the order asked, unknown ids skipped
    first, second = shown["excerpt"].to_list()
    assert "刘建国" not in first and "停水" in first  # a bare name, found by the tagger
    assert "停水" in second and "柯景腾" not in second and "我叫柯**" in second
    assert second.startswith("…") and second.endswith("…") and len(second) <= 62
    assert shown.columns == ["message_id", "created_at", "channel", "category", "excerpt"]


def test_a_few_messages_years_before_the_rest_are_named() -> None:
    # a year of 20 writers a day, and three messages from 2014 (an export's old leftovers)
    comments = _board(_days(dt.date(2019, 1, 13), dt.date(2020, 1, 12)), 20)
    old = _board([dt.date(2014, 3, 1), dt.date(2014, 6, 1), dt.date(2015, 2, 1)], 1)
    s = describe_period(pl.concat([old, comments]), *WEEK, window="day")
    assert s.n_early == 3
    text = "\n".join(s.notes)
    assert "另有 3 条留言的日期远早于其余数据（最早 2014年03月01日）" in text
    assert "数据跨度约" not in text  # the span is explained by the outliers, not repeated
    assert describe_period(comments, *WEEK).n_early == 0


def test_month_windows_are_counted_by_calendar_month() -> None:
    from govanalytics.hotwords import default_period

    comments = _board(_days(dt.date(2019, 6, 1), dt.date(2020, 1, 8), 3), 1)
    chosen = default_period(comments, *WEEK, window="month")
    # a month of about ten messages is too thin: widened by whole months, said plainly
    assert chosen.widened and chosen.start.day == 1 and chosen.end == WEEK[1]
    assert chosen.n_comments >= 50 and "个月" in chosen.note
