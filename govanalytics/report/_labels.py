"""Chinese labels of table columns, for what people read (pages, the Excel appendix)."""

from __future__ import annotations

import polars as pl

from govanalytics.constants import LABELS_ZH

#: Labels of the columns the report layer itself writes.
REPORT_LABELS_ZH: dict[str, str] = {
    "people": "登记人口",
    "household_registered_share": "户籍人口占比",
    "aged_60_share": "60岁以上占比",
    "ageing_communities": "老龄化社区数",
    "ageing": "老龄化社区",
    "applications": "本周办件申请",
    "comments": "本周群众留言",
}


def column_label(name: str) -> str:
    """Chinese label of a column: report labels, then :data:`LABELS_ZH`, then the dataset
    schemas' labels; the name itself when none is known."""
    if name in REPORT_LABELS_ZH:
        return REPORT_LABELS_ZH[name]
    if name in LABELS_ZH:
        return LABELS_ZH[name]
    from govanalytics.data.schemas import SCHEMAS

    for schema in SCHEMAS.values():
        for column in schema.columns:
            if column.name == name:
                return column.label_zh
    return name


def zh_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with Chinese column labels (for display; tables keep English names).

    Two columns that would get the same label keep their English names.
    """
    labels = {c: column_label(c) for c in frame.columns}
    seen: dict[str, int] = {}
    for label in labels.values():
        seen[label] = seen.get(label, 0) + 1
    return frame.rename({c: (lab if seen[lab] == 1 else c) for c, lab in labels.items()})
