"""The public surface: every package's ``__all__`` is complete, resolvable and in order.

Rule checked for ``govanalytics`` and each capability subpackage:

- ``__all__`` exists, holds no name twice and is sorted the way ``ruff`` (RUF022) sorts it:
  SCREAMING_CASE constants, then CamelCase classes, then the rest, each in natural order;
- every name in ``__all__`` resolves on the package;
- every public name the ``__init__`` defines (``def``, ``class``, assignment) or re-exports
  from inside the package is in ``__all__``: a public name outside it is either an API
  someone forgot to declare or a helper that should be ``_private``.

And importing ``govanalytics`` alone does no heavy work (no polars, geopandas, jieba, … and
no subpackage), checked in a fresh interpreter.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import re
import subprocess
import sys
from types import ModuleType

import pytest

SUBPACKAGES = (
    "data",
    "geo",
    "health",
    "hotwords",
    "mobility",
    "services",
    "privacy",
    "report",
    "synth",
)
PACKAGES = ("govanalytics", *(f"govanalytics.{name}" for name in SUBPACKAGES))

#: Packages whose ``__init__`` breaks the completeness rule today, with the names at fault.
#: Owners fix the ``__init__``; the strict xfail then fails and this entry must go.
KNOWN_INCOMPLETE: dict[str, str] = {}

HEAVY_MODULES = (
    "polars",
    "pandas",
    "numpy",
    "pyarrow",
    "geopandas",
    "shapely",
    "pyproj",
    "folium",
    "jieba",
    "statsmodels",
    "scipy",
    "matplotlib",
    "papermill",
    "nbformat",
    "openpyxl",
)


def _natural(name: str) -> list[int | str]:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def _ruff_order(name: str) -> tuple[int, list[int | str]]:
    """Sort key of ruff's RUF022 (isort-style): constants, classes, then everything else."""
    if name.isupper():
        kind = 0
    elif name[:1].isupper():
        kind = 1
    else:
        kind = 2
    return kind, _natural(name)


def _defined_in_init(module: ModuleType) -> set[str]:
    """Names the ``__init__`` binds itself or re-exports from inside its own package."""
    tree = ast.parse(inspect.getsource(module))
    package = module.__name__
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
        elif isinstance(node, ast.ImportFrom):
            inside = node.level > 0 or (
                node.module is not None
                and (node.module == package or node.module.startswith(package + "."))
            )
            if inside:
                names |= {alias.asname or alias.name for alias in node.names}
    return {n for n in names if not n.startswith("_")}


def _exported(name: str) -> tuple[ModuleType, list[str]]:
    module = importlib.import_module(name)
    assert hasattr(module, "__all__"), f"{name} has no __all__"
    exported = module.__all__
    assert isinstance(exported, list | tuple), f"{name}.__all__ is a {type(exported).__name__}"
    return module, list(exported)


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_unique_and_sorted(name: str) -> None:
    _, exported = _exported(name)
    twice = sorted({n for n in exported if exported.count(n) > 1})
    assert not twice, f"{name}.__all__ lists {twice} more than once"
    assert exported == sorted(exported, key=_ruff_order), (
        f"{name}.__all__ is not sorted (constants, classes, then the rest: `ruff check --fix`)"
    )


@pytest.mark.parametrize("name", PACKAGES)
def test_every_exported_name_resolves(name: str) -> None:
    module, exported = _exported(name)
    missing = [n for n in exported if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names {missing}, which the package does not have"
    namespace: dict[str, object] = {}
    exec(f"from {name} import *", namespace)
    assert set(exported) <= set(namespace)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=KNOWN_INCOMPLETE[n]))
        if n in KNOWN_INCOMPLETE
        else n
        for n in PACKAGES
    ],
)
def test_no_public_name_of_the_init_is_left_out(name: str) -> None:
    module, exported = _exported(name)
    left_out = sorted(_defined_in_init(module) - set(exported))
    assert not left_out, (
        f"{name}/__init__.py defines or re-exports {left_out} without listing them in __all__: "
        "add them, or make them private (`import x as _x`)"
    )


def _modules_after(statement: str) -> set[str]:
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(done.stdout))


def test_importing_the_package_does_no_heavy_work() -> None:
    loaded = _modules_after("import govanalytics")
    heavy = sorted(m for m in HEAVY_MODULES if m in loaded)
    assert not heavy, f"`import govanalytics` imports {heavy}"
    subpackages = sorted(m for m in loaded if m.startswith("govanalytics."))
    assert not subpackages, f"`import govanalytics` imports {subpackages}"
    # the check itself can see a heavy import
    assert "polars" in _modules_after("import govanalytics.privacy")


def test_privacy_needs_no_maps_no_segmenter_no_statistics() -> None:
    loaded = _modules_after("import govanalytics.privacy")
    unwanted = ("geopandas", "folium", "jieba", "statsmodels", "scipy", "matplotlib", "openpyxl")
    heavy = sorted(m for m in unwanted if m in loaded)
    assert not heavy, f"`import govanalytics.privacy` imports {heavy}"
