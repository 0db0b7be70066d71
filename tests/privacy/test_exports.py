"""Named lists: never into a report folder, readable by their owner only."""

from __future__ import annotations

import stat
from pathlib import Path

import polars as pl
import pytest

from govanalytics.errors import ParameterError, PrivacyError
from govanalytics.privacy import exports_folder, private_file


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(
    ("inside", "why"),
    [
        ("reports/exports", "reports folder"),
        ("out/2026-W47/service_demand", "report week"),
        ("out/.tmp-2026-W47-abc123/service_demand", "being built"),
        ("published/service_demand", "summary.json"),
    ],
)
def test_a_folder_inside_a_report_is_refused(tmp_path, inside, why) -> None:
    (tmp_path / "published" / "service_demand").mkdir(parents=True)
    (tmp_path / "published" / "service_demand" / "summary.json").write_text("{}")
    with pytest.raises(PrivacyError, match=rf"exports_dir(.|\n)*{why}(.|\n)*Hint"):
        exports_folder(tmp_path / inside)
    assert not (tmp_path / inside / "x").exists()


def test_exports_folder_and_files_are_private(tmp_path) -> None:
    folder = exports_folder(tmp_path / "data" / "exports")
    assert folder.is_dir() and _mode(folder) == 0o700
    with private_file(folder / "名单.parquet") as tmp:
        assert _mode(tmp) == 0o600
        pl.DataFrame({"a": [1]}).write_parquet(tmp)
    assert _mode(folder / "名单.parquet") == 0o600
    assert [p.name for p in folder.iterdir()] == ["名单.parquet"]  # no temporary left
    with pytest.raises(ParameterError, match="'exports_dir'"):
        exports_folder("")


def test_a_failed_write_leaves_nothing(tmp_path) -> None:
    folder = exports_folder(tmp_path / "exports")
    with pytest.raises(ZeroDivisionError), private_file(folder / "roll.parquet"):
        1 / 0  # noqa: B018
    assert list(folder.iterdir()) == []
