"""The project file, ``init`` and ``check`` on real public data and on planted bad input."""

from __future__ import annotations

import datetime as dt
import shutil
import tomllib
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from govanalytics import data
from govanalytics.cli import main
from govanalytics.data._init import init_project
from govanalytics.errors import DataError, ParameterError, SchemaError
from govanalytics.report._check import check_data

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
MESSAGES = SHARED / "citizen_messages_sample.xlsx"
CNIDS = SHARED / "cnids_province_monthly.parquet"


def _copy(src: Path, folder: Path) -> Path:
    if not src.is_file():
        pytest.skip(f"shared data file {src} is absent on this machine")
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(src, folder / src.name)
    return folder


@pytest.fixture
def board(tmp_path: Path) -> Path:
    """A folder holding only the real message-board export."""
    return _copy(MESSAGES, tmp_path / "board")


@pytest.fixture
def cnids_slice(tmp_path: Path) -> Path:
    """A folder holding a slice of the real provincial disease table (as the CDC gives it)."""
    if not CNIDS.is_file():
        pytest.skip(f"shared data file {CNIDS} is absent on this machine")
    folder = tmp_path / "cnids"
    folder.mkdir()
    frame = pl.read_parquet(CNIDS).filter(
        pl.col("disease_zh").is_in(["手足口病", "流行性感冒", "艾滋病"])
    )
    frame.write_parquet(folder / "cnids_province_monthly.parquet")
    return folder


def test_init_guesses_the_message_board(board: Path) -> None:
    path, guesses = init_project(board)
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    spec = doc["datasets"]["comments"]
    assert spec["source"] == "citizen_messages_sample.xlsx"
    assert spec["column_map"] == {
        "留言编号": "message_id",
        "留言用户": "user_id",
        "留言时间": "created_at",
        "text": ["留言主题", "留言详情"],
        "一级分类": "category",
    }
    assert spec["frequency"] == "event"
    # one real message is filed under two categories: init says so and keeps the first
    assert spec["on_duplicate"] == "keep_first"
    assert "37042" in path.read_text(encoding="utf-8")
    assert [g.dataset for g in guesses] == ["comments"]


def test_init_guesses_the_disease_table(cnids_slice: Path) -> None:
    path, _ = init_project(cnids_slice)
    spec = tomllib.loads(path.read_text(encoding="utf-8"))["datasets"]["clinic_counts"]
    assert spec["column_map"] == {
        "month": "week_start",
        "adcode": "district_code",
        "disease_zh": "disease",
        "cases": "count",
    }
    assert spec["frequency"] == "month"
    assert spec["region_level"] == "province"


def test_init_refuses_to_overwrite(board: Path) -> None:
    init_project(board)
    with pytest.raises(ParameterError, match="exists already"):
        init_project(board)


def test_check_on_the_initialised_board(board: Path) -> None:
    init_project(board)
    result = check_data(board, notebooks=["hot_words", "health_risk", "overview"])
    assert result.ok
    (comments,) = result.datasets
    assert comments.rows == 494  # 495 rows, one key filed twice: kept once, counted
    assert comments.period == "2011-05-02 … 2020-01-07"
    ready = {n.name: n.ready for n in result.notebooks}
    assert ready == {"hot_words": True, "health_risk": False, "overview": False}
    reasons = {n.name: n.reason for n in result.notebooks}
    assert "门诊病例周报（clinic_counts）" in reasons["health_risk"]


def test_check_on_the_disease_table_matches_every_region(cnids_slice: Path) -> None:
    init_project(cnids_slice)
    result = check_data(cnids_slice, notebooks=["health_risk"])
    (table,) = result.datasets
    assert table.status == "ok"
    assert table.regions == "32/32"  # 31 provinces and 全国, through the gazetteer
    assert table.period == "2004-01 … 2020-12"
    project = data.open_project(cnids_slice)
    frame = project.load("clinic_counts")
    assert frame["district_code"].str.len_chars().unique().to_list() == [12]
    assert frame["count"].null_count() > 0  # months not reported stay missing, not zero
    regions = project.regions()
    names = dict(zip(regions["region_code"], regions["region_name"], strict=True))
    assert names["440000000000"] == "广东省"
    assert names["100000000000"] == "中华人民共和国"


def _bad_folder(root: Path) -> Path:
    folder = root / "bad"
    folder.mkdir()
    good = pl.DataFrame({"week_start": [dt.date(2024, 1, 1)], "count": [3]})
    good.write_parquet(folder / "cases.parquet")
    raw = (folder / "cases.parquet").read_bytes()
    (folder / "cases.parquet").write_bytes(raw[: len(raw) // 2])  # truncated in transfer
    (folder / "hotline.csv").write_text(
        "工单编号,受理时间,区县\nA1,2024-01-02 09:00,东湖区\n", encoding="utf-8"
    )
    pl.DataFrame(
        {
            "网格编号": ["c1", "c2", "c3"],
            "日期": ["2024-01-01", "2024-13-45", "昨天"],
            "小时": ["1", "2", "3"],
            "设备数": ["10", "20", "30"],
        }
    ).write_excel(folder / "signal.xlsx")
    (folder / "od.csv").write_text(
        "出发地,目的地,日期,人次\n广州市,深圳市,2024-01-01,100\n火星市,深圳市,2024-01-01,5\n",
        encoding="utf-8",
    )
    (folder / "govanalytics.toml").write_text(
        """
[datasets.clinic_counts]
source = "cases.parquet"
[datasets.comments]
source = "hotline.csv"
[datasets.device_counts]
source = "signal.xlsx"
[datasets.od_counts]
source = "od.csv"
region_level = "prefecture"
""",
        encoding="utf-8",
    )
    return folder


def test_check_lists_every_problem_with_the_users_file(tmp_path: Path) -> None:
    folder = _bad_folder(tmp_path)
    result = CliRunner().invoke(main, ["check", str(folder)])
    assert result.exit_code == 1
    out = result.output
    # all four problems at once, each naming the user's own file
    assert "cases.parquet" in out and "cannot read as Parquet" in out
    assert "hotline.csv" in out and "required column 'text'" in out
    assert "signal.xlsx" in out and "2024-13-45" in out and "昨天" in out
    assert "od.csv" in out and "火星市" in out
    assert "/tmp/" not in out.replace(str(tmp_path), "")  # no temporary file of ours
    assert out.count("ERROR") == 4
    assert len(out) < 6000  # capped, not hundreds of headers four times


def test_check_exit_zero_when_only_chapters_are_missing(board: Path) -> None:
    init_project(board)
    result = CliRunner().invoke(main, ["check", str(board)])
    assert result.exit_code == 0, result.output
    assert "not ready: 缺少" in result.output


def test_init_command_shows_its_guesses(board: Path) -> None:
    result = CliRunner().invoke(main, ["init", str(board)])
    assert result.exit_code == 0, result.output
    assert "留言主题 + 留言详情 → text" in result.output
    assert (board / "govanalytics.toml").is_file()


def test_open_project_never_falls_back_to_the_sample_city(tmp_path: Path, board: Path) -> None:
    init_project(board)
    project = data.open_project(board)
    assert not project.is_sample
    with pytest.raises(DataError, match=r"'clinic_counts'.*not declared"):
        project.load("clinic_counts")
    only_file = data.open_project("", inputs={"comments": str(board / MESSAGES.name)})
    assert only_file.layout == "files" and only_file.root is None
    assert set(only_file.datasets) == {"comments"}
    with pytest.raises(ParameterError, match="does not exist"):
        data.open_project(tmp_path / "nowhere")


def test_column_map_parameter_merges_over_the_declaration(board: Path) -> None:
    init_project(board)
    project = data.open_project(board, column_maps={"comments": {"一级分类": "channel"}})
    spec = project.spec("comments")
    assert spec.column_map["一级分类"] == "channel"
    assert spec.column_map["留言编号"] == "message_id"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('[datasets.comment]\nsource = "a.csv"\n', "did you mean 'comments'"),
        ('[datasets.comments]\nsorce = "a.csv"\n', "did you mean 'source'"),
        ('[datasets.comments]\nsource = "a.csv"\nfrequency = "monthly"\n', "did you mean 'month'"),
        ("[datasets.comments]\nsource = a.csv\n", "not a valid TOML file"),
        (
            '[datasets.comments]\nsource = "a.csv"\n[datasets.comments.column_map]\n"x" = "txt"\n',
            "did you mean 'text'",
        ),
    ],
)
def test_project_file_mistakes_are_named(tmp_path: Path, text: str, match: str) -> None:
    (tmp_path / "govanalytics.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError, match=match) as info:
        data.open_project(tmp_path)
    assert "govanalytics.toml" in str(info.value)


def test_glob_source_stacks_files_and_names_each_bad_one(tmp_path: Path) -> None:
    for day, rows in (("01", "A,2024-01-01 08:00,停水\n"), ("02", "B,2024-01-02 08:00,\n")):
        (tmp_path / f"hotline-{day}.csv").write_text(
            "工单编号,受理时间,内容\n" + rows, encoding="utf-8"
        )
    (tmp_path / "govanalytics.toml").write_text(
        '[datasets.comments]\nsource = "hotline-*.csv"\n', encoding="utf-8"
    )
    with pytest.raises(SchemaError) as info:
        data.open_project(tmp_path).load("comments")
    assert "hotline-02.csv" in str(info.value) and "hotline-01.csv" not in str(info.value)
    (tmp_path / "hotline-02.csv").write_text(
        "工单编号,受理时间,内容\nB,2024-01-02 08:00,路灯\n", encoding="utf-8"
    )
    frame = data.open_project(tmp_path).load("comments")
    assert frame["message_id"].to_list() == ["A", "B"]


def test_fixed_values_and_declared_date_form(tmp_path: Path) -> None:
    (tmp_path / "flu.csv").write_text(
        "日期,地区,病例数\n06/01/2024,广东,12\n13/01/2024,广东,NA\n", encoding="utf-8"
    )
    (tmp_path / "govanalytics.toml").write_text(
        """
[datasets.clinic_counts]
source = "flu.csv"
date_form = "%d/%m/%Y"
region_level = "province"
[datasets.clinic_counts.column_map]
"日期" = "week_start"
"地区" = "district_code"
"病例数" = "count"
[datasets.clinic_counts.fixed]
disease = "流行性感冒"
""",
        encoding="utf-8",
    )
    frame, report = data.open_project(tmp_path).load_with_report("clinic_counts")
    assert frame["week_start"].to_list() == [dt.date(2024, 1, 6), dt.date(2024, 1, 13)]
    assert frame["district_code"].to_list() == ["440000000000"] * 2  # 广东 by the gazetteer
    assert frame["disease"].to_list() == ["流行性感冒"] * 2
    assert frame["count"].to_list() == [12, None]
    assert report.repairs[("count", "missing-value marker read as empty")] == 1
    assert report.repairs[("district_code", "region names → codes")] == 2


def test_parameter_json_on_the_command_line() -> None:
    from govanalytics.cli import _parse_parameters

    parsed = _parse_parameters(('hot_words.column_map={"留言时间": "created_at"}',))
    assert parsed == {"hot_words": {"column_map": {"留言时间": "created_at"}}}
    with pytest.raises(ParameterError, match="not valid JSON"):
        _parse_parameters(("hot_words.column_map={'留言时间': 'created_at'}",))


def test_dict_parameter_given_as_text_is_refused_with_a_hint() -> None:
    from govanalytics.report import check_parameters

    with pytest.raises(ParameterError, match="give it as JSON"):
        check_parameters(
            "hot_words.ipynb",
            {"data_dir": str, "week": str, "output_dir": str, "column_map": dict},
            {"column_map": "留言时间=created_at"},
        )


def test_a_wide_file_gives_a_short_message(tmp_path: Path) -> None:
    cities = [f"城市{i}" for i in range(397)]
    (tmp_path / "wide.csv").write_text(
        ",".join(["", *cities]) + "\n" + ",".join(["城市0", *["1"] * 397]) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(SchemaError) as info:
        data.load("comments", path=tmp_path / "wide.csv")
    text = str(info.value)
    assert "wide.csv" in text and "and 388 more" in text  # 398 headers, the first 10 shown
    assert text.count("城市100") == 0 and len(text) < 2000


def test_check_reads_a_declared_od_product_as_it_comes(tmp_path: Path) -> None:
    from govanalytics.mobility import simulate_od_product

    simulate_od_product(tmp_path / "百度迁徙", n_cities=12, days=10, lockdown_day=5, seed=3)
    (tmp_path / "govanalytics.toml").write_text(
        '[datasets.od_counts]\nsource = "百度迁徙/*.csv"\nvalue_type = "share"\n'
        'filename_date = "%Y%m%d"\n',
        encoding="utf-8",
    )
    result = check_data(tmp_path, notebooks=["population_flow"])
    assert result.ok, result.to_text()
    (od,) = result.datasets
    assert "share" in od.source and od.rows and od.rows > 0
    assert od.period.startswith("2020-01-0") and od.period.endswith("2020-01-10")
    assert result.notebooks[0].ready
