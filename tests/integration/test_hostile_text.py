"""Hostile text: headlines, captions, credits, kickers, tags, categories and
hot-topic labels are text, never markup, on every page, feed and email; text
XML cannot carry is dropped everywhere."""

from __future__ import annotations

import json
import re
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup
from lxml import etree

from cx_digest.text import headline_caps
from support import Site, run_pelican, story_file

DAY = "2026-11-18"
EDITION = "digest/2026/11/18/"

TITLE = 'Tom & Jerry\'s "deal" <b>bold</b> </script><script>alert(1)</script>'
KICKER = "Q&A <em>x</em>"
CAPTION = '" onerror="alert(1)" data-x="<img src=x onerror=alert(2)>'
ALT = 'It\'s <alt> & "more"'
CREDIT = "Lin & Wei </figcaption><script>alert(3)</script>"
CATEGORY = 'R&D <Labs> "quoted"'
TAG = 'Floods <i>& </i> "rain"'
HOT_LABEL = 'Summit <b>&</b> "talks" </script>'
QUICK = "Quick & <u>dirty</u> </textarea>"

# Every string a reader must see literally, and where.
FIELDS = {"title": TITLE, "kicker": KICKER, "caption": CAPTION, "credit": CREDIT}


def hostile_newsroom() -> dict[str, str]:
    return {
        "stories/lead.md": story_file(
            TITLE,
            f"{DAY} 09:00",
            CATEGORY,
            body="A & B <are> fine.\n\nSecond.",
            digest="lead",
            kicker=KICKER,
            tags=f"{TAG}, Plain tag",
            image="images/fixture.jpg",
            image_alt=ALT,
            image_caption=CAPTION,
            image_credit=CREDIT,
            related=f"{TITLE.replace('<', '[').replace('>', ']')} "
            "<https://example.org/r?a=1&b=2>",
        ),
        "stories/second.md": story_file(
            "Second story", f"{DAY} 08:00", CATEGORY, tags=f"{TAG}, Plain tag"
        ),
        "stories/quick.md": story_file(
            QUICK, f"{DAY} 07:00", "Economy", digest="quick-hit"
        ),
        "stories/photo.md": story_file(
            "Night port",
            f"{DAY} 10:00",
            "Companies",
            digest="photo",
            image="images/fixture.jpg",
            image_caption=CAPTION,
            image_credit=CREDIT,
        ),
        # the next day's computed Hot Topics: TAG is on three stories
        "stories/next.md": story_file(TITLE, "2026-11-19 09:00", tags=TAG),
        f"digests/{DAY}.md": (
            f"Hot_topics: {HOT_LABEL} <https://example.org/summit?x=1&y=2>\n"
            "Hot_topics: Plain tag\n"
        ),
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return run_pelican(tmp_path_factory.mktemp("hostile"), hostile_newsroom())


def pages(site: Site) -> dict[str, BeautifulSoup]:
    """Every kind of page a reader can reach, parsed."""
    tag_dir = next(p for p in (site.output / "tag").iterdir() if "flood" in p.name)
    category_dir = next(
        p for p in (site.output / "category").iterdir() if p.name.startswith("r")
    )
    rels = {
        "edition": EDITION,
        "home": "",
        "archive": "digest/",
        "story": "2026/11/18/lead/",
        "stories": "stories/",
        "category": category_dir.relative_to(site.output).as_posix() + "/",
        "categories": "category/",
        "tag": tag_dir.relative_to(site.output).as_posix() + "/",
        "tags": "tag/",
    }
    return {name: site.html(rel) for name, rel in rels.items()}


def assert_no_injection(page: BeautifulSoup, where: str) -> None:
    """No element or attribute came from content text."""
    for el in page.find_all(True):
        for attr in el.attrs:
            assert not attr.lower().startswith("on"), (where, el)
            assert attr != "data-x", (where, el)
        assert el.name not in ("b", "i", "u", "em", "textarea", "alt"), (where, el)
        if el.name == "script":
            # only data blocks (JSON-LD), whose text is valid JSON
            assert el.get("type") == "application/ld+json", (where, el)
            json.loads(el.string or "")
        if el.name == "img":
            src = el.get("src", "")
            assert not src.startswith(("javascript:", "data:")), (where, src)


def test_no_element_or_attribute_is_injected_on_any_page(site: Site) -> None:
    for name, page in pages(site).items():
        assert_no_injection(page, name)


def text_of(page: BeautifulSoup) -> str:
    return page.get_text()


def test_headline_kicker_caption_credit_show_literally(site: Site) -> None:
    page = pages(site)
    lead = page["edition"].select_one("[data-block=lead]")
    assert lead.select_one(".cx-headline a").get_text() == f"{KICKER}: {TITLE}"
    assert lead.select_one(".cx-caption").get_text() == CAPTION
    assert lead.select_one(".cx-credit").get_text() == f"Photo: {CREDIT}"
    assert lead.select_one("img")["alt"] == ALT
    assert lead.select_one(".cx-topic a").get_text() == CATEGORY
    photo = page["edition"].select_one("[data-block=photo]")
    assert photo.select_one(".cx-caption").get_text() == CAPTION
    quick = page["edition"].select_one("[data-block=quick-hits] a")
    assert quick.get_text() == QUICK
    related = lead.select_one(".cx-related a")
    assert related["href"] == "https://example.org/r?a=1&b=2"
    story = page["story"]
    assert story.h1.get_text() == f"{KICKER}: {TITLE}"
    assert story.select_one(".cx-caption").get_text() == CAPTION
    assert story.select_one("figure img")["alt"] == ALT
    assert TAG in [a.get_text() for a in story.select(".tag-list a")]
    assert story.title.get_text().startswith(TITLE)


def test_edition_title_and_hot_topics_show_literally(site: Site) -> None:
    page = pages(site)
    expected_title = "CX Daily: " + headline_caps(TITLE)
    for name in ("edition", "home"):  # home: the next day's edition
        assert page[name].h1.get_text() == expected_title, name
    archive = page["archive"]
    assert archive.select_one(".cx-archive-title a").get_text() == expected_title
    hot = page["edition"].select_one("[data-block=hot-topics]")
    links = [(a.get_text(), a["href"]) for a in hot.find_all("a")]
    assert links[0] == (HOT_LABEL, "https://example.org/summit?x=1&y=2")
    assert links[1][0] == "Plain tag"
    computed = site.html("digest/2026/11/19/").select_one("[data-block=hot-topics]")
    assert computed.find("a").get_text() == TAG
    assert_no_injection(site.html("digest/2026/11/19/"), "next edition")


@pytest.mark.parametrize(
    ("name", "needles"),
    [
        ("edition", [TITLE, KICKER, CAPTION, CREDIT, CATEGORY, HOT_LABEL, QUICK]),
        ("home", [TITLE, TAG]),
        ("story", [TITLE, KICKER, CAPTION, CREDIT, CATEGORY, TAG]),
        ("archive", [QUICK]),
        ("stories", [TITLE, KICKER, CATEGORY, QUICK]),
        ("category", [TITLE, KICKER, CATEGORY]),
        ("categories", [CATEGORY]),
        ("tag", [TITLE, KICKER, TAG]),
        ("tags", [TAG]),
    ],
)
def test_every_page_shows_the_text_literally(
    site: Site, name: str, needles: list[str]
) -> None:
    text = text_of(pages(site)[name])
    for needle in needles:
        assert needle in text, (name, needle)


def out_files(site: Site, *suffixes: str) -> list[Path]:
    return sorted(p for p in site.output.rglob("*") if p.suffix in suffixes)


def test_feeds_carry_the_text_literally(site: Site) -> None:
    feeds = [p for p in out_files(site, ".xml", ".json") if "sitemap" not in p.name]
    # Edition and story feeds, each as Atom and RSS, and the JSON feed.
    assert {p.name for p in feeds} >= {
        "digest.atom.xml",
        "digest.rss.xml",
        "digest.json",
        "stories.atom.xml",
        "stories.rss.xml",
    }, feeds
    titles: list[str] = []
    bodies: list[BeautifulSoup] = []
    for path in feeds:
        if path.suffix == ".xml":
            etree.parse(str(path))  # well-formed
            parsed = feedparser.parse(path.read_bytes())
            assert not parsed.bozo, (path, parsed.get("bozo_exception"))
            titles += [e.title for e in parsed.entries]
            html = [c.value for e in parsed.entries for c in e.get("content", [])] + [
                e.get("summary", "") for e in parsed.entries
            ]
        else:
            items = json.loads(path.read_text(encoding="utf-8"))["items"]
            titles += [i.get("title", "") for i in items]
            html = [i.get("content_html", "") for i in items]
        soups = [BeautifulSoup(h, "html.parser") for h in html]
        for soup in soups:
            assert_no_injection(soup, path.name)
        bodies += soups
    assert f"{KICKER}: {TITLE}" in titles  # story feeds
    assert "CX Daily: " + headline_caps(TITLE) in titles  # edition feeds
    texts = [b.get_text() for b in bodies]
    for needle in (TITLE, CAPTION, CREDIT, HOT_LABEL, QUICK):
        assert any(needle in t for t in texts), needle


def test_emails_carry_the_text_literally(site: Site) -> None:
    html = out_files(site, ".html")
    emails = [p for p in html if p.name == "email.html"]
    assert emails, "the build wrote no email edition"
    email = BeautifulSoup(emails[0].read_text(encoding="utf-8"), "html.parser")
    assert_no_injection(email, "email.html")
    text = email.get_text()
    for needle in (TITLE, CAPTION, CREDIT, HOT_LABEL, QUICK):
        assert needle in text, needle
    twin = emails[0].with_name("email.txt")
    plain = " ".join(twin.read_text(encoding="utf-8").split())
    for needle in (TITLE, QUICK, HOT_LABEL):
        assert " ".join(needle.split()) in plain, needle
    assert "&amp;" not in plain
    assert "&lt;" not in plain


# -- control characters --------------------------------------------------------

# C0 controls (not tab/LF/CR), DEL, C1 controls, U+FFFE/U+FFFF.
BAD_CHARS = "\x00\x01\x08\x0b\x0c\x1b\x1f\x7f\x80\x85\x9f\ufffe\uffff"
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def test_control_characters_are_dropped_from_every_output(
    tmp_path: Path,
) -> None:
    noisy = "".join(f"{c}" for c in BAD_CHARS[1:])  # NUL ends Markdown input
    site = run_pelican(
        tmp_path,
        {
            "stories/wire.md": story_file(
                f"Wire{noisy} copy headline",
                f"{DAY} 09:00",
                f"Mar{noisy}kets",
                body=f"Para{noisy}graph from the wire.\n\nMore{noisy} text.",
                digest="lead",
                kicker=f"Ana{noisy}lysis",
                tags=f"Flo{noisy}ods",
                image="images/fixture.jpg",
                image_caption=f"Cap{noisy}tion",
                image_credit=f"Cre{noisy}dit",
                image_alt=f"Al{noisy}t",
            ),
            "stories/other.md": story_file(
                f"Other{noisy} story", f"{DAY} 08:00", tags=f"Flo{noisy}ods"
            ),
            f"digests/{DAY}.md": (
                f"Title: Edi{noisy}tion\nHot_topics: Hot{noisy} <https://x.example/>\n"
                f"\nA note{noisy} from the desk.\n"
            ),
        },
    )
    checked = 0
    for path in site.output.rglob("*"):
        if path.suffix not in (".html", ".xml", ".json", ".txt", ".eml", ".css"):
            continue
        text = path.read_bytes().decode("utf-8")
        found = FORBIDDEN.findall(text)
        assert not found, (path.relative_to(site.output).as_posix(), found)
        checked += 1
    assert checked >= 8
    page = site.html(EDITION)
    assert page.h1.get_text() == "Edition"
    lead = page.select_one("[data-block=lead]")
    assert lead.select_one(".cx-headline a").get_text() == (
        "Analysis: Wire copy headline"
    )
    assert lead.select_one(".cx-caption").get_text() == "Caption"
    assert lead.select_one(".cx-topic a").get_text() == "Markets"
    assert page.select_one(".cx-note").get_text(strip=True) == "A note from the desk."
    for xml in out_files(site, ".xml"):
        etree.parse(str(xml))  # every XML output is well-formed
