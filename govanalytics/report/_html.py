"""Offline HTML: executed notebooks exported without code and without any external host.

nbconvert's ``lab`` template loads require.js, MathJax, mermaid and the widget manager from
CDNs; on a government intranet those requests fail. The template below drops them (the
notebooks' outputs need none of them: folium maps arrive as self-contained iframes whose
Leaflet is inlined by :mod:`govanalytics.geo`) and adds the report's provenance footer.

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
{% block body_footer %}{{ resources.govanalytics_footer | safe }}{{ super() }}{% endblock body_footer %}
"""


def export_html(notebook: str | Path, target: str | Path, *, footer_html: str = "") -> Path:
    """Export an executed notebook to an HTML page without code and without external hosts.

    Parameters
    ----------
    notebook
        The executed ``.ipynb``.
    target
        The ``.html`` file to write.
    footer_html
        HTML placed at the end of the page (the provenance footer).

    Returns
    -------
    Path
        ``target``.
    """
    import jinja2
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[jinja2.DictLoader({"govanalytics_offline.html.j2": _TEMPLATE})],
        template_file="govanalytics_offline.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    nb = nbformat.read(str(notebook), as_version=4)
    body, _ = exporter.from_notebook_node(nb, resources={"govanalytics_footer": footer_html})
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


def footer_html(
    *,
    week: str,
    inputs: dict[str, str],
    parameters: dict,
    versions: dict[str, str],
    generated_at: str,
) -> str:
    """The provenance footer shown on every page of a report (Chinese labels).

    Lists the data sources with the first 12 hex digits of their SHA-256, the parameters, the
    package versions and the generation time; the full values are in ``manifest.json``.
    """
    esc = _html.escape
    sources = "；".join(f"{esc(k)}（sha256 {v[:12]}）" for k, v in inputs.items()) or "无"
    params = "，".join(f"{esc(str(k))}={esc(repr(v))}" for k, v in parameters.items()) or "无"
    vers = "，".join(f"{esc(k)} {esc(v)}" for k, v in versions.items())
    return (
        '<footer class="govanalytics-provenance" style="margin:2em 1em 1em;padding-top:.6em;'
        'border-top:1px solid #ccc;font-size:12px;color:#555;line-height:1.6">'
        f"<div><b>报告周</b>：{esc(week)}　<b>生成时间</b>：{esc(generated_at)}</div>"
        f"<div><b>数据来源</b>：{sources}</div>"
        f"<div><b>参数</b>：{params}</div>"
        f"<div><b>软件版本</b>：{vers}</div>"
        "<div>完整记录见 manifest.json。</div></footer>"
    )
