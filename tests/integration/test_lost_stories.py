"""Content that stopped the build or made Pelican drop a story: every story
is kept (published, or as a draft when its date or status cannot be
trusted), with one warning naming the file, the key and the value, and
strict mode fails on it. And two values editors write naturally: a kicker
ending with a colon, a hot topic named twice."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import feedparser
import pytest

from cx_digest.report import StrictModeError
from support import Site, story_file

DAY = "2026-11-18"
EDITION = "digest/2026/11/18/"

Build = Callable[..., Site]


def headlines(site: Site, rel: str = EDITION) -> list[str]:
    page = site.html(rel)
    return [
        h.get_text(" ", strip=True) for h in page.select("[data-block] .cx-headline")
    ]


def feed_titles(site: Site) -> list[str]:
    parsed = feedparser.parse(site.path("feeds/stories.atom.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return [entry.title for entry in parsed.entries]


def lead() -> dict[str, str]:
    return {"stories/lead.md": story_file("Lead of the day", f"{DAY} 08:00")}


def test_two_stories_of_one_day_with_one_slug_are_both_published(
    build_site: Build,
) -> None:
    files = {
        **lead(),
        "stories/markets/rates.md": story_file("Bond yields fall", f"{DAY} 09:00"),
        "stories/economy/rates.md": story_file("Central bank cuts", f"{DAY} 10:00"),
    }
    site = build_site(files)
    # The story published first keeps its address.
    assert site.warnings == [
        "cx_digest: stories/economy/rates.md: Slug 'rates': "
        "stories/markets/rates.md is written to the same page; "
        "published as 'rates-2'"
    ]
    assert "Bond yields fall" in site.html("2026/11/18/rates/").get_text()
    assert "Central bank cuts" in site.html("2026/11/18/rates-2/").get_text()
    assert sorted(headlines(site)) == [
        "Bond yields fall",
        "Central bank cuts",
        "Lead of the day",
    ]
    assert sorted(feed_titles(site)) == [
        "Bond yields fall",
        "Central bank cuts",
        "Lead of the day",
    ]
    with pytest.raises(StrictModeError):
        build_site(files, CX_DIGEST_STRICT=True)


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("Title: \n", ""),
        ("Title:    \t\n", ""),
        ("Title: \x07\x08\n", "\x07\x08"),
        ("", ""),
    ],
    ids=["empty", "blank", "control-characters", "missing"],
)
def test_a_story_without_a_title_is_published_under_its_file_name(
    build_site: Build, header: str, value: str
) -> None:
    text = f"{header}Date: {DAY} 09:00\nCategory: Economy\n\nThe body.\n"
    site = build_site({**lead(), "stories/untitled-wire.md": text})
    assert site.warnings == [
        f"cx_digest: stories/untitled-wire.md: Title {value!r}: missing or empty; "
        "using the file name 'untitled-wire'"
    ]
    assert "untitled-wire" in headlines(site)
    assert "untitled-wire" in feed_titles(site)
    page = site.html("2026/11/18/untitled-wire/")
    assert page.find("h1").get_text(strip=True).endswith("untitled-wire")


@pytest.mark.parametrize(
    ("line", "key", "value", "reason"),
    [
        ("Date: 2026-11-31 09:00", "Date", "2026-11-31 09:00", "not a date"),
        ("Date: tomorrow morning", "Date", "tomorrow morning", "not a date"),
        ("", "Date", "", "missing"),
        ("Status: publish", "Status", "publish", "unknown status"),
        ("Status: archived", "Status", "archived", "unknown status"),
    ],
)
def test_a_story_whose_date_or_status_cannot_be_trusted_is_kept_as_a_draft(
    build_site: Build, line: str, key: str, value: str, reason: str
) -> None:
    date = "" if key == "Date" else f"Date: {DAY} 09:00\n"
    header = f"Title: Doubtful story\n{date}{line}\nCategory: Economy\n"
    files = {**lead(), "stories/doubtful.md": f"{header}\nThe body.\n"}
    site = build_site(files)
    (warning,) = site.warnings
    assert warning.startswith(f"cx_digest: stories/doubtful.md: {key} {value!r}: ")
    assert reason in warning
    assert warning.endswith("; kept as a draft")
    assert site.path("drafts/doubtful.html").exists()
    assert headlines(site) == ["Lead of the day"]
    assert feed_titles(site) == ["Lead of the day"]
    with pytest.raises(StrictModeError) as info:
        build_site(files, CX_DIGEST_STRICT=True)
    assert [(p.source, p.key, p.value) for p in info.value.problems] == [
        ("stories/doubtful.md", key, value)
    ]


def test_an_unreadable_modified_time_is_left_out(build_site: Build) -> None:
    text = story_file("Corrected story", f"{DAY} 09:00", modified="yesterday")
    site = build_site({**lead(), "stories/corrected.md": text})
    assert site.warnings == [
        "cx_digest: stories/corrected.md: Modified 'yesterday': "
        "not a date Pelican can read; left out"
    ]
    assert "Corrected story" in headlines(site)
    page = site.html("2026/11/18/corrected/")
    changed = page.find("meta", property="article:modified_time")["content"]
    assert changed == "2026-11-18T09:00:00+08:00"  # its Date: no Modified
    assert "yesterday" not in page.decode()


def test_a_translation_has_its_own_page_beside_its_story(build_site: Build) -> None:
    files = {
        **lead(),
        "stories/rates.md": story_file("Rates cut", f"{DAY} 10:00"),
        "stories/rates-zh.md": story_file(
            "降息", f"{DAY} 10:05", lang="zh-cn", slug="rates"
        ),
    }
    site = build_site(files)
    assert site.warnings == []
    assert "降息" in site.html("2026/11/18/rates-zh-cn/").get_text()
    assert "Rates cut" in site.html("2026/11/18/rates/").get_text()
    assert sorted(headlines(site)) == ["Lead of the day", "Rates cut"]


@pytest.mark.parametrize("day_starts", ["00:00", "06:00"])
def test_a_placeholder_date_of_year_one_is_published(
    build_site: Build, day_starts: str
) -> None:
    files = {
        **lead(),
        "stories/imported.md": story_file("Imported story", "0001-01-01 00:00"),
    }
    site = build_site(files, CX_DIGEST_DAY_STARTS=day_starts)
    assert site.warnings == []
    assert site.path("1/01/01/imported/").exists()
    assert "Imported story" in feed_titles(site)
    items = json.loads(site.path("feeds/digest.json").read_text(encoding="utf-8"))
    stamps = [item["date_published"] for item in items["items"]]
    stamps += [t["datetime"] for t in site.html("1/01/01/imported/").find_all("time")]
    assert len(stamps) >= 3
    for stamp in stamps:  # offsets of whole minutes (Shanghai's is +08:05:43)
        assert re.match(r"^\d{4}-\d\d-\d\dT[\d:]{8}(Z|[+-]\d\d:\d\d)$", stamp), stamp


def test_a_kicker_written_with_its_colon_shows_one(build_site: Build) -> None:
    files = {
        **lead(),
        "stories/view.md": story_file(
            "Rates are too high", f"{DAY} 09:00", kicker="Opinion:"
        ),
        "stories/zh.md": story_file("降息", f"{DAY} 09:30", kicker="观点："),
    }
    site = build_site(files)
    assert site.warnings == []
    heads = headlines(site)
    assert "Opinion: Rates are too high" in heads
    assert "观点: 降息" in heads
    page = site.html("2026/11/18/view/").find("h1").get_text(" ", strip=True)
    assert page == "Opinion: Rates are too high"


def test_a_hot_topic_named_twice_is_listed_once(build_site: Build) -> None:
    files = {
        **lead(),
        "stories/a.md": story_file("Flood story", f"{DAY} 09:00", tags="Floods"),
        f"digests/{DAY}.md": "Hot_topics: Floods\nHot_topics: floods\n",
    }
    site = build_site(files)
    assert site.warnings == []
    block = site.html(EDITION).select("[data-block=hot-topics] a")
    assert [a.get_text(strip=True) for a in block] == ["Floods"]


@pytest.mark.parametrize(
    "text",
    [
        f"Title: Blurb story\nDate: {DAY} 09:00\nCategory: Economy\nSummary:\n\n"
        "First paragraph.\n\nSecond paragraph.\n",
        f"Title: Blurb story\nDate: {DAY} 09:00\nCategory: Economy\n\n"
        "<!-- more -->\n\nFirst paragraph.\n\nSecond paragraph.\n",
    ],
    ids=["empty-summary", "more-at-the-top"],
)
def test_an_empty_blurb_falls_back_to_the_first_paragraph(
    build_site: Build, text: str
) -> None:
    site = build_site({**lead(), "stories/blurb.md": text})
    card = site.html(EDITION).find("a", string="Blurb story").find_parent("article")
    assert "First paragraph." in card.get_text(" ", strip=True)
    assert "Second paragraph." not in card.get_text(" ", strip=True)


@pytest.mark.parametrize("status", ["skip", "Skip"])
def test_a_story_skipped_on_purpose_stays_skipped(
    build_site: Build, status: str
) -> None:
    """``Status: skip`` is Pelican's own: no page, no warning."""
    text = f"Title: Not yet\nStatus: {status}\nCategory: Economy\n\nThe body.\n"
    site = build_site({**lead(), "stories/later.md": text})
    assert site.warnings == []
    assert not list(site.output.rglob("later*"))
    assert headlines(site) == ["Lead of the day"]


def test_a_tag_or_category_without_letters_gets_a_page(build_site: Build) -> None:
    files = {
        **lead(),
        "stories/launch.md": story_file(
            "Rocket launch", f"{DAY} 09:00", "📈", tags="🚀, Space"
        ),
    }
    site = build_site(files)
    assert site.warnings == [
        "cx_digest: stories/launch.md: Category '📈': no letter or digit to make "
        "its page address; its page is category/u1f4c8/",
        "cx_digest: stories/launch.md: Tags '🚀': no letter or digit to make its "
        "page address; its page is tag/u1f680/",
    ]
    assert "Rocket launch" in site.html("category/u1f4c8/").get_text()
    assert "Rocket launch" in site.html("tag/u1f680/").get_text()
    story = site.html("2026/11/18/launch/")
    hrefs = {a["href"] for a in story.find_all("a", href=True)}
    assert any(h.endswith("/tag/u1f680/") for h in hrefs)
    assert not any(h.endswith(("tag//", "category//")) for h in hrefs)
    card = site.html(EDITION).find("a", string="Rocket launch").find_parent("article")
    topic = card.select_one(".cx-topic a")["href"]
    assert topic.endswith("/category/u1f4c8/")


@pytest.mark.parametrize("status", ["Published", "HIDDEN", "Draft"])
def test_a_status_in_any_case_is_pelicans(build_site: Build, status: str) -> None:
    text = story_file("Cased status", f"{DAY} 09:00", status=status)
    site = build_site({**lead(), "stories/cased.md": text})
    assert site.warnings == []
    listed = "Cased status" in headlines(site)
    assert listed == (status == "Published")
    assert site.path("drafts/cased.html").exists() == (status == "Draft")


def test_a_file_named_with_an_impossible_date_is_kept_as_a_draft(
    build_site: Build,
) -> None:
    """Pelican takes a date from a file's name (FILENAME_METADATA)."""
    text = "Title: Named story\nCategory: Economy\n\nThe body.\n"
    site = build_site({**lead(), "stories/2026-02-30-named.md": text})
    assert site.warnings == [
        "cx_digest: stories/2026-02-30-named.md: Date '2026-02-30': not a date "
        "Pelican can read; kept as a draft"
    ]
    assert list(site.output.glob("drafts/*named*.html"))
