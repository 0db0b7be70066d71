"""What a load did: the source, its encoding, the repairs made and the columns dropped."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

#: Chinese names of the repair kinds, for the notes shown in reports.
REPAIRS_ZH = {
    "trimmed whitespace": "去除首尾空格",
    "full-width to half-width": "全角字符改为半角（如 １２３）",
    "thousands separator removed": "去除千位分隔符（如 1,234）",
    "whole number written as decimal": "整数写成小数（如 12.0）",
    "Excel serial date": "Excel 日期序号转日期",
    "time of day dropped": "去除时刻",
    "missing-value marker read as empty": "缺失标记读作空值",
    "Chinese label to code": "中文标签转代码",
    "'.0' removed from code": "代码去除“.0”",
    "6- or 9-digit region code padded to 12 digits": "区划代码补足12位",
    "lower-case x in ID number": "身份证号小写 x 改为大写",
    "yes/no word to boolean": "是/否转布尔值",
    "time zone converted to Asia/Shanghai": "时区换算为北京时间",
    "number read as text": "数字按文本读取",
    "region names → codes": "区划名称转代码",
    "exact duplicate row removed": "删除完全重复的行",
    "later row of a duplicated key dropped (on_duplicate = keep_first)": "编号重复的后一行删除",
}


def _repair_zh(kind: str) -> str:
    """A repair kind in Chinese (``date form 2024/3/5`` → ``日期写法统一（如 2024/3/5）``)."""
    if kind in REPAIRS_ZH:
        return REPAIRS_ZH[kind]
    if kind.startswith("date form "):
        return f"日期写法统一（如 {kind.removeprefix('date form ')}）"
    return kind


def _dataset_label(dataset: str) -> str:
    """The dataset's Chinese name from its schema (empty when unknown)."""
    from govanalytics.data.schemas import SCHEMAS

    schema = SCHEMAS.get(dataset)
    return getattr(schema, "label_zh", "") if schema is not None else ""


def _column_label(dataset: str, column: str) -> str:
    """The column's Chinese label from the dataset's schema (its own name when unknown)."""
    from govanalytics.data.schemas import SCHEMAS

    schema = SCHEMAS.get(dataset)
    found = [c for c in (schema.columns if schema is not None else []) if c.name == column]
    return (found[0].label_zh or column) if found else column


@dataclass
class LoadReport:
    """A record of one load: where the data came from and every repair made to it.

    Repairs are the allowed, harmless fixes the loader makes instead of failing (trimmed
    whitespace, full-width digits, non-ISO date forms, yes/no words, thousands separators);
    they are counted per column and kind, never made silently.

    Parameters
    ----------
    source
        The file read (with the sheet for Excel).
    dataset
        Dataset name (a key of :data:`~govanalytics.data.SCHEMAS`).
    format
        ``"csv"``, ``"excel"``, ``"parquet"``, ``"geojson"``, ``"shapefile"`` or
        ``"geoparquet"``.
    encoding
        Text encoding used (``"utf-8"``, ``"utf-8-sig"``, ``"gb18030"``) for text formats.
    sheet
        Excel sheet read.
    rows_read
        Data rows read (header excluded).
    repairs
        ``{(column, kind): count}``.
    dropped_columns
        Source columns not in the schema, dropped from the canonical frame.
    mapped_columns
        ``{source column: canonical column}`` for every renamed column.
    absent_columns
        Optional schema columns absent from the file, returned filled with nulls (also said
        in ``notes``).
    notes
        Anything else worth knowing (checks skipped, optional columns filled with nulls).
    """

    source: str
    dataset: str
    format: str
    encoding: str | None = None
    sheet: str | None = None
    rows_read: int = 0
    repairs: dict[tuple[str, str], int] = field(default_factory=dict)
    dropped_columns: list[str] = field(default_factory=list)
    mapped_columns: dict[str, str] = field(default_factory=dict)
    absent_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add_repair(self, column: str, kind: str, count: int) -> None:
        """Add ``count`` repairs of ``kind`` in ``column`` (ignored when zero)."""
        if count:
            key = (column, kind)
            self.repairs[key] = self.repairs.get(key, 0) + int(count)

    @property
    def n_repairs(self) -> int:
        """Total number of repaired cells."""
        return sum(self.repairs.values())

    def data_notes(self) -> list[str]:
        """The repairs and warnings of this load as Chinese sentences for a report's notes.

        One sentence for all repairs (per column and kind, with counts: ``count 列去除千位分隔符
        （如 1,234）1 处``), then every note that is a warning (e.g. garbled GBK text).
        Empty when nothing was repaired and nothing is to be warned about.

        Returns
        -------
        list of str
        """
        name = _dataset_label(self.dataset) or self.source.replace("\\", "/").rsplit("/", 1)[-1]
        out = []
        if self.repairs:
            parts = "、".join(
                f"{_column_label(self.dataset, column)}列{_repair_zh(kind)} {n:,} 处"
                for (column, kind), n in sorted(self.repairs.items())
            )
            out.append(f"读取 {name} 时自动修复 {self.n_repairs:,} 处：{parts}。")
        out += [f"读取 {name}：{n}" for n in self.notes if n.startswith("warning:")]
        return out

    def to_frame(self) -> pl.DataFrame:
        """Repairs as a table with columns ``column``, ``kind``, ``count``."""
        rows = sorted(self.repairs.items())
        return pl.DataFrame(
            {
                "column": [c for (c, _), _n in rows],
                "kind": [k for (_, k), _n in rows],
                "count": [n for _, n in rows],
            },
            schema={"column": pl.String, "kind": pl.String, "count": pl.Int64},
        )

    def __str__(self) -> str:
        head = f"{self.dataset} from {self.source} ({self.format}"
        if self.encoding:
            head += f", encoding {self.encoding}"
        if self.sheet is not None:
            head += f", sheet {self.sheet!r}"
        lines = [head + f"): {self.rows_read} rows read"]
        if self.mapped_columns:
            pairs = ", ".join(f"{s!r} → {c}" for s, c in self.mapped_columns.items())
            lines.append(f"  columns mapped: {pairs}")
        if self.repairs:
            lines.append(f"  repairs ({self.n_repairs} cells):")
            for (column, kind), n in sorted(self.repairs.items()):
                lines.append(f"    - {column}: {kind} × {n}")
        else:
            lines.append("  no repairs")
        if self.dropped_columns:
            lines.append(f"  dropped columns (not in schema): {self.dropped_columns}")
        for note in self.notes:
            lines.append(f"  note: {note}")
        return "\n".join(lines)
