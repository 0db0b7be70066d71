"""Folium maps that open without network access: Leaflet inlined from installed packages.

folium's ``Map`` links Leaflet, jQuery, Bootstrap, Font Awesome and the awesome-markers plugin
from public CDNs; on a government intranet such a page shows a blank map. :class:`OfflineMap`
replaces those links with Leaflet (and, only when the page uses it, jQuery) read from the PyPI
packages ``xstatic-leaflet`` and ``xstatic-jquery`` and inlined into the page; Bootstrap, Font
Awesome and awesome-markers are dropped (our maps use none of their features).
"""

from __future__ import annotations

import base64
import functools
import re
from html.parser import HTMLParser
from pathlib import Path

import folium
from branca.element import CssLink, Element, Figure, JavascriptLink

from govanalytics.privacy import with_content_security_policy

__all__ = ["OfflineMap", "external_references", "map_html", "save_map"]

#: folium/branca asset names we inline from xstatic packages.
_INLINE_JS = ("leaflet", "jquery")
_INLINE_CSS = ("leaflet_css",)
#: folium asset names we drop: our maps use no Bootstrap, Font Awesome or awesome-markers.
_DROP = {
    "bootstrap",
    "bootstrap_css",
    "glyphicons_css",
    "awesome_markers",
    "awesome_markers_css",
    "awesome_markers_font_css",
    "awesome_rotate_css",
}
_SOURCE_MAP = re.compile(r"^\s*//[#@] sourceMappingURL=.*$", re.MULTILINE)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_CSS_URL = re.compile(r"url\(\s*['\"]?(images/[^'\")]+)['\"]?\s*\)")


def _xstatic_dir(module: str) -> Path:
    import importlib

    return Path(importlib.import_module(module).BASE_DIR)


@functools.cache
def _leaflet_js() -> str:
    code = (_xstatic_dir("xstatic.pkg.leaflet") / "leaflet.js").read_text(encoding="utf-8")
    return _SOURCE_MAP.sub("", code)


@functools.cache
def _marker_icons_js() -> str:
    """Point Leaflet's default marker icon at ``data:`` URIs (it would fetch images/*.png)."""
    images = _xstatic_dir("xstatic.pkg.leaflet") / "images"

    def uri(name: str) -> str:
        return "data:image/png;base64," + base64.b64encode((images / name).read_bytes()).decode()

    return (
        "L.Icon.Default.imagePath = '';\n"
        f"L.Icon.Default.mergeOptions({{iconUrl: '{uri('marker-icon.png')}', "
        f"iconRetinaUrl: '{uri('marker-icon-2x.png')}', "
        f"shadowUrl: '{uri('marker-shadow.png')}'}});"
    )


@functools.cache
def _leaflet_css() -> str:
    """leaflet.css without comments, its images turned into ``data:`` URIs."""
    base = _xstatic_dir("xstatic.pkg.leaflet")
    css = _CSS_COMMENT.sub("", (base / "leaflet.css").read_text(encoding="utf-8"))

    def data_uri(match: re.Match) -> str:
        png = (base / match.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(png).decode('ascii')})"

    return _CSS_URL.sub(data_uri, css)


@functools.cache
def _jquery_js() -> str:
    code = (_xstatic_dir("xstatic.pkg.jquery") / "jquery.min.js").read_text(encoding="utf-8")
    return _SOURCE_MAP.sub("", code)


def _inline_script(code: str) -> Element:
    # "</script" cannot appear inside an inline script; the packaged files have none, but guard.
    return Element("<script>" + code.replace("</script", "<\\/script") + "</script>")


def _inline_style(css: str) -> Element:
    return Element("<style>" + css + "</style>")


def _uses_jquery(figure: Figure) -> bool:
    text = "".join(child.render() for child in figure.script._children.values())
    return "$(" in text or "jQuery" in text


class OfflineMap(folium.Map):
    """A :class:`folium.Map` whose page carries Leaflet inline and fetches nothing.

    Behaves as ``folium.Map`` (``add_child``, ``fit_bounds``, ``save``, ``_repr_html_``), but
    when rendered, every link to Leaflet, jQuery, Bootstrap, Font Awesome or awesome-markers is
    replaced by Leaflet's code read from the installed ``xstatic-leaflet`` package (its images
    as ``data:`` URIs), jQuery from ``xstatic-jquery`` only if some script on the page uses it,
    and nothing for the rest. In a notebook, ``display(m)`` embeds that same page (an
    ``<iframe srcdoc>``), so the map draws offline there too.

    Links added by other folium plugins are left in place; :func:`external_references` finds
    them. Tiles are off unless passed (``tiles=None`` by default), since a tile server is a
    network fetch.
    """

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("tiles", None)
        kwargs.setdefault("attribution_control", False)
        super().__init__(*args, **kwargs)
        # no CDN links of our own; what descendants add is swapped in render()
        self.default_js: list[tuple[str, str]] = []
        self.default_css: list[tuple[str, str]] = []

    def render(self, **kwargs) -> None:  # type: ignore[override]  # folium's returns None too
        """Render into the parent figure, then swap CDN links for inlined assets."""
        super().render(**kwargs)
        figure = self.get_root()
        if not isinstance(figure, Figure):
            return
        header = figure.header
        rest = {}
        for name, child in header._children.items():
            if isinstance(child, JavascriptLink | CssLink) and (
                name in _DROP or name in _INLINE_JS or name in _INLINE_CSS
            ):
                continue
            if name.startswith("govanalytics_"):
                continue
            rest[name] = child
        assets = {"govanalytics_leaflet_css": _inline_style(_leaflet_css())}
        assets["govanalytics_leaflet"] = _inline_script(_leaflet_js() + "\n" + _marker_icons_js())
        if _uses_jquery(figure):
            assets["govanalytics_jquery"] = _inline_script(_jquery_js())
        for element in assets.values():
            element._parent = header
        header._children.clear()
        # the meta tag first, then our assets, then everything else (plugins need L first)
        if "meta_http" in rest:
            header._children["meta_http"] = rest.pop("meta_http")
        header._children.update(assets)
        header._children.update(rest)


def map_html(m: folium.Map) -> str:
    """The full standalone HTML page of a map, every asset inlined.

    Parameters
    ----------
    m
        A map made by this package (an :class:`OfflineMap`); a plain ``folium.Map`` is rendered
        as folium renders it (with CDN links) — check with :func:`external_references`.

    Returns
    -------
    str
        ``<!DOCTYPE html>`` page; for maps of this package without tiles it fetches nothing.
        It carries a strict Content-Security-Policy that lets only its own inline scripts run
        (:func:`govanalytics.privacy.with_content_security_policy`).
    """
    return with_content_security_policy(m.get_root().render(), scripts="inline")


def save_map(m: folium.Map, path: str | Path) -> Path:
    """Write :func:`map_html` of ``m`` to ``path`` (UTF-8) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(map_html(m), encoding="utf-8")
    return path


# --- finding what a page would fetch -------------------------------------------------------

_CSS_REF = re.compile(
    r"""url\(\s*(['"]?)([^'")]*?)\1\s*\)|@import\s+(['"])([^'"]+)\3""", re.IGNORECASE
)
# absolute URL string literals in inline scripts (e.g. a tile URL template)
_JS_URL = re.compile(r"""(?<!href=)(['"`])((?:https?:)?//[^'"`\s]+)\1""", re.IGNORECASE)
_NAMESPACES = ("http://www.w3.org/",)
_FETCH_ATTRS = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "input": ("src",),
    "object": ("data",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
    "body": ("background",),
}
_LINK_FETCH_RELS = {"stylesheet", "icon", "shortcut", "preload", "prefetch", "modulepreload",
                    "apple-touch-icon", "manifest", "import"}  # fmt: skip


def _is_local(url: str, *, relative: bool) -> bool:
    u = url.strip()
    low = u.lower()
    if not u or low.startswith(("data:", "blob:", "about:", "javascript:", "#", "mailto:")):
        return True
    if low.startswith(_NAMESPACES):
        return True
    absolute = bool(re.match(r"^[a-z][a-z0-9+.-]*:", low)) or low.startswith("//")
    return not absolute and not relative


class _RefParser(HTMLParser):
    def __init__(self, relative: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.relative = relative
        self.refs: list[str] = []
        self._in: str | None = None

    def _add(self, url: str) -> None:
        if not _is_local(url, relative=self.relative):
            self.refs.append(url.strip())

    def _css(self, text: str) -> None:
        for m in _CSS_REF.finditer(text):
            self._add(m.group(2) if m.group(2) is not None else m.group(4))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        for attr in _FETCH_ATTRS.get(tag, ()):
            if attr in values:
                if attr == "srcset":
                    for part in values[attr].split(","):
                        if part.strip():
                            self._add(part.split()[0])
                else:
                    self._add(values[attr])
        if tag == "link" and "href" in values:
            rels = set(values.get("rel", "").lower().split())
            if rels & _LINK_FETCH_RELS:
                self._add(values["href"])
        if "style" in values:
            self._css(values["style"])
        if tag == "iframe" and values.get("srcdoc"):
            self.refs.extend(external_references(values["srcdoc"], relative=self.relative))
        if tag in ("style", "script"):
            self._in = tag

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("style", "script"):
            self._in = None

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            self._css(data)
        elif self._in == "script":
            for m in _JS_URL.finditer(data):
                self._add(m.group(2))


def external_references(html: str, *, relative: bool = False) -> list[str]:
    """Every URL outside the page that a browser opening ``html`` would fetch.

    Looks at ``<script src>``, ``<link href>`` (stylesheets, icons, preloads), ``src``/
    ``srcset`` of images, frames and media, ``url(...)`` and ``@import`` in ``<style>`` blocks
    and ``style`` attributes, pages embedded as ``<iframe srcdoc>`` (as in notebook output of
    folium maps, searched recursively), and absolute URL string literals in inline scripts
    (such as a tile URL template; a heuristic — XML namespace URIs such as
    ``http://www.w3.org/2000/svg`` and ``href="…"`` anchors inside strings are not fetches).
    Plain ``<a href>`` links are not fetches and are not reported.

    Parameters
    ----------
    html
        The page's text.
    relative
        Also report relative URLs (files expected beside the page). Default ``False``: only
        absolute URLs (``http:``, ``https:``, ``//host``, ``file:`` …) are reported.

    Returns
    -------
    list of str
        The URLs in page order, duplicates kept; empty when the page is self-contained.

    Examples
    --------
    >>> external_references('<script src="https://cdn.example.org/x.js"></script>')
    ['https://cdn.example.org/x.js']
    """
    parser = _RefParser(relative)
    parser.feed(html)
    parser.close()
    return parser.refs
