"""The flows page of the weekly report from an OD product alone (counts, shares or indices)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from govanalytics.constants import DEFAULT_MIN_COUNT
from govanalytics.errors import InsufficientDataError
from govanalytics.mobility._flows import od_by_period, top_corridors
from govanalytics.mobility._products import ODProduct
from govanalytics.mobility._publish import publish_flows
from govanalytics.mobility._volumes import (
    flow_balance,
    flow_change_alerts,
    flow_changes,
    flows_from_shares,
    relative_volumes,
)

__all__ = ["FlowPage", "flow_page"]


@dataclass
class FlowPage:
    """What the flows page shows and publishes for one week.

    Attributes
    ----------
    unit
        What the volumes are: 人次 (counts of trips), or 规模指数 (relative or index units
        from shares or an index; never a number of trips).
    corridors
        ``rank``, ``origin``, ``destination``, ``volume``, ``partial``: the week's largest
        two-way corridors by volume (not by share).
    balance
        ``area``, ``date``, ``inflow``, ``outflow``, ``net``, ``ratio`` for the week's days
        (counts below k withheld for count products).
    flows
        The week's flows as published: ``origin``, ``destination``, ``period``, ``count``,
        ``suppressed`` for counts; ``origin``, ``destination``, ``period``, ``volume`` for
        shares and indices.
    alerts, findings, notes
        For ``summary.json``.
    fit
        Per day fit of the relative volumes (share products), else None.
    """

    week: str
    unit: str
    corridors: pl.DataFrame
    balance: pl.DataFrame
    flows: pl.DataFrame
    totals: pl.DataFrame | None = None
    alerts: list[dict] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fit: pl.DataFrame | None = None


def _week_days(week: str) -> tuple[dt.date, dt.date]:
    year, number = int(week[:4]), int(week[6:8])
    monday = dt.date.fromisocalendar(year, number, 1)
    return monday, monday + dt.timedelta(days=6)


def _daily_volumes(product: ODProduct) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame | None]:
    """Trips per pair and day (``volume``) and in/out per area and day, in the product's units."""
    flows = product.flows
    fit = None
    if product.value_type == "share":
        volumes, fit = relative_volumes(flows, volume_index=product.volume_index)
        trips = flows_from_shares(flows, volumes)
    else:
        trips = flows.group_by("origin", "destination", "date").agg(
            pl.col("value").mean().alias("volume")
        )
        out = trips.group_by(pl.col("origin").alias("region_code"), "date").agg(
            pl.col("volume").sum().alias("outflow")
        )
        inn = trips.group_by(pl.col("destination").alias("region_code"), "date").agg(
            pl.col("volume").sum().alias("inflow")
        )
        volumes = out.join(inn, on=["region_code", "date"], how="full", coalesce=True).fill_null(
            0.0
        )
    return trips, volumes, fit


def flow_page(
    product: ODProduct,
    *,
    week: str,
    k: int = DEFAULT_MIN_COUNT,
    n: int = 10,
) -> FlowPage:
    """Corridors, in/out balance per area and day, and change alerts for one ISO week.

    Counts of trips are published under the small-count rule (:func:`publish_flows`: no
    count below ``k``); shares and indices are not counts of people and are published as
    volumes in relative (or index) units, labelled 规模指数, never as numbers of trips.
    Alerts compare each day's outflow and inflow with the same weekday of the four
    previous weeks and, where the data reach back a year, with the same lunar-calendar days
    of the previous year (:func:`flow_change_alerts`).

    Parameters
    ----------
    product
        :func:`load_od_product`.
    week
        ``YYYY-Www``.
    k
        Small-count threshold for count products.
    n
        Corridors shown.

    Returns
    -------
    FlowPage
    """
    start, end = _week_days(week)
    names = product.names
    trips, volumes, fit = _daily_volumes(product)
    in_week = pl.col("date").is_between(start, end)
    counts = product.value_type == "count"
    unit = "人次" if counts else "规模指数"
    notes = []
    if product.other_levels.height:
        notes.append(
            f"数据中另有{product.other_levels.height}个省级或全国层级的数值，单独保留，未与城市相加。"
        )
    weekly = (
        trips.filter(in_week)
        .group_by("origin", "destination")
        .agg(pl.col("volume").sum())
        .with_columns(period=pl.lit(week))
    )
    totals = None
    if counts:
        od = trips.filter(in_week).select(
            "origin", "destination", "date", pl.col("volume").round(0).cast(pl.Int64).alias("count")
        )
        published, totals = publish_flows(od_by_period(od, period="week"), k=k)
        corridors = top_corridors(published, n=n).rename({"count": "volume"})
        balance = _count_balance(volumes.filter(in_week), k)
        flows = published
    else:
        corridors = top_corridors(weekly.rename({"volume": "count"}), n=n).rename(
            {"count": "volume"}
        )
        balance = flow_balance(volumes.filter(in_week))
        flows = weekly.select("origin", "destination", "period", "volume").sort(
            "origin", "destination"
        )
        notes.append(
            "数值为相对规模（由迁入、迁出占比的一致性推算，单位为规模指数），不是人数或人次；"
            "占比数据不适用小数抑制规则。"
        )
    corridors = corridors.select("rank", "origin", "destination", "volume", "partial")
    alerts = []
    for column, what in (("outflow", "迁出规模"), ("inflow", "迁入规模")):
        try:
            changes = flow_changes(volumes, column=column)
        except InsufficientDataError:
            continue
        alerts += flow_change_alerts(changes, start=start, end=end, what=what, names=names)
    if counts:
        for a in alerts:
            a["message"] = a["message"].replace("（规模指数，非人数）", "")
    findings = _findings(week, corridors, alerts, names, unit)
    if fit is not None and fit.height:
        r2 = float(fit["r2"].median())  # type: ignore[arg-type]
        pairs = int(fit["n_pairs"].median())  # type: ignore[arg-type]
        notes.append(
            f"迁入与迁出占比的一致性拟合：每日中位 R² = {r2:.3f}"
            f"（{fit.height}天，每日中位 {pairs} 个城市对）。"
        )
    if volumes.filter(in_week).is_empty():
        notes.append(f"出行数据不含{week}，本周流动分析从略。")
    return FlowPage(
        week=week,
        unit=unit,
        corridors=corridors,
        balance=balance,
        flows=flows,
        totals=totals,
        alerts=alerts,
        findings=findings,
        notes=notes,
        fit=fit,
    )


def _count_balance(volumes: pl.DataFrame, k: int) -> pl.DataFrame:
    """In/out of people per area and day, counts below k withheld (and net with them)."""
    out = flow_balance(volumes).with_columns(pl.col("inflow", "outflow").round(0).cast(pl.Int64))
    small = (pl.col("inflow") < k) | (pl.col("outflow") < k)
    return out.with_columns(
        inflow=pl.when(pl.col("inflow") < k).then(None).otherwise("inflow"),
        outflow=pl.when(pl.col("outflow") < k).then(None).otherwise("outflow"),
        net=pl.when(small).then(None).otherwise(pl.col("net").round(0).cast(pl.Int64)),
        ratio=pl.when(small).then(None).otherwise("ratio"),
    )


def _findings(
    week: str, corridors: pl.DataFrame, alerts: list[dict], names: dict[str, str], unit: str
) -> list[str]:
    out = []
    high = [a for a in alerts if a["severity"] == "high"]
    if high:
        out.append(
            f"{week}共{len(high)}个地区迁入或迁出规模骤变："
            + "；".join(a["message"] for a in high[:3])
        )
    if corridors.height:
        c = corridors.row(0, named=True)
        size = f"约{c['volume']:,.0f}人次" if unit == "人次" else f"相对规模{c['volume']:.2f}"
        out.append(
            f"{week}最大流动走廊为{names.get(c['origin'], c['origin'])}—"
            f"{names.get(c['destination'], c['destination'])}（双向合计，{size}）。"
        )
    return out
