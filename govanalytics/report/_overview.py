"""Key figures of the city for the overview notebook (城市概况)."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from govanalytics.constants import DEFAULT_MIN_COUNT
from govanalytics.errors import ParameterError
from govanalytics.privacy import count_text, secondary_suppress, suppress_small_counts
from govanalytics.report._headlines import Headline, weekly_event_count
from govanalytics.report.contract import week_bounds

#: A community is "ageing" when more than this share of its registered people are 60 or older
#: (the UN's ageing-society threshold is 10 % aged 60+; 30 % marks a deeply aged community).
AGEING_SHARE = 0.30


@dataclass
class CityOverview:
    """Result of :func:`city_overview`."""

    districts: pl.DataFrame
    communities: pl.DataFrame
    headlines: list[dict[str, Any]]
    findings: list[str]
    notes: list[str] = field(default_factory=list)


def _weekly_counts(
    events: pl.DataFrame, time_col: str, week: str, district_of: pl.DataFrame
) -> pl.DataFrame:
    """Events per district in ``week``, the week before and the same ISO week a year earlier."""
    monday, _ = week_bounds(week)
    year, num = int(week[:4]), int(week[6:])
    windows = {"current": monday, "previous": monday - dt.timedelta(days=7)}
    with contextlib.suppress(ValueError):  # week 53 has no twin a year earlier
        windows["year_ago"] = dt.date.fromisocalendar(year - 1, num, 1)
    frame = events.with_columns(pl.col(time_col).cast(pl.Date).alias("_day"))
    needs_lookup = "district_code" not in frame.columns or frame["district_code"].null_count()
    if needs_lookup and "community_code" in frame.columns:
        looked_up = frame.join(
            district_of.rename({"district_code": "_district"}),
            on="community_code",
            how="left",
        )
        base = (
            pl.col("district_code") if "district_code" in frame.columns else pl.lit(None, pl.String)
        )
        frame = looked_up.with_columns(
            pl.coalesce(base, pl.col("_district")).alias("district_code")
        ).drop("_district")
    out = []
    for label, start in windows.items():
        counted = (
            frame.filter(pl.col("_day").is_between(start, start + dt.timedelta(days=6)))
            .group_by("district_code")
            .agg(pl.len().cast(pl.Int64).alias(label))
        )
        out.append(counted)
    result = out[0]
    for other in out[1:]:
        result = result.join(other, on="district_code", how="full", coalesce=True)
    return result


def city_overview(
    *,
    register: pl.DataFrame,
    regions: pl.DataFrame,
    week: str,
    applications: pl.DataFrame | None = None,
    comments: pl.DataFrame | None = None,
    k: int = DEFAULT_MIN_COUNT,
) -> CityOverview:
    """Key figures of the city per district for report week ``week``.

    Parameters
    ----------
    register
        ``population_register`` (canonical columns).
    regions
        ``regions`` (district, street and community rows).
    week
        Report week ``YYYY-Www``; ages are taken on its Sunday.
    applications, comments
        Optional event tables; when given, their counts in the week, the week before (环比) and
        the same ISO week a year earlier (同比) are added.
    k
        Disclosure rule (the shared one, :func:`govanalytics.privacy.suppress_small_counts`):
        a district's weekly event count below ``k`` is withheld (null, ``suppressed`` true),
        and :func:`~govanalytics.privacy.secondary_suppress` withholds a second count wherever
        one alone could be recovered from the published city total.

    Returns
    -------
    CityOverview
        ``districts`` (district_code, region_name, people, household_registered_share,
        aged_60_share, ageing_communities, applications, comments, suppressed),
        ``communities`` (community_code, district_code, people, aged_60_share, ageing),
        Chinese headlines and findings.

    Notes
    -----
    Ageing: share of registered people aged 60 or over on the week's Sunday above
    :data:`AGEING_SHARE` (国家统计局 uses 60+ for 老年人口; GB/T 老龄化 thresholds 10 %/20 %).
    """
    if k < 1:
        msg = f"parameter 'k' must be at least 1, got {k}"
        raise ParameterError(msg)
    _, sunday = week_bounds(week)
    communities = regions.filter(pl.col("level") == "community").select(
        pl.col("region_code").alias("community_code"), "district_code"
    )
    districts = regions.filter(pl.col("level") == "district").select(
        pl.col("region_code").alias("district_code"), "region_name"
    )
    try:
        cutoff = sunday.replace(year=sunday.year - 60)
    except ValueError:  # 29 February
        cutoff = sunday.replace(year=sunday.year - 60, day=28)
    aged = pl.col("birth_date") <= pl.lit(cutoff)
    people = register.join(communities, on="community_code", how="left")
    per_community = (
        people.group_by("community_code", "district_code")
        .agg(
            pl.len().cast(pl.Int64).alias("people"),
            aged.mean().alias("aged_60_share"),
        )
        .with_columns((pl.col("aged_60_share") > AGEING_SHARE).alias("ageing"))
        .sort("community_code")
    )
    table = (
        districts.join(
            people.group_by("district_code").agg(
                pl.len().cast(pl.Int64).alias("people"),
                pl.col("household_registered").mean().alias("household_registered_share"),
                aged.mean().alias("aged_60_share"),
            ),
            on="district_code",
            how="left",
        )
        .join(
            per_community.group_by("district_code").agg(
                pl.col("ageing").sum().cast(pl.Int64).alias("ageing_communities")
            ),
            on="district_code",
            how="left",
        )
        .sort("district_code")
    )
    total = register.height
    registered_share = register.select(
        pl.col("household_registered").cast(pl.Float64).mean()
    ).item()
    on_day = f"截至{sunday.month}月{sunday.day}日"
    headlines: list[dict[str, Any]] = [
        Headline("people", "登记人口", total, "人", period=on_day).as_dict(),
        Headline(
            "household_registered_share",
            "户籍人口占比",
            round((registered_share or 0.0) * 100, 1),
            "%",
            period=on_day,
            kind="share",
        ).as_dict(),
        Headline(
            "ageing_communities",
            "老龄化社区（60岁以上超30%）",
            int(per_community["ageing"].sum()),
            "个",
            period=on_day,
        ).as_dict(),
    ]
    names = dict(districts.iter_rows())
    notes_events: list[str] = []
    findings = [
        f"全市人口登记库共 {count_text(total, k=k, unit='人')}，户籍人口占 {headlines[1]['value']}%，"
        f"分布在 {districts.height} 个区县、{communities.height} 个社区。"
    ]
    n_ageing = headlines[2]["value"]
    if n_ageing:
        top = table.sort("ageing_communities", descending=True).row(0, named=True)
        findings.append(
            f"60岁以上人口占比超过30%的老龄化社区共 {n_ageing} 个，"
            f"其中 {names[top['district_code']]} 最多（{top['ageing_communities']} 个）。"
        )
    for label, frame, time_col, key, unit in (
        ("办件申请", applications, "submitted_at", "applications", "件"),
        ("群众留言", comments, "created_at", "comments", "条"),
    ):
        if frame is None:
            table = table.with_columns(pl.lit(None, pl.Int64).alias(key))
            continue
        counts = _weekly_counts(frame, time_col, week, communities)
        table = table.join(
            counts.select("district_code", pl.col("current").alias(key)),
            on="district_code",
            how="left",
        ).with_columns(pl.col(key).fill_null(0))
        table = secondary_suppress(
            suppress_small_counts(table, key, k=k), key, groups=[[]]
        )  # the city total is published too
        figure = weekly_event_count(frame, time_col, week, key=key, label=label, unit=unit)
        headlines.append(figure.as_dict())
        current, prev = int(figure.value or 0), figure.previous or 0
        change = f"，比上周{'增加' if current >= prev else '减少'}" + (
            f" {abs(current - prev) / prev * 100:.1f}%" if prev else ""
        )
        findings.append(f"本周{label} {count_text(current, k=k, unit=unit)}{change}。")
        placed = counts.filter(pl.col("district_code").is_in(districts["district_code"].implode()))
        unplaced_events = current - int(placed["current"].sum() or 0)
        if unplaced_events > 0:  # in the city total, in no district row: said, not dropped
            said = f"{unplaced_events:,}" if unplaced_events >= k else f"少于{k}"
            notes_events.append(
                f"本周{label}中 {said} {unit}未能对应到区县，计入全市合计，未计入各区县数。"
            )
    if "suppressed" not in table.columns:
        table = table.with_columns(pl.lit(False).alias("suppressed"))
    table = table.with_columns(
        pl.col("household_registered_share").round(4), pl.col("aged_60_share").round(4)
    )
    per_community = per_community.with_columns(pl.col("aged_60_share").round(4))
    notes = list(notes_events)
    unplaced = register.join(communities, on="community_code", how="anti").height
    if unplaced:  # not dropped silently: they count in the city total but in no district
        said = f"{unplaced:,}" if unplaced >= k else f"少于{k}"  # a count of people: rule k
        notes.append(
            f"人口登记库中 {said} 人的社区代码（community_code）不在区划表中，"
            "计入全市总数，未计入区县分布。"
        )
    return CityOverview(
        districts=table,
        communities=per_community,
        headlines=headlines,
        findings=findings,
        notes=notes,
    )


def overview_long(districts: pl.DataFrame) -> pl.DataFrame:
    """Registered people per district split into 户籍 / 非户籍, long form for a bar chart.

    Returns columns ``区县``, ``类别``, ``人数`` (labels shown in the chart).
    """
    registered = (pl.col("people") * pl.col("household_registered_share")).round(0)
    wide = districts.select(
        pl.col("region_name").alias("区县"),
        registered.cast(pl.Int64).alias("户籍"),
        (pl.col("people") - registered).cast(pl.Int64).alias("非户籍"),
    )
    return wide.unpivot(index="区县", variable_name="类别", value_name="人数")
