"""What a report may show of promotions and conflicts, and the steward's person-level lists.

Person keys are pseudonymous personal data: a report (read by department heads) shows
**counts only**; the person-level promotion plan and conflict list go to the data steward as
Excel files in ``exports_dir`` (like the bus-card lists, never into a report folder).

Disclosure rules
----------------
- :func:`publishable_promotions`: records per field × verification level × outcome
  (``promoted``, or ``skipped`` with its reason). Counts of people (``persons``) below ``k``
  are withheld by :func:`govanalytics.privacy.suppress_small_counts` (the row's ``records`` with
  them); since the report also publishes the total promoted and skipped records (summary
  headlines), one more cell per outcome is withheld where needed by
  :func:`govanalytics.privacy.secondary_suppress`, so that no withheld count is the published
  total minus the published parts.
- :func:`publishable_conflicts`: conflicts (person × field decisions) and records per field ×
  kind, **not suppressed** (a deliberate, documented exception): a conflict count is a count of
  decisions waiting for the data steward, city-wide, with no geography, age or other group
  attribute, so it singles nobody out; withholding it below ``k`` would hide the very work the
  report must announce (a conflict is rare by nature). Who is concerned and the values are in
  the steward's export only.
- :func:`write_promotion_exports`: full field values (the steward decides on them), ID-card
  numbers masked by :func:`govanalytics.privacy.mask_id_number` unless ``full_identity=True``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from govanalytics.constants import DEFAULT_MIN_COUNT, LABELS_ZH
from govanalytics.errors import ParameterError
from govanalytics.privacy import (
    exports_folder,
    mask_id_number,
    private_file,
    secondary_suppress,
    suppress_small_counts,
    withhold_derived,
)
from govanalytics.services._promotion import CONFLICT_KINDS, PromotionPlan
from govanalytics.validation import bool_like

__all__ = ["publishable_conflicts", "publishable_promotions", "write_promotion_exports"]

_OUTCOMES = {"promoted": "已入库", "skipped": "未入库"}
#: Chinese labels of promoted fields (shared labels, plus fields the shared table lacks).
_FIELD_ZH = LABELS_ZH


def _field_zh() -> pl.Expr:
    return pl.col("field").replace_strict(_FIELD_ZH, default=pl.col("field")).alias("field_zh")


def publishable_promotions(plan: PromotionPlan, *, k: int = DEFAULT_MIN_COUNT) -> pl.DataFrame:
    """Promotion outcome counts per field, verification level and outcome, small counts withheld.

    Parameters
    ----------
    plan
        From :func:`plan_promotion`.
    k
        Counts of people below ``k`` are withheld (default 15).

    Returns
    -------
    DataFrame
        ``field``, ``field_zh``, ``verification_level``, ``outcome`` (``promoted``/``skipped``),
        ``outcome_zh``, ``reason`` and ``reason_zh`` (null for promoted), ``records`` (field
        values: one per person for ``promoted``), ``persons`` (distinct people) and
        ``suppressed``. No person key and no value.

    Notes
    -----
    Disclosure rule: a row whose ``persons`` is below ``k`` has ``persons`` and ``records``
    withheld (``suppressed``); per outcome, the record total is published in the summary, so
    a lonely withheld cell is protected by withholding the next smallest
    (:func:`govanalytics.privacy.secondary_suppress`, groups ``[["outcome"]]``).
    """
    keys = ["field", "verification_level", "outcome", "reason", "reason_zh"]
    promoted = plan.promotions.select(
        "person_key",
        "field",
        "verification_level",
        pl.lit("promoted").alias("outcome"),
        pl.lit(None, dtype=pl.String).alias("reason"),
        pl.lit(None, dtype=pl.String).alias("reason_zh"),
    )
    skipped = plan.skipped.select(
        "person_key",
        "field",
        pl.col("verification_level").fill_null("unverified"),
        pl.lit("skipped").alias("outcome"),
        "reason",
        "reason_zh",
    )
    counts = (
        pl.concat([promoted, skipped])
        .group_by(keys)
        .agg(
            pl.len().cast(pl.Int64).alias("records"),
            pl.col("person_key").n_unique().cast(pl.Int64).alias("persons"),
        )
        .sort(["outcome", "field", "verification_level", "reason"], nulls_last=False)
    )
    out = withhold_derived(suppress_small_counts(counts, ["persons"], k=k), "promotions")
    out = secondary_suppress(out, "records", groups=[["outcome"]])
    out = withhold_derived(out, "promotions")  # persons go with their secondary records
    return out.select(
        "field",
        _field_zh(),
        "verification_level",
        "outcome",
        pl.col("outcome").replace_strict(_OUTCOMES).alias("outcome_zh"),
        "reason",
        "reason_zh",
        "records",
        "persons",
        "suppressed",
    )


def publishable_conflicts(plan: PromotionPlan) -> pl.DataFrame:
    """Conflicts waiting for a decision, counted per field and kind (not suppressed).

    Parameters
    ----------
    plan
        From :func:`plan_promotion`.

    Returns
    -------
    DataFrame
        ``field``, ``field_zh``, ``kind``, ``kind_zh``, ``conflicts`` (person × field decisions to make) and
        ``records`` (application records involved). No person key and no value.

    Notes
    -----
    Disclosure rule: published unsuppressed on purpose — a city-wide count of decisions per
    field carries no geography or group attribute and identifies nobody, and withholding it
    below ``k`` would hide the conflicts the report must announce. The person-level list is
    written for the data steward by :func:`write_promotion_exports`.
    """
    return (
        plan.conflicts.group_by("field", "kind")
        .agg(
            pl.struct("person_key", "field").n_unique().cast(pl.Int64).alias("conflicts"),
            pl.col("application_id").n_unique().cast(pl.Int64).alias("records"),
        )
        .sort("field", "kind")
        .select(
            "field",
            _field_zh(),
            "kind",
            pl.col("kind").replace_strict(CONFLICT_KINDS, default=pl.col("kind")).alias("kind_zh"),
            "conflicts",
            "records",
        )
    )


_EXPORT_COLUMNS = {
    "person_key": "人员编号",
    "name": "姓名",
    "id_number": "身份证号",
    "field": "字段",
    "old_value": "主数据现值",
    "new_value": "核验记录值",
    "application_id": "来源办件",
    "verification_level": "核验层级",
    "submitted_at": "提交时间",
    "verified_at": "核验时间",
}


def write_promotion_exports(
    plan: PromotionPlan,
    register: pl.DataFrame,
    exports_dir: str | Path,
    *,
    tag: str,
    full_identity: bool = False,
) -> dict[str, Path]:
    """Write the person-level promotion plan and conflict list for the data steward (Excel).

    Parameters
    ----------
    plan
        From :func:`plan_promotion`.
    register
        ``population_register`` (for names and ID-card numbers; missing columns are left out).
    exports_dir
        Folder for operational lists (default of the notebook: ``data/exports``), never a
        report folder.
    tag
        Suffix of the file names (the report week, e.g. ``2026-W47``).
    full_identity
        Write full ID-card numbers. Default ``False``: masked (``440301********123X``).

    Returns
    -------
    dict
        ``{"promotions": path, "conflicts": path}``: 主数据入库预案_<tag>.xlsx and
        主数据冲突待裁定_<tag>.xlsx (sheet 名单), one row per promotion / conflicting record,
        with full field values.

    Notes
    -----
    Disclosure rule: personal data for the data steward only; no function of the report path
    reads ``exports_dir``.
    """
    bool_like(full_identity, "full_identity")
    if not tag or any(c in tag for c in '/\\:*?"<>|'):
        msg = f"parameter 'tag' must be a non-empty file-name part such as '2026-W47', got {tag!r}"
        raise ParameterError(msg)
    ident = [c for c in ("name", "id_number") if c in register.columns]
    people = register.select("person_key", *ident).unique("person_key")
    if "id_number" in ident and not full_identity:
        people = people.with_columns(mask_id_number("id_number").alias("id_number"))
    out = exports_folder(exports_dir)
    paths = {
        "promotions": out / f"主数据入库预案_{tag}.xlsx",
        "conflicts": out / f"主数据冲突待裁定_{tag}.xlsx",
    }
    frames = {"promotions": plan.promotions, "conflicts": plan.conflicts}
    for key, path in paths.items():
        frame = frames[key].join(people, on="person_key", how="left")
        cols = [c for c in _EXPORT_COLUMNS if c in frame.columns]
        extra = [_field_zh().alias("字段名称")]
        if key == "conflicts":
            kind = pl.col("kind").replace_strict(CONFLICT_KINDS, default=pl.col("kind"))
            extra.append(kind.alias("冲突类型"))
        table = frame.sort("person_key", "field", "submitted_at").select(
            *[pl.col(c).alias(_EXPORT_COLUMNS[c]) for c in cols], *extra
        )
        with private_file(path) as tmp:
            table.write_excel(tmp, worksheet="名单", autofit=True)
    return paths
