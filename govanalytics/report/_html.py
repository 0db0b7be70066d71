"""Offline HTML: executed notebooks exported without code and without any external host.

nbconvert's ``lab`` template loads require.js, MathJax, mermaid and the widget manager from
CDNs; on a government intranet those requests fail. The template below drops them (the
notebooks' outputs need none of them: folium maps arrive as self-contained iframes whose
Leaflet is inlined by :mod:`govanalytics.geo`) and adds the report's navigation bar and footer.

Pages speak to officials: the footer holds only the week, the date and one link to the
technical appendix (:mod:`govanalytics.report._appendix`), where provenance lives.

Every page carries the strict Content-Security-Policy of
:func:`govanalytics.privacy.with_content_security_policy`: the only scripts it may run are those
of the maps the notebook displayed (each output that *is* a map — an ``OfflineMap`` shown with
``display`` — named by the hashes of its scripts); a script or event handler anywhere else on
the page, such as one planted in a region name or a comment, does not run.
"""

from __future__ import annotations

import html as _html
import re
from pathlib import Path

from govanalytics.privacy import inline_scripts, with_content_security_policy

_TEMPLATE = """{%- extends "index.html.j2" -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block body_header %}{{ super() }}{{ resources.govanalytics_header | safe }}{% endblock body_header %}
{% block body_footer %}{{ resources.govanalytics_footer | safe }}{{ super() }}{% endblock body_footer %}
"""

#: Print and reading styles added to every chapter page: A4 pages, tables and maps not cut
#: across pages, the navigation bar not printed.
PAGE_CSS = """
<style>
.ga-nav{font-size:14px;margin:.4em 0 1em;padding:.4em 0;border-bottom:1px solid #ddd}
.ga-nav a{margin-right:1.2em}
.ga-table td,.ga-table th{font-variant-numeric:tabular-nums}
@page{size:A4;margin:15mm 12mm}
@media print{
 .ga-nav{display:none}
 body{font-size:11pt}
 iframe,img,figure,table,.jp-OutputArea-output{break-inside:avoid;page-break-inside:avoid}
 iframe{max-height:120mm}
 h1,h2,h3{break-after:avoid;page-break-after:avoid}
}
</style>
"""


def export_html(
    notebook: str | Path,
    target: str | Path,
    *,
    footer_html: str = "",
    header_html: str = "",
    title: str = "",
) -> Path:
    """Export an executed notebook to an HTML page without code and without external hosts.

    Cells tagged :data:`~govanalytics.report._display.HIDDEN_TAG` (notes for whoever edits the
    notebook) are left out of the page; the notebook keeps them.

    Parameters
    ----------
    notebook
        The executed ``.ipynb``.
    target
        The ``.html`` file to write.
    footer_html
        HTML placed at the end of the page (the footer).
    header_html
        HTML placed at the top of the page (the navigation bar); :data:`PAGE_CSS` is added.
    title
        The page's title (the browser tab); default the notebook's first heading.

    Returns
    -------
    Path
        ``target``.
    """
    import jinja2
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    from govanalytics.report._display import HIDDEN_TAG

    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[jinja2.DictLoader({"govanalytics_offline.html.j2": _TEMPLATE})],
        template_file="govanalytics_offline.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags={HIDDEN_TAG}, enabled=True), enabled=True
    )
    nb = nbformat.read(str(notebook), as_version=4)
    resources = {
        "govanalytics_footer": footer_html,
        "govanalytics_header": PAGE_CSS + header_html,
        "metadata": {"name": title or _first_heading(nb) or "报告"},
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body = with_content_security_policy(body, scripts=map_scripts(nb))
    target = Path(target)
    target.write_text(body, encoding="utf-8")
    return target


#: The HTML folium gives a map displayed in a notebook: one ``srcdoc`` frame in two divs.
_MAP_OUTPUT = re.compile(
    r'\s*<div style="width:[^"<>]*;"><div style="position:relative;[^"<>]*">'
    r'<span style="color:#565656">Make this Notebook Trusted to load map: File -> Trust '
    r'Notebook</span><iframe srcdoc="([^"<>]*)"[^<>]*></iframe></div></div>\s*'
)
#: ``repr`` of a map of :mod:`govanalytics.geo` (the ``text/plain`` beside its HTML).
_MAP_REPR = re.compile(r"<govanalytics\.geo\.[\w.]*OfflineMap (?:object )?at 0x[0-9a-f]+>")


def _first_heading(nb) -> str:
    """Text of the first ``# heading`` a notebook shows (a Markdown cell or output)."""
    for cell in nb.get("cells", []):
        if "report-hide" in cell.get("metadata", {}).get("tags", []):
            continue
        texts = [_text(cell.get("source"))] if cell.get("cell_type") == "markdown" else []
        texts += [
            _text((o.get("data") or {}).get("text/markdown")) for o in cell.get("outputs", [])
        ]
        for text in texts:
            m = re.search(r"^#\s+(.+)$", text, flags=re.M)
            if m:
                return m.group(1).strip()
    return ""


def _text(value: object) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def map_scripts(nb) -> list[str]:
    """Texts of the scripts of the maps displayed in an executed notebook.

    An output counts as a map only when its ``text/plain`` is the ``repr`` of a
    :class:`govanalytics.geo.OfflineMap` and its ``text/html`` is exactly the frame folium
    writes for a map; the scripts are read from the frame's document as a browser reads them.
    Text, Markdown and any other HTML output contribute nothing: a script planted in data
    never gets a hash.
    """
    scripts: list[str] = []
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data") or {}
            page = _MAP_OUTPUT.fullmatch(_text(data.get("text/html")))
            if page and _MAP_REPR.fullmatch(_text(data.get("text/plain")).strip()):
                scripts += inline_scripts(_html.unescape(page.group(1)))
    return scripts


def footer_html(*, week: str, generated_at: str, appendix: str = "appendix.html") -> str:
    """The footer of every officials' page: the report week, the day it was made and one link
    to the technical appendix (data sources with their SHA-256, parameters, versions, the
    executed notebooks and tables for download; the full record is ``manifest.json``)."""
    esc = _html.escape
    day = generated_at[:10]
    shown = f"{day[:4]}年{day[5:7]}月{day[8:10]}日" if len(day) == 10 else esc(day)
    return (
        '<footer class="govanalytics-provenance" style="margin:2em 1em 1em;padding-top:.6em;'
        'border-top:1px solid #ccc;font-size:12px;color:#555;line-height:1.6">'
        f"城市运行周报　{esc(week)}　·　{shown}编制　·　"
        f"<a href='{esc(appendix)}'>技术附录（数据来源、方法参数与数据下载）</a></footer>"
    )


def nav_html(*, week: str, previous: str | None, following: str | None, depth: int) -> str:
    """The navigation bar of a page ``depth`` folders below the report's folder (index: 0,
    chapter pages: 1): back to this week's index, previous and next published week, archive."""
    esc = _html.escape
    up = "../" * depth
    links = [] if depth == 0 else [f"<a href='{up}index.html'>返回本期目录</a>"]
    if previous:
        links.append(f"<a href='{up}../{esc(previous)}/index.html'>上一期（{esc(previous)}）</a>")
    if following:
        links.append(f"<a href='{up}../{esc(following)}/index.html'>下一期（{esc(following)}）</a>")
    links.append(f"<a href='{up}../index.html'>历期目录</a>")
    return f"<nav class='ga-nav' aria-label='{esc(week)}'>{''.join(links)}</nav>"
