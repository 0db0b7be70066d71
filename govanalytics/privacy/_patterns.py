"""Patterns of personal data in Chinese government records.

References: GB 11643-1999 (citizen identification number: 6-digit region, 8-digit birth date,
3-digit sequence, ISO 7064 MOD 11-2 check digit); mobile numbers ``1[3-9]`` + 9 digits with an
optional +86; landlines ``0`` + 2–3 digit area code + 7–8 digits.
"""

from __future__ import annotations

import re

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
#: Mobile number with optional +86 / 86 and space or hyphen separators (3-4-4).
MOBILE_PATTERN = re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)")
#: Landline with area code, e.g. 0755-26881234 or 020 8888 1234.
LANDLINE_PATTERN = re.compile(r"(?<!\d)0\d{2,3}[ -]?[2-9]\d{2,3}[ -]?\d{4}(?!\d)")


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
