"""Chinese labels of table columns, for what people read (pages, the Excel appendix)."""

from __future__ import annotations

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
    "applications": "本周办件申请",
    "comments": "本周群众留言",
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
    "wis": "加权区间得分（WIS）",
    "relative_wis": "相对WIS",
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


def column_label(name: str) -> str:
    """Chinese label of a column: report labels, then :data:`LABELS_ZH`, then common analysis
    columns, then the dataset schemas' labels; the name itself when none is known."""
    if name in REPORT_LABELS_ZH:
        return REPORT_LABELS_ZH[name]
    if name in LABELS_ZH:
        return LABELS_ZH[name]
    if name in COMMON_LABELS_ZH:
        return COMMON_LABELS_ZH[name]
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


def zh_table(frame: pl.DataFrame, *, percent: tuple[str, ...] = ()) -> pd.DataFrame:
    """A table ready to show people: Chinese headers, 是/否 for booleans, ``percent`` columns
    (shares 0–1) as percentages, thousands separators, and 已抑制 for values withheld in rows
    flagged ``suppressed`` (other missing values show as —). Returns a pandas frame of text
    without the row index shown by default.
    """
    flagged = (
        frame["suppressed"].fill_null(False)
        if "suppressed" in frame.columns and frame.schema["suppressed"] == pl.Boolean
        else pl.Series([False] * frame.height)
    )
    shown = {}
    for name in frame.columns:
        values = []
        for value, hidden in zip(frame[name].to_list(), flagged.to_list(), strict=True):
            if value is None:
                values.append("已抑制" if hidden and name != "suppressed" else "—")
            elif isinstance(value, bool):
                values.append("是" if value else "否")
            elif name in percent and isinstance(value, int | float):
                values.append(f"{value * 100:.1f}%")
            elif isinstance(value, int):
                values.append(f"{value:,}")
            elif isinstance(value, float):
                values.append(f"{value:,.2f}")
            else:
                values.append(str(value))
        shown[name] = values
    table = pl.DataFrame(shown, schema=dict.fromkeys(frame.columns, pl.String))
    return zh_columns(table).to_pandas()
