"""Masking personal data in free text (citizen comments, hotline tickets), vectorised in polars.

What is masked, in this order, and how it reads afterwards:

========================  ===========================================  ==================
kind                      what                                         becomes
========================  ===========================================  ==================
``id_number``             18-digit ID-card number, valid check digit   ``[身份证号]``
                          (also spaced / hyphenated, lower-case x)
``id_suspect``            18 digits shaped like an ID (region, birth   ``[疑似证件号]``
                          date) but with a wrong check digit
``id_number_15``          15-digit ID-card number (pre-1999 form)      ``[身份证号]``
``mobile``                mobile number, optional +86, separators      ``[手机号]``
``landline``              landline with area code (0xx[x]-xxxxxxx[x])   ``[电话]``
``name``                  surname + title (张先生, 李女士, 王阿姨),     ``张*``, ``市民刘**``
                          or a name in a signature (市民刘建国,
                          联系人：刘建国)
========================  ===========================================  ==================

Choice for ``id_suspect``: a number with the shape of an ID-card number but a wrong check digit
is either a mistyped ID or an order number. Privacy comes first, so it is masked too, with its
own placeholder so that an analyst can tell the two apart.

Full-width digits and signs (０-９, ＋, －, full-width space) are turned into ASCII first, so that
``１３８ ００１３ ８０００`` is found too. Placeholders are bracketed so that segmenters can drop them.

Reference: GB 11643-1999 (ID-card number, ISO 7064 MOD 11-2 check digit).
"""

from __future__ import annotations

import polars as pl

from govanalytics.errors import ParameterError
from govanalytics.privacy._patterns import id_check_digit

#: Placeholder of each masked kind of number.
PLACEHOLDERS: dict[str, str] = {
    "id_number": "[身份证号]",
    "id_suspect": "[疑似证件号]",
    "mobile": "[手机号]",
    "landline": "[电话]",
}

#: Common Chinese surnames recognised before a title or in a signature.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏"
    "苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
    "万钱严覃武戴莫孔向汤欧"
)
#: Titles that follow a surname in citizen letters and hotline records.
TITLES = ("先生", "女士", "小姐", "阿姨", "大爷", "大妈", "师傅", "老伯", "奶奶", "爷爷")
#: Words that introduce a name in a signature or a hotline record.
SIGNATURE_LEADS = ("市民", "业主", "居民", "来电人", "联系人", "反映人", "投诉人", "署名", "落款")

_FULLWIDTH = {chr(0xFF10 + i): str(i) for i in range(10)} | {"＋": "+", "－": "-", "\u3000": " "}
_B = r"(^|[^0-9A-Za-z+])"  # left boundary (captured, put back)
_E = r"([^0-9A-Za-z]|$)"  # right boundary (captured, put back)
_ID18_CORE = (
    r"[1-9]\d{5}[ -]?(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[ -]?\d{3}[0-9Xx]"
)
_ID15_CORE = r"[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}"
_MOBILE_CORE = r"(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}"
_LANDLINE_CORE = r"0\d{2,3}[ -]?[2-9]\d{2,3}[ -]?\d{4}"
_SUR = f"[{SURNAMES}]"
_TITLE_RE = f"({_SUR})(?:\\p{{Han}}{{1,2}}?)?(?:{'|'.join(TITLES)})"
_SIGN_RE = (
    f"({'|'.join(SIGNATURE_LEADS)})([:：]?)({_SUR})\\p{{Han}}{{1,2}}"
    r"([，。,.!！;；、\s—-]|反映|来电|投诉|表示|称|$)"
)


def _valid18(candidate: str) -> bool:
    digits = candidate.replace(" ", "").replace("-", "").upper()
    return id_check_digit(digits[:17]) == digits[17]


def _replace_bounded(s: pl.Series, core: str, placeholder: str) -> pl.Series:
    pattern = f"{_B}{core}{_E}"
    # twice: a match consumes its right boundary, which may be the left boundary of the next
    for _ in range(2):
        s = s.str.replace_all(pattern, f"${{1}}{placeholder}${{2}}")
    return s


def _mask_numbers(s: pl.Series) -> tuple[pl.Series, dict[str, int]]:
    """ID-card numbers, mobiles and landlines of texts that hold digits."""
    counts: dict[str, int] = {}
    # 18-digit IDs: find candidates, validate check digits on the distinct ones, replace them
    cand = (
        s.str.extract_all(f"{_B}{_ID18_CORE}{_E}")
        .explode()
        .drop_nulls()
        .str.replace_all(r"^[^0-9]|[^0-9Xx]$", "")
    )
    distinct = cand.unique().to_list()
    valid = [c for c in distinct if _valid18(c)]
    suspect = [c for c in distinct if not _valid18(c)]
    valid_set = set(valid)
    counts["id_number"] = sum(1 for c in cand.to_list() if c in valid_set)
    counts["id_suspect"] = cand.len() - counts["id_number"]
    # longest first so that a spaced form is not cut by a shorter one
    for found, placeholder in ((valid, "[身份证号]"), (suspect, "[疑似证件号]")):
        if found:
            found = sorted(found, key=len, reverse=True)
            s = s.str.replace_many(found, [placeholder] * len(found))
    for kind, core in (
        ("id_number_15", _ID15_CORE),
        ("mobile", _MOBILE_CORE),
        ("landline", _LANDLINE_CORE),
    ):
        placeholder = PLACEHOLDERS["id_number" if kind == "id_number_15" else kind]
        counts[kind] = int(s.str.count_matches(core).sum() or 0)
        if counts[kind]:
            s = _replace_bounded(s, core, placeholder)
            counts[kind] -= int(s.str.count_matches(core).sum() or 0)
    return s, counts


def mask_personal_data(texts: pl.Series, *, names: bool = True) -> tuple[pl.Series, dict[str, int]]:
    """Mask ID-card numbers, phone numbers and names in free text.

    Parameters
    ----------
    texts
        Text column (``pl.String``); nulls stay null.
    names
        Also mask names standing with a title (张先生 → 张*) or in a signature
        (市民刘建国 → 市民刘**). Default True.

    Returns
    -------
    masked : pl.Series
        The text with personal data replaced by the placeholders in :data:`PLACEHOLDERS`
        (full-width digits turned to ASCII).
    counts : dict
        Number of items masked per kind: ``id_number``, ``id_suspect``, ``id_number_15``,
        ``mobile``, ``landline``, ``name``.

    Notes
    -----
    Disclosure rule: run this before anything else touches the text (segmentation, counting,
    display); outputs of :mod:`govanalytics.hotwords` only ever hold masked text. An 18-digit
    number shaped like an ID-card number but with a wrong check digit is masked as
    ``[疑似证件号]`` (it may be an order number; privacy first). Names are found only next to a
    title or a signature word: a bare name in running text is not recognised.

    Check digits follow GB 11643-1999 (ISO 7064 MOD 11-2).

    Examples
    --------
    >>> s = pl.Series(["市民刘建国反映，电话138-1234-5678。"])
    >>> mask_personal_data(s)[0].to_list()
    ['市民刘**反映，电话[手机号]。']
    """
    if not isinstance(texts, pl.Series):
        msg = f"texts must be a polars Series of strings, got {type(texts).__name__}"
        raise ParameterError(msg)
    if texts.dtype != pl.String:
        msg = f"texts must be of type String, got {texts.dtype} (column {texts.name!r})"
        raise ParameterError(msg)
    counts: dict[str, int] = {}
    s = texts.str.replace_many(_FULLWIDTH)
    # only texts with a run of digits can hold numbers: mask those rows alone
    rows = s.str.contains(r"\d(?:[ -]?\d){6}").fill_null(False).arg_true()
    sub, counts = _mask_numbers(s.gather(rows))
    s = s.scatter(rows, sub)
    n_names = 0
    if names:
        rows = s.str.contains_any([*TITLES, *SIGNATURE_LEADS]).fill_null(False).arg_true()
        sub = s.gather(rows)
        n_names += int(sub.str.count_matches(_TITLE_RE).sum() or 0)
        sub = sub.str.replace_all(_TITLE_RE, "${1}*")
        n_names += int(sub.str.count_matches(_SIGN_RE).sum() or 0)
        sub = sub.str.replace_all(_SIGN_RE, "${1}${2}${3}**${4}")
        s = s.scatter(rows, sub)
    counts["name"] = n_names
    return s, counts
