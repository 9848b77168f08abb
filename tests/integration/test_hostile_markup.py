"""Markup pasted into stories and edition notes never reaches a feed, an email
or an edition page's story cards as live code (the story's own page:
``test_story_pages.py``).

Every output is read back the way its reader would: feeds with feedparser
(and the raw entry HTML with html5lib), emails with Python's email parser,
pages with html5lib.
"""

from __future__ import annotations

import email
import json
from email import policy
from pathlib import Path

import feedparser
import html5lib
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostile import ATTACKS, hostile_element, live_parts
from support import Site, run_pelican, story_file

DAY = "2026-11-18"
EDITION = "digest/2026/11/18/"


def hostile_site(root: Path, fragments: list[str]) -> Site:
    """One story a fragment: in its body above the more marker (its summary)
    and, for every other one, as its Summary; all of them in the note."""
    files: dict[str, str] = {
        "stories/lead.md": story_file(
            "Lead of the day", f"{DAY} 08:00", digest="lead", tags="Floods"
        ),
    }
    for n, fragment in enumerate(fragments):
        meta: dict[str, str] = {"tags": "Floods"}
        if n % 2:
            meta["summary"] = fragment.replace("\n", " ")
        files[f"stories/s{n}.md"] = story_file(
            f"Story {n}",
            f"{DAY} {9 + n // 60:02d}:{n % 60:02d}",
            "Markets" if n % 3 else "Economy",
            body=f"{fragment}\n\n<!-- more -->\n\nThe rest.",
            **meta,
        )
    note = "\n\n".join(fragments).replace("\n\n\n", "\n\n")
    files[f"digests/{DAY}.md"] = f"Date: {DAY} 10:20\n\n{note}\n"
    return run_pelican(root, files)


def feed_fragments(site: Site) -> list[str]:
    """The HTML of every entry of every feed, as feed readers get it."""
    out: list[str] = []
    for path in sorted((site.output / "feeds").rglob("*.xml")):
        parsed = feedparser.parse(path.read_bytes(), sanitize_html=False)
        assert not parsed.bozo, (path, parsed.bozo_exception)
        for entry in parsed.entries:
            out.extend(c.value for c in entry.get("content", []))
            out.append(entry.get("summary", ""))
    data = json.loads((site.output / "feeds/digest.json").read_text("utf-8"))
    out.extend(item["content_html"] for item in data["items"])
    return out


EMAIL_BLOCKS = "td.card, td.note, td.block, td.block-tinted"


def email_fragments(site: Site) -> list[str]:
    """The story and note blocks of email.html and of the .eml's HTML part."""
    message = email.message_from_bytes(
        site.path(EDITION + "email.eml").read_bytes(), policy=policy.default
    )
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    out: list[str] = []
    for document in (site.text(EDITION + "email.html"), html.get_content()):
        blocks = BeautifulSoup(document, "html.parser").select(EMAIL_BLOCKS)
        assert blocks
        out.extend(str(block) for block in blocks)
    return out


def card_fragments(site: Site, page: str) -> list[str]:
    tree = BeautifulSoup(site.text(page), "html.parser")
    blocks = tree.select(".cx-card, .cx-note, .cx-quick-hits, .cx-hot-topics")
    assert blocks
    return [str(block) for block in blocks]


def assert_nothing_live(site: Site) -> None:
    for name, fragments in (
        ("feeds", feed_fragments(site)),
        ("edition page", card_fragments(site, EDITION)),
        ("home page", card_fragments(site, "")),
    ):
        for fragment in fragments:
            assert live_parts(fragment) == [], (name, fragment)
    for fragment in email_fragments(site):
        assert live_parts(fragment, own_styles=True) == [], ("email", fragment)


def test_known_attacks_never_reach_feeds_emails_or_cards(tmp_path: Path) -> None:
    site = hostile_site(tmp_path / "site", ATTACKS)
    assert_nothing_live(site)
    # The pages still parse, and the cards still carry the stories' text.
    page = html5lib.parse(site.text(EDITION), namespaceHTMLElements=False)
    assert page.find(".//h1") is not None
    assert "Story 3" in site.text(EDITION)


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(hostile_element(), min_size=1, max_size=3))
def test_generated_markup_never_reaches_feeds_emails_or_cards(
    tmp_path_factory: object, parts: list[str]
) -> None:
    root = tmp_path_factory.mktemp("hostile")  # type: ignore[attr-defined]
    assert_nothing_live(hostile_site(root, parts))
