"""The technical appendix (技术附录) of a weekly report: provenance and downloads.

Officials' pages carry no file names, hashes, paths or versions; they link once, from the
footer, to ``appendix.html``, which holds for analysts and auditors: the data files read with
their SHA-256, the parameters of every chapter, the software versions, the kernel, run times,
and the 数据下载 section (executed notebooks, Parquet tables, ``summary.json``,
``manifest.json``). The full record stays in ``manifest.json``.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from govanalytics.privacy import csp_meta

__all__ = ["appendix_html", "write_appendix"]

_CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","WenQuanYi Zen Hei",sans-serif;
margin:0 auto;max-width:1100px;padding:1em 1.5em;color:#222;font-size:14px}
h1{font-size:24px;border-bottom:3px solid #555;padding-bottom:.3em}
h2{font-size:18px;margin-top:1.4em}
table{border-collapse:collapse;width:100%;margin:.5em 0}
th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f5f5f5}code{font-size:12px;word-break:break-all}
@page{size:A4;margin:15mm 12mm}
"""


def appendix_html(manifest: dict[str, Any], summaries: dict[str, dict[str, Any]]) -> str:
    """The technical appendix page of a report (see the module docstring)."""
    esc = html.escape
    week = manifest["week"]
    titles = {n: s.get("title", n) for n, s in summaries.items()}
    parts = [
        f"<!DOCTYPE html><html lang='zh-CN'><head>{csp_meta()}<meta charset='utf-8'>",
        f"<title>技术附录 {esc(week)}</title><style>{_CSS}</style></head><body>",
        "<nav><a href='index.html'>返回本期目录</a></nav>",
        f"<h1>技术附录　{esc(week)}</h1>",
        "<p>本页供数据分析人员和审计使用：数据来源与校验值、各章节参数、软件版本和数据下载。"
        "完整运行记录见 <a href='manifest.json'>manifest.json</a>。</p>",
        "<h2>运行信息</h2><table>",
        f"<tr><th>报告周</th><td>{esc(week)}</td></tr>",
        f"<tr><th>生成时间（UTC）</th><td>{esc(str(manifest.get('generated_at', '')))}</td></tr>",
        f"<tr><th>数据目录</th><td><code>{esc(str(manifest.get('data_dir', '')))}</code></td></tr>",
        f"<tr><th>内核</th><td>{esc(str(manifest.get('kernel', '')))}</td></tr>",
        "</table>",
        "<h2>数据来源（SHA-256）</h2><table><tr><th>文件</th><th>SHA-256</th></tr>",
    ]
    for name, digest in (manifest.get("inputs") or {}).items():
        parts.append(
            f"<tr><td><code>{esc(name)}</code></td><td><code>{esc(digest)}</code></td></tr>"
        )
    parts.append("</table><h2>章节运行与参数</h2><table>")
    parts.append("<tr><th>章节</th><th>状态</th><th>用时</th><th>参数</th></tr>")
    params = manifest.get("parameters", {})
    for n in manifest.get("notebooks", []):
        name = n["name"]
        shown = "，".join(f"{esc(str(k))}={esc(repr(v))}" for k, v in params.get(name, {}).items())
        state = "完成" if n["status"] == "ok" else "失败"
        if n.get("error"):
            err = n["error"]
            state += f"：{esc(str(err.get('ename')))}: {esc(str(err.get('evalue')))}"
        parts.append(
            f"<tr><td>{esc(titles.get(name, name))}</td><td>{state}</td>"
            f"<td>{float(n.get('duration_s') or 0):.1f} 秒</td><td><code>{shown}</code></td></tr>"
        )
    parts.append("</table><h2>软件版本</h2><table>")
    for name, version in (manifest.get("versions") or {}).items():
        parts.append(f"<tr><th>{esc(name)}</th><td>{esc(str(version))}</td></tr>")
    parts.append("</table>")
    parts.append("<h2 id='downloads'>数据下载</h2>")
    parts.append(
        "<p>执行后的笔记本（.ipynb，可在 JupyterLab 中打开复核）、各章节的数据表（Parquet）"
        "和摘要（summary.json）。表中列名为英文代码，含义见数据附表（Excel）的列标题批注。</p>"
    )
    parts.append("<table><tr><th>章节</th><th>执行后的笔记本</th><th>数据表</th><th>摘要</th></tr>")
    for n in manifest.get("notebooks", []):
        name = n["name"]
        tables = "<br>".join(
            f"<a href='{esc(name)}/{esc(t)}'>{esc(t)}</a>" for t in n.get("tables", [])
        )
        parts.append(
            f"<tr><td>{esc(titles.get(name, name))}</td>"
            f"<td><a href='{esc(n['notebook'])}'>{esc(Path(n['notebook']).name)}</a></td>"
            f"<td>{tables or '—'}</td>"
            f"<td><a href='{esc(name)}/summary.json'>summary.json</a></td></tr>"
        )
    parts.append("</table>")
    extra = [f for f in ("tables.xlsx", "manifest.json") if f in manifest.get("artifacts", [])]
    if extra:
        parts.append("<p>" + "　".join(f"<a href='{f}'>{f}</a>" for f in extra) + "</p>")
    parts.append(
        "<footer class='govanalytics-provenance' style='margin-top:2em;font-size:12px;"
        f"color:#555'>技术附录　{esc(week)}　·　<a href='index.html'>返回本期目录</a></footer>"
    )
    parts.append("</body></html>")
    return "\n".join(parts)


def write_appendix(report, summaries: dict[str, dict[str, Any]]) -> Path:
    """Write ``appendix.html`` into a report being built; returns its path."""
    path = report.path / "appendix.html"
    path.write_text(appendix_html(report.manifest, summaries), encoding="utf-8")
    return path
