"""Feeds: every edition in Atom, RSS 2.0 and JSON Feed 1.1, plus story feeds.

The editions and stories become a neutral :class:`Channel` of
:class:`Item` entries here; :mod:`cx_digest.feedfiles` writes each channel
in each format. All three edition feeds carry the same editions in the same
order (newest first). Story feeds (whole site, and one per category) replace
Pelican's own, whose ``tag:`` guids fail the W3C validator.

Everything that reaches a feed is deterministic: dates come from the
content (never the clock), ids are ``tag:`` URIs that do not depend on where
the site is hosted once ``CX_DIGEST_FEED_ID_AUTHORITY`` is set, and every URL
in entry content is absolute (the edition body is rendered with the public
address; summaries and story bodies come cleaned by the one HTML policy).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cached_property
from html import escape
from typing import Any

from .model import Edition, Story
from .site import DigestSite

logger = logging.getLogger("cx_digest")

# How many headlines after the lead's go into an edition's plain summary.
SUMMARY_HEADLINES = 3
# The "updated" time of a feed with no entries yet: any fixed moment will do
# (the clock would make two builds differ).
EMPTY_FEED_UPDATED = datetime.fromisoformat("2000-01-01T00:00:00+00:00")


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
    """Feed-level data."""

    id: str
    title: str
    subtitle: str
    home_url: str
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


def tag_uri(authority: str, specific: str) -> str:
    return f"tag:{authority}:{specific}"


def _distinct(values: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        if value and value.casefold() not in seen:
            seen[value.casefold()] = value
    return tuple(seen.values())


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


def fallback_html(item: Item) -> str:
    """Summary-only content for an entry over the size limit."""
    return (
        f"<p>{escape(item.summary, quote=False)}</p>\n"
        f'<p><a href="{escape(item.url)}">Read it on the web</a></p>'
    )


def limit_size(item: Item, max_bytes: int) -> Item:
    """An item whose content exceeds ``max_bytes`` carries its summary."""
    size = len(item.content_html.encode("utf-8"))
    if size <= max_bytes:
        return item
    logger.warning(
        "cx_digest: %s (%s): feed entry content is %d bytes, over "
        "CX_DIGEST_FEED_MAX_ENTRY_BYTES = %d; the feeds carry its summary and "
        "a link instead",
        item.source,
        item.url,
        size,
        max_bytes,
    )
    return replace(item, content_html=fallback_html(item))


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
    return text


class Feeds:
    """The channels of one build, each made once per process when asked."""

    def __init__(self, site: DigestSite) -> None:
        self.site = site
        self.settings = site.settings
        feeds = self.settings.feeds
        self.common: dict[str, Any] = {
            "author": feeds.author,
            "language": self.settings.language,
            "logo": self.settings.absolute(feeds.logo) if feeds.logo else "",
            "icon": self.settings.absolute(feeds.icon) if feeds.icon else "",
            "hub": feeds.hub,
        }

    def channels(self) -> Iterator[tuple[Mapping[str, str], Callable[[], Channel]]]:
        """``(paths, make)`` of every channel: its output path per format
        ("atom", "rss", "json"; "" when off) and how to make it."""
        feeds = self.settings.feeds
        yield (
            {"atom": feeds.atom, "rss": feeds.rss, "json": feeds.json},
            lambda: self.edition_channel,
        )
        yield (
            {"atom": feeds.story_atom, "rss": feeds.story_rss},
            lambda: self.story_channels[""],
        )
        if feeds.category_atom or feeds.category_rss:
            for slug in sorted(self.categories):
                paths = {
                    "atom": feeds.category_atom.format(slug=slug),
                    "rss": feeds.category_rss.format(slug=slug),
                }
                yield paths, lambda slug=slug: self.story_channels[slug]

    @cached_property
    def categories(self) -> dict[str, list[Story]]:
        members: dict[str, list[Story]] = {}
        for story in self.site.stories:
            members.setdefault(story.category_slug, []).append(story)
        return members

    # Channels are made once, for all their feed files (feedfiles.feed_files):
    # a story in the site-wide channel and its category's is one item.

    @cached_property
    def edition_channel(self) -> Channel:
        settings, feeds = self.settings, self.settings.feeds
        editions = self.site.editions
        updates = distinct_times({e.day.isoformat(): e.stamp for e in editions})
        items = tuple(
            limit_size(
                self.edition_item(e, updates[e.day.isoformat()]), feeds.max_entry_bytes
            )
            for e in list(reversed(editions))[: feeds.max_items]
        )
        return Channel(
            id=tag_uri(feeds.id_authority, "digest"),
            title=feeds.title,
            subtitle=feeds.subtitle,
            home_url=settings.absolute(""),
            items=items,
            **self.common,
        )

    def edition_item(self, edition: Edition, updated: datetime) -> Item:
        settings = self.settings
        lead = edition.lead
        image = lead.image.src if lead is not None and lead.image else ""
        return Item(
            id=tag_uri(settings.feeds.id_authority, f"digest/{edition.day}"),
            title=edition.title,
            url=settings.absolute(edition.url),
            published=edition.stamp,
            updated=updated,
            authors=(settings.feeds.author,),
            categories=_distinct(s.category for s in edition.stories),
            summary=edition_summary(edition),
            content_html=self.site.edition_html(edition),
            image=settings.absolute(image) if image else "",
            source=f"edition {edition.day.isoformat()}",
        )

    @cached_property
    def story_channels(self) -> dict[str, Channel]:
        """The site-wide story channel (key ``""``) and one per category."""
        settings, feeds = self.settings, self.settings.feeds
        stories = self.site.stories
        updates = distinct_times({s.slug: s.updated for s in stories})
        made: dict[str, Item] = {}  # a story is in the site feed and its category's

        def items(members: Sequence[Story]) -> tuple[Item, ...]:
            newest = sorted(members, key=lambda s: (s.date, s.slug), reverse=True)
            for story in newest[: feeds.story_max_items]:
                if story.slug not in made:
                    item = self.story_item(story, updates[story.slug])
                    made[story.slug] = limit_size(item, feeds.max_entry_bytes)
            return tuple(made[s.slug] for s in newest[: feeds.story_max_items])

        name = settings.site_name
        channels = {
            "": Channel(
                id=tag_uri(feeds.id_authority, "stories"),
                title=f"{name}: all stories",
                subtitle=f"Every story published by {name}",
                home_url=settings.absolute(""),
                items=items(stories) if feeds.story_atom or feeds.story_rss else (),
                **self.common,
            )
        }
        if feeds.category_atom or feeds.category_rss:
            for slug, members in sorted(self.categories.items()):
                category = members[0]
                channels[slug] = Channel(
                    id=tag_uri(feeds.id_authority, f"stories/category/{slug}"),
                    title=f"{name}: {category.category}",
                    subtitle=f"{category.category} stories from {name}",
                    home_url=settings.absolute(category.category_url),
                    items=items(members),
                    **self.common,
                )
        return channels

    def story_item(self, story: Story, updated: datetime) -> Item:
        settings = self.settings
        return Item(
            id=tag_uri(
                settings.feeds.id_authority,
                f"story/{story.date.date().isoformat()}/{story.slug}",
            ),
            title=story.headline,
            url=settings.absolute(story.url),
            published=story.date,
            updated=updated,
            authors=story.authors or (settings.feeds.author,),
            categories=_distinct([story.category, *(t.label for t in story.tags)]),
            summary=story.summary_text,
            content_html=self.site.story_body(story),
            image=settings.absolute(story.image.src) if story.image else "",
            source=story.source,
        )
