"""Offline HTML: executed notebooks exported without code and without any external host.

nbconvert's ``lab`` template loads require.js, MathJax, mermaid and the widget manager from
CDNs; on a government intranet those requests fail. The template below drops them (the
notebooks' outputs need none of them: folium maps arrive as self-contained iframes whose
Leaflet is inlined by :mod:`govanalytics.geo`) and adds the report's provenance footer.
"""

from __future__ import annotations

import html as _html
from pathlib import Path

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
    target = Path(target)
    target.write_text(body, encoding="utf-8")
    return target


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
