"""A story's own page under the body policy: pasted markup is not live there,
allowed embeds are, editors are told what was removed, and the trusted
settings keep a body as written. Pages are read back with html5lib, as a
browser parses them."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cx_digest.report import StrictModeError
from cx_digest.settings import DEFAULTS
from hostile import ATTACKS, hostile_element, live_parts
from support import Site, run_pelican, story_file

DAY = "2026-11-18"
HOSTS = DEFAULTS["CX_DIGEST_EMBED_HOSTS"]
WIRE = (
    "<p>Wire table follows.</p>\n"
    '<table><tr><td onclick="alert(1)">1.2%</td></tr></table>\n'
    '<meta http-equiv="refresh" content="0;url=https://evil.example">\n'
    '<base href="https://evil.example/">\n'
    "<script>alert(1)</script>\n"
    '<svg onload="alert(1)"></svg>\n'
    '<p><img src="x.jpg" onerror="alert(1)" alt="chart"> '
    '<a href="jav&#x09;ascript:alert(1)">tab-split</a> '
    '<a href="vbscript:msgbox(1)">vb</a> '
    '<a href="data:text/html;base64,PHNjcmlwdD4=">data</a></p>\n'
    '<iframe src="https://evil.example/frame"></iframe>\n'
    '<object data="https://evil.example/x.swf"></object>\n'
    '<embed src="https://evil.example/x.swf">\n'
    '<form action="https://evil.example/"><input name="q"></form>\n'
)
EMBED = (
    '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ" '
    'title="The levee at dawn" width="560" height="315" allowfullscreen="" '
    'loading="lazy"></iframe>'
)
PAGE = "2026/11/18/{}/"


def stories(**bodies: str) -> dict[str, str]:
    """One story a body, alike in everything else (time aside)."""
    return {
        f"stories/{slug}.md": story_file(
            f"Story {slug}",
            f"{DAY} {8 + n // 60:02d}:{n % 60:02d}",
            "Markets",
            body=body,
        )
        for n, (slug, body) in enumerate(bodies.items())
    }


def body_of(site: Site, slug: str) -> str:
    tree = BeautifulSoup(site.text(PAGE.format(slug)), "html.parser")
    body = tree.select_one(".story-body")
    assert body is not None
    return body.decode_contents()


def page_live(site: Site, slug: str) -> Counter[str]:
    """The kinds of live code on a whole story page (values left out, so two
    stories' pages compare)."""
    parts = live_parts(site.text(PAGE.format(slug)), document=True)
    return Counter(re.sub(r"[=\[].*", "", part) for part in parts)


def test_a_hostile_story_page_has_only_the_themes_live_elements(
    tmp_path: Path,
) -> None:
    site = run_pelican(
        tmp_path / "site", stories(plain="<p>Wire table follows.</p>", wire=WIRE)
    )
    hostile, plain = page_live(site, "wire"), page_live(site, "plain")
    assert hostile == plain
    assert live_parts(body_of(site, "wire"), embed_hosts=HOSTS) == []
    body = body_of(site, "wire")
    assert "Wire table follows." in body
    assert "1.2%" in body
    assert "evil.example" not in body


def test_every_known_attack_is_inert_on_the_page(tmp_path: Path) -> None:
    files = stories(
        **{f"a{n}": f"<p>Before.</p>\n{a}\n" for n, a in enumerate(ATTACKS)}
    )
    site = run_pelican(tmp_path / "site", files)
    for n in range(len(ATTACKS)):
        body = body_of(site, f"a{n}")
        assert live_parts(body, embed_hosts=HOSTS) == [], (ATTACKS[n], body)


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.lists(hostile_element(), min_size=1, max_size=3), min_size=6))
def test_generated_bodies_are_inert_on_the_page(
    tmp_path_factory: pytest.TempPathFactory, bodies: list[list[str]]
) -> None:
    files = stories(
        **{f"g{n}": "<p>Text.</p>\n" + "".join(parts) for n, parts in enumerate(bodies)}
    )
    site = run_pelican(tmp_path_factory.mktemp("generated"), files)
    for n in range(len(bodies)):
        page = site.text(PAGE.format(f"g{n}"))
        assert live_parts(body_of(site, f"g{n}"), embed_hosts=HOSTS) == [], page


def test_allowed_embeds_are_published_as_written(tmp_path: Path) -> None:
    site = run_pelican(tmp_path / "site", stories(video=f"<p>Watch:</p>\n\n{EMBED}"))
    assert EMBED in site.text(PAGE.format("video"))
    assert site.warnings == []


def test_warnings_name_the_file_and_what_was_removed(tmp_path: Path) -> None:
    files = stories(wire=WIRE)
    files["stories/summary.md"] = story_file(
        "Summary with a handler",
        f"{DAY} 12:00",
        "Markets",
        summary='Rates <b onmouseover="alert(1)">rose</b>.',
    )
    site = run_pelican(tmp_path / "site", files)
    assert site.warnings == [
        "cx_digest: stories/summary.md: Summary 'removed 1 event handler': "
        "pasted markup is not published; mark the story 'Html: trusted' to "
        "publish it as written",
        "cx_digest: stories/wire.md: Body 'removed <meta http-equiv>, <base>, "
        "<script>, <svg>, <object>, <embed>, <form>, <input>, 2 event handlers, "
        "1 iframe from evil.example, 1 javascript: URL, 1 vbscript: URL, "
        "1 data: URL': pasted markup is not published; mark the story "
        "'Html: trusted' to publish it as written",
    ]


def test_hidden_and_draft_stories_are_cleaned_and_reported(tmp_path: Path) -> None:
    files = {
        f"stories/{status}.md": story_file(
            f"A {status} story",
            f"{DAY} 09:00",
            body="<p>x</p><script>alert(1)</script>",
            status=status,
        )
        for status in ("hidden", "draft")
    }
    site = run_pelican(tmp_path / "site", {**files, **stories(lead="<p>Lead.</p>")})
    assert sorted(site.warnings) == [
        f"cx_digest: stories/{status}.md: Body 'removed <script>': pasted markup "
        "is not published; mark the story 'Html: trusted' to publish it as written"
        for status in ("draft", "hidden")
    ]
    pages = [
        p for p in site.output.rglob("*.html") if "A draft" in p.read_text("utf-8")
    ]
    pages += [
        p for p in site.output.rglob("*.html") if "A hidden" in p.read_text("utf-8")
    ]
    assert pages
    for page in pages:
        assert "<script>alert" not in page.read_text("utf-8")


def test_strict_mode_fails_on_removed_markup(tmp_path: Path) -> None:
    with pytest.raises(StrictModeError, match=r"stories/wire\.md: Body 'removed"):
        run_pelican(tmp_path / "site", stories(wire=WIRE), CX_DIGEST_STRICT=True)


def test_strict_mode_passes_allowed_embeds(tmp_path: Path) -> None:
    site = run_pelican(tmp_path / "site", stories(video=EMBED), CX_DIGEST_STRICT=True)
    assert EMBED in site.text(PAGE.format("video"))


def test_a_trusted_site_publishes_bodies_as_written(tmp_path: Path) -> None:
    site = run_pelican(
        tmp_path / "site", stories(wire=WIRE), CX_DIGEST_STORY_HTML="trusted"
    )
    body = site.text(PAGE.format("wire"))
    assert "<script>alert(1)</script>" in body
    assert '<iframe src="https://evil.example/frame"></iframe>' in body
    assert site.warnings == []


def test_a_trusted_story_is_published_as_written(tmp_path: Path) -> None:
    graphic = (
        '<div id="g"></div>\n<script src="https://graphics.example/g.js"></script>'
    )
    files = stories(wire=WIRE)
    files["stories/graphic.md"] = story_file(
        "Interactive graphic", f"{DAY} 12:00", "Markets", body=graphic, html="trusted"
    )
    site = run_pelican(tmp_path / "site", files)
    assert '<script src="https://graphics.example/g.js"></script>' in site.text(
        PAGE.format("graphic")
    )
    assert "<script>" not in body_of(site, "wire")
    assert [w for w in site.warnings if "graphic" in w] == []


def test_an_unknown_html_value_is_reported_and_the_story_cleaned(
    tmp_path: Path,
) -> None:
    files = {
        "stories/odd.md": story_file(
            "Odd", f"{DAY} 09:00", body="<script>alert(1)</script><p>x</p>", html="yes"
        )
    }
    site = run_pelican(tmp_path / "site", files)
    assert "<script>" not in body_of(site, "odd")
    assert (
        "cx_digest: stories/odd.md: Html 'yes': unknown value (use 'trusted' or "
        "'clean'); publishing the cleaned HTML"
    ) in site.warnings


@pytest.mark.parametrize(
    ("first", "then"), [("trusted", "clean"), ("clean", "trusted")]
)
def test_a_policy_change_is_not_hidden_by_the_content_cache(
    tmp_path: Path, first: str, then: str
) -> None:
    cache = {
        "CACHE_CONTENT": True,
        "LOAD_CONTENT_CACHE": True,
        "CACHE_PATH": str(tmp_path / "cache"),
    }
    for layer in ("reader", "generator"):
        root = tmp_path / layer
        before = run_pelican(
            root,
            stories(wire=WIRE),
            CX_DIGEST_STORY_HTML=first,
            CONTENT_CACHING_LAYER=layer,
            **cache,
        )
        assert ("<script>alert(1)" in before.text(PAGE.format("wire"))) is (
            first == "trusted"
        )
        after = run_pelican(
            root, {}, CX_DIGEST_STORY_HTML=then, CONTENT_CACHING_LAYER=layer, **cache
        )
        assert ("<script>alert(1)" in after.text(PAGE.format("wire"))) is (
            then == "trusted"
        ), layer
        # And from the cache the warning is still given.
        assert bool(after.warnings) is (then == "clean"), layer


def test_workers_clean_and_report_like_a_serial_build(tmp_path: Path) -> None:
    files = stories(
        wire=WIRE, video=EMBED, **{f"s{n}": f"<p>{n}</p>" for n in range(12)}
    )
    serial = run_pelican(tmp_path / "one", files, FASTBUILD_WORKERS=1)
    parallel = run_pelican(tmp_path / "two", files, FASTBUILD_WORKERS=2)
    for slug in ("wire", "video", "s3"):
        assert serial.text(PAGE.format(slug)) == parallel.text(PAGE.format(slug))
    assert serial.warnings == parallel.warnings
    assert len(serial.warnings) == 1
