"""What a report may show of promotions and conflicts.

A report names people only by ``person_key`` (a pseudonymous key the departments can look up)
and never shows a personal value in full: phone numbers keep 3 + 4 digits (``138****5678``),
ID-card numbers 6 + 4 characters, addresses only up to the community/village or street/town
(``江海市竹南社区***``); employers and disability status are withheld (``***``). Full detail
stays in the operational stores and ``data/exports``.
"""

from __future__ import annotations

import polars as pl

from govanalytics.services._rolls import mask_id_number

__all__ = ["mask_value", "publishable_conflicts", "publishable_promotions"]

_WITHHELD = "***"


def _mask_address(col: pl.Expr) -> pl.Expr:
    head = col.str.extract(r"^(.*?(?:社区|村|街道|镇))", 1)
    return (
        pl.when(head.is_not_null())
        .then(head + pl.lit(_WITHHELD))
        .otherwise(col.str.slice(0, 3) + pl.lit(_WITHHELD))
    )


def mask_value(field: str | pl.Expr, value: str | pl.Expr) -> pl.Expr:
    """Mask a field value (text) for publication according to the field's kind.

    Parameters
    ----------
    field
        Column (or expression) naming the field: ``phone``, ``id_number``, ``address``, other.
    value
        Column (or expression) with the value as text.
    """
    f = pl.col(field) if isinstance(field, str) else field
    v = pl.col(value) if isinstance(value, str) else value
    phone = v.str.slice(0, 3) + pl.lit("****") + v.str.slice(-4)
    return (
        pl.when(v.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(f == "phone")
        .then(phone)
        .when(f == "id_number")
        .then(mask_id_number(v))
        .when(f == "address")
        .then(_mask_address(v))
        .otherwise(pl.lit(_WITHHELD))
    )


def publishable_promotions(promotions: pl.DataFrame) -> pl.DataFrame:
    """Promotions (or an audit log) as a report may show them: masked values, no names."""
    return promotions.select(
        "person_key",
        "field",
        mask_value("field", "old_value").alias("old_value"),
        mask_value("field", "new_value").alias("new_value"),
        "application_id",
        "verification_level",
        "verified_at",
    )


def publishable_conflicts(conflicts: pl.DataFrame) -> pl.DataFrame:
    """Conflicts as a report may show them: masked values, no names."""
    return conflicts.select(
        "person_key",
        "field",
        "kind",
        mask_value("field", "old_value").alias("master_value"),
        mask_value("field", "new_value").alias("record_value"),
        "application_id",
        "verification_level",
        "verified_at",
    )
