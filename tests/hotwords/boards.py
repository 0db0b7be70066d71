"""A small message board made to measure: about eleven writers a day for a year (issue 13).

The issue's real board held 4,326 messages, about eleven writers a day, and two issues the
city had to answer, each peaking at four or five writers a day for a few days. This module
writes boards of that size: letters in the register of a city message board (greetings,
filler words and fragments the hot list must not show, steady everyday complaints), and,
when asked, the two planted issues.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

START = dt.date(2019, 1, 1)
DAYS = 365
#: The six-character estate of issue A (jieba alone cuts it into pieces).
ESTATE = "金色阳光花园"


@dataclass(frozen=True)
class Planted:
    """One planted issue: its words, first day and writers on each of its days."""

    words: tuple[str, ...]
    start: dt.date
    writers: tuple[int, ...]
    letters: tuple[str, ...]

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=len(self.writers) - 1)


ISSUES = (
    Planted(
        words=("拆迁", ESTATE),
        start=dt.date(2019, 5, 13),
        writers=(2, 4, 5, 5, 3),
        letters=(
            "尊敬的领导您好，我是{estate}的业主，{estate}拆迁补偿标准一直没有公示，"
            "拆迁补偿款迟迟不到位，请问何时给个说法？",
            "{estate}拆迁补偿问题：开发商要求我们先搬走再谈补偿，业主多次找街道无果，"
            "希望政府尽快出面解决拆迁补偿。",
            "我们{estate}一期的住户反映，拆迁补偿方案和当初承诺的不一样，"
            "老人孩子无处安置，恳请领导重视。",
        ),
    ),
    Planted(
        words=("欠薪", "宏达建筑公司"),
        start=dt.date(2019, 9, 9),
        writers=(3, 5, 4, 4),
        letters=(
            "我们是宏达建筑公司的农民工，项目完工半年了欠薪至今没有解决，"
            "年底回家路费都没有，请劳动监察部门帮帮我们。",
            "宏达建筑公司欠薪问题：公司老板失联，几十名工人的工资拿不到，"
            "去劳动监察大队投诉了也没有结果，请问该怎么办？",
            "反映宏达建筑公司拖欠工资，欠薪数额较大，工人们生活困难，希望有关部门依法处理。",
        ),
    ),
)

_PLACES = ("城南片区", "解放路", "人民路", "滨江大道", "新华街道", "东门社区", "西湖村", "高新区")
_ESTATES = ("翠苑小区", "锦江城小区", "幸福里", "和平新村", "阳光家园", "城北花园")
#: Steady everyday complaints: (topic words, sentence); each one at a constant rate all year.
_TOPICS = (
    "{place}附近的路灯坏了很久，晚上出行很不安全。",
    "{estate}楼下的垃圾清运不及时，夏天气味很大。",
    "{place}一带停车难，车辆乱停乱放堵塞消防通道。",
    "{estate}物业费上涨没有经过业主大会，物业服务也很差。",
    "孩子上学的学位问题，{place}的学校划片不合理。",
    "异地就医报销手续太复杂，医保报销要跑好几个窗口。",
    "公交线路调整以后，{place}到市中心要换乘两次。",
    "{estate}有人违章搭建，占用公共绿地。",
    "{place}的餐馆油烟直排，楼上住户苦不堪言。",
    "{place}夜间施工噪音扰民，影响休息。",
    "社保卡补办要等很久，窗口工作人员态度不好。",
    "{estate}电梯经常故障，维保单位敷衍了事。",
    "地铁2号线施工围挡占道，{place}交通拥堵。",
    "{place}的井盖破损，存在安全隐患。",
    "公租房申请条件不清楚，材料交了几个月没有消息。",
    "{estate}二次供水水质发黄，担心影响健康。",
    "{place}流浪狗很多，晚上追人。",
    "城管部门对{place}占道经营视而不见。",
    "{estate}小区门口的共享单车堆积如山。",
    "居住证办理需要的材料太多，来回跑了三趟。",
    "{place}的农贸市场卫生很差，污水横流。",
    "新建小区交房延期，业主多次交涉没有结果。",
    "养老金资格认证在网上总是失败，老人不会操作。",
    "{place}红绿灯时间太短，老人过马路很危险。",
    "{estate}的充电桩太少，电动车只能飞线充电。",
    "广场舞音响声音太大，{estate}居民无法休息。",
    "{place}的排水不畅，一下雨就积水内涝。",
    "幼儿园收费标准不透明，{place}的家长意见很大。",
    "不动产登记办证太慢，房产证拖了三个月。",
    "{place}的渣土车晚上超速行驶，扬尘很大。",
)
#: Openings, fillers and closings of letters: function words, generic words and fragments
#: that must never top a hot list (基本, 加上, 避免, 必须, 位于, 极大, 尤其, 不得, 规定, 请问,
#: 还有, 就是, 要求, 任何, 无法, 个月, 号线, 城小区, 管部门, 业主多次 …).
_OPENINGS = (
    "尊敬的领导您好，",
    "您好，",
    "领导好，",
    "我是{place}的居民，",
    "本人位于{place}，",
    "",
)
_FILLERS = (
    "这个问题基本上已经存在好几个月了，",
    "加上最近天气炎热，情况尤其严重，",
    "就是希望有关部门能够重视，",
    "按规定不得这样做，",
    "请问这种情况必须怎么处理？",
    "还有就是相关单位无法给出任何答复，",
    "为了避免造成极大的影响，",
    "我们要求尽快解决，",
    "已经反映了两个月，",
    "",
    "",
)
_CLOSINGS = (
    "望领导重视，谢谢！",
    "希望尽快处理。",
    "请相关部门尽快解决，万分感谢。",
    "恳请领导关注。",
    "",
)


def _pick(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    return options[int(rng.integers(len(options)))]


def _fill(rng: np.random.Generator, template: str) -> str:
    return template.format(place=_pick(rng, _PLACES), estate=_pick(rng, _ESTATES), estate_=ESTATE)


def _letter(rng: np.random.Generator, body: str) -> str:
    parts = [_fill(rng, _pick(rng, _OPENINGS)), body]
    parts += [_fill(rng, _pick(rng, _FILLERS)) for _ in range(int(rng.integers(1, 4)))]
    parts.append(_pick(rng, _CLOSINGS))
    return "".join(parts)


def small_board(*, seed: int = 1, planted: bool = True, per_day: float = 11.0) -> pl.DataFrame:
    """A year of letters (2019), ``per_day`` writers a day on average, canonical columns.

    With ``planted``, the two :data:`ISSUES` are added on their days, each letter from a
    writer of its own; the background is the same with or without them (same seed).

    Returns
    -------
    pl.DataFrame
        ``message_id``, ``user_id``, ``created_at``, ``text``, ``category``.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for day in range(DAYS):
        date = START + dt.timedelta(days=day)
        for i in range(int(rng.poisson(per_day))):
            body = _fill(rng, _pick(rng, _TOPICS))
            # a few writers come back now and then, most write once
            user = f"u{int(rng.integers(0, 2500))}" if rng.random() < 0.3 else f"w{day}-{i}"
            when = dt.datetime.combine(date, dt.time(8 + int(rng.integers(0, 12)), 5))
            rows.append((f"{day:03d}{i:03d}", user, when, _letter(rng, body), "城乡建设"))
    if planted:
        issue_rng = np.random.default_rng(seed + 1000)
        for n, issue in enumerate(ISSUES):
            for d, k in enumerate(issue.writers):
                date = issue.start + dt.timedelta(days=d)
                for j in range(k):
                    letter = issue.letters[(d + j) % len(issue.letters)].format(estate=ESTATE)
                    when = dt.datetime.combine(date, dt.time(9 + j, 30))
                    rows.append(
                        (f"P{n}{d}{j}", f"p{n}-{d}-{j}", when, _letter(issue_rng, letter), "信访")
                    )
    return pl.DataFrame(
        rows,
        schema={
            "message_id": pl.String,
            "user_id": pl.String,
            "created_at": pl.Datetime("us"),
            "text": pl.String,
            "category": pl.String,
        },
        orient="row",
    ).sort("created_at", "message_id")
