"""What a hot-words page analyses: the period, how many messages fall into it, and what that allows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from govanalytics.constants import DEFAULT_MIN_COUNT as DISCLOSURE_K
from govanalytics.errors import DataError, ParameterError
from govanalytics.hotwords._windows import (
    WINDOW_DAYS,
    WINDOW_ZH,
    WRITER,
    check_window,
    count_floor,
    volume_span,
)

#: The default period must hold at least this many messages; a thinner report week is
#: widened (see :func:`default_period`).
MIN_PERIOD_MESSAGES = 50
#: Periods tried, in days, ending on the report week's last day (by day or week) ...
_SPANS_DAYS = (7, 28, 91, 182, 364)
#: ... or in calendar months ending with the report week's month (by month).
_SPANS_MONTHS = (1, 3, 6, 12)
#: Data spanning more years than this get a note on the span (a board's export often reaches
#: years back with a handful of messages a year).
_LONG_SPAN_YEARS = 2


@dataclass(frozen=True)
class PeriodSummary:
    """How many messages a period holds, against the whole data and the detection floor.

    Attributes
    ----------
    start, end
        First and last day of the period (inclusive).
    window
        ``"day"``, ``"week"`` or ``"month"``: the counting window of the detection.
    n_comments, n_writers
        Messages and distinct writers (a message without a writer id is its own writer) in
        the period.
    n_total
        Messages in the whole data.
    first_day, last_day
        First and last day of the whole data.
    n_last_year
        Messages in the last year of the bulk of the data (see :func:`volume_span`).
    writers_per_window
        Mean number of distinct writers per window over those 365 days (or the whole data
        when it is shorter).
    min_count
        The detection's count floor: a word must be used by this many writers in one
        window to be hot, or over its run to be bursting.
    n_early
        Messages dated more than a year before the bulk of the data when they are a few
        (at most 1 %): outlying dates, named in a note.
    notes
        Chinese sentences for the page and ``summary.json``: the period and its count, and a
        plain warning when the period or the volume is too small for the floor.
    """

    start: dt.date
    end: dt.date
    window: str
    n_comments: int
    n_writers: int
    n_total: int
    first_day: dt.date
    last_day: dt.date
    n_last_year: int
    writers_per_window: float
    min_count: int
    n_early: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def too_few(self) -> bool:
        """Whether the period has fewer writers than the count floor: nothing can be found."""
        return self.n_writers < self.min_count

    @property
    def low_volume(self) -> bool:
        """Whether a typical window has fewer writers than the count floor."""
        return self.writers_per_window < self.min_count

    def quiet_finding(self) -> str:
        """The finding to write when no issue was found, honest about a thin period."""
        span = f"{self.start:%Y年%m月%d日}至{self.end:%Y年%m月%d日}"
        if self.n_comments == 0:
            return f"{span}没有留言，无法判断是否有突发热点议题。"
        if self.too_few or self.low_volume:
            return (
                f"{span}仅有 {self.n_comments} 条留言，留言量太少，无法判断是否有突发热点议题"
                "（未检出不代表没有问题）。"
            )
        unit = WINDOW_ZH[self.window]
        return f"{span}（{self.n_comments} 条留言，按{unit}计数）未发现突发热点议题。"


def describe_period(
    comments: pl.DataFrame,
    start: dt.date,
    end: dt.date,
    *,
    window: str = "day",
    min_count: int | None = None,
    k: int = DISCLOSURE_K,
) -> PeriodSummary:
    """How many messages ``start…end`` holds, and whether hot words can be found in it.

    Parameters
    ----------
    comments
        Comments with ``message_id``, ``created_at`` and ``user_id`` (the canonical
        ``comments`` frame or :attr:`PreparedComments.comments`).
    start, end
        The period analysed (inclusive), e.g. the report week.
    window
        ``"day"``, ``"week"`` or ``"month"`` (the window actually counted in, e.g.
        :attr:`HotWords.window`).
    min_count
        The detection's count floor; default from the volume (:func:`count_floor`).
    k
        Disclosure threshold: a number of writers below ``k`` is written ``少于k位``.

    Returns
    -------
    PeriodSummary

    Notes
    -----
    A burst or a hot word needs ``min_count`` writers using one word in one window. A period
    with fewer writers than that cannot show one, and a board whose windows typically hold
    fewer cannot either: the notes say so, so that "未发现" is never read as "all quiet".
    """
    check_window(window)
    if end < start:
        msg = f"parameter 'end' ({end}) is before 'start' ({start})"
        raise ParameterError(msg)
    for col in ("message_id", "created_at"):
        if col not in comments.columns:
            msg = f"comments has no column {col!r}; it has {comments.columns}"
            raise DataError(msg)
    if "user_id" not in comments.columns:
        comments = comments.with_columns(pl.lit(None, pl.String).alias("user_id"))
    days = comments.select(pl.col("created_at").dt.date().alias("day"), WRITER.alias("writer"))
    first, last = days["day"].min(), days["day"].max()
    if not isinstance(first, dt.date) or not isinstance(last, dt.date):
        msg = "comments: 'created_at' holds no dates"
        raise DataError(msg)
    inside = days.filter(pl.col("day").is_between(start, end))
    year_start, year_end = volume_span(days["day"])
    recent = days.filter(pl.col("day").is_between(year_start, year_end))
    per_day = recent.unique().height / ((year_end - year_start).days + 1)
    per_window = per_day * WINDOW_DAYS[window]
    if min_count is None:
        min_count = count_floor(per_window)
    summary = PeriodSummary(
        start=start,
        end=end,
        window=window,
        n_comments=inside.height,
        n_writers=inside["writer"].n_unique(),
        n_total=days.height,
        first_day=first,
        last_day=last,
        n_last_year=recent.height,
        writers_per_window=float(per_window),
        min_count=min_count,
        n_early=_n_early(days["day"]),
    )
    return PeriodSummary(**{**summary.__dict__, "notes": _notes(summary, k=k)})


def _n_early(days: pl.Series) -> int:
    """Messages more than a year before the first percentile of the dates, if at most 1 %."""
    bulk = days.sort()[int(0.01 * days.len())]
    early = int((days < bulk - dt.timedelta(days=365)).sum())
    return early if 0 < early <= max(1, 0.01 * days.len()) else 0


def _notes(s: PeriodSummary, *, k: int) -> list[str]:
    unit = WINDOW_ZH[s.window]
    writers = f"{s.n_writers} 位留言人" if s.n_writers >= k else f"少于 {k} 位留言人"
    notes = [
        f"分析时段 {s.start:%Y年%m月%d日}至{s.end:%Y年%m月%d日}（按{unit}计数）：{s.n_comments} 条留言"
        f"（{writers}）；全部数据 {s.first_day:%Y年%m月%d日}至{s.last_day:%Y年%m月%d日}共 "
        f"{s.n_total} 条。"
    ]
    if s.n_comments == 0:
        notes.append(
            "所选时段没有留言：本页的热词、突发与议题为空，不代表没有问题；"
            "请检查报告周（week）或分析时段（period_start、period_end）。"
        )
    elif s.too_few:
        notes.append(
            f"注意：所选时段只有 {s.n_comments} 条留言，少于热词与突发检测的下限"
            f"（至少 {s.min_count} 位留言人用到同一个词），本时段不可能检出热词或突发，"
            "“未发现”不代表没有问题。可加长分析时段（period_start、period_end）。"
        )
    if s.low_volume:
        notes.append(
            f"注意：近一年平均每{unit}约 {s.writers_per_window:.1f} 位留言人，少于检测下限 "
            f"{s.min_count}：在这样的留言量下按{unit}检测几乎不会报出突发"
            + (
                "，建议按周或按月计数（window 设为 auto 时按留言量自动选择）并加长分析时段。"
                if s.window != "month"
                else "，建议加长分析时段。"
            )
        )
    if s.n_early:
        notes.append(
            f"另有 {s.n_early} 条留言的日期远早于其余数据（最早 {s.first_day:%Y年%m月%d日}）："
            "它们只进入各词的基线，不影响计数窗口的选择。"
        )
    years = (s.last_day - s.first_day).days / 365.25
    if years > _LONG_SPAN_YEARS and not s.n_early:
        notes.append(
            f"数据跨度约 {years:.0f} 年，最近一年 {s.n_last_year} 条留言；"
            "突发以每个词此前若干个计数窗口的使用率为基线，早年的零星留言只影响基线。"
        )
    return notes


@dataclass(frozen=True)
class PeriodChoice:
    """The period a page analyses by default, and whether the report week was widened.

    Attributes
    ----------
    start, end
        First and last day (inclusive).
    n_comments
        Messages in the period.
    widened
        True when the report week held fewer than :data:`MIN_PERIOD_MESSAGES` messages and a
        longer period ending with it was taken.
    note
        A Chinese sentence saying what was done (empty when the week was taken as it is).
    """

    start: dt.date
    end: dt.date
    n_comments: int
    widened: bool
    note: str


def default_period(
    comments: pl.DataFrame,
    week_start: dt.date,
    week_end: dt.date,
    *,
    window: str = "day",
    min_messages: int = MIN_PERIOD_MESSAGES,
) -> PeriodChoice:
    """The report week, or a longer period ending with it when the week is too thin.

    By day or week, the periods tried are 7, 28, 91, 182 and 364 days ending on
    ``week_end``; by month, 1, 3, 6 and 12 calendar months ending with ``week_end``'s
    month. The first holding at least ``min_messages`` messages is taken (the longest when
    none does), so that a weekly report on a small board shows something that can be judged;
    the note says so plainly.

    Parameters
    ----------
    comments
        Comments with ``created_at``.
    week_start, week_end
        The report week.
    window
        The counting window (``"day"``, ``"week"``, ``"month"``).
    min_messages
        Messages the period must hold (default :data:`MIN_PERIOD_MESSAGES`, 50).

    Returns
    -------
    PeriodChoice
    """
    check_window(window)
    if week_end < week_start:
        msg = f"parameter 'week_end' ({week_end}) is before 'week_start' ({week_start})"
        raise ParameterError(msg)
    days = comments["created_at"].dt.date()

    def held(start: dt.date) -> int:
        return int(days.is_between(start, week_end).sum())

    n_week = held(week_start)
    if window == "month":
        starts = [_months_back(week_end, n) for n in _SPANS_MONTHS]
        spans = [f"最近 {n} 个月" for n in _SPANS_MONTHS]
    else:
        starts = [week_end - dt.timedelta(days=n - 1) for n in _SPANS_DAYS]
        spans = [f"最近 {n // 7} 周" for n in _SPANS_DAYS]
    if window != "month" and n_week >= min_messages:
        return PeriodChoice(week_start, week_end, n_week, False, "")
    at = next((i for i, st in enumerate(starts) if held(st) >= min_messages), len(starts) - 1)
    start = min(starts[at], week_start) if window != "month" else starts[at]
    n = held(start)
    if window != "month" and at == 0:
        return PeriodChoice(week_start, week_end, n_week, False, "")
    note = (
        f"报告周（{week_start:%Y年%m月%d日}至{week_end:%Y年%m月%d日}）只有 {n_week} 条留言，"
        f"不足以判断；本页改为分析{spans[at]}（{start:%Y年%m月%d日}至{week_end:%Y年%m月%d日}，"
        f"共 {n} 条留言）。可用参数 period_start、period_end 指定时段。"
    )
    if window == "month" and n_week >= min_messages:
        note = (
            f"按月计数：本页分析报告周所在的{spans[at]}"
            f"（{start:%Y年%m月%d日}至{week_end:%Y年%m月%d日}，共 {n} 条留言）。"
        )
    return PeriodChoice(start, week_end, n, True, note)


def _months_back(day: dt.date, n: int) -> dt.date:
    """First day of the month ``n - 1`` months before ``day``'s month."""
    month = day.year * 12 + day.month - 1 - (n - 1)
    return dt.date(month // 12, month % 12 + 1, 1)
