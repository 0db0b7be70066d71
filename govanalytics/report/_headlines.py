"""Headline figures: each computed once, here, and read by the index, the chapter pages, the
memo and the Excel appendix (through ``summary.json``).

A headline in ``summary.json`` is a dict with these keys (the older keys unchanged, the newer
ones optional so that summaries written before them still read):

``key``
    Stable identifier of the figure (``comments``, ``applications``, ``resident`` …). The same
    key in two chapters is the same figure with the same value; the index shows it once.
``label``
    Chinese label without the period (登记人口, 群众留言).
``value``
    The figure (a count, a share in %, a rate); ``null`` when withheld.
``unit``
    Chinese unit after the number (人, 件, 条, 例, 个, %).
``previous``, ``year_ago``
    The same figure one period earlier and a year earlier (optional).
``period`` *(new)*
    What ``value`` covers, stated: 本周 (the report week), 本月 / ``2026年10月``,
    ``截至11月22日`` (a running total), 当前 (a stock such as a register).
``previous_label`` *(new)*
    What ``previous`` is: 上周 (default when absent) or 上月.
``kind`` *(new)*
    ``count``, ``share``, ``rate`` or ``score``: how the number is rounded and shown.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any, Literal

import polars as pl

from govanalytics.report.contract import week_bounds

__all__ = ["Headline", "headline_period", "weekly_event_count"]

Kind = Literal["count", "share", "rate", "score"]


@dataclass(frozen=True)
class Headline:
    """One headline figure with its period stated (see the module docstring for the keys)."""

    key: str
    label: str
    value: int | float | None
    unit: str = ""
    period: str = "本周"
    previous: int | float | None = None
    previous_label: str = "上周"
    year_ago: int | float | None = None
    kind: Kind = "count"

    def as_dict(self) -> dict[str, Any]:
        """The ``summary.json`` form: ``previous`` / ``year_ago`` only when known."""
        out = asdict(self)
        for optional in ("previous", "year_ago"):
            if out[optional] is None:
                del out[optional]
        if "previous" not in out:
            del out["previous_label"]
        return out


def headline_period(headline: dict[str, Any]) -> tuple[str, str]:
    """``(period, previous_label)`` of a headline read from ``summary.json``.

    Summaries written without ``period``: the period the label starts with (本周, 下周, 本月,
    下月), else 本期; ``previous_label`` defaults to 上周 (上月 for a monthly label)."""
    label = str(headline.get("label", ""))
    period = headline.get("period") or next(
        (p for p in ("本周", "下周", "本月", "下月") if label.startswith(p)), "本期"
    )
    default_previous = "上月" if "月" in str(period) else "上周"
    return str(period), str(headline.get("previous_label") or default_previous)


def weekly_event_count(
    events: pl.DataFrame,
    time_col: str,
    week: str,
    *,
    key: str,
    label: str,
    unit: str,
) -> Headline:
    """Events (rows) dated in ISO week ``week``, the week before and the same ISO week a year
    earlier — the one definition of 本周办件申请 and 本周群众留言.

    A row counts in the week when its ``time_col`` falls on Monday to Sunday of the week
    (whatever its district, placed or not). ``year_ago`` is left out when that week had no
    events (data starting later) or does not exist (week 53).
    """
    monday, _ = week_bounds(week)
    day = pl.col(time_col).cast(pl.Date)

    def count(start: dt.date) -> int:
        return events.filter(day.is_between(start, start + dt.timedelta(days=6))).height

    year_ago = None
    with contextlib.suppress(ValueError):
        then = dt.date.fromisocalendar(int(week[:4]) - 1, int(week[6:]), 1)
        year_ago = count(then) or None
    return Headline(
        key=key,
        label=label,
        value=count(monday),
        unit=unit,
        period="本周",
        previous=count(monday - dt.timedelta(days=7)),
        previous_label="上周",
        year_ago=year_ago,
    )
