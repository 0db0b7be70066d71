"""Values from data shown in Markdown or HTML: escaped, so that nothing in them is markup.

A region name, a community name, a comment or a file name is data. Put into
``display(Markdown(f"…{name}…"))`` as it is, ``<img src=x onerror=…>`` in a name becomes an
element of the published page and runs; ``[x](javascript:…)`` becomes a link; ``# `` at the
start becomes a heading. :func:`escape_markup` is the one helper every notebook and page uses
for such values.
"""

from __future__ import annotations

import html
import re
from typing import Literal

from govanalytics.validation import string_like

__all__ = ["escape_markup"]

#: ASCII punctuation with a meaning in Markdown (CommonMark backslash escapes): emphasis,
#: code, links and images, math (JupyterLab), tables, strikethrough.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]{}()!|~$])")
#: What starts a block when it opens a line: heading, list, quote, rule, ordered list.
_BLOCK_START = re.compile(r"^(\s*)([#=+-])")
_ORDERED_START = re.compile(r"^(\s*\d{1,9})\.")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")
_MARKUPS = ("markdown", "html")


def escape_markup(value: object, *, markup: Literal["markdown", "html"] = "markdown") -> str:
    """A value from data made safe to show inside Markdown or HTML as plain text.

    Parameters
    ----------
    value
        Anything shown on a page that came from data (names, comments, file paths, codes);
        ``None`` gives ``""``, other values their ``str()``.
    markup
        ``"markdown"`` (default) for text put into ``IPython.display.Markdown``;
        ``"html"`` for text put into ``IPython.display.HTML`` or a page written by hand.

    Returns
    -------
    str
        HTML: ``& < > " '`` as character references. Markdown: the same, line breaks made
        spaces (a value cannot open a new block), a ``#``, ``-``, ``+``, ``=`` or ``1.`` at its
        start and Markdown's punctuation (``* _ ` [ ] ( ) ! | ~ $`` and ``\\``) backslash-escaped,
        so that the rendered text reads exactly as the value (CommonMark §2.4).

    Notes
    -----
    Escape each value, not the sentence it is put into: markup written by the notebook
    (``**bold**``, ``- `` lists) stays markup. Every published page also carries a strict
    Content-Security-Policy (:func:`~govanalytics.privacy.with_content_security_policy`), so a
    value that slips through unescaped still cannot run a script.

    Examples
    --------
    >>> escape_markup("<img src=x onerror=alert(1)>南山区")
    '&lt;img src=x onerror=alert\\\\(1\\\\)&gt;南山区'
    >>> escape_markup("<b>南山区</b>", markup="html")
    '&lt;b&gt;南山区&lt;/b&gt;'
    """
    string_like(markup, "markup", options=_MARKUPS)
    text = "" if value is None else str(value)
    if markup == "html":
        return html.escape(text, quote=True)
    text = _LINE_BREAKS.sub(" ", text)
    text = _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)
    text = _BLOCK_START.sub(r"\1\\\2", text)
    text = _ORDERED_START.sub(r"\1\\.", text)
    return html.escape(text, quote=True)
