"""The feeds a build writes, read the way feed readers and validators read them.

Every feed file is parsed with feedparser (bozo must be 0) and lxml, and
checked for the W3C Feed Validation Service's common failures: relative
links in content, a missing self link, guid permalink rules, RFC 822 dates,
the form of atom:id, a missing author, dates without an offset.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest
from bs4 import BeautifulSoup
from lxml import etree

from support import ROOT, Site, story_file

PUBLIC = "https://daily.cx-newsroom.example"
AUTHORITY = "daily.cx-newsroom.example,2026"  # pelicanconf.py
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"
RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
)
RFC822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
    r"\d{2}:\d{2}:\d{2} [+-]\d{4}$"
)
TAG_URI = re.compile(r"^tag:[a-z0-9.-]+,\d{4}(-\d{2}(-\d{2})?)?:[\x21-\x7e]+$")


def newsroom() -> dict[str, str | bytes]:
    """Three days of stories, with the traps feeds must survive."""
    return {
        # pelicanconf.py names it as the feed logo.
        "images/cx-logo.png": (ROOT / "content/images/cx-logo.png").read_bytes(),
        "stories/d1/first-day.md": story_file(
            "Rice futures climb after the floods",
            "2026-11-16 09:00",
            "Markets",
            tags="Delta floods",
        ),
        # Same minute as first-day: feeds must still give distinct "updated".
        "stories/d1/first-day-twin.md": story_file(
            "Soybean futures climb too",
            "2026-11-16 09:00",
            "Markets",
        ),
        "stories/d2/second-lead.md": story_file(
            "Port reopens \x0bafter the storm",  # a control character
            "2026-11-17 08:00",
            "Economy",
            body="""
            The port reopened on Tuesday.

            Read [the earlier story](../../16/first-day/) and see
            ![Cranes at the port]({static}/images/fixture.jpg)
            and [the notes](#notes).

            <p id="notes" style="color: red" onclick="alert(1)">Notes.</p>
            <script>alert("no")</script>
            """,
            digest="lead",
            image="images/fixture.jpg",
            image_alt="Cranes at the port",
        ),
        "stories/d2/second-other.md": story_file(
            "Carmaker cuts prices & M&A talk",
            "2026-11-17 10:00",
            "Companies",
            kicker="Opinion",
        ),
        "stories/d3/third-lead.md": story_file(
            "Regulator proposes flood cover",
            "2026-11-18T01:30:00+00:00",  # 09:30 in Shanghai
            "Economy",
            digest="lead",
            summary="A [relative link](../../17/second-lead/) in the summary.",
        ),
        "stories/d3/third-draft.md": story_file(
            "Draft that must not appear",
            "2026-11-18 11:00",
            "Economy",
            status="draft",
        ),
        "stories/d3/third-hidden.md": story_file(
            "Hidden story that must not appear",
            "2026-11-18 12:00",
            "Economy",
            status="hidden",
        ),
    }


def feed_files(output: Path) -> list[Path]:
    return sorted(p for p in (output / "feeds").rglob("*") if p.is_file())


def xml(path: Path) -> Any:
    return etree.parse(str(path)).getroot()


def atom_entries(path: Path) -> list[Any]:
    return xml(path).findall(f"{ATOM}entry")


def rss_items(path: Path) -> list[Any]:
    return xml(path).find("channel").findall("item")


def entry_link(entry: Any) -> str:
    """An Atom entry's alternate link (``rel`` defaults to alternate)."""
    for link in entry.findall(f"{ATOM}link"):
        if link.get("rel", "alternate") == "alternate":
            return str(link.get("href"))
    raise AssertionError("entry without an alternate link")


def links_in(fragment: str) -> Iterator[str]:
    soup = BeautifulSoup(fragment, "html.parser")
    for tag in soup.find_all(True):
        for attr in ("href", "src", "poster"):
            if tag.has_attr(attr):
                yield tag[attr]


def check_like_w3c(path: Path, output: Path) -> None:
    """The checks the W3C validator fails or warns on most often."""
    self_url = f"{PUBLIC}/{path.relative_to(output).as_posix()}"
    parsed = feedparser.parse(path.read_bytes())
    assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
    root = xml(path)
    if root.tag == f"{ATOM}feed":
        assert TAG_URI.match(root.findtext(f"{ATOM}id")), path
        links = {(ln.get("rel"), ln.get("href")) for ln in root.findall(f"{ATOM}link")}
        assert ("self", self_url) in links, path
        assert root.find(f"{ATOM}link[@rel='alternate']").get("href").startswith(PUBLIC)
        assert root.find(f"{ATOM}author/{ATOM}name").text.strip()
        assert RFC3339.match(root.findtext(f"{ATOM}updated")), path
        # The validator warns when two entries share atom:updated.
        updated = [e.findtext(f"{ATOM}updated") for e in root.findall(f"{ATOM}entry")]
        assert len(updated) == len(set(updated)), path
        generator = root.findtext(f"{ATOM}generator")
        assert generator
        assert not re.search(r"\d", generator)
        assert root.find(f"{ATOM}generator").get("version") is None
        for entry in root.findall(f"{ATOM}entry"):
            assert TAG_URI.match(entry.findtext(f"{ATOM}id")), path
            for name in ("updated", "published"):
                assert RFC3339.match(entry.findtext(f"{ATOM}{name}")), (path, name)
            assert entry_link(entry).startswith(PUBLIC + "/")
            content = entry.find(f"{ATOM}content")
            assert content.get("type") == "html"
            for url in links_in(content.text):
                assert url.startswith(("https://", "http://", "mailto:")), (path, url)
    else:
        assert root.tag == "rss"
        assert root.get("version") == "2.0"
        channel = root.find("channel")
        self_link = channel.find(f"{ATOM}link[@rel='self']")
        assert self_link is not None
        assert self_link.get("href") == self_url
        assert self_link.get("type") == "application/rss+xml"
        assert channel.findtext("link").startswith(PUBLIC + "/")
        assert not channel.findtext("link").endswith(".xml")
        assert channel.findtext("description").strip()
        assert RFC822.match(channel.findtext("lastBuildDate")), path
        assert not re.search(r"\d", channel.findtext("generator"))
        for item in channel.findall("item"):
            guid = item.find("guid")
            assert guid.get("isPermaLink") == "false"
            assert TAG_URI.match(guid.text)
            assert RFC822.match(item.findtext("pubDate")), path
            assert (
                parsedate_to_datetime(item.findtext("pubDate")).utcoffset() is not None
            )
            # RSS <author> must be an email address; we name authors in dc:creator.
            assert item.find("author") is None
            assert (item.findtext(f"{DC}creator") or "").strip(), path
            tags = [child.tag for child in item]
            assert tags.index("description") < tags.index(f"{CONTENT}encoded")
            # <description> is HTML in RSS: a bare "&" would be invalid HTML.
            assert not re.search(
                r"&(?!(amp|lt|gt|quot|#\d+);)", item.findtext("description")
            )
            for url in links_in(item.findtext(f"{CONTENT}encoded")):
                assert url.startswith(("https://", "http://", "mailto:")), (path, url)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    from support import run_pelican

    return run_pelican(tmp_path_factory.mktemp("feeds") / "site", newsroom())


# -- what a build writes ------------------------------------------------------------


def test_every_feed_file_passes_the_validator_checks(site: Site) -> None:
    files = feed_files(site.output)
    names = {p.relative_to(site.output).as_posix() for p in files}
    assert {
        "feeds/digest.atom.xml",
        "feeds/digest.rss.xml",
        "feeds/digest.json",
        "feeds/stories.atom.xml",
        "feeds/stories.rss.xml",
        "feeds/category/economy.atom.xml",
        "feeds/category/economy.rss.xml",
        "feeds/category/markets.rss.xml",
    } <= names
    for path in files:
        if path.suffix == ".xml":
            check_like_w3c(path, site.output)
    # Pelican's own feeds (guids the W3C validator rejects) are not written.
    assert not list(site.output.rglob("all*.xml"))


def test_three_formats_carry_the_same_editions_newest_first(site: Site) -> None:
    out = site.output / "feeds"
    atom = [e.findtext(f"{ATOM}id") for e in atom_entries(out / "digest.atom.xml")]
    rss = [i.findtext("guid") for i in rss_items(out / "digest.rss.xml")]
    data = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    assert atom == rss == [item["id"] for item in data["items"]]
    assert atom == [
        f"tag:{AUTHORITY}:digest/2026-11-18",
        f"tag:{AUTHORITY}:digest/2026-11-17",
        f"tag:{AUTHORITY}:digest/2026-11-16",
    ]
    titles = [e.findtext(f"{ATOM}title") for e in atom_entries(out / "digest.atom.xml")]
    assert titles == [i.findtext("title") for i in rss_items(out / "digest.rss.xml")]
    assert titles == [item["title"] for item in data["items"]]


def test_entry_links_dates_and_offsets(site: Site) -> None:
    out = site.output / "feeds"
    entry = atom_entries(out / "digest.atom.xml")[0]
    link = entry_link(entry)
    assert link == f"{PUBLIC}/digest/2026/11/18/"
    assert (site.output / "digest/2026/11/18/index.html").exists()
    # The edition stamp: the latest story time that day, in Shanghai time.
    assert entry.findtext(f"{ATOM}published") == "2026-11-18T09:30:00+08:00"
    item = rss_items(out / "digest.rss.xml")[0]
    assert item.findtext("link") == link
    assert item.findtext("pubDate") == "Wed, 18 Nov 2026 09:30:00 +0800"
    # Feed-level updated: the newest edition, never the clock.
    assert xml(out / "digest.atom.xml").findtext(f"{ATOM}updated") == (
        "2026-11-18T09:30:00+08:00"
    )
    channel = xml(out / "digest.rss.xml").find("channel")
    assert channel.findtext("lastBuildDate") == "Wed, 18 Nov 2026 09:30:00 +0800"
    assert channel.findtext("link") == f"{PUBLIC}/"
    assert channel.findtext("language") == "en"
    data = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    assert data["items"][0]["date_published"] == "2026-11-18T09:30:00+08:00"


def test_edition_content_is_the_page_body_with_absolute_urls(site: Site) -> None:
    out = site.output / "feeds"
    entry = atom_entries(out / "digest.atom.xml")[1]  # 2026-11-17
    content = entry.find(f"{ATOM}content").text
    soup = BeautifulSoup(content, "html.parser")
    img = soup.find("img")
    assert img["src"] == f"{PUBLIC}/images/fixture.jpg"
    assert img["alt"] == "Cranes at the port"
    hrefs = [a["href"] for a in soup.find_all("a")]
    assert f"{PUBLIC}/2026/11/17/second-lead/" in hrefs
    assert f"{PUBLIC}/category/economy/" in hrefs
    assert all(h.startswith(PUBLIC + "/") for h in hrefs)
    assert not soup.find_all(["script", "style"])
    assert not soup.find_all(style=True)
    # The same headlines as the web page, in the same order.
    page = site.html("digest/2026/11/17/")
    on_page = [h.get_text(" ", strip=True) for h in page.select(".cx-headline")]
    in_feed = [h.get_text(" ", strip=True) for h in soup.select(".cx-headline")]
    assert in_feed == on_page
    # A relative link in a story's Summary comes out absolute.
    newest = atom_entries(out / "digest.atom.xml")[0].find(f"{ATOM}content").text
    assert f'href="{PUBLIC}/2026/11/17/second-lead/"' in newest


def test_entry_summary_author_and_categories(site: Site) -> None:
    out = site.output / "feeds"
    entry = atom_entries(out / "digest.atom.xml")[1]
    summary = BeautifulSoup(entry.findtext(f"{ATOM}summary"), "html.parser").get_text()
    assert summary == (
        "Port reopens after the storm. Also: Opinion: Carmaker cuts prices & M&A talk."
    )
    assert entry.find(f"{ATOM}author/{ATOM}name").text == "CX Newsroom"
    terms = [c.get("term") for c in entry.findall(f"{ATOM}category")]
    assert terms == ["Economy", "Companies"]
    item = rss_items(out / "digest.rss.xml")[1]
    assert [c.text for c in item.findall("category")] == terms
    assert item.findtext(f"{DC}creator") == "CX Newsroom"
    parsed = feedparser.parse((out / "digest.rss.xml").read_bytes())
    assert parsed.entries[1].summary == (
        "Port reopens after the storm. Also: Opinion: "
        "Carmaker cuts prices &amp; M&amp;A talk."
    )


def test_control_characters_never_reach_feeds_or_pages(site: Site) -> None:
    for path in [*feed_files(site.output), site.path("digest/2026/11/17/")]:
        assert "\x0b" not in path.read_text(encoding="utf-8"), path
    for name in ("digest.atom.xml", "digest.rss.xml", "digest.json", "stories.rss.xml"):
        text = (site.output / "feeds" / name).read_text(encoding="utf-8")
        assert "Port reopens after the storm" in text, name


def test_feed_level_fields(site: Site) -> None:
    out = site.output / "feeds"
    feed = xml(out / "digest.atom.xml")
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert feed.findtext(f"{ATOM}title") == "CX Daily"
    assert feed.findtext(f"{ATOM}subtitle") == "The day's business news in two minutes"
    assert feed.findtext(f"{ATOM}id") == f"tag:{AUTHORITY}:digest"
    assert feed.findtext(f"{ATOM}logo") == f"{PUBLIC}/images/cx-logo.png"
    assert feed.findtext(f"{ATOM}icon") == f"{PUBLIC}/images/favicon.png"
    assert feed.findtext(f"{ATOM}generator") == "cx-digest"
    assert feed.find(f"{ATOM}link[@rel='hub']") is None  # off by default
    channel = xml(out / "digest.rss.xml").find("channel")
    assert channel.findtext("image/url") == f"{PUBLIC}/images/cx-logo.png"
    assert channel.findtext("image/link") == channel.findtext("link")
    assert channel.findtext("image/title") == channel.findtext("title")
    assert channel.findtext("generator") == "cx-digest"


def test_json_feed_meets_the_1_1_spec(site: Site) -> None:
    data = json.loads((site.output / "feeds/digest.json").read_text(encoding="utf-8"))
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert data["title"] == "CX Daily"
    assert data["home_page_url"] == f"{PUBLIC}/"
    assert data["feed_url"] == f"{PUBLIC}/feeds/digest.json"
    assert data["language"] == "en"
    assert data["authors"] == [{"name": "CX Newsroom", "url": f"{PUBLIC}/"}]
    assert data["icon"] == f"{PUBLIC}/images/cx-logo.png"
    assert data["favicon"] == f"{PUBLIC}/images/favicon.png"
    assert "author" not in data  # 1.0 only; 1.1 uses "authors"
    for item in data["items"]:
        assert isinstance(item["id"], str)
        assert TAG_URI.match(item["id"])
        assert item["url"].startswith(PUBLIC + "/")
        assert item["content_html"].startswith('<div class="cx-edition">')
        for url in links_in(item["content_html"]):
            assert url.startswith("https://"), url
        assert "<" not in item["summary"]
        for key in ("date_published", "date_modified"):
            assert RFC3339.match(item[key])
            assert datetime.fromisoformat(item[key]).utcoffset() is not None
        assert item["authors"] == [{"name": "CX Newsroom"}]
        assert all(isinstance(t, str) for t in item["tags"])
    assert data["items"][1]["image"] == f"{PUBLIC}/images/fixture.jpg"


def test_story_feeds(site: Site) -> None:
    out = site.output / "feeds"
    entries = atom_entries(out / "stories.atom.xml")
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert ids == [
        f"tag:{AUTHORITY}:story/2026-11-18/third-lead",
        f"tag:{AUTHORITY}:story/2026-11-17/second-other",
        f"tag:{AUTHORITY}:story/2026-11-17/second-lead",
        f"tag:{AUTHORITY}:story/2026-11-16/first-day-twin",
        f"tag:{AUTHORITY}:story/2026-11-16/first-day",
    ]
    # Two stories of the same minute: published as written, updated apart.
    assert [e.findtext(f"{ATOM}published") for e in entries[3:]] == [
        "2026-11-16T09:00:00+08:00",
        "2026-11-16T09:00:00+08:00",
    ]
    assert [e.findtext(f"{ATOM}updated") for e in entries[3:]] == [
        "2026-11-16T09:00:01+08:00",
        "2026-11-16T09:00:00+08:00",
    ]
    assert ids == [i.findtext("guid") for i in rss_items(out / "stories.rss.xml")]
    text = "".join(p.read_text(encoding="utf-8") for p in feed_files(site.output))
    assert "must not appear" not in text
    assert "third-draft" not in text
    assert "third-hidden" not in text

    lead = entries[2]
    assert lead.findtext(f"{ATOM}title") == "Port reopens after the storm"
    assert lead.findtext(f"{ATOM}published") == "2026-11-17T08:00:00+08:00"
    body = BeautifulSoup(lead.find(f"{ATOM}content").text, "html.parser")
    assert body.find("img")["src"] == f"{PUBLIC}/images/fixture.jpg"
    hrefs = [a["href"] for a in body.find_all("a")]
    assert hrefs == [
        f"{PUBLIC}/2026/11/16/first-day/",
        f"{PUBLIC}/2026/11/17/second-lead/#notes",
    ]
    assert not body.find_all(["script", "style"])
    # The note's anchor is on the story page (linked above); the paragraph
    # keeps its text, without id, style or handler.
    notes = body.find("p", string="Notes.")
    assert notes is not None
    assert notes.attrs == {}
    assert entries[1].findtext(f"{ATOM}title") == (
        "Opinion: Carmaker cuts prices & M&A talk"
    )

    economy = atom_entries(out / "category/economy.atom.xml")
    assert [e.findtext(f"{ATOM}id").rsplit("/", 1)[1] for e in economy] == [
        "third-lead",
        "second-lead",
    ]
    feed = xml(out / "category/economy.atom.xml")
    assert feed.find(f"{ATOM}link[@rel='alternate']").get("href") == (
        f"{PUBLIC}/category/economy/"
    )
    channel = xml(out / "category/economy.rss.xml").find("channel")
    assert channel.findtext("link") == f"{PUBLIC}/category/economy/"


def test_pages_advertise_the_feeds(site: Site) -> None:
    for page in ("digest/2026/11/18/", "", "2026/11/17/second-lead/"):
        soup = site.html(page)
        alternates = {
            link["type"]: link["href"]
            for link in soup.find_all("link", rel="alternate")
        }
        for kind, path in [
            ("application/atom+xml", "feeds/digest.atom.xml"),
            ("application/rss+xml", "feeds/digest.rss.xml"),
            ("application/feed+json", "feeds/digest.json"),
        ]:
            href = alternates[kind]
            assert href.endswith(path), (page, href)
            target = (site.path(page).parent / href).resolve()
            assert target == (site.output / path).resolve(), (page, href)
            assert target.exists()
        visible = soup.select("a.feed-link")
        assert visible
        assert visible[0].get_text(strip=True)
    category = site.html("category/economy/")
    types = {
        link["href"].rsplit("/", 1)[-1]
        for link in category.find_all("link", rel="alternate")
    }
    assert {"economy.atom.xml", "economy.rss.xml", "digest.atom.xml"} <= types
    feed_link = category.select_one(".list-feed a.feed-link")
    target = (site.path("category/economy/").parent / feed_link["href"]).resolve()
    assert target == (site.output / "feeds/category/economy.atom.xml").resolve()
    everything = site.html("stories/")
    hrefs = {
        link["type"]: link["href"]
        for link in everything.find_all("link", rel="alternate")
        if "All stories" in link.get("title", "")
    }
    for kind, path in [
        ("application/atom+xml", "feeds/stories.atom.xml"),
        ("application/rss+xml", "feeds/stories.rss.xml"),
    ]:
        target = (site.path("stories/").parent / hrefs[kind]).resolve()
        assert target == (site.output / path).resolve()
        assert target.exists()
    visible = everything.select_one(".list-feed a.feed-link")["href"]
    assert visible.endswith("feeds/stories.atom.xml")


# -- settings at work -----------------------------------------------------------


def test_max_items_hub_and_paths(build_site: Callable[..., Site]) -> None:
    site = build_site(
        newsroom(),
        CX_DIGEST_FEED_MAX_ITEMS=2,
        CX_DIGEST_STORY_FEED_MAX_ITEMS=1,
        CX_DIGEST_FEED_HUB="https://hub.example.org/",
        CX_DIGEST_FEED_JSON="",
        CX_DIGEST_CATEGORY_FEED_RSS="",
        CX_DIGEST_FEED_ATOM="atom.xml",
    )
    out = site.output
    assert not (out / "feeds/digest.json").exists()
    assert not list((out / "feeds/category").glob("*.rss.xml"))
    assert len(atom_entries(out / "atom.xml")) == 2
    assert len(rss_items(out / "feeds/digest.rss.xml")) == 2
    assert len(atom_entries(out / "feeds/stories.atom.xml")) == 1
    feed = xml(out / "atom.xml")
    assert (
        feed.find(f"{ATOM}link[@rel='hub']").get("href") == "https://hub.example.org/"
    )
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == f"{PUBLIC}/atom.xml"
    channel = xml(out / "feeds/digest.rss.xml").find("channel")
    assert channel.find(f"{ATOM}link[@rel='hub']").get("href") == (
        "https://hub.example.org/"
    )
    assert channel.findtext("link") == f"{PUBLIC}/"
    for path in [out / "atom.xml", *feed_files(out)]:
        check_like_w3c(path, out)
    # Pages advertise what exists, and nothing that does not.
    soup = site.html("digest/2026/11/18/")
    hrefs = [link["href"] for link in soup.find_all("link", rel="alternate")]
    assert any(h.endswith("/atom.xml") for h in hrefs)
    assert not any(h.endswith(".json") for h in hrefs)


def test_an_oversized_entry_carries_its_summary_and_the_build_says_so(
    build_site: Callable[..., Site],
) -> None:
    site = build_site(newsroom(), CX_DIGEST_FEED_MAX_ENTRY_BYTES=1000)
    entry = atom_entries(site.output / "feeds/digest.atom.xml")[1]
    content = BeautifulSoup(entry.find(f"{ATOM}content").text, "html.parser")
    paragraphs = [p.get_text() for p in content.find_all("p")]
    assert paragraphs[0].startswith("Port reopens after the storm.")
    assert content.find("a")["href"] == f"{PUBLIC}/digest/2026/11/17/"
    warnings = [w for w in site.warnings if "edition 2026-11-17" in w]
    assert len(warnings) == 1
    assert "CX_DIGEST_FEED_MAX_ENTRY_BYTES" in warnings[0]
    assert f"{PUBLIC}/digest/2026/11/17/" in warnings[0]
    for path in feed_files(site.output):
        if path.suffix == ".xml":
            check_like_w3c(path, site.output)


def test_oversized_entries_warn_once_at_any_worker_count(
    build_site: Callable[..., Site],
) -> None:
    """Each channel is made once, in the main process: a parallel build
    logs what a serial one does, even when a channel's files are written by
    different workers."""
    logs = {}
    for workers in (1, 2):
        site = build_site(
            newsroom(), CX_DIGEST_FEED_MAX_ENTRY_BYTES=300, FASTBUILD_WORKERS=workers
        )
        logs[workers] = [w for w in site.warnings if "MAX_ENTRY_BYTES" in w]
    assert len(logs[1]) == len(set(logs[1])) > 1
    assert logs[2] == logs[1]


def test_ids_survive_a_move_and_builds_are_byte_identical(
    build_site: Callable[..., Site],
) -> None:
    first = build_site(newsroom())
    old_tz = os.environ.get("TZ")
    os.environ["TZ"] = "America/Los_Angeles"
    time.tzset()
    try:
        second = build_site(newsroom())
        moved = build_site(newsroom(), CX_DIGEST_PUBLIC_URL="https://news.example.org")
    finally:
        if old_tz is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old_tz
        time.tzset()
    files = feed_files(first.output)
    assert [p.relative_to(first.output) for p in files] == [
        p.relative_to(second.output) for p in feed_files(second.output)
    ]
    for path in files:
        twin = second.output / path.relative_to(first.output)
        assert path.read_bytes() == twin.read_bytes(), path
    ids = [
        e.findtext(f"{ATOM}id")
        for e in atom_entries(first.output / "feeds/digest.atom.xml")
    ]
    moved_feed = moved.output / "feeds/digest.atom.xml"
    assert [e.findtext(f"{ATOM}id") for e in atom_entries(moved_feed)] == ids
    assert entry_link(atom_entries(moved_feed)[0]) == (
        "https://news.example.org/digest/2026/11/18/"
    )


def test_default_authority_is_the_public_host_and_a_fixed_year(
    build_site: Callable[..., Site],
) -> None:
    site = build_site(newsroom(), CX_DIGEST_FEED_ID_AUTHORITY="")
    entry = atom_entries(site.output / "feeds/digest.atom.xml")[0]
    assert entry.findtext(f"{ATOM}id") == (
        "tag:daily.cx-newsroom.example,2000:digest/2026-11-18"
    )


def test_a_site_without_stories_writes_empty_valid_feeds(
    build_site: Callable[..., Site],
) -> None:
    logo = (ROOT / "content/images/cx-logo.png").read_bytes()
    site = build_site({"images/cx-logo.png": logo})
    for path in feed_files(site.output):
        if path.suffix == ".xml":
            check_like_w3c(path, site.output)
    assert atom_entries(site.output / "feeds/digest.atom.xml") == []
    data = json.loads((site.output / "feeds/digest.json").read_text(encoding="utf-8"))
    assert data["items"] == []


# -- the sample newsroom ------------------------------------------------------------


def test_sample_site_feeds(sample_site: Site) -> None:
    files = feed_files(sample_site.output)
    assert len(files) >= 6
    for path in files:
        if path.suffix == ".xml":
            check_like_w3c(path, sample_site.output)
    out = sample_site.output / "feeds"
    atom = [e.findtext(f"{ATOM}id") for e in atom_entries(out / "digest.atom.xml")]
    data = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    assert atom == [i.findtext("guid") for i in rss_items(out / "digest.rss.xml")]
    assert atom == [item["id"] for item in data["items"]]
    days = [i.rsplit("/", 1)[1] for i in atom]
    assert days == sorted(days, reverse=True)
    assert len(days) == len(set(days)) >= 1
    published = [
        datetime.fromisoformat(e.findtext(f"{ATOM}published"))
        for e in atom_entries(out / "digest.atom.xml")
    ]
    assert published == sorted(published, reverse=True)
    # Every edition page on disk has its entry (up to the 30-item default).
    pages = sorted((sample_site.output / "digest").glob("[0-9]*/*/*/index.html"))
    assert len(atom) == min(30, len(pages))


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        # a relative link in content
        ("digest.rss.xml", f'href="{PUBLIC}/category/', 'href="/category/'),
        ("digest.atom.xml", f'src="{PUBLIC}/images/', 'src="images/'),
        # guid permalink rules
        ("digest.rss.xml", 'isPermaLink="false"', 'isPermaLink="true"'),
        # no self link
        ("digest.rss.xml", 'rel="self"', 'rel="related"'),
        ("digest.atom.xml", 'rel="self"', 'rel="related"'),
        # RFC 822 dates, and dates with offsets
        ("digest.rss.xml", "Wed, 18 Nov 2026 09:30:00 +0800", "2026-11-18 09:30"),
        ("digest.atom.xml", "2026-11-18T09:30:00+08:00", "2026-11-18T09:30:00"),
        # the form of atom:id
        ("digest.atom.xml", f"tag:{AUTHORITY}:digest/", f"{AUTHORITY}/digest/"),
        # a missing author
        ("digest.atom.xml", "<name>CX Newsroom</name>", "<name> </name>"),
        ("digest.rss.xml", "<dc:creator>CX Newsroom</dc:creator>", ""),
        # a version in the generator
        ("digest.rss.xml", "<generator>cx-digest<", "<generator>cx-digest 1.0<"),
        # two entries with the same atom:updated
        ("stories.atom.xml", "T09:00:01+08:00</updated>", "T09:00:00+08:00</updated>"),
    ],
)
def test_the_checks_catch_the_validators_common_failures(
    site: Site, tmp_path: Path, name: str, old: str, new: str
) -> None:
    text = (site.output / "feeds" / name).read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "feeds" / name
    broken.parent.mkdir(parents=True)
    broken.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(AssertionError):
        check_like_w3c(broken, tmp_path)
