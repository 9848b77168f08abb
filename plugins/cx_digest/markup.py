"""HTML fragments: the one clean-up policy, the summary rule, plain text.

Every fragment of editor-written HTML that leaves its story page (a story's
summary on an edition card, in a feed entry or an email, a story body in a
story feed, an edition file's note) goes through :func:`clean` once: one
allow-list policy, applied by nh3 (the Python binding of the Rust sanitiser
ammonia, which parses like a browser, html5ever). It keeps text formatting,
lists, quotes, tables, links and images, drops everything else (scripts and
style sheets with their content; frames, objects, embeds, forms, ``base``,
``meta``, SVG and MathML; event handlers, ``style``, ``class``, ``id``) and
every URL that is not ``http``, ``https``, ``mailto`` or ``tel``, however it
is spelt (entities, case, whitespace or control characters inside), and
makes every relative URL absolute against the fragment's own page.

Reading cleaned HTML back (plain text for descriptions, the email's text
twin and image sizes) is lxml's job (:func:`parse`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html import escape

import nh3
from lxml import etree, html


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


TAGS = _names(
    "a abbr b bdi bdo blockquote br caption cite code col colgroup dd del dfn "
    "div dl dt em figcaption figure h2 h3 h4 h5 h6 hr i img ins kbd li mark ol "
    "p pre q rp rt ruby s samp small span strong sub sup table tbody td tfoot "
    "th thead time tr u ul var wbr"
)
ATTRIBUTES = {
    "*": {"lang", "dir"},
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "dfn": {"title"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
}
# Removed together with everything inside them.
REMOVED_WITH_CONTENT = frozenset(
    {"script", "style", "template", "noscript", "svg", "math", "title"}
)
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
URL_ATTRIBUTES = frozenset({"href", "src"})

# A link target the caller resolves itself: (element, attribute, value) to
# the URL to use, or None to drop the attribute.
LinkResolver = Callable[[str, str, str], str | None]


def clean(fragment: str, base: str, resolve: LinkResolver | None = None) -> str:
    """``fragment`` under the policy, every URL absolute against ``base``.

    ``base`` is the absolute URL of the page the fragment belongs to (a
    story's page for its summary). ``resolve`` may rewrite ``href``/``src``
    values first (an edition note's ``{filename}`` links).
    """
    if not fragment:
        return ""

    def links(element: str, attribute: str, value: str) -> str | None:
        if attribute in URL_ATTRIBUTES:
            url = resolve(element, attribute, value) if resolve else value
            return None if url is None else as_browsers_read(url)
        return value

    cleaner = nh3.Cleaner(
        tags=set(TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        clean_content_tags=set(REMOVED_WITH_CONTENT),
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
        url_relative=("rewrite_with_base", base),
        attribute_filter=links,
    )
    return complete_images(cleaner.clean(fragment)).strip()


_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))
_TAB_NEWLINE = str.maketrans("", "", "\t\n\r")


def as_browsers_read(url: str) -> str:
    """A URL the policy kept, as a browser reads it (WHATWG URL): without
    surrounding spaces and control characters or inner tabs and newlines,
    inner spaces percent-encoded. The same address, written validly."""
    return url.strip(_C0_AND_SPACE).translate(_TAB_NEWLINE).replace(" ", "%20")


# An element's attributes as nh3 (html5ever) writes them: each one
# `` name="value"``, ``"`` escaped inside. Matching that fixed form of
# cleaned HTML is exact.
WRITTEN_ATTRIBUTES = r'((?: [^\s="]+="[^"]*")*)'
_WRITTEN_ATTRIBUTE = re.compile(r' ([^\s="]+)="([^"]*)"')
_IMAGE = re.compile(rf"<img{WRITTEN_ATTRIBUTES}>")


def written_attributes(text: str) -> dict[str, str]:
    """Name to (escaped) value of a :data:`WRITTEN_ATTRIBUTES` match."""
    return dict(_WRITTEN_ATTRIBUTE.findall(text))


def complete_images(cleaned: str) -> str:
    """Cleaned HTML, valid: without the images whose address the policy
    dropped, with ``alt=""`` on each image that had no ``alt`` (Pelican warns
    about images with an empty ``alt``)."""
    if "<img" not in cleaned:
        return cleaned

    def complete(match: re.Match[str]) -> str:
        attributes = written_attributes(match.group(1))
        if "src" not in attributes:
            return ""
        if "alt" in attributes:
            return match.group(0)
        return f'<img{match.group(1)} alt="">'

    return _IMAGE.sub(complete, cleaned)


_FIRST_P = re.compile(r"<p[\s>].*?</p>", re.DOTALL | re.IGNORECASE)
_MORE = re.compile(r"<!--\s*more\s*-->", re.IGNORECASE)


def summary_of(body_html: str) -> str:
    """The summary rule: the body above a ``<!-- more -->`` line, else its
    first paragraph (the whole body when it has no paragraph); a marker
    with nothing above it counts as none."""
    parts = _MORE.split(body_html, maxsplit=1)
    if len(parts) == 2:
        above = parts[0].strip()
        if above:
            return above
        body_html = parts[1]
    match = _FIRST_P.search(body_html)
    return match.group(0) if match else body_html.strip()


# -- reading cleaned HTML (lxml) ------------------------------------------------

# Elements that start a new block of text (the rest run on in a line).
BLOCKS = _names(
    "p div ul ol li dl dt dd blockquote pre table caption tr figure figcaption "
    "h1 h2 h3 h4 h5 h6 hr"
)
SKIPPED = frozenset({"script", "style", "template", "svg", "math", "noscript"})


def parse(fragment: str) -> html.HtmlElement:
    """``fragment`` as the children of one ``<div>`` element."""
    return html.fragment_fromstring(fragment or "", create_parent="div")


def serialize(container: html.HtmlElement) -> str:
    """The children of ``container`` (from :func:`parse`) as HTML."""
    text = escape(container.text, quote=False) if container.text else ""
    children = "".join(html.tostring(child, encoding="unicode") for child in container)
    return text + children


def text_nodes(element: etree._Element, *, images: bool = True) -> Iterator[str]:
    """The text inside ``element`` (not its tail) in order: blocks set apart
    by spaces, images as ``[alt]``; scripts, styles and comments left out."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if not tag or tag in SKIPPED:
        return
    if tag in BLOCKS or tag == "br":
        yield " "
    if tag == "img" and images:
        alt = " ".join((element.get("alt") or "").split())
        yield f"[{alt}]" if alt else ""
    if element.text:
        yield element.text
    for child in element:
        yield from text_nodes(child, images=images)
        if child.tail:
            yield child.tail
    if tag in BLOCKS:
        yield " "


def plain_text(fragment: str) -> str:
    """An HTML fragment as one line of plain text (entities resolved)."""
    if not fragment or not fragment.strip():
        return ""
    return line_of(parse(fragment))


def line_of(container: html.HtmlElement) -> str:
    """A parsed fragment (:func:`parse`) as one line of plain text."""
    return " ".join("".join(text_nodes(container, images=False)).split())
