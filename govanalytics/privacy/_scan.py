"""The privacy gate: scan every artifact of a report for personal data before it is published.

What is found — the same table the masker works from (:mod:`govanalytics.privacy._patterns`),
in full-width or ASCII, with any separators, in Chinese numerals:

* numbers: 18-digit ID-card numbers whose GB 11643-1999 check digit is valid, 15-digit
  ID-card numbers, mobile numbers (``+86``/``0086``), landlines with an area code, bank-card
  numbers (Luhn check, card prefix); an 18-digit number with a wrong check digit is not a hit
  (the masker masks it as ``[疑似证件号]``; published tables may hold order numbers);
* contacts: e-mail addresses, WeChat IDs and QQ numbers after their cues;
* addresses to the door: building, entrance and flat (3栋2单元1502室, 5号楼, 1502室), house
  numbers on a road;
* credentials: URLs with a password in them (``postgresql://user:secret@host/db``,
  ``http://u:p@host/``), whatever the scheme; a password written as a placeholder
  (``***``, ``${PASSWORD}``, ``{password}``, ``<password>``) is not a hit;
* names: only a surname and given name right after a self-introduction cue (我叫张三, 姓名：
  欧阳娜娜), not a frequent word, not written 某/``*``
  (:func:`~govanalytics.privacy.find_introduced_names`). The gate is stricter on numbers than
  on names: names after titles, labels and kinship words are masked upstream by
  :func:`~govanalytics.privacy.mask_personal_data` (``names="all"``); a rule loose enough to
  catch every bare name would fail reports on ordinary words.

A digit run that is the fractional part of a decimal number (``22.13912345678``, coordinates
in maps) is not a phone number and is skipped, nor is one inside a long ASCII identifier or
hash (random folium element ids).
Binary payloads — base64 ``data:`` URIs and ``image/*`` notebook outputs — are not text: a run of
digits inside them is noise, not personal data, so they are left out of the scan (images are
not read by OCR; charts and maps are drawn from tables that are scanned themselves).
Artifacts: HTML, JSON, Markdown and text files, executed notebooks (per cell), Parquet string,
integer and list/struct columns (per row), Excel cells (per sheet and cell) and PDF text (per
page); DOCX paragraphs and table cells.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from govanalytics.privacy._names import NAME_CUES, find_introduced_names
from govanalytics.privacy._patterns import (
    _FULLWIDTH,
    ADDRESS,
    CHINESE_DIGITS,
    EMAIL,
    HOUSE_NUMBER,
    QQ,
    QQ_ASCII_CUES,
    QQ_CUES,
    SEPARATOR_CLASS,
    SHAPE_HINT,
    WECHAT,
    WECHAT_ASCII_CUES,
    WECHAT_CUES,
    find_numbers,
    normalize_text,
)

if TYPE_CHECKING:
    import polars as pl

__all__ = ["PrivacyHit", "scan_file", "scan_report", "scan_text"]

_TEXT_SUFFIXES = {".html", ".htm", ".json", ".txt", ".md", ".csv", ".svg", ".xml", ".geojson"}

#: What each kind of hit is called in messages.
HIT_LABELS = {
    "id_number": "ID-card number",
    "id_number_15": "15-digit ID-card number",
    "mobile": "mobile number",
    "landline": "landline number",
    "bank_card": "bank-card number",
    "email": "e-mail address",
    "wechat": "WeChat ID",
    "qq": "QQ number",
    "address": "address to the door",
    "name": "name after a self-introduction",
    "credential_url": "URL with a password",
}


@dataclass(frozen=True)
class PrivacyHit:
    """One piece of personal data found in an artifact."""

    file: str
    place: str
    kind: str  # a key of HIT_LABELS
    value: str

    def __str__(self) -> str:
        v = self.value
        masked = v[:3] + "*" * max(len(v) - 7, 0) + v[-4:] if len(v) > 7 else v[:1] + "*" * 3
        label = HIT_LABELS.get(self.kind, self.kind)
        return f"{self.file}: {self.place}: {label} {masked}"


def _is_decimal_fraction(text: str, start: int) -> bool:
    return start >= 2 and text[start - 1] == "." and text[start - 2].isdigit()


_BASE64_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\\n]+")


_HASH_SOURCE = re.compile(r"'sha(?:256|384|512)-[A-Za-z0-9+/=_-]+'")
_WORD_CHAR = re.compile(r"[0-9A-Za-z_]")


def _inside_identifier(text: str, start: int, end: int) -> bool:
    """True when a digit run sits inside a long ASCII identifier or hash (folium element ids
    such as ``geo_json_1a6117551873245…`` are random hex: 11 digits between two letters are
    not a phone number). Short tokens (``TEL13912345678``) are still scanned."""
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    if not (before.isascii() and (before.isalpha() or before == "_")) and not (
        after.isascii() and (after.isalpha() or after == "_")
    ):
        return False
    lo, hi = start, end
    while lo > 0 and _WORD_CHAR.match(text[lo - 1]):
        lo -= 1
    while hi < len(text) and _WORD_CHAR.match(text[hi]):
        hi += 1
    return hi - lo >= 20


_EMAIL_RE = re.compile(EMAIL)
#: scheme://user:password@host — the password is any run without whitespace, "/" or "@".
_CREDENTIAL_URL_RE = re.compile(
    r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s/@:]*:(?P<password>[^\s/@]+)@[^\s/@]+"
)
_PLACEHOLDER_PASSWORD = re.compile(r"[*xX•]+|\$\{?\w*\}?|\{\w*\}|<\w*>|%\(\w+\)s")
_URL_HINT = r"://[^\s/@]*:[^\s/@]*@"
_WECHAT_RE = re.compile(WECHAT.removeprefix("(?i)"), re.IGNORECASE)
_QQ_RE = re.compile(QQ.removeprefix("(?i)"), re.IGNORECASE)
_ADDRESS_RE = re.compile(f"{ADDRESS}|{HOUSE_NUMBER}")
_CN = "".join(CHINESE_DIGITS)
_NUMBER_HINT = f"{SHAPE_HINT}|[0-9{_CN}](?:{SEPARATOR_CLASS}{{0,3}}[0-9{_CN}]){{9}}"
_EMAIL_HINT = r"@|(?i:[(（\[]at[)）\]]| at )"
_CUE_HINT = (
    "(?i:"
    + "|".join(re.escape(c) for c in (*WECHAT_CUES, *WECHAT_ASCII_CUES, *QQ_CUES, *QQ_ASCII_CUES))
    + ")"
)
_ADDRESS_HINT = (
    f"[0-9A-Za-z十{_CN}](?:号院|号楼|栋|幢|座|单元|层|楼|室|号房|号)"
    "|(?:小区|花园|苑|家园|公寓|大厦|新村|广场|村)[0-9]"
)
#: A text can hold what :func:`scan_text` finds only if it matches this looser pattern (the
#: same for polars and Python): a pre-filter, a superset of the texts the exact scan flags.
CANDIDATE = "|".join(
    [_NUMBER_HINT, _EMAIL_HINT, _URL_HINT, _CUE_HINT, _ADDRESS_HINT, "|".join(NAME_CUES)]
)
_HINTS = {
    name: re.compile(pattern)
    for name, pattern in (
        ("number", _NUMBER_HINT),
        ("email", _EMAIL_HINT),
        ("url", _URL_HINT),
        ("cue", _CUE_HINT),
        ("address", _ADDRESS_HINT),
    )
}


def _around(
    text: str, hint: re.Pattern[str], pattern: re.Pattern[str], before: int, after: int
) -> list[str]:
    """Matches of ``pattern`` looked for only near the places ``hint`` matches (the full
    patterns are slow on the long lines of a page)."""
    spans: list[list[int]] = []
    for m in hint.finditer(text):
        lo, hi = max(m.start() - before, 0), m.end() + after
        if spans and lo <= spans[-1][1]:
            spans[-1][1] = max(hi, spans[-1][1])
        else:
            spans.append([lo, hi])
    found: dict[tuple[int, int], str] = {}
    for lo, hi in spans:
        for m in pattern.finditer(text, lo, hi):
            found[m.span()] = m.group()
    return list(found.values())


def _numbers(text: str) -> list[tuple[str, str]]:
    found = []
    for f in find_numbers(text):
        if f.kind == "id_suspect":
            continue
        if _is_decimal_fraction(text, f.start) or _inside_identifier(text, f.start, f.end):
            continue
        if f.end < len(text) - 1 and text[f.end] == "." and text[f.end + 1].isdigit():
            continue
        found.append((f.kind, f.value))
    return found


def scan_text(text: str) -> list[tuple[str, str]]:
    """``(kind, value)`` of every piece of personal data in ``text`` (base64 data skipped).

    Parameters
    ----------
    text
        Any text: a page, a cell, a table value.

    Returns
    -------
    list of tuple of str
        ``("id_number", value)`` for 18-digit numbers with a valid GB 11643-1999 check digit,
        then the other numbers in text order (``id_number_15``, ``mobile``, ``landline``,
        ``bank_card``; separators removed), then ``email``, ``wechat``, ``qq``, ``address`` and
        ``name`` hits (see the module's list).
    """
    if not text:
        return []
    text = normalize_text(text)
    if "base64," in text:
        text = _BASE64_URI.sub("data:;base64,", text)
    if "'sha256-" in text:  # hash sources of a Content-Security-Policy
        text = _HASH_SOURCE.sub("'sha256-'", text)
    found: list[tuple[str, str]] = []
    if text.isdigit():  # a code or an integer of a table: only a number can be personal
        numbers = _numbers(text) if len(text) >= 10 else []
        return [n for n in numbers if n[0] == "id_number"] + [
            n for n in numbers if n[0] != "id_number"
        ]
    if _HINTS["number"].search(text):
        numbers = _numbers(text)
        found += [n for n in numbers if n[0] == "id_number"]
        found += [n for n in numbers if n[0] != "id_number"]
    if _HINTS["url"].search(text):
        found += [
            ("credential_url", m.group())
            for m in _CREDENTIAL_URL_RE.finditer(text)
            if not _PLACEHOLDER_PASSWORD.fullmatch(m["password"])
        ]
    if _HINTS["email"].search(text):
        urls = [v for k, v in found if k == "credential_url"]
        found += [
            ("email", v)
            for v in _around(text, _HINTS["email"], _EMAIL_RE, 64, 80)
            if not any(v in u for u in urls)  # password@host of a URL already found
        ]
    if _HINTS["cue"].search(text):
        found += [("wechat", m[2]) for m in _WECHAT_RE.finditer(text)]
        found += [("qq", re.sub(r"[ -]", "", m[2])) for m in _QQ_RE.finditer(text)]
    if _HINTS["address"].search(text):
        found += [("address", v) for v in _around(text, _HINTS["address"], _ADDRESS_RE, 30, 30)]
    found += [("name", name) for _, _, name in find_introduced_names(text)]
    return found


def _hits(file: str, place: str, text: str) -> list[PrivacyHit]:
    return [PrivacyHit(file, place, kind, value) for kind, value in scan_text(text)]


def _scan_lines(text: str, name: str) -> list[PrivacyHit]:
    """Hits per line of a text file; only lines the vectorised pre-filter keeps are scanned."""
    import polars as pl

    lines = text.splitlines()
    if not lines:
        return []
    kept = _candidate_rows(pl.Series(lines, dtype=pl.String))
    hits = []
    for i in kept.to_list():
        hits += _hits(name, f"line {i + 1}", lines[i])
    return hits


def _scan_notebook(path: Path, name: str) -> list[PrivacyHit]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    hits = []
    for i, cell in enumerate(nb.get("cells", [])):
        source = cell.get("source", "")
        hits += _hits(
            name, f"cell {i} source", "".join(source) if isinstance(source, list) else source
        )
        for j, output in enumerate(cell.get("outputs", [])):
            data = output.get("data")
            if isinstance(data, dict):  # drop binary images, keep text/html/plain/json
                output = {
                    **output,
                    "data": {
                        k: v
                        for k, v in data.items()
                        if not k.startswith("image/") or k == "image/svg+xml"
                    },
                }
            text = json.dumps(output, ensure_ascii=False)
            hits += _hits(name, f"cell {i} output {j}", text)
    return hits


def _candidate_rows(values: pl.Series) -> pl.Series:
    """Indices of the values that may hold personal data (:data:`CANDIDATE`, full-width made
    ASCII): the vectorised pre-filter of text files, tables and workbooks."""
    normal = values.str.replace_many(list(_FULLWIDTH), list(_FULLWIDTH.values()))
    return normal.str.contains(CANDIDATE).fill_null(False).arg_true()


def _candidates(values: pl.Series) -> pl.Series:
    """Distinct values that may hold personal data (see :func:`_candidate_rows`)."""
    return values.gather(_candidate_rows(values)).unique()


def _scan_parquet(path: Path, name: str) -> list[PrivacyHit]:
    """Every row of every text, integer, list and struct column.

    Each column is pre-filtered in one vectorised pass (:func:`_candidates`); only its
    distinct candidate values are scanned, and the rows holding a hit are named.
    """
    import polars as pl

    frame = pl.read_parquet(path)
    hits = []
    for col in frame.columns:
        dtype = frame.schema[col]
        if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum) or dtype.is_integer():
            # integers too: a phone or ID number stored as a number is still personal data
            values = frame[col].cast(pl.String)
        elif dtype.is_nested():  # lists and structs (e.g. ``comment_ids``, ``areas``)
            values = pl.Series(
                [
                    None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                    for v in frame[col].to_list()
                ],
                dtype=pl.String,
            )
        else:  # floats, dates, booleans: no personal number can hide there
            continue
        found = {v: h for v in _candidates(values).to_list() if v and (h := scan_text(v))}
        if not found:
            continue
        for row, value in enumerate(values.to_list(), 1):
            for kind, hit in found.get(value, ()):
                hits.append(PrivacyHit(name, f"column {col!r} row {row}", kind, hit))
    return hits


def _scan_xlsx(path: Path, name: str) -> list[PrivacyHit]:
    """Every cell of every sheet.

    Each sheet is first read as text by calamine (fastexcel) and only cells matching
    :data:`CANDIDATE` are scanned, in one vectorised pass (a number stored as a number,
    ``13812345678.0``, without its ``.0``); a sheet with a hit is then read cell by cell
    (openpyxl) to name the exact cells — the slow path runs only when the gate fails.
    """
    import fastexcel
    import polars as pl

    reader = fastexcel.read_excel(str(path))
    flagged = []
    for sheet in reader.sheet_names:
        frame = reader.load_sheet(sheet, header_row=None, dtypes="string").to_polars()
        if not frame.height:
            continue
        values = frame.unpivot(value_name="__value").select(
            pl.col("__value").str.replace(r"^(\d+)\.0$", "${1}")
        )["__value"]
        if any(scan_text(v) for v in _candidates(values).to_list() if v):
            flagged.append(sheet)
    return _scan_xlsx_cells(path, name, flagged) if flagged else []


def _scan_xlsx_cells(path: Path, name: str, sheets: list[str]) -> list[PrivacyHit]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    hits = []
    try:
        for title in sheets:
            for row in book[title].iter_rows():
                for cell in row:
                    if cell.value is None:
                        continue
                    value = cell.value if isinstance(cell.value, str) else str(cell.value)
                    hits += _hits(name, f"sheet {title!r} cell {cell.coordinate}", value)
    finally:
        book.close()
    return hits


def _scan_pdf(path: Path, name: str) -> list[PrivacyHit]:
    from pypdf import PdfReader

    hits = []
    for i, page in enumerate(PdfReader(path).pages, 1):
        hits += _hits(name, f"page {i}", page.extract_text() or "")
    return hits


def _scan_docx(path: Path, name: str) -> list[PrivacyHit]:
    hits = []
    with zipfile.ZipFile(path) as z:
        for member in z.namelist():
            if member.endswith(".xml"):
                xml = z.read(member).decode("utf-8", errors="replace")
                text = re.sub(r"<[^>]+>", "", xml)
                hits += _hits(name, f"part {member}", text)
    return hits


def scan_file(path: str | Path, *, name: str | None = None) -> list[PrivacyHit]:
    """Personal data found in one artifact.

    Parameters
    ----------
    path
        The artifact: ``.ipynb``, ``.parquet``, ``.xlsx``, ``.pdf``, ``.docx`` or a text file
        (``.html``, ``.json``, ``.md``, ``.txt``, ``.csv``, ``.svg``, ``.xml``, ``.geojson``).
        Other kinds (images) are not read.
    name
        Name given in the hits; default the file name.

    Returns
    -------
    list of PrivacyHit
        Empty when nothing is found or the file is not a scanned kind.
    """
    path = Path(path)
    name = name or path.name
    suffix = path.suffix.lower()
    if suffix == ".ipynb":
        return _scan_notebook(path, name)
    if suffix == ".parquet":
        return _scan_parquet(path, name)
    if suffix == ".xlsx":
        return _scan_xlsx(path, name)
    if suffix == ".pdf":
        return _scan_pdf(path, name)
    if suffix == ".docx":
        return _scan_docx(path, name)
    if suffix in _TEXT_SUFFIXES:
        return _scan_lines(path.read_text(encoding="utf-8", errors="replace"), name)
    return []


def scan_report(folder: str | Path) -> list[PrivacyHit]:
    """Personal data found in every artifact under a report folder.

    Parameters
    ----------
    folder
        A report folder (``reports/<week>/`` or a build being published).

    Returns
    -------
    list of PrivacyHit
        Each names the file (relative to ``folder``), the place (cell, sheet and cell, column
        and row, page or line) and the kind; the value is masked when printed.
    """
    root = Path(folder)
    hits = []
    for path in sorted(root.rglob("*")):
        if path.is_file():
            hits += scan_file(path, name=path.relative_to(root).as_posix())
    return hits
