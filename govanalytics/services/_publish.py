"""What a report may show of promotions and conflicts.

A report names people only by ``person_key`` (a pseudonymous key the departments can look up)
and never shows a personal value in full: values are masked by
:func:`govanalytics.privacy.mask_field` — phone numbers keep 3 + 4 digits (``138****5678``),
ID-card numbers 6 + 4 characters, addresses only up to the community/village or street/town
(``江海市竹南社区***``); employers and disability status are withheld (``***``). Full detail
stays in the operational stores and ``data/exports``.
"""

from __future__ import annotations

import polars as pl

from govanalytics.privacy import mask_field

__all__ = ["publishable_conflicts", "publishable_promotions"]


def publishable_promotions(promotions: pl.DataFrame) -> pl.DataFrame:
    """Promotions (or an audit log) as a report may show them: masked values, no names.

    Disclosure rule: ``old_value`` and ``new_value`` masked by their field
    (:func:`govanalytics.privacy.mask_field`); people only by ``person_key``.
    """
    return promotions.select(
        "person_key",
        "field",
        mask_field("field", "old_value").alias("old_value"),
        mask_field("field", "new_value").alias("new_value"),
        "application_id",
        "verification_level",
        "verified_at",
    )


def publishable_conflicts(conflicts: pl.DataFrame) -> pl.DataFrame:
    """Conflicts as a report may show them: masked values, no names.

    Disclosure rule: the master's and the record's values masked by their field
    (:func:`govanalytics.privacy.mask_field`); people only by ``person_key``.
    """
    return conflicts.select(
        "person_key",
        "field",
        "kind",
        mask_field("field", "old_value").alias("master_value"),
        mask_field("field", "new_value").alias("record_value"),
        "application_id",
        "verification_level",
        "verified_at",
    )
