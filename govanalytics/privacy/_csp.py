"""A strict Content-Security-Policy for every published page: data never runs as code.

Escaping (:func:`~govanalytics.privacy.escape_markup`) keeps values from data from becoming
markup; the policy is the second wall, for a value that slips through. Every page of a report
— notebook pages, the weekly index, the history index, the memo, saved maps — carries it as
the first element of its ``<head>``::

    default-src 'none'; script-src 'sha256-…' (or 'none'); style-src 'unsafe-inline';
    img-src 'self' data:; font-src 'self' data:; frame-src 'self'; base-uri 'none';
    form-action 'none'

What each directive allows, and why:

* ``default-src 'none'`` — nothing is fetched, no host on the network, no ``connect``,
  ``object`` or ``media`` source (the pages open on an intranet without network access).
* ``script-src`` — only the inline scripts written by the package, each named by the SHA-256
  of its text: the inlined Leaflet (and jQuery where a map uses it), folium's settings script
  and each map's own script, and nothing on pages without a map (``'none'``). No
  ``'unsafe-inline'``: a ``<script>`` planted in data has another hash and does not run, and
  inline event handlers (``onerror=…``) and ``javascript:`` URLs never run (they would need
  ``'unsafe-inline'`` or ``'unsafe-hashes'``). No ``'unsafe-eval'``: Leaflet needs none.
* ``style-src 'unsafe-inline'`` — notebook pages, tables and Leaflet style with ``<style>``
  blocks and ``style`` attributes; CSS cannot run script, and with no remote image or font
  source it cannot send anything anywhere.
* ``img-src 'self' data:`` — charts are ``data:`` images in notebook pages and Leaflet's icons
  ``data:`` URIs; the index and the memo show PNG figures beside them (``'self'``). A tile
  server configured for the maps (``$GOVANALYTICS_TILES``) is added to ``img-src`` of the pages
  that draw its tiles, and only it.
* ``font-src 'self' data:`` — fonts inlined or beside the page, none fetched.
* ``frame-src 'self'`` — the index embeds the first map page beside it; maps in notebook pages
  are ``srcdoc`` frames, which inherit this policy.
* ``base-uri 'none'``, ``form-action 'none'`` — a planted ``<base>`` or ``<form>`` cannot
  redirect links or submit anything (these two do not fall back to ``default-src``).

Reference: W3C Content Security Policy Level 3 (hash sources, ``<meta http-equiv>`` delivery,
policy inheritance by ``srcdoc`` documents).
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Iterable
from html.parser import HTMLParser
from typing import Literal

from govanalytics.errors import ParameterError

__all__ = [
    "CSP_DIRECTIVES",
    "content_security_policy",
    "csp_meta",
    "inline_scripts",
    "script_hash",
    "with_content_security_policy",
]

#: The directives of every page besides ``script-src`` (see the module's list).
CSP_DIRECTIVES = (
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "frame-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
)
_HEAD = re.compile(r"<head(?:\s[^>]*)?>", re.IGNORECASE)
_HTML = re.compile(r"<html(?:\s[^>]*)?>", re.IGNORECASE)
_DOCTYPE = re.compile(r"<!doctype[^>]*>", re.IGNORECASE)
#: A tile layer's URL template in a folium page: ``L.tileLayer("http://host/{z}/{x}/{y}.png"``.
_TILE_URL = re.compile(r"""L\.tileLayer\(\s*(["'])((?:https?:)?//[^"']+)\1""")


def script_hash(code: str) -> str:
    """The CSP hash source of an inline script's text: ``'sha256-<base64>'``."""
    digest = hashlib.sha256(code.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self.external: list[str] = []
        self._code: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            src = dict(attrs).get("src")
            if src:
                self.external.append(src)
            self._code = []

    def handle_data(self, data: str) -> None:
        if self._code is not None:
            self._code.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._code is not None:
            self.scripts.append("".join(self._code))
            self._code = None


def inline_scripts(page: str) -> list[str]:
    """The text of every inline ``<script>`` of a page, as a browser hashes it."""
    parser = _Scripts()
    parser.feed(page.replace("\r\n", "\n").replace("\r", "\n"))
    parser.close()
    return parser.scripts


def _tile_sources(scripts: Iterable[str]) -> list[str]:
    """``img-src`` sources of the tile servers a map page draws from (``{s}`` → ``*``)."""
    sources = []
    for code in scripts:
        for m in _TILE_URL.finditer(code):
            url = m.group(2)
            scheme, _, rest = url.partition("//")
            host = rest.split("/", 1)[0].replace("{s}", "*")
            sources.append(f"{scheme}//{host}" if scheme else host)
    return list(dict.fromkeys(sources))


def content_security_policy(
    *, scripts: Iterable[str] = (), image_sources: Iterable[str] = ()
) -> str:
    """The policy text: :data:`CSP_DIRECTIVES` with the hashes of the allowed scripts.

    Parameters
    ----------
    scripts
        Texts of the inline scripts the page may run (none: ``script-src 'none'``).
    image_sources
        Extra ``img-src`` sources (a configured tile server).
    """
    hashes = sorted({script_hash(code) for code in scripts})
    directives = list(CSP_DIRECTIVES)
    directives.insert(1, "script-src " + (" ".join(hashes) if hashes else "'none'"))
    extra = [s for s in image_sources if s]
    if extra:
        directives[3] += " " + " ".join(extra)
    return "; ".join(directives)


def csp_meta(*, scripts: Iterable[str] = (), image_sources: Iterable[str] = ()) -> str:
    """The ``<meta http-equiv="Content-Security-Policy">`` element of a page that may run only
    ``scripts`` (none by default): put it first in the page's ``<head>``.

    Examples
    --------
    >>> csp_meta()[:60]
    '<meta http-equiv="Content-Security-Policy" content="default-'
    """
    policy = content_security_policy(scripts=scripts, image_sources=image_sources)
    content = html.escape(policy, quote=False).replace('"', "&quot;")
    return f'<meta http-equiv="Content-Security-Policy" content="{content}">'


def with_content_security_policy(
    page: str,
    *,
    scripts: Literal["none", "inline"] | Iterable[str] = "none",
    image_sources: Iterable[str] = (),
) -> str:
    """``page`` with the strict policy as the first element of its ``<head>``.

    Parameters
    ----------
    page
        A whole HTML page.
    scripts
        ``"none"`` (default): the page runs no script (index, memo). ``"inline"``: every
        inline script of the page as it stands may run (a map page written by
        :func:`govanalytics.geo.map_html`, whose data sit in JSON inside its scripts, escaped
        so that no value can open a ``<script>`` of its own); a tile server it draws from is
        allowed as an image source. Or the texts of the scripts that may run (a notebook page:
        the scripts of its maps only).
    image_sources
        Extra ``img-src`` sources.

    Returns
    -------
    str
        The page with ``<meta http-equiv="Content-Security-Policy" content="…">`` right after
        ``<head>`` (a ``<head>`` is added after ``<html>`` when the page has none). A policy in
        a ``<meta>`` applies to what follows it, so it comes before any script or style.

    Raises
    ------
    ParameterError
        ``scripts`` is a string other than ``"none"`` or ``"inline"``.
    """
    if isinstance(scripts, str):
        if scripts not in ("none", "inline"):
            msg = f"parameter 'scripts' must be 'none', 'inline' or script texts, got {scripts!r}"
            raise ParameterError(msg)
        allowed = inline_scripts(page) if scripts == "inline" else []
        tiles = _tile_sources(allowed)
    else:
        allowed = list(scripts)
        tiles = _tile_sources(allowed)
    meta = csp_meta(scripts=allowed, image_sources=[*tiles, *image_sources])
    head = _HEAD.search(page)
    if head:
        return page[: head.end()] + meta + page[head.end() :]
    anchor = _HTML.search(page) or _DOCTYPE.search(page)
    at = anchor.end() if anchor else 0
    return page[:at] + "<head>" + meta + "</head>" + page[at:]
