"""The privacy gate: scan every artifact of a report for ID-card and mobile numbers.

What is found: 18-digit ID-card numbers whose GB 11643-1999 check digit is valid
(:func:`~govanalytics.privacy.find_id_numbers`) and mobile numbers
(:data:`~govanalytics.privacy.MOBILE_PATTERN`). A digit run that is the fractional part of a
decimal number (``22.13912345678``, coordinates in maps) is not a phone number and is skipped,
nor is one inside a long ASCII identifier or hash (random folium element ids).
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

from govanalytics.privacy._patterns import MOBILE_PATTERN, find_id_numbers

__all__ = ["PrivacyHit", "scan_file", "scan_report", "scan_text"]

_TEXT_SUFFIXES = {".html", ".htm", ".json", ".txt", ".md", ".csv", ".svg", ".xml", ".geojson"}


@dataclass(frozen=True)
class PrivacyHit:
    """One piece of personal data found in an artifact."""

    file: str
    place: str
    kind: str  # "id_number" or "mobile"
    value: str

    def __str__(self) -> str:
        masked = self.value[:3] + "*" * max(len(self.value) - 7, 0) + self.value[-4:]
        label = "ID-card number" if self.kind == "id_number" else "mobile number"
        return f"{self.file}: {self.place}: {label} {masked}"


def _is_decimal_fraction(text: str, start: int) -> bool:
    return start >= 2 and text[start - 1] == "." and text[start - 2].isdigit()


_BASE64_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\\n]+")


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


def scan_text(text: str) -> list[tuple[str, str]]:
    """``(kind, value)`` of every ID-card and mobile number in ``text`` (base64 data skipped).

    Parameters
    ----------
    text
        Any text: a page, a cell, a table value.

    Returns
    -------
    list of tuple of str
        ``("id_number", value)`` for 18-digit numbers with a valid GB 11643-1999 check digit
        and ``("mobile", value)`` for mobile numbers (separators removed), in that order.
    """
    text = _BASE64_URI.sub("data:;base64,", text)
    found = [("id_number", v) for v in find_id_numbers(text)]
    for m in MOBILE_PATTERN.finditer(text):
        if _is_decimal_fraction(text, m.start()):
            continue
        if _inside_identifier(text, m.start(), m.end()):
            continue
        if m.end() < len(text) - 1 and text[m.end()] == "." and text[m.end() + 1].isdigit():
            continue
        found.append(("mobile", re.sub(r"[ -]", "", m.group(0))))
    return found


def _hits(file: str, place: str, text: str) -> list[PrivacyHit]:
    return [PrivacyHit(file, place, kind, value) for kind, value in scan_text(text)]


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


def _scan_parquet(path: Path, name: str) -> list[PrivacyHit]:
    import polars as pl

    frame = pl.read_parquet(path)
    hits = []
    for col in frame.columns:
        dtype = frame.schema[col]
        if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum) or dtype.is_integer():
            # integers too: a phone or ID number stored as a number is still personal data
            values = frame[col].cast(pl.String).to_list()
        elif dtype.is_nested():  # lists and structs (e.g. ``comment_ids``, ``areas``)
            values = [
                None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                for v in frame[col].to_list()
            ]
        else:  # floats, dates, booleans: no personal number can hide there
            continue
        for row, value in enumerate(values, 1):
            if value:
                hits += _hits(name, f"column {col!r} row {row}", value)
    return hits


#: A cell can hold what :func:`scan_text` finds only if it matches this looser pattern (the
#: ID-card and mobile patterns without their look-arounds and check digit): a vectorised
#: pre-filter, a superset of the cells the exact scan would flag.
_CANDIDATE = (
    r"1[3-9]\d[ -]?\d{4}[ -]?\d{4}"
    r"|\d{6}[ -]?(?:18|19|20)\d{2}[01]\d[0-3]\d[ -]?\d{3}[0-9Xx]"
)


def _scan_xlsx(path: Path, name: str) -> list[PrivacyHit]:
    """Every cell of every sheet.

    Each sheet is first read as text by calamine (fastexcel) and only cells matching
    :data:`_CANDIDATE` are scanned, in one vectorised pass (a number stored as a number,
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
        values = (
            frame.unpivot(value_name="__value")
            .select(pl.col("__value").str.replace(r"^(\d+)\.0$", "${1}"))
            .filter(pl.col("__value").str.contains(_CANDIDATE))
            .unique()["__value"]
        )
        if any(scan_text(v) for v in values.to_list()):
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
        text = path.read_text(encoding="utf-8", errors="replace")
        hits = []
        for lineno, line in enumerate(text.splitlines(), 1):
            hits += _hits(name, f"line {lineno}", line)
        return hits
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
