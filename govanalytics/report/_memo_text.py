"""What the memo says about each alert: a finding sentence and the action it calls for.

A finding states the place, the number and the comparison (with the expected count, the alarm
threshold, the capacity or the register); an action is chosen by the finding's kind and by the
disease, service or issue it is about, so that an alarm for 乙肝 is not answered with the
school-morning-check text of influenza. Every action belongs to one finding: the memo never
recommends something it has not reported.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["alert_action", "alert_finding", "disease_group", "grouped_actions"]

#: Disease groups and the words (in Chinese disease names or English codes) that place a
#: disease in them, tried in order. After the WHO/China CDC grouping by route of transmission.
_DISEASE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("tuberculosis", ("结核", "tuberculosis")),
    ("bloodborne", ("乙肝", "丙肝", "丁肝", "乙型肝炎", "丙型肝炎", "丁型肝炎", "艾滋", "hiv",
                    "梅毒", "淋病", "尖锐湿疣", "衣原体", "生殖器疱疹", "非淋菌", "hepatitis b",
                    "hepatitis c", "hepatitis d", "acquired immune", "syphilis", "gonorrh")),
    ("hand_foot_mouth", ("手足口", "hand_foot_mouth", "hand foot")),
    ("enteric", ("腹泻", "痢疾", "伤寒", "霍乱", "甲肝", "戊肝", "甲型肝炎", "戊型肝炎",
                 "诺如", "diarrh", "dysentery", "typhoid", "cholera", "hepatitis a",
                 "hepatitis e")),
    ("respiratory", ("流感", "流行性感冒", "麻疹", "风疹", "腮腺炎", "水痘", "猩红热", "百日咳",
                     "白喉", "流脑", "脑膜炎", "新冠", "肺炎", "influenza", "measles",
                     "rubella", "mumps", "chickenpox", "scarlet", "pertussis", "diphtheria",
                     "mening", "pneumonia", "sars")),
    ("vector", ("登革", "疟疾", "乙脑", "乙型脑炎", "出血热", "斑疹伤寒", "恙虫", "黑热病",
                "丝虫", "钩端", "dengue", "malaria", "encephalitis", "hemorrhagic", "typhus",
                "kala", "filaria", "leptospir")),
    ("zoonotic", ("布鲁", "布病", "狂犬", "炭疽", "鼠疫", "包虫", "血吸虫", "猪链球菌",
                  "brucell", "rabies", "anthrax", "plague", "echinococc", "schistosom",
                  "streptococcus suis")),
)  # fmt: skip

#: Response to an alarm of each disease group (after the place and disease name).
_DISEASE_ACTIONS: dict[str, str] = {
    "respiratory": (
        "请卫生健康部门会同教育部门加强学校和托幼机构晨午检与因病缺勤追踪，及时处置聚集性疫情，"
        "提示老人、儿童等重点人群接种疫苗，并视情况增开发热门诊"
    ),
    "hand_foot_mouth": (
        "请卫生健康部门会同教育部门加强托幼机构晨检和玩具、餐具消毒，发现聚集性病例及时停班并追踪密切接触者"
    ),
    "enteric": (
        "请卫生健康部门核查病例的共同饮食和饮水来源，会同市场监管部门检查集体食堂、餐饮单位和二次供水卫生，"
        "排查聚集性病例"
    ),
    "bloodborne": (
        "请卫生健康部门核实病例报告（排除重复报告和既往感染），对新发病例开展流行病学调查和随访管理，"
        "加强医疗机构血液安全和感染控制，推动重点人群筛查与乙肝疫苗接种"
    ),
    "tuberculosis": (
        "请卫生健康部门加强患者发现和规范治疗管理，对学校等重点场所的密切接触者开展筛查"
    ),
    "vector": (
        "请卫生健康部门会同爱卫部门开展蚊媒、鼠类密度监测和孳生地清理，医疗机构加强发热病人筛查"
    ),
    "zoonotic": (
        "请卫生健康部门会同农业农村部门排查动物疫情和高危职业人群，做好病例救治和暴露后处置"
    ),
    "other": "请卫生健康部门核实病例，开展流行病学调查，研判传播风险并及时处置",
}

#: Responsible departments and response by service (Chinese service names, as in alerts).
_SERVICE_ACTIONS: dict[str, str] = {
    "义务教育入学": "请教育部门核实学位需求和缺口，统筹调配周边学校学位或增设班额，并及时向申请家庭公布进度",
    "老年人免费乘车卡": "请民政部门会同公交集团增加办卡窗口和上门办理，提前备卡",
    "残疾人两项补贴": "请民政部门和残联加快审核，必要时抽调人员集中办理",
    "城乡居民医保参保": "请医保部门增加窗口和网上办理引导，延长受理时间",
    "最低生活保障": "请民政部门加快入户核查和审批，关注困难群众的临时救助需求",
    "公租房申请": "请住房保障部门核实房源与申请量，及时公布轮候安排",
    "个体工商户登记": "请市场监管部门增加窗口和网上办理引导，缩短办理时限",
    "居住证办理": "请公安部门增加受理窗口和预约号源",
    "生育登记": "请卫生健康部门推广网上登记，增加窗口受理力量",
    "养老金资格认证": "请人力资源社会保障部门推广刷脸认证，组织社区上门协助高龄老人",
}

#: Departments for the topics citizens write about (first word that matches wins).
_ISSUE_TOPICS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("停水", "没水", "水压", "水质", "供水", "自来水"), "供水企业"),
    (("停电", "断电", "供电", "电压"), "供电企业"),
    (("燃气", "煤气", "天然气", "停气"), "燃气企业"),
    (("暖气", "供暖", "供热"), "供热企业"),
    (("噪音", "噪声", "扰民"), "生态环境和城管部门"),
    (("垃圾", "环卫", "清运", "异味", "臭"), "城管（环卫）部门"),
    (("停车", "交通", "拥堵", "红绿灯", "公交", "道路"), "交通运输和公安交管部门"),
    (("物业", "电梯", "小区"), "住房和城乡建设部门"),
    (("学校", "学位", "入学", "幼儿园"), "教育部门"),
    (("医院", "挂号", "看病", "疫苗"), "卫生健康部门"),
    (("欠薪", "工资", "拖欠"), "人力资源社会保障部门"),
)

_QUOTED = re.compile(r"“([^”]+)”")
_SURGE = re.compile(
    r"^(?P<head>[^：]+)：(?P<start>\d{4}年\d{2}月\d{2}日)起本期已受理(?P<n>[\d,]+)件"
    r"(?:，容量(?P<cap>[\d,]+)个（(?P<pct>\d+%)）)?(?:，按当前速度预计全期(?P<proj>[\d,]+)件)?"
)
_COUNT = re.compile(r"（(少于\d+条|\d[\d,]*条)）")


def disease_group(disease: str) -> str:
    """The group of a disease by route of transmission, from its code or Chinese name.

    Parameters
    ----------
    disease
        A disease code (``"influenza_like_illness"``) or name (``"乙肝"``, ``"Hepatitis B"``).

    Returns
    -------
    str
        One of ``respiratory``, ``hand_foot_mouth``, ``enteric``, ``bloodborne``,
        ``tuberculosis``, ``vector``, ``zoonotic`` or ``other``.
    """
    text = str(disease).lower()
    for group, words in _DISEASE_GROUPS:
        if any(w in text for w in words):
            return group
    return "other"


def _disease_zh(alert: Mapping[str, Any]) -> str:
    from govanalytics.health import disease_name

    return disease_name(str(alert.get("disease", ""))) if alert.get("disease") else ""


def _date_zh(value: Any) -> str:
    text = str(value or "")
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", text)
    return f"{int(m.group(2))}月{int(m.group(3))}日" if m else text


def _issue_words(alert: Mapping[str, Any]) -> list[str]:
    if alert.get("words"):  # the hot-words chapter gives them (older summaries: in the text)
        return [str(w) for w in alert["words"]]
    found = _QUOTED.search(str(alert.get("message", "")))
    if not found:
        return []
    return [w.strip() for w in re.split(r"[·、，,\s]+", found.group(1)) if w.strip()]


def _sentence(text: str) -> str:
    text = text.strip().rstrip("。；;，,")
    return text + "。"


def alert_finding(alert: Mapping[str, Any], *, context: Mapping[str, Any] | None = None) -> str:
    """One sentence on an alert: the place, the number and what it is compared with.

    Parameters
    ----------
    alert
        An alert of a ``summary.json`` (``kind``, ``place``, ``date``, ``message`` and, by kind,
        ``disease`` or ``service``).
    context
        Figures the sentence may compare with: ``comments`` (all comments of the period, for
        the share of a hot issue).

    Returns
    -------
    str
        A Chinese sentence ending with 。.
    """
    kind = alert.get("kind")
    message = str(alert.get("message", ""))
    place = str(alert.get("place", ""))
    if kind == "hot_issue":
        words = _issue_words(alert)
        count = _COUNT.search(message)
        if words:
            topic, others = words[0], words[1:4]
            text = f"{_date_zh(alert.get('date'))}起，{place}群众集中反映“{topic}”问题"
            if count:
                text += f"，相关留言{count.group(1)}"
                total = (context or {}).get("comments")
                n = count.group(1).removesuffix("条").replace(",", "")
                if isinstance(total, int | float) and total > 0 and n.isdigit():
                    text += f"，占同期全部留言（{total:,.0f}条）的{int(n) / total:.0%}"
            if others:
                text += "，留言中还多次提到" + "、".join(f"“{w}”" for w in others)
            return _sentence(text)
    if kind == "service_surge":
        m = _SURGE.match(message)
        if m:
            start = re.sub(r"(\d{4})年0?(\d+)月0?(\d+)日", r"\2月\3日", m.group("start"))
            text = f"{m.group('head')}申请自{start}起已受理{m.group('n')}件"
            if m.group("cap"):
                text += f"，为容量（{m.group('cap')}个）的{m.group('pct')}"
            if m.group("proj"):
                text += f"，按当前速度全期预计{m.group('proj')}件"
            return _sentence(text)
    return _sentence(message)


def _action_parts(alert: Mapping[str, Any]) -> tuple[str, str, str]:
    """``(place, what happened, what to do)`` of the action for one alert."""
    kind = alert.get("kind")
    place = str(alert.get("place", ""))
    if kind == "health_alarm":
        disease = _disease_zh(alert) or "相关病种"
        group = disease_group(f"{alert.get('disease', '')} {disease}")
        cases = disease if disease.endswith("病例") else f"{disease}病例"
        return place, f"{cases}超出预警阈值", _DISEASE_ACTIONS[group]
    if kind == "service_surge":
        service = str(alert.get("service", ""))
        what = _SERVICE_ACTIONS.get(
            service, "请主管部门增加受理窗口和网上办理引导，及时公布办理进度"
        )
        return place, f"{service}申请超出容量", what
    if kind == "hot_issue":
        words = _issue_words(alert)
        topic = words[0] if words else "相关"
        dept = next(
            (d for keys, d in _ISSUE_TOPICS if any(k in w for w in words for k in keys)),
            "主管部门",
        )
        return (
            place,
            f"“{topic}”诉求",
            f"请{dept}会同所在街道核实情况、限时处置，并在办结后向留言群众回复",
        )
    if kind == "population_change":
        return (
            place,
            "常住人口与登记人口差异较大",
            "请统计和公安部门核查差异原因，教育、卫生健康、民政等部门按常住人口复核学位、"
            "床位和社区服务配置",
        )
    if kind == "data_quality":
        return place, "数据质量问题", "请数据提供单位核查并更正有关数据，下期报告前完成"
    return place, "预警", "请主管部门核实情况并及时处置"


def alert_action(alert: Mapping[str, Any]) -> str:
    """The recommended action for one alert, worded by its kind and subject.

    Health alarms are answered by disease group (:func:`disease_group`), service surges by
    service, hot issues by the department of the topic (供水、供电、噪音…), population
    changes by a review of services planned on the register.

    Parameters
    ----------
    alert
        An alert of a ``summary.json``.

    Returns
    -------
    str
        A Chinese sentence ending with 。, naming the place.
    """
    return grouped_actions([alert])[0]


def grouped_actions(alerts: list[Mapping[str, Any]]) -> list[str]:
    """One action per subject and response, naming every place it covers, in the order of
    ``alerts`` (three provinces alarming for 乙肝 get one action naming the three).

    Parameters
    ----------
    alerts
        Alerts of the memo's findings, most important first.

    Returns
    -------
    list of str
        Chinese sentences ending with 。.
    """
    groups: dict[tuple[str, str], list[str]] = {}
    for alert in alerts:
        place, what, todo = _action_parts(alert)
        places = groups.setdefault((what, todo), [])
        if place not in places:
            places.append(place)
    return [_sentence(f"针对{'、'.join(p)}{what}，{todo}") for (what, todo), p in groups.items()]
