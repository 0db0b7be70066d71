"""Masking personal data in free text (citizen comments, hotline tickets), vectorised in polars.

:func:`mask_personal_data` is the one masker of the package: every free text is passed through
it before anything else reads it. What it masks, in this order, and how it reads afterwards
(the forms recognised are those of :mod:`govanalytics.privacy._patterns` and
:mod:`govanalytics.privacy._names`, shared with the published-artefact gate):

================  ==================================================  =====================
kind              what                                                becomes
================  ==================================================  =====================
``email``         e-mail address, also ``(at)``/``。com`` forms         ``[邮箱]``
``id_number``     18-digit ID-card number, valid check digit          ``[身份证号]``
``id_suspect``    18 digits shaped like an ID, wrong check digit      ``[疑似证件号]``
``id_number_15``  15-digit ID-card number (pre-1999 form)             ``[身份证号]``
``mobile``        mobile number: +86/0086, any separators, Chinese    ``[手机号]``
                  numerals (一三八…), full-width digits
``landline``      area code + 7–8 digits (020-12345678, (0755)…)      ``[电话]``
``bank_card``     16–19 digits, Luhn check, card prefix               ``[银行卡号]``
``wechat``        WeChat ID after 微信/VX/WX/V信/…                     ``微信：[微信号]``
``qq``            QQ number after QQ/扣扣/企鹅号/Q:                     ``QQ：[QQ号]``
``address``       building, entrance and flat (3栋2单元1502室, 5号楼,  ``东方花园[门牌号]``
                  12号院, 3-2-1502), house number on a road
``name``          names with a title or in a signature (张先生,        ``张*``, ``市民刘**``,
                  市民刘建国) and, with ``names="all"``, after         ``我叫张**``
                  self-introductions and labels (我叫张三, 本人李某某)
================  ==================================================  =====================

Choice for ``id_suspect``: a number with the shape of an ID-card number but a wrong check digit
is either a mistyped ID or an order number. Privacy comes first, so it is masked too, with its
own placeholder so that an analyst can tell the two apart.

Full-width digits, letters and ``＋－．＠＿`` are turned into ASCII first, so that
``１３８ ００１３ ８０００`` and an ID ending in ``Ｘ`` are found too. Placeholders are bracketed
so that segmenters can drop them.

How it stays fast on millions of texts: only rows that can hold a kind are looked at (one
vectorised test each); numbers and names are found as candidates by one regular expression in
polars, each *distinct* candidate is judged once in Python (check digits, Luhn, dictionary),
and the verdicts are applied with one Aho-Corasick replacement.

Reference: GB 11643-1999 (ID-card number, ISO 7064 MOD 11-2 check digit); ISO/IEC 7812-1
(Luhn).
"""

from __future__ import annotations

from typing import Literal

import polars as pl

from govanalytics.errors import ParameterError
from govanalytics.privacy._names import SIGNATURE_LEADS, SURNAMES, TITLES, mask_names
from govanalytics.privacy._patterns import (
    _FULLWIDTH,
    ADDRESS,
    CHINESE_DIGITS,
    DIGIT_RUN,
    DIGITS_7,
    EMAIL,
    HOUSE_NUMBER,
    NUMBER_PLACEHOLDERS,
    NUMERAL_RUN,
    NUMERALS_7,
    QQ,
    QQ_ASCII_CUES,
    QQ_CUES,
    WECHAT,
    WECHAT_ASCII_CUES,
    WECHAT_CUES,
    mask_run,
)

__all__ = ["KINDS", "PLACEHOLDERS", "SIGNATURE_LEADS", "SURNAMES", "TITLES", "mask_personal_data"]

#: Placeholder of each masked kind (names keep their surname and are not listed).
PLACEHOLDERS: dict[str, str] = {
    **{k: v for k, v in NUMBER_PLACEHOLDERS.items() if k != "id_number_15"},
    "email": "[邮箱]",
    "wechat": "[微信号]",
    "qq": "[QQ号]",
    "address": "[门牌号]",
}
#: The kinds counted by :func:`mask_personal_data`, in the order they are masked.
KINDS = (
    "email",
    "id_number",
    "id_suspect",
    "id_number_15",
    "mobile",
    "landline",
    "bank_card",
    "wechat",
    "qq",
    "address",
    "name",
)
_NAME_SCOPES = ("all", "titled", "none")
_AT_OR_DOT = r"@|[(（\[]at[)）\]]| at "
_CN_CHAR = f"[{''.join(CHINESE_DIGITS)}]"
_ADDRESS_WORDS = ["栋", "幢", "单元", "号楼", "号院", "室", "号房", "号", "座", "层", "楼"]


def _rows(s: pl.Series, pattern: str | list[str] | tuple[str, ...]) -> pl.Series:
    """Rows matching the regex, holding any of the words (list) or matching every regex
    (tuple)."""
    if isinstance(pattern, list):
        hit = s.str.contains_any(pattern)
    elif isinstance(pattern, tuple):
        hit = pl.Series([True] * s.len())
        for p in pattern:
            hit = hit & s.str.contains(p)
    else:
        hit = s.str.contains(pattern)
    return hit.fill_null(False).arg_true()


def _replace_regex(
    s: pl.Series, rows_pattern: str | list[str], pattern: str, replacement: str
) -> tuple[pl.Series, int]:
    rows = _rows(s, rows_pattern)
    if rows.len() == 0:
        return s, 0
    sub = s.gather(rows)
    n = int(sub.str.count_matches(pattern).sum() or 0)
    if n:
        s = s.scatter(rows, sub.str.replace_all(pattern, replacement))
    return s, n


def _replace_runs(
    s: pl.Series,
    rows_pattern: str | tuple[str, ...],
    run_pattern: str,
    counts: dict[str, int],
    *,
    numerals: bool,
) -> pl.Series:
    """Numbers inside runs of digits: each distinct run judged once, all replaced at once.

    Every distinct run of the rows is a key of the replacement, changed or not: the leftmost
    longest key wins, so a run never has a shorter run of another row replaced inside it.
    """
    rows = _rows(s, rows_pattern)
    if rows.len() == 0:
        return s
    sub = s.gather(rows)
    runs = sub.str.extract_all(run_pattern).explode().drop_nulls().value_counts()
    keys, values, changed = [], [], False
    for run, n in runs.iter_rows():
        if numerals and not any(c in CHINESE_DIGITS for c in run):
            continue
        if sum(c.isdigit() or c in CHINESE_DIGITS for c in run) < 7:
            continue
        masked, kinds = mask_run(run)
        for kind in kinds:
            counts[kind] += n
        keys.append(run)
        values.append(masked)
        changed = changed or bool(kinds)
    if not changed:
        return s
    order = sorted(range(len(keys)), key=lambda i: -len(keys[i]))
    sub = sub.str.replace_many([keys[i] for i in order], [values[i] for i in order], leftmost=True)
    return s.scatter(rows, sub)


def _names_scope(names: object) -> str:
    if names is True:
        return "all"
    if names is False:
        return "none"
    if names not in _NAME_SCOPES:
        msg = f"parameter 'names' must be one of {_NAME_SCOPES} or a bool, got {names!r}"
        raise ParameterError(msg)
    return str(names)


def mask_personal_data(
    texts: pl.Series, *, names: Literal["all", "titled", "none"] | bool = "titled"
) -> tuple[pl.Series, dict[str, int]]:
    """Mask personal data in free text: numbers, contacts, addresses to the door and names.

    Parameters
    ----------
    texts
        Text column (``pl.String``); nulls stay null.
    names
        Which names to mask: ``"all"`` (or True) names with a title or in a signature and
        names after self-introductions, labels and kinship words (我叫张三, 本人李某某，男,
        我是王某国，…; :func:`~govanalytics.privacy.mask_names`); ``"titled"`` (the default,
        as before: callers that run their own introduced-name step keep working) only names
        with a title (张先生 → 张*) or in a signature (市民刘建国 → 市民刘**); ``"none"`` (or
        False) no names.

    Returns
    -------
    masked : pl.Series
        The text with personal data replaced by the placeholders in :data:`PLACEHOLDERS`
        (full-width digits and letters turned to ASCII).
    counts : dict
        Number of items masked per kind of :data:`KINDS`.

    Notes
    -----
    Disclosure rule: run this before anything else touches the text (segmentation, counting,
    display); outputs of :mod:`govanalytics.hotwords` only ever hold masked text. An 18-digit
    number shaped like an ID-card number but with a wrong check digit is masked as
    ``[疑似证件号]`` (it may be an order number; privacy first). A bare name in running text
    with no cue before it is not recognised. Dates, amounts, region codes, order numbers not
    shaped like an ID and coordinates are left as they are.

    Check digits follow GB 11643-1999 (ISO 7064 MOD 11-2) and ISO/IEC 7812-1 (Luhn).

    Examples
    --------
    >>> s = pl.Series(["市民刘建国反映，电话138.1234.5678，住东方花园3栋2单元1502室。"])
    >>> mask_personal_data(s)[0].to_list()
    ['市民刘**反映，电话[手机号]，住东方花园[门牌号]。']
    """
    if not isinstance(texts, pl.Series):
        msg = f"texts must be a polars Series of strings, got {type(texts).__name__}"
        raise ParameterError(msg)
    if texts.dtype != pl.String:
        msg = f"texts must be of type String, got {texts.dtype} (column {texts.name!r})"
        raise ParameterError(msg)
    scope = _names_scope(names)
    counts = dict.fromkeys(KINDS, 0)
    s = texts.str.replace_many(list(_FULLWIDTH), list(_FULLWIDTH.values()))
    s, counts["email"] = _replace_regex(s, _AT_OR_DOT, EMAIL, PLACEHOLDERS["email"])
    # numbers read out in Chinese numerals first, then runs of digits
    s = _replace_runs(s, (_CN_CHAR, NUMERALS_7), NUMERAL_RUN, counts, numerals=True)
    s = _replace_runs(s, DIGITS_7, DIGIT_RUN, counts, numerals=False)
    s, counts["wechat"] = _replace_regex(
        s,
        f"(?i){'|'.join((*WECHAT_CUES, *WECHAT_ASCII_CUES))}",
        WECHAT,
        "${1}" + PLACEHOLDERS["wechat"],
    )
    s, counts["qq"] = _replace_regex(
        s, f"(?i){'|'.join((*QQ_CUES, *QQ_ASCII_CUES))}", QQ, "${1}" + PLACEHOLDERS["qq"]
    )
    s, n_door = _replace_regex(s, _ADDRESS_WORDS, ADDRESS, PLACEHOLDERS["address"])
    s, n_house = _replace_regex(
        s, r"号|[0-9][-－][0-9]", HOUSE_NUMBER, "${1}" + PLACEHOLDERS["address"]
    )
    counts["address"] = n_door + n_house
    if scope != "none":
        s, counts["name"] = mask_names(s, introduced=scope == "all")
    return s, counts
