"""Bad metadata: one warning each (file, key, value), the documented default
visible in the built pages, and strict mode listing every problem at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from cx_digest.report import StrictModeError
from support import Site, run_pelican, story_file

DAY = "2026-11-18"
EDITION = "digest/2026/11/18/"


def base() -> dict[str, str]:
    """A clean day: a lead and one story (policy section)."""
    return {
        "stories/lead.md": story_file(
            "Lead of the day", f"{DAY} 08:00", "Economy", digest="lead"
        ),
        "stories/early.md": story_file("Early policy story", f"{DAY} 07:00"),
        "stories/other-day.md": story_file("Story of the 17th", "2026-11-17 09:00"),
    }


def bad(**meta: Any) -> dict[str, str]:
    """The clean day plus ``stories/bad.md`` (09:00) with ``meta``."""
    files = base()
    files["stories/bad.md"] = story_file(
        "Bad metadata story", f"{DAY} 09:00", meta.pop("category", "Economy"), **meta
    )
    return files


def only_warning(site: Site, source: str, key: str, value: str) -> str:
    """The build logged exactly one cx_digest warning, naming all three."""
    assert len(site.warnings) == 1, site.warnings
    warning = site.warnings[0]
    assert warning.startswith(f"cx_digest: {source}: {key} {value!r}: "), warning
    return warning


def headlines(page: BeautifulSoup, block: str = "[data-block]") -> list[str]:
    return [h.get_text(" ", strip=True) for h in page.select(f"{block} .cx-headline")]


def card(page: BeautifulSoup, title: str) -> Any:
    link = page.find("a", string=title)
    assert link is not None, title
    return link.find_parent("article")


Build = Callable[..., Site]


# -- stories -------------------------------------------------------------


def test_unknown_role_is_a_regular_story(build_site: Build) -> None:
    site = build_site(bad(digest="headline"))
    warning = only_warning(site, "stories/bad.md", "Digest", "headline")
    assert "using 'story'" in warning
    page = site.html(EDITION)
    assert headlines(page, "[data-block=lead]") == ["Lead of the day"]
    assert "Bad metadata story" in headlines(page, "[data-block=story]")


@pytest.mark.parametrize("value", ["first", "-2", "1.5", "2e3"])
def test_bad_digest_order_orders_by_time(build_site: Build, value: str) -> None:
    site = build_site(bad(digest_order=value))
    warning = only_warning(site, "stories/bad.md", "Digest_order", value)
    assert "ordering by time" in warning
    # -2 taken literally would put the 09:00 story before the 07:00 one
    assert headlines(site.html(EDITION), "[data-block=story]") == [
        "Early policy story",
        "Bad metadata story",
    ]


def test_unknown_section_uses_the_category_section(build_site: Build) -> None:
    site = build_site(bad(category="Companies", digest_section="sports"))
    warning = only_warning(site, "stories/bad.md", "Digest_section", "sports")
    assert "using 'business'" in warning
    sections = site.html(EDITION).select("[data-block=section]")
    by_key = {s["data-section"]: headlines(s) for s in sections}
    assert by_key == {
        "policy": ["Early policy story"],
        "business": ["Bad metadata story"],
    }


def test_related_slug_that_does_not_exist_is_left_out(build_site: Build) -> None:
    site = build_site(bad(related=["no-such-story", "early"]))
    only_warning(site, "stories/bad.md", "Related", "no-such-story")
    related = card(site.html(EDITION), "Bad metadata story").select(".cx-related a")
    assert [a.get_text() for a in related] == ["Early policy story"]


def test_related_pointing_to_itself_is_left_out(build_site: Build) -> None:
    site = build_site(bad(related="bad"))
    warning = only_warning(site, "stories/bad.md", "Related", "bad")
    assert "itself" in warning
    assert card(site.html(EDITION), "Bad metadata story").select(".cx-related") == []


@pytest.mark.parametrize(
    "value",
    [
        "Full report https://example.org/report",
        "Full report <https://example.org/report",
        "<https://example.org/report>",
        "Full report <example.org/report>",
        "Full report <javascript:alert(1)>",
        "Full report <data:text/html,<b>x</b>>",
        "Full report <ftp://example.org/report>",
    ],
)
def test_malformed_related_label_url_is_left_out(build_site: Build, value: str) -> None:
    site = build_site(bad(related=[value, "Good link <https://example.org/ok>"]))
    only_warning(site, "stories/bad.md", "Related", value)
    related = card(site.html(EDITION), "Bad metadata story").select(".cx-related a")
    assert [(a.get_text(), a["href"]) for a in related] == [
        ("Good link", "https://example.org/ok")
    ]


@pytest.mark.parametrize(
    "value", ["javascript:alert(1)", "data:text/html,hi", "ftp://example.org/x", "/x"]
)
def test_link_that_is_not_http_links_to_the_story_page(
    build_site: Build, value: str
) -> None:
    site = build_site(bad(link=value))
    warning = only_warning(site, "stories/bad.md", "Link", value)
    assert "story page" in warning
    for rel in (EDITION, ""):
        link = site.html(rel).find("a", string="Bad metadata story")
        assert link["href"].endswith("2026/11/18/bad/"), rel
    assert value not in site.text(EDITION)


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        "data:image/png;base64,iVBORw0KGgo=",
        "ftp://example.org/x.jpg",
        "images/missing.jpg",
        "../../etc/passwd",
    ],
)
def test_bad_image_is_left_out(build_site: Build, value: str) -> None:
    site = build_site(
        bad(image=value, image_caption="A caption", image_alt="Alt words")
    )
    warning = only_warning(site, "stories/bad.md", "Image", value)
    assert "without the image" in warning
    story = card(site.html(EDITION), "Bad metadata story")
    assert story.find("figure") is None
    page = site.html("2026/11/18/bad/")
    assert page.find("figure") is None
    assert "A caption" not in page.get_text()
    for rel in (EDITION, "2026/11/18/bad/"):
        assert value not in site.text(rel)


def test_unknown_access_is_public(build_site: Build) -> None:
    site = build_site(bad(access="vip"))
    only_warning(site, "stories/bad.md", "Access", "vip")
    assert card(site.html(EDITION), "Bad metadata story").select(".cx-badge") == []


@pytest.mark.parametrize(
    ("key", "first", "second", "seen"),
    [
        ("Kicker", "Analysis", "Opinion", "Analysis: Bad metadata story"),
        ("Digest_order", "0", "5", None),
        ("Link", "https://example.org/a", "https://example.org/b", None),
        ("Image_caption", "First caption", "Second caption", None),
    ],
)
def test_key_given_twice_uses_the_first(
    build_site: Build, key: str, first: str, second: str, seen: str | None
) -> None:
    meta: dict[str, Any] = {key.lower(): [first, second]}
    if key == "Image_caption":
        meta["image"] = "images/fixture.jpg"
    site = build_site(bad(**meta))
    warning = only_warning(site, "stories/bad.md", key, f"{first} | {second}")
    assert "using the first value" in warning
    page = site.html(EDITION)
    if key == "Kicker":
        assert seen in headlines(page)
    elif key == "Digest_order":
        assert headlines(page, "[data-block=story]")[0] == "Bad metadata story"
    elif key == "Link":
        link = page.find("a", string="Bad metadata story")
        assert link["href"] == first
    else:
        story = card(page, "Bad metadata story")
        assert story.select_one(".cx-caption").get_text() == first
        assert second not in page.get_text()


def test_title_given_twice_shows_the_first_everywhere(build_site: Build) -> None:
    files = base()
    files["stories/bad.md"] = (
        f"Title: First headline\nTitle: Second headline\nDate: {DAY} 09:00\n"
        "Category: Economy\n\nBody.\n"
    )
    files["stories/early.md"] = story_file(
        "Early policy story", f"{DAY} 07:00", related="bad"
    )
    site = build_site(files)
    only_warning(site, "stories/bad.md", "Title", "First headline | Second headline")
    for rel in (EDITION, "2026/11/18/bad/", "stories/", "category/economy/"):
        text = site.html(rel).get_text(" ")
        assert "First headline" in text, rel
        assert "Second headline" not in text, rel
        assert "['First" not in text, rel
    assert site.html("2026/11/18/bad/").h1.get_text() == "First headline"


@pytest.mark.parametrize(
    ("key", "lines", "value"),
    [
        (
            "Date",
            [f"Date: {DAY} 09:00", "Date: 2026-11-19 09:00"],
            f"{DAY} 09:00 | 2026-11-19 09:00",
        ),
        ("Category", ["Category: Economy", "Category: Markets"], "Economy | Markets"),
        ("Tags", ["Tags: Floods", "Tags: Sugar"], "Floods | Sugar"),
    ],
)
def test_pelican_single_keys_given_twice(
    build_site: Build, key: str, lines: list[str], value: str
) -> None:
    files = base()
    header = ["Title: Bad metadata story"]
    if key != "Date":
        header.append(f"Date: {DAY} 09:00")
    if key != "Category":
        header.append("Category: Economy")
    files["stories/bad.md"] = "\n".join([*header, *lines]) + "\n\nBody.\n"
    site = build_site(files)
    only_warning(site, "stories/bad.md", key, value)
    # Pelican keeps the first value: the story stays on the 18th, in Economy
    assert "Bad metadata story" in headlines(site.html(EDITION))
    page = site.html("2026/11/18/bad/")
    assert page.select_one(".cx-topic").get_text(" ", strip=True) == "Economy /"
    if key == "Tags":
        assert [a.get_text() for a in page.select(".tag-list a")] == ["Floods"]


# -- edition files ---------------------------------------------------------


def curated(text: str, day: str = DAY) -> dict[str, str]:
    files = base()
    files[f"digests/{day}.md"] = text
    return files


@pytest.mark.parametrize(
    "value",
    [
        "Floods <https://example.org/floods",
        "<https://example.org/floods>",
        "Floods <javascript:alert(1)>",
        "Floods <data:text/html,hi>",
        "Floods <ftp://example.org/floods>",
        "No such tag",
    ],
)
def test_bad_hot_topic_is_left_out(build_site: Build, value: str) -> None:
    site = build_site(
        curated(f"Hot_topics: {value}\nHot_topics: Sugar <https://example.org/s>\n")
    )
    only_warning(site, f"digests/{DAY}.md", "Hot_topics", value)
    hot = site.html(EDITION).select_one("[data-block=hot-topics]")
    assert [(a.get_text(), a["href"]) for a in hot.find_all("a")] == [
        ("Sugar", "https://example.org/s")
    ]
    assert "javascript" not in site.text(EDITION)


def test_edition_file_for_a_day_without_stories_is_ignored(build_site: Build) -> None:
    site = build_site(curated("Title: Nobody home\n\nA lonely note.\n", "2026-11-30"))
    warning = only_warning(site, "digests/2026-11-30.md", "Date", "2026-11-30")
    assert "ignored" in warning
    assert not (site.output / "digest/2026/11/30").exists()
    for page in site.output.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "A lonely note" not in text, page
        assert "Nobody home" not in text, page


@pytest.mark.parametrize("name", ["latest.md", "2026-02-30.md", "18-11-2026.md"])
def test_edition_file_with_a_bad_name_is_ignored(build_site: Build, name: str) -> None:
    files = base()
    files[f"digests/{name}"] = "Title: Misnamed edition\n\nMisnamed note.\n"
    site = build_site(files)
    only_warning(site, f"digests/{name}", "file", name)
    for page in site.output.rglob("*.html"):
        assert "Misnamed" not in page.read_text(encoding="utf-8"), page


def test_edition_file_that_is_not_markdown_is_ignored(build_site: Build) -> None:
    files = base()
    files[f"digests/{DAY}.txt"] = "Title: Plain text edition\n"
    site = build_site(files)
    only_warning(site, f"digests/{DAY}.txt", "file", f"{DAY}.txt")
    assert "Plain text edition" not in site.text(EDITION)


def stamp(site: Site) -> str:
    return site.html(EDITION).select_one(".cx-stamp").get_text(strip=True)


@pytest.mark.parametrize("value", ["next tuesday", "2026-13-01 10:00", "10:20"])
def test_unparseable_edition_date_uses_latest_story_time(
    build_site: Build, value: str
) -> None:
    site = build_site(curated(f"Date: {value}\nTitle: Curated title\n"))
    warning = only_warning(site, f"digests/{DAY}.md", "Date", value)
    assert "latest story time" in warning
    assert stamp(site) == "Nov 18, 2026 08:00 AM"  # the lead at 08:00
    assert site.html(EDITION).h1.get_text() == "Curated title"  # rest still used


def test_edition_date_of_another_day_uses_latest_story_time(build_site: Build) -> None:
    site = build_site(curated("Date: 2026-11-19 10:20\n"))
    only_warning(site, f"digests/{DAY}.md", "Date", "2026-11-19 10:20")
    assert stamp(site) == "Nov 18, 2026 08:00 AM"


def test_two_leads_the_same_day(build_site: Build) -> None:
    site = build_site(bad(digest="lead"))
    warning = only_warning(site, "stories/bad.md", "Digest", "lead")
    assert "stories/lead.md already leads" in warning
    page = site.html(EDITION)
    assert headlines(page, "[data-block=lead]") == ["Lead of the day"]
    assert "Bad metadata story" in headlines(page, "[data-block=story]")


@pytest.mark.parametrize(
    ("slug", "reason"),
    [
        ("other-day", "belongs to the 2026-11-17 edition"),
        ("no-such-story", "no published story"),
    ],
)
def test_lead_from_another_day_falls_back(
    build_site: Build, slug: str, reason: str
) -> None:
    site = build_site(curated(f"Lead: {slug}\n"))
    warning = only_warning(site, f"digests/{DAY}.md", "Lead", slug)
    assert reason in warning
    page = site.html(EDITION)
    assert headlines(page, "[data-block=lead]") == ["Lead of the day"]
    assert "Story of the 17th" not in page.get_text()
    assert page.h1.get_text() == "CX Daily: Lead Of The Day"


@pytest.mark.parametrize(
    ("lines", "key", "value"),
    [
        (["Lead: early", "Lead: lead"], "Lead", "early | lead"),
        (["Title: One", "Title: Two"], "Title", "One | Two"),
        (
            [f"Date: {DAY} 10:20", f"Date: {DAY} 11:00"],
            "Date",
            f"{DAY} 10:20 | {DAY} 11:00",
        ),
    ],
)
def test_edition_key_given_twice_uses_the_first(
    build_site: Build, lines: list[str], key: str, value: str
) -> None:
    site = build_site(curated("\n".join(lines) + "\n"))
    only_warning(site, f"digests/{DAY}.md", key, value)
    page = site.html(EDITION)
    if key == "Lead":
        assert headlines(page, "[data-block=lead]") == ["Early policy story"]
    elif key == "Title":
        assert page.h1.get_text() == "One"
    else:
        assert stamp(site) == "Nov 18, 2026 10:20 AM"


# -- strict mode -------------------------------------------------------------

EVERYTHING: dict[str, str] = {
    **base(),
    "stories/bad.md": story_file(
        "Bad metadata story",
        f"{DAY} 09:00",
        digest="headline",
        digest_order="-1",
        digest_section="sports",
        related=["bad", "nowhere", "Label <ftp://x>"],
        link="javascript:alert(1)",
        image="data:image/png;base64,AAAA",
        kicker=["One", "Two"],
    ),
    "stories/second-lead.md": story_file("Second lead", f"{DAY} 10:00", digest="lead"),
    f"digests/{DAY}.md": (
        "Date: not a date\nLead: other-day\nHot_topics: X <javascript:alert(1)>\n"
    ),
    "digests/2026-11-30.md": "Title: empty day\n",
    "digests/latest.md": "Title: misnamed\n",
}
EVERY_PROBLEM = [
    ("stories/bad.md", "Digest", "headline"),
    ("stories/bad.md", "Digest_order", "-1"),
    ("stories/bad.md", "Digest_section", "sports"),
    ("stories/bad.md", "Related", "bad"),
    ("stories/bad.md", "Related", "nowhere"),
    ("stories/bad.md", "Related", "Label <ftp://x>"),
    ("stories/bad.md", "Link", "javascript:alert(1)"),
    ("stories/bad.md", "Image", "data:image/png;base64,AAAA"),
    ("stories/bad.md", "Kicker", "One | Two"),
    ("stories/second-lead.md", "Digest", "lead"),
    (f"digests/{DAY}.md", "Date", "not a date"),
    (f"digests/{DAY}.md", "Lead", "other-day"),
    (f"digests/{DAY}.md", "Hot_topics", "X <javascript:alert(1)>"),
    ("digests/2026-11-30.md", "Date", "2026-11-30"),
    ("digests/latest.md", "file", "latest.md"),
]


def test_every_problem_warns_once_and_the_build_goes_on(build_site: Build) -> None:
    site = build_site(EVERYTHING)
    assert len(site.warnings) == len(EVERY_PROBLEM), site.warnings
    for source, key, value in EVERY_PROBLEM:
        prefix = f"cx_digest: {source}: {key} {value!r}: "
        assert sum(w.startswith(prefix) for w in site.warnings) == 1, prefix
    heads = headlines(site.html(EDITION))
    assert sorted(heads) == sorted(
        [
            "Lead of the day",
            "Early policy story",
            "One: Bad metadata story",
            "Second lead",
        ]
    )


def test_strict_mode_lists_every_problem_in_one_failure(build_site: Build) -> None:
    with pytest.raises(StrictModeError) as info:
        build_site(EVERYTHING, CX_DIGEST_STRICT=True)
    problems = sorted((p.source, p.key, p.value) for p in info.value.problems)
    assert problems == sorted(EVERY_PROBLEM)
    message = str(info.value)
    assert f"{len(EVERY_PROBLEM)} problem(s)" in message
    for source, key, value in EVERY_PROBLEM:
        assert f"  - {source}: {key} {value!r}: " in message


def test_strict_mode_passes_clean_content(build_site: Build) -> None:
    site = build_site(base(), CX_DIGEST_STRICT=True)
    assert site.warnings == []
    assert headlines(site.html(EDITION), "[data-block=lead]") == ["Lead of the day"]


def test_intrasite_links_in_an_edition_note(build_site: Build) -> None:
    # Pelican's {filename}/{static} links work in a note as in a story:
    # relative to the edition file or, with a leading /, to content/.
    files = curated(
        f"Date: {DAY} 10:20\n\n"
        "See [the early story]({filename}../stories/early.md), "
        "[the lead]({filename}/stories/lead.md#more) and "
        "![A chart]({static}/images/fixture.jpg). "
        "[Gone]({filename}../stories/missing.md).\n"
    )
    site = build_site(files)
    missing = "{filename}../stories/missing.md"
    only_warning(site, f"digests/{DAY}.md", "note link", missing)
    page = site.html(EDITION)
    note = page.select_one(".cx-note")
    # Notes are cleaned once, with absolute URLs, for the page and the email.
    links = {a.get_text(): a.get("href") for a in note.find_all("a")}
    early = page.find("a", string="Early policy story")["data-url"]
    assert links["the early story"] == early
    lead = page.find("a", string="Lead of the day")["data-url"]
    assert links["the lead"] == lead + "#more"
    assert links["Gone"] is None  # no broken link: its text stays, not a link
    assert "See the early story, the lead and . Gone." in note.get_text()
    image = note.find("img")
    assert image["src"] == "https://daily.cx-newsroom.example/images/fixture.jpg"
    assert site.path("images/fixture.jpg").is_file()
    # the email edition has the same links, absolute
    email = BeautifulSoup(site.text(EDITION + "email.html"), "html.parser")
    hrefs = [a["href"] for a in email.select(".note a[href]")]
    assert hrefs[0].startswith("https://")
    assert hrefs[0].endswith(early.rstrip("/").rsplit("/", 1)[-1] + "/")


# -- settings that name files, repeated keys from the content cache -----------


def test_a_setting_naming_a_missing_file_is_reported_and_left_out(
    build_site: Build,
) -> None:
    site = build_site(base(), CX_DIGEST_FEED_ICON="images/missing.png")
    only_warning(site, "settings", "CX_DIGEST_FEED_ICON", "images/missing.png")
    for path in site.output.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json", ".eml"):
            assert "missing.png" not in path.read_text(encoding="utf-8"), path


def test_a_missing_file_fails_a_strict_build(build_site: Build) -> None:
    with pytest.raises(StrictModeError, match="CX_DIGEST_PUBLISHER_LOGO"):
        build_site(
            base(), CX_DIGEST_PUBLISHER_LOGO="images/gone.png", CX_DIGEST_STRICT=True
        )


def test_a_repeated_key_is_still_reported_from_the_content_cache(
    tmp_path: Path,
) -> None:
    files = base()
    files["stories/twice.md"] = (
        f"Title: Dated twice\nDate: {DAY} 10:00\nDate: 2026-11-19 10:00\n"
        "Category: Economy\n\nBody.\n"
    )
    cache = {
        "CACHE_CONTENT": True,
        "LOAD_CONTENT_CACHE": True,
        "CACHE_PATH": str(tmp_path / "cache"),
    }
    expected = [
        f"cx_digest: stories/twice.md: Date '{DAY} 10:00 | 2026-11-19 10:00': "
        "given more than once; using the first value"
    ]
    first = run_pelican(tmp_path / "site", files, **cache)
    assert first.warnings == expected
    # The same content again: Pelican reads nothing, the cache has the repeat.
    warm = run_pelican(tmp_path / "site", {}, **cache)
    assert warm.warnings == expected
