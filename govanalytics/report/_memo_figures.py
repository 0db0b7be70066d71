"""The memo's two figures, drawn for its top alert from the published tables.

The chapters' own images are about their first disease or service, which need not be the
one that alarmed; the memo draws its chart (and, for a health alarm, its map) for the alert it
reports first, at the size it is printed (so 8-pt text prints at 8 pt). Where the tables or
boundaries are missing the chapters' images stay in place.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    from govanalytics.report._memo import Memo

__all__ = ["draw_memo_figures"]

CHART_FILE = "memo_chart.png"
MAP_FILE = "memo_map.png"


def _boundaries(manifest: dict[str, Any], codes: list[str]):
    """Boundaries of the regions ``codes`` from the report's data folder, or None."""
    from govanalytics.data import open_project
    from govanalytics.errors import GovAnalyticsError

    data_dir = manifest.get("data_dir")
    if not data_dir or not Path(data_dir).is_dir():
        return None
    try:
        project = open_project(data_dir)
        if not project.has("boundaries"):
            return None
        gdf = project.load_boundaries()
    except (GovAnalyticsError, OSError, ValueError):
        return None
    gdf = gdf[gdf["region_code"].astype(str).isin(codes)]
    return None if gdf.empty else gdf


def _health(report_dir: Path, memo: Memo, alert: dict, manifest: dict, number: int) -> None:
    from govanalytics.geo import static_map
    from govanalytics.health import alarm_chart, disease_name
    from govanalytics.report._memo import FIGURE_SIZE

    folder = report_dir / alert.get("notebook", "health_risk")
    disease, code = str(alert.get("disease", "")), str(alert.get("place_code", ""))
    alarms_file = folder / "alarms.parquet"
    if not disease or not alarms_file.is_file():
        return
    alarms = pl.read_parquet(alarms_file)
    if alarms.filter((pl.col("region_code") == code) & (pl.col("disease") == disease)).is_empty():
        return
    fc_file = folder / "forecasts.parquet"
    forecasts = pl.read_parquet(fc_file) if fc_file.is_file() else None
    monthly = _is_monthly(alarms)
    name = disease_name(disease)
    fig = alarm_chart(
        alarms,
        forecasts,
        region_code=code,
        disease=disease,
        frequency="month" if monthly else "week",
        periods=24 if monthly else 26,
        figsize=FIGURE_SIZE,
    )
    fig.savefig(report_dir / CHART_FILE, dpi=200, facecolor="white")
    memo.chart_figure = CHART_FILE
    risk_file = folder / "risk.parquet"
    gdf = None
    if risk_file.is_file():
        risk = pl.read_parquet(risk_file).filter(pl.col("disease") == disease)
        value = "forecast_incidence_per_100k"
        if value in risk.columns and not risk[value].is_null().all():
            gdf = _boundaries(manifest, risk["region_code"].to_list())
    if gdf is not None:
        merged = gdf.merge(
            risk.select("region_code", value).to_pandas(), on="region_code", how="left"
        )
        static_map(
            merged,
            value,
            report_dir / MAP_FILE,
            legend=f"{'下月' if monthly else '下周'}预测发病率\n（每10万人）",
            fmt="{:,.1f}",
            highlight=[code],
            figsize=FIGURE_SIZE,
        )
        memo.map_figure = MAP_FILE
        memo.map_caption = f"图{number}　{name}{'下月' if monthly else '下周'}预测发病率"
        number += 1
    else:
        memo.map_figure, memo.map_caption = None, ""
    memo.chart_caption = f"图{number}　{alert.get('place')}{name}：实际病例、预警阈值与预测区间"


def _is_monthly(alarms: pl.DataFrame) -> bool:
    days = alarms["week_start"].unique().sort().diff().dt.total_days().drop_nulls().to_list()
    return bool(days) and sorted(days)[len(days) // 2] > 20


def _alert_map(report_dir: Path, memo: Memo, alerts: list[dict], manifest: dict) -> bool:
    """Districts coloured by their number of alerts, the alert places outlined and named."""
    from govanalytics.geo import static_map
    from govanalytics.report._memo import FIGURE_SIZE

    codes = sorted({str(a.get("place_code")) for a in alerts})
    data_dir = manifest.get("data_dir")
    if not data_dir or not codes:
        return False
    from govanalytics.data import open_project
    from govanalytics.errors import GovAnalyticsError

    try:
        project = open_project(data_dir)
        if not project.has("boundaries"):
            return False
        gdf = project.load_boundaries()
    except (GovAnalyticsError, OSError, ValueError):
        return False
    if "level" in gdf.columns:
        gdf = gdf[gdf["level"] == "district"]
    if gdf.empty or not set(codes) & set(gdf["region_code"].astype(str)):
        return False
    counts = pl.DataFrame({"region_code": [str(a.get("place_code")) for a in alerts]})
    per = counts.group_by("region_code").len("alerts").to_pandas()
    merged = gdf.merge(per, on="region_code", how="left")
    merged["alerts"] = merged["alerts"].fillna(0)
    static_map(
        merged,
        "alerts",
        report_dir / MAP_FILE,
        legend="预警数（条）",
        colormap="OrRd",
        highlight=codes,
        figsize=FIGURE_SIZE,
    )
    memo.map_figure = MAP_FILE
    memo.map_caption = "图1　本周预警地区分布"
    return True


def _hot_issue(report_dir: Path, memo: Memo, alert: dict, number: int) -> bool:
    """The issue's leading word per day with its burst shaded, from the published tables."""
    from govanalytics.hotwords import burst_chart
    from govanalytics.report._memo import FIGURE_SIZE
    from govanalytics.report._memo_text import _issue_words

    folder = report_dir / alert.get("notebook", "hot_words")
    words = _issue_words(alert)
    if not words or not (folder / "hot_words.parquet").is_file():
        return False
    counts = pl.read_parquet(folder / "hot_words.parquet")
    bursts_file = folder / "bursts.parquet"
    bursts = pl.read_parquet(bursts_file) if bursts_file.is_file() else counts.head(0)
    code = str(alert.get("place_code", ""))
    scopes = set(counts["scope"].to_list()) if "scope" in counts.columns else set()
    scope = code if code in scopes else "all"
    one = counts.filter((pl.col("word") == words[0]) & (pl.col("scope") == scope))
    if one["count"].drop_nulls().len() < 5 or {"start", "end", "word"} - set(bursts.columns):
        return False  # the published hot list holds too few days of the word to draw
    fig = burst_chart(one, bursts, word=words[0], scope=scope, figsize=FIGURE_SIZE)
    fig.savefig(report_dir / CHART_FILE, dpi=200, facecolor="white")
    memo.chart_figure = CHART_FILE
    where = alert.get("place") if scope != "all" else "全市"
    memo.chart_caption = f"图{number}　{where}“{words[0]}”留言人数与突发时段"
    return True


def draw_memo_figures(
    report_dir: Path, memo: Memo, summaries: dict[str, dict[str, Any]], manifest: dict[str, Any]
) -> list[str]:
    """Draw the memo's map and chart for its top alert into ``report_dir``.

    A health alarm gets its own series (observed, threshold, forecast bands) and the risk map
    of its disease; other alerts get a map of the alert places, and keep their chapter's chart.

    Returns
    -------
    list of str
        The image files written (names in ``report_dir``).
    """
    alert = memo.top_alert
    if alert is None:
        return []
    number = 1
    reported = [a for it in memo.items for a in it.alerts]
    if alert.get("kind") == "health_alarm":
        _health(report_dir, memo, alert, manifest, number)
        return [f for f in (MAP_FILE, CHART_FILE) if (report_dir / f).is_file()]
    mapped = _alert_map(report_dir, memo, reported, manifest)
    number = 2 if mapped else 1
    if alert.get("kind") == "hot_issue" and _hot_issue(report_dir, memo, alert, number):
        pass
    elif memo.chart_figure:
        title = summaries.get(str(memo.chart_figure).split("/")[0], {}).get("title", "")
        memo.chart_caption = f"图{number}　{title}"
    return [f for f in (MAP_FILE, CHART_FILE) if (report_dir / f).is_file()]
