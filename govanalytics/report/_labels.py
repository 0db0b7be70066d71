"""One label table for what officials read: every code shown on a page, in the Excel appendix
or in the memo passes through it (column names, method / model / disease / service codes,
booleans, severities, ``all``), and one set of number formats (thousands separators, signed
percentages, rounding by kind).

Tables written to Parquet keep their English snake_case names and codes: this is display only.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import polars as pl

from govanalytics.constants import LABELS_ZH

#: Labels of the columns the report layer itself writes.
REPORT_LABELS_ZH: dict[str, str] = {
    "people": "登记人口",
    "household_registered_share": "户籍人口占比",
    "aged_60_share": "60岁以上占比",
    "ageing_communities": "老龄化社区数",
    "ageing": "老龄化社区",
    "applications": "办件申请（件）",
    "comments": "群众留言（条）",
}

#: Labels of column names the analysis notebooks' tables commonly use (generic meanings; the
#: English name stays in each header's comment in the Excel appendix).
COMMON_LABELS_ZH: dict[str, str] = {
    "observed": "观测值",
    "expected": "期望值",
    "upper_bound": "预警阈值",
    "alarm": "是否预警",
    "method": "方法",
    "note": "说明",
    "disease": "病种",
    "disease_zh": "病种",
    "region": "区域",
    "model": "模型",
    "target": "预测目标",
    "origin": "起点",
    "destination": "终点",
    "horizon": "预测步长（周）",
    "quantile": "分位数",
    "value": "数值",
    "previous": "上期",
    "year_ago": "去年同期",
    "population": "人口",
    "forecast_next": "下期预测",
    "forecast_upper": "预测上限",
    "incidence_per_100k": "发病率（每10万）",
    "forecast_incidence_per_100k": "预测发病率（每10万）",
    "change_week": "环比变化",
    "change_year": "同比变化",
    "clinic_beds": "医疗床位",
    "bed_demand": "床位需求",
    "bed_ratio": "床位需求占比",
    "rank": "排名",
    "wis": "预测误差得分",
    "relative_wis": "误差与基准之比",
    "coverage_50": "50%区间覆盖率",
    "coverage_95": "95%区间覆盖率",
    "n": "样本数",
    "word": "词语",
    "words": "关键词",
    "start": "开始",
    "end": "结束",
    "weight": "权重",
    "areas": "涉及区域",
    "area": "区域",
    "scope": "范围",
    "peak_count": "峰值计数",
    "total_count": "合计",
    "window": "时间窗",
    "rank_change": "排名变化",
    "score": "得分",
    "z": "Z值",
    "bursting": "是否突发",
    "comment_ids": "留言编号",
    "label": "标签",
    "n_comments": "留言数",
    "period": "时段",
    "period_start": "期初",
    "period_end": "期末",
    "inflow": "流入",
    "outflow": "流出",
    "net": "净流入",
    "night": "夜间人数",
    "day": "日间人数",
    "resident": "常住人口",
    "resident_low": "常住人口（下限）",
    "resident_high": "常住人口（上限）",
    "short_stay": "短期停留人口",
    "registered": "登记人口",
    "floating": "流动人口",
    "spring_festival": "春节期间",
    "antecedent": "前项事项",
    "consequent": "后项事项",
    "persons": "人数",
    "support": "支持度",
    "confidence": "置信度",
    "lift": "提升度",
    "field": "字段",
    "kind": "类型",
    "master_value": "主数据值",
    "record_value": "业务记录值",
    "old_value": "原值",
    "new_value": "新值",
    "change": "变化量",
    "change_pct": "变化率",
    "community_name": "社区名称",
    "district_name": "区县名称",
    "age_band": "年龄段",
    "age_group": "年龄组",
    "residents": "居民数",
    "suggestion_zh": "建议",
    "bus_card": "免费乘车卡（人）",
    "home_delivery": "送卡上门（人）",
    "days_elapsed": "已过天数",
    "days_in_period": "周期天数",
    "projected": "预计值",
    "history_years": "历史年数",
    "fired_on": "触发日期",
    "reason": "原因",
    "capacity": "容量",
    "ratio_to_capacity": "与容量之比",
    "capacity_exceeded_on": "超出容量日期",
    "projection_exceeded_on": "预计超出容量日期",
    "seasonal_fired_on": "季节性检验触发日期",
    "severity": "级别",
    "message": "内容",
}


#: Codes that appear as *values* (and as pivoted column names) in the analyses' tables: alarm
#: methods, forecast models, severities, the whole-area scope, change words, units.
CODE_LABELS_ZH: dict[str, str] = {
    # alarm methods (govanalytics.health.flag_aberrations)
    "farrington": "历史同期基线法",
    "moving_percentile": "移动百分位数法",
    "ears_c1": "近期基线法一",
    "ears_c2": "近期基线法二",
    "ears_c3": "近期基线法三",
    # forecast models (govanalytics.health.forecast_counts)
    "baseline": "基准（沿用近期水平）",
    "glm": "回归模型",
    "theta": "趋势外推模型",
    "ensemble": "组合预测",
    "arima": "时间序列模型",
    "gbm": "机器学习模型",
    "flat": "简单外推（沿用上期）",
    "seasonal_naive": "季节基准（沿用去年同期）",
    # severities and scopes
    "high": "高",
    "medium": "中",
    "low": "低",
    "all": "全市",
    # rank changes (hot words)
    "new": "新上榜",
    "up": "上升",
    "down": "下降",
    "same": "持平",
    # reasons of a service surge (govanalytics.services.surge_warnings)
    "running_count": "累计申请已超过容量",
    "projection": "按当前速度预计超过容量",
    "seasonal": "显著高于往年同期水平",
    # periods and units
    "week": "周",
    "month": "月",
    "day": "日",
    "count": "人数",
    "share": "占比",
    "index": "规模指数",
    # rule columns of association rules shown pivoted
    "persons_a": "办理前项人数",
    "persons_b": "办理后项人数",
    "persons_ab": "先后办理两项人数",
    "day_change": "白天人口变化",
    "field_zh": "字段",
    "kind_zh": "冲突类型",
    "outcome_zh": "结果",
    "outcome": "结果代码",
    "reason_zh": "原因",
    "verification_level": "核验层级",
    "records": "记录数",
    "periods": "期数",
    "absent": "无记录期数",
    "not_reported": "未报告期数",
    "first_missing": "首个缺报期",
    "last_missing": "最后缺报期",
    "conflicts": "冲突数",
    "partial": "另一方向已抑制",
    "expected": "期望值",
    "suppressed": "已抑制",
    "roll_year": "名册年度",
    "service": "事项",
    "service_type": "事项",
    "excerpt": "留言摘录（已遮蔽）",
    "lq": "区位商",
    "n_held_back": "留出区域对数",
    "cpc": "通勤共同部分指数",
}

#: Columns holding a relative change (0.11 = +11 %): shown signed, one decimal.
CHANGE_COLUMNS = frozenset({"change_week", "change_year", "change_pct", "rank_delta"})
#: Columns holding a share between 0 and 1: shown as a percentage, one decimal.
SHARE_COLUMNS = frozenset(
    {
        "household_registered_share",
        "aged_60_share",
        "bed_ratio",
        "support",
        "confidence",
        "coverage_50",
        "coverage_95",
        "share",
        "ratio_to_capacity",
    }
)


def code_labels() -> dict[str, str]:
    """Every code → its Chinese label: :data:`CODE_LABELS_ZH`, diseases, services, channels,
    verification levels and the data layer's value labels (one table, read by pages, the Excel
    appendix and the memo)."""
    from govanalytics.data.schemas import CHANNELS_ZH, SERVICE_TYPES, VERIFICATION_LEVELS_ZH
    from govanalytics.health import DISEASES_ZH

    return {
        **CODE_LABELS_ZH,
        **DISEASES_ZH,
        **SERVICE_TYPES,
        **CHANNELS_ZH,
        **VERIFICATION_LEVELS_ZH,
    }


def label(value: Any) -> str:
    """A value as officials read it: a code's Chinese label, 是/否 for booleans, a number with
    thousands separators (see :func:`format_number`), — for a missing value; other text as is.

    Examples
    --------
    >>> label("ears_c1"), label(True), label(12345), label("all")
    ('近期基线法一', '是', '12,345', '全市')
    """
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return format_number(value)
    text = str(value)
    return code_labels().get(text, text)


def format_number(value: float | int, *, kind: str = "auto") -> str:
    """A number as officials read it, rounded by kind.

    ``kind``: ``"count"`` (whole number, thousands separators), ``"change"`` (a relative change
    0.11 → ``+11.0%``), ``"share"`` (0.546 → ``54.6%``), ``"rate"`` (one decimal) or ``"auto"``
    (integers as counts; other numbers one decimal from 10 up, two below).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if kind == "change":
        return f"{value * 100:+.1f}%"
    if kind == "share":
        return f"{value * 100:.1f}%"
    if kind == "count" or isinstance(value, int):
        return f"{round(value):,}"
    if kind == "rate" or abs(value) >= 10:
        return f"{value:,.1f}"
    return f"{value:,.2f}"


def column_label(name: str) -> str:
    """Chinese label of a column: report labels, then :data:`LABELS_ZH`, then common analysis
    columns, then codes (a pivoted method column), then the dataset schemas' labels; the name
    itself when none is known."""
    if name in REPORT_LABELS_ZH:
        return REPORT_LABELS_ZH[name]
    if name in LABELS_ZH:
        return LABELS_ZH[name]
    if name in COMMON_LABELS_ZH:
        return COMMON_LABELS_ZH[name]
    codes = code_labels()
    if name in codes:
        return codes[name]
    from govanalytics.data.schemas import SCHEMAS

    for schema in SCHEMAS.values():
        for column in schema.columns:
            if column.name == name:
                return column.label_zh
    return name


def zh_labels(columns: list[str]) -> list[str]:
    """Chinese labels of ``columns``; columns whose labels would clash keep their names."""
    labels = [column_label(c) for c in columns]
    return [lab if labels.count(lab) == 1 else c for c, lab in zip(columns, labels, strict=True)]


def zh_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with Chinese column labels (for display; tables keep English names).

    Two columns that would get the same label keep their English names.
    """
    return frame.rename(dict(zip(frame.columns, zh_labels(frame.columns), strict=True)))


def _codes_beside_names(columns: list[str]) -> set[str]:
    """Code columns not shown because the table also names the place (``community_code``
    beside ``community_name``, ``district_code`` / ``region_code`` beside ``region_name``)."""
    names = {c for c in columns if c.endswith("_name") or c in ("region_name", "area_name")}
    if not names:
        return set()
    return {c for c in columns if c.endswith("_code")}


def zh_table(
    frame: pl.DataFrame,
    *,
    percent: tuple[str, ...] = (),
    labels: dict[str, str] | None = None,
) -> pd.DataFrame:
    """A table ready to show people: Chinese headers, codes as their labels (:func:`label`),
    是/否 for booleans, relative changes as ``+11.0%`` (:data:`CHANGE_COLUMNS`), shares and
    ``percent`` columns as percentages, thousands separators, and 已抑制 for values withheld in
    rows flagged ``suppressed`` (other missing values show as —). The ``suppressed`` flag
    itself is not shown. ``labels`` overrides headers where the period must be said (a
    column of this week's counts: ``{"applications": "本周办件申请"}``). Returns a pandas
    frame of text, shown without its row index.
    """
    flagged = (
        frame["suppressed"].fill_null(False)
        if "suppressed" in frame.columns and frame.schema["suppressed"] == pl.Boolean
        else pl.Series([False] * frame.height)
    )
    codes = code_labels()
    shown = {}
    for name in frame.columns:
        if name == "suppressed":
            continue
        kind = (
            "change"
            if name in CHANGE_COLUMNS
            else "share"
            if name in SHARE_COLUMNS or name in percent
            else "auto"
        )
        values = []
        for value, hidden in zip(frame[name].to_list(), flagged.to_list(), strict=True):
            if value is None or (isinstance(value, float) and math.isnan(value)):
                values.append("已抑制" if hidden else "—")
            elif isinstance(value, bool):
                values.append("是" if value else "否")
            elif isinstance(value, int | float):
                values.append(format_number(value, kind=kind))
            elif isinstance(value, list | tuple):
                values.append("、".join(codes.get(str(v), str(v)) for v in value))
            else:
                values.append(codes.get(str(value), str(value)))
        shown[name] = values
    columns = [c for c in frame.columns if c != "suppressed"]
    columns = [c for c in columns if c not in _codes_beside_names(frame.columns)]
    shown = {c: shown[c] for c in columns}
    table = zh_columns(pl.DataFrame(shown, schema=dict.fromkeys(columns, pl.String)))
    if labels:
        table = table.rename(
            {
                label: labels[c]
                for c, label in zip(columns, table.columns, strict=True)
                if c in labels
            }
        )
    return table.to_pandas()
