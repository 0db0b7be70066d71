"""``govanalytics report weekly`` and ``govanalytics report memo``."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from govanalytics.cli import main


def test_weekly_exits_nonzero_naming_notebook_and_cell(
    good_notebooks: Path, tiny_data: Path, tmp_path: Path, make_notebook, bad_body
) -> None:
    make_notebook(good_notebooks / "bad.ipynb", bad_body)
    result = CliRunner().invoke(main, [
        "report", "weekly", "--week", "2026-W47", "--data", str(tiny_data),
        "--out", str(tmp_path / "reports"), "--notebooks", str(good_notebooks),
    ])  # fmt: skip
    assert result.exit_code == 1
    assert "bad.ipynb failed at cell 2" in result.output
    assert "[2/2] good ok" in result.output  # progress lines name notebook and time
    assert (tmp_path / "reports" / "2026-W47.failed" / "bad" / "bad.ipynb").is_file()


def test_memo_command_rewrites_the_memo(weekly_report, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    shutil.copytree(weekly_report.path, reports / weekly_report.week, symlinks=True)
    folder = reports / weekly_report.week
    for name in ("memo.pdf", "memo.docx", "memo.html"):
        (folder / name).unlink(missing_ok=True)
    result = CliRunner().invoke(main, ["report", "memo", "--out", str(reports)])
    assert result.exit_code == 0, result.output
    assert (folder / "memo.docx").is_file() and (folder / "memo.html").is_file()
    assert not list(folder.glob(".memo-*"))


def test_weekly_parameters_checked_before_running(
    good_notebooks: Path, tiny_data: Path, tmp_path: Path
) -> None:
    args = ["report", "weekly", "--week", "2026-W47", "--data", str(tiny_data),
            "--out", str(tmp_path / "r"), "--notebooks", str(good_notebooks)]  # fmt: skip
    result = CliRunner().invoke(main, [*args, "-p", "good.repeat=two"])
    assert result.exit_code == 1
    assert (
        "good.ipynb" in result.output
        and "parameter 'repeat' must be an integer, got 'two'" in result.output
    )
    result = CliRunner().invoke(main, [*args, "-p", "horizon=4"])
    assert result.exit_code == 1 and "unknown parameter 'horizon'" in result.output
    assert not (tmp_path / "r" / "2026-W47").exists()


def test_parameter_option_parsing() -> None:
    from govanalytics.cli import _parse_parameters

    assert _parse_parameters(("min_count=20", "health_risk.horizon=4", "tag=abc")) == {
        "min_count": 20,
        "health_risk": {"horizon": 4},
        "tag": "abc",
    }
