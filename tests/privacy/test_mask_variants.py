"""Personal data as people write it: every variant is masked and caught by the gate; dates,
amounts, codes, order numbers and coordinates are left as they are.

One table drives both the masker (:func:`mask_personal_data`) and the published-artefact gate
(:func:`scan_text`): a form the masker knows and the gate does not (or the reverse) fails here.
"""

from __future__ import annotations

import re

import polars as pl
import pytest

from govanalytics.privacy import (
    id_check_digit,
    luhn_valid,
    mask_personal_data,
    scan_text,
)


def _id(body17: str) -> str:
    return body17 + id_check_digit(body17)


def _card(body: str) -> str:
    """``body`` with the Luhn check digit appended."""
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


ID_A = _id("44030119850312123")  # Shenzhen, 1985
ID_B = _id("11010519491231002")  # Beijing, 1949
ID_X = next(i for i in (_id(f"31010419900101{n:03d}") for n in range(1000)) if i[-1] == "X")
CARD_A = _card("621700001234567890")  # UnionPay, 19 digits
CARD_B = _card("622202123456789")  # 16 digits
CARD_C = _card("436742001234567")  # Visa-range, 16 digits
FULL = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")

#: (id, text, what must disappear, kind counted by the masker, kind the gate reports or None)
POSITIVE = [
    # --- names -----------------------------------------------------------------------------
    ("intro-wo-jiao", "您好，我叫王建国，家住北山区。", "王建国", "name", "name"),
    ("intro-xingming", "姓名：欧阳娜娜 性别：女", "欧阳娜娜", "name", "name"),
    ("intro-mingjiao", "一位名叫刘淑芬的老人摔倒了", "刘淑芬", "name", "name"),
    ("intro-mingzi", "我的名字是陈志强，请回电。", "陈志强", "name", "name"),
    ("lead-wo-shi", "我是王某国，住在东方花园", "王某国", "name", None),
    ("lead-benren", "本人赵丽华，女，反映如下", "赵丽华", "name", None),
    ("lead-dangshiren", "当事人吴先吉,身份证已提供", "吴先吉", "name", None),
    ("lead-father", "我父亲刘平积今年80岁了", "刘平积", "name", None),
    ("lead-villager", "12组村民蔡云庆的安置留地", "蔡云庆", "name", None),
    ("lead-grid", "网格员孙丽丽说下周来处理", "孙丽丽", "name", None),
    ("title-mr", "来电人张先生反映楼道堆物", "张先生", "name", None),
    ("title-full", "感谢刘建国同志的帮助", "刘建国", "name", None),
    ("signature", "市民黄志明反映，路灯不亮。", "黄志明", "name", None),
    ("signature-colon", "联系人：陈静，谢谢", "陈静", "name", None),
    # --- addresses to the door -------------------------------------------------------------
    ("flat-chain", "我住在东方花园3栋2单元1502室", "3栋2单元1502室", "address", "address"),
    ("flat-bare", "幸福里小区5号楼2单元601，楼上漏水", "5号楼2单元601", "address", "address"),
    ("courtyard", "朝阳路12号院3号楼1单元", "12号院3号楼1单元", "address", "address"),
    ("tower", "科技园A座12层1203", "A座12层1203", "address", "address"),
    ("numerals", "三栋二单元七〇一室的住户", "三栋二单元七〇一室", "address", "address"),
    ("room-only", "请到1502室找我", "1502室", "address", "address"),
    ("dash-form", "东方花园3-2-1502噪音扰民", "3-2-1502", "address", "address"),
    ("road-number", "富杨大道36号门口积水", "36号", "address", "address"),
    # --- mobiles ---------------------------------------------------------------------------
    ("mobile-plain", "电话13812345678", "13812345678", "mobile", "mobile"),
    ("mobile-dots", "电话138.2468.1357", "13824681357", "mobile", "mobile"),
    ("mobile-spaces", "手机 139 1234 5678", "13912345678", "mobile", "mobile"),
    ("mobile-dashes", "手机150-0000-1111。", "15000001111", "mobile", "mobile"),
    ("mobile-mixed", "联系186 1234-5678谢谢", "18612345678", "mobile", "mobile"),
    ("mobile-each", "1 7 7 1 2 3 4 5 6 7 8", "17712345678", "mobile", "mobile"),
    ("mobile-plus86", "+86 138 1234 5678", "13812345678", "mobile", "mobile"),
    ("mobile-0086", "0086-13812345678", "13812345678", "mobile", "mobile"),
    ("mobile-paren86", "(+86)13812345678", "13812345678", "mobile", "mobile"),
    ("mobile-86", "86-13812345678", "13812345678", "mobile", "mobile"),
    ("mobile-fullwidth", "电话１３８１２３４５６７８", "13812345678", "mobile", "mobile"),
    ("mobile-fw-spaced", "电话１３８ ００１３ ８０００", "13800138000", "mobile", "mobile"),
    ("mobile-numerals", "电话一三八一二三四五六七八", "一三八一二三四五六七八", "mobile", "mobile"),
    ("mobile-yao", "打幺三九 二四六八 一三五七", "幺三九 二四六八 一三五七", "mobile", "mobile"),
    ("mobile-mixed-cn", "号码138一二三四五六七八", "138一二三四五六七八", "mobile", "mobile"),
    ("mobile-slash", "TEL:136/1234/5678", "13612345678", "mobile", "mobile"),
    ("mobile-two", "13812345678 13912345678", "13912345678", "mobile", "mobile"),
    # --- landlines -------------------------------------------------------------------------
    ("landline-020", "座机020-12345678", "02012345678", "landline", "landline"),
    ("landline-0755", "座机0755-26881234", "075526881234", "landline", "landline"),
    ("landline-010-7", "电话010-8812345", "0108812345", "landline", "landline"),
    ("landline-spaced", "020 8888 1234转", "02088881234", "landline", "landline"),
    ("landline-paren", "(020)12345678", "02012345678", "landline", "landline"),
    ("landline-cn-paren", "（0755）2688-1234", "075526881234", "landline", "landline"),
    ("landline-intl", "+86 755 2688 1234", "75526881234", "landline", "landline"),
    ("landline-plain", "电话075526881234", "075526881234", "landline", "landline"),
    (
        "landline-numerals",
        "〇二〇一二三四五六七八",
        "〇二〇一二三四五六七八",
        "landline",
        "landline",
    ),
    # --- e-mail ----------------------------------------------------------------------------
    ("email", "邮箱zhangsan@163.com", "zhangsan@163.com", "email", "email"),
    ("email-dotted", "发到li.ming_88@qq.com。", "li.ming_88@qq.com", "email", "email"),
    ("email-fullwidth-at", "邮箱wang＠gov.cn", "wang", "email", "email"),
    ("email-at-word", "zhao(at)126.com", "zhao", "email", "email"),
    ("email-cn-dot", "邮箱abc123@sina。com", "abc123", "email", "email"),
    # --- WeChat and QQ ---------------------------------------------------------------------
    ("wechat", "微信：zhang_san88", "zhang_san88", "wechat", "wechat"),
    ("wechat-vx", "VX: abc12345", "abc12345", "wechat", "wechat"),
    ("wechat-id", "加我微信号wxid_k2j3h4", "wxid_k2j3h4", "wechat", "wechat"),
    ("wechat-vxin", "V信 liming2026", "liming2026", "wechat", "wechat"),
    ("wechat-digits", "微信：987654321", "987654321", "wechat", "wechat"),
    ("qq", "QQ：123456789", "123456789", "qq", "qq"),
    ("qq-lower", "qq 2345678", "2345678", "qq", "qq"),
    ("qq-koukou", "扣扣号 88886666", "88886666", "qq", "qq"),
    ("qq-q", "Q:1234567", "1234567", "qq", "qq"),
    # --- ID-card numbers -------------------------------------------------------------------
    ("id-plain", f"身份证{ID_A}", ID_A, "id_number", "id_number"),
    ("id-x", f"证件号{ID_X}", ID_X, "id_number", "id_number"),
    ("id-x-lower", f"证件号{ID_X.lower()}", ID_X, "id_number", "id_number"),
    ("id-fullwidth-x", f"身份证{ID_X.translate(FULL)}", ID_X, "id_number", "id_number"),
    (
        "id-groups",
        f"ID {ID_B[:4]} {ID_B[4:8]} {ID_B[8:12]} {ID_B[12:16]} {ID_B[16:]}",
        ID_B,
        "id_number",
        "id_number",
    ),
    ("id-6-8-4", f"{ID_A[:6]}-{ID_A[6:14]}-{ID_A[14:]}", ID_A, "id_number", "id_number"),
    ("id-15", "老证号440104540128365。", "440104540128365", "id_number_15", "id_number_15"),
    # --- bank cards ------------------------------------------------------------------------
    ("card-19", f"卡号{CARD_A}", CARD_A, "bank_card", "bank_card"),
    (
        "card-grouped",
        f"卡号 {CARD_B[:4]} {CARD_B[4:8]} {CARD_B[8:12]} {CARD_B[12:]}",
        CARD_B,
        "bank_card",
        "bank_card",
    ),
    ("card-visa", f"信用卡{CARD_C}", CARD_C, "bank_card", "bank_card"),
    (
        "card-dashes",
        f"{CARD_B[:4]}-{CARD_B[4:8]}-{CARD_B[8:12]}-{CARD_B[12:]}",
        CARD_B,
        "bank_card",
        "bank_card",
    ),
]

#: Texts that hold no personal data and must come out unchanged (and pass the gate).
NEGATIVE = [
    ("date-iso", "2026-11-22 10:30 提交"),
    ("date-zh", "2026年11月22日星期日"),
    ("date-compact", "统计日期20261122"),
    ("date-slash", "截至2026/11/22"),
    ("amount", "共缴费1,380,000.00元"),
    ("amount-plain", "补贴13800000元"),
    ("amount-yuan", "¥ 12345678.90"),
    ("region-code", "区划代码440305000000"),
    ("region-code-6", "行政区划440305"),
    ("order", "订单号2026112200001234"),
    ("order-prefix", "工单号GD2026112200015"),
    ("order-18", "流水号202611221234567890"),
    ("courier", "快递单号 7730123456789012345678 已签收"),
    ("coordinates", "坐标114.057868,22.543099"),
    ("coordinates-long", "[113.13912345678, 22.13912345678]"),
    ("coordinate-pair", "东经113.9716度，北纬22.5876度"),
    ("hotline", "请拨打12345热线"),
    ("service-number", "客服电话400-888-1234"),
    ("percent", "同比增长13.5%，环比下降8.4%"),
    ("time-range", "办公时间8:30-17:30"),
    ("floor", "住在15楼，电梯坏了"),
    ("rooms", "两室一厅的房子"),
    ("metro", "地铁1号线停运"),
    ("document", "按照2026年3号文件执行"),
    ("day", "本月3号停水"),
    ("ordinary-wechat", "关注微信公众号了解详情"),
    ("ordinary-qq", "QQ群里通知了"),
    ("ordinary-email", "发邮件给街道办"),
    ("ordinary-benren", "本人向法院提起诉讼"),
    ("ordinary-owner", "利用业主的公摊公共面积，业主利益，"),
    ("ordinary-woshi", "我是江西人，在本市工作"),
    ("ordinary-citizen", "市民来电反映：小区停水三天。"),
    ("anonymised", "本人李某某，男，反映"),
    ("counting", "一二三四五六七"),
    ("version", "系统版本3.2.1"),
]


def _digits(text: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", text.upper())


@pytest.fixture(scope="module")
def masked() -> dict[str, tuple[str, dict[str, int]]]:
    """Each positive variant masked on its own (one call for all: the vectorised path)."""
    texts = pl.Series([text for _, text, *_ in POSITIVE])
    out = {}
    for (case, *_), text in zip(POSITIVE, texts.to_list(), strict=True):
        single, counts = mask_personal_data(pl.Series([text]), names="all")
        out[case] = (single.item(), counts)
    together, _ = mask_personal_data(texts, names="all")
    assert together.to_list() == [m for m, _ in out.values()]  # row-wise = alone
    return out


def test_the_table_is_large_enough() -> None:
    assert len(POSITIVE) >= 60
    assert len({case for case, *_ in POSITIVE}) == len(POSITIVE)
    assert len(NEGATIVE) >= 30


@pytest.mark.parametrize(("case", "text", "secret", "kind", "gate"), POSITIVE)
def test_variant_is_masked(
    masked: dict, case: str, text: str, secret: str, kind: str, gate
) -> None:
    out, counts = masked[case]
    assert secret not in out, out
    if re.fullmatch(r"[0-9X]+", secret):
        assert secret not in _digits(out), out
    assert counts[kind] >= 1, counts


@pytest.mark.parametrize(("case", "text", "secret", "kind", "gate"), POSITIVE)
def test_gate_finds_the_variant_and_nothing_once_masked(
    masked: dict, case: str, text: str, secret: str, kind: str, gate: str | None
) -> None:
    found = scan_text(text)
    if gate is not None:
        assert gate in {k for k, _ in found}, found
    assert scan_text(masked[case][0]) == []


@pytest.mark.parametrize(("case", "text"), NEGATIVE)
def test_negative_is_left_alone(case: str, text: str) -> None:
    out, counts = mask_personal_data(pl.Series([text]), names="all")
    assert out.item() == text
    assert sum(counts.values()) == 0
    assert scan_text(text) == []


def test_names_scope_titled_leaves_introduced_names() -> None:
    s = pl.Series(["我叫王建国，来电人张先生反映"])
    titled, _ = mask_personal_data(s)
    assert titled.item() == "我叫王建国，来电人张*反映"
    everything, counts = mask_personal_data(s, names="all")
    assert everything.item() == "我叫王**，来电人张*反映" and counts["name"] == 2
