"""Feeds: every edition in Atom, RSS 2.0 and JSON Feed 1.1, plus story feeds.

Atom and RSS are built with ``feedgen``, JSON Feed with the standard
library. All three edition feeds carry the same editions in the same order
(newest first). Story feeds (whole site, and one per category) are built
the same way, replacing Pelican's own feeds, whose ``tag:`` guids fail the
W3C validator.

Everything that reaches a feed is deterministic: dates come from the
content (never the clock), ids are ``tag:`` URIs that do not depend on where
the site is hosted once ``CX_DIGEST_FEED_ID_AUTHORITY`` is set, and every
URL in entry content is absolute.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup
from feedgen.feed import FeedGenerator
from lxml import etree

from .model import Edition, Story
from .settings import DigestSettings, SettingsError
from .text import (
    from_root,
    has_scheme,
    plain_text,
    rewrite_urls,
    root_relative,
    xml_safe,
)

if TYPE_CHECKING:
    from .generator import DigestGenerator

logger = logging.getLogger("cx_digest")

ATOM_NS = "http://www.w3.org/2005/Atom"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
GENERATOR = "cx-digest"
# How many headlines after the lead's go into an edition's plain summary.
SUMMARY_HEADLINES = 3
# The "updated" time of a feed with no entries yet: any fixed moment will do
# (the clock would make two builds differ).
EMPTY_FEED_UPDATED = datetime.fromisoformat("2000-01-01T00:00:00+00:00")

_AUTHORITY = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"|[^@\s,]+@[A-Za-z0-9.-]+),"
    r"\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$"
)
_UNSAFE = re.compile(r"<(?:script|style)\b|\s(?:style|on[a-z]+)\s*=", re.IGNORECASE)


# -- settings -----------------------------------------------------------------


@dataclass(frozen=True)
class FeedSettings:
    """The validated ``CX_DIGEST_FEED_*`` / ``*_STORY_*`` / ``*_CATEGORY_*`` keys."""

    atom: str
    rss: str
    json: str
    story_atom: str
    story_rss: str
    category_atom: str
    category_rss: str
    max_items: int
    story_max_items: int
    max_entry_bytes: int
    id_authority: str
    title: str
    subtitle: str
    story_title: str
    author: str
    logo: str
    icon: str
    hub: str
    language: str
    site_name: str


def _fail(key: str, value: Any, expected: str) -> SettingsError:
    return SettingsError(
        f"cx_digest: setting {key} = {value!r} is invalid: expected {expected}"
    )


def _string(raw: Mapping[str, Any], key: str) -> str:
    value = raw[key]
    if not isinstance(value, str):
        raise _fail(key, value, "a string")
    return value.strip()


def _count(raw: Mapping[str, Any], key: str, minimum: int) -> int:
    value = raw[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _fail(key, value, f"an integer >= {minimum}")
    return value


def _feed_path(raw: Mapping[str, Any], key: str, slug: bool) -> str:
    value = _string(raw, key)
    if value == "":
        return value
    if value.startswith("/") or "\\" in value or ".." in value.split("/"):
        raise _fail(key, value, "a path relative to the site, or '' (off)")
    if slug:
        try:
            sample = value.format(slug="markets")
        except (KeyError, IndexError, ValueError) as exc:
            raise _fail(key, value, "a path that may only use {slug}") from exc
        if "{slug}" not in value or sample == value:
            raise _fail(key, value, "a path with a {slug} field, or '' (off)")
    elif "{" in value or "}" in value:
        raise _fail(key, value, "a plain path (no {fields}), or '' (off)")
    return value


def _asset(raw: Mapping[str, Any], key: str) -> str:
    value = _string(raw, key)
    if value and (
        value.startswith("//")
        or (has_scheme(value) and not re.match(r"^https?://[^\s/]+", value))
    ):
        raise _fail(key, value, "a site path ('images/logo.png'), an http(s) URL or ''")
    return value


def load(settings: Mapping[str, Any], digest: DigestSettings) -> FeedSettings:
    """Read and validate the feed settings (``digest.raw`` has the defaults)."""
    raw = digest.raw
    host = urlsplit(digest.public_url).hostname or "localhost"
    authority = _string(raw, "CX_DIGEST_FEED_ID_AUTHORITY") or f"{host},2000"
    if not _AUTHORITY.match(authority):
        raise _fail(
            "CX_DIGEST_FEED_ID_AUTHORITY",
            authority,
            "'<domain or email>,<YYYY[-MM[-DD]]>' as in RFC 4151, "
            "e.g. 'news.example.com,2026'",
        )
    hub = _string(raw, "CX_DIGEST_FEED_HUB")
    if hub and not re.match(r"^https?://[^\s/]+\S*$", hub):
        raise _fail("CX_DIGEST_FEED_HUB", hub, "a WebSub hub's http(s) URL or ''")

    paths = {
        key: _feed_path(raw, key, slug=False)
        for key in (
            "CX_DIGEST_FEED_ATOM",
            "CX_DIGEST_FEED_RSS",
            "CX_DIGEST_FEED_JSON",
            "CX_DIGEST_STORY_FEED_ATOM",
            "CX_DIGEST_STORY_FEED_RSS",
        )
    }
    for key in ("CX_DIGEST_CATEGORY_FEED_ATOM", "CX_DIGEST_CATEGORY_FEED_RSS"):
        paths[key] = _feed_path(raw, key, slug=True)
    seen: dict[str, str] = {}
    for key, value in paths.items():
        if value and value in seen:
            raise _fail(key, value, f"a different path from {seen[value]}")
        seen[value] = key

    site_name = str(settings.get("SITENAME") or digest.name)
    author = _string(raw, "CX_DIGEST_FEED_AUTHOR") or str(
        settings.get("AUTHOR") or site_name
    )
    language = str(settings.get("DEFAULT_LANG") or "en")
    subtitle = _string(raw, "CX_DIGEST_FEED_SUBTITLE") or str(
        settings.get("SITESUBTITLE") or f"Every edition of {digest.name}"
    )
    return FeedSettings(
        atom=paths["CX_DIGEST_FEED_ATOM"],
        rss=paths["CX_DIGEST_FEED_RSS"],
        json=paths["CX_DIGEST_FEED_JSON"],
        story_atom=paths["CX_DIGEST_STORY_FEED_ATOM"],
        story_rss=paths["CX_DIGEST_STORY_FEED_RSS"],
        category_atom=paths["CX_DIGEST_CATEGORY_FEED_ATOM"],
        category_rss=paths["CX_DIGEST_CATEGORY_FEED_RSS"],
        max_items=_count(raw, "CX_DIGEST_FEED_MAX_ITEMS", 1),
        story_max_items=_count(raw, "CX_DIGEST_STORY_FEED_MAX_ITEMS", 1),
        max_entry_bytes=_count(raw, "CX_DIGEST_FEED_MAX_ENTRY_BYTES", 1),
        id_authority=authority,
        title=xml_safe(_string(raw, "CX_DIGEST_FEED_TITLE") or digest.name),
        subtitle=xml_safe(subtitle),
        story_title=xml_safe(site_name),
        author=xml_safe(author),
        logo=_asset(raw, "CX_DIGEST_FEED_LOGO"),
        icon=_asset(raw, "CX_DIGEST_FEED_ICON"),
        hub=hub,
        language=language,
        site_name=xml_safe(site_name),
    )


# -- a neutral model of a feed --------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One entry, whatever the format."""

    id: str
    title: str
    url: str
    published: datetime
    updated: datetime
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    summary: str  # plain text
    content_html: str  # every URL absolute
    image: str = ""  # absolute URL (JSON Feed's "image")
    source: str = ""  # what to name in a warning ("edition 2026-11-18")


@dataclass(frozen=True)
class Channel:
    """Feed-level data. ``paths`` maps "atom"/"rss"/"json" to output paths."""

    id: str
    title: str
    subtitle: str
    home_url: str
    paths: Mapping[str, str]
    items: tuple[Item, ...]
    author: str
    language: str
    logo: str = ""
    icon: str = ""
    hub: str = ""

    @property
    def updated(self) -> datetime:
        if not self.items:
            return EMPTY_FEED_UPDATED
        return max(self.items, key=lambda i: (i.updated, i.id)).updated


# -- HTML for feeds -------------------------------------------------------------


def sanitize(fragment: str) -> str:
    """Drop scripts, style sheets, ``style`` and ``on*`` attributes."""
    if not _UNSAFE.search(fragment):
        return fragment
    soup = BeautifulSoup(fragment, "html.parser")
    for tag in soup.find_all(["script", "style"]):
        tag.decompose()
    for tag in soup.find_all(True):
        for name in [a for a in tag.attrs if a == "style" or a.startswith("on")]:
            del tag.attrs[name]
    return str(soup)


def absolute_html(fragment: str, public_url: str, page_url: str) -> str:
    """``fragment`` with every href/src/poster absolute.

    Site-root URLs (``/images/x.jpg``) get the public URL; anything still
    relative (``#note``, ``x.jpg``) is resolved against the page it is from.
    """
    fragment = from_root(fragment, public_url)

    def convert(url: str) -> str:
        if url.startswith("//"):
            return "https:" + url
        if has_scheme(url):
            return url
        return urljoin(page_url, url)

    return rewrite_urls(fragment, convert)


def feed_html(fragment: str, public_url: str, page_url: str) -> str:
    return xml_safe(absolute_html(sanitize(fragment), public_url, page_url))


def fallback_html(item: Item) -> str:
    """Summary-only content for an entry over the size limit."""
    return (
        f"<p>{html.escape(item.summary)}</p>\n"
        f'<p><a href="{html.escape(item.url, quote=True)}">'
        f"Read it on the web</a></p>"
    )


def limit_size(items: Iterable[Item], max_bytes: int, setting: str) -> list[Item]:
    """Items whose content exceeds ``max_bytes`` carry their summary instead."""
    out: list[Item] = []
    for item in items:
        size = len(item.content_html.encode("utf-8"))
        if size > max_bytes:
            logger.warning(
                "cx_digest: %s (%s): feed entry content is %d bytes, over "
                "%s = %d; the feeds carry its summary and a link instead",
                item.source,
                item.url,
                size,
                setting,
                max_bytes,
            )
            item = replace(item, content_html=fallback_html(item))
        out.append(item)
    return out


# -- items ----------------------------------------------------------------------


def tag_uri(authority: str, specific: str) -> str:
    return f"tag:{authority}:{specific}"


def _distinct(values: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        if value and value.casefold() not in seen:
            seen[value.casefold()] = value
    return tuple(seen.values())


def edition_summary(edition: Edition) -> str:
    """The lead headline, then the next few headlines, as one plain line."""
    stories = list(edition.stories)
    lead = edition.lead or (stories[0] if stories else None)
    if lead is None:
        return edition.title
    others = [s.headline for s in stories if s is not lead][:SUMMARY_HEADLINES]
    text = lead.headline
    if others:
        if not text.endswith((".", "?", "!")):
            text += "."
        text += " Also: " + "; ".join(others) + "."
    return xml_safe(text)


def edition_item(
    generator: DigestGenerator,
    edition: Edition,
    feeds: FeedSettings,
    updated: datetime | None = None,
) -> Item:
    digest = generator.digest
    url = digest.absolute(edition.url)
    stamp = edition.stamp.astimezone(digest.timezone)
    lead = edition.lead
    image = ""
    if lead is not None and lead.image is not None:
        image = digest.absolute(lead.image.src)
    return Item(
        id=tag_uri(feeds.id_authority, f"digest/{edition.day.isoformat()}"),
        title=xml_safe(edition.title),
        url=url,
        published=stamp,
        updated=stamp if updated is None else updated.astimezone(digest.timezone),
        authors=(feeds.author,),
        categories=_distinct(s.category for s in edition.stories),
        summary=edition_summary(edition),
        content_html=feed_html(generator.edition_body(edition), digest.public_url, url),
        image=image,
        source=f"edition {edition.day.isoformat()}",
    )


def _aware(moment: datetime, digest: DigestSettings) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=digest.timezone)
    return moment.astimezone(digest.timezone)


def story_updated(digest: DigestSettings, article: Any, story: Story) -> datetime:
    """The story's ``Date``, or its ``Modified`` when that is later."""
    published = _aware(story.date, digest)
    modified = getattr(article, "modified", None)
    if isinstance(modified, datetime):
        return max(published, _aware(modified, digest))
    return published


def distinct_times(times: Mapping[str, datetime]) -> dict[str, datetime]:
    """Equal instants made distinct by whole seconds, earliest key first.

    The W3C validator warns when two entries of a feed share ``updated``;
    stories written to the minute often do. Shifting the later ones (by
    key) a second at a time keeps the order and is the same every build.
    """
    out: dict[str, datetime] = {}
    used: set[datetime] = set()
    for key, moment in sorted(times.items(), key=lambda kv: (kv[1], kv[0])):
        while moment in used:
            moment += timedelta(seconds=1)
        used.add(moment)
        out[key] = moment
    return out


def story_item(
    digest: DigestSettings,
    feeds: FeedSettings,
    article: Any,
    story: Story,
    updated: datetime | None = None,
) -> Item:
    page = article.url  # formatted by Pelican on every access: once here
    url = digest.absolute(page)
    published = _aware(story.date, digest)
    if updated is None:
        updated = story_updated(digest, article, story)
    names = tuple(
        xml_safe(str(a.name)) for a in getattr(article, "authors", []) or [] if a
    )
    # Pelican memoizes get_content() per siteurl, and get_content("") may have
    # run before static files were known (leaving "{static}" links as they
    # are); with the public URL, {static}/{filename} links come out absolute.
    body = root_relative(article.get_content(digest.public_url), page)
    return Item(
        id=tag_uri(
            feeds.id_authority, f"story/{published.date().isoformat()}/{story.slug}"
        ),
        title=xml_safe(story.headline),
        url=url,
        published=published,
        updated=updated,
        authors=names or (feeds.author,),
        categories=_distinct([story.category, *(t.label for t in story.tags)]),
        summary=xml_safe(plain_text(story.summary)),
        content_html=feed_html(body, digest.public_url, url),
        image=digest.absolute(story.image.src) if story.image else "",
        source=story.source,
    )


# -- writers --------------------------------------------------------------------


def _feedgen(channel: Channel, self_url: str, self_type: str) -> FeedGenerator:
    # Items built here are clean already; a control character from anywhere
    # else would make lxml refuse to serialise the whole feed.
    channel = _clean(channel)
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
        entry.summary(html.escape(item.summary, quote=False), type="html")
        entry.content(item.content_html, type="html")  # RSS content:encoded
    return fg


def _clean(channel: Channel) -> Channel:
    items = tuple(
        replace(
            item,
            title=xml_safe(item.title),
            summary=xml_safe(item.summary),
            content_html=xml_safe(item.content_html),
            authors=tuple(xml_safe(a) for a in item.authors),
            categories=tuple(xml_safe(c) for c in item.categories),
        )
        for item in channel.items
    )
    return replace(
        channel,
        title=xml_safe(channel.title),
        subtitle=xml_safe(channel.subtitle),
        author=xml_safe(channel.author),
        items=items,
    )


def atom_doc(channel: Channel, self_url: str) -> Any:
    """The channel's Atom document (an lxml tree)."""
    fg = _feedgen(channel, self_url, "application/atom+xml")
    _root, doc = fg._create_atom()
    return doc


def rss_doc(channel: Channel, self_url: str) -> Any:
    """The channel's RSS 2.0 document (an lxml tree)."""
    fg = _feedgen(channel, self_url, "application/rss+xml")
    root, doc = fg._create_rss()
    rss_channel = root.find("channel")
    assert rss_channel is not None
    # feedgen copies only the self link into RSS; add the WebSub hub beside it.
    if channel.hub:
        self_link = rss_channel.find(f"{{{ATOM_NS}}}link")
        assert self_link is not None
        hub = etree.Element(f"{{{ATOM_NS}}}link", href=channel.hub, rel="hub")
        self_link.addnext(hub)
    return doc


_XML_OUT: dict[str, Any] = {
    "pretty_print": True,
    "encoding": "UTF-8",
    "xml_declaration": True,
}


def atom_bytes(channel: Channel, self_url: str) -> bytes:
    out: bytes = etree.tostring(atom_doc(channel, self_url), **_XML_OUT)
    return out


def rss_bytes(channel: Channel, self_url: str) -> bytes:
    out: bytes = etree.tostring(rss_doc(channel, self_url), **_XML_OUT)
    return out


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat()


def json_feed(channel: Channel, self_url: str) -> dict[str, Any]:
    """A JSON Feed 1.1 document (https://jsonfeed.org/version/1.1)."""
    author: dict[str, str] = {"name": channel.author, "url": channel.home_url}
    feed: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": channel.title,
        "home_page_url": channel.home_url,
        "feed_url": self_url,
        "description": channel.subtitle,
        "language": channel.language,
        "authors": [author],
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
        entry["date_published"] = _rfc3339(item.published)
        entry["date_modified"] = _rfc3339(item.updated)
        entry["authors"] = [{"name": name} for name in item.authors]
        if item.categories:
            entry["tags"] = list(item.categories)
        items.append(entry)
    feed["items"] = items
    return feed


def json_bytes(channel: Channel, self_url: str) -> bytes:
    text = json.dumps(json_feed(channel, self_url), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def _write_xml(doc: Any, target: Path) -> None:
    doc.write(str(target), **_XML_OUT)


def _write_json(feed: dict[str, Any], target: Path) -> None:
    with target.open("w", encoding="utf-8", newline="\n") as handle:
        json.dump(feed, handle, ensure_ascii=False, indent=2)
        handle.write("\n")


# Each format straight to its file: an edition feed is a megabyte or more,
# and a bytes copy of it (plus lxml's growing buffer) would set the build's
# peak memory.
WRITERS: dict[
    str, tuple[Callable[[Channel, str], Any], Callable[[Any, Path], None]]
] = {
    "atom": (atom_doc, _write_xml),
    "rss": (rss_doc, _write_xml),
    "json": (json_feed, _write_json),
}


def write_channel(generator: DigestGenerator, channel: Channel) -> None:
    for kind, path in channel.paths.items():
        if not path:
            continue
        build, write = WRITERS[kind]
        document = build(channel, generator.digest.absolute(path))
        target = Path(generator.output_path) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        write(document, target)
        del document


# -- the phase ------------------------------------------------------------------


def _asset_url(digest: DigestSettings, value: str) -> str:
    return digest.absolute(value) if value else ""


def edition_channel(generator: DigestGenerator, feeds: FeedSettings) -> Channel:
    digest = generator.digest
    newest = list(reversed(generator.editions))[: feeds.max_items]
    updates = distinct_times({e.day.isoformat(): e.stamp for e in generator.editions})
    items = limit_size(
        (edition_item(generator, e, feeds, updates[e.day.isoformat()]) for e in newest),
        feeds.max_entry_bytes,
        "CX_DIGEST_FEED_MAX_ENTRY_BYTES",
    )
    return Channel(
        id=tag_uri(feeds.id_authority, "digest"),
        title=feeds.title,
        subtitle=feeds.subtitle,
        home_url=digest.public_url + "/",
        paths={"atom": feeds.atom, "rss": feeds.rss, "json": feeds.json},
        items=tuple(items),
        author=feeds.author,
        language=feeds.language,
        logo=_asset_url(digest, feeds.logo),
        icon=_asset_url(digest, feeds.icon),
        hub=feeds.hub,
    )


def _story_items(
    generator: DigestGenerator,
    feeds: FeedSettings,
    articles: Sequence[Any],
    stories: Mapping[str, Story],
    done: dict[str, Item],
    updates: Mapping[str, datetime],
) -> tuple[Item, ...]:
    """The newest stories of ``articles``; ``done`` keeps items already built
    (a story is in the site feed and its category's), warning once each."""
    chosen = [a for a in articles if a.slug in stories]
    chosen.sort(key=lambda a: (stories[a.slug].date, a.slug), reverse=True)
    out: list[Item] = []
    for article in chosen[: feeds.story_max_items]:
        if article.slug not in done:
            built = story_item(
                generator.digest,
                feeds,
                article,
                stories[article.slug],
                updates[article.slug],
            )
            done[article.slug] = limit_size(
                [built], feeds.max_entry_bytes, "CX_DIGEST_FEED_MAX_ENTRY_BYTES"
            )[0]
        out.append(done[article.slug])
    return tuple(out)


def story_channels(generator: DigestGenerator, feeds: FeedSettings) -> list[Channel]:
    digest = generator.digest
    articles = list(generator.context.get("articles", []))
    stories = {s.slug: s for s in generator.stories}
    common: dict[str, Any] = {
        "author": feeds.author,
        "language": feeds.language,
        "logo": _asset_url(digest, feeds.logo),
        "icon": _asset_url(digest, feeds.icon),
        "hub": feeds.hub,
    }
    channels: list[Channel] = []
    done: dict[str, Item] = {}
    updates = distinct_times(
        {
            a.slug: story_updated(digest, a, stories[a.slug])
            for a in articles
            if a.slug in stories
        }
    )
    if feeds.story_atom or feeds.story_rss:
        channels.append(
            Channel(
                id=tag_uri(feeds.id_authority, "stories"),
                title=f"{feeds.story_title}: all stories",
                subtitle=f"Every story published by {feeds.site_name}",
                home_url=digest.public_url + "/",
                paths={"atom": feeds.story_atom, "rss": feeds.story_rss},
                items=_story_items(generator, feeds, articles, stories, done, updates),
                **common,
            )
        )
    if feeds.category_atom or feeds.category_rss:
        by_slug: dict[str, tuple[Any, list[Any]]] = {}
        for article in articles:
            category = article.category
            by_slug.setdefault(category.slug, (category, []))[1].append(article)
        for slug in sorted(by_slug):
            category, members = by_slug[slug]
            name = xml_safe(str(category.name))
            channels.append(
                Channel(
                    id=tag_uri(feeds.id_authority, f"stories/category/{slug}"),
                    title=f"{feeds.story_title}: {name}",
                    subtitle=f"{name} stories from {feeds.site_name}",
                    home_url=digest.absolute(category.url),
                    paths={
                        "atom": feeds.category_atom.format(slug=slug)
                        if feeds.category_atom
                        else "",
                        "rss": feeds.category_rss.format(slug=slug)
                        if feeds.category_rss
                        else "",
                    },
                    items=_story_items(
                        generator, feeds, members, stories, done, updates
                    ),
                    **common,
                )
            )
    return channels


def write_feeds(generator: DigestGenerator, writer: Any) -> None:
    """The "feeds" output phase: edition feeds, then story feeds."""
    feeds: FeedSettings = generator.feed_settings
    if feeds.atom or feeds.rss or feeds.json:
        write_channel(generator, edition_channel(generator, feeds))
    for channel in story_channels(generator, feeds):
        write_channel(generator, channel)
