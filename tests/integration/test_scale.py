"""Scale and shape of input: big days, big bodies, odd editions, tiny sites,
and a seeded random newsroom where every published story runs exactly once."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable

import feedparser
import pytest
from bs4 import BeautifulSoup

from support import Site, story_file

Build = Callable[..., Site]
DAY = "2026-11-18"
EDITION = "digest/2026/11/18/"


def edition_headlines(page: BeautifulSoup) -> list[str]:
    """Every story link of the edition content (cards and quick hits)."""
    content = page.select_one(".cx-edition")
    cards = [h.get_text(" ", strip=True) for h in content.select(".cx-headline a")]
    quick = [a.get_text(strip=True) for a in content.select(".cx-quick-hits li a")]
    return cards + quick


def test_a_day_with_500_stories(build_site: Build) -> None:
    roles = ["story", "story", "quick-hit", "story", "photo"]
    files = {
        f"stories/s{n:03d}.md": story_file(
            f"Story number {n:03d}",
            f"{DAY} {n // 60 % 24:02d}:{n % 60:02d}",
            ["Economy", "Companies"][n % 2],
            digest=roles[n % len(roles)],
            tags=f"Tag {n % 7}",
        )
        for n in range(500)
    }
    site = build_site(files)
    page = site.html(EDITION)
    heads = edition_headlines(page)
    assert len(heads) == 500
    assert sorted(heads) == sorted(f"Story number {n:03d}" for n in range(500))
    assert len(page.select("[data-block=quick-hits] li")) == 100
    assert len(page.select("[data-block=photo]")) == 100
    assert page.select_one("[data-block=lead] .cx-headline").get_text(strip=True) == (
        "Story number 000"
    )  # first story by the documented order
    hot = [a.get_text() for a in page.select("[data-block=hot-topics] a")]
    assert len(hot) == 3
    # only the (expected) note that such an email is too big for Gmail
    assert [w for w in site.warnings if "EMAIL_MAX_BYTES" not in w] == []


def test_a_story_with_a_1_mb_body(build_site: Build) -> None:
    paragraph = "Wire copy " * 99 + "end.\n\n"
    body = "First paragraph of a huge story.\n\n" + paragraph * 1010
    assert len(body) > 1_000_000
    site = build_site(
        {"stories/huge.md": story_file("Huge", f"{DAY} 09:00", body=body)}
    )
    lead = site.html(EDITION).select_one("[data-block=lead]")
    assert lead.select_one(".cx-summary").get_text(strip=True) == (
        "First paragraph of a huge story."
    )
    page = site.text("2026/11/18/huge/")
    assert page.count("Wire copy ") == 99 * 1010
    assert site.path(EDITION).stat().st_size < 100_000  # the body stays out


def test_edition_without_quick_hits_or_images(build_site: Build) -> None:
    site = build_site(
        {
            f"stories/s{n}.md": story_file(f"Plain story {n}", f"{DAY} 0{n}:00")
            for n in range(1, 5)
        }
    )
    page = site.html(EDITION)
    assert page.select("[data-block=quick-hits]") == []
    assert page.select(".cx-edition img, .cx-edition figure") == []
    assert edition_headlines(page) == [f"Plain story {n}" for n in range(1, 5)]
    assert page.h1.get_text() == "CX Daily: Plain Story 1"


def test_edition_with_only_quick_hits(build_site: Build) -> None:
    site = build_site(
        {
            f"stories/q{n}.md": story_file(
                f"Quick {n}", f"{DAY} 0{n}:00", digest="quick-hit"
            )
            for n in range(1, 4)
        }
    )
    page = site.html(EDITION)
    assert page.select("[data-block=lead]") == []
    assert page.select(".cx-card") == []
    quick = page.select("[data-block=quick-hits] li a")
    assert [a.get_text() for a in quick] == ["Quick 1", "Quick 2", "Quick 3"]
    assert page.h1.get_text() == "CX Daily: Quick 1"
    assert len(page.find_all("h1")) == 1


def test_edition_with_only_a_photo(build_site: Build) -> None:
    site = build_site(
        {
            "stories/p.md": story_file(
                "Port at night",
                f"{DAY} 09:00",
                digest="photo",
                image="images/fixture.jpg",
                image_caption="Cranes",
            )
        }
    )
    page = site.html(EDITION)
    assert page.select("[data-block=lead]") == []
    assert page.select_one("[data-block=photo] .cx-caption").get_text() == "Cranes"


def test_empty_site(build_site: Build) -> None:
    site = build_site({})
    assert "No edition has been published yet" in site.html("digest/").get_text()
    home = site.html("")
    assert len(home.find_all("h1")) == 1
    assert not (site.output / "digest" / "2026").exists()
    assert site.warnings == []
    # The feeds exist from day one (readers can subscribe), with no entry.
    atom = site.output / "feeds" / "digest.atom.xml"
    parsed = feedparser.parse(atom.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title
    assert parsed.entries == []


def test_site_with_one_story(build_site: Build) -> None:
    site = build_site({"stories/only.md": story_file("The only story", f"{DAY} 09:00")})
    page = site.html(EDITION)
    assert edition_headlines(page) == ["The only story"]
    assert page.select(".cx-edition-nav") == []  # no previous, no next
    assert site.html("").h1.get_text() == "CX Daily: The Only Story"
    archive = site.html("digest/")
    assert [a.get_text() for a in archive.select(".cx-archive-title a")] == [
        "CX Daily: The Only Story"
    ]
    story = site.html("2026/11/18/only/")
    assert story.select_one(".story-edition-link")["href"].endswith(EDITION)


def random_newsroom(seed: int, count: int) -> tuple[dict[str, str], dict[str, str]]:
    """Random stories over a week (offsets, roles, drafts, hidden).

    Returns the files and, for each title, its status (or digest role).
    """
    rng = random.Random(seed)
    files: dict[str, str] = {}
    fate: dict[str, str] = {}
    for n in range(count):
        title = f"Random story {n:03d}"
        day = 14 + rng.randrange(7)
        hour, minute = rng.randrange(24), rng.randrange(60)
        offset = rng.choice(["", "", "+00:00", "-05:00", "+05:45", "+14:00"])
        when = (
            f"2026-11-{day:02d}T{hour:02d}:{minute:02d}:00{offset}"
            if offset
            else f"2026-11-{day:02d} {hour:02d}:{minute:02d}"
        )
        meta: dict[str, str | list[str]] = {
            "digest": rng.choice(["story", "story", "quick-hit", "photo", "none"]),
            "tags": rng.choice(["Floods", "Rates", "Floods, Rates", "Chips"]),
        }
        if rng.random() < 0.2:
            meta["digest_order"] = str(rng.randrange(5))
        status = rng.choice(["published"] * 8 + ["draft", "hidden"])
        if status != "published":
            meta["status"] = status
        if rng.random() < 0.1:
            meta["digest"] = "lead"
        fate[title] = status if status != "published" else str(meta["digest"])
        files[f"stories/{n % 5}/r{n:03d}.md"] = story_file(
            title,
            when,
            rng.choice(["Economy", "Markets", "Companies", "Sport"]),
            **meta,
        )
    return files, fate


@pytest.mark.parametrize("seed", [1, 2])
def test_random_newsroom_every_published_story_runs_once(
    build_site: Build, seed: int
) -> None:
    files, fate = random_newsroom(seed, 120)
    site = build_site(files, CX_DIGEST_DAY_STARTS="05:30")
    seen: Counter[str] = Counter()
    for page in sorted((site.output / "digest").glob("20*/*/*/index.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        seen.update(edition_headlines(soup))
    for title, what in fate.items():
        expected = 1 if what not in ("draft", "hidden", "none") else 0
        assert seen[title] == expected, (title, what)
    assert set(seen) <= set(fate)
    assert sum(seen.values()) == sum(
        1 for w in fate.values() if w not in ("draft", "hidden", "none")
    )
    # drafts and hidden stories are in no list page either
    listing = site.html("stories/").get_text()
    for title, what in fate.items():
        assert (title in listing) == (what not in ("draft", "hidden")), title
