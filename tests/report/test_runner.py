"""The weekly runner: parameter checks, failure isolation, atomic publish, manifest."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import polars as pl
import pytest

from govanalytics.errors import ParameterError, ReportError
from govanalytics.report import input_fingerprints, last_data_day, render_weekly

WEEK = "2026-W47"


def _render(notebooks: Path, data: Path, out: Path, **kwargs):
    return render_weekly(
        week=WEEK, data_dir=data, out_dir=out, notebooks_dir=notebooks, compose=False,
        quiet=True, **kwargs,
    )  # fmt: skip


def test_week_defaults_to_latest_complete_week_with_data(tiny_data: Path) -> None:
    import datetime as dt

    from govanalytics.report._runner import default_week

    assert last_data_day(tiny_data) == dt.date(2026, 11, 22)
    assert default_week(tiny_data) == "2026-W47"


def test_unknown_parameter_rejected_before_running(
    good_notebooks: Path, tiny_data: Path, tmp_path: Path, make_notebook
) -> None:
    make_notebook(good_notebooks / "other.ipynb", ["x = 1"])
    out = tmp_path / "reports"
    with pytest.raises(ParameterError) as info:
        _render(good_notebooks, tiny_data, out, parameters={"horizon": 4})
    message = str(info.value)
    for name in ("good.ipynb", "other.ipynb"):  # every notebook's problem, at once
        assert re.search(name.replace(".", r"\.") + r":\n  unknown parameter 'horizon'", message)
    assert not out.exists() or not any(out.iterdir())


def test_wrong_type_rejected(good_notebooks: Path, tiny_data: Path, tmp_path: Path) -> None:
    with pytest.raises(
        ParameterError, match=r"good\.ipynb[\s\S]*parameter 'repeat' must be an integer, got '2'"
    ):
        _render(good_notebooks, tiny_data, tmp_path / "r", parameters={"good": {"repeat": "2"}})
    with pytest.raises(ParameterError, match="parameter 'repeat' must be an integer, got True"):
        _render(good_notebooks, tiny_data, tmp_path / "r", parameters={"repeat": True})


def test_runner_sets_common_parameters_itself(
    good_notebooks: Path, tiny_data: Path, tmp_path: Path
) -> None:
    with pytest.raises(ParameterError, match="'output_dir' is set by the runner"):
        _render(good_notebooks, tiny_data, tmp_path / "r", parameters={"output_dir": "/tmp"})


def test_notebook_without_common_parameters_rejected(
    tiny_data: Path, tmp_path: Path, make_notebook
) -> None:
    folder = tmp_path / "nb"
    folder.mkdir()
    make_notebook(folder / "odd.ipynb", ["x = 1"], parameters='data_dir: str = ""\nweek = ""\n')
    with pytest.raises(ParameterError, match=r"odd\.ipynb[\s\S]*output_dir"):
        _render(folder, tiny_data, tmp_path / "r")


def test_failure_isolated_named_and_kept(
    good_notebooks: Path, tiny_data: Path, tmp_path: Path, make_notebook, bad_body
) -> None:
    make_notebook(good_notebooks / "bad.ipynb", bad_body)
    out = tmp_path / "reports"
    with pytest.raises(ReportError) as info:
        _render(good_notebooks, tiny_data, out, parameters={"repeat": 2})
    message = str(info.value)
    assert "bad.ipynb failed at cell 2" in message
    assert "ValueError: planted failure" in message
    assert "good.ipynb" not in message  # only the failing notebook is named
    failed = out / f"{WEEK}.failed"
    assert not (out / WEEK).exists()  # nothing published
    # the good notebook ran after the bad one's failure? (bad sorts first) and wrote its outputs
    good = pl.read_parquet(failed / "good" / "counts.parquet")
    assert good["count"].to_list() == [40]
    assert (failed / "good" / "summary.json").is_file()
    kept = json.loads((failed / "bad" / "bad.ipynb").read_text(encoding="utf-8"))
    assert any(o.get("ename") == "ValueError" for c in kept["cells"] for o in c.get("outputs", []))
    manifest = json.loads((failed / "manifest.json").read_text(encoding="utf-8"))
    status = {n["name"]: n["status"] for n in manifest["notebooks"]}
    assert status == {"bad": "failed", "good": "ok"}
    assert "bad.ipynb failed at cell 2" in (failed / "FAILED.txt").read_text(encoding="utf-8")
    assert not list(out.glob(".tmp-*"))  # no build folder left behind


def test_earlier_report_survives_failed_run(
    good_notebooks: Path, tiny_data: Path, tmp_path: Path, make_notebook, bad_body
) -> None:
    out = tmp_path / "reports"
    first = _render(good_notebooks, tiny_data, out)
    assert first.path == out / WEEK
    before = (out / WEEK / "manifest.json").read_bytes()
    assert (out / WEEK / "good" / "good.html").is_file()
    assert (out / WEEK / "index.html").is_file()
    make_notebook(good_notebooks / "bad.ipynb", bad_body)
    with pytest.raises(ReportError, match="bad"):
        _render(good_notebooks, tiny_data, out)
    assert (out / WEEK / "manifest.json").read_bytes() == before
    assert (out / f"{WEEK}.failed").is_dir()
    archive = (out / "index.html").read_text(encoding="utf-8")
    assert f"{WEEK}.failed/FAILED.txt" in archive and "失败（bad）" in archive
    assert f"href='{WEEK}/index.html'" in archive  # the earlier report is still listed
    # a later good run replaces the week and clears the failed folder
    (good_notebooks / "bad.ipynb").unlink()
    _render(good_notebooks, tiny_data, out)
    assert (out / WEEK / "manifest.json").read_bytes() != before
    assert not (out / f"{WEEK}.failed").exists()
    assert sorted(p.name for p in out.iterdir()) == [WEEK, "index.html"]
    archive = (out / "index.html").read_text(encoding="utf-8")
    assert f"href='{WEEK}/index.html'" in archive and "FAILED.txt" not in archive


def test_manifest_records_inputs_parameters_and_versions(
    good_notebooks: Path, tiny_data: Path, tmp_path: Path
) -> None:
    report = _render(good_notebooks, tiny_data, tmp_path / "reports")
    m = json.loads((report.path / "manifest.json").read_text(encoding="utf-8"))
    assert m["inputs"] == input_fingerprints(tiny_data)
    assert list(m["inputs"]) == ["dynamic/comments.parquet"]
    assert m["parameters"]["good"]["week"] == WEEK
    assert m["parameters"]["good"]["data_dir"] == str(tiny_data.resolve())
    assert m["versions"]["papermill"] and m["python"]
    assert m["notebooks"][0]["status"] == "ok" and m["notebooks"][0]["duration_s"] > 0
    assert m["notebooks"][0]["tables"] == ["counts.parquet"]


def test_fingerprints_change_when_an_input_changes(small_city: Path, tmp_path: Path) -> None:
    data = tmp_path / "copy"
    shutil.copytree(small_city, data)
    before = input_fingerprints(data)
    assert "master/population_register.parquet" in before
    assert all(len(v) == 64 for v in before.values())
    assert not any(k.endswith("truth.json") for k in before)  # the oracle is not an input
    path = data / "dynamic" / "applications.parquet"
    frame = pl.read_parquet(path)
    frame.head(frame.height - 1).write_parquet(path)
    after = input_fingerprints(data)
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"dynamic/applications.parquet"}


def test_compose_failure_keeps_earlier_report(
    good_notebooks: Path, tiny_data: Path, tmp_path: Path, monkeypatch
) -> None:
    out = tmp_path / "reports"
    _render(good_notebooks, tiny_data, out)
    before = (out / WEEK / "manifest.json").read_bytes()

    def broken(*args, **kwargs):
        raise ReportError("Chromium failed (exit 1)")

    monkeypatch.setattr("govanalytics.report._memo.compose_memo", broken)
    with pytest.raises(ReportError, match="composing the index, memo or appendix failed"):
        render_weekly(
            week=WEEK, data_dir=tiny_data, out_dir=out, notebooks_dir=good_notebooks, quiet=True
        )
    assert (out / WEEK / "manifest.json").read_bytes() == before
    failed = out / f"{WEEK}.failed"
    assert "Chromium failed" in (failed / "FAILED.txt").read_text(encoding="utf-8")
    assert (failed / "index.html").is_file()


def test_weekly_counts_cover_their_whole_week(tmp_path: Path) -> None:
    import datetime as dt

    folder = tmp_path / "clinic"
    (folder / "dynamic").mkdir(parents=True)
    pl.DataFrame(
        {"week_start": [dt.date(2026, 11, 9), dt.date(2026, 11, 16)], "count": [1, 2]}
    ).write_parquet(folder / "dynamic" / "clinic_counts.parquet")
    assert last_data_day(folder) == dt.date(2026, 11, 22)


def test_missing_kernel_rejected_before_running(
    good_notebooks: Path, tiny_data: Path, tmp_path: Path
) -> None:
    with pytest.raises(ParameterError, match="kernel 'no-such-kernel' is not installed"):
        _render(good_notebooks, tiny_data, tmp_path / "r", kernel="no-such-kernel")
    assert not (tmp_path / "r").exists()


def test_report_threshold_k_reaches_notebooks_that_declare_it(
    good_notebooks: Path, tiny_data: Path, tmp_path: Path, make_notebook
) -> None:
    from govanalytics.report import render_weekly

    make_notebook(
        good_notebooks / "counts.ipynb",
        [
            "assert k == 20, k",
            "from govanalytics.report.contract import write_summary\n"
            'write_summary(".", notebook="counts", title="测试", week=week, headlines=[], alerts=[])',
        ],
        parameters='data_dir: str = ""\nweek: str = ""\noutput_dir: str = "."\nk: int = 15\n',
    )
    report = render_weekly(
        week="2026-W47",
        data_dir=tiny_data,
        out_dir=tmp_path / "r",
        notebooks_dir=good_notebooks,
        compose=False,
        quiet=True,
        k=20,
    )
    params = {r.name: r.parameters for r in report.runs}
    assert params["counts"]["k"] == 20
    assert "k" not in params["good"]  # good.ipynb does not declare k: not passed
    with pytest.raises(ParameterError, match="'k' must be an integer ≥ 1"):
        render_weekly(week="2026-W47", data_dir=tiny_data, notebooks_dir=good_notebooks, k=0)


def test_one_future_dated_row_does_not_take_over_the_report(
    tiny_data: Path, good_notebooks: Path, tmp_path: Path
) -> None:
    comments = tiny_data / "dynamic" / "comments.parquet"
    frame = pl.read_parquet(comments)
    late = pl.DataFrame(
        {"message_id": ["z"], "created_at": [dt.datetime(2099, 6, 1)], "text": ["未来"]}
    )
    pl.concat([frame, late]).write_parquet(comments)
    report = render_weekly(
        data_dir=tiny_data, notebooks_dir=good_notebooks, out_dir=tmp_path / "r", quiet=True
    )
    assert report.week == "2026-W47"  # the bulk of the data ends on Sunday 2026-11-22
    assert report.manifest["data_notes"] == [
        "comments：1 行日期晚于今天（数据有误），未用于确定报告周"
    ]
    index = (report.path / "index.html").read_text(encoding="utf-8")
    assert "1 行日期晚于今天" in index


def test_project_folder_week_ignores_future_rows_and_a_far_outlier(
    good_notebooks: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    days = [dt.datetime(2025, 1, 6) + dt.timedelta(hours=i) for i in range(3000)]
    days += [dt.datetime(2099, 6, 1, 9), dt.datetime(2026, 11, 30, 9)]  # typos
    pl.DataFrame(
        {
            "工单编号": [f"G{i}" for i in range(len(days))],
            "受理时间": [d.strftime("%Y/%m/%d %H:%M") for d in days],
            "内容": ["路灯不亮"] * len(days),
        }
    ).write_csv(folder / "hotline.csv")
    (folder / "govanalytics.toml").write_text(
        '[datasets.comments]\nsource = "hotline.csv"\n', encoding="utf-8"
    )
    report = render_weekly(
        data_dir=folder, notebooks_dir=good_notebooks, out_dir=tmp_path / "r", quiet=True
    )
    # the bulk ends on Saturday 2025-05-10 (3000 hourly rows); 2026-11-30 is far beyond it
    assert report.week == "2025-W18"
    assert sorted(report.manifest["data_notes"]) == [
        "comments：1 行日期晚于今天（数据有误），未用于确定报告周",
        "comments：1 行日期远晚于其余数据，未用于确定报告周",
    ]
    assert set(report.manifest["inputs"]) == {"hotline.csv", "govanalytics.toml"}


def test_failure_names_the_line_that_raised(make_notebook, tiny_data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "nbs"
    folder.mkdir()
    make_notebook(folder / "bad.ipynb", ["x = 1\ny = 2\nraise ValueError('planted')\nz = 3"])
    with pytest.raises(ReportError) as info:
        _render(folder, tiny_data, tmp_path / "r")
    assert "`raise ValueError('planted')`" in str(info.value)
    assert "`x = 1`" not in str(info.value)


def test_unwritable_out_is_one_clear_error(
    good_notebooks: Path, tiny_data: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "reports"
    blocker.write_text("a file where the reports folder should be", encoding="utf-8")
    with pytest.raises(ReportError, match="cannot write the report into"):
        _render(good_notebooks, tiny_data, blocker / "sub")


def test_builds_left_by_killed_runs_are_removed_others_kept(
    good_notebooks: Path, tiny_data: Path, tmp_path: Path
) -> None:
    import os
    import subprocess

    out = tmp_path / "r"
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = out / ".tmp-2026-W47-killed"
    live = out / ".tmp-2026-W47-running"
    for folder, pid in ((stale, dead.pid), (live, os.getpid())):
        folder.mkdir(parents=True)
        (folder / ".owner").write_text(str(pid), encoding="utf-8")
    report = _render(good_notebooks, tiny_data, out)
    assert not stale.exists()
    assert live.exists()  # a concurrent run's build is left alone
    assert not (report.path / ".owner").exists()


def test_sigterm_leaves_no_debris_and_keeps_the_last_report(
    make_notebook, tiny_data: Path, tmp_path: Path
) -> None:
    import signal
    import subprocess
    import sys
    import time

    folder = tmp_path / "nbs"
    folder.mkdir()
    make_notebook(
        folder / "slow.ipynb",
        ["import time\nopen(output_dir + '/started', 'w').close()\ntime.sleep(120)"],
    )
    out = tmp_path / "r"
    (out / WEEK).mkdir(parents=True)
    (out / WEEK / "index.html").write_text("last good report", encoding="utf-8")
    cmd = [sys.executable, "-m", "govanalytics.cli", "report", "weekly", "--week", WEEK]
    cmd += ["--data", str(tiny_data), "--notebooks", str(folder), "--out", str(out)]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(out.glob(".tmp-*/slow/started")) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert list(out.glob(".tmp-*/slow/started")), "the notebook never started"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM
    # the run ends on one line of ours (the stopped kernel may log its own interruption)
    assert err.strip().splitlines()[-1].startswith("stopped: nothing published")
    assert "govanalytics/report" not in err and "govanalytics/cli" not in err
    assert not list(out.glob(".tmp-*"))
    assert (out / WEEK / "index.html").read_text(encoding="utf-8") == "last good report"


def test_failed_notebook_is_a_typed_error(
    good_notebooks: Path, tiny_data: Path, tmp_path: Path, make_notebook, bad_body
) -> None:
    from govanalytics.errors import NotebookError
    from govanalytics.report._runner import _execute

    path = make_notebook(good_notebooks / "bad.ipynb", bad_body)
    folder = tmp_path / "run"
    folder.mkdir()
    params = {"data_dir": str(tiny_data), "week": WEEK, "output_dir": "."}
    failure = _execute(path, folder, params, "govanalytics")
    assert isinstance(failure, NotebookError) and isinstance(failure, ReportError)
    assert (failure.notebook, failure.cell_index, failure.ename) == ("bad", 2, "ValueError")
    assert failure.details()["evalue"] == "planted failure"
    assert "bad.ipynb failed at cell 2" in str(failure)


def test_notebooks_found_when_run_from_a_data_teams_own_folder(tmp_path, monkeypatch) -> None:
    """``report weekly`` run from a folder outside the checkout finds the installed notebooks;
    a missing explicit folder is refused with a hint."""
    from govanalytics.errors import ParameterError
    from govanalytics.report._runner import find_notebooks_dir

    monkeypatch.delenv("GOVANALYTICS_NOTEBOOKS", raising=False)
    monkeypatch.chdir(tmp_path)
    found = find_notebooks_dir()
    assert found.resolve() == (Path(__file__).resolve().parents[2] / "notebooks")
    assert (found / "health_risk.ipynb").is_file()
    with pytest.raises(ParameterError, match="--notebooks"):
        find_notebooks_dir(tmp_path / "none")
