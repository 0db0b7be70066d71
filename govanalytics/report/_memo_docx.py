"""The memo as an editable Word document, laid out like the PDF.

Same header (masthead, 期号, issuing unit and date), the same numbered findings and actions —
each list numbered from 1 on its own (a Word list style shares one numbering across the
document unless each list gets its own numbering instance restarting at 1) — and a footer
with the issuing unit and the page number field.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from govanalytics.report._memo import Memo

__all__ = ["memo_docx"]

_RED = (0xC0, 0x00, 0x00)


def _east_asian(style, font: str = "宋体") -> None:
    from docx.oxml.ns import qn

    style.font.name = "Noto Sans CJK SC"
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), font)


def _restarted_numbering(doc, style_name: str = "List Number") -> int:
    """A new numbering instance of the list style's numbering, restarting at 1; its id."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    numbering = doc.part.numbering_part.element
    style = doc.styles[style_name].element
    num_id = int(style.pPr.numPr.numId.val)
    abstract = next(
        n.find(qn("w:abstractNumId")).get(qn("w:val"))
        for n in numbering.findall(qn("w:num"))
        if int(n.get(qn("w:numId"))) == num_id
    )
    new_id = max(int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))) + 1
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), str(new_id))
    ref = OxmlElement("w:abstractNumId")
    ref.set(qn("w:val"), abstract)
    num.append(ref)
    override = OxmlElement("w:lvlOverride")
    override.set(qn("w:ilvl"), "0")
    start = OxmlElement("w:startOverride")
    start.set(qn("w:val"), "1")
    override.append(start)
    num.append(override)
    numbering.append(num)
    return new_id


def _numbered(doc, texts: list[str]) -> None:
    """Paragraphs in a list numbered 1, 2, … of its own."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    num_id = _restarted_numbering(doc)
    for text in texts:
        para = doc.add_paragraph(text, style="List Number")
        ppr = para._p.get_or_add_pPr()
        num_pr = OxmlElement("w:numPr")
        ilvl = OxmlElement("w:ilvl")
        ilvl.set(qn("w:val"), "0")
        nid = OxmlElement("w:numId")
        nid.set(qn("w:val"), str(num_id))
        num_pr.append(ilvl)
        num_pr.append(nid)
        ppr.append(num_pr)


def _page_field(paragraph) -> None:
    """Append a PAGE field (the page number) to ``paragraph``."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        run = paragraph.add_run()
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)


def _header_footer(doc, memo: Memo) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    section = doc.sections[0]
    head = section.header.paragraphs[0]
    head.text = f"{memo.masthead}　{memo.issue}"
    head.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    foot.add_run(f"{memo.footer()}　— ")
    _page_field(foot)
    foot.add_run(" —")
    for para in (head, foot):
        for run in para.runs:
            run.font.size = Pt(9)
            run.font.color.rgb = RGBColor(0x44, 0x44, 0x44)


def memo_docx(memo: Memo, report_dir: Path, path: Path) -> Path:
    """Write the memo as an editable Word document (A4, 宋体 for Chinese).

    Parameters
    ----------
    memo
        The memo's content (:func:`memo_content`).
    report_dir
        Folder the memo's figure paths are relative to.
    path
        The ``.docx`` file to write.

    Returns
    -------
    Path
        ``path``.
    """
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt, RGBColor

    doc = Document()
    core = doc.core_properties
    core.title = f"{memo.masthead}（{memo.issue}）"
    core.author = memo.issuer
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(18))
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2", "List Number"):
        _east_asian(doc.styles[style_name])
    doc.styles["Normal"].font.size = Pt(10.5)
    _header_footer(doc, memo)

    mast = doc.add_paragraph()
    mast.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = mast.add_run(memo.masthead)
    run.bold, run.font.size, run.font.color.rgb = True, Pt(24), RGBColor(*_RED)
    issue = doc.add_paragraph(memo.issue)
    issue.alignment = WD_ALIGN_PARAGRAPH.CENTER
    meta = doc.add_paragraph(f"{memo.issuer}\t{memo.date}")
    meta.paragraph_format.tab_stops.add_tab_stop(Mm(174), alignment=2)  # right-aligned tab
    rule = doc.add_paragraph()
    rule.add_run("━" * 36).font.color.rgb = RGBColor(*_RED)
    rule.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    trun = title.add_run(memo.title)
    trun.bold, trun.font.size = True, Pt(15)
    sub = doc.add_paragraph(memo.subtitle)
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    lead = doc.add_paragraph(memo.lead)
    lead.paragraph_format.first_line_indent = Pt(21)

    doc.add_heading("一、主要情况", level=1)
    _numbered(doc, memo.findings)
    figs = [
        (f, caption)
        for f, caption in ((memo.map_figure, memo.map_caption), (memo.chart_figure, memo.chart_caption))
        if f and f.lower().endswith(".png") and (report_dir / f).is_file()
    ]  # fmt: skip
    if figs:
        table = doc.add_table(rows=1, cols=len(figs))
        for cell, (fig, caption) in zip(table.rows[0].cells, figs, strict=True):
            cell.paragraphs[0].add_run().add_picture(str(report_dir / fig), width=Mm(85))
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            cap = cell.add_paragraph(caption)
            cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_heading("二、工作建议", level=1)
    if memo.actions:
        _numbered(doc, memo.actions)
    else:
        doc.add_paragraph("本周未发现需要专门处置的预警，建议各部门按常规频次持续监测。")
    doc.add_heading("三、数据说明", level=1)
    small = [doc.add_paragraph("数据来源：" + ("、".join(memo.sources) or "无") + "。")]
    small += [doc.add_paragraph(note) for note in memo.notes]
    small.append(doc.add_paragraph(memo.provenance))
    for para in small:
        for r in para.runs:
            r.font.size = Pt(9)
    doc.save(str(path))
    return path
