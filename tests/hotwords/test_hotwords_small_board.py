"""Defaults that work on a small board: about eleven writers a day, issues at four or five a day.

The board of :mod:`tests.hotwords.boards` (issue 13's real board at its scale): a year of
letters, two planted issues peaking at four or five writers a day for four or five days.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from govanalytics.hotwords import (
    ALL,
    FUNNEL_STEPS,
    HotWords,
    choose_window,
    count_floor,
    default_period,
    detect_hot_words,
    prepare_comments,
)
from tests.hotwords.boards import ISSUES, small_board


@pytest.fixture(scope="module")
def board() -> pl.DataFrame:
    """The small board with its two planted issues."""
    return small_board(planted=True)


@pytest.fixture(scope="module")
def found(board: pl.DataFrame) -> HotWords:
    """Hot words of the small board, every option left at its default."""
    return detect_hot_words(prepare_comments(board))


@pytest.fixture(scope="module")
def quiet() -> HotWords:
    """The same board without the planted issues, defaults."""
    return detect_hot_words(prepare_comments(small_board(planted=False)))


def test_the_board_is_at_the_scale_of_the_issue(board: pl.DataFrame) -> None:
    per_day = board.height / 365
    assert 10 <= per_day <= 12.5
    for issue in ISSUES:
        days = board.filter(pl.col("text").str.contains(issue.words[0]))
        peak = days.group_by(pl.col("created_at").dt.date()).agg(pl.col("user_id").n_unique())
        assert peak["user_id"].max() in (4, 5)  # no single day reaches a floor of five+


def test_the_window_is_chosen_from_the_volume(found: HotWords) -> None:
    assert found.window.asked == "auto" and found.window.window == "week"
    assert 10 <= found.window.writers_per_day <= 12.5
    assert "按周计数" in found.window.reason and "每日约 11" in found.window.reason
    # a typical week holds about 77 writers: the floor is one in twenty of them, four
    assert found.floors.filter(pl.col("scope") == ALL)["floor"].item() == 4
    assert count_floor(77) == 4 and count_floor(500) == 5 and count_floor(11) == 3


def test_both_planted_issues_are_found_with_the_defaults(found: HotWords) -> None:
    for issue in ISSUES:
        hit = found.issues.filter(pl.col("words").list.contains(issue.words[0]))
        assert hit.height == 1, issue.words
        row = hit.row(0, named=True)
        # the week of the issue's first day, through its last day
        assert row["start"] <= issue.start <= row["end"]
        assert row["end"] >= issue.end
        assert (row["end"] - row["start"]).days < 21
    # the two issues are the board's only issues, the heaviest first
    assert found.issues.height == 2


def test_each_planted_issue_is_found_by_day_too(board: pl.DataFrame, found: HotWords) -> None:
    # scored over its whole run, an issue of 4–5 writers a day passes a floor of three
    daily = detect_hot_words(prepare_comments(board), window="day")
    assert daily.window.window == "day" and "参数 window 指定" in daily.window.reason
    for issue in ISSUES:
        word = daily.bursts.filter(pl.col("word") == issue.words[0])
        assert word.height >= 1
        assert abs((word["start"].min() - issue.start).days) <= 1


def test_a_quiet_board_gives_no_burst(quiet: HotWords) -> None:
    assert quiet.window.window == "week"
    assert quiet.bursts.height == 0 and quiet.issues.height == 0
    # Kleinberg proposes candidates even here; the whole-run test drops them, and says so
    funnel = dict(quiet.funnel.filter(pl.col("scope") == ALL).select("step", "n").iter_rows())
    assert funnel["candidates"] > 0 and funnel["kept"] == 0
    assert funnel["candidates"] == funnel["writers"] + funnel["rise"] + funnel["kept"]
    note = quiet.funnel_note()
    assert f"候选突发 {funnel['candidates']} 个" in note and "保留 0 个" in note


def test_the_funnel_counts_every_candidate(found: HotWords) -> None:
    funnel = found.funnel.filter(pl.col("scope") == ALL)
    assert funnel["step"].to_list() == list(FUNNEL_STEPS)
    n = dict(funnel.select("step", "n").iter_rows())
    assert n["candidates"] == n["writers"] + n["rise"] + n["kept"]
    assert n["kept"] == found.bursts.filter(pl.col("scope") == ALL).height > 0


def test_a_thin_report_week_is_widened_and_said(board: pl.DataFrame) -> None:
    # two letters in the last week of the data, as on the issue's board
    tail = board.filter(pl.col("created_at") >= dt.datetime(2019, 12, 23)).head(2)
    thin = pl.concat([board.filter(pl.col("created_at") < dt.datetime(2019, 12, 23)), tail])
    week = (dt.date(2019, 12, 23), dt.date(2019, 12, 29))
    chosen = default_period(thin, *week, window="week")
    assert chosen.widened and chosen.end == week[1]
    assert chosen.start == week[1] - dt.timedelta(days=27)  # four weeks hold enough
    assert chosen.n_comments >= 50
    assert "只有 2 条留言" in chosen.note and "最近 4 周" in chosen.note
    busy = default_period(board, *week, window="week")
    assert not busy.widened and (busy.start, busy.end) == week and busy.note == ""
    assert choose_window(thin).window == "week"
