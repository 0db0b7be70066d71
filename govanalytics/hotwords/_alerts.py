"""Alerts of the weekly summary from bursting issues (moved out of the hot_words notebook)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from govanalytics.constants import DEFAULT_MIN_COUNT
from govanalytics.errors import ParameterError
from govanalytics.hotwords._windows import ALL
from govanalytics.validation import int_like

__all__ = ["issue_alerts", "issue_place"]


def issue_place(issue: Mapping[str, Any], *, names: Mapping[str, str]) -> str:
    """Where an issue is, in Chinese: its district and first area, or its first two areas.

    Parameters
    ----------
    issue
        One row of :attr:`HotWords.issues` (``scope`` and ``areas`` are read).
    names
        Region code → name (the ``regions`` master table); codes without a name are shown
        as they are.

    Returns
    -------
    str
        E.g. ``"东湖区锦绣社区"``; ``"全市"`` for a city-wide issue without areas.
    """
    codes = [issue["scope"]] if issue["scope"] != ALL else []
    codes += list(issue["areas"] or [])[:2]
    return "".join(names.get(c, c) for c in codes[:2]) or "全市"


def issue_alerts(
    issues: pl.DataFrame,
    *,
    names: Mapping[str, str],
    high: float = 30.0,
    medium: float = 15.0,
    k: int = DEFAULT_MIN_COUNT,
) -> list[dict[str, str]]:
    """One ``hot_issue`` alert per issue, in the order of ``issues``, for ``summary.json``.

    Parameters
    ----------
    issues
        Issues to report (columns ``scope``, ``areas``, ``start``, ``label``, ``weight``,
        ``n_comments`` of :attr:`HotWords.issues`), heaviest first.
    names
        Region code → name, for the place shown.
    high, medium
        Issue weight (summed Kleinberg burst weights) from which the severity is ``"high"``
        (default 30) or ``"medium"`` (default 15); below, ``"low"``.
    k
        Disclosure threshold (default 15): a number of comments below ``k``, or withheld
        (null, as in :func:`published_issues`), is written ``少于{k}条``, never as a number.

    Returns
    -------
    list of dict
        Alerts in the layout of :func:`govanalytics.report.contract.write_summary`: ``kind``,
        ``severity``, ``place_code`` (the issue's district, or for a city-wide issue its first
        area), ``place``, ``date`` (burst start, ISO) and a Chinese ``message`` with the
        number of comments (or ``少于{k}条``).
    """
    if not medium <= high:
        msg = f"parameters 'medium' ({medium}) and 'high' ({high}): medium must not exceed high"
        raise ParameterError(msg)
    int_like(k, "k", low=1)
    alerts = []
    for row in issues.iter_rows(named=True):
        weight = row["weight"]
        severity = "high" if weight >= high else ("medium" if weight >= medium else "low")
        place_code = row["scope"] if row["scope"] != ALL else (list(row["areas"] or []) or [ALL])[0]
        place = issue_place(row, names=names)
        n = row["n_comments"]
        shown = f"少于{k}条" if n is None or n < k else f"{n}条"
        words = _issue_words(row)
        also = "".join(f"“{w}”" for w in words[1:5])
        alerts.append(
            {
                "kind": "hot_issue",
                "severity": severity,
                "place_code": place_code,
                "place": place,
                "date": row["start"].isoformat(),
                "words": words,
                "message": f"{place}自{row['start']:%m月%d日}起群众集中反映“{words[0]}”问题"
                f"（{shown}）" + (f"，留言中还多次提到{also}" if also else ""),
            }
        )
    return alerts


def _issue_words(row: dict) -> list[str]:
    """The issue's words, leading word first (its ``words`` list, else its `` · `` label)."""
    words = [str(w) for w in (row.get("words") or []) if w]
    return words or [w.strip() for w in str(row["label"]).split("·") if w.strip()]
