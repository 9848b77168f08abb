"""Real Pelican builds of fixture sites, checked the way a reader sees them."""

from __future__ import annotations

from pathlib import Path

import pytest

from cx_digest.report import StrictModeError
from support import Site, story_file

DAY1 = "2026-11-17"
DAY2 = "2026-11-18"


def newsroom() -> dict[str, str]:
    """A two-day fixture newsroom exercising the content model."""
    return {
        "stories/d1/earlier.md": story_file(
            "Rice futures climb after the floods",
            f"{DAY1} 09:00",
            "Markets",
            tags="Delta floods",
        ),
        "stories/d2/lead-story.md": story_file(
            "The fall of the delta's last sugar king",
            f"{DAY2} 08:00",
            "Economy",
            body="""
            Opening paragraph of the lead.

            Second paragraph of the lead, with [a link](../policy-two/).

            <!-- more -->

            Body text that is not in the digest.
            """,
            digest="lead",
            kicker="In Depth",
            tags="Delta floods, Sugar",
            image="images/fixture.jpg",
            image_alt="Cane fields under water",
            image_caption="Cane fields near the river",
            image_credit="Lin Wei/CX",
            related=["earlier", "Full report <https://example.org/report>"],
            access="subscribers",
        ),
        "stories/d2/policy-two.md": story_file(
            "Second policy story",
            f"{DAY2} 07:00",
            "Economy",
            summary="The *summary* key wins.",
            digest_order="1",
        ),
        "stories/d2/policy-three.md": story_file(
            "Third policy story",
            f"{DAY2} 06:00",
            "Politics",
            body="Only the first paragraph.\n\nNot this one.",
            tags="Delta floods",
        ),
        "stories/d2/business-one.md": story_file(
            "Carmaker cuts prices",
            f"{DAY2} 10:00",
            "Companies",
            kicker="Opinion",
        ),
        "stories/d2/quick-policy.md": story_file(
            "Quick policy headline",
            f"{DAY2} 11:00",
            "Economy",
            digest="quick-hit",
            link="https://example.com/elsewhere",
        ),
        "stories/d2/quick-biz.md": story_file(
            "Quick business headline",
            # 23:30 UTC on the 17th is 07:30 on the 18th in Shanghai.
            f"{DAY1}T23:30:00+00:00",
            "Companies",
            digest="quick-hit",
        ),
        "stories/d2/photo.md": story_file(
            "Night shift at the port",
            f"{DAY2} 12:00",
            "Companies",
            digest="photo",
            image="images/fixture.jpg",
            image_caption="Cranes at night",
            image_credit="Chen Hao/CX",
        ),
        "stories/d2/left-out.md": story_file(
            "Left out of the digest", f"{DAY2} 13:00", "Economy", digest="none"
        ),
        "stories/d2/draft.md": story_file(
            "A draft story", f"{DAY2} 13:00", "Economy", status="draft"
        ),
        "stories/d2/hidden.md": story_file(
            "A hidden story", f"{DAY2} 13:00", "Economy", status="hidden"
        ),
        f"digests/{DAY2}.md": (
            f"Date: {DAY2} 10:20\n"
            "Hot_topics: Delta floods\n"
            "Hot_topics: Sugar <https://example.org/sugar>\n\n"
            "A note from the *editor*.\n"
        ),
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    from support import run_pelican

    return run_pelican(tmp_path_factory.mktemp("newsroom"), newsroom())


def edition(site: Site, day: str = DAY2):
    return site.html("digest/" + day.replace("-", "/") + "/")


def test_edition_page_blocks_in_anatomy_order(site: Site) -> None:
    page = edition(site)
    main = page.find("main")
    assert main.find(class_="cx-stamp").get_text(strip=True) == "Nov 18, 2026 10:20 AM"
    assert main.h1.get_text() == "CX Daily: The Fall Of The Delta's Last Sugar King"
    assert len(page.find_all("h1")) == 1
    assert main.find(class_="cx-note").get_text().strip() == "A note from the editor."
    blocks = [el["data-block"] for el in main.select("[data-block]")]
    order = [
        b for b in blocks if b in ("lead", "section", "hot-topics", "photo", "footer")
    ]
    assert order == ["lead", "section", "section", "hot-topics", "photo", "footer"]


def test_lead_card(site: Site) -> None:
    lead = edition(site).select_one("[data-block=lead]")
    fig = lead.find("figure")
    img = fig.find("img")
    assert img["alt"] == "Cane fields under water"
    assert (img["width"], img["height"]) == ("320", "180")
    assert fig.figcaption.get_text(" ", strip=True) == (
        "Cane fields near the river Photo: Lin Wei/CX"
    )
    assert lead.select_one(".cx-topic").get_text(" ", strip=True) == "Economy /"
    headline = lead.select_one(".cx-headline")
    assert headline.get_text(" ", strip=True).startswith(
        "In Depth: The fall of the delta's last sugar king"
    )
    assert headline.select_one(".cx-badge").get_text() == "Subscribers"
    paragraphs = [p.get_text() for p in lead.select(".cx-summary p")]
    assert paragraphs[0] == "Opening paragraph of the lead."
    assert len(paragraphs) == 2  # everything above <!-- more -->
    related = [(a.get_text(), a["href"]) for a in lead.select(".cx-related a")]
    assert related[0][0] == "Rice futures climb after the floods"
    assert related[1] == ("Full report", "https://example.org/report")


def test_sections_order_and_quick_hits(site: Site) -> None:
    sections = edition(site).select("[data-block=section]")
    assert [s.h2.get_text() for s in sections] == [
        "Policy & Markets",
        "Companies & Technology",
    ]
    policy, business = sections
    heads = [
        h.get_text(" ", strip=True)
        for h in policy.select("[data-block=story] .cx-headline")
    ]
    # Digest_order first, then by time.
    assert heads == ["Second policy story", "Third policy story"]
    assert policy.select_one("[data-block=story] .cx-summary").get_text() == (
        "The summary key wins."
    )
    third = policy.select("[data-block=story] .cx-summary")[1]
    assert third.get_text(" ", strip=True) == "Only the first paragraph."
    quick = policy.select_one("[data-block=quick-hits]")
    assert quick.h3.get_text(" ", strip=True) == "Quick hits /"
    link = quick.find("a")
    assert (link.get_text(), link["href"]) == (
        "Quick policy headline",
        "https://example.com/elsewhere",
    )
    assert quick is policy.find_all(recursive=False)[-1]  # closes its section
    biz_quick = business.select_one("[data-block=quick-hits] a")
    assert biz_quick.get_text() == "Quick business headline"  # offset date
    assert "Opinion:" in business.select_one(".cx-headline").get_text()


def test_hot_topics_curated_both_forms(site: Site) -> None:
    hot = edition(site).select_one("[data-block=hot-topics]")
    assert hot.h2.get_text(" ", strip=True) == "Hot Topics /"
    links = [(a.get_text(), a["href"]) for a in hot.find_all("a")]
    assert links[0][0] == "Delta floods"
    assert links[0][1].endswith("tag/delta-floods/")
    assert links[1] == ("Sugar", "https://example.org/sugar")


def test_hot_topics_computed_when_not_curated(site: Site) -> None:
    hot = edition(site, DAY1).select_one("[data-block=hot-topics]")
    # one story only: below CX_DIGEST_HOT_TOPICS_MIN_STORIES, so no block
    assert hot is None


def test_left_out_stories(site: Site) -> None:
    text = edition(site).get_text()
    for headline in ("Left out of the digest", "A draft story", "A hidden story"):
        assert headline not in text


def test_footer_subscribe_and_qr(site: Site) -> None:
    footer = edition(site).select_one("[data-block=footer]")
    assert footer.select_one(".cx-thanks").get_text() == "Thanks for reading."
    assert footer.select_one(".cx-subscribe a")["href"].startswith("https://")
    svg = footer.find("svg")
    assert svg is not None
    assert svg.find("title") is not None
    # scalable (print enlarges it) at its own pixel size
    assert svg["viewbox"] == f"0 0 {svg['width']} {svg['height']}"


def test_links_resolve_to_files(site: Site) -> None:
    page_path = site.path("digest/2026/11/18/")
    for tag, attr in (("a", "href"), ("img", "src"), ("link", "href")):
        for el in edition(site).find_all(tag):
            url = el.get(attr, "")
            if not url or url.startswith(("http", "mailto:", "#")):
                continue
            target = (page_path.parent / url.split("#")[0]).resolve()
            if url.endswith("/") or target.is_dir():
                target = target / "index.html"
            assert target.exists(), url


def test_previous_next_and_backlinks(site: Site) -> None:
    nav = edition(site).select_one(".cx-edition-nav")
    prev = nav.find("a", rel="prev")
    assert "digest/2026/11/17/" in prev["href"]
    assert nav.find("a", rel="next") is None
    story = site.html("2026/11/18/policy-two/")
    back = story.select_one(".story-edition-link")
    assert back.get_text().startswith("CX Daily: The Fall")
    assert back["href"].endswith("digest/2026/11/18/")
    # the offset-dated story belongs to the 18th's edition too
    offset = site.html("2026/11/17/quick-biz/")
    assert offset.select_one(".story-edition-link")["href"].endswith(
        "digest/2026/11/18/"
    )


def test_archive_and_home(site: Site) -> None:
    archive = site.html("digest/")
    titles = [a.get_text() for a in archive.select(".cx-archive-title a")]
    assert titles[0].startswith("CX Daily: The Fall")
    assert titles[1] == "CX Daily: Rice Futures Climb After The Floods"
    home = site.html("")
    assert home.h1.get_text() == titles[0]


def test_edition_file_is_not_an_article(site: Site) -> None:
    stories = site.html("stories/")
    assert len(stories.select(".story-teaser")) == 9  # not drafts/hidden/edition
    assert not list(site.output.rglob("2026-11-18*"))


def test_archive_pagination(build_site) -> None:
    files = {
        f"stories/s{n}.md": story_file(f"Story {n}", f"2026-11-{n:02d} 09:00")
        for n in range(1, 6)
    }
    site = build_site(files, CX_DIGEST_ARCHIVE_PER_PAGE=2)
    first = site.html("digest/")
    assert [a.get_text() for a in first.select(".cx-archive-title a")] == [
        "CX Daily: Story 5",
        "CX Daily: Story 4",
    ]
    assert first.find("a", rel="next")["href"].endswith("digest/page/2/")
    third = site.html("digest/page/3/")
    assert [a.get_text() for a in third.select(".cx-archive-title a")] == [
        "CX Daily: Story 1"
    ]
    assert third.find("a", rel="prev")["href"].endswith("digest/page/2/")
    assert third.find("a", rel="next") is None


BAD = {
    "stories/bad.md": story_file(
        "Bad metadata",
        "2026-11-18 09:00",
        digest="headline",
        digest_order="first",
        digest_section="sports",
        related=["", "no-such-story", "bad"],
        link="javascript:alert(1)",
        image="images/missing.jpg",
    ),
    "stories/fine.md": story_file("Fine story", "2026-11-18 08:00"),
    "digests/2026-11-18.md": "Lead: nowhere\nHot_topics: Label <ftp://x>\n\nNote\n",
    "digests/2026-11-30.md": "Date: 2026-11-30 09:00\n\nNo stories that day.\n",
    "digests/latest.md": "Title: not a date\n\nx\n",
}


def test_bad_metadata_warns_with_file_key_value_and_keeps_the_story(
    build_site,
) -> None:
    site = build_site(BAD)
    warnings = site.warnings
    expected = [
        ("stories/bad.md", "Digest", "'headline'"),
        ("stories/bad.md", "Digest_order", "'first'"),
        ("stories/bad.md", "Digest_section", "'sports'"),
        ("stories/bad.md", "Related", "'no-such-story'"),
        ("stories/bad.md", "Related", "'bad'"),
        ("stories/bad.md", "Link", "'javascript:alert(1)'"),
        ("stories/bad.md", "Image", "'images/missing.jpg'"),
        ("digests/2026-11-18.md", "Lead", "'nowhere'"),
        ("digests/2026-11-18.md", "Hot_topics", "'Label <ftp://x>'"),
        ("digests/2026-11-30.md", "Date", "'2026-11-30'"),
        ("digests/latest.md", "file", "'latest.md'"),
    ]
    for source, key, value in expected:
        matches = [w for w in warnings if f"{source}: {key} {value}" in w]
        assert len(matches) == 1, (source, key, value, warnings)
    assert len(warnings) == len(expected)
    page = site.html("digest/2026/11/18/")
    heads = [h.get_text(" ", strip=True) for h in page.select(".cx-headline")]
    assert heads == ["Fine story", "Bad metadata"]
    bad_link = page.find("a", string="Bad metadata")
    assert "javascript" not in bad_link["href"]


def test_strict_mode_fails_listing_every_problem(build_site) -> None:
    with pytest.raises(StrictModeError) as info:
        build_site(BAD, CX_DIGEST_STRICT=True)
    assert len(info.value.problems) == 11
    message = str(info.value)
    assert "Digest_order 'first'" in message
    assert "digests/latest.md" in message


def test_control_characters_are_dropped(build_site) -> None:
    site = build_site(
        {
            "stories/wire.md": story_file(
                "Wire\x0b copy\x01 headline",
                "2026-11-18 09:00",
                body="Para\x08graph from the wire.",
            )
        }
    )
    for rel in ("digest/2026/11/18/", "2026/11/18/wire/"):
        text = site.text(rel)
        assert not any(ch in text for ch in "\x01\x08\x0b")
    assert "Wire copy headline" in site.text("digest/2026/11/18/")


def test_hostile_text_is_escaped(build_site) -> None:
    site = build_site(
        {
            "stories/x.md": story_file(
                "A <b>bold</b> & </script> headline",
                "2026-11-18 09:00",
                kicker='Say "hi"',
                image="images/fixture.jpg",
                image_caption='" onerror="alert(1)',
                tags="<i>tag</i>",
            )
        }
    )
    page = site.html("digest/2026/11/18/")
    headline = page.select_one(".cx-headline")
    assert headline.find("b") is None
    assert "A <b>bold</b> & </script> headline" in headline.get_text()
    img = page.select_one(".cx-lead img")
    assert img.get("onerror") is None
    assert img["alt"] == '" onerror="alert(1)'


def test_day_starts_setting(build_site) -> None:
    site = build_site(
        {
            "stories/early.md": story_file("Early bird", "2026-11-18 05:59"),
            "stories/late.md": story_file("Late riser", "2026-11-18 06:00"),
        },
        CX_DIGEST_DAY_STARTS="06:00",
    )
    assert "Early bird" in site.text("digest/2026/11/17/")
    assert "Late riser" in site.text("digest/2026/11/18/")


def test_empty_site_builds(build_site) -> None:
    site = build_site({})
    assert "No edition has been published yet" in site.text("digest/")
    assert "No edition has been published yet" in site.text("")


def test_sample_site_builds_without_warnings(sample_site: Site) -> None:
    assert sample_site.warnings == []
    days = sorted(Path(sample_site.output, "digest").glob("20*/*/*/index.html"))
    assert len(days) >= 5
