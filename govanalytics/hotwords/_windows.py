"""Counting windows (day, week, month), their dates, and the window chosen from a board's volume."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Literal

import polars as pl

from govanalytics.errors import DataError, ParameterError

#: Scope code of the whole city in the outputs (other scopes are district codes or names).
ALL = "all"
Window = Literal["day", "week", "month"]
#: The counting windows, shortest first, and their mean length in days.
WINDOW_DAYS: dict[str, float] = {"day": 1.0, "week": 7.0, "month": 365.25 / 12}
#: Chinese name of each window, as in "按日" / "每周".
WINDOW_ZH = {"day": "日", "week": "周", "month": "月"}
#: ``window="auto"`` takes the shortest window in which the board's typical window holds at
#: least this many writers: there an issue raised by one writer in ten reaches five writers
#: in one window. A city hotline (hundreds a day) is counted by day, a board of about ten
#: writers a day by week, one of a few a week by month.
AUTO_WRITERS_PER_WINDOW = 50
#: The hot-word count floor: a word needs this many writers (in one window for the hot list,
#: over its whole run for a burst) ...
COUNT_FLOOR = 5
#: ... lowered to one writer in twenty of a typical window where windows are small, but never
#: below this.
COUNT_FLOOR_MIN = 3
#: Share of a typical window's writers that the floor asks for on small boards.
COUNT_FLOOR_SHARE = 0.05
#: Days of data that make "the board's volume": the last year of its bulk.
_VOLUME_DAYS = 365


def check_window(window: str, *, auto: bool = False, name: str = "window") -> None:
    """Raise :class:`ParameterError` naming ``name`` unless ``window`` is a counting window."""
    options = [*WINDOW_DAYS, "auto"] if auto else list(WINDOW_DAYS)
    if window not in options:
        shown = ", ".join(repr(o) for o in options)
        msg = f"parameter {name!r} must be one of {shown}, got {window!r}"
        raise ParameterError(msg)


def window_first(day: dt.date, window: str) -> dt.date:
    """First day of the window holding ``day`` (weeks start on Monday, months on the 1st)."""
    if window == "week":
        return day - dt.timedelta(days=day.weekday())
    if window == "month":
        return day.replace(day=1)
    return day


def window_index(date: pl.Expr, first: dt.date, window: str) -> pl.Expr:
    """Number of the window holding ``date`` (a Date expression), window 0 starting at ``first``.

    ``first`` must start a window (see :func:`window_first`).
    """
    if window == "month":
        months = (date.dt.year().cast(pl.Int32) - first.year) * 12 + date.dt.month().cast(pl.Int32)
        return (months - first.month).cast(pl.Int32)
    days = (date - pl.lit(first)).dt.total_days()
    return (days // int(WINDOW_DAYS[window])).cast(pl.Int32)


def window_start(first: dt.date, window: str, t: pl.Expr | None = None) -> pl.Expr:
    """First day of window number ``t`` (default the column ``t``) counted from ``first``."""
    t = pl.col("t") if t is None else t
    if window == "month":
        return pl.lit(first).dt.offset_by(pl.format("{}mo", t))
    return pl.lit(first) + pl.duration(days=t * int(WINDOW_DAYS[window]))


def window_end(first: dt.date, window: str, t: pl.Expr | None = None) -> pl.Expr:
    """Last day (inclusive) of window number ``t`` (default the column ``t``)."""
    t = pl.col("t") if t is None else t
    return window_start(first, window, t + 1) - pl.duration(days=1)


def first_day(comments: pl.DataFrame, window: str) -> dt.date:
    """First day of the window holding the earliest comment."""
    value = comments["created_at"].min()
    if not isinstance(value, dt.date):
        msg = "comments is empty or 'created_at' holds no dates: nothing to count"
        raise DataError(msg)
    day = value.date() if isinstance(value, dt.datetime) else value
    return window_first(day, window)


#: A writer: the user id, else the message itself.
WRITER = pl.coalesce(pl.col("user_id"), pl.lit("#") + pl.col("message_id").cast(pl.String))


@dataclass(frozen=True)
class WindowChoice:
    """The counting window chosen for a board, and why.

    Attributes
    ----------
    window
        ``"day"``, ``"week"`` or ``"month"``.
    writers_per_day
        Mean distinct writers a day over the last year of the bulk of the data.
    writers_per_window
        The same for the chosen window.
    asked
        The window asked for (``"auto"`` or a window).
    reason
        A Chinese sentence for the page.
    """

    window: str
    writers_per_day: float
    writers_per_window: float
    asked: str
    reason: str


def volume_span(days: pl.Series) -> tuple[dt.date, dt.date]:
    """The last year of the bulk of the data: at most 365 days ending at the day before which
    99.5 % of the messages fall (a few rows dated far beyond the rest never decide it)."""
    days = days.drop_nulls().sort()
    if days.len() == 0:
        msg = "comments: 'created_at' holds no dates"
        raise DataError(msg)
    last = days[min(days.len() - 1, math.ceil(0.995 * days.len()) - 1)]
    first = max(days[0], last - dt.timedelta(days=_VOLUME_DAYS - 1))
    return first, last


def writers_per_day(comments: pl.DataFrame) -> float:
    """Mean distinct writers a day (empty days included) over :func:`volume_span`."""
    frame = _writer_days(comments)
    start, end = volume_span(frame["day"])
    inside = frame.filter(pl.col("day").is_between(start, end))
    return inside.height / ((end - start).days + 1)


def _writer_days(comments: pl.DataFrame) -> pl.DataFrame:
    if "user_id" not in comments.columns:
        comments = comments.with_columns(pl.lit(None, pl.String).alias("user_id"))
    return comments.select(pl.col("created_at").dt.date().alias("day"), WRITER.alias("w")).unique()


def choose_window(comments: pl.DataFrame, window: str = "auto") -> WindowChoice:
    """The counting window for a board: the one asked for, or chosen from its volume.

    With ``"auto"``, the shortest of day, week and month in which a typical window (over the
    last year of the data) holds at least :data:`AUTO_WRITERS_PER_WINDOW` (50) distinct
    writers; month when even months hold fewer.

    Parameters
    ----------
    comments
        Comments with ``created_at`` and ``message_id`` (``user_id`` optional).
    window
        ``"auto"`` (default), ``"day"``, ``"week"`` or ``"month"``.

    Returns
    -------
    WindowChoice
    """
    check_window(window, auto=True)
    per_day = writers_per_day(comments)
    if window == "auto":
        chosen = next(
            (w for w, n in WINDOW_DAYS.items() if per_day * n >= AUTO_WRITERS_PER_WINDOW),
            "month",
        )
    else:
        chosen = window
    per_window = per_day * WINDOW_DAYS[chosen]
    unit = WINDOW_ZH[chosen]
    volume = f"近一年平均每日约 {per_day:.1f} 位留言人（每{unit}约 {per_window:.0f} 位）"
    if window != "auto":
        reason = f"按{unit}计数（参数 window 指定）；{volume}。"
    elif chosen == "day":
        reason = f"按日计数：{volume}，一天的留言足以检测突发。"
    else:
        shorter = "按日" if chosen == "week" else "按日或按周"
        reason = (
            f"按{unit}计数：{volume}；{shorter}计数时一个议题很难在一个计数窗口内达到检测下限，"
            f"故按{unit}汇总（可用参数 window 改为 day、week 或 month）。"
        )
    return WindowChoice(chosen, per_day, per_window, window, reason)


def count_floor(writers_per_window: float) -> int:
    """The hot-word count floor for a scope whose typical window holds this many writers.

    :data:`COUNT_FLOOR` (5) writers; where five would be more than one writer in twenty of a
    typical window, one in twenty, but never fewer than :data:`COUNT_FLOOR_MIN` (3): on a
    board of about ten writers a day an issue peaks at four or five writers a day, and a
    fixed floor of five dropped it.
    """
    relative = math.ceil(COUNT_FLOOR_SHARE * writers_per_window)
    return int(max(COUNT_FLOOR_MIN, min(COUNT_FLOOR, relative)))
