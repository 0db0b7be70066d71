"""Small-count suppression: the disclosure rule every published table of counts follows.

Disclosure rule (规则)
----------------------
1. **Primary suppression.** A published count of people or devices whose absolute value is
   below ``k`` (default :data:`govanalytics.constants.DEFAULT_MIN_COUNT` = 15, zero included) is
   withheld: its value becomes empty (null) and the row's ``suppressed`` flag is set. This is the
   threshold FlowKit applies to every aggregate it returns and Statistics Netherlands applies to
   mobile-phone cells.
2. **Secondary (complementary) suppression.** Where a table is published together with totals
   over groups of its rows (the row and column sums of an origin–destination matrix, a city
   total over areas), a group holding exactly one withheld cell would give that cell away by
   subtraction (total − published parts). In each such group one more cell — the smallest
   published one — is withheld as well, and this is repeated over all groupings until no group
   holds exactly one withheld cell. Totals themselves are computed from the values *before*
   suppression (never by summing what was published) and are withheld when below ``k``.
3. **Coordinates** published beside counts are rounded (:func:`round_coordinates`, 3 decimals ≈
   100 m by default).

:func:`find_recoverable` is the attack: it lists withheld cells that can be recovered from the
published cells and totals; an empty result is what a publisher needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

import polars as pl

from govanalytics.constants import DEFAULT_MIN_COUNT
from govanalytics.errors import ParameterError
from govanalytics.validation import int_like

__all__ = [
    "find_recoverable",
    "group_totals",
    "round_coordinates",
    "secondary_suppress",
    "suppress_small_counts",
]

SUPPRESSED = "suppressed"
FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)


def _check(frame: pl.DataFrame | pl.LazyFrame, columns: Sequence[str], k: int) -> list[str]:
    if isinstance(columns, str):
        columns = [columns]
    names = frame.collect_schema().names()
    missing = [c for c in columns if c not in names]
    if missing:
        msg = f"columns {missing} not in the table (it has {names})"
        raise ParameterError(msg)
    int_like(k, "k", low=1)
    return list(columns)


def suppress_small_counts(
    frame: FrameT,
    columns: str | Sequence[str],
    *,
    k: int = DEFAULT_MIN_COUNT,
    flag: str = SUPPRESSED,
) -> FrameT:
    """Withhold every count whose absolute value is below ``k`` (primary suppression).

    Disclosure rule: no value below ``k`` (zero included) is ever returned in ``columns``; it
    is replaced by null and the row's ``flag`` column is set to True. An existing ``flag``
    column is kept and OR-ed with the new flags, so the function can be applied repeatedly.

    Parameters
    ----------
    frame
        Table of counts (eager or lazy; the result has the same kind).
    columns
        Count columns to protect (counts of people or devices, or signed differences of such
        counts, judged by absolute value).
    k
        Threshold: values with ``abs(value) < k`` are withheld. Default 15 (FlowKit's rule).
    flag
        Name of the boolean column marking rows with at least one withheld value.

    Returns
    -------
    pl.DataFrame | pl.LazyFrame
        The table with small values nulled and ``flag`` set.

    See Also
    --------
    secondary_suppress : protect withheld cells against subtraction from published totals.

    Examples
    --------
    >>> import polars as pl
    >>> suppress_small_counts(pl.DataFrame({"n": [3, 40]}), "n")["n"].to_list()
    [None, 40]
    """
    cols = _check(frame, columns, k)
    small = [pl.col(c).abs() < k for c in cols]
    any_small = pl.any_horizontal(*[s.fill_null(False) for s in small])
    has_flag = flag in frame.collect_schema().names()
    new_flag = (pl.col(flag).fill_null(False) | any_small) if has_flag else any_small
    return frame.with_columns(
        *[
            pl.when(s.fill_null(False)).then(None).otherwise(pl.col(c)).alias(c)
            for c, s in zip(cols, small, strict=True)
        ],
        new_flag.alias(flag),
    )


def secondary_suppress(
    frame: pl.DataFrame,
    column: str,
    *,
    groups: Sequence[Sequence[str]],
    flag: str = SUPPRESSED,
    max_rounds: int = 50,
) -> pl.DataFrame:
    """Withhold complementary cells so that no group's total gives a withheld cell away.

    Disclosure rule: for every grouping in ``groups`` (for example ``[["origin"],
    ["destination"]]`` for an OD matrix published with its out- and in-flow totals), a group
    with exactly one withheld (null) value in ``column`` also loses its smallest published
    value. Rounds repeat until every group holds zero or at least two withheld values. A group
    of a single row cannot be protected this way: its total must itself be withheld (it equals
    the cell), which :func:`group_totals` does when the cell is below ``k``.

    Parameters
    ----------
    frame
        Output of :func:`suppress_small_counts` (null = withheld).
    column
        The count column to protect.
    groups
        Groupings whose totals are published; each a list of key columns. Use ``[]`` (an empty
        key list) for a single grand total over the whole table.
    flag
        Row flag set for every withheld value.
    max_rounds
        Safety bound on the number of passes.

    Returns
    -------
    pl.DataFrame
        The table with complementary cells withheld as well.

    References
    ----------
    Hundepool, A. et al. (2012), *Statistical Disclosure Control*, Wiley, ch. 4.2
    (secondary cell suppression for tables with marginal totals).
    """
    _check(frame, [column], 1)
    idx = "__row"
    out = frame.with_row_index(idx)
    if flag not in out.columns:
        out = out.with_columns(pl.col(column).is_null().alias(flag))
    for _ in range(max_rounds):
        changed = False
        for keys in groups:
            keys = list(keys)
            null = pl.col(column).is_null().cast(pl.Int64).sum()
            lonely = out.with_columns(n_null=null.over(keys) if keys else null).filter(
                (pl.col("n_null") == 1) & pl.col(column).is_not_null()
            )
            # the smallest published cell of each group with exactly one withheld cell
            lonely = lonely.sort([column, idx])
            firsts = lonely.group_by(keys).agg(pl.col(idx).first()) if keys else lonely.head(1)
            cand = firsts.get_column(idx)
            if cand.len():
                changed = True
                hit = pl.col(idx).is_in(cand.implode())
                out = out.with_columns(
                    pl.when(hit).then(None).otherwise(pl.col(column)).alias(column),
                    (pl.col(flag) | hit).alias(flag),
                )
        if not changed:
            return out.drop(idx)
    msg = (
        f"parameter 'max_rounds': secondary suppression of {column!r} did not settle in "
        f"{max_rounds} rounds\nHint: raise max_rounds (a large table with many groupings)."
    )
    raise ParameterError(msg)


def group_totals(
    frame: FrameT,
    column: str,
    by: Sequence[str],
    *,
    k: int = DEFAULT_MIN_COUNT,
    name: str = "total",
    flag: str = SUPPRESSED,
    published: pl.DataFrame | None = None,
) -> FrameT:
    """Totals of ``column`` per group, computed before suppression, small totals withheld.

    Disclosure rule: totals are sums of the *unsuppressed* values (summing published, already
    suppressed values would be biased and their differences leak); a total below ``k`` is
    withheld like any other count. Given the ``published`` table, a total is also withheld
    when its group holds exactly one withheld cell: total − published parts would give that
    cell back. :func:`secondary_suppress` leaves no such group of two rows or more, but a
    group of one row cannot be given a second withheld cell (a complementary cell withheld
    for another grouping, alone in its group: areas × kinds with one kind in one area).

    Parameters
    ----------
    frame
        Unsuppressed table.
    column
        Count column to add up.
    by
        Group keys; ``[]`` for the grand total (one row).
    k
        Threshold for withholding a total.
    name
        Name of the total column.
    flag
        Row flag for withheld totals.
    published
        The published table (output of :func:`secondary_suppress`, null = withheld), eager.

    Examples
    --------
    >>> t = pl.DataFrame({"area": ["a", "a"], "kind": ["x", "y"], "count": [3, 40]})
    >>> p = secondary_suppress(suppress_small_counts(t, "count", k=15), "count",
    ...                        groups=[["area"], ["kind"]])
    >>> group_totals(t, "count", ["kind"], k=15, published=p)["total"].to_list()
    [None, None]
    """
    _check(frame, [column, *by], k)
    if by:
        totals = frame.group_by(list(by)).agg(pl.col(column).sum().alias(name)).sort(list(by))
    else:  # the grand total
        totals = frame.select(pl.col(column).sum().alias(name))
    totals = suppress_small_counts(totals, name, k=k, flag=flag)
    if published is None:
        return totals
    keys = list(by)
    lone = (
        published.group_by(keys).agg((pl.col(column).is_null().sum() == 1).alias("__lone"))
        if keys
        else published.select((pl.col(column).is_null().sum() == 1).alias("__lone"))
    )
    lone_lf = lone.lazy()
    lf = totals.lazy()
    joined = lf.join(lone_lf, on=keys, how="left") if keys else lf.join(lone_lf, how="cross")
    hide = pl.col("__lone").fill_null(False)
    out = joined.with_columns(
        pl.when(hide).then(None).otherwise(pl.col(name)).alias(name),
        (pl.col(flag) | hide).alias(flag),
    ).drop("__lone")
    return out if isinstance(totals, pl.LazyFrame) else out.collect()


def find_recoverable(
    published: pl.DataFrame,
    column: str,
    totals: Mapping[tuple[str, ...], pl.DataFrame],
    *,
    total_column: str = "total",
) -> pl.DataFrame:
    """The attack: withheld cells recoverable as a published total minus published parts.

    Parameters
    ----------
    published
        The published table (null = withheld).
    column
        Its count column.
    totals
        Group keys → published totals table with those keys and ``total_column``
        (null = withheld total). Use ``()`` for a grand total (a one-row table).
    total_column
        Name of the total column in the totals tables.

    Returns
    -------
    pl.DataFrame
        One row per recoverable cell: the group keys, ``grouping`` and ``recovered`` value.
        Empty when the publication is safe against this attack.
    """
    found = []
    for key_tuple, tot in totals.items():
        keys = list(key_tuple)
        agg = [
            pl.col(column).is_null().sum().alias("n_null"),
            pl.col(column).sum().alias("published_sum"),
        ]
        parts = published.group_by(keys).agg(agg) if keys else published.select(agg)
        joined = (
            parts.join(tot, on=keys, how="inner")
            if keys
            else pl.concat([parts, tot.select(total_column)], how="horizontal")
        )
        hits = joined.filter((pl.col("n_null") == 1) & pl.col(total_column).is_not_null()).select(
            pl.lit(",".join(keys) or "(all)").alias("grouping"),
            pl.concat_str([pl.col(c).cast(pl.String) for c in keys], separator="|").alias("key")
            if keys
            else pl.lit("").alias("key"),
            (pl.col(total_column) - pl.col("published_sum")).alias("recovered"),
        )
        found.append(hits.with_columns(pl.col("recovered").cast(pl.Float64)))
    if not found:
        return pl.DataFrame(
            schema={"grouping": pl.String, "key": pl.String, "recovered": pl.Float64}
        )
    return pl.concat(found)


def round_coordinates(
    frame: FrameT,
    *,
    columns: Sequence[str] = ("lon", "lat"),
    decimals: int = 3,
) -> FrameT:
    """Round published coordinates (3 decimals ≈ 100 m) so that no point pins a household.

    Parameters
    ----------
    frame
        Polars DataFrame or LazyFrame holding the coordinates.
    columns
        Coordinate columns to round; default ``("lon", "lat")``.
    decimals
        Decimal places kept; default 3 (about 100 m of latitude).

    Returns
    -------
    DataFrame or LazyFrame
        ``frame`` with ``columns`` rounded.
    """
    cols = _check(frame, columns, 1)
    return frame.with_columns([pl.col(c).round(decimals) for c in cols])
