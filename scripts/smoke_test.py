"""Post-install check of an offline install (run by the bundle's install.sh after the report).

    python smoke_test.py --report reports/<week> --notebooks notebooks

Passes when the weekly report just rendered is complete and clean: the index page (城市运行周报),
the memo (PDF and Word) and the Excel appendix exist; every notebook of the notebooks folder
ran with status ``ok`` according to ``manifest.json``; and a fresh privacy scan of every
artefact (``govanalytics.privacy.scan_report``, independent of the gate the run passed) finds no
ID-card or phone number. Prints one line per check; exits 1 on the first failure.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def fail(msg: str) -> None:
    """Print the failed check and exit 1."""
    print(f"smoke test FAILED: {msg}", file=sys.stderr)
    sys.exit(1)


def main(argv: list[str] | None = None) -> int:
    """Run the checks on one rendered report folder."""
    parser = argparse.ArgumentParser(description="check an offline install's first report")
    parser.add_argument("--report", type=Path, required=True, help="reports/<week> folder")
    parser.add_argument("--notebooks", type=Path, required=True, help="notebooks folder")
    args = parser.parse_args(argv)

    folder: Path = args.report
    for name in ("index.html", "manifest.json", "memo.pdf", "memo.docx", "tables.xlsx"):
        path = folder / name
        if not path.is_file() or path.stat().st_size == 0:
            fail(f"{path} is missing or empty")
    print(f"ok  {folder}: index.html, memo.pdf, memo.docx, tables.xlsx, manifest.json")

    if "城市运行周报" not in (folder / "index.html").read_text(encoding="utf-8"):
        fail(f"{folder / 'index.html'} has no title 城市运行周报")
    if not (folder / "memo.pdf").read_bytes().startswith(b"%PDF"):
        fail(f"{folder / 'memo.pdf'} is not a PDF")
    print("ok  index titled 城市运行周报, memo.pdf is a PDF")

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    runs = {n["name"]: n["status"] for n in manifest["notebooks"]}
    expected = {p.stem for p in args.notebooks.glob("*.ipynb") if not p.name.startswith((".", "_"))}
    if set(runs) != expected:
        fail(f"manifest.json lists notebooks {sorted(runs)}, the folder has {sorted(expected)}")
    bad = {name: status for name, status in runs.items() if status != "ok"}
    if bad:
        fail(f"notebooks not ok: {bad}")
    print(f"ok  {len(runs)} notebooks rendered: {', '.join(sorted(runs))}")

    from govanalytics.privacy import scan_report

    hits = scan_report(folder)
    if hits:
        fail(f"personal data in the report: {[str(h) for h in hits[:5]]}")
    files = sum(1 for p in folder.rglob("*") if p.is_file())
    print(f"ok  privacy scan of {files} files: no ID-card or phone number")
    return 0


if __name__ == "__main__":
    sys.exit(main())
