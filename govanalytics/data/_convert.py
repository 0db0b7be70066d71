"""Conversion of source columns to their schema types, as polars expressions.

Every conversion is an expression so that the same code serves an eager load and a lazy
scan. A conversion yields the converted value, a flag for the rows that could not be
converted (reported as wrong type, with the row) and one flag per kind of allowed repair
(counted in the :class:`~govanalytics.data.LoadReport`).

Allowed repairs: trimmed whitespace; full-width digits and letters (``'１２３'``) to
half-width in code-like and non-text columns; thousands separators (``'1,234'``); whole
numbers written with a decimal point (``'12.0'``, common in Excel exports); yes/no words
(``Y/N``, ``是/否``, ``1/0``, ``true/false``) to booleans; the date forms ``2024/3/5``
(also ``2024.3.5``, ``2024-3-5``), ``2024年3月5日``, ``20240305`` and Excel serial numbers
(1900 date system), each optionally with a time of day; codes written as their Chinese
labels (``男``/``女``, ``12345热线``, ``社区核验``, service names) to the codes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from govanalytics.data._schema import Column
from govanalytics.data.schemas import (
    CAPACITY_TYPES,
    CHANNELS_ZH,
    SERVICE_TYPES,
    VERIFICATION_LEVELS_ZH,
)

#: Columns whose values are personal data: never shown in error messages.
PERSONAL_COLUMNS = frozenset({"id_number", "phone", "name"})

_FULL = [chr(c) for c in range(0xFF10, 0xFF1A)] + [chr(c) for c in range(0xFF21, 0xFF3B)]
_FULL += [chr(c) for c in range(0xFF41, 0xFF5B)] + ["\u3000", "\uff0d", "\uff0e", "\uff0f"]
_FULL += ["\uff1a", "\uff0b"]
_HALF = [chr(ord(c) - 0xFEE0) for c in _FULL[:62]] + [" ", "-", ".", "/", ":", "+"]

_TIME = r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{1,2})(?::(?P<S>\d{1,2})(?P<f>\.\d{1,9})?)?)?"
#: (repair kind or None for ISO, regular expression with groups y, m, d and optional time).
DATE_FORMS: tuple[tuple[str | None, str], ...] = (
    (
        None,
        r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
        r"(?:[ T](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?P<f>\.\d{1,9})?)?)?$",
    ),
    ("date form 2024/3/5", r"^(?P<y>\d{4})[/.\-](?P<m>\d{1,2})[/.\-](?P<d>\d{1,2})" + _TIME + "$"),
    (
        "date form 2024年3月5日",
        r"^(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日\s*"
        r"(?:(?P<H>\d{1,2})\s*[:时]\s*(?P<M>\d{1,2})(?:\s*[:分]\s*(?P<S>\d{1,2})\s*秒?)?\s*分?)?$",
    ),
    (
        "date form 20240305",
        r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2}))?$",
    ),
    (
        "month 2024-03 read as its first day",
        r"^(?P<y>\d{4})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*月?$",
    ),
)
#: Markers of a missing value in numeric and date columns (read as empty, counted).
MISSING_MARKERS = (
    "NA",
    "N/A",
    "n/a",
    "NaN",
    "nan",
    "null",
    "NULL",
    "None",
    "-",
    "--",
    "—",
    "/",
    "／",
)
MISSING_REPAIR = "missing-value marker read as empty"
#: Region codes of 6 (GB/T 2260) or 9 digits (township) padded to the 12-digit form.
CODE_PADDING_REPAIR = "6- or 9-digit region code padded to 12 digits"
EXCEL_SERIAL = "Excel serial date"
_SERIAL_PATTERN = r"^\d{1,5}(?:\.\d+)?$"
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)

_TRUE = ("true", "t", "y", "yes", "1", "是", "有", "真", "对")
_FALSE = ("false", "f", "n", "no", "0", "否", "无", "假", "错")
_BOOL_WORDS = {w: True for w in _TRUE} | {w: False for w in _FALSE}


def _invert(mapping: dict[str, str]) -> dict[str, str]:
    return {label: code for code, label in mapping.items()}


#: Chinese labels accepted for the codes of coded columns, by column name.
CODE_LABELS: dict[str, dict[str, str]] = {
    "sex": {"男": "M", "女": "F", "男性": "M", "女性": "F"},
    "level": {
        "区": "district",
        "县": "district",
        "区县": "district",
        "街道": "street",
        "镇": "street",
        "乡": "street",
        "街道/镇": "street",
        "社区": "community",
        "村": "community",
        "社区/村": "community",
    },
    "service_type": _invert(SERVICE_TYPES),
    "verification_level": _invert(VERIFICATION_LEVELS_ZH),
    "channel": _invert(CHANNELS_ZH) | {"12345": "hotline_12345", "热线": "hotline_12345"},
    "capacity_type": _invert(CAPACITY_TYPES),
    "action": {"浏览": "view", "查看": "view", "申请": "apply", "办理": "apply"},
    "status": {
        "已提交": "submitted",
        "已受理": "accepted",
        "不予受理": "rejected",
        "已办结": "completed",
    },
}


def code_labels(column: Column) -> dict[str, str]:
    """Chinese labels accepted for ``column``'s codes (only codes it allows)."""
    if column.allowed is None:
        return {}
    allowed = set(column.allowed)
    return {k: v for k, v in CODE_LABELS.get(column.name, {}).items() if v in allowed}


@dataclass
class Conversion:
    """One column's conversion: value, failure flag and repair flags (all expressions)."""

    value: pl.Expr
    failed: pl.Expr
    shown: pl.Expr
    repairs: dict[str, pl.Expr] = field(default_factory=dict)


def target_dtype(column: Column) -> pl.DataType:
    """The exact polars type a column is converted to (``Datetime`` means microseconds)."""
    dtype = column.dtype
    if dtype is pl.Datetime or (isinstance(dtype, pl.Datetime) and dtype.time_unit is None):
        return pl.Datetime("us")
    return dtype() if isinstance(dtype, type) else dtype


def type_label(dtype: pl.DataType) -> str:
    """A short description of a type for messages."""
    if dtype == pl.Date:
        return "a date"
    if isinstance(dtype, pl.Datetime):
        return "a date-time"
    if dtype == pl.Boolean:
        return "yes/no (true/false, 是/否, Y/N, 1/0)"
    if dtype.is_integer():
        return f"a whole number ({dtype})"
    if dtype.is_float():
        return "a number"
    return str(dtype)


def is_code_like(column: Column) -> bool:
    """Whether full-width characters in a text column may be normalised (codes, ids)."""
    return bool(
        column.pattern
        or column.allowed
        or column.check
        or column.references
        or column.name.endswith(("_code", "_id", "_key", "_number", "_type"))
        or column.name in {"phone", "sex", "level", "channel", "status", "action"}
    )


def _clean_text(raw: pl.Expr, column: Column, target: pl.DataType) -> tuple[pl.Expr, dict]:
    repairs: dict[str, pl.Expr] = {}
    trimmed = raw.str.strip_chars()
    repairs["trimmed whitespace"] = trimmed != raw
    value = trimmed
    if target != pl.String or is_code_like(column):
        half = trimmed.str.replace_many(_FULL, _HALF)
        repairs["full-width to half-width"] = half != trimmed
        value = half.str.strip_chars()
    value = pl.when(value.str.len_chars() > 0).then(value)
    return value, repairs


def _parse_number(v: pl.Expr, target: pl.DataType, repairs: dict) -> pl.Expr:
    integer = target.is_integer()
    sep = r"^[+-]?\d{1,3}(?:,\d{3})+" + ("$" if integer else r"(?:\.\d+)?$")
    has_sep = v.str.contains(sep)
    repairs["thousands separator removed"] = has_sep
    plain = pl.when(has_sep).then(v.str.replace_all(",", "", literal=True)).otherwise(v)
    if not integer:
        return plain.cast(pl.Float64, strict=False).cast(target, strict=False)
    as_int = plain.cast(pl.Int64, strict=False)
    integral = as_int.is_null() & plain.str.contains(r"^[+-]?\d+\.0+$")
    repairs["whole number written as decimal"] = integral
    fixed = pl.when(integral).then(plain.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False))
    return pl.coalesce(as_int, fixed).cast(target, strict=False)


def _parse_datetime(
    v: pl.Expr, target: pl.DataType, repairs: dict, date_form: str | None = None
) -> pl.Expr:
    parsed: list[pl.Expr] = []
    if date_form:  # the form the user declared (project file ``date_form``) is tried first
        parsed.append(v.str.strptime(pl.Datetime("us"), date_form, strict=False))
    for kind, regex in DATE_FORMS:
        g = v.str.extract_groups(regex).struct
        text = pl.format(
            "{}-{}-{} {}:{}:{}{}",
            g.field("y"),
            g.field("m").str.zfill(2),
            g.field("d").str.zfill(2) if "(?P<d>" in regex else pl.lit("01"),
            g.field("H").fill_null("0").str.zfill(2) if "(?P<H>" in regex else pl.lit("00"),
            g.field("M").fill_null("0").str.zfill(2) if "(?P<M>" in regex else pl.lit("00"),
            g.field("S").fill_null("0").str.zfill(2) if "(?P<S>" in regex else pl.lit("00"),
            g.field("f").fill_null("") if "(?P<f>" in regex else pl.lit(""),
        )
        value = text.str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S%.f", strict=False)
        if kind is not None:
            earlier = pl.all_horizontal([p.is_null() for p in parsed]) if parsed else True
            repairs[kind] = value.is_not_null() & earlier
        parsed.append(value)
    serial = pl.when(v.str.contains(_SERIAL_PATTERN)).then(v.cast(pl.Float64, strict=False))
    serial = pl.when((serial >= 1) & (serial != 60) & (serial < 2958466)).then(serial)
    days = pl.when(serial < 60).then(serial + 1).otherwise(serial)
    excel = pl.lit(_EXCEL_EPOCH, dtype=pl.Datetime("us")) + pl.duration(
        milliseconds=(days * 86_400_000).round(0).cast(pl.Int64)
    )
    repairs[EXCEL_SERIAL] = excel.is_not_null() & pl.all_horizontal([p.is_null() for p in parsed])
    parsed.append(excel)
    out = pl.coalesce(parsed)
    if target == pl.Date:
        repairs["time of day dropped"] = out.dt.time() != pl.lit(dt.time(0))
        return out.dt.date()
    return out.cast(target)


def _from_text(
    raw: pl.Expr, column: Column, target: pl.DataType, date_form: str | None = None
) -> tuple[pl.Expr, dict]:
    v, repairs = _clean_text(raw, column, target)
    if target != pl.String:
        marker = v.is_in(list(MISSING_MARKERS))
        repairs[MISSING_REPAIR] = marker
        v = pl.when(~marker).then(v)
    if target == pl.String:
        labels = code_labels(column)
        if labels:
            # a code written as its Chinese label ('男', '12345热线', '社区核验')
            labelled = v.is_in(list(labels)) & ~v.is_in(list(column.allowed or ()))
            repairs["Chinese label to code"] = labelled
            v = pl.when(labelled).then(v.replace(labels)).otherwise(v)
        if column.pattern is not None:
            # a digits-only code written as a decimal by a spreadsheet: '449901000000.0'
            stripped = v.str.replace(r"\.0+$", "")
            decimal = v.str.contains(r"^\d+\.0+$") & stripped.str.contains(
                f"^(?:{column.pattern})$"
            )
            repairs["'.0' removed from code"] = decimal
            v = pl.when(decimal).then(stripped).otherwise(v)
            if column.pattern == r"\d{12}":
                short = v.str.contains(r"^(?:\d{6}|\d{9})$")
                repairs[CODE_PADDING_REPAIR] = short
                v = pl.when(short).then(v.str.pad_end(12, "0")).otherwise(v)
        if column.check == "id_number":
            upper = v.str.to_uppercase()
            repairs["lower-case x in ID number"] = upper != v
            v = upper
        return v, repairs
    if target.is_numeric():
        return _parse_number(v, target, repairs), repairs
    if target == pl.Boolean:
        lower = v.str.to_lowercase()
        repairs["yes/no word to boolean"] = lower.is_in(
            [w for w in _BOOL_WORDS if w not in ("true", "false")]
        )
        out = lower.replace_strict(_BOOL_WORDS, default=None, return_dtype=pl.Boolean)
        return out, repairs
    if target == pl.Date or isinstance(target, pl.Datetime):
        return _parse_datetime(v, target, repairs, date_form), repairs
    return v.cast(target, strict=False), repairs


def convert(
    raw: pl.Expr,
    source_dtype: pl.DataType,
    column: Column,
    *,
    repair_text: bool = True,
    date_form: str | None = None,
) -> Conversion:
    """Build the conversion of ``raw`` (of ``source_dtype``) to ``column``'s type.

    Parameters
    ----------
    raw
        Expression of the source values.
    source_dtype
        Type of the source values (``pl.String`` for CSV and Excel, read as text).
    column
        The canonical column declaration.
    repair_text
        Clean text kept as text (trim, full-width to half-width). ``False`` takes stored
        text columns as they are (the lazy scan of large typed files: checked, not repaired).
    date_form
        A ``strftime`` form (``"%d/%m/%Y"``) tried before the automatic date forms.

    Returns
    -------
    Conversion
        ``value`` (aliased to the column name), ``failed`` (True where a non-empty source
        value could not be converted), ``shown`` (source values as text, for messages) and
        the repair flags by kind.
    """
    target = target_dtype(column)
    repairs: dict[str, pl.Expr] = {}
    if source_dtype == target and (target != pl.String or not repair_text):
        # nothing to convert: nothing can fail (keeps the scan of large files cheap)
        shown = raw.cast(pl.String)
        return Conversion(value=raw.alias(column.name), failed=pl.lit(False), shown=shown)
    if source_dtype == pl.String:
        value, repairs = _from_text(raw, column, target, date_form)
        present = raw.str.strip_chars().str.len_chars() > 0
        if target != pl.String:
            present = present & ~raw.str.strip_chars().is_in(list(MISSING_MARKERS))
        shown = raw
    elif isinstance(source_dtype, pl.Datetime) and target == pl.Date:
        value, present, shown = raw.dt.date(), raw.is_not_null(), raw.cast(pl.String)
    elif isinstance(source_dtype, pl.Datetime) and isinstance(target, pl.Datetime):
        value = raw
        if source_dtype.time_zone is not None:
            value = value.dt.convert_time_zone("Asia/Shanghai").dt.replace_time_zone(None)
            repairs["time zone converted to Asia/Shanghai"] = raw.is_not_null()
        value, present, shown = value.cast(target), raw.is_not_null(), raw.cast(pl.String)
    elif source_dtype.is_numeric() and target == pl.String:
        as_text = (
            pl.when(raw == raw.round(0)).then(raw.cast(pl.Int64, strict=False)).cast(pl.String)
            if source_dtype.is_float()
            else raw.cast(pl.String)
        )
        value, repairs = _from_text(as_text, column, target)
        repairs["number read as text"] = raw.is_not_null()
        present, shown = raw.is_not_null(), raw.cast(pl.String)
    elif source_dtype.is_numeric() and (target.is_numeric() or target == pl.Boolean):
        if source_dtype.is_float() and target.is_integer():
            whole = raw == raw.round(0)
            value = pl.when(whole).then(raw).cast(target, strict=False)
        else:
            value = raw.cast(target, strict=False)
        present, shown = raw.is_not_null(), raw.cast(pl.String)
    else:
        as_text = raw.cast(pl.String, strict=False)
        value, repairs = _from_text(as_text, column, target, date_form)
        present, shown = raw.is_not_null(), as_text
    failed = (present.fill_null(False) & value.is_null()).fill_null(False)
    return Conversion(value=value.alias(column.name), failed=failed, shown=shown, repairs=repairs)
