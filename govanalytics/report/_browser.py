"""Debian's headless Chromium, run with the network blocked (PDF printing, offline checks)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from pathlib import Path

from govanalytics.errors import ReportError

#: Flags that keep Chromium from reaching any host: every name resolves to nothing and every
#: request goes through a proxy that does not exist; no background, sync or update traffic.
OFFLINE_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
)


def find_chromium() -> str | None:
    """Path of a Chromium binary: ``$GOVANALYTICS_CHROMIUM``, then ``chromium`` /
    ``chromium-browser`` / ``google-chrome`` on PATH; None when there is none."""
    env = os.environ.get("GOVANALYTICS_CHROMIUM")
    if env:
        return env if Path(env).is_file() else shutil.which(env)
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def run_chromium(args: list[str], *, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run headless Chromium offline with a fresh profile and ``args`` appended.

    Raises
    ------
    ReportError
        Chromium is missing, times out or exits with an error.
    """
    binary = find_chromium()
    if binary is None:
        msg = "Chromium not found (install Debian's chromium: scripts/system-deps.sh)"
        raise ReportError(msg)
    with tempfile.TemporaryDirectory(prefix="govanalytics-chromium-") as profile:
        cmd = [binary, *OFFLINE_FLAGS, f"--user-data-dir={profile}", *args]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            msg = f"Chromium timed out after {timeout} s: {' '.join(args)}"
            raise ReportError(msg) from exc
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", errors="replace")[-800:]
        msg = f"Chromium failed (exit {done.returncode}) on {' '.join(args)}:\n{tail}"
        raise ReportError(msg)
    return done


def print_pdf(html_file: str | Path, pdf_file: str | Path, *, timeout: float = 120) -> Path:
    """Print a local HTML file to PDF with Chromium (page size from the page's ``@page``).

    Fonts are embedded by Chromium (CFF-based CJK fonts such as Noto Sans CJK as Type 3
    outlines), so the PDF opens without the fonts installed.
    """
    html_file = Path(html_file).resolve()
    pdf_file = Path(pdf_file).resolve()
    run_chromium(
        ["--no-pdf-header-footer", f"--print-to-pdf={pdf_file}", html_file.as_uri()],
        timeout=timeout,
    )
    if not pdf_file.is_file() or pdf_file.stat().st_size == 0:
        msg = f"Chromium wrote no PDF for {html_file}"
        raise ReportError(msg)
    return pdf_file


_TARGET = re.compile(rb"(<[0-9A-Fa-f]+>\s+)<([0-9A-Fa-f]{4})>")
_COMPAT = ((0x2E80, 0x2FDF), (0xF900, 0xFAFF))


def _is_compat(code: int) -> bool:
    return any(lo <= code <= hi for lo, hi in _COMPAT)


def shared_glyphs(font_file: str | Path, index: int = 0) -> dict[int, frozenset[int]]:
    """Code points of a font that share their glyph with other code points (e.g. 行 and the
    Kangxi radical ⾏ in Noto Sans CJK), each with the whole group."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(font_file), fontNumber=index, lazy=True)
    by_glyph: dict[str, set[int]] = {}
    for code, glyph in font.getBestCmap().items():
        by_glyph.setdefault(glyph, set()).add(code)
    font.close()
    return {
        code: frozenset(group) for group in by_glyph.values() if len(group) > 1 for code in group
    }


def fix_cjk_text_layer(
    pdf_file: str | Path,
    *,
    text: str = "",
    shared: dict[int, frozenset[int]] | None = None,
) -> int:
    """Make a Chromium PDF's text layer give back the characters that were printed.

    Chromium's ``ToUnicode`` maps a glyph drawn for several code points to one of them: Noto
    Sans CJK draws 行 and the Kangxi radical ⾏ (U+2F8F), or 户 and 戶, with one glyph, and the
    PDF then says ⾏ or 戶 — copying or searching "运行" in the memo fails. Each ``bfchar``
    target is replaced by the code point of its glyph group that occurs in ``text`` (the
    printed text), else by the unified ideograph (NFKC) of a radical or compatibility
    character. The drawing is untouched.

    Parameters
    ----------
    pdf_file
        The PDF, rewritten in place (by rename) when something changed.
    text
        The text that was printed.
    shared
        Glyph groups of the font (:func:`shared_glyphs`); without it only radicals and
        compatibility characters are mapped.

    Returns
    -------
    int
        Number of ``ToUnicode`` maps changed.
    """
    from pypdf import PdfReader, PdfWriter

    wanted = {ord(c) for c in text}
    groups = shared or {}

    def choose(match: re.Match) -> bytes:
        code = int(match.group(2), 16)
        if code in wanted:
            return match.group(0)
        options = sorted(groups.get(code, frozenset()) & wanted)
        if not options and _is_compat(code):
            mapped = unicodedata.normalize("NFKC", chr(code))
            if len(mapped) == 1 and mapped != chr(code):
                options = [ord(mapped)]
            else:
                options = sorted(c for c in groups.get(code, ()) if not _is_compat(c))
        if not options:
            return match.group(0)
        return match.group(1) + f"<{options[0]:04X}>".encode()

    pdf_file = Path(pdf_file)
    writer = PdfWriter(clone_from=PdfReader(pdf_file))
    seen: set[int] = set()
    changed = 0
    for page in writer.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            cmap_ref = ref.get_object().get("/ToUnicode")
            if cmap_ref is None:
                continue
            stream = cmap_ref.get_object()
            if id(stream) in seen:
                continue
            seen.add(id(stream))
            data = stream.get_data()
            fixed = _TARGET.sub(choose, data)
            if fixed != data:
                stream.set_data(fixed)
                changed += 1
    if changed:
        tmp = pdf_file.with_suffix(".tmp.pdf")
        with open(tmp, "wb") as fh:
            writer.write(fh)
        os.replace(tmp, pdf_file)
    return changed


def dump_dom(html_file: str | Path, *, budget_ms: int = 5000, timeout: float = 120) -> str:
    """The DOM of a local page after ``budget_ms`` of virtual time, serialised by Chromium."""
    done = run_chromium(
        [
            f"--virtual-time-budget={budget_ms}",
            "--dump-dom",
            Path(html_file).resolve().as_uri(),
        ],
        timeout=timeout,
    )
    return done.stdout.decode("utf-8", errors="replace")
