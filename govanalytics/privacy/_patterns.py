"""Patterns of personal data as people write them in Chinese government records.

One table of what counts as personal data, read by the masker
(:func:`~govanalytics.privacy.mask_personal_data`) and by the published-artefact gate
(:func:`~govanalytics.privacy.scan_text`), so that the two always look for the same things.

========================  ====================================================================
kind                      as written
========================  ====================================================================
``id_number``             18-digit ID-card number with a valid check digit (GB 11643-1999),
                          separators anywhere (``440301 19850312 123X``), lower-case ``x``
``id_suspect``            18 digits shaped like an ID-card number (region, birth date) but with
                          a wrong check digit: a mistyped ID or an order number
``id_number_15``          15-digit ID-card number (issued before 1999)
``mobile``                ``1[3-9]`` + 9 digits; ``+86``, ``0086``, ``(+86)``; spaces, hyphens,
                          dots, slashes, brackets between any digits (``138.2468.1357``)
``landline``              area code (``010``, ``02x``, ``0xxx``) + 7–8 digits, the local number
                          starting with any digit (``020-12345678``); ``(0755)2688 1234``;
                          ``+86 755 2688 1234``
``bank_card``             16–19 digits passing the Luhn check and starting like a payment card
                          (3, 4, 5, 6 — UnionPay 62 — or 9), groups of four allowed
``email``                 ``name@host.cn``, also ``name(at)host.cn``, ``name@host。com``
``wechat``                a WeChat ID after its cue: 微信, 微信号, VX, V信, WX, weixin, 加V …
``qq``                    a QQ number after its cue: QQ, QQ号, 扣扣, 企鹅号, ``Q:``
``address``               an address to the door: 3栋2单元1502室, 5号楼, 12号院, 3-2-1502 after
                          a building word, 富杨大道36号
========================  ====================================================================

Digits may be full-width (``１３８``; :func:`normalize_text` turns them, full-width letters
such as ``Ｘ`` and ``＠`` into ASCII first) or Chinese numerals as a number is read out
(``一三八一二三四五六七八``, 幺 for 1, 〇/零 for 0, 两 for 2).

References: GB 11643-1999 (citizen identification number: 6-digit region, 8-digit birth date,
3-digit sequence, ISO 7064 MOD 11-2 check digit); ISO/IEC 7812-1 (payment card numbers, Luhn
check digit); YD/T 2376 and the numbering plan of the MIIT (mobile ``1[3-9]``, area codes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"

#: 18-digit ID-card number, optionally written with spaces or hyphens after 6 and 14 digits.
ID18_PATTERN = re.compile(
    r"(?<![0-9A-Za-z])([1-9]\d{5})[ -]?((?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))"
    r"[ -]?(\d{3}[0-9Xx])(?![0-9A-Za-z])"
)
#: 15-digit ID-card number (issued before 1999): 6-digit region, YYMMDD, 3-digit sequence.
ID15_PATTERN = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![0-9A-Za-z])"
)
#: Mobile number with optional +86 / 0086 and space, hyphen or dot separators (3-4-4).
MOBILE_PATTERN = re.compile(
    r"(?<![\d.])(?:(?:\+|00)?86[ -]?)?1[3-9]\d[ .-]?\d{4}[ .-]?\d{4}(?![\d])"
)
#: Landline with area code, e.g. 0755-26881234, 020 1234 5678, 010-8888123.
LANDLINE_PATTERN = re.compile(r"(?<!\d)0(?:10|2\d|[3-9]\d{2})[ -]?\d{3,4}[ -]?\d{4}(?!\d)")

# --- the shared tables --------------------------------------------------------------------

#: Characters written between the digits of one number (a regex character class; the same
#: text for Python's ``re`` and polars' Rust regex).
SEPARATOR_CLASS = r"[ \t\-.·/\\()（）—_]"
#: Chinese numerals written for digits when a number is read out.
CHINESE_DIGITS: dict[str, str] = {
    "零": "0",
    "〇": "0",
    "○": "0",
    "一": "1",
    "幺": "1",
    "二": "2",
    "两": "2",
    "三": "3",
    "四": "4",
    "五": "5",
    "六": "6",
    "七": "7",
    "八": "8",
    "九": "9",
}
_CN = "".join(CHINESE_DIGITS)
_S = SEPARATOR_CLASS
#: A run of digits with up to three separator characters between them (one or more numbers
#: written in a row), with a leading ``+``/``(``; polars and Python read it alike.
DIGIT_RUN = rf"(?:[(（]?\+|[(（])?[0-9](?:{_S}{{0,3}}[0-9])*(?:{_S}?[Xx])?"
#: The same with Chinese numerals among the digits.
NUMERAL_RUN = rf"[0-9{_CN}](?:{_S}{{0,3}}[0-9{_CN}])*(?:{_S}?[Xx])?"
#: A text can hold a number of personal data only if it has seven digits in a row like this.
DIGITS_7 = rf"[0-9](?:{_S}{{0,3}}[0-9]){{6}}"
NUMERALS_7 = rf"[0-9{_CN}](?:{_S}{{0,3}}[0-9{_CN}]){{6}}"

_DOT = r"(?:\.|。|．|\s?[(（\[]dot[)）\]]\s?| dot )"
_AT = r"(?:@|\s?[(（\[]at[)）\]]\s?| at )"
#: E-mail address, also with ``(at)``/``[at]``/`` at `` and ``。``/``(dot)`` written out.
EMAIL = (
    rf"[A-Za-z0-9][A-Za-z0-9._%+\-]*{_AT}[A-Za-z0-9][A-Za-z0-9\-]*(?:{_DOT}[A-Za-z0-9\-]+)*"
    rf"{_DOT}[A-Za-z]{{2,6}}"
)
#: Words after which a WeChat ID is written (case-insensitive); an ASCII cue (VX, WX, weixin)
#: only with a separator after it (``VX: abc123``, not ``wxWidgets``).
WECHAT_CUES = ("微信号码", "微信号", "微信", "威信", "薇信", "维信", "v信", "加v")
WECHAT_ASCII_CUES = ("vx号", "vx", "wx号", "wx", "weixin", "wechat")
#: Words after which a QQ number is written (case-insensitive; the ASCII ones start a word).
QQ_CUES = ("扣扣号", "扣扣", "企鹅号")
QQ_ASCII_CUES = ("qq号码", "qq号", "qq群", "qq", "q:", "q：")
_CUE_SEP = r"(?:\s*(?:号码|号|id|ID)?\s*(?:[:：=]|是|为)?\s*)"
_CUE_SEP_REQUIRED = r"(?:\s*(?:(?:号码|号|id)\s*(?:[:：=]|是|为)?|[:：=]|是|为)\s*|\s+)"
#: Not a letter or digit: an ASCII cue starts a word (``+vx`` inside a hash is not a cue).
_WORD_START = r"(?:^|[^A-Za-z0-9])"
#: A WeChat ID (6–20 characters, a letter first, or digits) after its cue: group 1 the cue
#: and separator, group 2 the ID.
WECHAT = (
    rf"(?i)((?:{'|'.join(WECHAT_CUES)}){_CUE_SEP}"
    rf"|{_WORD_START}(?:{'|'.join(WECHAT_ASCII_CUES)}){_CUE_SEP_REQUIRED})"
    r"([A-Za-z][-_A-Za-z0-9]{5,19}|[1-9][0-9]{4,11})"
)
#: A QQ number after its cue: group 1 the cue and separator, group 2 the number.
QQ = (
    rf"(?i)((?:{'|'.join(QQ_CUES)}|{_WORD_START}(?:{'|'.join(QQ_ASCII_CUES)})){_CUE_SEP})"
    r"([1-9](?:[ -]?[0-9]){4,11})"
)
_NUM = rf"[0-9{_CN}十]{{1,4}}"
_PART = rf"(?:[A-Za-z]?{_NUM}|[A-Za-z])"
#: The first part of an address: not a lone 一/两 (一栋三层楼房 counts buildings).
_FIRST = rf"(?:[A-Za-z]?[0-9]{{1,4}}|[A-Za-z]|[{_CN}十]{{2,4}}|[二三四五六七八九十])"
_STRONG = r"(?:号院|号楼|栋|幢|单元)"
_WEAK = r"(?:座|层|楼)"
_BUILDING = r"(?:号院|号楼|栋|幢|单元|座|层|楼)"
_FLAT = rf"(?:{_PART}(?:室|号房|房|户)|[0-9]{{3,4}})"
#: Parts of an address below the estate: courtyard, building, entrance, floor, flat.
ADDRESS_PARTS = ("号院", "号楼", "栋", "幢", "座", "单元", "层", "楼", "室", "号房", "房", "户")
#: An address to the door: courtyard, building or entrance parts, maybe floors, maybe the flat
#: (3栋2单元1502室, 12号院3号楼, 5号楼, 3栋), floors with the flat (A座12层1203), or a flat
#: alone (1502室, 3-2-1502室). Floors alone (住在15楼, 4楼两层) are not an address.
ADDRESS = (
    rf"{_FIRST}(?:{_WEAK}[-－]?{_PART})*{_STRONG}[-－]?(?:{_PART}{_BUILDING}[-－]?)*{_FLAT}?"
    rf"|{_FIRST}{_WEAK}[-－]?(?:{_PART}{_WEAK}[-－]?)+{_FLAT}"
    rf"|[A-Za-z]?[0-9{_CN}]{{3,4}}(?:室|号房)"
    r"|[0-9]{1,3}[-－][0-9]{1,2}[-－][0-9]{3,4}室"
)
#: A house number after a road or an estate (富杨大道36号, 东方花园3-2-1502): group 1 the road
#: or estate word (kept), group 2 the number.
HOUSE_NUMBER = (
    r"(路|街|大道|巷|弄|胡同|小区|花园|苑|家园|公寓|大厦|新村|广场|村)"
    rf"({_NUM}(?:[-－][0-9]{{1,4}}){{0,2}}号|[0-9]{{1,3}}(?:[-－][0-9]{{1,4}}){{2}})"
)


def id_check_digit(body17: str) -> str:
    """Check digit of an 18-digit ID-card number from its first 17 digits (GB 11643-1999)."""
    total = sum(int(d) * w for d, w in zip(body17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def is_valid_id_number(value: str) -> bool:
    """True if ``value`` is an 18-digit ID-card number whose check digit is right."""
    v = value.strip().upper()
    if len(v) != 18 or not v[:17].isdigit():
        return False
    return id_check_digit(v[:17]) == v[17]


def find_id_numbers(text: str) -> list[str]:
    """18-digit ID-card numbers with a valid check digit found in ``text`` (separators removed)."""
    found = []
    for m in ID18_PATTERN.finditer(text):
        v = "".join(m.groups()).upper()
        if is_valid_id_number(v):
            found.append(v)
    return found


def luhn_valid(digits: str) -> bool:
    """True if the digit string passes the Luhn check (ISO/IEC 7812-1, payment cards)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


_FULLWIDTH = (
    {chr(0xFF10 + i): str(i) for i in range(10)}
    | {chr(0xFF21 + i): chr(0x41 + i) for i in range(26)}
    | {chr(0xFF41 + i): chr(0x61 + i) for i in range(26)}
    | {"＋": "+", "－": "-", "．": ".", "＠": "@", "＿": "_", "\u3000": " "}
)


_FULLWIDTH_TABLE = str.maketrans(_FULLWIDTH)


def normalize_text(text: str) -> str:
    """``text`` with full-width digits, letters and ``＋－．＠＿`` and the ideographic space
    made ASCII (Chinese punctuation such as ``，`` and ``（`` is kept)."""
    return text if text.isascii() else text.translate(_FULLWIDTH_TABLE)


# --- numbers ------------------------------------------------------------------------------

_ID18_SHAPE = re.compile(
    r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dX]"
)
_ID15_SHAPE = re.compile(r"[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}")
_MOBILE_SHAPE = re.compile(r"(?:0086|86)?1[3-9]\d{9}")
_LANDLINE_SHAPE = re.compile(r"0(?:10|2\d|[3-9]\d{2})\d{7,8}")
_INTL_LANDLINE_SHAPE = re.compile(r"(?:0086|86)0?(?:10|2\d|[3-9]\d{2})\d{7,8}")
_GROUP = re.compile(r"[0-9]+(?:[Xx](?![0-9A-Za-z]))?")
_RUN_RE = re.compile(DIGIT_RUN)
_NUMERAL_RUN_RE = re.compile(NUMERAL_RUN)
_CN_TABLE = str.maketrans(CHINESE_DIGITS)
#: Longest digit string looked at as one number (an 18-digit ID with ``0086`` is not a thing).
_MAX_DIGITS = 19
_SEP_NO_DOT = _S.replace(".", "")
#: A run can hold a personal number only if it has ten digits in a row with separators other
#: than dots, or groups of at most four digits joined by separators (138.2468.1357): the
#: shortest number looked for (a landline of Beijing, 010 + 7 digits) has ten.
SHAPE_HINT = (
    rf"[0-9](?:{_SEP_NO_DOT}{{0,3}}[0-9]){{9}}|[0-9]{{1,4}}(?:{_S}{{1,3}}[0-9]{{1,4}}){{2,}}"
)
_SHAPE_HINT_RE = re.compile(SHAPE_HINT)
_CN_RE = re.compile(f"[{_CN}]")


def number_kind(digits: str, *, international: bool = False) -> str | None:
    """Kind of personal number a digit string is (``None`` for none).

    Parameters
    ----------
    digits
        Digits only (an ID-card number may end in ``X``).
    international
        A ``+`` was written before the digits (``+86 755 …``: a landline without its 0).

    Returns
    -------
    str or None
        ``"id_number"``, ``"id_suspect"``, ``"id_number_15"``, ``"mobile"``, ``"landline"``,
        ``"bank_card"`` or None.
    """
    d = digits.upper()
    n = len(d)
    if n == 18 and _ID18_SHAPE.fullmatch(d):
        return "id_number" if id_check_digit(d[:17]) == d[17] else "id_suspect"
    if not d.isdigit():
        return None
    if n == 15 and _ID15_SHAPE.fullmatch(d):
        return "id_number_15"
    if _MOBILE_SHAPE.fullmatch(d):
        return "mobile"
    if _LANDLINE_SHAPE.fullmatch(d):
        return "landline"
    if (international or d.startswith("0086")) and _INTL_LANDLINE_SHAPE.fullmatch(d):
        return "landline"
    if 16 <= n <= 19 and d[0] in "34569" and luhn_valid(d):
        return "bank_card"
    return None


@dataclass(frozen=True)
class Found:
    """One piece of personal data found in a text: its kind and where it stands."""

    kind: str
    start: int
    end: int
    value: str


def written_as_one_number(sizes: list[int], text: str = "") -> bool:
    """Whether digit groups of these sizes are how people write one number.

    People split a phone, ID or card number into groups of three or more digits (138 2468
    1357, 0755-2688-1234, 4-4-4-4-2), or read it out digit by digit (1 7 7 1 2 …), after an
    optional country code (+86, 0086). Small numbers side by side — a table's columns
    (``18  247  774 -527``), a date followed by counts — are split otherwise, and reading
    them as one number would stop a clean report at the privacy gate.

    Parameters
    ----------
    sizes
        Number of digits in each group, in order.
    text
        The groups as written (a leading ``86``/``0086`` group is a country code).

    Returns
    -------
    bool
        True for one group, for groups of one digit each, and for groups of at least three
        digits where only the last may be shorter.
    """
    digits = re.sub(r"[^0-9Xx]", "", text)
    if len(sizes) > 1 and (
        (sizes[0] == 2 and digits.startswith("86")) or (sizes[0] == 4 and digits.startswith("0086"))
    ):
        sizes = sizes[1:]
    if len(sizes) <= 1 or all(n == 1 for n in sizes):
        return True
    return all(n >= 3 for n in sizes[:-1])


def _numbers_in_run(run: str, digits: str, offset: int) -> list[Found]:
    """Numbers inside one run (``digits``: the run with Chinese numerals made digits).

    The run is cut into digit groups at its separators; from each group the longest span of
    consecutive groups that reads as a personal number is taken (so ``0755 2688 1234 138
    1234 5678`` gives a landline and a mobile). A span never starts right after, nor ends
    right before, a decimal point between digits (``22.13912345678`` is a coordinate).
    """
    groups = [(m.start(), m.end()) for m in _GROUP.finditer(digits)]

    def dot(j: int) -> bool:  # a dot between group j and j + 1
        return digits[groups[j][1] : groups[j + 1][0]].strip() == "."

    def decimal(j: int) -> bool:  # ... that is a decimal point, not a separator
        left = digits[groups[j][0] : groups[j][1]]
        if left[0] == "0" and len(left) in (3, 4):  # an area code: 010.12345678
            return False
        longer = max(len(left), groups[j + 1][1] - groups[j + 1][0])
        return dot(j) and longer > 4

    found = []
    i = 0
    while i < len(groups):
        if i and dot(i - 1):
            i += 1
            continue
        best = None
        length = 0
        spans = []
        for j in range(i, len(groups)):
            length += groups[j][1] - groups[j][0]
            if length > _MAX_DIGITS + 2:
                break
            spans.append(j)
            if j + 1 < len(groups) and decimal(j):
                break
        for j in reversed(spans):
            if j + 1 < len(groups) and dot(j):
                continue
            start, end = groups[i][0], groups[j][1]
            lead = digits[:start] if i == 0 else ""
            plain = re.sub(r"[^0-9Xx]", "", digits[start:end])
            kind = number_kind(plain, international="+" in lead)
            sizes = [b - a for a, b in groups[i : j + 1]]
            if kind is not None and written_as_one_number(sizes, digits[start:end]):
                if i == 0:
                    start = 0  # the "+" or "(" written before the number goes with it
                best = Found(kind, offset + start, offset + end, plain.upper())
                i = j + 1
                break
        if best is None:
            i += 1
        else:
            found.append(best)
    return found


def find_numbers(text: str) -> list[Found]:
    """Every personal number in ``text`` (already :func:`normalize_text`-ed), in text order.

    Runs of digits with separators (:data:`DIGIT_RUN`) and runs holding Chinese numerals
    (:data:`NUMERAL_RUN`) are read by :func:`number_kind`; see the module's table.
    """
    found = []
    taken: list[tuple[int, int]] = []
    if _CN_RE.search(text):
        for m in _NUMERAL_RUN_RE.finditer(text):
            run = m.group()
            if len(run) < 10 or not _CN_RE.search(run):
                continue
            digits = run.translate(_CN_TABLE)
            if _SHAPE_HINT_RE.search(digits):
                items = _numbers_in_run(run, digits, m.start())
                found += items
                taken += [(f.start, f.end) for f in items]
    if not _SHAPE_HINT_RE.search(text):
        return found
    for m in _RUN_RE.finditer(text):
        run = m.group()
        if len(run) < 10 or not _SHAPE_HINT_RE.search(run):
            continue
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        found += _numbers_in_run(run, run, m.start())
    return sorted(found, key=lambda f: f.start)


def mask_run(run: str) -> tuple[str, list[str]]:
    """A digit or numeral run with the personal numbers in it replaced by placeholders.

    Returns the masked run and the kinds found (one per number), for the vectorised masker:
    it maps each distinct run of a column to its masked form.
    """
    digits = run.translate(_CN_TABLE)
    items = _numbers_in_run(run, digits, 0)
    if not items:
        return run, []
    parts, at = [], 0
    for f in items:
        parts += [run[at : f.start], NUMBER_PLACEHOLDERS[f.kind]]
        at = f.end
    parts.append(run[at:])
    return "".join(parts), [f.kind for f in items]


#: Placeholder of each kind of number.
NUMBER_PLACEHOLDERS: dict[str, str] = {
    "id_number": "[身份证号]",
    "id_suspect": "[疑似证件号]",
    "id_number_15": "[身份证号]",
    "mobile": "[手机号]",
    "landline": "[电话]",
    "bank_card": "[银行卡号]",
}
