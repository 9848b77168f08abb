"""Story bodies on the story's own page: the web-page policy and its report.

A story's body is HTML its editor may have pasted from anywhere (wire copy,
agencies, a CMS export). Before Pelican keeps it, :class:`BodyPolicy` cleans
it with the same nh3 policy family as summaries in feeds and emails
(:mod:`cx_digest.markup`), widened for a web page: headings, figures,
tables, code (with its highlighting classes), video and audio, and
``<iframe>`` embeds from an allow-list of ``https`` hosts, each given a
``title`` and ``loading="lazy"``. Always removed: ``script``, ``style``,
``meta``, ``base``, ``link``, ``form`` and its controls, ``object``,
``embed``, ``applet``, frames, SVG and MathML, event handlers, and every URL
that is not ``http``, ``https``, ``mailto`` or relative (nh3 reads URLs as a
browser does: entities, case, whitespace and control characters inside).
Comments stay (they are inert, and ``<!-- more -->`` marks the summary).

What was removed is listed for the editor (:meth:`BodyPolicy.clean` returns
it): the input is read with lxml, what the policy will drop is counted, and
the URLs nh3 kept are compared with those it was given. The list is a
report only; what reaches the page is decided by nh3 alone.

``trusted`` (the site setting ``CX_DIGEST_STORY_HTML`` or a story's
``Html: trusted``) keeps a body as written, which is Pelican's behaviour.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape, unescape
from typing import Any
from urllib.parse import urlsplit

import nh3
from lxml import etree

from .markup import (
    ATTRIBUTES,
    REMOVED_WITH_CONTENT,
    TAGS,
    WRITTEN_ATTRIBUTES,
    as_browsers_read,
    complete_images,
    written_attributes,
)
from .text import scheme_of, xml_safe

__all__ = [
    "POLICY_KEY",
    "REMOVED_KEY",
    "BodyPolicy",
    "Cleaned",
    "story_trust",
]

TRUSTED = "trusted"
CLEAN = "clean"
# Metadata a cleaned story carries (kept in Pelican's content cache with it):
# the fingerprint of the policy it was read under, and what it lost, by key
# ({"Body": "<script>, 2 event handlers"}), for the digest to report.
POLICY_KEY = "cx_digest_html_policy"
REMOVED_KEY = "cx_digest_html_removed"

BODY_TAGS = TAGS | frozenset(
    [
        "h1",
        "iframe",
        "video",
        "audio",
        "source",
        "track",
        "details",
        "summary",
        "aside",
        "section",
    ]
)
_BODY_ONLY: dict[str, set[str]] = {
    "*": {"class", "id", "title", "style", "role"},
    "a": {"rel", "target"},  # a new tab: browsers imply rel="noopener" for it
    "img": {"loading", "decoding"},
    "iframe": {
        "src",
        "title",
        "width",
        "height",
        "loading",
        "allow",
        "allowfullscreen",
        "referrerpolicy",
        "sandbox",
    },
    "video": {
        "src",
        "poster",
        "controls",
        "width",
        "height",
        "preload",
        "muted",
        "loop",
        "playsinline",
    },
    "audio": {"src", "controls", "preload", "loop", "muted"},
    "source": {"src", "type", "media"},
    "track": {"src", "kind", "srclang", "label", "default"},
    "details": {"open"},
    "td": {"headers"},
    "th": {"headers", "abbr"},
}
BODY_ATTRIBUTES: dict[str, frozenset[str]] = {
    tag: frozenset(ATTRIBUTES.get(tag, set()) | _BODY_ONLY.get(tag, set()))
    for tag in {*ATTRIBUTES, *_BODY_ONLY}
}
ATTRIBUTE_PREFIXES = frozenset({"aria-"})
# Layout only (an embed sizes itself with these): nh3 drops every other
# property, and any url() with it.
STYLE_PROPERTIES = frozenset(
    [
        "text-align",
        "vertical-align",
        "width",
        "height",
        "min-width",
        "max-width",
        "aspect-ratio",
        "border",
    ]
)
BODY_REMOVED_WITH_CONTENT = REMOVED_WITH_CONTENT | frozenset({"object", "applet"})
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Attributes whose URL nh3 checks against URL_SCHEMES.
CHECKED_URLS = frozenset({"href", "src", "poster"})
# Obsolete presentational attributes of pasted embed codes (YouTube's
# ``frameborder``): dropped, as HTML no longer has them, without a warning.
PRESENTATIONAL = frozenset(
    [
        "frameborder",
        "scrolling",
        "marginwidth",
        "marginheight",
        "allowtransparency",
        "border",
        "cellpadding",
        "cellspacing",
        "align",
        "valign",
        "bgcolor",
    ]
)
_WRAPPERS = frozenset({"html", "head", "body"})
# Part of the fingerprint with the tables: raise it whenever the cleaning
# code (not only the tables) changes what a story becomes, so that cached
# stories are read again.
REVISION = 2  # 2: the body and Summary are XML-safe (xml_safe), trusted too
_PREFIXES = tuple(ATTRIBUTE_PREFIXES)
# libxml2's HTML parser, for the report (lxml.html's element classes are not
# needed: plain elements iterate faster).
_PARSER = etree.HTMLParser()


def story_trust(value: object) -> bool | None:
    """What an ``Html`` value means: True (trusted), False (clean), None
    (unknown; the story is cleaned and the value reported)."""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    folded = str(value or "").strip().casefold()
    if folded == TRUSTED:
        return True
    return False if folded in {"", CLEAN} else None


@dataclass(frozen=True)
class Cleaned:
    """A cleaned fragment and what was removed from it (empty: nothing)."""

    html: str
    removed: str = ""


@dataclass
class _Inspection:
    """What the policy will drop from one fragment, as read by lxml."""

    elements: dict[str, int] = field(default_factory=dict)
    handlers: int = 0
    attributes: set[str] = field(default_factory=set)
    frames: dict[str, int] = field(default_factory=dict)
    urls: list[str] = field(default_factory=list)  # checked URLs given to nh3

    def dropped(self) -> bool:
        return bool(self.elements or self.handlers or self.attributes or self.frames)


class BodyPolicy:
    """The story-body policy of one build: ``CX_DIGEST_STORY_HTML`` and
    ``CX_DIGEST_EMBED_HOSTS``."""

    def __init__(self, trusted: bool, embed_hosts: Iterable[str]) -> None:
        self.trusted = trusted
        self.embed_hosts = tuple(sorted({h.strip(".").lower() for h in embed_hosts}))
        self._kept_urls: list[str] = []
        # The attributes each allowed tag may keep (its own and everyone's).
        self._names = {
            tag: BODY_ATTRIBUTES.get(tag, frozenset()) | BODY_ATTRIBUTES["*"]
            for tag in BODY_TAGS
        }
        self._cleaner = nh3.Cleaner(
            tags=set(BODY_TAGS),
            attributes={tag: set(names) for tag, names in BODY_ATTRIBUTES.items()},
            generic_attribute_prefixes=set(ATTRIBUTE_PREFIXES),
            clean_content_tags=set(BODY_REMOVED_WITH_CONTENT),
            url_schemes=set(URL_SCHEMES),
            link_rel=None,
            strip_comments=False,
            filter_style_properties=set(STYLE_PROPERTIES),
            set_tag_attribute_values={"iframe": {"loading": "lazy"}},
            attribute_filter=self._filter,
        )
        tables = repr(
            (
                sorted(BODY_TAGS),
                sorted((t, sorted(a)) for t, a in BODY_ATTRIBUTES.items()),
                sorted(ATTRIBUTE_PREFIXES),
                sorted(STYLE_PROPERTIES),
                sorted(BODY_REMOVED_WITH_CONTENT),
                sorted(URL_SCHEMES),
                self.embed_hosts,
                REVISION,
                nh3.__version__ if hasattr(nh3, "__version__") else "",
            )
        )
        digest = hashlib.sha256(tables.encode()).hexdigest()[:16]
        # Stored with every cleaned story: a cached story read under another
        # policy (or none) is read again (plugin.py).
        self.fingerprint = f"{TRUSTED}:{REVISION}" if trusted else f"{CLEAN}:{digest}"

    # -- the rules ---------------------------------------------------------

    def embed_allowed(self, url: str) -> bool:
        """An ``<iframe src>`` the policy keeps: ``https`` on an allowed host
        (or one of its subdomains)."""
        try:
            parts = urlsplit(url.strip())
            host = (parts.hostname or "").lower()
        except ValueError:
            return False
        if parts.scheme.lower() != "https" or not host:
            return False
        return any(host == h or host.endswith("." + h) for h in self.embed_hosts)

    def _filter(self, element: str, attribute: str, value: str) -> str | None:
        if element == "iframe" and attribute == "src" and not self.embed_allowed(value):
            return None
        if attribute in CHECKED_URLS:
            if element != "iframe" and element in BODY_TAGS:  # as _inspect counts
                self._kept_urls.append(value)
            return as_browsers_read(value)
        return value

    # -- cleaning ----------------------------------------------------------

    def apply(
        self, content: str, metadata: dict[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        """A story as its reader returned it (body, metadata), under the
        policy: body and ``Summary`` XML-safe (:func:`~.text.xml_safe`), and
        cleaned unless trusted; the policy's fingerprint and what was
        removed noted in the metadata. The fingerprint tells
        :func:`~.plugin.clean_content` that the body and summary need no
        second pass."""
        metadata = {**metadata, POLICY_KEY: self.fingerprint}
        # Never text that no XML parser reads (wire copy brings control
        # characters), trusted markup included.
        if isinstance(content, str):
            content = xml_safe(content)
        summary = metadata.get("summary")
        if isinstance(summary, str):
            summary = metadata["summary"] = xml_safe(summary)
        if self.trusted or story_trust(metadata.get("html")):
            return content, metadata
        removed: dict[str, str] = {}
        body = self.clean(content or "")
        if body.removed:
            removed["Body"] = body.removed
        if isinstance(summary, str):
            cleaned = self.clean(summary)
            metadata["summary"] = cleaned.html
            if cleaned.removed:
                removed["Summary"] = cleaned.removed
        if removed:
            metadata[REMOVED_KEY] = removed
        return body.html, metadata

    def clean(self, fragment: str) -> Cleaned:
        """``fragment`` under the policy, and what it lost."""
        if not fragment or not fragment.strip():
            return Cleaned(fragment or "")
        found = _Inspection()
        try:
            tree = etree.fromstring(f"<html><body>{fragment}</body></html>", _PARSER)
        except (etree.ParserError, etree.XMLSyntaxError, ValueError):
            tree = None
        if tree is not None:
            self._inspect(tree, found)
        self._kept_urls = []
        cleaned = self._cleaner.clean(fragment)
        kept, self._kept_urls = self._kept_urls, []
        if "<iframe" in cleaned:
            cleaned = _FRAME.sub(_finish_frame, cleaned)
        cleaned = complete_images(cleaned)
        if kept == found.urls and not found.dropped():
            return Cleaned(cleaned)  # nh3 kept each URL it was given
        return Cleaned(cleaned, _describe(found, Counter(found.urls) - Counter(kept)))

    def _inspect(self, tree: etree._Element, found: _Inspection) -> None:
        """Count what the policy drops, element by element (libxml2's HTML
        parser: names arrive lower-cased)."""
        skip: set[etree._Element] = set()
        names = self._names
        for element in tree.iter(etree.Element):
            if skip and element in skip:
                continue
            tag = element.tag
            if tag in BODY_REMOVED_WITH_CONTENT:
                skip.update(element.iterdescendants())
            allowed = names.get(tag)
            if allowed is None:
                if tag not in _WRAPPERS:
                    key = "meta http-equiv" if "http-equiv" in element.attrib else tag
                    key = f"<{key}>"
                    found.elements[key] = found.elements.get(key, 0) + 1
                    continue
                allowed = frozenset()
            elif tag == "iframe" and self._inspect_frame(element, found):
                continue
            for attribute, value in element.attrib.items():
                if attribute.startswith("on"):
                    found.handlers += 1
                elif attribute in allowed or attribute.startswith(_PREFIXES):
                    if attribute in CHECKED_URLS and tag != "iframe":
                        found.urls.append(value)
                elif attribute not in PRESENTATIONAL and tag not in _WRAPPERS:
                    found.attributes.add(attribute)

    def _inspect_frame(self, frame: etree._Element, found: _Inspection) -> bool:
        """An ``<iframe>`` from a host the policy does not allow: counted
        (True), for nh3 drops its address and :func:`_finish_frame` the rest."""
        src = (frame.get("src") or "").strip()
        if self.embed_allowed(src):
            return False
        try:
            host = urlsplit(src).hostname or ""
        except ValueError:
            host = ""
        where = f"from {host}" if host else "without an https address"
        found.frames[where] = found.frames.get(where, 0) + 1
        return True


# An iframe as nh3 (html5ever) writes it: its attributes in their fixed
# form, its content (raw text, never holding ``</iframe``) as is.
_FRAME = re.compile(rf"<iframe{WRITTEN_ATTRIBUTES}>(.*?)</iframe>", re.DOTALL)


def _finish_frame(match: re.Match[str]) -> str:
    """A cleaned iframe: gone when nh3 dropped its address (a host or scheme
    the policy does not allow), else given a ``title`` naming its host when
    it has none."""
    attributes = written_attributes(match.group(1))
    src = unescape(attributes.get("src", ""))
    if not src:
        return ""
    if unescape(attributes.get("title", "")).strip():
        return match.group(0)
    title = escape(f"Embedded content from {urlsplit(src).hostname}")
    return f'<iframe{match.group(1)} title="{title}">{match.group(2)}</iframe>'


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one}" if count == 1 else f"{count} {many or one + 's'}"


def _scheme(url: str) -> str:
    # As a browser reads it: spaces and control characters do not count.
    return scheme_of("".join(ch for ch in url if ch > " "))


def _describe(found: _Inspection, lost_urls: Counter[str]) -> str:
    """``<script>, <meta http-equiv>, 2 event handlers, 1 iframe from
    evil.example, 1 javascript: URL``; empty when nothing was lost."""
    parts = [
        name if count == 1 else f"{count} {name}"
        for name, count in found.elements.items()
    ]
    if found.handlers:
        parts.append(_plural(found.handlers, "event handler"))
    parts += [_plural(n, "iframe") + f" {where}" for where, n in found.frames.items()]
    schemes: Counter[str] = Counter()
    for url, count in lost_urls.items():
        schemes[_scheme(url)] += count
    for scheme, count in schemes.items():
        parts.append(_plural(count, f"{scheme}: URL" if scheme else "URL"))
    if found.attributes:
        names = sorted(found.attributes)
        label = "attribute" if len(names) == 1 else "attributes"
        parts.append(f"{label} {', '.join(names)}")
    return ", ".join(parts)
