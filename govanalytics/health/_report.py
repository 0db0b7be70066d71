"""Chinese alerts, findings and actions for the weekly report, from alarm and risk tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from govanalytics.constants import DEFAULT_MIN_COUNT
from govanalytics.health._series import FREQUENCIES, PERIOD_WORDS, disease_name
from govanalytics.validation import string_like


def _words(frequency: str) -> dict[str, str]:
    string_like(frequency, "frequency", options=FREQUENCIES)
    return PERIOD_WORDS[frequency]


def count_text(value: float | None, *, k: int = DEFAULT_MIN_COUNT, unit: str = "例") -> str:
    """A count of people as shown in text: ``"23例"``, or ``"少于15例"`` below ``k`` or withheld.

    Disclosure rule: a count below ``k`` (zero included) is never printed; a null (withheld by
    the publishing step) reads the same way.

    Parameters
    ----------
    value
        The count, or ``None`` when withheld.
    k
        Threshold of the small-count rule. Default 15.
    unit
        Chinese unit appended to the number. Default ``"例"``.

    Returns
    -------
    str
        E.g. ``"23例"`` or ``"少于15例"``.
    """
    if value is None or value < k:
        return f"少于{k}{unit}"
    return f"{value:.0f}{unit}"


def health_alerts(
    alarms: pl.DataFrame,
    names: dict[str, str],
    *,
    k: int = DEFAULT_MIN_COUNT,
    frequency: str = "week",
) -> list[dict]:
    """One ``health_alarm`` alert per region × disease alarming in the latest period.

    ``alarms`` should come from one method's run of :func:`flag_aberrations` (so that one
    outbreak is one alert). Severity is ``high`` when the count is 1.5 times the upper bound or
    more, else ``medium``. Disclosure rule: an observed count below ``k`` (or withheld, null)
    reads ``少于{k}例`` (:func:`count_text`); expected and threshold are model outputs and shown.

    Parameters
    ----------
    alarms
        One method's output of :func:`flag_aberrations`.
    names
        Region code to Chinese name.
    k
        Threshold of the small-count rule. Default 15.
    frequency
        ``"week"`` (messages say 本周) or ``"month"`` (本月). Default ``"week"``.

    Returns
    -------
    list of dict
        Alerts in the layout of the report contract (``kind``, ``severity``, ``place_code``,
        ``place``, ``date`` — the first day of the period —, ``message``) plus the
        ``disease`` code, ordered by region code, then disease.
    """
    this = _words(frequency)["this"]
    last: dt.date = alarms["week_start"].max()  # type: ignore[assignment]
    hits = alarms.filter((pl.col("week_start") == last) & pl.col("alarm").fill_null(False))
    out = []
    for row in hits.sort("region_code", "disease").iter_rows(named=True):
        ratio = (row["observed"] or 0) / max(row["upper_bound"] or 1.0, 1.0)
        place = names.get(row["region_code"], row["region_code"])
        out.append(
            {
                "kind": "health_alarm",
                "severity": "high" if ratio >= 1.5 else "medium",
                "place_code": row["region_code"],
                "place": place,
                "disease": row["disease"],
                "date": last.isoformat(),
                "message": (
                    f"{place}{disease_name(row['disease'])}{this}"
                    f"{count_text(row['observed'], k=k)}，"
                    f"高于预期{row['expected']:.0f}例及预警阈值{row['upper_bound']:.0f}例"
                ),
            }
        )
    return out


def health_findings(
    alerts: list[dict],
    risk: pl.DataFrame,
    age_alarms: pl.DataFrame | None,
    names: dict,
    *,
    k: int = DEFAULT_MIN_COUNT,
    frequency: str = "week",
) -> tuple[list[str], list[str]]:
    """Findings and recommended actions (Chinese), most important first.

    Pass the published risk table (:func:`publishable_risk`): where the period's count is
    withheld its incidence and 环比 are null and the finding says ``本周病例少于{k}例``
    (monthly: ``本月…``) instead of the incidence (incidence × population would give the
    count back). Without population the finding gives the count and the forecast. Age groups
    are named, never counted.

    Parameters
    ----------
    alerts
        Output of :func:`health_alerts`.
    risk
        The published risk table (:func:`publishable_risk`).
    age_alarms
        :func:`flag_aberrations` on series by age group (names the age groups alarming in an
        alerted region for the alert's disease), or ``None``.
    names
        Region code to Chinese name.
    k
        Threshold of the small-count rule. Default 15.
    frequency
        ``"week"`` (本周/下周) or ``"month"`` (本月/下月). Default ``"week"``.

    Returns
    -------
    findings, actions
        Chinese sentences, most important first; one action per place (a place alarming for
        several diseases gets its action once).
    """
    words = _words(frequency)
    findings, actions = [], []
    for a in alerts:
        text = a["message"]
        if age_alarms is not None and not age_alarms.is_empty():
            ages = (
                age_alarms.filter(
                    (pl.col("region_code") == a["place_code"])
                    & (pl.col("disease") == a["disease"] if "disease" in a else pl.lit(True))
                    & pl.col("alarm").fill_null(False)
                )["age_group"]
                .drop_nulls()
                .unique()
                .sort()
                .to_list()
            )
            if ages:
                text += f"，以{'、'.join(ages)}岁组为主"
        findings.append(text + "。")
        actions.append(
            f"{a['place']}：核实病例、开展流行病学调查，加强学校和托幼机构晨午检，"
            "必要时调配门诊力量和疫苗。"
        )
    top = risk.filter(pl.col("rank") == 1)
    for row in top.iter_rows(named=True):
        place = names.get(row["region_code"], row["region_code"])
        change = row["change_week"]
        change_txt = f"，环比{change:+.0%}" if change is not None else ""
        incidence = row["incidence_per_100k"]
        fnext = row["forecast_next"]
        small = row["count"] is None or row["count"] < k
        if small:
            now_txt = f"{words['this']}病例{count_text(None, k=k)}"
        elif incidence is not None:
            now_txt = f"{words['this']}发病率{incidence:.0f}/10万{change_txt}"
        else:
            now_txt = f"{words['this']}病例{count_text(row['count'], k=k)}{change_txt}"
        next_txt = f"，{words['next']}预测{fnext:.0f}例" if fnext is not None else ""
        findings.append(f"{disease_name(row['disease'])}风险最高的是{place}：{now_txt}{next_txt}。")
        ratio = row.get("bed_ratio")
        if ratio is not None and ratio > 0.8:
            actions.append(f"{place}：预测床位需求达床位数的{ratio:.0%}，提前准备床位。")
    if not alerts:
        findings.insert(0, f"{words['this']}各地区均未超出预警阈值。")
    return findings, list(dict.fromkeys(actions))  # one action per place


def gap_notes(
    gaps: pl.DataFrame,
    names: dict[str, str],
    *,
    frequency: str = "week",
    limit: int = 5,
) -> list[str]:
    """Chinese notes on missing periods (:func:`missing_periods`), for the report's caveats.

    One sentence with the totals — how many series, how many periods without a row and how
    many with a count not reported — and that they are kept missing (never counted as zero),
    then the ``limit`` series with most missing periods, each with its first and last gap.

    Parameters
    ----------
    gaps
        Output of :func:`missing_periods` (``region_code`` and ``disease`` among its keys).
    names
        Region code to Chinese name.
    frequency
        ``"week"`` or ``"month"``. Default ``"week"``.
    limit
        How many series to name. Default 5.

    Returns
    -------
    list of str
        Empty when nothing is missing.
    """
    if gaps.is_empty():
        return []
    words = _words(frequency)
    unit = words["unit"]
    absent, blank = int(gaps["absent"].sum()), int(gaps["not_reported"].sum())
    out = [
        f"{gaps.height}条序列有缺失：{absent}{unit}无记录、{blank}{unit}未报告病例数。"
        "缺失期按缺失处理（不计为0），不参与预警基线和预测模型，也不作预警判断。"
    ]
    worst = gaps.with_columns((pl.col("absent") + pl.col("not_reported")).alias("_n")).sort(
        ["_n", "region_code", "disease"], descending=[True, False, False]
    )
    for row in worst.head(limit).iter_rows(named=True):
        place = names.get(row["region_code"], row["region_code"])
        out.append(
            f"{place}{disease_name(row['disease'])}：缺{row['_n']}{unit}"
            f"（{row['first_missing']}至{row['last_missing']}）"
        )
    if gaps.height > limit:
        out.append(f"另有{gaps.height - limit}条序列有缺失，见 missing_periods.parquet。")
    return out


def region_names(
    codes: Sequence[str] | pl.Series, *, regions: pl.DataFrame | None = None
) -> dict[str, str]:
    """Chinese names of region codes: from the regions table, else the national gazetteer.

    A code the regions table does not name is looked up in the gazetteer
    (:func:`govanalytics.data.resolve_places`: provinces, prefecture-level cities and
    counties with GB/T 2260 codes); a code neither knows keeps the code as its name.

    Parameters
    ----------
    codes
        12-digit region codes.
    regions
        A regions table (``region_code``, ``region_name``), e.g. ``project.regions()``.

    Returns
    -------
    dict
        Code to name, one entry per code.
    """
    from govanalytics.data import resolve_places

    wanted = sorted({c for c in (codes.to_list() if isinstance(codes, pl.Series) else codes) if c})
    names: dict[str, str] = {}
    if regions is not None and not regions.is_empty():
        known = regions.filter(
            pl.col("region_code").is_in(wanted) & pl.col("region_name").is_not_null()
        )
        names.update(zip(known["region_code"], known["region_name"], strict=True))
    rest = [c for c in wanted if c not in names]
    if rest:
        found = resolve_places(rest).filter(pl.col("matched_by") == "code")
        names.update(zip(found["name"], found["region_name"], strict=True))
    return {c: names.get(c, c) for c in wanted}


def skill_text(
    scores: pl.DataFrame, *, frequency: str = "week", model: str = "ensemble"
) -> list[str]:
    """The backtest's skill per horizon in plain Chinese (相对基准误差).

    One line per horizon: the relative WIS of ``model`` against the flat reference ("沿用
    最近一期数值" — the last value carried forward with its usual spread) and, where
    scored, against the seasonal naive ("去年同期数值"), with the coverage of the 95 %
    interval; then one sentence on what the figure means.

    Parameters
    ----------
    scores
        Output of :func:`~govanalytics.health.backtest` (the ``region_code == "all"`` rows
        are used when present).
    frequency
        ``"week"`` or ``"month"``. Default ``"week"``.
    model
        The model to describe. Default ``"ensemble"``.

    Returns
    -------
    list of str
        Empty when ``model`` has no scored horizon.
    """
    words = _words(frequency)
    rows = scores.filter(pl.col("model") == model)
    if "region_code" in rows.columns:
        rows = rows.filter(pl.col("region_code") == "all")
    rows = rows.sort("horizon")
    out = []
    for r in rows.iter_rows(named=True):
        flat = r.get("relative_wis_flat")
        if flat is None or flat != flat:  # NaN
            continue
        text = f"提前{r['horizon']}{words['unit']}：相对基准误差 {flat:.2f}"
        seasonal = r.get("relative_wis_seasonal_naive")
        if seasonal is not None and seasonal == seasonal:
            text += f"（对去年同期 {seasonal:.2f}）"
        if r.get("coverage_95") is not None:
            text += f"，95%区间覆盖实际值 {r['coverage_95']:.0%}"
        out.append(text + "。")
    if out:
        out.append(
            "相对基准误差是本预测的加权区间误差与“沿用最近一期数值”的基准预测之比"
            "（各序列之比的几何平均）：小于1表示比基准准确，0.6即误差比基准小约四成。"
        )
    return out
