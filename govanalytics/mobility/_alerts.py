"""Population-change alerts for the weekly report: register gaps and month-on-month changes."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from govanalytics.constants import DEFAULT_MIN_COUNT

__all__ = ["population_alerts"]

#: Register gap (resident / registered − 1, absolute) from which an area is flagged.
GAP_MEDIUM = 0.10
#: Register gap from which the alert is of high severity.
GAP_HIGH = 0.20
#: Month-on-month change of the resident population (absolute) flagged, always high.
CHANGE_HIGH = 0.05


def population_alerts(
    estimates: pl.DataFrame,
    published: pl.DataFrame,
    *,
    previous: pl.DataFrame | None = None,
    k: int = DEFAULT_MIN_COUNT,
    names: Mapping[str, str] | None = None,
) -> list[dict]:
    """Alerts of areas whose resident population departs from the register or from last month.

    Two rules, in this order (gap alerts first, in the order of ``estimates``; then
    month-on-month alerts, in the order of ``published``):

    * **register gap**: ``gap = resident / registered − 1`` from the unrounded estimates;
      ``|gap| ≥ 0.10`` gives a ``"medium"`` alert, ``|gap| ≥ 0.20`` a ``"high"`` one. Areas
      with no (or zero) registered count are skipped.
    * **month-on-month change**: ``change = resident / previous resident − 1``;
      ``|change| ≥ 0.05`` gives a ``"high"`` alert, when last month's resident estimate is at
      least ``k``.

    Disclosure rule: an alert never gives back a count withheld in the published table. A
    register-gap alert is raised only when both ``resident`` and ``registered`` are published
    (not null) for the area, and its message quotes the published (rounded) resident count; a
    month-on-month alert is raised only for areas whose ``resident`` is published and quotes
    only the percentage change, never last month's count. Percentages are shown as whole
    percent.

    Parameters
    ----------
    estimates
        Unsuppressed estimates of one month (:meth:`MobilityInputs.estimate`), with columns
        ``area``, ``period`` (``YYYY-MM``), ``resident``, ``registered``.
    published
        The same month as published by :func:`publish_population` (withheld counts null),
        with columns ``area``, ``period``, ``resident``, ``registered``.
    previous
        Unsuppressed estimates of the month before (columns ``area``, ``resident``), or
        ``None`` (default) for no month-on-month alerts.
    k
        Threshold of the small-count rule: last month's resident counts below it are not
        compared. Default 15 (``DEFAULT_MIN_COUNT``).
    names
        Area code → Chinese name for the messages; codes missing from it are shown as is.
        Default ``None`` (codes shown).

    Returns
    -------
    list of dict
        Alerts in the ``summary.json`` layout (:mod:`govanalytics.report.contract`): ``kind``
        (``"population_change"``), ``severity`` (``"high"`` or ``"medium"``), ``place_code``,
        ``place``, ``date`` (first day of the month, ``YYYY-MM-01``) and a Chinese ``message``.
    """
    names = dict(names or {})
    shown = {r["area"]: r for r in published.iter_rows(named=True)}
    alerts: list[dict] = []

    def alert(area: str, period: str, severity: str, message: str) -> dict:
        return {
            "kind": "population_change",
            "severity": severity,
            "place_code": area,
            "place": names.get(area, area),
            "date": f"{period}-01",
            "message": message,
        }

    for r in estimates.iter_rows(named=True):
        pub = shown.get(r["area"])
        if pub is None or pub["resident"] is None or pub["registered"] is None:
            continue
        if not r["registered"]:
            continue
        gap = r["resident"] / r["registered"] - 1
        if abs(gap) >= GAP_MEDIUM:
            more = "多" if gap > 0 else "少"
            place = names.get(r["area"], r["area"])
            alerts.append(
                alert(
                    r["area"],
                    r["period"],
                    "high" if abs(gap) >= GAP_HIGH else "medium",
                    f"{place}常住人口约{pub['resident']:,}人，比登记人口{more}{abs(gap):.0%}。",
                )
            )
    if previous is not None:
        before = dict(previous.select("area", "resident").iter_rows())
        for r in published.drop_nulls("resident").iter_rows(named=True):
            old = before.get(r["area"])
            if old and old >= k and abs(r["resident"] / old - 1) >= CHANGE_HIGH:
                change = r["resident"] / old - 1
                way = "增加" if change > 0 else "减少"
                place = names.get(r["area"], r["area"])
                alerts.append(
                    alert(
                        r["area"],
                        r["period"],
                        "high",
                        f"{place}常住人口环比{way}{abs(change):.0%}。",
                    )
                )
    return alerts
