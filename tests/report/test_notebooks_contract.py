"""Every notebook in notebooks/ follows the contract: no outputs, one typed parameters cell."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from govanalytics.report import notebook_parameters
from govanalytics.report.contract import COMMON_PARAMETERS

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


def test_overview_notebook_exists() -> None:
    assert "overview.ipynb" in [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    dirty = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)
    ]
    assert dirty == [], f"{path.name}: cells {dirty} carry outputs or execution counts"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_one_parameters_cell_with_common_parameters(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: {len(tagged)} cells tagged 'parameters'"
    declared = notebook_parameters(path)
    for name, kind in COMMON_PARAMETERS.items():
        assert declared.get(name) is kind, f"{path.name}: {name} must be annotated {kind.__name__}"
    assert all(kind is not None for kind in declared.values()), f"{path.name}: untyped {declared}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_kernel_is_the_registered_one(path: Path) -> None:
    """Every notebook names the kernel `make setup` registers, with its display name, so
    JupyterLab opens each on the same kernel without asking."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    spec = nbformat.read(path, as_version=4).metadata["kernelspec"]
    assert spec["name"] == "govanalytics"
    try:
        registered = KernelSpecManager().get_kernel_spec("govanalytics").display_name
    except NoSuchKernel:
        pytest.skip("the govanalytics kernel is not registered (make setup)")
    assert spec["display_name"] == registered


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_developer_notes_kept_out_of_the_page(path: Path) -> None:
    """The first Markdown cell (notes on parameters and the package, for whoever edits the
    notebook) is tagged to stay out of the published page; the page's title comes from code."""
    from govanalytics.report import HIDDEN_TAG

    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    assert HIDDEN_TAG in first.get("metadata", {}).get("tags", [])
