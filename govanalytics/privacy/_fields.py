"""Masking structured personal fields (ID-card number, phone, address) for display.

:mod:`govanalytics.privacy._mask` finds personal data inside free text; this module masks a
column that *is* a personal field, keeping just enough for a clerk to match a record in hand
and nothing that identifies a person on its own.

Disclosure rule (展示规则)
------------------------
==============  =============================================  ============================
field           kept                                           example
==============  =============================================  ============================
``id_number``   18 characters: the 6-digit region code and     ``440301********123X``
                the last 4 (sequence + check digit); the
                8-digit birth date is hidden. 15 characters
                (pre-1999 form): region code and the 3-digit   ``440301******123``
                sequence; the 6-digit birth date is hidden.
``phone``       mobile (11 digits, ``+86`` dropped): the       ``138****5678``
                3-digit network prefix and the last 4.
                Landline: the area code and the last 4 of the  ``0755****1234``
                subscriber number.
``address``     the administrative part only, up to the first  ``江海市竹南社区***``
                社区 / 村 / 街道 / 镇 / 乡 (thousands of
                residents); house, building and road hidden.
other fields    nothing (employer, disability, name, …)        ``***``
==============  =============================================  ============================

Values of any other shape (a 12-character "ID", an extension number, an address without a
community, street or town) are withheld wholly (``***``): a rule that cannot tell which
characters identify a person keeps none. Nulls stay null; empty strings stay empty. Spaces,
hyphens, brackets and full-width digits are removed before the shape is judged, so
``138 1234 5678`` and ``１３８１２３４５６７８`` are masked like ``13812345678``.

Why these characters: the region code of an ID-card number names a county (hundreds of
thousands of people), a mobile prefix a network, an area code a city; the last four characters
alone match nothing. The hidden parts — birth date, the middle of a number, the house — are
what, joined to the kept parts, single a person out. A masked value therefore never holds a
run of more than 6 digits: it can no longer be read as an ID-card or phone number
(:func:`~govanalytics.privacy.find_id_numbers`, :data:`~govanalytics.privacy.MOBILE_PATTERN`).

References: GB 11643-1999 (citizen identification number: region, birth date, sequence, check
digit); GB/T 35273-2020 (信息安全技术 个人信息安全规范), de-identified display of personal
information on screens and paper (展示限制).
"""

from __future__ import annotations

import polars as pl

from govanalytics.privacy._patterns import _FULLWIDTH

__all__ = [
    "MASKED_FIELDS",
    "WITHHELD",
    "mask_address",
    "mask_field",
    "mask_id_number",
    "mask_phone",
]

#: What stands for a value withheld wholly.
WITHHELD = "***"
#: Fields masked by their own rule by :func:`mask_field`; every other field is withheld.
MASKED_FIELDS = ("id_number", "phone", "address")

_SEPARATORS = r"[\s\-－()（）]"
_ADMIN_UNIT = r"^(.*?(?:社区|村|街道|镇|乡))"


def _expr(value: str | pl.Expr) -> pl.Expr:
    return pl.col(value) if isinstance(value, str) else value


def _compact(value: str | pl.Expr) -> pl.Expr:
    """The value as text, full-width digits made ASCII, separators removed."""
    return (
        _expr(value).cast(pl.String).str.replace_many(_FULLWIDTH).str.replace_all(_SEPARATORS, "")
    )


def mask_id_number(expr: str | pl.Expr) -> pl.Expr:
    """Mask ID-card numbers: region code and sequence kept, birth date hidden.

    Parameters
    ----------
    expr
        Column name or expression holding ID-card numbers as text.

    Returns
    -------
    pl.Expr
        18 characters → first 6 + ``********`` + last 4 (``440301********123X``, lower-case
        ``x`` made upper-case); 15 characters (pre-1999 form) → first 6 + ``******`` + last 3;
        any other length → ``***``; empty → empty; null → null.

    Notes
    -----
    Disclosure rule: the 8-digit (or 6-digit) birth date is never shown, so a masked value
    holds at most 6 consecutive digits and fails the GB 11643-1999 check of
    :func:`~govanalytics.privacy.is_valid_id_number`. A value that is not 15 or 18 characters
    long cannot be split into region, birth date and sequence and is withheld wholly. The
    region code and the last four characters let a clerk match a card in hand.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"id_number": ["44030119800101123x", "440301800101123", "123"]})
    >>> df.select(mask_id_number("id_number"))["id_number"].to_list()
    ['440301********123X', '440301******123', '***']
    """
    v = _compact(expr).str.to_uppercase()
    n = v.str.len_chars()
    return (
        pl.when(n == 18)
        .then(v.str.slice(0, 6) + pl.lit("*" * 8) + v.str.slice(14, 4))
        .when(n == 15)
        .then(v.str.slice(0, 6) + pl.lit("*" * 6) + v.str.slice(12, 3))
        .when(n == 0)
        .then(pl.lit(""))
        .when(v.is_not_null())
        .then(pl.lit(WITHHELD))
    )


def mask_phone(expr: str | pl.Expr) -> pl.Expr:
    """Mask phone numbers: network prefix or area code and the last 4 digits kept.

    Parameters
    ----------
    expr
        Column name or expression holding phone numbers (text or integers).

    Returns
    -------
    pl.Expr
        Mobile (``1[3-9]`` + 9 digits, an optional ``+86`` / ``86`` dropped) → first 3 +
        ``****`` + last 4 (``138****5678``); landline (``0`` + area code + 7–8 digits) → area
        code (3 digits for 010 and 02x, else 4) + ``****`` + last 4 (``0755****1234``); any
        other shape (extensions, service numbers, short or garbled values) → ``***``; empty →
        empty; null → null.

    Notes
    -----
    Disclosure rule: at least the 4 digits after the prefix (mobile) or the first digits of
    the subscriber number (landline) are hidden, and always by exactly ``****``, so that the
    length of a landline is not shown either. A masked value holds at most 4 consecutive
    digits after its prefix and never matches :data:`~govanalytics.privacy.MOBILE_PATTERN`
    or :data:`~govanalytics.privacy.LANDLINE_PATTERN`.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"phone": ["+86 138-1234-5678", "0755-26881234", "12345"]})
    >>> df.select(mask_phone("phone"))["phone"].to_list()
    ['138****5678', '0755****1234', '***']
    """
    v = _compact(expr).str.replace(r"^\+?86(1[3-9]\d{9})$", "${1}")
    mobile = v.str.contains(r"^1[3-9]\d{9}$")
    short_area = v.str.contains(r"^0(?:10|2\d)\d{7,8}$")
    long_area = v.str.contains(r"^0[3-9]\d{2}\d{7,8}$")
    return (
        pl.when(mobile)
        .then(v.str.slice(0, 3) + pl.lit("****") + v.str.slice(-4))
        .when(short_area)
        .then(v.str.slice(0, 3) + pl.lit("****") + v.str.slice(-4))
        .when(long_area)
        .then(v.str.slice(0, 4) + pl.lit("****") + v.str.slice(-4))
        .when(v.str.len_chars() == 0)
        .then(pl.lit(""))
        .when(v.is_not_null())
        .then(pl.lit(WITHHELD))
    )


def mask_address(expr: str | pl.Expr) -> pl.Expr:
    """Mask addresses: only the administrative part up to the community or street is kept.

    Parameters
    ----------
    expr
        Column name or expression holding addresses as text.

    Returns
    -------
    pl.Expr
        The address up to the first 社区 (community), 村 (village), 街道 (street), 镇 (town) or
        乡 (township), followed by ``***`` (``江海市竹南社区***``); an address holding none of
        these → ``***``; empty → empty; null → null.

    Notes
    -----
    Disclosure rule: road, house number, building and room are never shown; what is kept
    names an area of thousands of residents. An address whose administrative part cannot be
    found is withheld wholly rather than cut at a guessed length (the first characters of a
    bare road name would locate a person far better). Spaces are removed.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"address": ["江海市竹南社区富杨大道36号", "富杨大道36号"]})
    >>> df.select(mask_address("address"))["address"].to_list()
    ['江海市竹南社区***', '***']
    """
    v = _expr(expr).cast(pl.String).str.replace_all(r"\s", "")
    head = v.str.extract(_ADMIN_UNIT, 1)
    return (
        pl.when(head.is_not_null())
        .then(head + pl.lit(WITHHELD))
        .when(v.str.len_chars() == 0)
        .then(pl.lit(""))
        .when(v.is_not_null())
        .then(pl.lit(WITHHELD))
    )


def mask_field(field: str | pl.Expr, value: str | pl.Expr) -> pl.Expr:
    """Mask a value by the kind of field it belongs to (long tables of field/value pairs).

    Parameters
    ----------
    field
        Column name or expression naming each row's field. Use ``pl.lit("phone")`` for a
        fixed field.
    value
        Column name or expression holding the value as text.

    Returns
    -------
    pl.Expr
        :func:`mask_id_number` where the field is ``id_number``, :func:`mask_phone` for
        ``phone``, :func:`mask_address` for ``address``, and ``***`` for every other field
        (employer, disability, name, …); null values stay null.

    Notes
    -----
    Disclosure rule: as each masker's; a field without a rule of its own (:data:`MASKED_FIELDS`
    lists those that have one) is withheld wholly — a new field is never published by default.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"field": ["phone", "employer"], "value": ["13812345678", "某公司"]})
    >>> df.select(mask_field("field", "value"))["value"].to_list()
    ['138****5678', '***']
    """
    f = _expr(field)
    v = _expr(value).cast(pl.String)
    return (
        pl.when(f == "id_number")
        .then(mask_id_number(v))
        .when(f == "phone")
        .then(mask_phone(v))
        .when(f == "address")
        .then(mask_address(v))
        .when(v.is_not_null())
        .then(pl.lit(WITHHELD))
    )
