"""Shared fixtures: the small sample city and notebook execution through papermill."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


@pytest.fixture(scope="session")
def small_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``small`` sample city (seed 1), generated once per test worker."""
    from govanalytics.synth import generate_city

    return generate_city(tmp_path_factory.mktemp("city") / "sample", size="small", seed=1)


@pytest.fixture(scope="session")
def truth(small_city: Path) -> dict:
    """The planted truths of the small sample city."""
    return json.loads((small_city / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture
def run_notebook(tmp_path: Path):
    """Execute ``notebooks/<name>.ipynb`` through papermill on the govanalytics kernel.

    Returns a function ``run(name, **parameters) -> Path`` giving the output folder, which
    holds the executed notebook ``<name>.ipynb`` and whatever the notebook wrote.
    """
    import papermill as pm

    def run(name: str, **parameters) -> Path:
        out = tmp_path / name
        out.mkdir(parents=True, exist_ok=True)
        parameters.setdefault("output_dir", str(out))
        pm.execute_notebook(
            str(NOTEBOOKS / f"{name}.ipynb"),
            str(out / f"{name}.ipynb"),
            parameters=parameters,
            kernel_name="govanalytics",
            cwd=str(NOTEBOOKS),
            progress_bar=False,
        )
        return out

    return run


# --- database tests: one worker, one PostgreSQL server ----------------------------------------
# `--dist loadgroup` groups tests by their xdist_group mark through a suffix on the node id,
# which pytest 9.2's structured node ids silently drop (pytest-xdist issue #1386: the tests are
# then spread as with `--dist load`). This scheduler puts every test of tests/db/ in the group
# "postgres" by its path, and otherwise schedules exactly as loadgroup does.
@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class _PostgresGroup(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith("tests/db/"):
                return "postgres"
            return super()._split_scope(nodeid)

    return _PostgresGroup(config, log)
