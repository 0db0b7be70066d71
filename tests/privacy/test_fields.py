"""Masking structured personal fields: what is kept, and that nothing identifying is left."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from govanalytics.privacy import (
    LANDLINE_PATTERN,
    MOBILE_PATTERN,
    WITHHELD,
    find_id_numbers,
    id_check_digit,
    is_valid_id_number,
    mask_address,
    mask_field,
    mask_id_number,
    mask_phone,
    scan_text,
)


@pytest.fixture(scope="module")
def register(small_city: Path) -> pl.DataFrame:
    """The small city's population register, read through the data layer."""
    from govanalytics.data import MasterStore

    return MasterStore(small_city).load("population_register")


def _id(body17: str) -> str:
    return body17 + id_check_digit(body17)


def test_masked_register_ids_are_no_id_numbers(register: pl.DataFrame) -> None:
    ids = register["id_number"]
    masked = register.select(mask_id_number("id_number"))["id_number"]
    assert masked.len() == ids.len() and masked.null_count() == ids.null_count()
    assert masked.str.contains(r"^\d{6}\*{8}[0-9X]{4}$").all()
    # the kept characters are the region code and the last four, nothing else
    assert (masked.str.slice(0, 6) == ids.str.slice(0, 6)).all()
    assert (masked.str.slice(-4) == ids.str.slice(-4)).all()
    assert not any(is_valid_id_number(v) for v in masked)
    text = "\n".join(masked)
    assert find_id_numbers(text) == []
    assert scan_text(text) == []
    # and the register itself is what the test believes it is
    assert len(find_id_numbers("\n".join(ids))) == ids.len()


def test_id_written_forms_and_old_form() -> None:
    pid = _id("11010519420716405")
    values = [
        pid,
        pid.lower(),
        f"{pid[:6]} {pid[6:14]} {pid[14:]}",
        f"{pid[:6]}-{pid[6:14]}-{pid[14:]}",
        "".join(chr(0xFF10 + int(c)) if c.isdigit() else c for c in pid),
        "110105420716405",  # 15-digit form: region, YYMMDD, sequence
    ]
    out = pl.DataFrame({"v": values}).select(mask_id_number(pl.col("v")))["v"].to_list()
    expected = f"110105********{pid[-4:].upper()}"
    assert out == [expected] * 5 + ["110105******405"]
    for v in out:
        assert "19420716" not in v and "420716" not in v


def test_id_of_unknown_shape_is_withheld_and_nulls_stay_null() -> None:
    values = ["123", "4403011980010112", "44030119800101123X9", "", None]
    out = pl.DataFrame({"v": values}).select(mask_id_number("v"))["v"].to_list()
    assert out == [WITHHELD, WITHHELD, WITHHELD, "", None]


def test_random_ids_never_survive_masking() -> None:
    rng = np.random.default_rng(7)
    bodies = [
        f"{rng.integers(110000, 660000)}{rng.integers(1930, 2020)}"
        f"{rng.integers(1, 13):02d}{rng.integers(1, 29):02d}{rng.integers(0, 1000):03d}"
        for _ in range(2000)
    ]
    ids = [_id(b) for b in bodies]
    masked = pl.DataFrame({"id": ids}).select(mask_id_number("id"))["id"]
    assert find_id_numbers(" ".join(masked)) == []
    assert not masked.str.contains(r"\d{7}").any()


def test_masked_register_phones_match_no_phone_pattern(register: pl.DataFrame) -> None:
    phones = register["phone"]
    assert phones.null_count() > 0  # children have none: nulls must stay null
    masked = register.select(mask_phone("phone"))["phone"]
    assert masked.is_null().equals(phones.is_null())
    shown = masked.drop_nulls()
    assert shown.str.contains(r"^1[3-9]\d\*{4}\d{4}$").all()
    assert (shown.str.slice(0, 3) == phones.drop_nulls().str.slice(0, 3)).all()
    text = "\n".join(shown)
    assert MOBILE_PATTERN.search(text) is None
    assert LANDLINE_PATTERN.search(text) is None
    assert scan_text(text) == []


def test_phone_written_forms_landlines_and_odd_values() -> None:
    values = [
        "13812345678",
        "+86 138-1234-5678",
        "86 13812345678",
        "１３８ １２３４ ５６７８",
        "(0755) 2688-1234",
        "010-62751234",
        "0431-8123456",
        "12345",
        "0755-26881234-801",
        "",
        None,
    ]
    out = pl.DataFrame({"p": values}).select(mask_phone("p"))["p"].to_list()
    assert out == ["138****5678"] * 4 + [
        "0755****1234",
        "010****1234",
        "0431****3456",
        WITHHELD,
        WITHHELD,
        "",
        None,
    ]
    text = " ".join(v for v in out if v)
    assert MOBILE_PATTERN.search(text) is None and LANDLINE_PATTERN.search(text) is None


def test_phone_stored_as_integers() -> None:
    out = pl.DataFrame({"p": [13812345678, None]}).select(mask_phone("p"))["p"].to_list()
    assert out == ["138****5678", None]


def test_masked_register_addresses_keep_the_community_only(register: pl.DataFrame) -> None:
    masked = register.select(mask_address("address"))["address"]
    assert masked.null_count() == register["address"].null_count()
    assert masked.str.ends_with(WITHHELD).all()
    assert masked.str.contains(r"(?:社区|村|街道|镇|乡)\*\*\*$").all()
    # no house number and no full address survives
    assert not masked.str.contains(r"\d").any()
    assert not set(masked) & set(register["address"])
    # many residents share each masked address: it names an area, not a home
    assert masked.n_unique() < register.height / 20


def test_address_without_admin_unit_is_withheld() -> None:
    values = [
        "江海市竹南社区富杨大道36号",
        "江海市东坪村3组12号",
        "南山街道科技园1栋",
        "富杨大道36号",
    ]
    out = pl.DataFrame({"a": [*values, "", None]}).select(mask_address("a"))["a"].to_list()
    assert out == ["江海市竹南社区***", "江海市东坪村***", "南山街道***", WITHHELD, "", None]


def test_mask_field_dispatches_by_field_and_withholds_the_rest() -> None:
    df = pl.DataFrame(
        {
            "field": ["phone", "id_number", "address", "employer", "disability", "name", None],
            "value": [
                "13812345678",
                "44030119800101123X",
                "江海市竹南社区富杨大道36号",
                "某公司",
                "true",
                "刘建国",
                "13812345678",
            ],
        }
    )
    out = df.select(mask_field("field", "value"))["value"].to_list()
    assert out == [
        "138****5678",
        "440301********123X",
        "江海市竹南社区***",
        WITHHELD,
        WITHHELD,
        WITHHELD,
        WITHHELD,
    ]
    nulls = pl.DataFrame({"field": ["phone", "employer"], "value": [None, None]}, strict=False)
    assert nulls.select(mask_field("field", "value"))["value"].to_list() == [None, None]


def test_mask_field_with_a_fixed_field_on_a_lazy_frame() -> None:
    lf = pl.LazyFrame({"v": ["13812345678", None]})
    out = lf.select(mask_field(pl.lit("phone"), "v")).collect()
    assert out["v"].to_list() == ["138****5678", None]
