"""The email edition as a mail client and a mail server see it.

Real Pelican builds; the outputs are parsed (BeautifulSoup for email.html,
the standard library's email package for email.eml) and compared with each
other and with the web edition.
"""

from __future__ import annotations

import email
import os
import re
import time
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup

from cx_digest.report import StrictModeError
from support import ROOT, Site, run_pelican, story_file

DAY = "2026-11-18"
EDITION = "digest/2026/11/18/"
PUBLIC = "https://daily.cx-newsroom.example"
UNSUBSCRIBE = [
    "mailto:leave@daily.cx-newsroom.example",
    "https://daily.cx-newsroom.example/unsubscribe/",
]
SETTINGS: dict[str, Any] = {
    "CX_DIGEST_EMAIL_FROM": "CX Daily <newsletter@daily.cx-newsroom.example>",
    "CX_DIGEST_EMAIL_TO": "Readers <readers@lists.cx-newsroom.example>",
    "CX_DIGEST_EMAIL_LIST_UNSUBSCRIBE": UNSUBSCRIBE,
}
# Elements whose look would otherwise depend on a <style> block.
STYLED = ("table", "td", "p", "a", "h1", "h2", "h3", "img", "div", "ul", "li")


def newsroom() -> dict[str, str]:
    return {
        "stories/lead.md": story_file(
            "The fall of the delta's last sugar king",
            f"{DAY} 08:00",
            "Economy",
            body="""
            Opening paragraph with [a relative link](../policy/) and
            [a site-root link](/tag/sugar/).

            <script>alert("no scripts in email")</script>
            <p onclick="steal()">Second paragraph, <a href="javascript:x()">bad</a>.</p>

            <img src="/images/fixture.jpg" alt="An inline picture">

            <!-- more -->

            Body text that is not in the digest.
            """,
            digest="lead",
            kicker="In Depth",
            image="images/fixture.jpg",
            image_alt="Cane fields under water",
            image_caption="Cane fields near the river",
            image_credit="Lin Wei/CX",
            related=["policy", "Full report <https://example.org/report>"],
            access="subscribers",
            tags="Delta floods",
        ),
        "stories/policy.md": story_file(
            "Second policy story with a headline long enough to need wrapping "
            "in the plain-text twin",
            f"{DAY} 07:00",
            "Economy",
            image="https://images.example.org/wire/photo.jpg",
            image_alt="A wire photo",
            tags="Delta floods",
        ),
        "stories/companies.md": story_file(
            "Carmaker cuts prices", f"{DAY} 10:00", "Companies", kicker="Opinion"
        ),
        "stories/quick.md": story_file(
            "Quick policy headline",
            f"{DAY} 11:00",
            "Economy",
            digest="quick-hit",
            link="https://example.com/elsewhere",
        ),
        "stories/quick-two.md": story_file(
            "Quick business headline", f"{DAY} 09:00", "Companies", digest="quick-hit"
        ),
        "stories/photo.md": story_file(
            "Night shift at the port",
            f"{DAY} 12:00",
            "Companies",
            digest="photo",
            image="images/fixture.jpg",
            image_caption="Cranes at night",
        ),
        f"digests/{DAY}.md": (
            f"Date: {DAY} 10:20\n"
            "Hot_topics: Delta floods\n"
            "Hot_topics: Sugar <https://example.org/sugar>\n\n"
            "A note from the *editor*, with [a link](/digest/).\n"
        ),
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return run_pelican(tmp_path_factory.mktemp("email"), newsroom(), **SETTINGS)


def email_html(site: Site, edition: str = EDITION) -> BeautifulSoup:
    return site.html(edition + "email.html")


def web_links(site: Site, edition: str, selector: str) -> list[str]:
    """Absolute hrefs of the web edition's ``selector`` links."""
    page = site.html(edition)
    base = f"{PUBLIC}/{edition}"
    return [urljoin(base, str(a["href"])) for a in page.select(selector)]


def message(site: Site, edition: str = EDITION) -> EmailMessage:
    raw = site.path(edition + "email.eml").read_bytes()
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def editions(site: Site) -> list[str]:
    return sorted(
        str(p.parent.relative_to(site.output)) + "/"
        for p in site.output.glob("digest/*/*/*/email.html")
    )


# -- email.html -------------------------------------------------------------


def check_email_html(soup: BeautifulSoup, size: int, limit: int = 100_000) -> None:
    """What every email.html must satisfy, for any edition."""
    assert size < limit
    assert soup.find("script") is None
    assert soup.find("link") is None  # no external stylesheets or fonts
    assert soup.find(["iframe", "form", "object", "embed", "svg"]) is None
    # The only <style> left holds @media rules, nothing the layout needs.
    for style in soup.find_all("style"):
        css = style.get_text()
        outside = re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", css)
        assert outside.strip() == "", outside
        assert "@import" not in css
        assert "@font-face" not in css
    body = soup.body
    assert body is not None
    for element in body.find_all(STYLED):
        assert element.get("style"), f"<{element.name}> has no inline style"
    for table in body.find_all("table"):
        assert table.get("role") == "presentation"
    container = body.find("table").find("table")
    assert container["width"] == "600"
    assert "max-width:600px" in container["style"].replace(" ", "")
    for element in soup.find_all(href=True) + soup.find_all(src=True):
        url = str(element.get("href") or element.get("src"))
        assert url.startswith(("https://", "mailto:")), url
    for img in body.find_all("img"):
        assert img.has_attr("alt")
        assert int(img["width"]) > 0
        assert int(img["height"]) > 0
        assert int(img["width"]) <= 600
    # The hidden preheader comes first.
    preheader = body.find(True)
    assert preheader.name == "div"
    assert "display:none" in preheader["style"].replace(" ", "")
    assert "mso-hide:all" in preheader["style"].replace(" ", "")


def test_email_html_is_self_contained_and_inlined(site: Site) -> None:
    path = site.path(EDITION + "email.html")
    check_email_html(email_html(site), path.stat().st_size)


def test_every_sample_edition_passes_the_email_checks(sample_site: Site) -> None:
    found = editions(sample_site)
    assert len(found) >= 6
    for edition in found:
        path = sample_site.path(edition + "email.html")
        check_email_html(email_html(sample_site, edition), path.stat().st_size)
        assert sample_site.path(edition + "email.txt").is_file()
        assert sample_site.path(edition + "email.eml").is_file()
    assert not [w for w in sample_site.warnings if "email.html size" in w]


def test_email_html_content_matches_the_web_edition(site: Site) -> None:
    soup = email_html(site)
    web = site.html(EDITION)
    assert soup.title.get_text() == web.find("main").h1.get_text()
    assert soup.h1.get_text() == web.find("main").h1.get_text()
    assert "Nov 18, 2026 10:20 AM" in soup.get_text()
    # Every headline link of the web edition, in the same order.
    headlines = web_links(site, EDITION, ".cx-headline a")
    assert [a["href"] for a in soup.select("h2 a")] == headlines
    quick = web_links(site, EDITION, "[data-block=quick-hits] a")
    assert [a["href"] for a in soup.select("[data-block=quick-hits] a")] == quick
    hot = web_links(site, EDITION, "[data-block=hot-topics] a")
    assert [a["href"] for a in soup.select("[data-block=hot-topics] a")] == hot
    assert hot[1] == "https://example.org/sugar"
    blocks = [td["data-block"] for td in soup.select("[data-block]")]
    assert blocks == [
        "lead",
        "story",
        "quick-hits",
        "story",
        "quick-hits",
        "hot-topics",
        "photo",
        "footer",
    ]


def test_lead_block_in_email(site: Site) -> None:
    lead = email_html(site).select_one("[data-block=lead]")
    img = lead.find("img")
    assert img["src"] == f"{PUBLIC}/images/fixture.jpg"
    assert img["alt"] == "Cane fields under water"
    assert (img["width"], img["height"]) == ("320", "180")  # its real size
    assert "height:auto" in img["style"].replace(" ", "")
    text = lead.get_text(" ", strip=True)
    assert "Cane fields near the river Photo: Lin Wei/CX" in text
    assert "Economy /" in text
    assert "In Depth:" in lead.h2.get_text()
    assert "Subscribers" in lead.h2.get_text()
    summary = lead.find("div")
    links = [a["href"] for a in summary.find_all("a", href=True)]
    # Relative to the story page, or site-root: both made absolute.
    assert links == [f"{PUBLIC}/2026/11/18/policy/", f"{PUBLIC}/tag/sugar/"]
    # The script is gone, so are event handlers and javascript: links.
    assert "alert" not in str(lead)
    assert "onclick" not in str(lead)
    assert "javascript:" not in str(lead)
    inline = summary.find("img")
    assert inline["src"] == f"{PUBLIC}/images/fixture.jpg"
    assert (inline["width"], inline["height"]) == ("320", "180")
    assert "Body text that is not in the digest" not in text
    related = [a["href"] for a in lead.select("td td a, table a") if "Full" in a.text]
    assert related == ["https://example.org/report"]


def test_remote_image_gets_a_sized_box(site: Site) -> None:
    img = email_html(site).find("img", alt="A wire photo")
    assert img["src"] == "https://images.example.org/wire/photo.jpg"
    # Size unknown at build time: 552 wide, 3:2, with height:auto in CSS.
    assert (img["width"], img["height"]) == ("552", "368")
    assert "height:auto" in img["style"].replace(" ", "")


def test_preheader_view_in_browser_and_footer(site: Site) -> None:
    soup = email_html(site)
    preheader = soup.body.find(True).get_text()
    assert preheader.startswith(
        "In Depth: The fall of the delta's last sugar king. Opening paragraph"
    )
    assert "\u200c" in preheader  # zero-width padding after the text
    view = soup.find("a", string="View in browser")
    assert view["href"] == f"{PUBLIC}/{EDITION}"
    footer = soup.select_one("[data-block=footer]")
    text = footer.get_text(" ", strip=True)
    assert "Thanks for reading." in text
    subscribe = footer.find("a", string=re.compile("Subscribe"))
    assert subscribe["href"] == f"{PUBLIC}/subscribe/"
    unsubscribe = footer.find("a", string="Unsubscribe")
    assert unsubscribe["href"] == UNSUBSCRIBE[1]  # the https one is shown
    # No QR code in email: Gmail shows neither inline SVG nor data: images.
    assert soup.find("svg") is None


# -- email.txt --------------------------------------------------------------


def test_text_twin_has_every_headline_and_url(site: Site) -> None:
    text = site.text(EDITION + "email.txt")
    soup = email_html(site)
    flat = " ".join(text.split())
    for heading in soup.select("h2 a, [data-block=quick-hits] a, h1"):
        words = " ".join(heading.get_text(" ").split()).replace(" :", ":")
        words = words.replace(" Subscribers", " [Subscribers]")
        assert words in flat, words
    # Every link of the HTML, except the topic-label links (shown as labels).
    topic_links = {a["href"] for a in soup.select("a.topic-link")}
    urls = {a["href"] for a in soup.find_all("a", href=True)} - topic_links
    lines = text.splitlines()
    for url in urls:
        assert any(url in line for line in lines), f"{url} missing or broken"
    # Headline, related, Quick hits and Hot Topics URLs stand on their own line.
    alone = {line.strip() for line in lines}
    for a in soup.select("h2 a, td.related-item a, td.list-item a"):
        assert a["href"] in alone, a["href"]
    assert "ECONOMY /" in text
    assert "QUICK HITS /" in text
    assert "HOT TOPICS /" in text


def test_text_twin_is_plain_and_wrapped(site: Site) -> None:
    text = site.text(EDITION + "email.txt")
    assert "\r" not in text
    assert text.endswith("\n")
    assert not text.endswith("\n\n")
    assert re.search(r"</?[A-Za-z][A-Za-z0-9]*[\s>/]", text) is None
    assert re.search(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", text, re.IGNORECASE) is None
    assert "alert(" not in text
    for line in text.splitlines():
        assert line == line.rstrip()
        if len(line) > 72:
            # Only a URL that cannot be broken may run past 72 columns.
            token = line.strip().removeprefix("- ")
            assert " " not in token, line
            assert "://" in token, line
    assert "Opening paragraph with a relative link <" in " ".join(text.split())
    assert "[An inline picture]" in text
    assert "A note from the editor, with a link <" in " ".join(text.split())


# -- email.eml --------------------------------------------------------------


def test_eml_parses_and_matches_the_files(site: Site) -> None:
    msg = message(site)
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    text, html = (p.get_content().replace("\r\n", "\n") for p in parts)
    assert text == site.text(EDITION + "email.txt")
    assert html == site.text(EDITION + "email.html")
    for part in parts:
        assert part.get_content_charset() == "utf-8"
        assert part["Content-Transfer-Encoding"] in ("quoted-printable", "base64")


def test_eml_headers(site: Site) -> None:
    msg = message(site)
    web_title = site.html(EDITION).find("main").h1.get_text()
    assert msg["Subject"] == web_title
    assert msg["From"] == SETTINGS["CX_DIGEST_EMAIL_FROM"]
    assert msg["To"] == SETTINGS["CX_DIGEST_EMAIL_TO"]
    assert msg["MIME-Version"] == "1.0"
    sent = parsedate_to_datetime(str(msg["Date"]))
    assert sent.isoformat() == "2026-11-18T10:20:00+08:00"  # the edition stamp
    assert msg["Message-ID"] == "<cx-digest.2026-11-18@daily.cx-newsroom.example>"
    assert " ".join(str(msg["List-Unsubscribe"]).split()) == (
        f"<{UNSUBSCRIBE[0]}>, <{UNSUBSCRIBE[1]}>"
    )
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_eml_is_7bit_with_short_crlf_lines(site: Site) -> None:
    raw = site.path(EDITION + "email.eml").read_bytes()
    raw.decode("ascii")  # every byte is 7-bit: transfer encodings do the rest
    assert b"\r\n" in raw
    assert raw.replace(b"\r\n", b"").find(b"\n") == -1  # no bare LF
    head, body = raw.split(b"\r\n\r\n", 1)
    # RFC 2045: quoted-printable lines are at most 76 characters.
    assert max(len(line) for line in body.split(b"\r\n")) <= 76
    for line in head.split(b"\r\n"):
        # Headers fold at spaces; only one unbreakable token may run longer.
        assert len(line) <= 78 or b" " not in line.strip().split(b": ", 1)[-1]
        assert len(line) < 998
    # Folded values read back without stray spaces.
    msg = message(site)
    for name in ("Subject", "From", "List-Unsubscribe"):
        assert str(msg[name]) == str(msg[name]).strip()


def test_sample_eml_subjects_and_senders(sample_site: Site) -> None:
    subjects = []
    for edition in editions(sample_site):
        msg = message(sample_site, edition)
        assert msg["From"].addresses[0].domain == "daily.cx-newsroom.example"
        title = email_html(sample_site, edition).h1.get_text()
        web_title = sample_site.html(edition).find("main").h1.get_text()
        assert msg["Subject"] == title == web_title
        subjects.append(title)
    assert len(set(subjects)) == len(subjects)


def test_default_sender_and_no_list_headers(build_site: Callable[..., Site]) -> None:
    site = build_site(
        newsroom(),
        CX_DIGEST_EMAIL_FROM="",
        CX_DIGEST_EMAIL_TO="",
        CX_DIGEST_EMAIL_LIST_UNSUBSCRIBE=[],
    )
    msg = message(site)
    assert msg["From"] == "CX Daily <newsletter@daily.cx-newsroom.example>"
    assert msg["To"] is None
    assert msg["List-Unsubscribe"] is None
    assert msg["List-Unsubscribe-Post"] is None
    assert email_html(site).find("a", string="Unsubscribe") is None
    assert "unsubscribe" not in site.text(EDITION + "email.txt").lower()


# -- settings, limits, determinism, themes ---------------------------------


def test_outputs_turn_off_and_move(build_site: Callable[..., Site]) -> None:
    site = build_site(
        newsroom(),
        CX_DIGEST_EMAIL_TEXT=False,
        CX_DIGEST_EMAIL_EML=False,
        CX_DIGEST_EMAIL_HTML_SAVE_AS="mail/{date:%Y-%m-%d}.html",
        CX_DIGEST_EMAIL_LIST_UNSUBSCRIBE=["mailto:leave@daily.cx-newsroom.example"],
    )
    assert site.path("mail/2026-11-18.html").is_file()
    assert not site.path(EDITION + "email.html").exists()
    assert not site.path(EDITION + "email.txt").exists()
    assert not site.path(EDITION + "email.eml").exists()
    soup = BeautifulSoup(site.text("mail/2026-11-18.html"), "html.parser")
    # With only a mailto: address, that is the footer's unsubscribe link.
    link = soup.find("a", string="Unsubscribe")
    assert link["href"] == "mailto:leave@daily.cx-newsroom.example"


def test_oversize_email_warns_with_day_and_size(
    build_site: Callable[..., Site],
) -> None:
    site = build_site(newsroom(), CX_DIGEST_EMAIL_MAX_BYTES=5000)
    size = site.path(EDITION + "email.html").stat().st_size
    warnings = [w for w in site.warnings if "email.html size" in w]
    assert warnings == [
        f"cx_digest: edition 2026-11-18: email.html size '{size} bytes': over "
        "CX_DIGEST_EMAIL_MAX_BYTES (5000); Gmail clips messages over about "
        "102 KB; written anyway"
    ]


@pytest.mark.parametrize(
    "overrides",
    [
        {"FASTBUILD_WORKERS": 1},
        # The edition's three files in two rendering workers.
        {"FASTBUILD_WORKERS": 2},
        # No email.html: the first file written checks the HTML part.
        {"CX_DIGEST_EMAIL_HTML": False},
        {"CX_DIGEST_EMAIL_HTML": False, "CX_DIGEST_EMAIL_TEXT": False},
    ],
)
def test_oversize_email_warns_once_whichever_files_are_written(
    build_site: Callable[..., Site], overrides: dict[str, Any]
) -> None:
    site = build_site(newsroom(), CX_DIGEST_EMAIL_MAX_BYTES=5000, **overrides)
    warnings = [w for w in site.warnings if "email.html size" in w]
    assert len(warnings) == 1
    assert warnings[0].startswith("cx_digest: edition 2026-11-18: email.html size")
    assert site.path(EDITION + "email.eml").is_file()


def test_oversize_email_fails_a_strict_build(build_site: Callable[..., Site]) -> None:
    files = newsroom()
    # Its pasted script is the editor's own (else strict mode stops on it
    # first); the email still cleans its summary.
    files["stories/lead.md"] = files["stories/lead.md"].replace(
        "Category: Economy", "Category: Economy\nHtml: trusted", 1
    )
    with pytest.raises(StrictModeError, match=r"email\.html size") as info:
        build_site(files, CX_DIGEST_EMAIL_MAX_BYTES=5000, CX_DIGEST_STRICT=True)
    assert len(info.value.problems) == 1


def test_email_outputs_are_byte_identical_across_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run_pelican(tmp_path / "one", newsroom(), **SETTINGS)
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    time.tzset()
    try:
        second = run_pelican(tmp_path / "two", newsroom(), **SETTINGS)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    for name in ("email.html", "email.txt", "email.eml"):
        a = first.path(EDITION + name).read_bytes()
        b = second.path(EDITION + name).read_bytes()
        assert a == b, name
    assert b"=_cx-digest-20261118" in first.path(EDITION + "email.eml").read_bytes()
    assert os.environ.get("TZ") is None


def test_theme_overrides_email_templates(
    tmp_path: Path, build_site: Callable[..., Site]
) -> None:
    import shutil

    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    (theme / "templates" / "email").mkdir(parents=True, exist_ok=True)
    (theme / "templates" / "email" / "edition.txt").write_text(
        "Custom twin: {{ edition.title }}\n{{ edition_url }}\n", encoding="utf-8"
    )
    site = build_site(newsroom(), THEME=str(theme))
    text = site.text(EDITION + "email.txt")
    assert text.startswith("Custom twin: CX Daily: The Fall Of")
    assert text.splitlines()[1] == f"{PUBLIC}/{EDITION}"
    # The HTML still comes from the plugin's fallback template.
    assert email_html(site).find("a", string="View in browser") is not None
    part = message(site).get_body(("plain",))
    assert part is not None
    assert part.get_content().replace("\r\n", "\n") == text
