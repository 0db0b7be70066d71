"""Names of private persons in running text are masked; ordinary words after the cues stay.

Hot words use the privacy package's one name masker (:func:`govanalytics.privacy.mask_names`,
introduced names apart from titled ones) and its surname table; the page's tagger is here.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from govanalytics.hotwords import mask_tagged_names
from govanalytics.privacy import mask_names, mask_personal_data, surnames


def mask_introduced_names(texts: pl.Series) -> tuple[pl.Series, int]:
    """What prepare_comments runs after mask_personal_data: introduced names only."""
    return mask_names(texts, titled=False)


SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
BOARD = SHARED / "citizen_messages_sample.xlsx"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("我叫张三，家住A市", "我叫张**，家住A市"),
        ("您好！我叫朱琼会，女，33岁", "您好！我叫朱**，女，33岁"),
        ("姓名：欧阳娜娜 电话[手机号]", "姓名：欧阳** 电话[手机号]"),
        ("本人李建华，男，反映", "本人李**，男，反映"),
        ("当事人吴先吉,身份证[疑似证件号]", "当事人吴**,身份证[疑似证件号]"),
        ("我父亲刘平积今年80岁了", "我父亲刘**今年80岁了"),
        ("12组村民蔡云庆的安置留地", "12组村民蔡**的安置留地"),
    ],
)
def test_names_after_a_cue_are_masked(text: str, masked: str) -> None:
    out, n = mask_introduced_names(pl.Series([text]))
    assert out.to_list() == [masked]
    assert n == 1


@pytest.mark.parametrize(
    "text",
    [
        "本人向法院提起诉讼",  # 向 is a surname, 向法院 is not a name
        "本人所购房屋有重大安全隐患",
        "我是江西人，在A市工作",  # 江西 is a common word
        "利用业主的公摊公共面积，业主利益，",  # 利益 is a common word
        "孩子都一样！",
        "我叫了保安",  # 了 is no surname
        "业主公摊，",  # one-character given name only after a common surname
        "本人李某某，男，反映",  # already written as 某某: no name left to mask
    ],
)
def test_ordinary_words_after_a_cue_stay(text: str) -> None:
    out, n = mask_introduced_names(pl.Series([text]))
    assert out.to_list() == [text]
    assert n == 0


def test_input_series_is_left_as_it_was() -> None:
    texts = pl.Series(["我叫张三，家住A市", None, "没有名字"])
    out, _ = mask_introduced_names(texts)
    assert texts.to_list() == ["我叫张三，家住A市", None, "没有名字"]
    assert out.to_list() == ["我叫张**，家住A市", None, "没有名字"]


def test_surnames_hold_single_and_compound_surnames() -> None:
    names = set(surnames())
    assert {"王", "李", "涂", "易", "喻", "欧阳", "司马"} <= names
    assert not {"的", "了", "是", "我"} & names


def test_tagger_masks_a_bare_name_in_a_shown_text() -> None:
    (out,) = mask_tagged_names(["刘建国反映小区停水三天，物业不管。"])
    assert "刘建国" not in out and out.startswith("刘**")
    assert "停水" in out and "物业" in out


@pytest.fixture(scope="module")
def board_text() -> pl.Series:
    """Title and body of every message of the shared real message board."""
    if not BOARD.is_file():
        pytest.skip(f"shared data file {BOARD} is absent on this machine")
    raw = pl.read_excel(BOARD, infer_schema_length=0)
    return raw["留言主题"].fill_null("") + "\n" + raw["留言详情"].fill_null("")


#: Cue forms after which a real name follows on the shared board (checked by cue: the test
#: stores no name of the file).
CUE_FORMS = {
    "self-introduction": r"我叫\p{Han}{2}",
    "label": r"联系人\p{Han}{3}电话|投诉人[:：]\s?\p{Han}{3}\s",
    "self with sex": r"本人\p{Han}{2,3}[，,](?:男|女)",
    "villager": r"村民\p{Han}{3}[，,！]",
}


def test_every_name_after_a_cue_on_the_real_board_is_masked(board_text: pl.Series) -> None:
    masked, counts = mask_personal_data(board_text, names="all")
    n = counts["name"]
    for what, pattern in CUE_FORMS.items():
        before = int(board_text.str.count_matches(pattern).sum())
        assert before > 0, what  # the board has such names (so the check below can fail)
        assert int(masked.str.count_matches(pattern).sum()) == 0, what
    assert n >= 12
    # ordinary words after the same cues are kept: the text around them is still there
    assert int(masked.str.count_matches(r"本人\p{Han}{2}").sum()) > 30
