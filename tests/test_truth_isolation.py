"""Package code outside ``govanalytics/synth`` never mentions or reads ``truth.json``.

The sample city's planted truths are the test oracle; an analysis that read them would pass
its tests without recovering anything. Only tests and benchmarks may read the file.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "govanalytics"
NOTEBOOKS = ROOT / "notebooks"

_MENTION = re.compile(r"truth\s*\.\s*json", re.IGNORECASE)
_NAME = re.compile(r"(^|[/\\])truth(\.json)?$", re.IGNORECASE)


def _strings(tree: ast.AST) -> list[str]:
    """Every string constant, with ``"a" + "b"`` chains of constants folded."""

    def fold(node: ast.AST) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = fold(node.left), fold(node.right)
            if left is not None and right is not None:
                return left + right
        return None

    out = []
    for node in ast.walk(tree):
        value = fold(node)
        if value is not None:
            out.append(value)
    return out


def truth_references(source: str) -> list[str]:
    """Ways ``source`` (Python code) names the truth file; empty when it does not.

    Catches the name written anywhere (code, comment, docstring), split into implicitly
    concatenated or added string pieces, and a bare ``"truth"`` stem given a ``.json`` suffix
    elsewhere.
    """
    found = [m.group(0) for m in _MENTION.finditer(source)]
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return found
    for value in _strings(tree):
        if _MENTION.search(value) or _NAME.search(value.strip()):
            found.append(value)
    return found


def _notebook_code(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    lines = []
    for cell in cells:
        src = cell.get("source", "")
        text = "".join(src) if isinstance(src, list) else src
        # IPython magics are not Python: comment them out before parsing
        lines.append(
            "\n".join(
                "#" + ln if ln.lstrip().startswith(("%", "!")) else ln for ln in text.splitlines()
            )
        )
    return "\n".join(lines)


@pytest.mark.parametrize(
    "code",
    [
        'json.loads((data_dir / "truth.json").read_text())',
        "open(os.path.join(d, 'TRUTH.JSON'))",
        'p = d / ("tru" "th.json")',
        'p = d / ("tru" + "th" + ".json")',
        'p = (d / "truth").with_suffix(".json")',
        "# read the planted truth . json for calibration",
    ],
)
def test_scanner_catches_planted_reference(code: str) -> None:
    assert truth_references(code)


@pytest.mark.parametrize(
    "code",
    [
        '"""Score every forecast against the truth."""',
        'truthful = "the ground truth of a forecast"',
        'path = data_dir / "regions.parquet"',
    ],
)
def test_scanner_ignores_innocent_code(code: str) -> None:
    assert truth_references(code) == []


def _package_modules() -> list[Path]:
    synth = PACKAGE / "synth"
    return sorted(p for p in PACKAGE.rglob("*.py") if synth not in p.parents)


def test_package_outside_synth_never_names_truth_file() -> None:
    modules = _package_modules()
    assert len(modules) > 10  # the scan really covers the package
    offenders = {
        str(p.relative_to(ROOT)): refs
        for p in modules
        if (refs := truth_references(p.read_text(encoding="utf-8")))
    }
    assert offenders == {}, f"package code outside synth/ names truth.json: {offenders}"


def test_notebooks_never_name_truth_file() -> None:
    offenders = {
        p.name: refs
        for p in sorted(NOTEBOOKS.glob("*.ipynb"))
        if (refs := truth_references(_notebook_code(p)))
    }
    assert offenders == {}, f"notebooks name truth.json: {offenders}"


def test_synth_does_write_the_truth_file() -> None:
    """The scanner finds the one legitimate writer, so it would find any other."""
    text = (PACKAGE / "synth" / "__init__.py").read_text(encoding="utf-8")
    assert truth_references(text)
