"""A :class:`cx_digest.feeds.Channel` as Atom and RSS 2.0 (feedgen) or JSON
Feed 1.1 (the standard library), and the page objects that write them.

Each channel is made once, in the main process, when the digest hands its
feed files to Pelican's writer (:func:`feed_files`): its warnings are
logged once, whichever process writes which file. A :class:`FeedFile`
stands for a template: a made channel and a format, whose ``render()``
returns the document's text, a function of that plain data alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

from feedgen.feed import FeedGenerator
from lxml import etree

from .feeds import Channel, Feeds

ATOM_NS = "http://www.w3.org/2005/Atom"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
GENERATOR = "cx-digest"
MEDIA_TYPES = {"atom": "application/atom+xml", "rss": "application/rss+xml"}


def _feedgen(channel: Channel, self_url: str, self_type: str) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(channel.id)
    fg.title(channel.title)
    fg.subtitle(channel.subtitle)  # also the RSS <description>
    fg.language(channel.language)
    fg.generator(GENERATOR)  # no version number, no uri
    fg.author({"name": channel.author, "uri": channel.home_url})
    # The RSS channel <link> is the *last* link added: self first, the
    # web page (alternate) last.
    fg.link(href=self_url, rel="self", type=self_type)
    if channel.hub:
        fg.link(href=channel.hub, rel="hub")
    fg.link(href=channel.home_url, rel="alternate", type="text/html")
    if channel.icon:
        fg.icon(channel.icon)
    if channel.logo:
        fg.logo(channel.logo)  # RSS <image> too, titled and linked as the channel
    fg.updated(channel.updated)
    fg.pubDate(channel.updated)
    # RSS <author> must be an email address, which a newsroom rarely wants
    # to publish: RSS entries name their authors with dc:creator instead.
    fg.load_extension("dc", atom=False, rss=True)
    for item in channel.items:
        entry = fg.add_entry(order="append")
        entry.id(item.id)  # RSS guid isPermaLink="false"
        entry.title(item.title)
        entry.link(href=item.url, rel="alternate", type="text/html")
        entry.published(item.published)
        entry.updated(item.updated)
        for name in item.authors:
            entry.author({"name": name})  # no email: no RSS <author>
        entry.dc.dc_creator(list(item.authors))
        for term in item.categories:
            entry.category(term=term)
        # RSS readers take <description> as HTML, so both carry escaped text.
        entry.summary(escape(item.summary, quote=False), type="html")
        entry.content(item.content_html, type="html")  # RSS content:encoded
    return fg


def _xml(document: Any) -> str:
    data: bytes = etree.tostring(
        document, pretty_print=True, encoding="UTF-8", xml_declaration=True
    )
    return data.decode("utf-8")


def atom_text(channel: Channel, self_url: str) -> str:
    _root, document = _feedgen(channel, self_url, MEDIA_TYPES["atom"])._create_atom()
    return _xml(document)


def rss_text(channel: Channel, self_url: str) -> str:
    root, document = _feedgen(channel, self_url, MEDIA_TYPES["rss"])._create_rss()
    # feedgen copies only the self link into RSS; add the WebSub hub beside it.
    if channel.hub:
        self_link = root.find(f"channel/{{{ATOM_NS}}}link")
        self_link.addnext(
            etree.Element(f"{{{ATOM_NS}}}link", href=channel.hub, rel="hub")
        )
    return _xml(document)


def json_feed(channel: Channel, self_url: str) -> dict[str, Any]:
    """A JSON Feed 1.1 document (https://jsonfeed.org/version/1.1)."""
    feed: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": channel.title,
        "home_page_url": channel.home_url,
        "feed_url": self_url,
        "description": channel.subtitle,
        "language": channel.language,
        "authors": [{"name": channel.author, "url": channel.home_url}],
    }
    if channel.icon:
        feed["favicon"] = channel.icon
    if channel.logo:
        feed["icon"] = channel.logo
    if channel.hub:
        feed["hubs"] = [{"type": "WebSub", "url": channel.hub}]
    items: list[dict[str, Any]] = []
    for item in channel.items:
        entry: dict[str, Any] = {
            "id": item.id,
            "url": item.url,
            "title": item.title,
            "content_html": item.content_html,
            "summary": item.summary,
        }
        if item.image:
            entry["image"] = item.image
        entry["date_published"] = item.published.isoformat()
        entry["date_modified"] = item.updated.isoformat()
        entry["authors"] = [{"name": name} for name in item.authors]
        if item.categories:
            entry["tags"] = list(item.categories)
        items.append(entry)
    feed["items"] = items
    return feed


def json_text(channel: Channel, self_url: str) -> str:
    return json.dumps(json_feed(channel, self_url), ensure_ascii=False, indent=2) + "\n"


WRITERS: dict[str, Callable[[Channel, str], str]] = {
    "atom": atom_text,
    "rss": rss_text,
    "json": json_text,
}


@dataclass(frozen=True)
class FeedFile:
    """One feed file, handed to Pelican's writer in place of a template."""

    channel: Channel
    kind: str  # a key of WRITERS
    self_url: str

    def render(self, context: Mapping[str, Any] | None = None) -> str:
        return WRITERS[self.kind](self.channel, self.self_url)


def feed_files(feeds: Feeds) -> list[tuple[str, FeedFile]]:
    """``(path, page)`` of every feed file this build writes, each channel
    with a file made here, once."""
    files: list[tuple[str, FeedFile]] = []
    for paths, make in feeds.channels():
        wanted = [(kind, path) for kind, path in paths.items() if path]
        if wanted:
            channel = make()
            files += [
                (path, FeedFile(channel, kind, feeds.settings.absolute(path)))
                for kind, path in wanted
            ]
    return files
