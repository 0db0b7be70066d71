"""The weekly index page (城市运行周报), composed only from the summaries and the manifest."""

from __future__ import annotations

import html
import json
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

_CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","WenQuanYi Zen Hei","Microsoft YaHei",
"PingFang SC",sans-serif;margin:0 auto;max-width:1100px;padding:1em 1.5em;color:#222}
h1{font-size:26px;border-bottom:3px solid #b71c1c;padding-bottom:.3em}
h2{font-size:20px;margin-top:1.6em;color:#b71c1c}
table{border-collapse:collapse;width:100%;font-size:14px;margin:.5em 0}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f5}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.up{color:#c62828}.down{color:#2e7d32}.sev-high{color:#fff;background:#c62828}
.sev-medium{background:#ffb300}.sev-low{background:#e0e0e0}
.failed{color:#c62828;font-weight:bold}
.skipped{color:#8d6e00}
.figs{display:flex;flex-wrap:wrap;gap:12px}.figs figure{margin:0;width:48%}
.figs img{max-width:100%;border:1px solid #ddd}
"""


def change_text(value: Any, reference: Any) -> tuple[str, str]:
    """Week-on-week or year-on-year change as text and a CSS class (``""`` when unknown)."""
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


def index_html(
    manifest: dict[str, Any], summaries: dict[str, dict[str, Any]], *, footer: str
) -> str:
    """The weekly index page.

    Parameters
    ----------
    manifest
        The run's manifest (week, notebooks with status, links).
    summaries
        Notebook name → its ``summary.json``.
    footer
        Provenance footer HTML.
    """
    esc = html.escape
    week = manifest["week"]
    monday, sunday = week_bounds(week)
    parts = [
        f"<!DOCTYPE html><html lang='zh-CN'><head>{csp_meta()}<meta charset='utf-8'>",
        f"<title>城市运行周报 {esc(week)}</title><style>{_CSS}</style></head><body>",
        f"<h1>城市运行周报　{esc(week)}</h1>",
        f"<p>统计周期：{monday:%Y年%m月%d日} — {sunday:%Y年%m月%d日}</p>",
    ]
    failed = [n for n in manifest["notebooks"] if n["status"] != "ok"]
    if failed:
        names = "、".join(n["name"] for n in failed)
        parts.append(
            f"<p class='failed'>本次运行未完成：{esc(names)} 执行失败，详见 FAILED.txt。</p>"
        )
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
        ("manifest.json", "运行记录（manifest.json）"),
    ]
    links = [f"<a href='{f}'>{t}</a>" for f, t in extras if f in manifest.get("artifacts", [])]
    parts.append("<p>" + "　|　".join(links) + "</p>")

    parts.append("<h2>一、核心指标</h2><table><tr><th>板块</th><th>指标</th><th>本周</th>")
    parts.append("<th>上周</th><th>环比</th><th>去年同期</th><th>同比</th></tr>")
    for name, s in summaries.items():
        for h in s.get("headlines", []):
            unit = h.get("unit") or ""
            wow, wcss = change_text(h.get("value"), h.get("previous"))
            yoy, ycss = change_text(h.get("value"), h.get("year_ago"))
            parts.append(
                f"<tr><td><a href='{esc(name)}/{esc(name)}.html'>{esc(s.get('title', name))}</a>"
                f"</td><td>{esc(h['label'])}</td>"
                f"<td class='num'>{esc(_fmt(h.get('value')))}{esc(unit)}</td>"
                f"<td class='num'>{esc(_fmt(h.get('previous')))}</td>"
                f"<td class='num {wcss}'>{esc(wow)}</td>"
                f"<td class='num'>{esc(_fmt(h.get('year_ago')))}</td>"
                f"<td class='num {ycss}'>{esc(yoy)}</td></tr>"
            )
    parts.append("</table>")

    alerts = all_alerts(summaries)
    parts.append(f"<h2>二、预警与异常（{len(alerts)} 条）</h2>")
    if alerts:
        parts.append("<table><tr><th>级别</th><th>类型</th><th>地点</th><th>日期</th>")
        parts.append("<th>内容</th><th>板块</th></tr>")
        for a in alerts:
            sev = a.get("severity", "")
            parts.append(
                f"<tr><td class='sev-{esc(sev)}'>{esc(SEVERITY_ZH.get(sev, sev))}</td>"
                f"<td>{esc(KIND_ZH.get(str(a.get('kind')), str(a.get('kind'))))}</td>"
                f"<td>{esc(str(a.get('place')))}</td><td>{esc(str(a.get('date')))}</td>"
                f"<td>{esc(str(a.get('message')))}</td>"
                f"<td><a href='{esc(a['notebook'])}/{esc(a['notebook'])}.html'>"
                f"{esc(a['section'])}</a></td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append("<p>本周无预警。</p>")

    figures = [(n, f) for n, s in summaries.items() for f in s.get("figures", [])]
    images = [(n, f) for n, f in figures if f.lower().endswith((".png", ".svg", ".jpg", ".jpeg"))]
    pages = [(n, f) for n, f in figures if f.lower().endswith((".html", ".htm"))]
    if figures:
        parts.append("<h2>三、重点地图与图表</h2>")
    for name, fig in pages[:1]:  # the first interactive map, embedded (Leaflet is inlined)
        src = esc(f"{name}/{fig}")
        parts.append(
            f"<iframe src='{src}' title='交互地图' style='width:100%;height:460px;"
            f"border:1px solid #ddd'></iframe>"
        )
    if pages:
        page_links = "　".join(
            f"<a href='{esc(n)}/{esc(f)}'>{esc(summaries[n].get('title', n))}：{esc(f)}</a>"
            for n, f in pages
        )
        parts.append(f"<p>交互地图（离线可用）：{page_links}</p>")
    if images:
        parts.append("<div class='figs'>")
        for name, fig in images:
            src = esc(f"{name}/{fig}")
            title = esc(summaries[name].get("title", name))
            parts.append(
                f"<figure><a href='{src}'><img src='{src}' alt='{title}'></a>"
                f"<figcaption>{title}</figcaption></figure>"
            )
        parts.append("</div>")

    parts.append("<h2>四、分析章节</h2><table><tr><th>章节</th><th>状态</th><th>用时</th>")
    parts.append("<th>数据表</th><th>执行记录</th></tr>")
    for n in manifest["notebooks"]:
        name = n["name"]
        title = summaries.get(name, {}).get("title", name)
        state = "完成" if n["status"] == "ok" else "<span class='failed'>失败</span>"
        tables = "、".join(f"<a href='{esc(name)}/{esc(t)}'>{esc(t)}</a>" for t in n["tables"])
        parts.append(
            f"<tr><td><a href='{esc(n['html'])}'>{esc(title)}</a></td><td>{state}</td>"
            f"<td class='num'>{n['duration_s']:.1f} 秒</td><td>{tables or '—'}</td>"
            f"<td><a href='{esc(n['notebook'])}'>{esc(name)}.ipynb</a></td></tr>"
        )
    for sk in skipped:
        parts.append(
            f"<tr><td>{esc(sk['title'])}</td><td class='skipped'>未生成：{esc(sk['reason'])}"
            "</td><td class='num'>—</td><td>—</td><td>—</td></tr>"
        )
    parts.append("</table>")
    notes = [("数据质量", note) for note in manifest.get("data_notes", [])]
    notes += [
        (s.get("title", n), note) for n, s in summaries.items() for note in s.get("notes", [])
    ]
    if notes:
        parts.append("<h2>五、数据说明</h2><ul>")
        parts.extend(f"<li>{esc(t)}：{esc(note)}</li>" for t, note in notes)
        parts.append("</ul>")
    parts.append(footer)
    parts.append("</body></html>")
    return "\n".join(parts)


def write_index(report) -> Path:
    """Write ``index.html`` of a report being built (see :func:`index_html`)."""
    from govanalytics.report import _html

    names = [r.name for r in report.runs]
    summaries = read_summaries(report.path, names)
    m = report.manifest
    footer = _html.footer_html(
        week=report.week,
        inputs=m["inputs"],
        parameters={"data_dir": m["data_dir"], "week": report.week},
        versions=m["versions"],
        generated_at=m["generated_at"],
    )
    path = report.path / "index.html"
    path.write_text(index_html(m, summaries, footer=footer), encoding="utf-8")
    return path


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
                f"<td>{html.escape(m.get('generated_at', ''))}</td><td>—</td>"
                f"<td><a href='{name}/FAILED.txt'>失败原因</a></td></tr>"
            )
            continue
        alerts = sum(
            len(read_summaries(folder, [n["name"]]).get(n["name"], {}).get("alerts", []))
            for n in m.get("notebooks", [])
        )
        rows.append(
            f"<tr><td><a href='{name}/index.html'>{name}</a></td><td>已发布</td>"
            f"<td>{html.escape(m.get('generated_at', ''))}</td><td class='num'>{alerts}</td>"
            f"<td><a href='{name}/memo.pdf'>政策简报</a>　<a href='{name}/tables.xlsx'>数据附表</a>"
            "</td></tr>"
        )
    page = "\n".join(
        [
            f"<!DOCTYPE html><html lang='zh-CN'><head>{csp_meta()}<meta charset='utf-8'>",
            f"<title>城市运行周报 历期目录</title><style>{_CSS}</style></head><body>",
            "<h1>城市运行周报　历期目录</h1>",
            "<table><tr><th>报告周</th><th>状态</th><th>生成时间（UTC）</th><th>预警</th>",
            "<th>文件</th></tr>",
            *rows,
            "</table><p>失败的运行不会覆盖已发布的报告；详见各期 manifest.json。</p>",
            "</body></html>",
        ]
    )
    tmp = out / f".index-{os.getpid()}.html"
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out / "index.html")
    return out / "index.html"
