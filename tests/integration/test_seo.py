"""Sharing and discovery: page heads, JSON-LD, sitemaps, robots.txt, share links."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from lxml import etree
from PIL import Image as PILImage

from cx_digest import meta as page_meta
from cx_digest.settings import SettingsError
from support import FIXTURES, Site, run_pelican, story_file

PUBLIC = "https://daily.cx-newsroom.example"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
HOSTILE = 'Breaking </script><script>alert("x")</script> <!-- & "quotes" -->'
SHARE_TITLE = "Rice & wheat: who pays? 稻米价格 #1"


def newsroom() -> dict[str, str]:
    """Stories spread over five days; the newest is 2026-11-19 12:00 (+08:00)."""
    return {
        "stories/a/oldest.md": story_file(
            "Oldest story", "2026-11-15 09:00", "Markets", tags="Floods"
        ),
        "stories/b/just-outside.md": story_file(
            "Just outside the window", "2026-11-17 11:59", "Economy"
        ),
        "stories/b/edge.md": story_file(
            "Exactly 48 hours before the newest", "2026-11-17 12:00", "Economy"
        ),
        "stories/c/offset.md": story_file(
            # 22:00 UTC on the 17th is 06:00 on the 18th in Shanghai.
            "Story dated in UTC",
            "2026-11-17T22:00:00+00:00",
            "Economy",
        ),
        "stories/c/lead.md": story_file(
            "Lead of the day with a picture",
            "2026-11-18 08:00",
            "Economy",
            body="Opening paragraph of the lead story. " * 12,
            digest="lead",
            kicker="In Depth",
            tags="Floods, Sugar",
            image="images/fixture.jpg",
            image_alt="Cane fields under water",
            access="subscribers",
            modified="2026-11-18 15:30",
        ),
        "stories/c/share.md": story_file(
            SHARE_TITLE, "2026-11-18 09:00", "Markets", digest="quick-hit"
        ),
        "stories/c/hostile.md": story_file(HOSTILE, "2026-11-18 10:00", "Economy"),
        "stories/d/newest.md": story_file(
            "The newest story", "2026-11-19 12:00", "Companies", tags="Floods"
        ),
        "stories/d/draft.md": story_file(
            "A draft", "2026-11-19 13:00", "Economy", status="draft"
        ),
        "stories/d/hidden.md": story_file(
            "A hidden story", "2026-11-19 13:00", "Economy", status="hidden"
        ),
        "digests/2026-11-18.md": "Date: 2026-11-18 10:20\n\nThe editor's note.\n",
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return run_pelican(
        tmp_path_factory.mktemp("seo"),
        newsroom(),
        CX_DIGEST_PUBLISHER_LOGO="images/favicon.png",
    )


def html_pages(site: Site) -> list[str]:
    """Every web page of the site (not drafts, not the email copies)."""
    return sorted(
        p.relative_to(site.output).as_posix() for p in site.output.rglob("index.html")
    )


def head(site: Site, rel: str) -> BeautifulSoup:
    return BeautifulSoup(
        (site.output / rel).read_text(encoding="utf-8"), "html.parser"
    ).head


def meta(soup: BeautifulSoup, key: str) -> list[str]:
    return [
        m["content"]
        for m in soup.find_all("meta")
        if m.get("property") == key or m.get("name") == key
    ]


def one(soup: BeautifulSoup, key: str) -> str:
    values = meta(soup, key)
    assert len(values) == 1, (key, values)
    return values[0]


def json_ld(soup: BeautifulSoup) -> list[Any]:
    return [
        json.loads(s.string)
        for s in soup.find_all("script", type="application/ld+json")
    ]


def url_of(rel: str) -> str:
    return PUBLIC + "/" + rel.removesuffix("index.html")


def absolute_urls(node: Any) -> list[str]:
    """Every value of a url/@id/image/logo key, anywhere in a JSON-LD tree."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("url", "@id", "image") and isinstance(value, str):
                found.append(value)
            elif key == "image" and isinstance(value, list):
                found.extend(v for v in value if isinstance(v, str))
            found.extend(absolute_urls(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(absolute_urls(item))
    return found


# -- every page ----------------------------------------------------------------


def test_every_page_has_canonical_description_open_graph_and_twitter(
    site: Site,
) -> None:
    pages = html_pages(site)
    assert len(pages) > 15
    for rel in pages:
        soup = head(site, rel)
        canonical = soup.find_all("link", rel="canonical")
        assert len(canonical) == 1, rel
        assert canonical[0]["href"] == url_of(rel), rel
        description = one(soup, "description")
        assert 0 < len(description) <= 160, rel
        assert one(soup, "og:url") == url_of(rel)
        assert one(soup, "og:title")
        assert one(soup, "og:description") == description
        assert one(soup, "og:site_name") == "CX Daily"
        assert one(soup, "og:locale") == "en_US"
        assert one(soup, "og:type") in ("article", "website")
        assert one(soup, "twitter:card") in ("summary", "summary_large_image")
        for key in ("og:image", "twitter:image"):
            for value in meta(soup, key):
                assert value.startswith(PUBLIC + "/"), (rel, key, value)
        if meta(soup, "og:image"):
            assert one(soup, "og:image:alt")
        blocks = json_ld(soup)
        assert len(blocks) == 1, rel
        for url in absolute_urls(blocks[0]):
            assert url.startswith(PUBLIC + "/"), (rel, url)


def test_story_head(site: Site) -> None:
    rel = "2026/11/18/lead/index.html"
    soup = head(site, rel)
    assert one(soup, "og:type") == "article"
    assert one(soup, "og:title") == "In Depth: Lead of the day with a picture"
    assert one(soup, "article:published_time") == "2026-11-18T08:00:00+08:00"
    assert one(soup, "article:modified_time") == "2026-11-18T15:30:00+08:00"
    assert one(soup, "article:section") == "Economy"
    assert meta(soup, "article:tag") == ["Floods", "Sugar"]
    assert one(soup, "og:image") == f"{PUBLIC}/images/fixture.jpg"
    with PILImage.open(FIXTURES / "images" / "fixture.jpg") as img:
        width, height = img.size
    assert one(soup, "og:image:width") == str(width)
    assert one(soup, "og:image:height") == str(height)
    assert one(soup, "og:image:alt") == "Cane fields under water"
    assert one(soup, "twitter:card") == "summary_large_image"
    description = one(soup, "description")
    assert description.startswith("Opening paragraph of the lead story.")
    assert description.endswith("…")
    assert len(description) <= 160
    assert not description[:-1].endswith(" ")
    # Cut at a word boundary: what is left is whole words of the text.
    assert ("Opening paragraph of the lead story. " * 12).startswith(description[:-1])
    # A story without a picture: a summary card, no og:image.
    plain = head(site, "2026/11/19/newest/index.html")
    assert one(plain, "twitter:card") == "summary"
    assert meta(plain, "og:image") == []


def test_story_json_ld(site: Site) -> None:
    page = site.html("2026/11/18/lead/")
    (data,) = json_ld(page.head)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "In Depth: Lead of the day with a picture"
    assert data["image"] == [f"{PUBLIC}/images/fixture.jpg"]
    assert data["datePublished"] == "2026-11-18T08:00:00+08:00"
    assert data["dateModified"] == "2026-11-18T15:30:00+08:00"
    assert data["author"] == [
        {"@type": "Organization", "name": "CX Newsroom", "url": f"{PUBLIC}/"}
    ]
    publisher = data["publisher"]
    assert publisher["@type"] == "Organization"
    assert publisher["name"] == "CX Daily"
    with PILImage.open(FIXTURES / "images" / "favicon.png") as img:
        logo_size = img.size
    assert publisher["logo"] == {
        "@type": "ImageObject",
        "url": f"{PUBLIC}/images/favicon.png",
        "width": logo_size[0],
        "height": logo_size[1],
    }
    assert data["articleSection"] == "Economy"
    assert data["keywords"] == ["Floods", "Sugar"]
    canonical = f"{PUBLIC}/2026/11/18/lead/"
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": canonical}
    assert data["isPartOf"]["@id"] == f"{PUBLIC}/digest/2026/11/18/"
    # Subscribers-only: marked per Google's paywalled-content guidance, and
    # the selector names an element that is on the page.
    assert data["isAccessibleForFree"] is False
    part = data["hasPart"]
    assert part["@type"] == "WebPageElement"
    assert part["isAccessibleForFree"] is False
    assert (
        page.select_one(part["cssSelector"])
        .get_text(strip=True)
        .startswith("Opening paragraph")
    )
    free = json_ld(site.html("2026/11/19/newest/").head)[0]
    assert "isAccessibleForFree" not in free
    assert "hasPart" not in free
    assert "image" not in free


def test_hostile_headline_stays_inside_valid_json(site: Site) -> None:
    page = site.html("2026/11/18/hostile/")
    scripts = page.find_all("script")
    # Only the JSON-LD block: the headline opened no script of its own.
    assert [s.get("type") for s in scripts] == ["application/ld+json"]
    (data,) = json_ld(page.head)
    assert data["headline"] == HOSTILE
    raw = scripts[0].string
    assert "</" not in raw
    assert "<!--" not in raw
    assert page.find("h1").get_text(" ", strip=True) == HOSTILE
    # The edition lists it by name, also intact.
    edition = json_ld(site.html("digest/2026/11/18/").head)[0]
    names = [i["name"] for i in edition["mainEntity"]["itemListElement"]]
    assert HOSTILE in names


def test_edition_head_and_item_list_in_edition_order(site: Site) -> None:
    page = site.html("digest/2026/11/18/")
    soup = page.head
    assert one(soup, "og:type") == "article"
    assert one(soup, "article:published_time") == "2026-11-18T10:20:00+08:00"
    assert one(soup, "og:image") == f"{PUBLIC}/images/fixture.jpg"
    assert one(soup, "description") == "The editor's note."
    (data,) = json_ld(soup)
    assert data["@type"] == "CollectionPage"
    assert data["url"] == f"{PUBLIC}/digest/2026/11/18/"
    assert data["datePublished"] == "2026-11-18T10:20:00+08:00"
    items = data["mainEntity"]["itemListElement"]
    assert data["mainEntity"]["@type"] == "ItemList"
    assert data["mainEntity"]["numberOfItems"] == len(items)
    assert [i["position"] for i in items] == list(range(1, len(items) + 1))
    assert all(i["@type"] == "ListItem" for i in items)
    # Same order as a reader sees the headlines on the page.
    shown = [
        a.get_text(" ", strip=True)
        for a in page.select(
            "[data-block=lead] .cx-headline a, [data-block=story] .cx-headline a, "
            "[data-block=quick-hits] li a, [data-block=photo] .cx-headline a"
        )
    ]
    assert [i["name"] for i in items] == shown
    assert items[0] == {
        "@type": "ListItem",
        "position": 1,
        "url": f"{PUBLIC}/2026/11/18/lead/",
        "name": "In Depth: Lead of the day with a picture",
    }


def test_home_and_list_pages(site: Site) -> None:
    home = head(site, "index.html")
    assert one(home, "og:type") == "website"
    assert home.find("link", rel="canonical")["href"] == f"{PUBLIC}/"
    (data,) = json_ld(home)
    types = [node["@type"] for node in data["@graph"]]
    assert types == ["WebSite", "CollectionPage"]
    category = head(site, "category/economy/index.html")
    assert one(category, "og:type") == "website"
    assert one(category, "description") == (
        "Economy: the latest stories from CX Daily."
    )
    assert one(category, "og:title") == "Economy | CX Daily"
    # Lists carry the publisher logo as their picture.
    assert one(category, "og:image") == f"{PUBLIC}/images/favicon.png"
    assert json_ld(category)[0]["@type"] == "WebPage"
    tag = head(site, "tag/floods/index.html")
    assert one(tag, "description") == "Stories tagged Floods on CX Daily."
    archive = head(site, "digest/index.html")
    assert one(archive, "description") == "Every edition of CX Daily, newest first."


# -- share block ---------------------------------------------------------------


def share_links(page: BeautifulSoup) -> dict[str, str]:
    block = page.select_one("[data-block=share]")
    assert block is not None
    return {a.get_text(): a["href"] for a in block.find_all("a")}


def test_share_links_encode_title_and_url(site: Site) -> None:
    page = site.html("2026/11/18/share/")
    url = f"{PUBLIC}/2026/11/18/share/"
    links = share_links(page)
    assert set(links) == {
        "Email",
        "X (Twitter)",
        "LinkedIn",
        "Weibo",
        "The edition's QR code",
    }
    email = urlsplit(links["Email"])
    assert (email.scheme, email.path) == ("mailto", "")
    assert "+" not in email.query  # mail clients read '+' literally
    assert parse_qs(email.query) == {
        "subject": [SHARE_TITLE],
        "body": [f"{SHARE_TITLE}\r\n{url}"],
    }
    x = urlsplit(links["X (Twitter)"])
    assert (x.netloc, x.path) == ("twitter.com", "/intent/tweet")
    assert parse_qs(x.query) == {"text": [SHARE_TITLE], "url": [url]}
    linkedin = urlsplit(links["LinkedIn"])
    assert (linkedin.netloc, linkedin.path) == (
        "www.linkedin.com",
        "/sharing/share-offsite/",
    )
    assert parse_qs(linkedin.query) == {"url": [url]}
    weibo = urlsplit(links["Weibo"])
    assert (weibo.netloc, weibo.path) == ("service.weibo.com", "/share/share.php")
    assert parse_qs(weibo.query) == {"url": [url], "title": [SHARE_TITLE]}
    # The QR link leads to the edition's QR code, which is on that page.
    qr = links["The edition's QR code"]
    assert qr.endswith("digest/2026/11/18/#cx-qr")
    assert site.html("digest/2026/11/18/").select_one("#cx-qr svg") is not None
    # No third-party scripts anywhere.
    assert page.find("script", src=True) is None


def test_share_block_on_editions(site: Site) -> None:
    page = site.html("digest/2026/11/18/")
    links = share_links(page)
    url = f"{PUBLIC}/digest/2026/11/18/"
    assert parse_qs(urlsplit(links["LinkedIn"]).query) == {"url": [url]}
    title = page.find("h1").get_text()
    assert parse_qs(urlsplit(links["X (Twitter)"]).query)["text"] == [title]
    assert links["QR code"] == "#cx-qr"
    assert page.select_one("#cx-qr svg") is not None
    home_links = share_links(site.html(""))
    latest = f"{PUBLIC}/digest/2026/11/19/"  # the home page shares its edition
    assert parse_qs(urlsplit(home_links["LinkedIn"]).query) == {"url": [latest]}


# -- sitemaps and robots.txt ---------------------------------------------------


def sitemap(site: Site, name: str = "sitemap.xml") -> etree._Element:
    return etree.fromstring((site.output / name).read_bytes())


def test_sitemap_lists_every_page_with_content_dates(site: Site) -> None:
    root = sitemap(site)
    assert root.tag == f"{SM}urlset"
    entries = {
        url.findtext(f"{SM}loc"): url.findtext(f"{SM}lastmod")
        for url in root.findall(f"{SM}url")
    }
    assert len(entries) == len(root.findall(f"{SM}url"))  # no duplicates
    for loc, lastmod in entries.items():
        assert loc.startswith(PUBLIC + "/")
        assert lastmod is not None
        assert W3C.match(lastmod), (loc, lastmod)
    expected = {url_of(rel) for rel in html_pages(site)}
    expected.discard(f"{PUBLIC}/2026/11/19/hidden/")
    assert set(entries) == expected
    assert not any("draft" in loc or "hidden" in loc for loc in entries)
    # Stories: their date, or Modified when later; editions: the stamp;
    # lists: their newest story; never the build time.
    assert entries[f"{PUBLIC}/2026/11/15/oldest/"] == "2026-11-15T09:00:00+08:00"
    assert entries[f"{PUBLIC}/2026/11/18/lead/"] == "2026-11-18T15:30:00+08:00"
    assert entries[f"{PUBLIC}/2026/11/17/offset/"] == "2026-11-18T06:00:00+08:00"
    assert entries[f"{PUBLIC}/digest/2026/11/18/"] == "2026-11-18T10:20:00+08:00"
    assert entries[f"{PUBLIC}/category/markets/"] == "2026-11-18T09:00:00+08:00"
    assert entries[f"{PUBLIC}/"] == "2026-11-19T12:00:00+08:00"


def test_news_sitemap_holds_the_48_hours_before_the_newest_story(
    site: Site,
) -> None:
    root = sitemap(site, "news-sitemap.xml")
    assert root.tag == f"{SM}urlset"
    assert root.nsmap == {
        None: "http://www.sitemaps.org/schemas/sitemap/0.9",
        "news": "http://www.google.com/schemas/sitemap-news/0.9",
    }
    urls = root.findall(f"{SM}url")
    locs = [u.findtext(f"{SM}loc") for u in urls]
    assert locs == [
        f"{PUBLIC}/2026/11/19/newest/",
        f"{PUBLIC}/2026/11/18/hostile/",
        f"{PUBLIC}/2026/11/18/share/",
        f"{PUBLIC}/2026/11/18/lead/",
        f"{PUBLIC}/2026/11/17/offset/",
        f"{PUBLIC}/2026/11/17/edge/",
    ]
    for url in urls:
        news = url.find(f"{NEWS}news")
        assert news.findtext(f"{NEWS}publication/{NEWS}name") == "CX Daily"
        assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
        assert W3C.match(news.findtext(f"{NEWS}publication_date"))
        assert news.findtext(f"{NEWS}title")
    first = urls[0].find(f"{NEWS}news")
    assert first.findtext(f"{NEWS}publication_date") == "2026-11-19T12:00:00+08:00"
    assert first.findtext(f"{NEWS}title") == "The newest story"
    hostile = urls[1].find(f"{NEWS}news")
    assert hostile.findtext(f"{NEWS}title") == HOSTILE


def test_robots_txt(site: Site) -> None:
    assert site.text("robots.txt") == (
        "User-agent: *\n"
        "Allow: /\n"
        "\n"
        f"Sitemap: {PUBLIC}/sitemap.xml\n"
        f"Sitemap: {PUBLIC}/news-sitemap.xml\n"
    )


def test_outputs_turn_off_and_are_the_same_on_every_build(tmp_path: Path) -> None:
    files = newsroom()
    first = run_pelican(tmp_path / "a", files)
    second = run_pelican(tmp_path / "b", files)
    for name in ("sitemap.xml", "news-sitemap.xml", "robots.txt"):
        assert (first.output / name).read_bytes() == (second.output / name).read_bytes()
    off = run_pelican(
        tmp_path / "off",
        files,
        CX_DIGEST_SITEMAP="",
        CX_DIGEST_NEWS_SITEMAP="",
        CX_DIGEST_ROBOTS_TXT=False,
        CX_DIGEST_SHARE=False,
        CX_DIGEST_PUBLISHER_NAME="CX Newsroom Ltd",
        CX_DIGEST_NEWS_LANGUAGE="zh-CN",
    )
    for name in ("sitemap.xml", "news-sitemap.xml", "robots.txt"):
        assert not (off.output / name).exists()
    page = off.html("2026/11/18/lead/")
    assert page.select_one("[data-block=share]") is None
    assert json_ld(page.head)[0]["publisher"]["name"] == "CX Newsroom Ltd"
    moved = run_pelican(
        tmp_path / "moved",
        files,
        CX_DIGEST_SITEMAP="maps/site.xml",
        CX_DIGEST_NEWS_SITEMAP="",
        CX_DIGEST_NEWS_LANGUAGE="zh-CN",
    )
    assert (moved.output / "maps" / "site.xml").is_file()
    assert moved.text("robots.txt").splitlines()[-1] == (
        f"Sitemap: {PUBLIC}/maps/site.xml"
    )


# -- settings and helpers ------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("CX_DIGEST_SITEMAP", "/sitemap.xml"),
        ("CX_DIGEST_SITEMAP", "sitemap.txt"),
        ("CX_DIGEST_NEWS_SITEMAP", "../news.xml"),
        ("CX_DIGEST_ROBOTS_TXT", "yes"),
        ("CX_DIGEST_SHARE", 1),
        ("CX_DIGEST_NEWS_LANGUAGE", "English"),
        ("CX_DIGEST_OG_LOCALE", "en-us"),
        ("CX_DIGEST_PUBLISHER_LOGO", "ftp://example.com/logo.png"),
        ("CX_DIGEST_PUBLISHER_LOGO", "../logo.png"),
    ],
)
def test_bad_settings_stop_the_build_naming_the_key(
    tmp_path: Path, key: str, value: Any
) -> None:
    with pytest.raises(SettingsError, match=key):
        run_pelican(tmp_path, newsroom(), **{key: value})


def test_describe_cuts_at_a_word_boundary() -> None:
    assert page_meta.describe("<p>Short &amp; sweet.</p>") == "Short & sweet."
    text = "word " * 50
    cut = page_meta.describe(f"<p>{text}</p>", limit=30)
    assert cut == "word word word word word word…"
    assert len(cut) <= 30


def test_json_ld_escapes_markup() -> None:
    block = page_meta.json_ld({"headline": "</script><!-- & -->"})
    inner = block.removeprefix('<script type="application/ld+json">').removesuffix(
        "</script>"
    )
    for char in "<>&":
        assert char not in inner
    assert json.loads(inner) == {"headline": "</script><!-- & -->"}
