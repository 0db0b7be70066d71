"""Checks of a converted table against its schema, collecting every problem found.

Checks are boolean expressions (True on a bad row) evaluated first as one aggregate — a
single pass, lazy and streaming for large Parquet files — and only for the checks that
fail are the offending rows fetched, so that a clean large file costs one scan.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from govanalytics.data._convert import PERSONAL_COLUMNS, target_dtype, type_label
from govanalytics.data._schema import Schema

#: Rows fetched per failing check (the message shows the first ten and the count).
MAX_ROWS = 1000
ROW = "__row"

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def show_value(column: str, value: object) -> str:
    """A value as shown in a message; personal data (ID, phone, name) is masked."""
    if value is None:
        return "(empty)"
    text = str(value)
    if column in PERSONAL_COLUMNS:
        return f"<masked, {len(text)} characters>"
    if len(text) > 40:
        text = text[:37] + "..."
    return repr(text)


_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")


def scientific_hint(values: Sequence[object]) -> str:
    """A hint when codes were turned into numbers like ``4.49901E+11`` by a spreadsheet."""
    if any(isinstance(v, str) and _SCIENTIFIC.match(v.strip()) for v in values):
        return (
            ". Hint: a spreadsheet wrote these codes as numbers in scientific notation, "
            "losing digits; format the column as text in the spreadsheet and export again"
        )
    return ""


def show_values(column: str, values: Sequence[object], *, limit: int = 5) -> str:
    """Distinct values, the first ``limit`` of them, as shown in a message."""
    seen: list[object] = []
    for v in values:
        if v not in seen:
            seen.append(v)
    shown = ", ".join(show_value(column, v) for v in seen[:limit])
    if len(seen) > limit:
        shown += f" (and {len(seen) - limit} other values)"
    return shown


def id_number_valid(expr: pl.Expr) -> pl.Expr:
    """True where an 18-digit ID-card number has a correct check digit (GB 11643-1999).

    The check digit is ``"10X98765432"[sum(digit_i * weight_i) mod 11]`` with the ISO 7064
    MOD 11-2 weights ``7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2``.
    """
    shape = expr.str.contains(r"^\d{17}[\dX]$")
    total = pl.sum_horizontal(
        [expr.str.slice(i, 1).cast(pl.Int64, strict=False) * w for i, w in enumerate(_ID_WEIGHTS)]
    )
    expected = pl.lit(_ID_CHECK).str.slice(total % 11, 1)
    return shape & (expr.str.slice(17, 1) == expected)


@dataclass
class Check:
    """One check: ``bad`` is True on a failing row; ``describe(values)`` words the problem."""

    column: str
    bad: pl.Expr
    describe: Callable[[list[object]], str]
    shown: str | None = None


def _describe(what: str, column: str, *, hint: bool = False) -> Callable[[list[object]], str]:
    """A message builder: ``what`` followed by the (masked) values found."""

    def describe(values: list[object]) -> str:
        extra = scientific_hint(values) if hint else ""
        return f"{what}: values {show_values(column, values)}{extra}"

    return describe


def _fixed(what: str) -> Callable[[list[object]], str]:
    """A message builder that shows no values."""

    def describe(values: list[object]) -> str:
        return what

    return describe


def column_checks(
    schema: Schema,
    present: Sequence[str],
    *,
    references: Mapping[str, Sequence[object]] | None = None,
) -> list[Check]:
    """Build the checks of every present canonical column.

    The frame checked holds the converted columns under their canonical names plus, for each
    column ``c``, ``__failed_c`` (conversion failed) and ``__shown_c`` (the source text).

    Parameters
    ----------
    schema
        The dataset schema.
    present
        Canonical columns present in the frame.
    references
        ``{column: allowed values}`` for columns whose ``references`` table is available.
    """
    references = references or {}
    checks: list[Check] = []
    for col in schema.columns:
        name = col.name
        if name not in present:
            continue
        c = pl.col(name)
        failed = pl.col(f"__failed_{name}")
        label = type_label(target_dtype(col))
        checks.append(
            Check(
                name,
                failed,
                _describe(f"cannot be read as {label}", name),
                shown=f"__shown_{name}",
            )
        )
        if not col.nullable:
            checks.append(
                Check(
                    name,
                    c.is_null() & ~failed,
                    _fixed("empty value in a column that must be filled"),
                )
            )
        if col.min is not None:
            checks.append(
                Check(name, c < pl.lit(col.min), _describe(f"below the minimum {col.min}", name))
            )
        if col.max is not None:
            checks.append(
                Check(name, c > pl.lit(col.max), _describe(f"above the maximum {col.max}", name))
            )
        if col.allowed is not None:
            allowed = list(col.allowed)
            checks.append(
                Check(
                    name,
                    ~c.is_in(pl.lit(pl.Series(allowed)).implode()),
                    _describe(f"not an allowed code (allowed: {allowed})", name),
                )
            )
        if col.pattern is not None:
            checks.append(
                Check(
                    name,
                    ~c.str.contains(f"^(?:{col.pattern})$"),
                    _describe(f"does not match the pattern {col.pattern}", name, hint=True),
                )
            )
        if col.check == "id_number":
            checks.append(
                Check(
                    name,
                    ~id_number_valid(c),
                    _describe(
                        "not a valid 18-digit ID-card number (wrong length, characters or "
                        "check digit)",
                        name,
                        hint=True,
                    ),
                )
            )
        if name in references:
            values = pl.Series(list(references[name]), dtype=pl.String)
            checks.append(
                Check(
                    name,
                    ~c.is_in(pl.lit(values).implode()),
                    _describe(f"code not found in {col.references}", name),
                )
            )
    return checks


def numbered_rows(frame: pl.LazyFrame) -> pl.LazyFrame:
    """``frame`` with its 1-based data row numbers in :data:`ROW` (kept when already there)."""
    if ROW in frame.collect_schema().names():
        return frame
    return frame.with_row_index(ROW, offset=1)


def run_checks(frame: pl.LazyFrame, checks: Sequence[Check]) -> list[dict]:
    """Evaluate ``checks`` on ``frame``; return one problem dict per failing check.

    One aggregate pass counts the failing rows of every check; the rows (1-based data rows)
    and values of a failing check are fetched afterwards, at most :data:`MAX_ROWS` of them.
    """
    if not checks:
        return []
    counts = (
        frame.select([ch.bad.fill_null(False).sum().alias(f"c{i}") for i, ch in enumerate(checks)])
        .collect(engine="streaming")
        .row(0)
    )
    problems = []
    numbered = numbered_rows(frame)
    for ch, n in zip(checks, counts, strict=True):
        if not n:
            continue
        shown = pl.col(ch.shown) if ch.shown else pl.col(ch.column)
        rows = (
            numbered.filter(ch.bad.fill_null(False))
            .select(pl.col(ROW), shown.alias("__value"))
            .head(MAX_ROWS)
            .collect()
        )
        problems.append(
            {
                "rows": rows[ROW].to_list(),
                "count": int(n),
                "column": ch.column,
                "message": ch.describe(rows["__value"].to_list())
                + (f" ({n} rows)" if n > 1 else ""),
            }
        )
    return problems


def duplicate_problems(frame: pl.LazyFrame, keys: Sequence[str]) -> list[dict]:
    """One problem listing every duplicated key and the rows that carry it."""
    keys = list(keys)
    dups = (
        numbered_rows(frame)
        .filter(pl.struct(keys).is_duplicated())
        .group_by(keys, maintain_order=True)
        .agg(pl.col(ROW))
        .collect()
    )
    if dups.height == 0:
        return []
    parts = []
    for row in dups.head(5).iter_rows(named=True):
        key = ", ".join(show_value(k, row[k]) for k in keys)
        parts.append(f"({key}) at rows {', '.join(str(r) for r in row[ROW][:10])}")
    more = f"; and {dups.height - 5} more duplicated keys" if dups.height > 5 else ""
    rows = sorted(r for rs in dups[ROW].to_list() for r in rs)
    return [
        {
            "rows": rows[:MAX_ROWS],
            "count": len(rows),
            "column": ", ".join(keys),
            "message": f"duplicate key ({', '.join(keys)}): " + "; ".join(parts) + more,
        }
    ]
