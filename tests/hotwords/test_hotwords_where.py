"""The district a message names, for exports without a district column."""

from __future__ import annotations

import polars as pl

from govanalytics.hotwords import places_from_text


def test_the_named_district_is_attributed_and_the_share_reported() -> None:
    comments = pl.DataFrame(
        {
            "text": [
                "岳麓区某小区路灯坏了",  # a district of 长沙 (430100), by its full name
                "我住雨花区，单位在岳麓区",  # two districts: not placed
                "A3区锦绣家园停水",  # an anonymised export's name, kept as written
                "开福区停电",
                "朝阳区修路",  # not inside 长沙: unknown there
                "没有地名",
            ],
            "district_code": [None, None, None, "430111000000", None, None],
        }
    )
    placed, share = places_from_text(comments, within="430100")
    assert placed["district_code"].to_list() == [
        "430104000000",
        None,
        "A3区",
        "430111000000",  # a district already given is kept
        None,
        None,
    ]
    assert share == 0.5
    # inside 北京 (110000), 朝阳区 is Beijing's; 长沙's names are not looked for
    beijing, _ = places_from_text(comments, within="110000")
    assert beijing["district_code"][4] == "110105000000" and beijing["district_code"][0] is None


def test_without_a_project_area_only_anonymised_names_are_read() -> None:
    comments = pl.DataFrame({"text": ["岳麓区停水", "B12县修路", "A3区和A5区"]})
    placed, share = places_from_text(comments)
    assert placed["district_code"].to_list() == [None, "B12县", None]
    assert abs(share - 1 / 3) < 1e-9
