"""Sample-city generator part: citizen comments (12345 hotline, portal, social media).

Writes ``dynamic/comments.parquet`` (the ``comments`` schema) and a GBK-encoded CSV export of
hotline tickets with Chinese headers, ``dynamic/hotline_export_gbk.csv`` (工单编号, 受理时间 as
``2026/11/3 14:02:11``, 标题, 内容, 所属区县), as a user's own export would come.

Planted truths (the ``hotwords`` section of ``truth.json``)::

    {
      "burst": {"word": "停水", "co_words": ["三天", <compound>], "district_code", "community_code",
                "day": "YYYY-MM-DD", "days": 4, "comments": n},
      "decoy": {"word": "噪音"},                 # frequent every week at a constant rate
      "repeat": {"word", "user_id", "day", "times"},   # one user repeating one complaint
      "compounds": [...],                          # residential compound names used in the text
      "planted_ids": [...],                        # ID-card numbers written in comments (digits)
      "planted_phones": [...],                     # mobile and landline numbers (digits only)
      "planted_names": [...],                      # names as written: "张先生", "刘建国", …
      "n_comments": n, "start": "YYYY-MM-DD", "end": "YYYY-MM-DD"
    }
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from govanalytics.synth import _names
from govanalytics.synth._base import CityBase
from govanalytics.synth._part import SynthPart

#: Comments in the whole period, by city size.
VOLUME = {"small": 18_000, "default": 150_000, "large": 400_000}
WEEKS = 26
BURST_WORD = "停水"
BURST_LAG_DAYS = 9  # the burst starts this many days before the last day
BURST_SHAPE = (0.55, 1.0, 0.7, 0.35)  # share of the peak, day by day
DECOY_WORD = "噪音"
REPEAT_WORD = "充电桩"

_COMPOUND_SUFFIXES = (
    "华庭",
    "花园",
    "家园",
    "雅苑",
    "名苑",
    "新村",
    "公馆",
    "名都",
    "豪庭",
    "嘉园",
)
_PHASES = ("二期", "三期", "四期", "五期", "六期", "七期", "八期", "九期")
_COMPOUND_HEADS = (
    "锦绣", "碧桂", "翠湖", "金域", "阳光", "丽景", "富康", "星河", "怡景", "海逸", "御景", "康乐",
    "龙湾", "紫荆", "长安", "春晓", "景泰", "华润", "恒安", "博雅", "天悦", "云栖", "君悦", "泰和",
    "瑞祥", "兴业", "松柏", "桃源", "明珠", "东方", "锦华", "新港", "清风", "南湖", "荔湾", "万象",
)  # fmt: skip

# --- text pieces -------------------------------------------------------------------------
_OPENERS_PORTAL = (
    "您好，",
    "领导您好！",
    "尊敬的领导：",
    "你好，",
    "",
    "",
    "我是{community}居民，",
)
_OPENERS_HOTLINE = ("市民来电反映：", "来电人反映，", "市民反映：", "来电反映：", "")
_OPENERS_SOCIAL = ("", "", "#江海市# ", "@江海发布 ", "求助：")
_CLOSERS = (
    "希望尽快解决，谢谢！",
    "希望有关部门尽快处理。",
    "恳请相关部门重视，不胜感激！",
    "麻烦尽快安排人员处理，谢谢。",
    "请相关部门核实处理。",
    "望领导重视，谢谢！",
    "希望早日解决，万分感谢。",
    "",
    "辛苦了，谢谢。",
    "诉求：请尽快处理并回复。",
)
_CLOSERS_SOCIAL = ("", "有没有人管管？", "太难了。", "求转发。", "希望相关部门看到！")

#: topic → templates. Slots: {compound} {community} {street} {road} {n}.
_TOPICS: dict[str, tuple[str, ...]] = {
    "noise": (
        "{compound}附近工地夜间施工噪音很大，晚上十一点以后还在作业，严重影响休息。",
        "{compound}楼下广场舞噪音扰民，每天晚上音响开得很大。",
        "{road}沿街商铺用喇叭播放音乐，噪音太大，多次沟通无果。",
        "楼上装修噪音从早到晚，周末也不停，{compound}物业不管。",
        "{road}夜间货车经过噪音很大，建议设置禁鸣标志。",
        "{community}菜市场凌晨卸货噪音扰民，老人睡不好觉。",
    ),
    "traffic": (
        "{road}早晚高峰拥堵严重，红绿灯时间设置不合理。",
        "{road}与{road2}路口没有斑马线，行人过马路很危险。",
        "{community}附近公交车班次太少，等车要半个多小时。",
        "{road}路面坑洼不平，下雨积水，电动车经常摔倒。",
        "{compound}门口经常有车辆逆行，存在安全隐患。",
    ),
    "water": (
        "{compound}水压不足，高层住户用水困难。",
        "{compound}自来水发黄有异味，不敢饮用。",
        "这个月水费账单异常，比平时高了很多，{community}不少居民都有这个情况。",
        "{road}的消防栓漏水好几天了，浪费水资源。",
        "{compound}计划停水没有提前通知，希望以后提前告知。",
    ),
    "gas": (
        "{compound}燃气管道老化，楼道里有燃气味道，担心安全。",
        "燃气费缴费系统无法登录，{community}居民缴费困难。",
    ),
    "property": (
        "{compound}物业管理混乱，物业费上涨却不提供相应服务。",
        "{compound}物业不作为，楼道垃圾堆放无人清理。",
        "{compound}业委会选举不公开，物业合同到期迟迟不招标。",
        "{compound}物业擅自出租公共区域，业主意见很大。",
    ),
    "parking": (
        "{compound}小区停车位严重不足，车辆乱停乱放。",
        "{road}占用消防通道停车现象严重，希望加强管理。",
        "{compound}停车费上涨没有公示，业主不认可。",
        "{community}周边共享单车乱停放，堵塞人行道。",
    ),
    "school": (
        "孩子今年上小学，{community}学位紧张，希望增加学位。",
        "{street}入学积分政策不清楚，咨询电话一直打不通。",
        "{compound}对应的学校划片调整没有公示，家长很着急。",
    ),
    "medical": (
        "城乡居民医保缴费系统无法登录，缴费截止日期快到了。",
        "异地就医报销流程复杂，材料要跑好几趟。",
        "{community}社区卫生服务中心医保刷卡不能用。",
        "医保卡丢失补办需要多久？{street}办事大厅说不清楚。",
    ),
    "elevator": (
        "{compound}是老旧小区，加装电梯审批进度太慢，老人上下楼困难。",
        "{compound}电梯经常故障困人，维保单位不负责。",
        "老旧小区加装电梯费用分摊有争议，希望{street}协调。",
    ),
    "garbage": (
        "{compound}垃圾分类投放点设置不合理，离楼太近，气味很大。",
        "{road}垃圾清运不及时，天热发臭。",
        "{community}垃圾分类督导员只在早上，晚上垃圾乱丢。",
    ),
    "lights": (
        "{road}路灯不亮已经一个多星期，晚上出行不安全。",
        "{compound}门口的路灯坏了很久，没人维修。",
    ),
    "lampblack": (
        "{road}烧烤店油烟直排，{compound}住户不敢开窗。",
        "{compound}楼下餐馆油烟扰民，多次投诉没有改善。",
    ),
    "pension": (
        "养老金资格认证在手机上一直失败，老人不会操作。",
        "社保卡激活需要到{street}办事大厅，排队时间太长。",
        "{community}老年人免费乘车卡办理需要什么材料？",
    ),
    "dogs": (
        "{compound}流浪狗很多，晚上追人，孩子不敢出门。",
        "{community}有人遛狗不牵绳，还不清理粪便。",
    ),
    "build": (
        "{compound}顶楼违章搭建，影响其他住户采光。",
        "{road}占道经营严重，城管来了就走，走了又来。",
    ),
    "charging": (
        "{compound}没有电动车充电桩，只能飞线充电，很危险。",
        "希望在{community}增设电动车充电桩。",
    ),
}
_TOPIC_WEIGHTS = {
    "noise": 10.0,
    "traffic": 9.0,
    "water": 5.0,
    "gas": 2.0,
    "property": 9.0,
    "parking": 8.0,
    "school": 4.0,
    "medical": 5.0,
    "elevator": 4.0,
    "garbage": 6.0,
    "lights": 4.0,
    "lampblack": 4.0,
    "pension": 4.0,
    "dogs": 3.0,
    "build": 3.0,
    "charging": 2.0,
}
_BURST_TEMPLATES = (
    "{compound}从{weekday}开始停水，已经三天了，没有任何通知，老人小孩生活很不方便。",
    "{compound}停水三天了，打供水公司电话没人接，什么时候能恢复供水？",
    "我们{compound}停水已经三天，物业说是管道爆裂，一直没人来修。",
    "{compound}突然停水，到现在三天了还没来水，家里老人只能下楼提水。",
    "{community}{compound}大面积停水，楼里几百户没水用，希望尽快抢修。",
    "{compound}停水第三天了，买桶装水都买不到，请尽快恢复供水！",
)
_REPEAT_TEXT = "{compound}没有电动车充电桩，物业一直不安装，只能飞线充电，请尽快解决！"
_WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_TITLES = ("先生", "女士", "阿姨", "师傅", "大爷")
_SIGN_LEADS = ("市民", "业主", "居民", "联系人：", "反映人：")
_HOTLINE_TITLES = {
    "noise": "噪音扰民",
    "traffic": "交通出行",
    "water": "供水问题",
    "gas": "燃气安全",
    "property": "物业管理",
    "parking": "停车管理",
    "school": "教育入学",
    "medical": "医疗保障",
    "elevator": "电梯问题",
    "garbage": "环境卫生",
    "lights": "市政设施",
    "lampblack": "油烟污染",
    "pension": "社保咨询",
    "dogs": "动物管理",
    "build": "城市管理",
    "charging": "充电设施",
    "burst": "供水问题",
}


def _pick(rng: np.random.Generator, seq: tuple[str, ...] | list[str]) -> str:
    return seq[int(rng.integers(len(seq)))]


def _compounds(rng: np.random.Generator, communities: list[str]) -> dict[str, list[str]]:
    """Residential compound names, two or three per community (none repeat).

    Names are drawn without replacement from head × suffix; when a large city needs more,
    later phases of a development are added (``锦绣华庭二期``).
    """
    combos = [h + s for h in _COMPOUND_HEADS for s in _COMPOUND_SUFFIXES]
    order = rng.permutation(len(combos))
    pool = [combos[int(i)] for i in order]
    phase = 0
    out: dict[str, list[str]] = {}
    for code in communities:
        k = 2 + int(rng.integers(2))
        names = []
        for _ in range(k):
            if not pool:
                phase += 1
                tag = _PHASES[phase - 1] if phase <= len(_PHASES) else f"{phase + 1}期"
                pool = [combos[int(i)] + tag for i in order]
            names.append(pool.pop())
        out[code] = names
    return out


def _id_text(rng: np.random.Generator, person_id: str) -> str:
    """An ID-card number as people write it: plain, lower-case x, or spaced."""
    u = rng.random()
    if u < 0.6:
        return person_id
    if u < 0.75:
        return person_id.lower()
    if u < 0.9:
        return f"{person_id[:6]} {person_id[6:14]} {person_id[14:]}"
    return f"{person_id[:6]}-{person_id[6:14]}-{person_id[14:]}"


def _old_id(rng: np.random.Generator) -> str:
    """A 15-digit ID-card number (pre-1999 form)."""
    region = _pick(rng, ("440301", "440104", "110105", "320102"))
    y = int(rng.integers(40, 80))
    m = int(rng.integers(1, 13))
    d = int(rng.integers(1, 29))
    return f"{region}{y:02d}{m:02d}{d:02d}{int(rng.integers(1000)):03d}"


def _mobile_text(rng: np.random.Generator, phone: str) -> str:
    u = rng.random()
    if u < 0.5:
        return phone
    if u < 0.65:
        return f"+86 {phone}"
    if u < 0.8:
        return f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"
    if u < 0.9:
        return f"+86-{phone[:3]} {phone[3:7]} {phone[7:]}"
    return f"86{phone}"


def _landline(rng: np.random.Generator) -> tuple[str, str]:
    area = _pick(rng, ("0756", "0760", "020", "0755"))
    local = f"{int(rng.integers(2, 9))}{int(rng.integers(0, 10_000_000)):07d}"
    text = f"{area}-{local}" if rng.random() < 0.7 else f"{area} {local[:4]} {local[4:]}"
    return text, area + local


def generate(city: CityBase, rng: np.random.Generator) -> SynthPart:
    """Citizen comments with a planted burst, a constant decoy and planted personal data.

    Parameters
    ----------
    city
        The sample city's geography and register.
    rng
        This part's random stream.

    Returns
    -------
    SynthPart
        ``dynamic/comments.parquet``, ``dynamic/hotline_export_gbk.csv`` (GBK) and the
        ``hotwords`` truth section.
    """
    names = city.names()
    regions = city.regions
    comm = regions.filter(pl.col("level") == "community").sort("region_code")
    comm_codes = comm["region_code"].to_list()
    comm_district = dict(zip(comm["region_code"], comm["district_code"], strict=True))
    comm_street = dict(zip(comm["region_code"], comm["parent_code"], strict=True))
    compounds = _compounds(rng, comm_codes)
    roads = [
        a + b + _pick(rng, _names.ROAD_SUFFIXES)
        for a, b in zip(
            rng.choice(_names.PLACE_SYLLABLES, 60),
            rng.choice(_names.PLACE_SYLLABLES, 60),
            strict=True,
        )
        if a != b
    ]
    roads = sorted(set(roads))
    comm_roads = {c: [roads[int(i)] for i in rng.choice(len(roads), 3)] for c in comm_codes}

    n_total = VOLUME[city.size]
    end = city.end
    start = end - dt.timedelta(days=WEEKS * 7 - 1)
    n_days = (end - start).days + 1
    days = [start + dt.timedelta(days=i) for i in range(n_days)]
    weekday_w = np.array([1.0 if d.weekday() < 5 else 0.65 for d in days])
    day_p = weekday_w / weekday_w.sum()
    # community popularity (some write far more than others)
    comm_w = rng.gamma(3.0, 1.0, len(comm_codes))
    comm_w /= comm_w.sum()
    topics = list(_TOPICS)
    topic_p = np.array([_TOPIC_WEIGHTS[t] for t in topics])
    topic_p /= topic_p.sum()

    reg = city.register.filter(pl.col("phone").is_not_null())
    reg_names = reg["name"].to_list()
    reg_ids = reg["id_number"].to_list()
    reg_phones = reg["phone"].to_list()
    n_users = max(500, n_total // 3)
    # user pool: most write once or twice, a few write often (Zipf-like)
    user_w = 1.0 / np.arange(1, n_users + 1) ** 0.6
    user_w /= user_w.sum()
    user_person = rng.integers(0, len(reg_names), n_users)

    planted_ids: list[str] = []
    planted_phones: list[str] = []
    planted_names: list[str] = []

    def personal(channel: str, uidx: int) -> tuple[str, str]:
        """Prefix and suffix carrying personal data (or nothing)."""
        p = int(user_person[uidx])
        full, pid, phone = reg_names[p], reg_ids[p], reg_phones[p]
        prefix, suffix = "", ""
        u = rng.random()
        if channel == "hotline_12345" and u < 0.12:
            title = _pick(rng, _TITLES)
            prefix = f"来电人{full[0]}{title}反映："
            planted_names.append(full[0] + title)
        elif u < 0.06 and len(full) == 3:
            lead = _pick(rng, _SIGN_LEADS)
            suffix += f"{lead}{full}。"
            planted_names.append(full)
        elif u < 0.10:
            title = _pick(rng, _TITLES)
            suffix += f"我姓{full[0]}，叫我{full[0]}{title}就行。"
            planted_names.append(full[0] + title)
        v = rng.random()
        if v < 0.08:
            suffix += f"联系电话：{_mobile_text(rng, phone)}。"
            planted_phones.append(phone)
        elif v < 0.11:
            text, digits = _landline(rng)
            suffix += f"家里电话{text}。"
            planted_phones.append(digits)
        w = rng.random()
        if w < 0.035:
            suffix += f"本人身份证号{_id_text(rng, pid)}，"
            planted_ids.append(pid)
        elif w < 0.045:
            old = _old_id(rng)
            suffix += f"老身份证号码是{old}。"
            planted_ids.append(old)
        return prefix, suffix

    def fill(template: str, code: str, compound: str | None = None) -> str:
        return template.format(
            compound=compound or _pick(rng, compounds[code]),
            community=names[code],
            street=names[comm_street[code]],
            road=_pick(rng, comm_roads[code]),
            road2=_pick(rng, roads),
            weekday=_pick(rng, _WEEKDAYS),
            n=int(rng.integers(2, 9)),
        )

    def compose(body: str, channel: str, uidx: int, code: str) -> str:
        prefix, suffix = personal(channel, uidx)
        if channel == "hotline_12345":
            opener = prefix or _pick(rng, _OPENERS_HOTLINE)
            closer = _pick(rng, _CLOSERS)
        elif channel == "portal":
            opener = prefix + _pick(rng, _OPENERS_PORTAL)
            closer = _pick(rng, _CLOSERS)
        else:
            opener = prefix + _pick(rng, _OPENERS_SOCIAL)
            closer = _pick(rng, _CLOSERS_SOCIAL)
        return opener.replace("{community}", names[code]) + body + suffix + closer

    channels = np.array(["hotline_12345", "portal", "social_media"])
    rows: list[tuple] = []  # (day, comm, channel, user, text, topic)

    # background comments
    day_idx = rng.choice(n_days, size=n_total, p=day_p)
    comm_idx = rng.choice(len(comm_codes), size=n_total, p=comm_w)
    topic_idx = rng.choice(len(topics), size=n_total, p=topic_p)
    chan_idx = rng.choice(3, size=n_total, p=[0.55, 0.27, 0.18])
    user_idx = rng.choice(n_users, size=n_total, p=user_w)
    for d, c, t, ch, u in zip(day_idx, comm_idx, topic_idx, chan_idx, user_idx, strict=True):
        code = comm_codes[c]
        topic = topics[t]
        body = fill(_pick(rng, _TOPICS[topic]), code)
        rows.append(
            (int(d), code, str(channels[ch]), int(u), compose(body, channels[ch], u, code), topic)
        )

    # a few users repeat their complaint word for word on later days (distinct counting)
    for _ in range(n_total // 100):
        i = int(rng.integers(len(rows)))
        d, code, ch, u, text, topic = rows[i]
        for k in range(1, int(rng.integers(2, 4))):
            if d + k < n_days:
                rows.append((d + k, code, ch, u, text, topic))

    # the planted burst: one community of one district, starting BURST_LAG_DAYS before the end
    urban = [c for c in comm_codes if int(c[9:]) < 200]
    b_comm = urban[int(rng.integers(len(urban)))]
    b_district = comm_district[b_comm]
    b_compound = compounds[b_comm][0]
    b_day0 = n_days - BURST_LAG_DAYS
    peak = max(12, round(n_total / n_days * 0.22))
    b_count = 0
    for k, share in enumerate(BURST_SHAPE):
        for _ in range(round(peak * share)):
            u = int(rng.integers(n_users))
            code = b_comm if rng.random() < 0.85 else _pick(rng, [b_comm, *urban[:2]])
            if comm_district[code] != b_district:
                code = b_comm
            compound = b_compound if rng.random() < 0.8 else _pick(rng, compounds[b_comm])
            body = fill(_pick(rng, _BURST_TEMPLATES), code, compound)
            ch = str(channels[rng.choice(3, p=[0.6, 0.15, 0.25])])
            rows.append((b_day0 + k, code, ch, u, compose(body, ch, u, code), "burst"))
            b_count += 1

    # one user writes the same charging-pile complaint many times in one day: not a burst
    r_user = n_users - 1
    r_comm = urban[-1]
    r_day = n_days - 20
    r_text = fill(_REPEAT_TEXT, r_comm)
    r_times = max(15, peak)
    for _ in range(r_times):
        rows.append((r_day, r_comm, "portal", r_user, r_text, "charging"))

    n = len(rows)
    seconds = rng.integers(7 * 3600, 22 * 3600, n) + rng.integers(0, 60, n)
    order = np.lexsort((seconds, np.array([r[0] for r in rows])))
    base = dt.datetime.combine(start, dt.time())
    created, msg_ids, user_ids, dcodes, ccodes, chans, texts, topics_col = ([] for _ in range(8))
    no_comm = rng.random(n) < 0.25
    no_district = rng.random(n) < 0.05
    for j, i in enumerate(order):
        d, code, ch, u, text, topic = rows[i]
        ts = base + dt.timedelta(days=d, seconds=int(seconds[i]))
        created.append(ts)
        msg_ids.append(f"M{ts:%Y%m%d}{j:07d}")
        user_ids.append(f"U{u:07d}")
        social = ch == "social_media"
        keep_comm = not (social and no_comm[i])
        keep_district = keep_comm or not no_district[i] or topic == "burst"
        ccodes.append(code if keep_comm or topic == "burst" else None)
        dcodes.append(comm_district[code] if keep_district else None)
        chans.append(ch)
        texts.append(text)
        topics_col.append(topic)
    comments = pl.DataFrame(
        {
            "message_id": msg_ids,
            "user_id": user_ids,
            "created_at": created,
            "district_code": dcodes,
            "community_code": ccodes,
            "channel": chans,
            "text": texts,
        },
        schema={
            "message_id": pl.String,
            "user_id": pl.String,
            "created_at": pl.Datetime("us"),
            "district_code": pl.String,
            "community_code": pl.String,
            "channel": pl.String,
            "text": pl.String,
        },
    )

    # GBK export of hotline tickets of the last four weeks, as a user's system writes it
    hot = comments.with_columns(pl.Series("topic", topics_col)).filter(
        (pl.col("channel") == "hotline_12345")
        & (pl.col("created_at") >= dt.datetime.combine(end - dt.timedelta(days=27), dt.time()))
    )
    dist_names = {c: names[c] for c in city.district_codes}
    export = hot.select(
        pl.col("message_id").str.replace("^M", "GD").alias("工单编号"),
        pl.col("created_at")
        .map_elements(lambda t: f"{t.year}/{t.month}/{t.day} {t:%H:%M:%S}", return_dtype=pl.String)
        .alias("受理时间"),
        pl.col("topic").replace_strict(_HOTLINE_TITLES, return_dtype=pl.String).alias("标题"),
        pl.col("text").alias("内容"),
        pl.col("district_code").replace_strict(dist_names, default="").alias("所属区县"),
    )

    truth = {
        "burst": {
            "word": BURST_WORD,
            "co_words": ["三天", b_compound],
            "district_code": b_district,
            "community_code": b_comm,
            "day": days[b_day0].isoformat(),
            "days": len(BURST_SHAPE),
            "comments": b_count,
        },
        "decoy": {"word": DECOY_WORD},
        "repeat": {
            "word": REPEAT_WORD,
            "user_id": f"U{r_user:07d}",
            "day": days[r_day].isoformat(),
            "times": r_times,
        },
        "compounds": sorted({c for v in compounds.values() for c in v}),
        "planted_ids": sorted(set(planted_ids)),
        "planted_phones": sorted(set(planted_phones)),
        "planted_names": sorted(set(planted_names)),
        "n_comments": comments.height,
        "start": start.isoformat(),
        "end": end.isoformat(),
    }
    return SynthPart(
        files={
            "dynamic/comments.parquet": comments,
            "dynamic/hotline_export_gbk.csv": export,
        },
        truth=truth,
        encodings={"dynamic/hotline_export_gbk.csv": "gbk"},
    )
