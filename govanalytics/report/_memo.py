"""The policy memo (政策简报): one or two A4 pages in Chinese, composed from the summaries.

Engine: the memo is an HTML page printed to PDF by Debian's headless Chromium (offline,
fresh profile). Chromium embeds any installed font — Debian's Noto Sans CJK is CFF-based,
which ReportLab cannot embed — and lays out Chinese text, tables and images with the same CSS
as the weekly index; nothing is downloaded at run time (unlike nbconvert's webpdf, which needs
Playwright's own browser). An editable Word copy is written with python-docx for officials who
revise the memo. Where Chromium is missing the PDF is skipped with a note in the manifest; the
HTML and Word memo are still written.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govanalytics.constants import DEFAULT_MIN_COUNT
from govanalytics.errors import ParameterError, PrivacyError, ReportError
from govanalytics.privacy import csp_meta
from govanalytics.report._index import KIND_ZH, all_alerts, read_summaries
from govanalytics.report._memo_docx import memo_docx
from govanalytics.report.contract import check_week, week_bounds

#: Most numbered findings in 主要情况 (every high alert is reported even beyond it).
MAX_FINDINGS = 6
#: Findings the memo tries to reach with general figures when there are few alerts.
MIN_FINDINGS = 3
#: Issuing unit printed in the header when none is given.
DEFAULT_ISSUER = "数据分析组"
_IMAGE = (".png", ".jpg", ".jpeg", ".svg")
#: Printed size of the memo's figures (inches): PNGs are drawn at this size and shown at it,
#: so that 8-pt text in them prints at 8 pt.
FIGURE_SIZE = (3.35, 2.3)
_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass
class MemoItem:
    """One numbered finding of 主要情况, the alerts it reports and its action (or none)."""

    finding: str
    alerts: list[dict[str, Any]] = field(default_factory=list)
    action: str | None = None


@dataclass
class Memo:
    """What the memo says (the same content goes to PDF and Word)."""

    title: str
    subtitle: str
    findings: list[str]
    actions: list[str]
    map_figure: str | None  # path relative to the report folder
    chart_figure: str | None
    map_caption: str
    chart_caption: str
    sources: list[str]
    notes: list[str]
    provenance: str
    alerts_total: int = 0
    sections: list[str] = field(default_factory=list)
    issuer: str = DEFAULT_ISSUER
    masthead: str = "城市运行监测专报"
    issue: str = ""
    date: str = ""
    lead: str = ""
    items: list[MemoItem] = field(default_factory=list)
    top_alert: dict[str, Any] | None = None

    def texts(self) -> list[str]:
        """Every line of text of the memo."""
        return [
            self.masthead,
            self.issue,
            self.issuer,
            self.date,
            self.title,
            self.subtitle,
            self.lead,
            *self.findings,
            *self.actions,
            self.map_caption,
            self.chart_caption,
            *self.sources,
            *self.notes,
            self.provenance,
        ]

    def footer(self) -> str:
        """Text of the page footer (beside the page number)."""
        return f"{self.issuer}　{self.issue}"


def _section_order(summaries: dict[str, dict]) -> list[str]:
    def weight(name: str) -> tuple:
        alerts = summaries[name].get("alerts", [])
        return (
            -sum(a.get("severity") == "high" for a in alerts),
            -sum(a.get("severity") == "medium" for a in alerts),
            -len(alerts),
            name == "overview",
        )

    return sorted(summaries, key=weight)


def _plain(text: str) -> bool:
    """Whether a sentence can go to officials as it is: Chinese prose, no keyword strings
    (``停水 · 雅苑``), file names, codes or Latin words."""
    return (
        "·" not in text
        and not re.search(r"[A-Za-z_]{3,}|\.[a-z]{2,7}\b|/|\\", text)
        and len(text) <= 120
    )


def _headline_sentence(title: str, h: dict) -> str:
    unit = h.get("unit") or ""
    value = h["value"]
    shown = (
        f"{value:,}"
        if isinstance(value, int)
        else f"{value:,.1f}"
        if isinstance(value, float)
        else str(value)
    )
    text = f"{title}：{h['label']}{shown}{unit}"
    if isinstance(h.get("previous"), int | float) and isinstance(value, int | float):
        text += f"，比上期{_change_words(value, h['previous'])}"
    if isinstance(h.get("year_ago"), int | float) and isinstance(value, int | float):
        text += f"，比去年同期{_change_words(value, h['year_ago'])}"
    return text + "。"


def _change_words(value: float, reference: float) -> str:
    if value == reference:
        return "持平"
    word = "增加" if value > reference else "减少"
    if reference == 0:
        return f"{word}{abs(value - reference):,.0f}"
    return f"{word}{abs(value - reference) / abs(reference):.0%}"


def _group_alerts(alerts: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Alerts as findings: population changes of one week in one finding, others one each."""
    groups: list[list[dict[str, Any]]] = []
    population: list[dict[str, Any]] = []
    for a in alerts:
        if a.get("kind") == "population_change":
            if not population:
                groups.append(population)
            population.append(a)
        else:
            groups.append([a])
    return groups


def _item(group: list[dict[str, Any]], context: dict[str, Any]) -> MemoItem:
    from govanalytics.report._memo_text import alert_finding

    if len(group) == 1:
        return MemoItem(alert_finding(group[0], context=context), group)
    parts = [alert_finding(a, context=context).rstrip("。") for a in group]
    return MemoItem("常住人口与登记人口差异较大的地区：" + "；".join(parts) + "。", group)


def _context(summaries: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Figures a finding may compare with (the period's comments, for hot issues)."""
    out: dict[str, Any] = {}
    for h in summaries.get("hot_words", {}).get("headlines", []):
        if h.get("key") == "comments":
            out["comments"] = h.get("value")
    return out


def _issue_date(week: str) -> dt.date:
    """The memo's date: the Monday after the report week (the day it is issued)."""
    return week_bounds(week)[1] + dt.timedelta(days=1)


def memo_content(
    summaries: dict[str, dict[str, Any]],
    manifest: dict[str, Any],
    *,
    issuer: str | None = None,
) -> Memo:
    """Choose what the memo says from the summaries and the manifest.

    主要情况: one numbered finding per high alert (all of them), then medium alerts, up to
    :data:`MAX_FINDINGS` (changes of resident population are one finding); written as
    sentences with place, number and comparison (:func:`alert_finding`). With fewer than
    :data:`MIN_FINDINGS` alerts, the chapters' own sentences and headline figures (with the
    change from the last period) fill up. 工作建议: one action per finding drawn from a high or
    medium alert, worded by its kind and disease or service (:func:`alert_action`); no action
    without a finding. Figures are chosen (and, in :func:`compose_memo`, drawn) for the top
    alert.

    Parameters
    ----------
    summaries
        The chapters' ``summary.json`` by notebook name.
    manifest
        The report's manifest (``week``, ``inputs``, ``skipped``, ``parameters``).
    issuer
        Issuing unit printed in the header and footer; default ``manifest["issuer"]`` or
        :data:`DEFAULT_ISSUER`.

    Returns
    -------
    Memo
    """
    week = check_week(manifest["week"])
    monday, sunday = week_bounds(week)
    issuer = (issuer or manifest.get("issuer") or DEFAULT_ISSUER).strip()
    order = _section_order(summaries)
    alerts = all_alerts(summaries)
    context = _context(summaries)
    reported = [a for a in alerts if a.get("severity") in ("high", "medium")]
    items: list[MemoItem] = []
    for group in _group_alerts(reported):
        high = any(a.get("severity") == "high" for a in group)
        if high or len(items) < MAX_FINDINGS:
            items.append(_item(group, context))
    if len(items) < MIN_FINDINGS:
        items.extend(_general_items(summaries, order, MIN_FINDINGS - len(items)))
    high_n = sum(a.get("severity") == "high" for a in alerts)
    lead = _lead(monday, sunday, alerts, high_n)
    from govanalytics.report._memo_text import grouped_actions

    actions = grouped_actions([a for it in items for a in it.alerts])
    for it in items:  # the action that covers each finding
        it.action = next((x for x in actions for a in it.alerts if str(a.get("place")) in x), None)
    map_fig, chart_fig = _fallback_figures(summaries, order, reported[0] if reported else None)
    skipped = manifest.get("skipped", [])
    notes = _notes(manifest, skipped)
    return Memo(
        title=f"{monday.year}年第{int(week[6:])}周城市运行情况",
        subtitle=f"（{monday:%Y年%-m月%-d日}—{sunday:%-m月%-d日}）",
        findings=[it.finding for it in items],
        actions=actions,
        map_figure=map_fig,
        chart_figure=chart_fig,
        map_caption=_caption(1, map_fig, summaries),
        chart_caption=_caption(2 if map_fig else 1, chart_fig, summaries),
        sources=_sources(manifest.get("inputs", {}), list(summaries)),
        notes=notes,
        provenance="计算方法、参数和数据核验记录见本期周报的“技术附录”。",
        alerts_total=len(alerts),
        sections=[summaries[n].get("title", n) for n in order],
        issuer=issuer,
        issue=f"{monday.year}年第{int(week[6:])}期",
        date=f"{_issue_date(week):%Y年%-m月%-d日}",
        lead=lead,
        items=items,
        top_alert=reported[0] if reported else None,
    )


def _lead(monday: dt.date, sunday: dt.date, alerts: list[dict], high_n: int) -> str:
    span = f"{monday:%-m月%-d日}至{sunday:%-m月%-d日}"
    if not alerts:
        return f"{span}，各项监测指标未出现预警，城市运行总体平稳。"
    kinds = list(dict.fromkeys(KIND_ZH.get(str(a.get("kind")), "其他") for a in alerts))
    medium = sum(a.get("severity") == "medium" for a in alerts)
    text = f"{span}，监测发现预警{len(alerts)}条，涉及{'、'.join(kinds)}"
    counts = [f"高级别{high_n}条" if high_n else "", f"中级别{medium}条" if medium else ""]
    shown = "、".join(c for c in counts if c)
    text += f"，其中{shown}" if shown else ""
    return text + "。现将主要情况报告如下。"


def _general_items(summaries: dict[str, dict], order: list[str], n: int) -> list[MemoItem]:
    """Plain sentences of the chapters, then headline figures: findings without actions."""
    out: list[MemoItem] = []
    for name in order:
        for f in summaries[name].get("findings", []):
            if len(out) < n and _plain(f) and not any(f == it.finding for it in out):
                out.append(MemoItem(f if f.endswith("。") else f + "。"))
    for name in order:
        for h in summaries[name].get("headlines", []):
            if len(out) >= n:
                break
            if isinstance(h.get("value"), int | float) and h.get("previous") is not None:
                out.append(MemoItem(_headline_sentence(summaries[name].get("title", name), h)))
    return out


def _notes(manifest: dict[str, Any], skipped: list[dict]) -> list[str]:
    k = DEFAULT_MIN_COUNT
    for params in manifest.get("parameters", {}).values():
        if isinstance(params, dict) and isinstance(params.get("k"), int):
            k = params["k"]
    notes = []
    if skipped:  # a report on partial data says what it leaves out, first
        notes.append(
            "本期未生成："
            + "；".join(f"{s['title']}（{_plain_reason(str(s['reason']))}）" for s in skipped)
            + "。"
        )
    notes += [
        "预警级别：“高”表示明显超出预警阈值或已超过承载能力，建议本周内处置；"
        "“中”表示超出预警阈值或预计将超出，建议持续关注。",
        f"为保护个人信息，少于{k}人（例、条）的数字不予公布，写作“少于{k}”；地图中以灰色表示。",
    ]
    return notes


def _fallback_figures(
    summaries: dict[str, dict], order: list[str], top: dict[str, Any] | None
) -> tuple[str | None, str | None]:
    """The chapters' own images, the top alert's chapter first (used when the memo cannot
    draw its own from the tables)."""
    names = list(order)
    if top is not None and top.get("notebook") in names:
        names.remove(top["notebook"])
        names.insert(0, top["notebook"])
    map_fig = chart_fig = None
    for name in names:
        for fig in summaries[name].get("figures", []):
            if not fig.lower().endswith(_IMAGE):
                continue
            rel = f"{name}/{fig}"
            if "map" in fig.lower() and map_fig is None:
                map_fig = rel
            elif "map" not in fig.lower() and chart_fig is None:
                chart_fig = rel
    return map_fig, chart_fig


def _caption(number: int, fig: str | None, summaries: dict[str, dict]) -> str:
    if not fig:
        return ""
    name = fig.split("/", 1)[0]
    return f"图{number}　{summaries.get(name, {}).get('title', name)}"


def _sources(inputs: dict[str, str], ran: list[str]) -> list[str]:
    """The datasets read, by their Chinese names (no file names or digests): files at a
    dataset's usual place by that dataset's name, other files by the main dataset of the
    chapters that ran."""
    from govanalytics.data.schemas import SCHEMAS
    from govanalytics.report.contract import NOTEBOOK_DATA

    by_file = {s.default_file: s.label_zh for s in SCHEMAS.values()}
    out = [by_file[path] for path in inputs if path in by_file]
    if any(path not in by_file for path in inputs):
        mains = [NOTEBOOK_DATA[n].main for n in ran if n in NOTEBOOK_DATA]
        out += [SCHEMAS[m].label_zh for m in mains if m in SCHEMAS]
    return list(dict.fromkeys(out))


def _plain_reason(text: str) -> str:
    """A reason without its bracketed codes and paths (``（population_register）``)."""
    return re.sub(r"（[^（）]*）|\([^()]*\)", lambda m: "" if not _has_cjk(m.group(0)) else
                  m.group(0), text)  # fmt: skip


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


_MEMO_CSS = """
@page{size:A4;margin:13mm 16mm 14mm 16mm;
@bottom-center{content:"— " counter(page) " / " counter(pages) " —";font-size:9pt;color:#444;
font-family:"Noto Sans CJK SC",sans-serif}
@bottom-left{content:__FOOTER__;font-size:8pt;color:#666}}
body{font-family:"Noto Sans CJK SC","Noto Serif CJK SC","WenQuanYi Zen Hei",sans-serif;
font-size:10.5pt;line-height:1.5;color:#111;margin:0}
.mast{font-size:26pt;font-weight:bold;text-align:center;color:#c00000;letter-spacing:3pt;margin:0}
.issue{text-align:center;font-size:11pt;margin:0 0 1mm}
.meta{display:flex;justify-content:space-between;font-size:10.5pt;padding:0 2mm 1.5mm;
border-bottom:2.5px solid #c00000}
h1{font-size:14pt;text-align:center;margin:2.5mm 0 0}
.sub{text-align:center;font-size:10.5pt;margin:0 0 2mm;color:#333}
.lead{text-indent:2em;margin:0 0 1mm}
h2{font-size:12pt;margin:1.5mm 0 .5mm}
ol{margin:0 0 0 7mm;padding:0}li{margin:0 0 .6mm}
ol.findings{margin-left:9mm}
ol.findings li::marker{content:"（" counter(list-item, cjk-ideographic) "）"}
.figs{display:flex;gap:3mm;margin:1.5mm 0;justify-content:center;break-inside:avoid}
.figs figure{margin:0;text-align:center}
.figs img{width:85mm;height:auto}
figcaption{font-size:9pt;color:#333}
.small{font-size:9pt;color:#333;line-height:1.45}.small p{margin:0}
"""


def memo_html(memo: Memo) -> str:
    """The memo as a standalone HTML page (A4, images referenced beside it)."""
    esc = html.escape
    figs = []
    for fig, caption in (
        (memo.map_figure, memo.map_caption),
        (memo.chart_figure, memo.chart_caption),
    ):
        if fig:
            figs.append(
                f"<figure><img src='{esc(fig)}' alt='{esc(caption)}'>"
                f"<figcaption>{esc(caption)}</figcaption></figure>"
            )
    footer = json.dumps(memo.footer(), ensure_ascii=False)
    parts = [
        f"<!DOCTYPE html><html lang='zh-CN'><head>{csp_meta()}<meta charset='utf-8'>",
        f"<title>{esc(memo.masthead)}　{esc(memo.issue)}</title>",
        f"<style>{_MEMO_CSS.replace('__FOOTER__', footer.replace('<', ''))}</style></head><body>",
        f"<div class='mast'>{esc(memo.masthead)}</div><div class='issue'>{esc(memo.issue)}</div>",
        f"<div class='meta'><span>{esc(memo.issuer)}</span><span>{esc(memo.date)}</span></div>",
        f"<h1>{esc(memo.title)}</h1><div class='sub'>{esc(memo.subtitle)}</div>",
        f"<p class='lead'>{esc(memo.lead)}</p>",
        "<h2>一、主要情况</h2><ol class='findings'>",
        *(f"<li>{esc(f)}</li>" for f in memo.findings),
        "</ol>",
        f"<div class='figs'>{''.join(figs)}</div>" if figs else "",
        "<h2>二、工作建议</h2>",
        "<ol class='actions'>" + "".join(f"<li>{esc(a)}</li>" for a in memo.actions) + "</ol>"
        if memo.actions
        else "<p class='lead'>本周未发现需要专门处置的预警，建议各部门按常规频次持续监测。</p>",
        "<h2>三、数据说明</h2><div class='small'><p>数据来源：",
        "、".join(esc(s) for s in memo.sources) or "无",
        "。</p>",
        *(f"<p>{esc(n)}</p>" for n in memo.notes),
        f"<p class='govanalytics-provenance'>{esc(memo.provenance)}</p></div>",
        "</body></html>",
    ]
    return "\n".join(parts)


def missing_glyphs(text: str, *, font_path: str | Path | None = None) -> list[str]:
    """Characters of ``text`` the memo's CJK font has no glyph for (would print as boxes).

    Parameters
    ----------
    text
        The text to be printed.
    font_path
        Font file (``.ttf``, ``.otf``, ``.ttc``, ``.otc``) to check against; default the file
        fontconfig matches for "Noto Sans CJK SC".

    Returns
    -------
    list of str
        Characters without a glyph, sorted; empty when no font can be found (nothing to check
        against).
    """
    from fontTools.ttLib import TTCollection, TTFont

    path = Path(font_path) if font_path else _cjk_font_file()
    if path is None:
        return []
    if path.suffix.lower() in (".ttc", ".otc"):
        fonts = TTCollection(str(path)).fonts
    else:
        fonts = [TTFont(str(path))]
    covered: set[int] = set()
    for font in fonts:
        covered |= set(font.getBestCmap())
    missing = sorted(
        {
            ch
            for ch in text
            if not ch.isspace() and ord(ch) not in covered and unicodedata.category(ch) != "Cc"
        }
    )
    return missing


def _cjk_font_file() -> Path | None:
    found = _cjk_font()
    return found[0] if found else None


def _cjk_font() -> tuple[Path, int] | None:
    """File and collection index fontconfig matches for "Noto Sans CJK SC"."""
    import subprocess

    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}|%{index}", "Noto Sans CJK SC"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None
    file, _, index = out.partition("|")
    if not file or not Path(file).is_file():
        return None
    return Path(file), int(index or 0)


def compose_memo(
    report_dir: Path, manifest: dict[str, Any], names: list[str], *, issuer: str | None = None
) -> dict[str, str]:
    """Write ``memo.html``, ``memo.docx`` and (with Chromium) ``memo.pdf`` into a report folder,
    with the memo's figures (``memo_map.png``, ``memo_chart.png``) drawn for its top alert.

    Parameters
    ----------
    report_dir
        The report build folder (notebook output folders inside).
    manifest
        The report's manifest.
    names
        Notebooks that ran.
    issuer
        Issuing unit (default ``manifest["issuer"]`` or :data:`DEFAULT_ISSUER`).

    Returns
    -------
    dict
        File name → ``"ok"`` or the reason it was skipped.
    """
    from govanalytics.report._browser import (
        find_chromium,
        fix_cjk_text_layer,
        print_pdf,
        shared_glyphs,
    )
    from govanalytics.report._memo_figures import draw_memo_figures

    summaries = read_summaries(report_dir, names)
    memo = memo_content(summaries, manifest, issuer=issuer)
    status: dict[str, str] = {}
    for image in draw_memo_figures(report_dir, memo, summaries, manifest):
        status[image] = "ok"
    missing = missing_glyphs("".join(memo.texts()))
    if missing:
        msg = f"the memo's font has no glyph for {''.join(missing)!r}: they would print as boxes"
        raise ReportError(msg)
    page = memo_html(memo)
    (report_dir / "memo.html").write_text(page, encoding="utf-8")
    status["memo.html"] = "ok"
    memo_docx(memo, report_dir, report_dir / "memo.docx")
    status["memo.docx"] = "ok"
    if find_chromium() is None:
        status["memo.pdf"] = "skipped: Chromium not installed (scripts/system-deps.sh)"
    else:
        print_pdf(report_dir / "memo.html", report_dir / "memo.pdf")
        font = _cjk_font()
        fix_cjk_text_layer(
            report_dir / "memo.pdf",
            text=html.unescape(re.sub(r"<[^>]+>", "", page)),
            shared=shared_glyphs(*font) if font else None,
        )
        status["memo.pdf"] = "ok"
    return status


def _latest_report(reports_dir: Path) -> Path:
    weeks = sorted(
        p for p in reports_dir.glob("*-W*") if p.is_dir() and (p / "manifest.json").is_file()
    )
    weeks = [p for p in weeks if not p.name.endswith(".failed")]
    if not weeks:
        msg = f"no published report in {reports_dir} (run `govanalytics report weekly` first)"
        raise ParameterError(msg)
    return weeks[-1]


def write_memo(
    report_dir: str | Path | None = None,
    *,
    reports_dir: str | Path = "reports",
    issuer: str | None = None,
) -> list[Path]:
    """(Re)write the memo of a published report: ``memo.html``, ``memo.pdf``, ``memo.docx``.

    Parameters
    ----------
    report_dir
        A report folder ``reports/<YYYY-Www>``; default the latest one in ``reports_dir``.
    reports_dir
        Where to look for the latest report.
    issuer
        Issuing unit printed in the header (default the one of the report's manifest, else
        :data:`DEFAULT_ISSUER`); kept in the manifest for the next rewrite.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    PrivacyError
        The memo would contain an ID-card or mobile number; the new files are not kept.
    """
    from govanalytics.privacy import scan_file

    folder = Path(report_dir) if report_dir else _latest_report(Path(reports_dir))
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        msg = f"parameter 'report_dir': {folder} has no manifest.json (not a report folder)"
        raise ParameterError(msg)
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    names = [n["name"] for n in manifest["notebooks"] if n["status"] == "ok"]
    build = folder / f".memo-{os.getpid()}"
    build.mkdir(exist_ok=True)
    try:
        for name in names:  # the memo references figures as <notebook>/<file>
            (build / name).symlink_to((folder / name).resolve(), target_is_directory=True)
        status = compose_memo(build, manifest, names, issuer=issuer)
        written = [build / f for f, s in status.items() if s == "ok"]
        hits = [h for path in written if path.suffix != ".png" for h in scan_file(path)]
        if hits:
            msg = "memo not written: personal data found:\n  " + "\n  ".join(map(str, hits))
            raise PrivacyError(msg)
        out = []
        for path in written:
            os.replace(path, folder / path.name)
            out.append(folder / path.name)
        manifest.setdefault("memo", {}).update(status)
        if issuer:
            manifest["issuer"] = issuer
        manifest["memo_rewritten_at"] = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        manifest_path.write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        return out
    finally:
        import shutil

        shutil.rmtree(build, ignore_errors=True)
