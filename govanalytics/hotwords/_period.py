"""What a hot-words page analyses: the period, how many messages fall into it, and what that allows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from govanalytics.constants import DEFAULT_MIN_COUNT as DISCLOSURE_K
from govanalytics.errors import DataError, ParameterError
from govanalytics.hotwords._analysis import DEFAULT_MIN_COUNT, WINDOWS

#: Chinese name of each window, as in "按日" / "每日".
WINDOW_ZH = {"day": "日", "week": "周"}
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
        ``"day"`` or ``"week"``: the counting window of the detection.
    n_comments, n_writers
        Messages and distinct writers (a message without a writer id is its own writer) in
        the period.
    n_total
        Messages in the whole data.
    first_day, last_day
        First and last day of the whole data.
    n_last_year
        Messages in the 365 days ending on ``last_day``.
    writers_per_window
        Mean number of distinct writers per window over those 365 days (or the whole data
        when it is shorter).
    min_count
        The detection's count floor: a word must be used by this many writers in one
        window to be hot or bursting.
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
        return f"{span}未发现突发热点议题。"


#: A writer: the user id, else the message itself.
_WRITER = pl.coalesce(pl.col("user_id"), pl.lit("#") + pl.col("message_id").cast(pl.String))


def describe_period(
    comments: pl.DataFrame,
    start: dt.date,
    end: dt.date,
    *,
    window: str = "day",
    min_count: int = DEFAULT_MIN_COUNT,
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
        ``"day"`` or ``"week"``.
    min_count
        The detection's count floor (writers of one word in one window; default 5).
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
    if window not in WINDOWS:
        msg = f"parameter 'window' must be 'day' or 'week', got {window!r}"
        raise ParameterError(msg)
    if end < start:
        msg = f"parameter 'end' ({end}) is before 'start' ({start})"
        raise ParameterError(msg)
    for col in ("message_id", "created_at"):
        if col not in comments.columns:
            msg = f"comments has no column {col!r}; it has {comments.columns}"
            raise DataError(msg)
    if "user_id" not in comments.columns:
        comments = comments.with_columns(pl.lit(None, pl.String).alias("user_id"))
    days = comments.select(pl.col("created_at").dt.date().alias("day"), _WRITER.alias("writer"))
    first, last = days["day"].min(), days["day"].max()
    if not isinstance(first, dt.date) or not isinstance(last, dt.date):
        msg = "comments: 'created_at' holds no dates"
        raise DataError(msg)
    inside = days.filter(pl.col("day").is_between(start, end))
    year_start = max(first, last - dt.timedelta(days=364))
    recent = days.filter(pl.col("day") >= year_start)
    size = WINDOWS[window]
    windows = recent.with_columns(((pl.col("day") - year_start).dt.total_days() // size).alias("t"))
    n_windows = max(((last - year_start).days // size) + 1, 1)
    per_window = windows.group_by("t").agg(pl.col("writer").n_unique())["writer"].sum() / n_windows
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
    )
    return PeriodSummary(**{**summary.__dict__, "notes": _notes(summary, k=k)})


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
            f"（同一{unit}至少 {s.min_count} 位留言人用到同一个词），本时段不可能检出热词或突发，"
            "“未发现”不代表没有问题。可加长分析时段（period_start、period_end）或按周计数（window）。"
        )
    if s.low_volume:
        notes.append(
            f"注意：近一年平均每{unit}约 {s.writers_per_window:.1f} 位留言人，少于检测下限 "
            f"{s.min_count}：在这样的留言量下按{unit}检测几乎不会报出突发"
            + (
                "，建议按周计数（window）并加长分析时段。"
                if s.window == "day"
                else "，建议加长分析时段。"
            )
        )
    years = (s.last_day - s.first_day).days / 365.25
    if years > _LONG_SPAN_YEARS:
        notes.append(
            f"数据跨度约 {years:.0f} 年，最近一年 {s.n_last_year} 条留言；"
            "突发以每个词此前若干个计数窗口的使用率为基线，早年的零星留言只影响基线。"
        )
    return notes
