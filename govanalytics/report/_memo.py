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

from govanalytics.errors import ParameterError, PrivacyError, ReportError
from govanalytics.privacy import csp_meta
from govanalytics.report._index import KIND_ZH, SEVERITY_ZH, all_alerts, change_text, read_summaries
from govanalytics.report.contract import check_week, week_bounds

MAX_FINDINGS = 5
MIN_FINDINGS = 3
MAX_ACTIONS = 5
_IMAGE = (".png", ".jpg", ".jpeg", ".svg")


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

    def texts(self) -> list[str]:
        """Every line of text of the memo."""
        return [
            self.title,
            self.subtitle,
            *self.findings,
            *self.actions,
            *self.sources,
            *self.notes,
            self.provenance,
        ]


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


def _headline_sentence(title: str, h: dict) -> str:
    unit = h.get("unit") or ""
    text = f"{title}：{h['label']} {h['value']}{unit}"
    if h.get("previous") is not None:
        text += f"，环比{change_text(h['value'], h['previous'])[0]}"
    if h.get("year_ago") is not None:
        text += f"，同比{change_text(h['value'], h['year_ago'])[0]}"
    return text + "。"


def memo_content(summaries: dict[str, dict[str, Any]], manifest: dict[str, Any]) -> Memo:
    """Choose what the memo says from the summaries and the manifest.

    Findings: sections with the most severe alerts first; the first finding of each section,
    then the second, … up to :data:`MAX_FINDINGS`; headline figures (with 环比/同比) fill up to
    :data:`MIN_FINDINGS`. Actions: the summaries' actions, then one per remaining high or medium
    alert. Figures: the first PNG whose name contains ``map`` and the first other PNG, from the
    sections in the same order.
    """
    week = check_week(manifest["week"])
    monday, sunday = week_bounds(week)
    order = _section_order(summaries)
    findings: list[str] = []
    depth = 0
    while len(findings) < MAX_FINDINGS and any(
        len(summaries[n].get("findings", [])) > depth for n in order
    ):
        for name in order:
            items = summaries[name].get("findings", [])
            if depth < len(items) and len(findings) < MAX_FINDINGS:
                findings.append(items[depth])
        depth += 1
    for name in order:
        for h in summaries[name].get("headlines", []):
            if len(findings) >= MIN_FINDINGS:
                break
            findings.append(_headline_sentence(summaries[name].get("title", name), h))
    actions: list[str] = []
    for name in order:
        for a in summaries[name].get("actions", []):
            if a not in actions and len(actions) < MAX_ACTIONS:
                actions.append(a)
    alerts = all_alerts(summaries)
    for a in alerts:
        if len(actions) >= MAX_ACTIONS or a.get("severity") == "low":
            continue
        kind = KIND_ZH.get(str(a.get("kind")), "预警")
        text = (
            f"{a.get('place')}{kind}（{a.get('date')}，{SEVERITY_ZH.get(str(a.get('severity')), '')}级）："
            f"{a.get('message')}。建议主管部门本周内核实并跟进处置。"
        )
        if text not in actions:
            actions.append(text)
    if not actions:
        actions.append("本周无中高级别预警，建议各部门按常规频次持续监测。")
    map_fig = chart_fig = None
    for name in order:
        for fig in summaries[name].get("figures", []):
            if not fig.lower().endswith(_IMAGE):
                continue
            rel = f"{name}/{fig}"
            if "map" in fig.lower() and map_fig is None:
                map_fig = rel
            elif "map" not in fig.lower() and chart_fig is None:
                chart_fig = rel
    sources = _sources(manifest.get("inputs", {}))
    notes = [n for name in order for n in summaries[name].get("notes", [])][:4]
    skipped = manifest.get("skipped", [])
    if skipped:  # a report on partial data says what it leaves out, first
        notes.insert(
            0,
            "本期未生成：" + "；".join(f"{s['title']}（{s['reason']}）" for s in skipped) + "。",
        )
    notes.append("小于披露阈值的计数已按规则抑制（不予公布），地图中以灰色标注“已抑制”。")
    versions = manifest.get("versions", {})
    params: dict[str, Any] = manifest.get("parameters", {}).get("overview") or next(
        iter(manifest.get("parameters", {}).values()), {}
    )
    shown = {k: v for k, v in params.items() if k != "output_dir"}
    provenance = (
        f"生成时间 {manifest.get('generated_at', '')}；参数 "
        + "，".join(f"{k}={v}" for k, v in shown.items())
        + f"；govanalytics {versions.get('govanalytics', '')}，polars {versions.get('polars', '')}"
        f"，Python {manifest.get('python', '')}；完整参数、输入指纹与软件版本见 manifest.json。"
    )
    return Memo(
        title=f"城市运行政策简报（{monday.year}年第{int(week[6:])}周）",
        subtitle=(
            f"统计周期：{monday:%Y年%m月%d日}—{sunday:%Y年%m月%d日}　"
            f"预警 {len(alerts)} 条　分析板块 {len(summaries)} 个"
        ),
        findings=findings,
        actions=actions,
        map_figure=map_fig,
        chart_figure=chart_fig,
        map_caption=_caption(1, map_fig, summaries),
        chart_caption=_caption(2 if map_fig else 1, chart_fig, summaries),
        sources=sources,
        notes=notes,
        provenance=provenance,
        alerts_total=len(alerts),
        sections=[summaries[n].get("title", n) for n in order],
    )


def _caption(number: int, fig: str | None, summaries: dict[str, dict]) -> str:
    if not fig:
        return ""
    name = fig.split("/", 1)[0]
    return f"图{number}　{summaries.get(name, {}).get('title', name)}"


def _sources(inputs: dict[str, str]) -> list[str]:
    from govanalytics.data.schemas import SCHEMAS

    by_file = {s.default_file: s.label_zh for s in SCHEMAS.values()}
    return [
        f"{by_file.get(path, path)}（{path}，sha256 {digest[:12]}）"
        for path, digest in inputs.items()
    ]


_MEMO_CSS = """
@page{size:A4;margin:16mm 16mm 14mm 16mm}
body{font-family:"Noto Sans CJK SC","Noto Serif CJK SC","WenQuanYi Zen Hei",sans-serif;
font-size:10.5pt;line-height:1.55;color:#111;margin:0}
h1{font-size:19pt;text-align:center;color:#b71c1c;margin:0 0 2mm}
.sub{text-align:center;color:#444;margin-bottom:3mm;border-bottom:2px solid #b71c1c;padding-bottom:2mm}
h2{font-size:12.5pt;margin:3mm 0 1mm;color:#b71c1c}
ol,ul{margin:0 0 0 6mm;padding:0}li{margin:0 0 1mm}
.figs{display:flex;gap:4mm;margin:2mm 0}.figs figure{margin:0;flex:1;text-align:center}
.figs img{max-width:100%;max-height:62mm;object-fit:contain}
figcaption{font-size:9pt;color:#555}
.small{font-size:8.5pt;color:#444;line-height:1.4}
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
                f"<figure><img src='{esc(fig)}' alt='{caption}'>"
                f"<figcaption>{caption}</figcaption></figure>"
            )
    parts = [
        f"<!DOCTYPE html><html lang='zh-CN'><head>{csp_meta()}<meta charset='utf-8'>",
        f"<title>{esc(memo.title)}</title><style>{_MEMO_CSS}</style></head><body>",
        f"<h1>{esc(memo.title)}</h1><div class='sub'>{esc(memo.subtitle)}</div>",
        "<h2>一、主要发现</h2><ol>",
        *(f"<li>{esc(f)}</li>" for f in memo.findings),
        "</ol>",
        f"<div class='figs'>{''.join(figs)}</div>" if figs else "",
        "<h2>二、建议措施</h2><ol>",
        *(f"<li>{esc(a)}</li>" for a in memo.actions),
        "</ol><h2>三、数据来源与说明</h2><div class='small'><p>数据来源：",
        "；".join(esc(s) for s in memo.sources) or "无",
        "。</p><ul>",
        *(f"<li>{esc(n)}</li>" for n in memo.notes),
        f"</ul><footer class='govanalytics-provenance'>{esc(memo.provenance)}</footer></div>",
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


def memo_docx(memo: Memo, report_dir: Path, path: Path) -> Path:
    """Write the memo as an editable Word document (A4, 宋体/Noto for Chinese)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    doc = Document()
    core = doc.core_properties
    core.title = memo.title
    core.author = "govanalytics"
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(18))
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2", "List Number"):
        style = doc.styles[style_name]
        style.font.name = "Noto Sans CJK SC"
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(fonts)
        fonts.set(qn("w:eastAsia"), "宋体")
    doc.styles["Normal"].font.size = Pt(10.5)
    title = doc.add_heading(memo.title, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub = doc.add_paragraph(memo.subtitle)
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_heading("一、主要发现", level=1)
    for f in memo.findings:
        doc.add_paragraph(f, style="List Number")
    figs = [
        (f, caption)
        for f, caption in (
            (memo.map_figure, memo.map_caption),
            (memo.chart_figure, memo.chart_caption),
        )
        if f and f.lower().endswith(".png")
    ]
    if figs:
        table = doc.add_table(rows=1, cols=len(figs))
        for cell, (fig, caption) in zip(table.rows[0].cells, figs, strict=True):
            run = cell.paragraphs[0].add_run()
            run.add_picture(str(report_dir / fig), width=Mm(80 if len(figs) == 2 else 120))
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            cap = cell.add_paragraph(caption)
            cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_heading("二、建议措施", level=1)
    for a in memo.actions:
        doc.add_paragraph(a, style="List Number")
    doc.add_heading("三、数据来源与说明", level=1)
    small = doc.add_paragraph("数据来源：" + "；".join(memo.sources) + "。")
    for note in memo.notes:
        small_note = doc.add_paragraph(note, style="List Bullet")
        for run in small_note.runs:
            run.font.size = Pt(9)
    prov = doc.add_paragraph(memo.provenance)
    for run in (*small.runs, *prov.runs):
        run.font.size = Pt(8.5)
        run.font.color.rgb = RGBColor(0x44, 0x44, 0x44)
    doc.save(str(path))
    return path


def compose_memo(report_dir: Path, manifest: dict[str, Any], names: list[str]) -> dict[str, str]:
    """Write ``memo.html``, ``memo.docx`` and (with Chromium) ``memo.pdf`` into a report folder.

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

    summaries = read_summaries(report_dir, names)
    memo = memo_content(summaries, manifest)
    missing = missing_glyphs("".join(memo.texts()))
    if missing:
        msg = f"the memo's font has no glyph for {''.join(missing)!r}: they would print as boxes"
        raise ReportError(msg)
    status: dict[str, str] = {}
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
    report_dir: str | Path | None = None, *, reports_dir: str | Path = "reports"
) -> list[Path]:
    """(Re)write the memo of a published report: ``memo.html``, ``memo.pdf``, ``memo.docx``.

    Parameters
    ----------
    report_dir
        A report folder ``reports/<YYYY-Www>``; default the latest one in ``reports_dir``.
    reports_dir
        Where to look for the latest report.

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
        status = compose_memo(build, manifest, names)
        written = [build / f for f, s in status.items() if s == "ok"]
        hits = [h for path in written for h in scan_file(path)]
        if hits:
            msg = "memo not written: personal data found:\n  " + "\n  ".join(map(str, hits))
            raise PrivacyError(msg)
        out = []
        for path in written:
            os.replace(path, folder / path.name)
            out.append(folder / path.name)
        manifest.setdefault("memo", {}).update(status)
        manifest["memo_rewritten_at"] = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        manifest_path.write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        return out
    finally:
        import shutil

        shutil.rmtree(build, ignore_errors=True)
