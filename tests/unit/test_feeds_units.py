"""Feed settings, HTML clean-up and the three serialisations, without Pelican."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

import feedparser
import pytest
from bs4 import BeautifulSoup
from lxml import etree

from cx_digest import feedfiles, feeds
from cx_digest import settings as settings_module
from cx_digest.model import Edition, EditionSection, Story
from cx_digest.settings import DEFAULTS
from cx_digest.settings.outputs import FeedSettings
from support import SHANGHAI, make_story

PUBLIC = "https://news.example.com"
ATOM = "{http://www.w3.org/2005/Atom}"


def load(**overrides: Any) -> FeedSettings:
    values: dict[str, Any] = {"CX_DIGEST_PUBLIC_URL": PUBLIC, "SITENAME": "Site"}
    values.update(overrides)
    return settings_module.load(values).feeds


def item(n: int = 1, **overrides: Any) -> feeds.Item:
    moment = datetime(2026, 11, 10 + n, 8, 30, tzinfo=SHANGHAI)
    values: dict[str, Any] = {
        "id": f"tag:news.example.com,2026:digest/2026-11-{10 + n}",
        "title": f"Edition {n}",
        "url": f"{PUBLIC}/digest/2026/11/{10 + n}/",
        "published": moment,
        "updated": moment,
        "authors": ("Newsroom",),
        "categories": ("Economy", "Markets"),
        "summary": "Lead & more",
        "content_html": f'<p><a href="{PUBLIC}/x/">Story {n}</a></p>',
        "source": f"edition 2026-11-{10 + n}",
    }
    values.update(overrides)
    return feeds.Item(**values)


def channel(*items: feeds.Item, **overrides: Any) -> feeds.Channel:
    values: dict[str, Any] = {
        "id": "tag:news.example.com,2026:digest",
        "title": "Daily",
        "subtitle": "The news",
        "home_url": f"{PUBLIC}/",
        "items": items,
        "author": "Newsroom",
        "language": "en",
    }
    values.update(overrides)
    return feeds.Channel(**values)


# -- settings ---------------------------------------------------------------------


def test_defaults() -> None:
    s = load()
    assert (s.atom, s.rss, s.json, s.category_atom) == (
        DEFAULTS["CX_DIGEST_FEED_ATOM"],
        DEFAULTS["CX_DIGEST_FEED_RSS"],
        DEFAULTS["CX_DIGEST_FEED_JSON"],
        DEFAULTS["CX_DIGEST_CATEGORY_FEED_ATOM"],
    )
    assert s.max_items == DEFAULTS["CX_DIGEST_FEED_MAX_ITEMS"]
    assert s.max_entry_bytes == DEFAULTS["CX_DIGEST_FEED_MAX_ENTRY_BYTES"]
    # Derived: the public host and the year 2000, the digest's name...
    assert s.id_authority == "news.example.com,2000"
    assert s.title == "CX Daily"
    assert s.author == "Site"
    assert (s.logo, s.icon, s.hub) == ("", "", "")


def test_settings_from_pelican_and_explicit() -> None:
    s = load(
        AUTHOR="Desk",
        SITESUBTITLE="All the news",
        DEFAULT_LANG="zh",
        CX_DIGEST_FEED_ID_AUTHORITY="news.example.com,2026-01",
        CX_DIGEST_FEED_TITLE="Morning",
        CX_DIGEST_FEED_LOGO="images/logo.png",
        CX_DIGEST_FEED_HUB="https://hub.example.org/",
    )
    assert (s.author, s.subtitle) == ("Desk", "All the news")
    assert (s.id_authority, s.title) == ("news.example.com,2026-01", "Morning")
    assert (s.logo, s.hub) == ("images/logo.png", "https://hub.example.org/")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("CX_DIGEST_FEED_ID_AUTHORITY", "news.example.com"),
        ("CX_DIGEST_FEED_ID_AUTHORITY", "news.example.com,26"),
        ("CX_DIGEST_FEED_ID_AUTHORITY", "https://news.example.com,2026"),
        ("CX_DIGEST_FEED_ID_AUTHORITY", "news.example.com,2026-13"),
        ("CX_DIGEST_FEED_ATOM", "/feeds/a.xml"),
        ("CX_DIGEST_FEED_RSS", "feeds/{slug}.xml"),
        ("CX_DIGEST_FEED_JSON", 7),
        ("CX_DIGEST_STORY_FEED_ATOM", "feeds/digest.atom.xml"),  # taken
        ("CX_DIGEST_CATEGORY_FEED_ATOM", "feeds/category.xml"),
        ("CX_DIGEST_CATEGORY_FEED_RSS", "feeds/{name}.xml"),
        ("CX_DIGEST_FEED_MAX_ITEMS", 0),
        ("CX_DIGEST_STORY_FEED_MAX_ITEMS", True),
        ("CX_DIGEST_FEED_MAX_ENTRY_BYTES", "500k"),
        ("CX_DIGEST_FEED_HUB", "hub.example.org"),
        ("CX_DIGEST_FEED_LOGO", "javascript:alert(1)"),
        ("CX_DIGEST_FEED_ICON", "//cdn.example.com/i.png"),
    ],
)
def test_bad_settings_name_the_key(key: str, value: Any) -> None:
    with pytest.raises(settings_module.SettingsError, match=key):
        load(**{key: value})


def test_empty_paths_turn_feeds_off() -> None:
    s = load(CX_DIGEST_FEED_JSON="", CX_DIGEST_CATEGORY_FEED_RSS="")
    assert s.json == ""
    assert s.category_rss == ""


def atom_of(ch: feeds.Channel, url: str) -> bytes:
    return feedfiles.atom_text(ch, url).encode("utf-8")


def rss_of(ch: feeds.Channel, url: str) -> bytes:
    return feedfiles.rss_text(ch, url).encode("utf-8")


def json_of(ch: feeds.Channel, url: str) -> bytes:
    return feedfiles.json_text(ch, url).encode("utf-8")


def edition(*stories: Story, lead: Story | None = None) -> Edition:
    return Edition(
        day=datetime(2026, 11, 18).date(),
        stamp=datetime(2026, 11, 18, 10, 20, tzinfo=SHANGHAI),
        title="Daily: Lead",
        url="digest/2026/11/18/",
        save_as="digest/2026/11/18/index.html",
        lead=lead,
        sections=(EditionSection("main", "", tuple(stories), ()),),
        hot_topics=(),
        photos=(),
        all_stories=((lead,) if lead else ()) + tuple(stories),
    )


def test_edition_summary() -> None:
    lead = make_story("lead", title="Rates rise?", kicker="Analysis")
    others = [make_story(f"s{i}", title=f"Story {i}") for i in range(5)]
    summary = feeds.edition_summary(edition(*others, lead=lead))
    assert summary == "Analysis: Rates rise? Also: Story 0; Story 1; Story 2."
    alone = feeds.edition_summary(edition(lead=make_story("x", title="Only one")))
    assert alone == "Only one"
    assert feeds.edition_summary(edition(make_story("y", title="No lead"))) == (
        "No lead"
    )


def test_limit_size_falls_back_to_the_summary_and_warns(
    caplog: pytest.LogCaptureFixture,
) -> None:
    small, big = item(1), item(2, content_html="<p>" + "x" * 2000 + "</p>")
    with caplog.at_level(logging.WARNING, logger="cx_digest"):
        out = [feeds.limit_size(one, 1000) for one in (small, big)]
    assert out[0] == small
    soup = BeautifulSoup(out[1].content_html, "html.parser")
    assert soup.find("p").get_text() == "Lead & more"
    assert soup.find("a")["href"] == big.url
    assert len(caplog.records) == 1
    message = caplog.records[0].getMessage()
    assert "edition 2026-11-12" in message
    assert "2007 bytes" in message


# -- serialisations ------------------------------------------------------------


def test_atom_and_rss_structure() -> None:
    ch = channel(item(2), item(1), hub="https://hub.example.org/")
    atom = etree.fromstring(atom_of(ch, f"{PUBLIC}/feeds/a.xml"))
    assert [e.findtext(f"{ATOM}title") for e in atom.findall(f"{ATOM}entry")] == [
        "Edition 2",
        "Edition 1",
    ]
    rels = [(ln.get("rel"), ln.get("href")) for ln in atom.findall(f"{ATOM}link")]
    assert rels == [
        ("self", f"{PUBLIC}/feeds/a.xml"),
        ("hub", "https://hub.example.org/"),
        ("alternate", f"{PUBLIC}/"),
    ]
    assert atom.findtext(f"{ATOM}updated") == "2026-11-12T08:30:00+08:00"
    assert atom.findtext(f"{ATOM}generator") == "cx-digest"
    entry = atom.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}summary").get("type") == "html"
    assert entry.findtext(f"{ATOM}summary") == "Lead &amp; more"

    rss = etree.fromstring(rss_of(ch, f"{PUBLIC}/feeds/r.xml"))
    chan = rss.find("channel")
    assert chan.findtext("link") == f"{PUBLIC}/"
    links = [(ln.get("rel"), ln.get("href")) for ln in chan.findall(f"{ATOM}link")]
    assert links == [
        ("self", f"{PUBLIC}/feeds/r.xml"),
        ("hub", "https://hub.example.org/"),
    ]
    assert chan.findtext("lastBuildDate") == "Thu, 12 Nov 2026 08:30:00 +0800"
    assert chan.findtext("generator") == "cx-digest"
    first = chan.find("item")
    assert first.find("guid").get("isPermaLink") == "false"
    assert [c.tag for c in first][:4] == [
        "title",
        "link",
        "description",
        "{http://purl.org/rss/1.0/modules/content/}encoded",
    ]
    assert first.find("author") is None
    assert first.findtext("{http://purl.org/dc/elements/1.1/}creator") == "Newsroom"
    for data in (atom_of(ch, "u"), rss_of(ch, "u")):
        assert b"CDATA" not in data


def test_serialisations_are_deterministic_and_parse_cleanly() -> None:
    ch = channel(item(1, title="Rice & wheat <b>up</b>"), title="Daily")
    for render in (atom_of, rss_of, json_of):
        assert render(ch, f"{PUBLIC}/f") == render(ch, f"{PUBLIC}/f")
    parsed = feedparser.parse(atom_of(ch, f"{PUBLIC}/f"))
    assert parsed.bozo == 0
    assert parsed.entries[0].title == "Rice & wheat <b>up</b>"


def test_an_empty_feed_has_a_fixed_updated_time() -> None:
    ch = channel()
    atom = etree.fromstring(atom_of(ch, f"{PUBLIC}/f"))
    assert atom.findtext(f"{ATOM}updated") == "2000-01-01T00:00:00+00:00"
    assert atom.findall(f"{ATOM}entry") == []
    rss = etree.fromstring(rss_of(ch, f"{PUBLIC}/f"))
    assert rss.findtext("channel/lastBuildDate") == "Sat, 01 Jan 2000 00:00:00 +0000"


def test_json_feed() -> None:
    ch = channel(
        item(2, image=f"{PUBLIC}/images/x.jpg"),
        item(1),
        logo=f"{PUBLIC}/logo.png",
        icon=f"{PUBLIC}/fav.png",
        hub="https://hub.example.org/",
    )
    data = json.loads(json_of(ch, f"{PUBLIC}/feeds/j.json"))
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert data["feed_url"] == f"{PUBLIC}/feeds/j.json"
    assert data["icon"] == f"{PUBLIC}/logo.png"
    assert data["favicon"] == f"{PUBLIC}/fav.png"
    assert data["hubs"] == [{"type": "WebSub", "url": "https://hub.example.org/"}]
    first = data["items"][0]
    assert first["id"].endswith("2026-11-12")
    assert first["image"] == f"{PUBLIC}/images/x.jpg"
    assert first["summary"] == "Lead & more"
    assert first["date_published"] == "2026-11-12T08:30:00+08:00"
    assert first["authors"] == [{"name": "Newsroom"}]
    assert first["tags"] == ["Economy", "Markets"]
    assert "image" not in data["items"][1]


def test_distinct_times_keeps_order_and_is_stable() -> None:
    at = datetime(2026, 11, 18, 9, 0, tzinfo=SHANGHAI)
    later = datetime(2026, 11, 18, 9, 0, 1, tzinfo=SHANGHAI)
    out = feeds.distinct_times({"b": at, "a": at, "c": later, "d": at})
    assert out == {
        "a": at,
        "b": later,
        # d was earlier than c, and still is.
        "d": datetime(2026, 11, 18, 9, 0, 2, tzinfo=SHANGHAI),
        "c": datetime(2026, 11, 18, 9, 0, 3, tzinfo=SHANGHAI),
    }
    assert feeds.distinct_times({"x": at}) == {"x": at}
