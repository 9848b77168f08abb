"""Email edition helpers: settings, sizes, plain text, fragments, headers."""

from __future__ import annotations

import email
import random
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from email import policy, quoprimime
from email.message import EmailMessage
from types import SimpleNamespace
from typing import Any

import pytest
from bs4 import BeautifulSoup

from cx_digest import settings as settings_module
from cx_digest.emailout import (
    MAIL_POLICY,
    EmailRenderer,
    EmailSettings,
    _fast_parse,
    _fill_text,
    _soup_clean_fragment,
    _soup_text_marks,
    _textwrap_fill,
    clean_fragment,
    display_size,
    fold_header,
    html_to_text,
    inline_css,
    load,
    preheader,
    qp_text,
    wrap,
)
from cx_digest.model import Edition
from support import make_story

PUBLIC = "https://news.example.com"
DEFAULT_TEXT_SAVE_AS = settings_module.DEFAULTS["CX_DIGEST_EMAIL_TEXT_SAVE_AS"]


def email_settings(**overrides: Any) -> EmailSettings:
    digest = settings_module.load({"CX_DIGEST_PUBLIC_URL": PUBLIC, **overrides})
    return load(digest)


def edition(lead_summary: str = "<p>Short summary.</p>", **kw: Any) -> Edition:
    lead = make_story("lead", title="Lead headline", summary_html=lead_summary, **kw)
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
    assert cfg.max_bytes == 100_000
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


def test_clean_fragment_makes_email_safe_absolute_html() -> None:
    sizes = {"/images/a.jpg": (1104, 736)}
    out = clean_fragment(
        '<p onclick="x()">Hi <a href="../other/">rel</a> <a href="/tag/t/">root</a>'
        ' <a href="javascript:alert(1)">js</a> <a href="#top">frag</a></p>'
        '<script>alert(1)</script><iframe src="https://x.example"></iframe>'
        '<img src="/images/a.jpg"><img src="https://cdn.example/b.png" alt="B">'
        "<video><p>Fallback text</p></video>",
        base=f"{PUBLIC}/2026/11/18/story/",
        public_url=PUBLIC,
        size_of=sizes.get,
    )
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


# -- plain text ----------------------------------------------------------------


def test_wrap_never_breaks_a_url() -> None:
    url = "https://news.example.com/" + "very-long-path/" * 6
    text = wrap(f"Read the full report on the levee repairs at {url} today", 40)
    lines = text.splitlines()
    assert url in lines
    assert all(len(line) <= 40 for line in lines if line != url)


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


# -- fast paths: the same output as the slow ones ------------------------------

# Regular Markdown output: handled without BeautifulSoup.
REGULAR_FRAGMENTS = [
    "<p>Plain summary.</p>",
    "<p>Summary of a story.</p>\n<p>Second paragraph.</p>",
    "<p>Profits &amp; losses &lt;3 &gt; 2 &quot;quoted&quot; it&#39;s&nbsp;here</p>",
    '<p>See <a href="../other/">the other story</a> and <a href="/tag/t/">a tag'
    '</a>, <a href="https://x.example/a?b=1&amp;c=2">x</a> <a href="#top">top</a>'
    ' <a href="https://x.example/u">https://x.example/u</a> <a href="">empty</a>'
    "</p>",
    '<p><a href="javascript:alert(1)">js</a> <a href="data:text/html,x">d</a></p>',
    "<p><em>Em</em> <strong>strong</strong> <b>b</b> <i>i</i> <code>x &lt; y"
    '</code> x<sup>2</sup> H<sub>2</sub>O <span class="k">span</span> <del>d'
    "</del></p>",
    "<p>Line one<br>line two<br/>line three<br />end</p>",
    '<ul>\n<li>One</li>\n<li>Two <a href="https://x.example/b">link</a></li>\n</ul>',
    "<p>Intro</p>\n<ol>\n<li>\n<p>Loose one</p>\n</li>\n<li>\n<p>Loose two</p>"
    "\n<ul><li>Nested</li></ul>\n</li>\n</ol>",
    "<blockquote>\n<p>Quoted words.</p>\n</blockquote>\n<h2>Heading</h2>"
    '<h3 id="x">Sub</h3><h6>Six</h6><hr><pre><code>code\n  block</code></pre>',
    '<p><img alt="A chart" src="/images/a.jpg"> <img src="https://cdn.example/b.png">'
    ' <img alt="" src="pic.png" width="100" height="50"> <img alt="  " src="/x.png"'
    "/></p>",
    '<p><a href="/2026/11/18/x/"><img alt="Linked" src="/images/a.jpg"> caption'
    "</a></p>",
    '<p><a href="https://x.example/"><em>Nested</em>words <strong>here</strong>'
    "</a></p>",
    '<p class="lead">Classed</p><p title="T &amp; &lt;b&gt;">Titled</p>',
    "<ul><li>" + "word " * 40 + "</li></ul><p>" + "long " * 50 + "</p>",
    "   <p>Whitespace around</p>   \n",
    "Bare text with no tags &amp; an entity",
    "",
    "<p>Unicode: café – “quotes” — 北京 \u00a0nbsp</p>",
]

# Anything unusual goes to BeautifulSoup.
UNUSUAL_FRAGMENTS = [
    "<p>Script<script>alert(1)</script></p>",
    "<p>Style<style>p{}</style></p>",
    '<p>Frame <iframe src="https://x.example"></iframe></p>',
    '<form action="/x"><input name="q"></form>',
    "<svg><circle r='1'/></svg><p>after</p>",
    '<p onclick="x()">Handler</p>',
    '<p><a href="x" onmouseover="y()">link</a></p>',
    "<p>Comment <!-- hidden --> here</p>",
    "<p>Entity &copy; &#8212; &#150; &foo; &amp</p>",
    "<p>Unclosed <em>emphasis</p>",
    "<p>Stray < sign</p>",
    "<P>Upper case</P>",
    "<p class=unquoted>x</p>",
    "<p class='single'>x</p>",
    '<p class="a  b">double space</p>',
    '<img srcset="a.png 2x" src="a.png" loading="lazy">',
    "<img alt='no src'>",
    "<div><p>div</p></div><table><tr><td>cell</td></tr></table>",
    "<video><p>Fallback text</p></video><noscript>ns</noscript>",
    '<p><a href="https://x.example/">one</a></p></p>',
]


# Parsed by the fast path; its text twin falls back (a link in a link) or
# must keep BeautifulSoup's whitespace rules.
EDGE_FRAGMENTS = [
    '<a href="https://x.example/"><a href="https://y.example/">nested</a></a>',
    "<p>  <em>a</em>   <em>b</em>\t</p>\n\n<pre>  <code> </code>\n</pre> \r\n",
]


@pytest.mark.parametrize(
    "fragment", REGULAR_FRAGMENTS + UNUSUAL_FRAGMENTS + EDGE_FRAGMENTS
)
def test_fast_and_soup_fragments_give_the_same_output(fragment: str) -> None:
    sizes = {"/images/a.jpg": (1104, 736), "/x.png": (300, 200)}
    args = (f"{PUBLIC}/2026/11/18/story/", PUBLIC, sizes.get)
    cleaned = clean_fragment(fragment, *args)
    assert cleaned == _soup_clean_fragment(fragment, *args)
    for html in (fragment, cleaned):
        for width, indent in ((72, ""), (30, "  ")):
            expected = _fill_text(_soup_text_marks(html), width, indent)
            assert html_to_text(html, width, indent) == expected


@pytest.mark.parametrize("fragment", REGULAR_FRAGMENTS)
def test_regular_fragments_take_the_fast_path(fragment: str) -> None:
    assert _fast_parse(fragment) is not None


@pytest.mark.parametrize("fragment", UNUSUAL_FRAGMENTS)
def test_unusual_fragments_fall_back_to_beautifulsoup(fragment: str) -> None:
    assert _fast_parse(fragment) is None


def test_wrap_matches_textwrap() -> None:
    rng = random.Random(7)
    pieces = ["a", "to", "word", "levee", "https://x.example/" + "p" * 80, "—", "é"]
    for _ in range(400):
        text = (" " * rng.randint(0, 2)).join(
            rng.choice(pieces) + rng.choice(["", " ", "  ", "\t", "\n", "\u00a0"])
            for _ in range(rng.randint(0, 40))
        )
        width = rng.choice([10, 30, 72])
        indent, rest = rng.choice([("", ""), ("- ", "  "), ("    ", "")])
        assert wrap(text, width, indent, rest) == _textwrap_fill(
            text, width, indent, rest
        )
    assert wrap("word " * 5, 2, "  ") == _textwrap_fill("word " * 5, 2, "  ", "  ")


def _email_package_qp(text: str) -> str:
    lines = text.encode("utf-8").splitlines()
    body = (b"\n".join(lines) + b"\n").decode("latin-1")
    return quoprimime.body_encode(body, 78)


def test_qp_text_matches_the_email_package() -> None:
    rng = random.Random(11)
    alphabet = "aZ09 =\t\n\r.<>\"'&é—€\u034f\u200c\x0b\x0c\x1c\x85\x7f\x00"
    texts = ["", "\n", "x", "ends with space ", "ends with tab\t", "=" * 200]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400)))]
    for _ in range(300):
        line_length = rng.choice([70, 74, 75, 76, 77, 78, 79, 150])
        texts.append(
            "\n".join(
                "".join(rng.choice(alphabet[:9]) for _ in range(line_length))
                for _ in range(3)
            )
        )
    for text in texts:
        assert qp_text(text) == _email_package_qp(text), repr(text)


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
        ("CX Daily: =?utf-8?q?looks_encoded?=", {}),
        ("CX Daily:  double  spaces", {}),
        (
            "CX Daily: mailto only",
            {"CX_DIGEST_EMAIL_LIST_UNSUBSCRIBE": "mailto:a@b.cd"},
        ),
    ],
)
def test_message_matches_the_email_package(
    title: str, overrides: dict[str, Any]
) -> None:
    digest = settings_module.load({"CX_DIGEST_PUBLIC_URL": PUBLIC, **overrides})
    renderer = EmailRenderer(SimpleNamespace(digest=digest), load(digest))  # type: ignore[arg-type]
    text = "Headline\n\n" + "Words = more words, café — " * 20 + "\nend \n"
    html = '<!DOCTYPE html><html><body><p style="a:b">' + "x=y " * 50 + "</p>\n"
    for hours in (0, 9, -5):
        base = replace(edition(), title=title)
        when = datetime(2026, 11, 18, 7, 5, tzinfo=timezone(timedelta(hours=hours)))
        one = replace(base, stamp=when)
        assert renderer.message(one, text, html) == (
            renderer.message_by_email_package(one, text, html)
        )
