"""Email edition helpers: settings, sizes, plain text, fragments, headers."""

from __future__ import annotations

import email
import email.header
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from cx_digest import settings as settings_module
from cx_digest.emailout import (
    display_size,
    email_fragment,
    email_html,
    inline_css,
    preheader,
)
from cx_digest.mailtext import html_to_text, summary_texts, wrap
from cx_digest.markup import clean, plain_text
from cx_digest.mime import MAIL_POLICY, fold_header, message
from cx_digest.model import Edition
from cx_digest.settings.outputs import EmailSettings
from support import make_story

PUBLIC = "https://news.example.com"
DEFAULT_TEXT_SAVE_AS = settings_module.DEFAULTS["CX_DIGEST_EMAIL_TEXT_SAVE_AS"]


def email_settings(**overrides: Any) -> EmailSettings:
    digest = settings_module.load({"CX_DIGEST_PUBLIC_URL": PUBLIC, **overrides})
    return digest.email


def edition(lead_summary: str = "<p>Short summary.</p>", **kw: Any) -> Edition:
    lead = make_story("lead", title="Lead headline", summary=lead_summary, **kw)
    return Edition(
        day=lead.date.date(),
        stamp=lead.date,
        title="CX Daily: Lead Headline",
        url="digest/2026/11/18/",
        save_as="digest/2026/11/18/index.html",
        lead=lead,
        sections=(),
        hot_topics=(),
        photos=(),
    )


# -- settings ----------------------------------------------------------------


def test_defaults() -> None:
    cfg = email_settings()
    assert (cfg.html, cfg.text, cfg.eml) == (True, True, True)
    assert cfg.sender == "CX Daily <newsletter@news.example.com>"
    assert cfg.to == ""
    assert cfg.list_unsubscribe == ()
    assert cfg.unsubscribe_url == ""
    assert cfg.max_bytes == settings_module.DEFAULTS["CX_DIGEST_EMAIL_MAX_BYTES"]
    assert cfg.html_save_as.format(date=edition().day) == (
        "digest/2026/11/18/email.html"
    )


def test_unsubscribe_url_prefers_https() -> None:
    cfg = email_settings(
        CX_DIGEST_EMAIL_LIST_UNSUBSCRIBE=[
            "mailto:leave@news.example.com",
            "https://news.example.com/leave/",
        ]
    )
    assert cfg.unsubscribe_url == "https://news.example.com/leave/"
    only_mail = email_settings(
        CX_DIGEST_EMAIL_LIST_UNSUBSCRIBE="mailto:leave@news.example.com"
    )
    assert only_mail.list_unsubscribe == ("mailto:leave@news.example.com",)
    assert only_mail.unsubscribe_url == "mailto:leave@news.example.com"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("CX_DIGEST_EMAIL_FROM", "not an address"),
        ("CX_DIGEST_EMAIL_FROM", "News <news@example.com>\nBcc: x@y.example"),
        ("CX_DIGEST_EMAIL_TO", "readers"),
        ("CX_DIGEST_EMAIL_LIST_UNSUBSCRIBE", ["ftp://example.com/leave"]),
        ("CX_DIGEST_EMAIL_LIST_UNSUBSCRIBE", ["https://example.com/a b"]),
        ("CX_DIGEST_EMAIL_LIST_UNSUBSCRIBE", [42]),
        ("CX_DIGEST_EMAIL_MAX_BYTES", -1),
        ("CX_DIGEST_EMAIL_HTML", "yes"),
        ("CX_DIGEST_EMAIL_TEXT_SAVE_AS", ""),
        ("CX_DIGEST_EMAIL_EML_SAVE_AS", "digest/{day}/email.eml"),
        (
            "CX_DIGEST_EMAIL_EML_SAVE_AS",
            "digest/{date:%Y}/{date:%m}/{date:%d}/email.txt",
        ),
    ],
)
def test_bad_settings_name_the_key(key: str, value: Any) -> None:
    with pytest.raises(settings_module.SettingsError) as info:
        email_settings(**{key: value})
    assert "CX_DIGEST_EMAIL_" in str(info.value)
    if "SAVE_AS" not in key or "{day}" in str(value):
        assert key in str(info.value)


def test_an_output_turned_off_needs_no_path() -> None:
    cfg = email_settings(CX_DIGEST_EMAIL_TEXT=False, CX_DIGEST_EMAIL_TEXT_SAVE_AS="")
    assert cfg.text is False
    assert cfg.enabled


# -- images ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        ((320, 180), (320, 180)),  # small images keep their size
        ((1200, 800), (552, 368)),  # large ones fit the 552 px column
        ((1600, 900), (552, 310)),
        ((None, None), (552, 368)),  # unknown (remote): 3:2 box
    ],
)
def test_display_size(size: tuple[Any, Any], shown: tuple[int, int]) -> None:
    assert display_size(*size) == shown


# -- fragments ---------------------------------------------------------------


def test_email_fragments_are_clean_absolute_and_sized() -> None:
    sizes = {"images/a.jpg": (1104, 736)}
    cleaned = clean(
        '<p onclick="x()">Hi <a href="../other/">rel</a> <a href="/tag/t/">root</a>'
        ' <a href="javascript:alert(1)">js</a> <a href="#top">frag</a></p>'
        '<script>alert(1)</script><iframe src="https://x.example"></iframe>'
        '<img src="/images/a.jpg"><img src="https://cdn.example/b.png" alt="B">'
        "<video><p>Fallback text</p></video>",
        f"{PUBLIC}/2026/11/18/story/",
    )
    fragment = email_fragment(cleaned, PUBLIC, sizes.get)
    out = fragment.html
    soup = BeautifulSoup(out, "html.parser")
    assert soup.find(["script", "iframe", "video"]) is None
    assert "onclick" not in out
    assert [a.get("href") for a in soup.find_all("a")] == [
        f"{PUBLIC}/2026/11/18/other/",
        f"{PUBLIC}/tag/t/",
        None,
        f"{PUBLIC}/2026/11/18/story/#top",
    ]
    local, remote = soup.find_all("img")
    assert (local["src"], local["width"], local["height"], local["alt"]) == (
        f"{PUBLIC}/images/a.jpg",
        "552",
        "368",
        "",
    )
    assert (remote["width"], remote["height"], remote["alt"]) == ("552", "368", "B")
    assert "Fallback text" in soup.get_text()
    # Its text twin, from the same parse: what html_to_text makes of the HTML.
    assert fragment.text == html_to_text(out)
    assert f"rel <{PUBLIC}/2026/11/18/other/>" in fragment.text


SUMMARIES = [
    "",
    "<p>Plain words.</p>",
    '<p>See <a href="https://x.example/a">the chart</a> &amp; <b>more</b>.</p>',
    '<p>Before <img src="https://x.example/i.png" alt="An image"> after</p>',
    "<ul><li>One</li><li>Two <em>items</em></li></ul><p>Then text</p>",
    "<p>" + "long words " * 20 + "</p>",
]


@pytest.mark.parametrize("fragment", SUMMARIES)
def test_a_summarys_two_texts_come_from_one_parse(fragment: str) -> None:
    """What a story keeps: the line of plain_text and the email's text twin."""
    assert summary_texts(fragment) == (plain_text(fragment), html_to_text(fragment))


@pytest.mark.parametrize("fragment", SUMMARIES)
def test_a_summarys_email_html_is_the_sized_fragment(fragment: str) -> None:
    sizes = {"i.png": (1104, 736)}.get
    made = email_html(fragment, "https://x.example", sizes)
    assert made == email_fragment(fragment, "https://x.example", sizes).html
    if "<img" in fragment:
        assert 'width="552" height="368"' in made


# -- plain text ----------------------------------------------------------------


def test_wrap_never_breaks_a_url() -> None:
    url = "https://news.example.com/" + "very-long-path/" * 6
    text = wrap(f"Read the full report on the levee repairs at {url} today", 40)
    lines = text.splitlines()
    assert url in lines
    assert all(len(line) <= 40 for line in lines if line != url)


_WORDS = st.lists(
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=30),
    max_size=40,
).map(lambda parts: " \t\n".join(parts))


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(
    text=_WORDS,
    width=st.integers(1, 90),
    indent=st.sampled_from(["", "- ", "  ", "    "]),
    rest=st.sampled_from([None, "", "  "]),
)
def test_wrap_fills_greedily_keeping_every_word_whole(
    text: str, width: int, indent: str, rest: str | None
) -> None:
    words = text.split()
    made = wrap(text, width, indent, rest)
    if not words:
        assert made == ""
        return
    lines = made.split("\n")
    prefixes = [indent] + [indent if rest is None else rest] * (len(lines) - 1)
    bodies = []
    for line, prefix in zip(lines, prefixes, strict=True):
        assert line.startswith(prefix)
        body = line[len(prefix) :]
        assert "" not in body.split(" ")  # one space between words, none around
        # At most the width, unless the line is one word too long for it.
        assert len(line) <= width or " " not in body
        bodies.append(body.split(" "))
    # Every word, in order, each whole: nothing broken, lost or added.
    assert [w for body in bodies for w in body] == words
    # Greedy: the next line's first word would not have fitted on this one.
    for n in range(len(lines) - 1):
        assert len(lines[n]) + 1 + len(bodies[n + 1][0]) > width


def test_html_to_text_paragraphs_links_lists_images() -> None:
    text = html_to_text(
        '<p>First <em>paragraph</em> with <a href="https://x.example/a">a link</a>.'
        "</p><p>Second<br>line</p>"
        '<ul><li>One</li><li>Two <a href="https://x.example/b">https://x.example/b</a>'
        '</li></ul><p><img src="https://x.example/i.png" alt="A chart"></p>'
        "<script>bad()</script>",
        width=72,
    )
    assert text == (
        "First paragraph with a link <https://x.example/a>.\n\n"
        "Second\nline\n\n"
        "- One\n- Two <https://x.example/b>\n\n"
        "[A chart]"
    )


def test_html_to_text_loose_list_items_stay_one_line_each() -> None:
    text = html_to_text("<p>Intro</p><ol><li><p>One</p></li><li><p>Two</p></li></ol>")
    assert text == "Intro\n\n- One\n- Two"


def test_html_to_text_wraps_list_items_with_a_hanging_indent() -> None:
    text = html_to_text("<ul><li>" + "word " * 30 + "</li></ul>", width=30)
    lines = text.splitlines()
    assert lines[0].startswith("- word")
    assert all(line.startswith("  word") for line in lines[1:])
    assert all(len(line) <= 30 for line in lines)


def test_html_to_text_unescapes_entities() -> None:
    assert html_to_text("<p>Profits &amp; losses &lt;3 &#8212; up</p>") == (
        "Profits & losses <3 — up"
    )


# -- preheader -----------------------------------------------------------------


def test_preheader_is_headline_and_summary_start() -> None:
    assert preheader(edition()) == "Lead headline. Short summary."
    long = edition("<p>" + "Growth slowed in the third quarter again. " * 10 + "</p>")
    text = preheader(long)
    assert text.startswith("Lead headline. Growth slowed")
    assert text.endswith("…")
    assert len(text) <= 141
    assert " " not in text[-2:]


def test_preheader_keeps_the_headline_punctuation() -> None:
    lead = edition("<p>Wait... and see.</p>")
    assert lead.lead is not None
    asked = replace(lead, lead=replace(lead.lead, title="Why now?"))
    assert preheader(asked) == "Why now? Wait... and see."


def test_preheader_with_a_kicker_and_no_summary() -> None:
    assert preheader(edition("", kicker="In Depth")) == "In Depth: Lead headline"


# -- headers and CSS ------------------------------------------------------------


def test_fold_header_folds_at_spaces_and_reads_back() -> None:
    subject = (
        "CX Daily: New Export Rules Cut Chipmakers Off From Advanced Etching Tools"
    )
    folded = fold_header("Subject", subject)
    assert folded == (
        "Subject: CX Daily: New Export Rules Cut Chipmakers Off From Advanced Etching"
        "\r\n Tools\r\n"
    )
    msg = EmailMessage(policy=MAIL_POLICY)
    msg["Subject"] = subject
    msg["From"] = "Café Daily <news@example.com>"
    msg.set_content("body")
    parsed = email.message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert parsed["Subject"] == subject
    assert parsed["From"] == "Café Daily <news@example.com>"  # RFC 2047 by Python


def test_the_folding_bug_the_policy_works_around() -> None:
    """Python's own SMTP policy moves this Subject to a continuation line and
    reads it back with a leading space; when that is fixed, MailPolicy's
    override can go."""
    subject = (
        "CX Daily: New Export Rules Cut Chipmakers Off From Advanced Etching Tools"
    )
    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = subject
    msg.set_content("body")
    parsed = email.message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert parsed["Subject"] == " " + subject


def test_inline_css_inlines_rules_and_keeps_only_media() -> None:
    out = inline_css(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>t</title><style>"
        ".a { color: #a6192e; } td p { margin: 0; }"
        "@media screen and (max-width: 620px) { .a { color: red !important; } }"
        "</style></head><body><table><tr><td><p class='a'>x</p></td></tr></table>"
        "</body></html>"
    )
    soup = BeautifulSoup(out, "html.parser")
    p = soup.find("p")
    assert "color:#a6192e" in p["style"].replace(" ", "")
    assert "margin:0" in p["style"].replace(" ", "")
    styles = soup.find_all("style")
    assert len(styles) == 1
    assert styles[0].get_text().strip().startswith("@media")
    assert ".a { color: #a6192e; }" not in out
    assert soup.head.find(True).name == "meta"  # charset stays first


# -- the .eml message ----------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "overrides"),
    [
        ("CX Daily: Plain Title", {}),
        (
            "CX Daily: A Very Long Edition Title That Has To Be Folded Across"
            " Two Header Lines For Sure",
            {
                "CX_DIGEST_EMAIL_TO": "Readers <readers@example.com>",
                "CX_DIGEST_EMAIL_LIST_UNSUBSCRIBE": [
                    "mailto:leave@example.com?subject=leave",
                    "https://news.example.com/unsubscribe/",
                ],
            },
        ),
        ("CX Daily: Café — Non-ASCII", {"CX_DIGEST_EMAIL_FROM": "Café <c@x.example>"}),
        ("CX Daily:  double  spaces", {}),
        (
            "CX Daily: mailto only",
            {"CX_DIGEST_EMAIL_LIST_UNSUBSCRIBE": "mailto:a@b.cd"},
        ),
    ],
)
def test_message_reads_back_as_written(title: str, overrides: dict[str, Any]) -> None:
    digest = settings_module.load({"CX_DIGEST_PUBLIC_URL": PUBLIC, **overrides})
    text = "Headline\n\n" + "Words = more words, café — " * 20 + "\nend \n"
    html = '<!DOCTYPE html><html><body><p style="a:b">' + "x=y " * 50 + "</p>\n"
    for hours in (0, 9, -5):
        when = datetime(2026, 11, 18, 7, 5, tzinfo=timezone(timedelta(hours=hours)))
        one = replace(edition(), title=title, stamp=when)
        eml = message(digest.email, digest.host, one, text, html)
        raw = eml.encode("ascii")
        assert all(len(line) <= 78 for line in raw.split(b"\r\n"))
        assert b"\n" not in raw.replace(b"\r\n", b"")
        parsed = email.message_from_bytes(raw, policy=policy.default)
        assert parsed["Subject"] == title
        assert parsed["From"] == digest.email.sender
        assert parsed["Message-ID"] == f"<cx-digest.{one.day}@news.example.com>"
        assert parsed.get_content_type() == "multipart/alternative"
        plain, rich = parsed.iter_parts()
        # CRLF on the wire; the text itself comes back as written.
        assert plain.get_content().replace("\r\n", "\n") == text
        assert rich.get_content().replace("\r\n", "\n") == html
        assert plain["Content-Transfer-Encoding"] == "quoted-printable"
        assert "MIME-Version" not in plain
        # the same bytes on every build
        assert message(digest.email, digest.host, one, text, html) == eml


def test_an_edition_is_kept_by_its_day_and_url_without_hashing_its_stories() -> None:
    """The email's parts are kept by edition: equal editions are one key,
    and the key is made without going through every story."""
    one, same = edition(), edition()
    assert one == same
    assert hash(one) == hash(same)
    many = replace(one, all_stories=tuple(make_story(f"s{n}") for n in range(50)))

    class Unhashable:
        __hash__ = None  # type: ignore[assignment]

    # A value hashing would refuse, deep in a story: never reached.
    odd = replace(many, lead=replace(many.lead, image=Unhashable()))  # type: ignore[arg-type]
    assert hash(odd) == hash(one)
    assert {one: "parts"}[same] == "parts"


@pytest.mark.parametrize(
    "title",
    [
        "Literal =?utf-8?b?SGFja2Vk?= In Title",
        "CX Daily: 降息 =?x?q?y?= and a long long long long long long long long tail",
    ],
)
def test_a_subject_that_reads_like_an_encoded_word_arrives_as_written(
    title: str,
) -> None:
    """Mail clients decode ``=?charset?b?...?=`` in a header: typed in a
    headline, it would show something else than the page's title."""
    edition_ = replace(edition(), title=title)
    eml = message(email_settings(), "news.example.com", edition_, "Text.", "<p>H</p>")
    raw = eml.encode("ascii")
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert max(len(line) for line in head.split(b"\r\n")) <= 78
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert str(parsed["Subject"]) == title
    legacy = email.message_from_bytes(raw)["Subject"]
    decoded = email.header.make_header(email.header.decode_header(legacy))
    assert str(decoded) == title


def test_an_encoded_sender_name_keeps_its_address() -> None:
    """Only the subject is written as encoded words of itself: a sender
    given with an RFC 2047 display name stays a name and an address."""
    settings = replace(
        email_settings(), sender="=?utf-8?q?Caf=C3=A9?= <news@example.com>"
    )
    eml = message(settings, "news.example.com", edition(), "Text.", "<p>H</p>")
    parsed = email.message_from_bytes(eml.encode("ascii"), policy=policy.default)
    (address,) = parsed["From"].addresses
    assert (address.display_name, address.addr_spec) == ("Café", "news@example.com")
