"""Debian's headless Chromium, run with the network blocked (PDF printing, offline checks)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
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
