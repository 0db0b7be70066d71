"""``--engine`` / ``--spark-conf``: parsed, and given only to notebooks declaring ``engine``."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from govanalytics.cli import main
from govanalytics.errors import ParameterError
from govanalytics.report._params import engine_parameters, parse_spark_conf


def _notebook(path: Path, source: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Py"}
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nbformat.write(nb, path)
    return path


@pytest.fixture
def notebooks(tmp_path: Path) -> list[Path]:
    """One notebook declaring the engine parameters, one not."""
    common = 'data_dir: str = ""\nweek: str = ""\noutput_dir: str = "."\n'
    return [
        _notebook(
            tmp_path / "flows.ipynb", common + 'engine: str = "polars"\nspark_conf: dict = {}\n'
        ),
        _notebook(tmp_path / "health.ipynb", common),
    ]


def test_spark_conf_pairs_are_parsed() -> None:
    conf = parse_spark_conf(("spark.master=yarn", "spark.executor.memory = 8g", "a.b=x=y"))
    assert conf == {"spark.master": "yarn", "spark.executor.memory": "8g", "a.b": "x=y"}
    with pytest.raises(ParameterError, match="KEY=VALUE"):
        parse_spark_conf(("spark.master",))


def test_engine_goes_only_to_notebooks_declaring_it(notebooks: list[Path]) -> None:
    given = {"flows": {"month": "2026-10"}, "k": 20}
    out = engine_parameters(
        given, engine="spark", spark_conf={"spark.master": "local[2]"}, notebooks=notebooks
    )
    assert out["flows"] == {
        "engine": "spark",
        "spark_conf": {"spark.master": "local[2]"},
        "month": "2026-10",
    }
    assert "health" not in out and out["k"] == 20


def test_engine_without_any_taker_is_an_error(notebooks: list[Path]) -> None:
    with pytest.raises(ParameterError, match="no notebook declares"):
        engine_parameters({}, engine="spark", spark_conf={}, notebooks=notebooks[1:])
    with pytest.raises(ParameterError, match="'engine' must be"):
        engine_parameters({}, engine="dask", spark_conf={}, notebooks=notebooks)


def test_population_flow_notebook_takes_the_engine() -> None:
    """Of the shipped notebooks, population_flow (device counts) is the one that reads Spark."""
    shipped = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
    out = engine_parameters({}, engine="spark", spark_conf={"a": "b"}, notebooks=shipped)
    assert out == {"population_flow": {"engine": "spark", "spark_conf": {"a": "b"}}}


def test_cli_reports_a_bad_spark_conf(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "report",
            "weekly",
            "--engine",
            "spark",
            "--spark-conf",
            "nonsense",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 1
    assert "KEY=VALUE" in result.output
