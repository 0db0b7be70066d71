"""The weekly index page (城市运行周报), composed only from the summaries and the manifest."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path
from typing import Any

from govanalytics.privacy import csp_meta
from govanalytics.report.contract import week_bounds

KIND_ZH = {
    "health_alarm": "健康预警",
    "hot_issue": "热点诉求",
    "service_surge": "办件激增",
    "population_change": "人口变动",
    "data_quality": "数据质量",
}
SEVERITY_ZH = {"high": "高", "medium": "中", "low": "低"}
_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}

#: Where on its chapter page each kind of alert is explained (the ``id`` of that section,
#: written by the notebook with :func:`govanalytics.report._display.heading`).
KIND_ANCHOR = {
    "health_alarm": "alarms",
    "hot_issue": "issues",
    "service_surge": "surges",
    "population_change": "population",
    "data_quality": "",
}

#: Captions of the static figures the chapters write (what the figure shows, not the chapter).
FIGURE_CAPTIONS_ZH = {
    "risk_map.png": "下周预测发病率（每10万人），按区县",
    "forecast_bands.png": "实际病例、未来几周预测区间与预警阈值",
    "district_population_map.png": "各区县登记人口",
    "district_population.png": "各区县户籍与非户籍人口",
    "day_night_change.png": "工作日白天相对常住人口的增减",
    "surge_chart.png": "激增事项累计申请与容量及按当前速度的预计",
    "alarm_chart.png": "预警病种：实际病例、预期、预警阈值与预测区间",
    "burst_chart.png": "热点议题：每日留言人数与突发时段",
}

#: Headlines whose label or number is written for analysts: plain wording on the index.
_PLAIN_HEADLINES = {"relative_wis": "预测误差（与简单外推相比）"}

_CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","WenQuanYi Zen Hei","Microsoft YaHei",
"PingFang SC",sans-serif;margin:0 auto;max-width:1100px;padding:1em 1.5em;color:#222}
h1{font-size:26px;border-bottom:3px solid #b71c1c;padding-bottom:.3em}
h2{font-size:20px;margin-top:1.6em;color:#b71c1c}
table{border-collapse:collapse;width:100%;font-size:14px;margin:.5em 0}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f5}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.period{color:#555;white-space:nowrap}
.up{color:#c62828}.down{color:#2e7d32}.sev-high{color:#fff;background:#c62828}
.sev-medium{background:#ffb300}.sev-low{background:#e0e0e0}
.failed{color:#c62828;font-weight:bold}
.skipped{color:#8d6e00}
.ga-nav{font-size:14px;margin:.2em 0 .6em}.ga-nav a{margin-right:1.2em}
.figs{display:flex;flex-wrap:wrap;gap:12px}.figs figure{margin:0;width:48%}
.figs img{max-width:100%;border:1px solid #ddd}
.map{width:100%;height:460px;border:1px solid #ddd}
@page{size:A4;margin:15mm 12mm}
@media print{
 body{max-width:none;padding:0;font-size:10.5pt}
 .ga-nav{display:none}
 tr,figure,img{break-inside:avoid;page-break-inside:avoid}
 h2{break-after:avoid;page-break-after:avoid}
 .map{display:none}
 .figs figure{width:48%}
}
"""


def change_text(value: Any, reference: Any) -> tuple[str, str]:
    """Change from ``reference`` to ``value`` as text and a CSS class (``""`` when unknown):
    ``↑8.3%``, ``↓8.4%``, 持平, or the difference when the reference is zero."""
    if not isinstance(value, int | float) or not isinstance(reference, int | float):
        return "—", ""
    if isinstance(value, bool) or isinstance(reference, bool):
        return "—", ""
    diff = value - reference
    if diff == 0:
        return "持平", ""
    arrow, css = ("↑", "up") if diff > 0 else ("↓", "down")
    if reference == 0:
        return f"{arrow}{_fmt(abs(diff))}", css
    return f"{arrow}{abs(diff) / abs(reference) * 100:.1f}%", css


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) >= 10:  # a count carried as float (3522.0)
            return f"{value:,.0f}"
        return f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}"
    return "—" if value is None else str(value)


def _day(value: Any) -> str:
    """``2026-11-16`` as 11月16日 (other text unchanged)."""
    text = str(value or "")
    try:
        day = dt.date.fromisoformat(text[:10])
    except ValueError:
        return text
    return f"{day.month}月{day.day}日"


def read_summaries(report_dir: Path, names: list[str]) -> dict[str, dict[str, Any]]:
    """The ``summary.json`` of each named notebook that wrote one."""
    out = {}
    for name in names:
        path = report_dir / name / "summary.json"
        if path.is_file():
            out[name] = json.loads(path.read_text(encoding="utf-8"))
    return out


def all_alerts(summaries: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every alert of every summary with its section, most severe and latest first."""
    rows = []
    for name, s in summaries.items():
        for a in s.get("alerts", []):
            rows.append({**a, "section": s.get("title", name), "notebook": name})
    rows.sort(key=lambda a: str(a.get("date")), reverse=True)
    rows.sort(key=lambda a: _SEVERITY_ORDER.get(str(a.get("severity")), 9))
    return rows


def index_headlines(summaries: dict[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """``(notebook, headline)`` in chapter order, each headline ``key`` once: the same key in
    two chapters is one figure (:mod:`govanalytics.report._headlines`), shown where it is
    first given."""
    seen: set[str] = set()
    out = []
    for name, s in summaries.items():
        for h in s.get("headlines", []):
            if h.get("key") in seen:
                continue
            seen.add(h.get("key"))
            out.append((name, h))
    return out


def _headline_row(name: str, title: str, h: dict[str, Any]) -> str:
    from govanalytics.report._headlines import headline_period

    esc = html.escape
    period, previous_label = headline_period(h)
    unit = h.get("unit") or ""
    label = _PLAIN_HEADLINES.get(str(h.get("key")), str(h["label"]))
    value = h.get("value")
    if h.get("key") == "relative_wis" and isinstance(value, int | float):
        shown, unit = f"{(value - 1) * 100:+.0f}%", ""
    else:
        shown = "—（不足公布下限）" if value is None else _fmt(value)
    wow, wcss = change_text(value, h.get("previous"))
    yoy, ycss = change_text(value, h.get("year_ago"))
    previous = h.get("previous")
    prev_text = "—" if previous is None else f"{_fmt(previous)}（{previous_label}）"
    return (
        f"<tr><td><a href='{esc(name)}/{esc(name)}.html'>{esc(title)}</a></td>"
        f"<td>{esc(label)}</td><td class='period'>{esc(period)}</td>"
        f"<td class='num'>{esc(shown)}{esc(unit)}</td>"
        f"<td class='num'>{esc(prev_text)}</td>"
        f"<td class='num {wcss}'>{esc(wow)}</td>"
        f"<td class='num'>{esc(_fmt(h.get('year_ago')))}</td>"
        f"<td class='num {ycss}'>{esc(yoy)}</td></tr>"
    )


def alert_link(alert: dict[str, Any]) -> str:
    """Relative link from the index to the section of the chapter page that explains
    ``alert`` (``health_risk/health_risk.html#alarms``)."""
    name = alert["notebook"]
    anchor = KIND_ANCHOR.get(str(alert.get("kind")), "")
    return f"{name}/{name}.html" + (f"#{anchor}" if anchor else "")


def index_html(
    manifest: dict[str, Any],
    summaries: dict[str, dict[str, Any]],
    *,
    footer: str,
    nav: str = "",
) -> str:
    """The weekly index page, for officials (no file names, codes or hashes).

    Parameters
    ----------
    manifest
        The run's manifest (week, notebooks with status, artifacts).
    summaries
        Notebook name → its ``summary.json``.
    footer
        Footer HTML (:func:`govanalytics.report._html.footer_html`).
    nav
        Navigation bar HTML (previous / next week, archive).
    """
    esc = html.escape
    week = manifest["week"]
    monday, sunday = week_bounds(week)
    parts = [
        f"<!DOCTYPE html><html lang='zh-CN'><head>{csp_meta()}<meta charset='utf-8'>",
        f"<title>城市运行周报 {esc(week)}</title><style>{_CSS}</style></head><body>",
        nav,
        f"<h1>城市运行周报　{week[:4]}年第{int(week[6:])}周</h1>",
        f"<p>统计周期：{monday:%Y年%m月%d日} — {sunday:%Y年%m月%d日}</p>",
    ]
    titles = {n: s.get("title", n) for n, s in summaries.items()}
    failed = [n for n in manifest["notebooks"] if n["status"] != "ok"]
    if failed:
        names = "、".join(titles.get(n["name"], n["name"]) for n in failed)
        parts.append(f"<p class='failed'>本次运行未完成：{esc(names)} 未能生成，详见技术附录。</p>")
    skipped = manifest.get("skipped", [])
    if skipped:
        parts.append(
            "<p class='skipped'>本期未生成的章节（数据不足）："
            + "；".join(f"{esc(s['title'])}（{esc(s['reason'])}）" for s in skipped)
            + "。</p>"
        )
    extras = [
        ("memo.pdf", "政策简报（PDF）"),
        ("memo.docx", "政策简报（可编辑 Word）"),
        ("tables.xlsx", "数据附表（Excel）"),
    ]
    links = [f"<a href='{f}'>{t}</a>" for f, t in extras if f in manifest.get("artifacts", [])]
    parts.append("<p>" + "　|　".join(links) + "</p>")

    parts.append("<h2 id='headlines'>一、核心指标</h2><table><tr><th>板块</th><th>指标</th>")
    parts.append("<th>统计期</th><th>数值</th><th>上期</th><th>变化</th><th>去年同期</th>")
    parts.append("<th>同比</th></tr>")
    for name, h in index_headlines(summaries):
        parts.append(_headline_row(name, titles.get(name, name), h))
    parts.append("</table>")

    alerts = all_alerts(summaries)
    parts.append(f"<h2 id='alerts'>二、预警与异常（{len(alerts)} 条）</h2>")
    if alerts:
        parts.append("<table><tr><th>级别</th><th>类型</th><th>地点</th><th>起始日期</th>")
        parts.append("<th>内容</th><th>详见</th></tr>")
        for a in alerts:
            sev = str(a.get("severity", ""))
            parts.append(
                f"<tr><td class='sev-{esc(sev)}'>{esc(SEVERITY_ZH.get(sev, sev))}</td>"
                f"<td>{esc(KIND_ZH.get(str(a.get('kind')), str(a.get('kind'))))}</td>"
                f"<td>{esc(str(a.get('place')))}</td><td>{esc(_day(a.get('date')))}</td>"
                f"<td>{esc(str(a.get('message')))}</td>"
                f"<td><a href='{esc(alert_link(a))}'>{esc(a['section'])}</a></td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append("<p>本周无预警。</p>")

    figures = [(n, f) for n, s in summaries.items() for f in s.get("figures", [])]
    images = [(n, f) for n, f in figures if f.lower().endswith((".png", ".svg", ".jpg", ".jpeg"))]
    pages = [(n, f) for n, f in figures if f.lower().endswith((".html", ".htm"))]
    if figures:
        parts.append("<h2 id='figures'>三、重点地图与图表</h2>")
    # the first interactive map, embedded (Leaflet is inlined); in print the static maps below
    # stand for it (an interactive map fitted to the screen would be cut on paper)
    for name, fig in pages[:1]:
        src = esc(f"{name}/{fig}")
        parts.append(f"<iframe class='map' src='{src}' title='交互地图'></iframe>")
    if images:
        parts.append("<div class='figs'>")
        for name, fig in images:
            src = esc(f"{name}/{fig}")
            caption = FIGURE_CAPTIONS_ZH.get(fig, titles.get(name, name))
            parts.append(
                f"<figure><a href='{src}'><img src='{src}' alt='{esc(caption)}'></a>"
                f"<figcaption>{esc(caption)}（{esc(titles.get(name, name))}）</figcaption>"
                "</figure>"
            )
        parts.append("</div>")

    parts.append("<h2 id='chapters'>四、分析章节</h2><table><tr><th>章节</th><th>状态</th>")
    parts.append("<th>要点</th></tr>")
    for n in manifest["notebooks"]:
        name = n["name"]
        title = titles.get(name, name)
        state = "完成" if n["status"] == "ok" else "<span class='failed'>未完成</span>"
        finding = (summaries.get(name, {}).get("findings") or ["—"])[0]
        parts.append(
            f"<tr><td><a href='{esc(n['html'])}'>{esc(title)}</a></td><td>{state}</td>"
            f"<td>{esc(str(finding))}</td></tr>"
        )
    for sk in skipped:
        parts.append(
            f"<tr><td>{esc(sk['title'])}</td><td class='skipped' colspan='2'>"
            f"未生成：{esc(sk['reason'])}</td></tr>"
        )
    parts.append("</table>")
    notes = [("数据质量", note) for note in manifest.get("data_notes", [])]
    notes += [
        (s.get("title", n), note) for n, s in summaries.items() for note in s.get("notes", [])
    ]
    if notes:
        parts.append("<h2 id='notes'>五、数据说明</h2><ul>")
        parts.extend(f"<li>{esc(t)}：{esc(note)}</li>" for t, note in notes)
        parts.append("</ul>")
    parts.append(footer)
    parts.append("</body></html>")
    return "\n".join(parts)


def published_weeks(out_dir: Path) -> list[str]:
    """Weeks published in ``out_dir`` (folders ``YYYY-Www`` holding a manifest), oldest first."""
    return sorted(
        p.name
        for p in Path(out_dir).glob("*-W*")
        if re.fullmatch(r"\d{4}-W\d{2}", p.name) and (p / "manifest.json").is_file()
    )


def neighbours(out_dir: Path, week: str) -> tuple[str | None, str | None]:
    """The published weeks just before and just after ``week`` in ``out_dir``."""
    weeks = published_weeks(out_dir)
    earlier = [w for w in weeks if w < week]
    later = [w for w in weeks if w > week]
    return (earlier[-1] if earlier else None, later[0] if later else None)


def write_index(report, *, out_dir: Path | None = None) -> Path:
    """Write ``index.html`` (and the technical appendix) of a report being built (see
    :func:`index_html`); ``out_dir`` is the folder of all weeks (for previous / next)."""
    from govanalytics.report import _appendix, _html

    names = [r.name for r in report.runs]
    summaries = read_summaries(report.path, names)
    m = report.manifest
    footer = _html.footer_html(week=report.week, generated_at=m["generated_at"])
    before, after = neighbours(out_dir, report.week) if out_dir else (None, None)
    nav = _html.nav_html(week=report.week, previous=before, following=after, depth=0)
    path = report.path / "index.html"
    path.write_text(index_html(m, summaries, footer=footer, nav=nav), encoding="utf-8")
    _appendix.write_appendix(report, summaries)
    return path


def _week_zh(week: str) -> str:
    """``2026-W47`` as 2026年第47周（11月16日—11月22日）."""
    try:
        monday, sunday = week_bounds(week)
    except Exception:
        return html.escape(week)
    return (
        f"{week[:4]}年第{int(week[6:8])}周（{monday.month}月{monday.day}日—"
        f"{sunday.month}月{sunday.day}日）"
    )


def write_archive(out_dir: str | Path) -> Path:
    """Write ``<out_dir>/index.html``: every published week, newest first, with its status,
    generation time, number of alerts and links; failed runs are listed with what failed.

    Replaced atomically (written beside, then renamed).
    """
    import os

    out = Path(out_dir)
    rows = []
    for folder in sorted(out.glob("*-W*"), key=lambda p: p.name, reverse=True):
        manifest = folder / "manifest.json"
        if not folder.is_dir() or not manifest.is_file():
            continue
        m = json.loads(manifest.read_text(encoding="utf-8"))
        name = html.escape(folder.name)
        if folder.name.endswith(".failed"):
            failed = [n["name"] for n in m.get("notebooks", []) if n["status"] != "ok"]
            what = "、".join(failed) or "隐私检查或报告合成"
            rows.append(
                f"<tr><td>{name}</td><td class='failed'>失败（{html.escape(what)}）</td>"
                f"<td>{html.escape(m.get('generated_at', '')[:10])}</td><td>—</td>"
                f"<td><a href='{name}/FAILED.txt'>失败原因</a></td></tr>"
            )
            continue
        alerts = sum(
            len(read_summaries(folder, [n["name"]]).get(n["name"], {}).get("alerts", []))
            for n in m.get("notebooks", [])
        )
        rows.append(
            f"<tr><td><a href='{name}/index.html'>{_week_zh(folder.name)}</a></td><td>已发布</td>"
            f"<td>{html.escape(m.get('generated_at', '')[:10])}</td><td class='num'>{alerts}</td>"
            f"<td><a href='{name}/memo.pdf'>政策简报</a>　<a href='{name}/tables.xlsx'>数据附表</a>"
            "</td></tr>"
        )
    page = "\n".join(
        [
            f"<!DOCTYPE html><html lang='zh-CN'><head>{csp_meta()}<meta charset='utf-8'>",
            f"<title>城市运行周报 历期目录</title><style>{_CSS}</style></head><body>",
            "<h1>城市运行周报　历期目录</h1>",
            "<table><tr><th>报告周</th><th>状态</th><th>编制日期</th><th>预警</th>",
            "<th>文件</th></tr>",
            *rows,
            "</table><p>失败的运行不会覆盖已发布的报告；运行记录见各期技术附录。</p>",
            "</body></html>",
        ]
    )
    tmp = out / f".index-{os.getpid()}.html"
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out / "index.html")
    return out / "index.html"
