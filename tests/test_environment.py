"""``environment.yml`` (conda) lists the same dependencies as ``pyproject.toml`` (pip)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

#: conda-forge package names that differ from the PyPI name.
CONDA_TO_PYPI = {"python-duckdb": "duckdb"}
_REQ = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*?)\s*(;.*)?$")


def normalise(name: str) -> str:
    """PEP 503 name normalisation (lower case, runs of ``-_.`` as one ``-``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_requirement(text: str) -> tuple[str, str]:
    """``"polars>=2.1"`` → ``("polars", ">=2.1")`` (extras and markers dropped)."""
    m = _REQ.match(text)
    assert m, f"cannot parse requirement {text!r}"
    return normalise(m.group(1)), m.group(3).replace(" ", "")


def pyproject_dependencies() -> dict[str, str]:
    """Runtime and optional (``dev``, ``db``, …) dependencies of pyproject.toml, name → spec."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"].values()
    reqs = list(project["dependencies"]) + [r for extra in extras for r in extra]
    return dict(parse_requirement(r) for r in reqs)


def environment_dependencies() -> tuple[dict[str, str], dict[str, str]]:
    """Conda and pip dependencies of environment.yml (conda names mapped to PyPI names)."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda: dict[str, str] = {}
    pip: dict[str, str] = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for req in dep.get("pip", []):
                if req.startswith("-"):  # "-e ." installs the package itself
                    continue
                name, spec = parse_requirement(req)
                pip[name] = spec
            continue
        name, spec = parse_requirement(dep)
        if name in ("python", "pip"):
            continue
        conda[normalise(CONDA_TO_PYPI.get(name, name))] = spec
    return conda, pip


def test_parser() -> None:
    assert parse_requirement("Charset_Normalizer >= 3.3") == ("charset-normalizer", ">=3.3")
    assert parse_requirement("polars[pyarrow]>=2.1 ; python_version>'3.10'") == ("polars", ">=2.1")


def test_environment_lists_the_same_dependencies_as_pyproject() -> None:
    conda, pip = environment_dependencies()
    assert not set(conda) & set(pip), "a dependency is listed both by conda and by pip"
    both = conda | pip
    ours = pyproject_dependencies()
    assert sorted(set(ours) - set(both)) == [], "in pyproject.toml but not in environment.yml"
    assert sorted(set(both) - set(ours)) == [], "in environment.yml but not in pyproject.toml"
    differing = {n: (ours[n], both[n]) for n in ours if ours[n] != both[n]}
    assert differing == {}, "version specifiers differ (pyproject, environment.yml)"


def test_environment_pip_section_is_used() -> None:
    """Packages not on conda-forge come through the pip: section, with the package itself."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(pip_sections) == 1
    assert "-e ." in pip_sections[0]
    _, pip = environment_dependencies()
    assert len(pip) == len(pip_sections[0]) - 1
