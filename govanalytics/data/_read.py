"""Readers of tabular files: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030), Excel, Parquet.

Text formats (CSV, Excel) are read with every column as text, so that conversion to the
schema types can name the exact rows that fail; Parquet keeps its own types and is scanned
lazily.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from govanalytics.errors import DataError

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
PARQUET_SUFFIXES = (".parquet", ".pq")

_MAGIC = {
    b"PK\x03\x04": "a ZIP archive (an .xlsx workbook?)",
    b"\xd0\xcf\x11\xe0": "a legacy Office file (an .xls workbook?)",
    b"PAR1": "a Parquet file",
    b"%PDF": "a PDF document",
}


@dataclass
class RawTable:
    """A table as read from its file, before mapping and conversion."""

    frame: pl.LazyFrame
    format: str
    source: str
    encoding: str | None = None
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)
    first_row: int | None = None


def _plausible_chinese(text: str) -> bool:
    """Whether text decoded as GB18030 looks like Chinese text rather than noise."""
    odd = 0
    other = 0
    for ch in text:
        o = ord(ch)
        if o < 0x80:
            continue
        other += 1
        if not (
            0x4E00 <= o <= 0x9FFF  # CJK unified ideographs
            or 0x3400 <= o <= 0x4DBF  # extension A
            or 0x3000 <= o <= 0x303F  # CJK punctuation
            or 0xFF00 <= o <= 0xFFEF  # full-width forms
            or 0x2000 <= o <= 0x206F  # general punctuation
            or o in (0xB7, 0xD7, 0xF7, 0x2116, 0x2103)
            or 0x2460 <= o <= 0x24FF  # circled numbers
            or 0x2160 <= o <= 0x217F  # roman numerals
        ):
            odd += 1
    return other == 0 or odd / other < 0.05


#: Share of rare Chinese characters (outside GB 2312, or private-use code points) above which
#: text decoded as GB18030 is reported as probably garbled.
GARBLED_SHARE = 0.10


def garbled_note(text: str, source: str, *, limit: float = GARBLED_SHARE) -> str | None:
    """A warning when text decoded as GB18030 looks like garbage rather than Chinese.

    Everyday Chinese is written almost entirely with the 6,763 characters of GB 2312 (names
    with a rare character are a fraction of a percent); bytes of another encoding that happen
    to be valid GB18030 decode to characters spread over the whole GBK range (about 70 % of
    them outside GB 2312) and to private-use code points. When more than ``limit`` of the
    Chinese characters (at least 20 of them) are rare, the text is probably garbled.

    Parameters
    ----------
    text
        The decoded text.
    source
        File name for the message.
    limit
        Share of rare characters tolerated. Default :data:`GARBLED_SHARE` (10 %).

    Returns
    -------
    str or None
        The warning, or None when the text looks like Chinese.
    """
    cjk = rare = 0
    examples: list[str] = []
    for ch in text:
        o = ord(ch)
        if 0xE000 <= o <= 0xF8FF:  # private use: no character of any real text
            cjk += 1
            rare += 1
        elif 0x3400 <= o <= 0x9FFF:
            cjk += 1
            try:
                ch.encode("gb2312")
            except UnicodeEncodeError:
                rare += 1
                if len(examples) < 8:
                    examples.append(ch)
    if cjk < 20 or rare / cjk <= limit:
        return None
    return (
        f"warning: {source} was read as GBK/GB18030 but {rare / cjk:.0%} of its {cjk:,} Chinese "
        f"characters are rare or private-use ({''.join(examples)} …): the text is probably "
        "garbled (a file in another encoding). Hint: check the text, save the file as 'CSV "
        "UTF-8' and load it again."
    )


def decode_text(data: bytes, source: str) -> tuple[str, str]:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030.

    Parameters
    ----------
    data
        The file's bytes.
    source
        File name for messages.

    Returns
    -------
    tuple[str, str]
        The text and the encoding used.

    Raises
    ------
    DataError
        When the bytes are binary or neither valid UTF-8 nor meaningful GB18030; the
        message says what the file looks like.
    """
    bom = next(
        (
            enc
            for mark, enc in (
                (codecs.BOM_UTF8, "utf-8-sig"),
                (codecs.BOM_UTF16_LE, "utf-16"),
                (codecs.BOM_UTF16_BE, "utf-16"),
            )
            if data.startswith(mark)
        ),
        None,
    )
    if bom is not None:
        try:
            return data.decode(bom), bom
        except UnicodeDecodeError as exc:
            msg = (
                f"{source}: the file starts with a {bom} byte-order mark but is not valid "
                f"{bom} (byte {exc.start}: {exc.reason})"
            )
            raise DataError(msg) from exc
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            msg = f"{source}: this is not a CSV text file, it looks like {what}"
            raise DataError(msg)
    if b"\x00" in data[:65536]:
        msg = f"{source}: this is not a CSV text file (it contains binary NUL bytes)"
        raise DataError(msg)
    try:
        return data.decode("utf-8", errors="strict"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("gb18030", errors="strict")
    except UnicodeDecodeError:
        text = None
    if text is not None and _plausible_chinese(text):
        return text, "gb18030"
    guess = ""
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
        if best is not None:
            guess = f" (it may be {best.encoding})"
    except Exception:
        guess = ""
    msg = (
        f"{source}: cannot decode the file as UTF-8 (byte {utf8_error.start}: "
        f"{utf8_error.reason}) nor as GBK/GB18030 Chinese text{guess}. "
        "Hint: save it as 'CSV UTF-8' and load it again."
    )
    raise DataError(msg)


def _separator(text: str) -> str:
    header = text.split("\n", 1)[0]
    return "\t" if header.count("\t") > header.count(",") else ","


def _ragged_rows(text: str, separator: str) -> str:
    """Describe the data rows whose number of fields differs from the header's."""
    rows = csv.reader(io.StringIO(text), delimiter=separator)
    header = next(rows, [])
    bad = [(i, len(r)) for i, r in enumerate(rows, start=1) if r and len(r) != len(header)]
    if not bad:
        return ""
    shown = ", ".join(f"row {i} has {n}" for i, n in bad[:10])
    more = f" and {len(bad) - 10} more rows" if len(bad) > 10 else ""
    return (
        f"rows with a wrong number of fields (the header has {len(header)}): {shown}{more}; "
        "a separator or quote inside a value is the usual cause"
    )


#: CSV files larger than this are first checked in one streaming pass (:func:`check_csv_stream`)
#: so that a junk file is refused after its first errors, before it is read into memory.
STREAM_CHECK_BYTES = 32 * 1024**2
#: The streaming check stops at this many errors.
MAX_CSV_ERRORS = 20
#: A CSV line longer than this is an error (junk without line breaks is not held in memory).
MAX_LINE_BYTES = 1024**2
_SAMPLE_BYTES = 256 * 1024


def _stream_encoding(path: Path, sample: bytes) -> str:
    """The encoding of a CSV file, from its first bytes (an incomplete last character cut)."""
    for cut in range(4):  # a multi-byte character may be cut at the end of the sample
        try:
            return decode_text(sample[: len(sample) - cut] if cut else sample, str(path))[1]
        except DataError:
            if cut == 3 or len(sample) < _SAMPLE_BYTES:
                raise
    raise AssertionError  # pragma: no cover


def _line_error(raw: bytes, encoding: str, separator: str, width: int) -> str | None:
    """The problem of one CSV record (None: fine)."""
    try:
        line = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        return f"byte {exc.start + 1} is not valid {encoding} ({exc.reason})"
    if '"' not in line:
        n = line.count(separator) + 1
    else:
        try:
            fields = list(csv.reader(io.StringIO(line), delimiter=separator))
        except csv.Error as exc:
            return f"cannot split into fields ({exc})"
        n = sum(len(f) for f in fields) - max(len(fields) - 1, 0)  # a quoted line break joins
    if n > width:
        return f"{n} fields, the header has {width}: column {width + 1} onwards has no header"
    if 0 < n < width:
        return f"{n} fields, the header has {width}: column {n + 1} missing"
    return None


_BLOCK_BYTES = 1024**2


def _blocks(f: io.BufferedReader) -> Iterator[bytes | None]:
    """Blocks of whole lines (about :data:`_BLOCK_BYTES`); ``None`` stands for a line longer
    than :data:`MAX_LINE_BYTES`, which is skipped without being held in memory."""
    while block := f.read(_BLOCK_BYTES):
        if not block.endswith(b"\n"):
            rest = f.readline(MAX_LINE_BYTES + 1)
            cut = block.rfind(b"\n") + 1
            if rest.endswith(b"\n") or not rest:
                block += rest
            elif len(block) - cut + len(rest) > MAX_LINE_BYTES:
                yield block[:cut]
                yield None
                while (more := f.readline(MAX_LINE_BYTES)) and not more.endswith(b"\n"):
                    pass
                continue
            else:  # a long line, but below the limit: finish it
                while rest and not rest.endswith(b"\n"):
                    block += rest
                    rest = f.readline(MAX_LINE_BYTES + 1)
                block += rest
        yield block


def _fast_rows(block: bytes, encoding: str, separator: str, width: int) -> int | None:
    """Number of records of a block when every line is fine (vectorised), else None."""
    if b'"' in block:
        return None
    try:
        block.decode(encoding)
    except UnicodeDecodeError:
        return None
    arr = np.frombuffer(block, dtype=np.uint8)
    ends = np.flatnonzero(arr == 10)
    if len(ends) == 0 or ends[-1] != len(arr) - 1:
        ends = np.append(ends, len(arr))
    seps = np.concatenate([[0], np.cumsum(arr == ord(separator), dtype=np.int32)])
    starts = np.concatenate([[0], ends[:-1] + 1])
    n_fields = seps[ends] - seps[starts] + 1
    blank = (ends - starts) <= 1
    long = (ends - starts) > MAX_LINE_BYTES
    if ((n_fields != width) & ~blank).any() or long.any():
        return None
    return len(ends)


def check_csv_stream(path: Path, *, max_errors: int = MAX_CSV_ERRORS) -> str:
    """Check a CSV file in one streaming pass, stopping at the first ``max_errors`` errors.

    The file is read in blocks of whole lines (never whole): each line must decode in the
    encoding of the file's first bytes, be shorter than :data:`MAX_LINE_BYTES` and have as
    many fields as the header (quoted values spanning lines joined first). Blocks without
    quotes are checked vectorised; others line by line. Memory stays at one block; a junk
    file is refused after its first errors.

    Parameters
    ----------
    path
        The CSV file.
    max_errors
        Stop and refuse the file at this many errors (default :data:`MAX_CSV_ERRORS`).

    Returns
    -------
    str
        The encoding found.

    Raises
    ------
    DataError
        Naming the file and, for each error found (up to ``max_errors``), the row (1 = first
        data row), the column and the problem.
    """
    with path.open("rb") as f:
        sample = f.read(_SAMPLE_BYTES)
        if not sample.strip():
            msg = f"{path}: the file is empty"
            raise DataError(msg)
        encoding = _stream_encoding(path, sample)
        if encoding == "utf-16":  # not byte-compatible with ASCII separators: read whole
            return encoding
        f.seek(0)
        header = f.readline(MAX_LINE_BYTES + 1).decode(encoding, errors="replace")
        header = header.lstrip("\ufeff")
        separator = _separator(header)
        width = len(next(csv.reader([header.rstrip("\r\n")], delimiter=separator), []))
        errors: list[str] = []
        row = 0
        pending = b""
        for block in _blocks(f):  # type: ignore[arg-type]
            if block is None:
                row += 1
                errors.append(f"row {row}: longer than {MAX_LINE_BYTES:,} bytes")
                pending = b""
            elif not pending and (n := _fast_rows(block, encoding, separator, width)):
                row += n
            else:
                for raw in block.splitlines(keepends=True):
                    raw = pending + raw
                    if raw.count(b'"') % 2 and len(raw) < MAX_LINE_BYTES:  # quoted value
                        pending = raw
                        continue
                    pending = b""
                    row += 1
                    problem = (
                        None if not raw.strip() else _line_error(raw, encoding, separator, width)
                    )
                    if len(raw) > MAX_LINE_BYTES:
                        problem = f"longer than {MAX_LINE_BYTES:,} bytes"
                    if problem:
                        errors.append(f"row {row}: {problem}")
                        if len(errors) >= max_errors:
                            break
            if len(errors) >= max_errors:
                break
    if errors:
        stop = f" (stopped at the first {max_errors})" if len(errors) >= max_errors else ""
        msg = (
            f"{path}: cannot read as CSV ({encoding}): {len(errors)} rows in error{stop}:\n  "
            + "\n  ".join(errors)
            + "\nHint: a separator or quote inside a value, or a file that is not this table."
        )
        raise DataError(msg)
    return encoding


def read_csv(
    path: Path,
    *,
    max_errors: int = MAX_CSV_ERRORS,
    stream_check_bytes: int = STREAM_CHECK_BYTES,
) -> RawTable:
    """Read a CSV file with every column as text (encoding detected).

    Files larger than ``stream_check_bytes`` are first checked line by line
    (:func:`check_csv_stream`) and refused at the first ``max_errors`` errors, before they are
    read into memory.
    """
    if path.stat().st_size > stream_check_bytes:
        check_csv_stream(path, max_errors=max_errors)
    data = path.read_bytes()
    if not data.strip():
        msg = f"{path}: the file is empty"
        raise DataError(msg)
    text, encoding = decode_text(data, str(path))
    if not text.strip().strip("\ufeff"):
        msg = f"{path}: the file is empty"
        raise DataError(msg)
    try:
        frame = pl.read_csv(text.encode("utf-8"), infer_schema=False, separator=_separator(text))
    except pl.exceptions.PolarsError as exc:
        ragged = _ragged_rows(text, _separator(text))
        detail = ragged or str(exc).split("\n", 1)[0]
        msg = f"{path}: cannot read as CSV ({encoding}): {detail}"
        raise DataError(msg) from exc
    frame = frame.rename({c: c.strip().strip("\ufeff") for c in frame.columns})
    garbled = garbled_note(text, str(path)) if encoding == "gb18030" else None
    header = next(csv.reader(io.StringIO(text), delimiter=_separator(text)), [])
    names = [h.strip().strip("\ufeff") for h in header]
    notes = [
        f"header {name!r} appears {names.count(name)} times: the first is {name!r}, the "
        f"others are named '{name}_duplicated_<n>'"
        for name in dict.fromkeys(n for n in names if names.count(n) > 1)
    ]
    if garbled:
        notes.append(garbled)
    return RawTable(frame.lazy(), "csv", str(path), encoding=encoding, notes=notes)


#: A sheet may declare at most this many cells (rows × columns of its ``<dimension>``):
#: the reader allocates for the declared range, and a 1.6 KB file claiming A1:XFD1048576
#: (17 billion cells) would ask for 550 GB and abort the process.
MAX_EXCEL_CELLS = 200_000_000
#: A workbook part may unpack to at most this many bytes (zip bombs).
MAX_UNPACKED_BYTES = 4 * 1024**3
_DIMENSION = re.compile(rb'<dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def check_workbook_bounds(path: Path) -> None:
    """Refuse an ``.xlsx`` whose parts unpack too large or whose sheets claim too many cells.

    Raises
    ------
    DataError
        Naming the file, the sheet part, what it claims and what to do.
    """
    import zipfile

    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        msg = f"{path}: not a readable .xlsx workbook ({exc}); open and re-save it in Excel or WPS"
        raise DataError(msg) from exc
    with archive:
        for info in archive.infolist():
            if info.file_size > MAX_UNPACKED_BYTES:
                msg = (
                    f"{path}: part {info.filename} unpacks to {info.file_size:,} bytes (limit "
                    f"{MAX_UNPACKED_BYTES:,}); export the sheet as CSV instead"
                )
                raise DataError(msg)
            if not info.filename.startswith("xl/worksheets/") or not info.filename.endswith(".xml"):
                continue
            with archive.open(info) as fh:
                head = fh.read(4096)
            m = _DIMENSION.search(head)
            if not m or not m.group(3):
                continue
            parts = [g.decode() if g else "" for g in m.groups()]
            first_col = _column_number(parts[0] or "A")
            first_row = int(parts[1] or 1)
            cells = (_column_number(parts[2]) - first_col + 1) * (int(parts[3]) - first_row + 1)
            if cells > MAX_EXCEL_CELLS:
                ref = m.group(0).decode(errors="replace").split('"')[1]
                msg = (
                    f"{path}: sheet part {info.filename} claims the range {ref} ({cells:,} "
                    f"cells, limit {MAX_EXCEL_CELLS:,}), far more than a table of data; open "
                    "and re-save the workbook in Excel or WPS (which recomputes the range), or "
                    "export the sheet as CSV"
                )
                raise DataError(msg)


def excel_sheets(path: Path) -> list[str]:
    """Sheet names of a workbook."""
    import fastexcel

    check_workbook_bounds(path)
    try:
        return list(fastexcel.read_excel(str(path)).sheet_names)
    except Exception as exc:
        msg = f"{path}: cannot open as an Excel workbook: {exc}"
        raise DataError(msg) from exc


def read_excel(path: Path, sheet: str | int | None = None) -> RawTable:
    """Read one sheet of an Excel workbook (``.xlsx`` or legacy ``.xls``) as text.

    Parameters
    ----------
    path
        The workbook.
    sheet
        Sheet name, or 0-based index; ``None`` reads the first sheet.
    """
    if path.stat().st_size == 0:
        msg = f"{path}: the file is empty"
        raise DataError(msg)
    names = excel_sheets(path)
    if sheet is None:
        name = names[0]
    elif isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            msg = f"{path}: no sheet with index {sheet} (0-based); sheets are {names}"
            raise DataError(msg)
        name = names[sheet]
    else:
        if sheet not in names:
            msg = f"{path}: no sheet named {sheet!r}; sheets are {names}"
            raise DataError(msg)
        name = sheet
    try:
        grid = pl.read_excel(
            path,
            sheet_name=name,
            has_header=False,
            infer_schema_length=0,
            drop_empty_rows=False,
            raise_if_empty=False,
        )
    except Exception as exc:
        msg = f"{path}, sheet {name!r}: cannot read: {exc}"
        raise DataError(msg) from exc
    filled = grid.select(
        pl.sum_horizontal(
            pl.all().cast(pl.String).str.strip_chars().str.len_chars().fill_null(0) > 0
        )
    ).to_series()
    if grid.width == 0 or filled.sum() == 0:
        msg = f"{path}, sheet {name!r}: the sheet is empty"
        raise DataError(msg)
    header_at = _header_index(filled.head(30).to_list())
    header = [
        str(v).strip() if v is not None and str(v).strip() else f"__UNNAMED__{j}"
        for j, v in enumerate(grid.row(header_at))
    ]
    notes = []
    if header_at:
        notes.append(f"skipped {header_at} title row(s) above the header of sheet {name!r}")
    seen: dict[str, int] = {}
    unique = []
    for h in header:
        if h in seen:
            seen[h] += 1
            unique.append(f"{h}_duplicated_{seen[h] - 1}")
            notes.append(f"header {h!r} appears more than once: the first is used")
        else:
            seen[h] = 1
            unique.append(h)
    nonempty = [i for i, n in enumerate(filled.to_list()) if n > 0]
    last = nonempty[-1] if nonempty else header_at
    frame = grid.slice(header_at + 1, last - header_at)
    frame.columns = unique
    first = _first_used_row(path, name) + header_at + 1
    return RawTable(frame.lazy(), "excel", str(path), sheet=name, notes=notes, first_row=first)


def _header_index(filled: list[int]) -> int:
    """Index of the header row: the first row filled at least half as much as the fullest.

    Title rows above the header (``2024年3月门诊周报`` in one merged cell) are skipped.
    """
    most = max(filled)
    if most <= 1:
        return 0
    return next(i for i, n in enumerate(filled) if n > most // 2)


def _first_used_row(path: Path, sheet: str) -> int:
    """Sheet row number of the first row the reader returns (1 unless leading rows are blank).

    Readers start at the sheet's first used row; for ``.xlsx`` it is read from the sheet's
    dimension with openpyxl, for ``.xls`` it is taken as 1.
    """
    if path.suffix.lower() == ".xls":
        return 1
    try:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            return int(wb[sheet].min_row or 1)
        finally:
            wb.close()
    except Exception:
        return 1


def scan_parquet(path: Path) -> RawTable:
    """Scan a Parquet file lazily (its schema is read, not its data)."""
    if path.stat().st_size == 0:
        msg = f"{path}: the file is empty"
        raise DataError(msg)
    try:
        frame = pl.scan_parquet(path)
        frame.collect_schema()
    except Exception as exc:
        msg = f"{path}: cannot read as Parquet: {exc}"
        raise DataError(msg) from exc
    return RawTable(frame, "parquet", str(path))


def read_table(path: Path, *, sheet: str | int | None = None) -> RawTable:
    """Read any supported tabular file by its suffix."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return read_csv(path)
    if suffix in EXCEL_SUFFIXES:
        return read_excel(path, sheet)
    if suffix in PARQUET_SUFFIXES:
        return scan_parquet(path)
    known = CSV_SUFFIXES + EXCEL_SUFFIXES + PARQUET_SUFFIXES
    msg = f"{path}: unsupported file type {suffix!r}; supported: {', '.join(known)}"
    raise DataError(msg)
