"""Derived columns withheld with the counts they are computed from: one declared list, one rule.

Disclosure rule (派生列规则)
---------------------------
A column computed from a count (a score, z, rate, change, share, baseline, a list whose length
is the count) gives the count back when it is published beside a withheld count: ``count =
previous + change``, ``count = rate × population``, ``count`` from ``z`` and the baseline. So
every published table declares, in :data:`DERIVED_FROM`, which of its columns are derived from
which counts; :func:`withhold_derived` withholds (null) every derived column on each row where
one of its sources is withheld, and repeats until nothing changes (a derived column may itself
be the source of another). The row's ``suppressed`` flag is set.

Columns not declared are kept: ranks and orders (a rank orders by a score computed on full
counts and bounds a count only by its published neighbours), model outputs fitted on many
periods (forecasts, EARS baselines, see :mod:`govanalytics.health`), booleans (alarm, bursting:
an interval for a count already known to be below ``k``). The attack test
(``tests/privacy/test_attack.py``) tries to recover every withheld cell of the published tables
of the sample city from the other columns and tables (linear relations, score inversions,
totals, shares) and must fail.

Headlines and findings follow the same rule: :func:`withhold_count` and :func:`count_text`
turn a count of people below ``k`` into ``"少于{k}"``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

import polars as pl

from govanalytics.constants import DEFAULT_MIN_COUNT
from govanalytics.errors import ParameterError

__all__ = [
    "DERIVED_FROM",
    "HEADLINE_PEOPLE_UNITS",
    "count_text",
    "withhold_count",
    "withhold_derived",
    "withhold_headlines",
]

FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)

#: Published table (file stem) → derived column → the count columns it is computed from.
DERIVED_FROM: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    # hot words: binomial z and likelihood ratio of the writers' count against the baseline
    "hot_words": {"expected": ("count",), "z": ("count",), "score": ("count",)},
    # bursts: Kleinberg weight and likelihood ratio computed from the counts of the run
    "bursts": {"weight": ("peak_count", "total_count"), "score": ("peak_count", "total_count")},
    # issues: the list of comment ids has the count as its length
    "issues": {"comment_ids": ("n_comments",)},
    # service demand: change = count − previous, change_pct = change / previous, share
    "demand": {
        "change": ("count", "previous"),
        "change_pct": ("count", "previous"),
        "share": ("count",),
    },
    # promotions: records and persons of one cell tell each other apart (records ≥ persons)
    "promotions": {"records": ("persons",), "persons": ("records",)},
    # health risk: incidence = count / population, 环比 and 同比 of the counts; forecasts from
    # the period's count (the FluSight baseline's median *is* the last count, and the ensemble
    # falls back to it for some series), and the bed figures computed from the forecasts
    "risk": {
        "incidence_per_100k": ("count", "population"),
        "change_week": ("count", "previous"),
        "change_year": ("count", "year_ago"),
        "forecast_next": ("count",),
        "forecast_upper": ("count",),
        "forecast_incidence_per_100k": ("forecast_next",),
        "bed_demand": ("forecast_next",),
        "bed_ratio": ("bed_demand",),
    },
    # population: the interval goes with resident; floating = resident − household-registered
    "population": {
        "resident_low": ("resident",),
        "resident_high": ("resident",),
        "floating": ("resident",),
    },
    # flow totals: net = inflow − outflow
    "flow_totals": {"net": ("inflow", "outflow")},
}

#: Units of headline figures that count people, cases, applications or comments.
HEADLINE_PEOPLE_UNITS = frozenset({"人", "例", "件", "条", "人次", "位"})


def _declared(table: str | Mapping[str, Sequence[str]]) -> Mapping[str, Sequence[str]]:
    if isinstance(table, str):
        if table not in DERIVED_FROM:
            msg = (
                f"parameter 'table' must be one of {sorted(DERIVED_FROM)}, got {table!r}\n"
                "Hint: declare the table's derived columns in privacy.DERIVED_FROM."
            )
            raise ParameterError(msg)
        return DERIVED_FROM[table]
    return table


def withhold_derived(
    frame: FrameT,
    table: str | Mapping[str, Sequence[str]],
    *,
    flag: str = "suppressed",
) -> FrameT:
    """Withhold every derived column on the rows where a count it comes from is withheld.

    Disclosure rule: for each ``derived: sources`` pair declared for ``table`` (see
    :data:`DERIVED_FROM`), ``derived`` becomes null on every row where one of ``sources`` is
    null (withheld), repeated until no more cells change; ``flag`` is set on those rows.
    Declared columns the frame lacks are skipped.

    Parameters
    ----------
    frame
        A table whose counts are already withheld (null), e.g. by
        :func:`suppress_small_counts` and :func:`secondary_suppress`.
    table
        Name of the published table in :data:`DERIVED_FROM`, or a mapping of its own
        (derived column → source columns).
    flag
        Row flag of withheld values (created if missing).

    Returns
    -------
    pl.DataFrame | pl.LazyFrame
        The table with derived columns withheld alongside their sources.

    Examples
    --------
    >>> t = pl.DataFrame({"count": [40, None], "previous": [30, 20], "change": [10, -8]})
    >>> withhold_derived(t, "demand")["change"].to_list()
    [10, None]
    """
    declared = _declared(table)
    names = frame.collect_schema().names()
    rules = {
        col: [s for s in sources if s in names]
        for col, sources in declared.items()
        if col in names and any(s in names for s in sources)
    }
    out = frame
    if flag not in names:
        out = out.with_columns(pl.lit(False).alias(flag))
    # a chain of derivations is at most as long as the number of rules
    for _ in range(len(rules)):
        out = out.with_columns(
            pl.when(pl.any_horizontal(*[pl.col(s).is_null() for s in sources]))
            .then(None)
            .otherwise(pl.col(col))
            .alias(col)
            for col, sources in rules.items()
        )
    withheld = [pl.col(s).is_null() for sources in rules.values() for s in sources]
    if withheld:
        out = out.with_columns(pl.col(flag).fill_null(False) | pl.any_horizontal(*withheld))
    return out


def withhold_count(value: float | None, *, k: int = DEFAULT_MIN_COUNT) -> float | str | None:
    """A headline count as published: ``"少于{k}"`` below ``k`` (zero included).

    Parameters
    ----------
    value
        A count of people, cases, applications or comments (``None``: unknown, kept).
    k
        Threshold of the small-count rule. Default 15.

    Returns
    -------
    float | str | None
        ``value`` unchanged when at least ``k``, else ``"少于{k}"``.

    Examples
    --------
    >>> withhold_count(125, k=1_000_000_000)
    '少于1000000000'
    """
    if value is None or isinstance(value, str):
        return value
    return value if abs(value) >= k else f"少于{k}"


def count_text(value: float | None, *, k: int = DEFAULT_MIN_COUNT, unit: str = "") -> str:
    """A count as written in a finding: ``"1,234人"``, or ``"少于15人"`` below ``k`` or withheld.

    Disclosure rule: a count below ``k`` (zero included) is never printed; a null (withheld by a
    publishing step) reads the same way (as :func:`govanalytics.health.count_text` does for
    cases).

    Parameters
    ----------
    value
        The count, or ``None`` when withheld.
    k
        Threshold of the small-count rule. Default 15.
    unit
        Chinese unit written after the number.

    Returns
    -------
    str
        The text to put in a sentence.
    """
    if value is None or abs(value) < k:
        return f"少于{k}{unit}"
    return f"{value:,.0f}{unit}" if float(value).is_integer() else f"{value:,}{unit}"


def withhold_headlines(headlines: list[dict], *, k: int = DEFAULT_MIN_COUNT) -> list[dict]:
    """Headlines with every count of people below ``k`` withheld (``"少于{k}"``).

    A headline counts people when its ``unit`` is one of :data:`HEADLINE_PEOPLE_UNITS`;
    its ``value``, ``previous`` and ``year_ago`` are passed through :func:`withhold_count`.
    Other headlines (alarms counting series, shares, scores) are returned unchanged.

    Parameters
    ----------
    headlines
        Dicts with ``key``, ``label``, ``value`` and optional ``unit``, ``previous``,
        ``year_ago`` (the ``summary.json`` layout).
    k
        Threshold of the small-count rule. Default 15.

    Returns
    -------
    list of dict
        New dicts; the input is not changed.
    """
    out = []
    for h in headlines:
        h = dict(h)
        if h.get("unit") in HEADLINE_PEOPLE_UNITS:
            for key in ("value", "previous", "year_ago"):
                if key in h:
                    h[key] = withhold_count(h[key], k=k)
        out.append(h)
    return out
