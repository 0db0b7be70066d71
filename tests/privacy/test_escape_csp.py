"""Escaping values from data and the Content-Security-Policy of published pages."""

from __future__ import annotations

import base64
import hashlib
import html
import re

import pytest
from nbconvert.filters.markdown import markdown2html

from govanalytics.errors import ParameterError
from govanalytics.privacy import (
    content_security_policy,
    csp_meta,
    escape_markup,
    inline_scripts,
    script_hash,
    with_content_security_policy,
)

HOSTILE = [
    "<img src=x onerror=alert(1)>南山区",
    "<script>alert('x')</script>",
    "# 标题",
    "- 列表项",
    "1. 第一",
    "+ 加号",
    "a_b*c__d**e",
    "[点我](javascript:alert(1))",
    "![图](data:image/png;base64,AAAA)",
    "`code` | 表格 | ~删除~ $x$",
    "quote \" and ' & amp",
    "back\\slash \\* kept",
    "两行\n# 第二行\n\n<script>x</script>",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_markdown_escape_renders_as_the_plain_value(value: str) -> None:
    """Rendered by nbconvert's Markdown (as the published pages are), the escaped value is
    one paragraph of text that reads exactly as the value: no element, link or heading."""
    rendered = markdown2html("**地区**：" + escape_markup(value)).strip()
    assert rendered.startswith("<p><strong>地区</strong>：") and rendered.endswith("</p>")
    inner = rendered.removeprefix("<p><strong>地区</strong>：").removesuffix("</p>")
    assert "<" not in inner, rendered  # no tag at all, only text
    assert html.unescape(inner) == re.sub(r"\n+", " ", value)


def test_html_escape_and_plain_values() -> None:
    assert escape_markup("<b>x</b>&'\"", markup="html") == "&lt;b&gt;x&lt;/b&gt;&amp;&#x27;&quot;"
    assert escape_markup(None) == "" and escape_markup(12345) == "12345"
    assert escape_markup("南山区 2026-11-22") == "南山区 2026-11-22"  # ordinary text unchanged
    with pytest.raises(ParameterError, match="markup"):
        escape_markup("x", markup="latex")  # type: ignore[arg-type]


def _sha(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"


def test_policy_allows_only_the_given_scripts() -> None:
    policy = content_security_policy()
    assert "script-src 'none'" in policy and "default-src 'none'" in policy
    assert "unsafe-inline" not in policy.split("style-src")[0]  # never for scripts
    assert "unsafe-eval" not in policy and "http" not in policy
    assert "base-uri 'none'" in policy and "form-action 'none'" in policy
    policy = content_security_policy(scripts=["var a = 1;", "var a = 1;", "L.map()"])
    assert re.search(r"script-src ([^;]*);", policy).group(1) == " ".join(
        sorted({_sha("var a = 1;"), _sha("L.map()")})
    )
    assert script_hash("var a = 1;") == _sha("var a = 1;")


def test_meta_goes_first_in_head_and_hashes_inline_scripts() -> None:
    page = (
        "<!DOCTYPE html><html><head><title>t</title><script>\nvar x = 1;\r\n</script></head></html>"
    )
    out = with_content_security_policy(page, scripts="inline")
    assert out.startswith('<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy"')
    assert inline_scripts(page) == ["\nvar x = 1;\n"]  # newlines as the browser reads them
    assert _sha("\nvar x = 1;\n") in html.unescape(out)
    # no <head>: one is made; default: no script at all
    out = with_content_security_policy("<html><body>x</body></html>")
    assert out.startswith("<html><head><meta") and "script-src 'none'" in out
    assert csp_meta() in with_content_security_policy("<p>x</p>")
    with pytest.raises(ParameterError, match="scripts"):
        with_content_security_policy(page, scripts="all")  # type: ignore[arg-type]


def test_a_configured_tile_server_is_the_only_remote_image_source() -> None:
    page = (
        "<html><head></head><body><script>var t = L.tileLayer(\n"
        '  "http://{s}.tiles.intra.gov.cn:8080/amap/{z}/{x}/{y}.png", {});</script></body></html>'
    )
    out = html.unescape(with_content_security_policy(page, scripts="inline"))
    img = re.search(r"img-src ([^;]*);", out).group(1)
    assert img == "'self' data: http://*.tiles.intra.gov.cn:8080"
