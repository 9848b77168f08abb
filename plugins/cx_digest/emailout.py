"""The email edition: ``email.html``, ``email.txt`` and ``email.eml``.

For every edition, next to its page:

- ``email.html``: the edition laid out for email clients (nested
  ``role="presentation"`` tables about 600 px wide), rendered from the
  ``email/edition.html`` template, then every CSS rule of its ``<style>``
  block inlined into ``style`` attributes with css-inline; only the
  ``@media`` rules for phones stay in a ``<style>`` element.
- ``email.txt``: its plain-text twin, from ``email/edition.txt``.
- ``email.eml``: a ``multipart/alternative`` message holding both, with a
  deterministic boundary, ``Date`` and ``Message-ID`` so two builds give the
  same bytes.

Templates are looked up on the generator's Jinja environment, theme first:
a theme overrides them by shipping ``templates/email/<same name>``.
"""

from __future__ import annotations

import logging
import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email import quoprimime
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, getaddresses
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import css_inline
from bs4 import BeautifulSoup, NavigableString, Tag

from . import text as text_module
from .model import Edition, Image, Story
from .settings import DigestSettings, SettingsError, _bool, _int, _path_pattern, _str

if TYPE_CHECKING:
    from .generator import DigestGenerator

logger = logging.getLogger("cx_digest")

# Width of the email's content column (600 px container minus 2 x 24 px).
CONTENT_WIDTH = 552
# Assumed shape of an image whose size the build cannot read (a remote URL):
# its width/height attributes use 3:2; the inline ``height:auto`` lets
# clients that honour CSS (nearly all) keep the real aspect ratio.
UNKNOWN_RATIO = (3, 2)
TEXT_WIDTH = 72
PREHEADER_CHARS = 140
# Zero-width filler after the preheader, so clients do not pull the start of
# the body into the inbox preview line.
PREHEADER_PADDING = "\u034f\u200c\u00a0" * 90

# Elements an email must not carry; removed from summaries and notes.
_DROP = ("script", "style", "link", "iframe", "object", "embed", "form", "svg")
_DROP_KEEP_TEXT = ("video", "audio", "noscript", "button", "input", "select")
_BLOCKS = {
    "p",
    "div",
    "ul",
    "ol",
    "li",
    "blockquote",
    "pre",
    "table",
    "tr",
    "figure",
    "figcaption",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
}


@dataclass(frozen=True)
class EmailSettings:
    html: bool
    text: bool
    eml: bool
    html_save_as: str
    text_save_as: str
    eml_save_as: str
    sender: str
    to: str
    list_unsubscribe: tuple[str, ...]
    max_bytes: int
    host: str

    @property
    def enabled(self) -> bool:
        return self.html or self.text or self.eml

    @property
    def unsubscribe_url(self) -> str:
        """The link shown in the footers: the first https URL, else mailto."""
        for url in self.list_unsubscribe:
            if url.startswith(("https://", "http://")):
                return url
        return self.list_unsubscribe[0] if self.list_unsubscribe else ""


def _address(values: Mapping[str, Any], key: str, default: str) -> str:
    value = _str(values, key).strip() or default
    if value == "":
        return ""
    pairs = getaddresses([value])
    ok = (
        "\n" not in value
        and "\r" not in value
        and len(pairs) >= 1
        and all(
            re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", addr) for _, addr in pairs
        )
    )
    if not ok:
        raise SettingsError(
            f"cx_digest: setting {key} = {value!r} is invalid: expected an address "
            "such as 'CX Daily <newsletter@news.example.com>'"
        )
    return value


def load(digest: DigestSettings) -> EmailSettings:
    """Read and validate the ``CX_DIGEST_EMAIL_*`` settings."""
    values = digest.raw
    host = urlsplit(digest.public_url).hostname or "localhost"
    sender = _address(
        values, "CX_DIGEST_EMAIL_FROM", f"{digest.name} <newsletter@{host}>"
    )
    unsubscribe = values["CX_DIGEST_EMAIL_LIST_UNSUBSCRIBE"]
    key = "CX_DIGEST_EMAIL_LIST_UNSUBSCRIBE"
    if isinstance(unsubscribe, str):
        unsubscribe = [unsubscribe] if unsubscribe.strip() else []
    if not isinstance(unsubscribe, list | tuple) or not all(
        isinstance(u, str)
        and re.fullmatch(r"(https?://[^\s<>,]+|mailto:[^\s<>,]+@[^\s<>,]+)", u)
        for u in unsubscribe
    ):
        raise SettingsError(
            f"cx_digest: setting {key} = {unsubscribe!r} is invalid: expected a "
            "list of https:// and mailto: URLs (without spaces, commas or <>)"
        )
    email = EmailSettings(
        html=_bool(values, "CX_DIGEST_EMAIL_HTML"),
        text=_bool(values, "CX_DIGEST_EMAIL_TEXT"),
        eml=_bool(values, "CX_DIGEST_EMAIL_EML"),
        html_save_as=_path_pattern(values, "CX_DIGEST_EMAIL_HTML_SAVE_AS", "date"),
        text_save_as=_path_pattern(values, "CX_DIGEST_EMAIL_TEXT_SAVE_AS", "date"),
        eml_save_as=_path_pattern(values, "CX_DIGEST_EMAIL_EML_SAVE_AS", "date"),
        sender=sender,
        to=_address(values, "CX_DIGEST_EMAIL_TO", ""),
        list_unsubscribe=tuple(unsubscribe),
        max_bytes=_int(values, "CX_DIGEST_EMAIL_MAX_BYTES", 0),
        host=host,
    )
    for flag, save_as, name in (
        (email.html, email.html_save_as, "CX_DIGEST_EMAIL_HTML_SAVE_AS"),
        (email.text, email.text_save_as, "CX_DIGEST_EMAIL_TEXT_SAVE_AS"),
        (email.eml, email.eml_save_as, "CX_DIGEST_EMAIL_EML_SAVE_AS"),
    ):
        if flag and not save_as:
            raise SettingsError(
                f"cx_digest: setting {name} = '' is invalid: expected a path with "
                f"{{date}} (or turn the output off with {name[:-8]} = False)"
            )
    paths = [
        p
        for flag, p in (
            (email.html, email.html_save_as),
            (email.text, email.text_save_as),
            (email.eml, email.eml_save_as),
        )
        if flag
    ]
    if len(set(paths)) != len(paths):
        raise SettingsError(
            "cx_digest: settings CX_DIGEST_EMAIL_*_SAVE_AS are invalid: the email "
            f"outputs need distinct paths, got {paths!r}"
        )
    return email


# -- images and HTML fragments ---------------------------------------------


@dataclass(frozen=True)
class EmailImage:
    """An image as the email shows it: absolute src and display size."""

    src: str
    alt: str
    width: int
    height: int


def display_size(width: int | None, height: int | None) -> tuple[int, int]:
    """Width/height attributes for an image in the content column."""
    if not width or not height:
        w, h = UNKNOWN_RATIO
        return CONTENT_WIDTH, round(CONTENT_WIDTH * h / w)
    shown = min(width, CONTENT_WIDTH)
    return shown, max(1, round(height * shown / width))


def _local_size(generator: DigestGenerator, site_path: str) -> tuple[int, int] | None:
    rel = site_path.lstrip("/").split("?", 1)[0].split("#", 1)[0]
    for base in (generator.path, generator.output_path):
        candidate = Path(base) / rel
        if candidate.is_file():
            return generator.image_size(str(candidate))
    return None


def _absolute(url: str, base: str, public_url: str) -> str:
    """``url`` (site-root, relative or absolute) as an absolute URL."""
    url = url.strip()
    if url.startswith("//"):
        return "https:" + url
    if url.startswith("/"):
        return public_url.rstrip("/") + url
    if text_module.has_scheme(url):
        return url
    return urljoin(base, url)


# -- fast path for regular Markdown fragments ---------------------------------
#
# Summaries and notes are small, regular Markdown output. Parsing each with
# BeautifulSoup (twice: once to clean it, once for the text twin) was most of
# the email phase, so fragments made only of the tags and entities below are
# handled by a strict tokenizer instead. Anything else (other tags, comments,
# unquoted or event attributes, other entities, misnested tags, stray "<")
# goes to BeautifulSoup; both paths give the same output (tested).

_FAST_TAGS = frozenset(
    [
        "p",
        "a",
        "em",
        "strong",
        "b",
        "i",
        "code",
        "pre",
        "ul",
        "ol",
        "li",
        "blockquote",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "img",
        "br",
        "hr",
        "sup",
        "sub",
        "span",
        "del",
    ]
)
_VOID = frozenset(("img", "br", "hr"))
_PIECES = re.compile(r"(<[^<>]*>)")
_FAST_TAG = re.compile(
    r'<(?P<end>/?)(?P<name>[a-z][a-z0-9]*)(?P<attrs>(?:\s+[a-z][a-z0-9-]*="[^"]*")*)'
    r"\s*(?P<close>/?)>"
)
_FAST_ATTR = re.compile(r'\s+([a-z][a-z0-9-]*)="([^"]*)"')
_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|#39|nbsp);")
_ENTITIES = {
    "&amp;": "&",
    "&lt;": "<",
    "&gt;": ">",
    "&quot;": '"',
    "&#39;": "'",
    "&nbsp;": "\xa0",
}
# BeautifulSoup splits and re-joins these; the fast path takes them as is only
# when that changes nothing.
_LIST_ATTRS = frozenset(
    ("class", "rel", "rev", "accept-charset", "headers", "accesskey", "dropzone")
)

# A parsed fragment: text is str, an element is (name, attrs, children).
_Node = Any


def _unescape(raw: str) -> str | None:
    """Entities of the fast path resolved; None when others occur."""
    if "&" not in raw:
        return raw
    if "&" in _ENTITY.sub("", raw):
        return None
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(0)], raw)


def _fast_parse(fragment: str) -> list[_Node] | None:
    """``fragment`` as a tree when it is in the fast subset, else None."""
    root: list[_Node] = []
    stack: list[tuple[str, list[_Node]]] = [("", root)]
    for index, piece in enumerate(_PIECES.split(fragment)):
        if not piece:
            continue
        if index % 2 == 0:  # text
            if "<" in piece:
                return None
            text = _unescape(piece)
            if text is None:
                return None
            if not text.strip(" \n\t\f\r") and all(n != "pre" for n, _ in stack):
                # BeautifulSoup keeps a blank string as one newline or space.
                text = "\n" if "\n" in text else " "
            stack[-1][1].append(text)
            continue
        match = _FAST_TAG.fullmatch(piece)
        if match is None:
            return None
        name = match.group("name")
        if name not in _FAST_TAGS:
            return None
        if match.group("end"):
            if match.group("attrs") or match.group("close") or stack[-1][0] != name:
                return None
            stack.pop()
            continue
        void = name in _VOID
        if match.group("close") and not void:
            return None
        attrs: dict[str, str] = {}
        for key, raw in _FAST_ATTR.findall(match.group("attrs")):
            value = _unescape(raw)
            if (
                value is None
                or key in attrs
                or key.startswith("on")
                or key in ("srcset", "loading", "style")
                or '"' in value
                or "'" in value
                or (
                    key in _LIST_ATTRS
                    and (not value or value != " ".join(value.split()))
                )
            ):
                return None
            attrs[key] = value
        children: list[_Node] = []
        stack[-1][1].append((name, attrs, children))
        if not void:
            stack.append((name, children))
    if len(stack) != 1:
        return None
    return root


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _serialize(nodes: list[_Node], out: list[str]) -> None:
    """BeautifulSoup's ``str()`` of the nodes (minimal formatter)."""
    for node in nodes:
        if isinstance(node, str):
            out.append(_escape_text(node))
            continue
        name, attrs, children = node
        out.append("<" + name)
        for key in sorted(attrs):
            out.append(f' {key}="{_escape_text(attrs[key])}"')
        if name in _VOID:
            out.append("/>")
            continue
        out.append(">")
        _serialize(children, out)
        out.append(f"</{name}>")


def _fast_clean(
    nodes: list[_Node],
    base: str,
    public_url: str,
    size_of: Callable[[str], tuple[int, int] | None],
) -> bool:
    """:func:`clean_fragment` on a fast tree, in place; False to fall back."""
    for node in nodes:
        if isinstance(node, str):
            continue
        name, attrs, children = node
        for attr in ("href", "src"):
            value = attrs.get(attr)
            if value is not None:
                if value.strip().lower().startswith(("javascript:", "data:")):
                    del attrs[attr]
                else:
                    attrs[attr] = _absolute(value, base, public_url)
                    if '"' in attrs[attr] or "'" in attrs[attr]:
                        return False
        if name == "img":
            src = attrs.get("src")
            if src is None:
                return False
            local = None
            prefix = public_url.rstrip("/")
            if src.startswith(prefix + "/"):
                local = size_of(src[len(prefix) :])
            width, height = display_size(*(local or (None, None)))
            attrs["width"] = str(width)
            attrs["height"] = str(height)
            if not attrs.get("alt"):
                attrs["alt"] = ""
        if not _fast_clean(children, base, public_url, size_of):
            return False
    return True


def _strings(nodes: list[_Node], out: list[str]) -> None:
    """The strings ``get_text`` sees inside a link (images as ``[alt]``)."""
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
            continue
        name, attrs, children = node
        if name == "img":
            alt = attrs.get("alt", "").strip()
            out.append(f"[{alt}]" if alt else "")
        else:
            _strings(children, out)


def _link_text(attrs: dict[str, str], children: list[_Node]) -> str:
    strings: list[str] = []
    _strings(children, strings)
    label = " ".join(" ".join(strings).split())
    href = attrs.get("href")
    if href and not href.startswith("#"):
        return f"<{href}>" if label in ("", href) else f"{label} <{href}>"
    return label


def _text_marks(nodes: list[_Node], out: list[str], in_item: bool) -> bool:
    """The text :func:`html_to_text` builds before wrapping; False to fall back."""
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
            continue
        name, attrs, children = node
        if name == "a":
            if _has(children, "a"):
                return False
            out.append(_link_text(attrs, children))
        elif name == "img":
            alt = attrs.get("alt", "").strip()
            out.append(f"[{alt}]" if alt else "")
        elif name == "br":
            out.append("\n")
        elif name == "li":
            out.append("\n\x00- ")
            if not _text_marks(children, out, True):
                return False
        elif name == "p" and in_item:  # unwrapped inside list items
            if not _text_marks(children, out, in_item):
                return False
        elif name in _BLOCKS:
            out.append("\n\n\x02\n")
            if not _text_marks(children, out, in_item):
                return False
            out.append("\n\n")
        elif not _text_marks(children, out, in_item):
            return False
    return True


def _has(nodes: list[_Node], wanted: str) -> bool:
    return any(
        not isinstance(node, str) and (node[0] == wanted or _has(node[2], wanted))
        for node in nodes
    )


def clean_fragment(
    fragment: str,
    base: str,
    public_url: str,
    size_of: Callable[[str], tuple[int, int] | None],
) -> str:
    """A summary or note made fit for email.

    Scripts, forms, frames, SVG and styles are dropped; every URL becomes
    absolute (site-root ``/path`` against the public address, anything
    else against ``base``); every image gets alt, width and height.
    """
    nodes = _fast_parse(fragment)
    if nodes is not None and _fast_clean(nodes, base, public_url, size_of):
        out: list[str] = []
        _serialize(nodes, out)
        return "".join(out)
    return _soup_clean_fragment(fragment, base, public_url, size_of)


def _soup_clean_fragment(
    fragment: str,
    base: str,
    public_url: str,
    size_of: Callable[[str], tuple[int, int] | None],
) -> str:
    """:func:`clean_fragment` with BeautifulSoup: any fragment at all."""
    soup = BeautifulSoup(fragment, "html.parser")
    for tag in soup.find_all(_DROP):
        tag.decompose()
    for tag in soup.find_all(_DROP_KEEP_TEXT):
        tag.unwrap()
    for tag in soup.find_all(True):
        for attr in list(tag.attrs):
            if attr.lower().startswith("on") or attr.lower() in ("srcset", "loading"):
                del tag.attrs[attr]
        for attr in ("href", "src"):
            value = tag.get(attr)
            if isinstance(value, str):
                if value.strip().lower().startswith(("javascript:", "data:")):
                    del tag.attrs[attr]
                else:
                    tag[attr] = _absolute(value, base, public_url)
    for img in soup.find_all("img"):
        src = img.get("src")
        if not isinstance(src, str):
            img.decompose()
            continue
        local = None
        if src.startswith(public_url.rstrip("/") + "/"):
            local = size_of(src[len(public_url.rstrip("/")) :])
        width, height = display_size(*(local or (None, None)))
        img["width"] = str(width)
        img["height"] = str(height)
        if not img.get("alt"):
            img["alt"] = ""
    return str(soup)


def html_to_text(fragment: str, width: int = TEXT_WIDTH, indent: str = "") -> str:
    """An HTML fragment as wrapped plain-text paragraphs.

    Links keep their address as ``text <url>`` (or the bare URL when the text
    is the URL), images become ``[alt]``, list items start with ``- ``.
    URLs are never broken across lines.
    """
    nodes = _fast_parse(fragment)
    marks: list[str] = []
    if nodes is not None and _text_marks(nodes, marks, False):
        return _fill_text("".join(marks), width, indent)
    return _fill_text(_soup_text_marks(fragment), width, indent)


def _soup_text_marks(fragment: str) -> str:
    """The text before wrapping, with BeautifulSoup: any fragment at all."""
    soup = BeautifulSoup(fragment, "html.parser")
    for tag in soup.find_all(("script", "style", "svg")):
        tag.decompose()
    for img in soup.find_all("img"):
        alt = (img.get("alt") or "").strip() if isinstance(img.get("alt"), str) else ""
        img.replace_with(NavigableString(f"[{alt}]" if alt else ""))
    for link in soup.find_all("a"):
        href = link.get("href")
        label = " ".join(link.get_text(" ").split())
        if isinstance(href, str) and href and not href.startswith("#"):
            text = f"<{href}>" if label in ("", href) else f"{label} <{href}>"
        else:
            text = label
        link.replace_with(NavigableString(text))
    for br in soup.find_all("br"):
        br.replace_with(NavigableString("\n"))
    for item in soup.find_all("li"):
        for inner in item.find_all("p"):  # loose lists: one line an item
            inner.unwrap()
    for tag in soup.find_all(True):
        if isinstance(tag, Tag) and tag.name == "li":
            tag.insert_before(NavigableString("\n\x00- "))
        elif isinstance(tag, Tag) and tag.name in _BLOCKS:
            # \x02 holds the blank line before a list (see below).
            tag.insert_before(NavigableString("\n\n\x02\n"))
            tag.insert_after(NavigableString("\n\n"))
    return soup.get_text()


def _fill_text(marked: str, width: int, indent: str) -> str:
    # The items of a list stay on adjacent lines; blocks are blank-line apart.
    raw = re.sub(r"\n\s*(?=\x00- )", "\n", marked).replace("\x02", "")
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", raw):
        filled: list[str] = []
        for line in block.split("\n"):
            line = " ".join(line.replace("\x00", "\x00 ").split())
            if not line:
                continue
            if line.startswith("\x00 - "):
                filled.append(wrap(line[4:], width, indent + "- ", indent + "  "))
            else:
                filled.append(wrap(line.replace("\x00 ", ""), width, indent))
        if filled:
            paragraphs.append("\n".join(filled))
    return "\n\n".join(paragraphs)


def wrap(
    text: str, width: int = TEXT_WIDTH, indent: str = "", rest: str | None = None
) -> str:
    """Wrap one paragraph at ``width`` without breaking words or URLs.

    The same lines as ``textwrap.fill`` with ``break_long_words`` and
    ``break_on_hyphens`` off (a word longer than a line gets a line of its
    own), in a fraction of its time.
    """
    rest = indent if rest is None else rest
    words = text.split()
    if not words:
        return ""
    if width - len(indent) < 1 or width - len(rest) < 1:
        return _textwrap_fill(" ".join(words), width, indent, rest)
    lines: list[str] = []
    line = [indent, words[0]]
    used = len(words[0])
    room = width - len(indent)
    for word in words[1:]:
        if used + 1 + len(word) <= room:
            line.append(" ")
            line.append(word)
            used += 1 + len(word)
        else:
            lines.append("".join(line))
            line = [rest, word]
            used = len(word)
            room = width - len(rest)
    lines.append("".join(line))
    return "\n".join(lines)


def _textwrap_fill(text: str, width: int, indent: str, rest: str) -> str:
    """:func:`wrap` by ``textwrap`` itself (odd widths; the tests' reference)."""
    return textwrap.fill(
        " ".join(text.split()),
        width=width,
        initial_indent=indent,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )


def preheader(edition: Edition) -> str:
    """The inbox preview: the lead headline and the start of its summary."""
    if edition.lead is None:
        return edition.title
    lead = edition.lead
    summary = text_module.plain_text(lead.summary)
    headline = lead.headline
    if summary:
        stop = "" if headline.endswith((".", "?", "!", "…")) else "."
        full = f"{headline}{stop} {summary}"
    else:
        full = headline
    if len(full) <= PREHEADER_CHARS:
        return full
    cut = full[:PREHEADER_CHARS].rsplit(" ", 1)[0].rstrip(",;:.–— ")
    return cut + "…"


# -- rendering --------------------------------------------------------------


_INLINER = css_inline.CSSInliner(
    inline_style_tags=True,
    keep_style_tags=False,
    keep_link_tags=False,
    keep_at_rules=True,
    minify_css=True,
    load_remote_stylesheets=False,
)


_KEPT_STYLE = re.compile(
    r"<head>\s*(?P<style><style>.*?</style>)(?P<rest>.*?)</head>", re.DOTALL
)


def inline_css(document: str) -> str:
    """Inline the ``<style>`` rules into ``style`` attributes; keep ``@media``.

    css-inline puts the kept ``@media`` rules first in ``<head>``; they move
    to its end so ``<meta charset>`` stays the first element.
    """
    inlined = _INLINER.inline(document)
    return _KEPT_STYLE.sub(
        lambda m: f"<head>{m.group('rest').rstrip()}\n{m.group('style')}\n</head>",
        inlined,
        count=1,
    )


def fold_header(name: str, value: str, width: int = 78, linesep: str = "\r\n") -> str:
    """``Name: value`` folded at spaces into lines of at most ``width``.

    A word longer than a line stays whole (lines stay far below 998).
    """
    words = value.split(" ")
    lines = [f"{name}: {words[0]}"]
    for word in words[1:]:
        if len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(" " + word)
    return linesep.join(lines) + linesep


class MailPolicy(EmailPolicy):
    """The SMTP policy (CRLF, 78 columns) with plain folding of ASCII headers.

    Python moves a whole header value to a continuation line when it fits
    there but not after the name (``Subject:\r\n CX Daily: ...``), which
    its own parser then reads back with a leading space. ASCII values are
    folded at spaces here instead; others (RFC 2047 words) go to Python.
    """

    def _fold(self, name: str, value: Any, refold_binary: bool = False) -> str:
        text = str(value)
        if text.isascii() and not re.search(r"[\r\n]|\s\s", text):
            return fold_header(name, text, self.max_line_length or 78, self.linesep)
        return super()._fold(name, value, refold_binary)


MAIL_POLICY = MailPolicy(linesep="\r\n")


def _tidy_text(rendered: str) -> str:
    lines = [line.rstrip() for line in rendered.replace("\r\n", "\n").split("\n")]
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    return body + "\n"


@dataclass
class EmailEdition:
    html: str
    text: str
    eml: bytes


class EmailRenderer:
    """Renders one edition's email outputs with the generator's templates."""

    def __init__(self, generator: DigestGenerator, settings: EmailSettings) -> None:
        self.generator = generator
        self.settings = settings
        self.digest = generator.digest
        self.public_url = generator.digest.public_url
        # Summaries of the edition being rendered (both templates use them).
        self.summaries: dict[tuple[str, str], str] = {}
        self._constant_headers: tuple[str, str] | None = None
        self._templates: tuple[Any, Any] | None = None

    def image(self, image: Image | None) -> EmailImage | None:
        if image is None:
            return None
        width, height = display_size(image.width, image.height)
        alt = image.alt or image.caption
        return EmailImage(self.digest.absolute(image.src), alt, width, height)

    def fragment(self, html: str, base_path: str) -> str:
        base = self.digest.absolute(base_path)
        return clean_fragment(
            html,
            base,
            self.public_url,
            lambda path: _local_size(self.generator, path),
        )

    def summary(self, story: Story) -> str:
        """The story's summary for email; both templates use it, so once."""
        key = (story.url, story.slug)
        if key not in self.summaries:
            self.summaries[key] = self.fragment(story.summary, story.url)
        return self.summaries[key]

    def context(self, edition: Edition) -> dict[str, Any]:
        email = self.settings
        return {
            **self.generator.context,
            "SITEURL": self.public_url,
            "edition": edition,
            "edition_url": self.digest.absolute(edition.url),
            "archive_url": (
                self.digest.absolute(self.digest.archive_url)
                if self.digest.archive_save_as
                else ""
            ),
            "email_preheader": preheader(edition),
            "email_preheader_padding": PREHEADER_PADDING,
            "email_image": self.image,
            "email_summary": self.summary,
            "email_note": self.fragment(edition.note_html, edition.url),
            "email_text": html_to_text,
            "email_wrap": wrap,
            "email_unsubscribe_url": email.unsubscribe_url,
            "email_settings": email,
            "email_rule": "=" * TEXT_WIDTH,
            "email_thin_rule": "-" * TEXT_WIDTH,
        }

    def render(self, edition: Edition) -> EmailEdition:
        if self._templates is None:  # looked up once, not once per edition
            env = self.generator.env
            self._templates = (
                env.get_template("email/edition.html"),
                env.get_template("email/edition.txt"),
            )
        html_template, text_template = self._templates
        context = self.context(edition)
        html = inline_css(html_template.render(context))
        html = html.rstrip("\n") + "\n"
        text = _tidy_text(text_template.render(context))
        self.summaries.clear()  # a story is in one edition only
        eml = self.message(edition, text, html) if self.settings.eml else b""
        return EmailEdition(html, text, eml)

    def message(self, edition: Edition, text: str, html: str) -> bytes:
        """The ``.eml`` bytes; the same as :meth:`message_by_email_package`.

        Python's email package parses every header it is given and re-encodes
        each part line by line, which cost about as much as the rest of the
        email phase. The message is simple enough to write directly: the
        constant headers are folded by the email package once per build;
        per-edition values (subject, date, message id) that are plain
        printable ASCII are folded here; anything else takes the slow path.
        """
        email = self.settings
        date = format_datetime(edition.stamp)
        message_id = f"<cx-digest.{edition.day.isoformat()}@{email.host}>"
        if not all(map(_plain_header_value, (edition.title, date, message_id))):
            return self.message_by_email_package(edition, text, html)
        if self._constant_headers is None:
            self._constant_headers = self._fold_constant_headers()
        sender, rest = self._constant_headers
        boundary = f"=_cx-digest-{edition.day:%Y%m%d}"
        nl = "\r\n"
        out = [
            sender,
            fold_header("Subject", edition.title),
            fold_header("Date", date),
            fold_header("Message-ID", message_id),
            rest,
            fold_header(
                "Content-Type", f'multipart/alternative; boundary="{boundary}"'
            ),
            nl,
        ]
        for subtype, body in (("plain", text), ("html", html)):
            out.append(f"--{boundary}{nl}")
            out.append(f'Content-Type: text/{subtype}; charset="utf-8"{nl}')
            out.append(f"Content-Transfer-Encoding: quoted-printable{nl}{nl}")
            out.append(
                qp_text(body, MAIL_POLICY.max_line_length or 78).replace("\n", nl)
            )
            out.append(nl)
        out.append(f"--{boundary}--{nl}")
        return "".join(out).encode("ascii")

    def _fold_constant_headers(self) -> tuple[str, str]:
        """From/To (before Subject) and the headers after Message-ID, folded."""
        email = self.settings
        policy = MAIL_POLICY

        def folded(name: str, value: str) -> str:
            header = policy.header_store_parse(name, value)[1]
            return policy.fold_binary(name, header).decode("ascii", "surrogateescape")

        head = folded("From", email.sender)
        if email.to:
            head += folded("To", email.to)
        rest = ""
        if email.list_unsubscribe:
            rest += folded(
                "List-Unsubscribe",
                ", ".join(f"<{url}>" for url in email.list_unsubscribe),
            )
            if any(url.startswith("https://") for url in email.list_unsubscribe):
                rest += folded("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
        rest += folded("MIME-Version", "1.0")
        return head, rest

    def message_by_email_package(self, edition: Edition, text: str, html: str) -> bytes:
        """The ``.eml`` bytes built with Python's email package."""
        email = self.settings
        msg = EmailMessage(policy=MAIL_POLICY)
        msg["From"] = email.sender
        if email.to:
            msg["To"] = email.to
        msg["Subject"] = edition.title
        msg["Date"] = format_datetime(edition.stamp)
        msg["Message-ID"] = f"<cx-digest.{edition.day.isoformat()}@{email.host}>"
        if email.list_unsubscribe:
            msg["List-Unsubscribe"] = ", ".join(
                f"<{url}>" for url in email.list_unsubscribe
            )
            if any(url.startswith("https://") for url in email.list_unsubscribe):
                msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
        msg.add_alternative(
            html, subtype="html", charset="utf-8", cte="quoted-printable"
        )
        # The email package picks a random boundary; "=_" cannot occur in
        # quoted-printable bodies, so this one is safe and deterministic.
        msg.set_boundary(f"=_cx-digest-{edition.day:%Y%m%d}")
        for part in msg.iter_parts():
            del part["MIME-Version"]  # belongs to the message only
        return msg.as_bytes(policy=MAIL_POLICY)


_PLAIN_HEADER = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*")


def _plain_header_value(value: str) -> bool:
    """True when the email package would keep ``value`` as it is.

    Printable ASCII words single-space apart and no RFC 2047 ``=?`` (which
    the parser would decode): :class:`MailPolicy` folds such a value with
    :func:`fold_header` whatever header it is in.
    """
    return _PLAIN_HEADER.fullmatch(value) is not None and "=?" not in value


def qp_text(text: str, maxlinelen: int = 78) -> str:
    """A text part's quoted-printable payload, as the email package makes it.

    The same as ``email.quoprimime.body_encode`` of the body that
    ``contentmanager.set_text_content(..., cte="quoted-printable")`` builds
    (``\n`` line ends; the policy's 78 columns), in a fraction of its time:
    it quotes characters with ``str.translate`` over a 256-entry list, a
    dictionary lookup per character. Here a line is quoted with
    ``str.replace`` when its only unsafe character is ``=``.
    """
    if maxlinelen < 4:
        raise ValueError("maxlinelen must be at least 4")
    maxlinelen1 = maxlinelen - 1
    soft_break = "=\n"
    encoded: list[str] = []
    append = encoded.append
    for raw in text.encode("utf-8").splitlines() or [b""]:
        line = raw.decode("latin-1").replace("=", "=3D")
        if raw.translate(None, _QP_SAFE):
            line = _QP_UNSAFE.sub(_qp_quote, line)
        # From here on quoprimime.body_encode's own code.
        start = 0
        laststart = len(line) - 1 - maxlinelen
        while start <= laststart:
            stop = start + maxlinelen1
            if line[stop - 2] == "=":
                append(line[start : stop - 1])
                start = stop - 2
            elif line[stop - 1] == "=":
                append(line[start:stop])
                start = stop - 1
            else:
                append(line[start:stop] + "=")
                start = stop
        if line and line[-1] in " \t":
            room = start - laststart
            if room >= 3:
                q = quoprimime.quote(line[-1])
            elif room == 2:
                q = line[-1] + soft_break
            else:
                q = soft_break + quoprimime.quote(line[-1])
            append(line[start:-1] + q)
        else:
            append(line[start:])
    append("")
    return "\n".join(encoded)


_QP_MAP = quoprimime._QUOPRI_BODY_ENCODE_MAP
# Bytes a line may carry unquoted ("=" is replaced by str.replace first).
_QP_SAFE = bytes(i for i in range(256) if _QP_MAP[i] == chr(i) or i == 0x3D)


def _char_ranges(codes: list[int]) -> str:
    """A regex character class body for ``codes`` as ranges (fast to match)."""
    parts: list[tuple[int, int]] = []
    for code in codes:
        if parts and parts[-1][1] == code - 1:
            parts[-1] = (parts[-1][0], code)
        else:
            parts.append((code, code))
    return "".join(
        f"\\x{lo:02x}" if lo == hi else f"\\x{lo:02x}-\\x{hi:02x}" for lo, hi in parts
    )


_QP_UNSAFE = re.compile(
    "[" + _char_ranges([i for i in range(256) if i not in _QP_SAFE]) + "]+"
)


def _qp_quote(match: re.Match[str]) -> str:
    return "".join([_QP_MAP[ord(c)] for c in match.group()])


def _save_path(pattern: str, edition: Edition) -> str:
    return pattern.format(date=edition.day)


def write_emails(generator: DigestGenerator, writer: Any) -> None:
    """The ``email`` output phase: every edition's email files.

    They are written as files, not through the writer: ``email.html`` is a
    copy of the edition for mail clients (``noindex``), not a web page, so
    it must not reach sitemaps or other ``content_written`` listeners.
    """
    email: EmailSettings = generator.email
    if not email.enabled:
        return
    renderer = EmailRenderer(generator, email)
    output = Path(generator.output_path)
    for edition in generator.editions:
        result = renderer.render(edition)
        size = len(result.html.encode("utf-8"))
        if email.max_bytes and size > email.max_bytes:
            generator.report.warn(
                f"edition {edition.day.isoformat()}",
                "email.html size",
                f"{size} bytes",
                f"over CX_DIGEST_EMAIL_MAX_BYTES ({email.max_bytes}); Gmail "
                "clips messages over about 102 KB",
                "written anyway",
            )
        files = (
            (email.html, email.html_save_as, result.html.encode("utf-8")),
            (email.text, email.text_save_as, result.text.encode("utf-8")),
            (email.eml, email.eml_save_as, result.eml),
        )
        made: set[Path] = set()
        for wanted, pattern, data in files:
            if wanted:
                target = output / _save_path(pattern, edition)
                if target.parent not in made:  # the three share one folder
                    target.parent.mkdir(parents=True, exist_ok=True)
                    made.add(target.parent)
                target.write_bytes(data)
    generator.report.raise_if_strict(generator.digest.strict)
