from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cx_digest.text import (
    format_stamp,
    from_root,
    headline_caps,
    is_web_url,
    plain_text,
    root_relative,
    site_url,
    split_label_url,
    summary_from_body,
    xml_safe,
)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("The fall of China's last sugar king", "The Fall Of China's Last Sugar King"),
        ("EV makers cut prices again", "EV Makers Cut Prices Again"),
        ("M&A: banks merge", "M&A: Banks Merge"),
        ("sugar-cane prices rise", "Sugar-Cane Prices Rise"),
        ('"quoted" start', '"Quoted" Start'),
        ("rates at 1.5% (for now)", "Rates At 1.5% (For Now)"),
        ("", ""),
    ],
)
def test_headline_caps(title: str, expected: str) -> None:
    assert headline_caps(title) == expected


def test_format_stamp_is_locale_free() -> None:
    moment = datetime(2021, 7, 29, 10, 20, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert format_stamp(moment, "%b %d, %Y %I:%M %p") == "Jul 29, 2021 10:20 AM"
    evening = moment.replace(hour=22, minute=5)
    assert format_stamp(evening, "%b %d, %Y %I:%M %p") == "Jul 29, 2021 10:05 PM"
    assert format_stamp(moment, "%A %-d %B") == "Thursday 29 July"
    assert format_stamp(moment.replace(hour=0), "%-I %p") == "12 AM"
    assert format_stamp(moment, "100%%") == "100%"


def test_format_stamp_keeps_pelicans_zero_stripping() -> None:
    # "%-M" is not in the table: Pelican's SafeDatetime strips the zero.
    from pelican.utils import SafeDatetime

    moment = SafeDatetime(2021, 7, 29, 10, 5, 7)
    assert format_stamp(moment, "%H:%-M:%S, %-d %b") == "10:5:07, 29 Jul"
    assert format_stamp(moment, "%d/%m %I:%M %p") == "29/07 10:05 AM"


def test_format_stamp_rejects_locale_directives() -> None:
    with pytest.raises(ValueError, match="%c"):
        format_stamp(datetime(2021, 1, 1), "%c")


def test_xml_safe_drops_control_characters_only() -> None:
    assert xml_safe("Wire\x00 copy\x0b\x1f\x7f\x85 é 中文\ttab\nline") == (
        "Wire copy é 中文\ttab\nline"
    )
    assert xml_safe("a\ufffeb\uffffc") == "abc"
    clean = "Nothing to drop here"
    assert xml_safe(clean) is clean  # callers rely on identity to skip writes


@pytest.mark.parametrize("code", range(128))
def test_xml_safe_ascii_path_matches_the_rule(code: int) -> None:
    # ASCII text takes a bytes shortcut; it must drop exactly the characters
    # that non-ASCII text (the regular expression) drops.
    char = chr(code)
    dropped = (code < 0x20 and char not in "\t\n\r") or code == 0x7F
    ascii_text = f"a{char}b"
    other_text = f"é{char}b"
    assert xml_safe(ascii_text) == ("ab" if dropped else ascii_text)
    assert xml_safe(other_text) == ("éb" if dropped else other_text)


def test_root_relative_resolves_against_page() -> None:
    html = (
        '<p><a href="../other/">x</a> <img src="images/a.jpg"> '
        "<a href='/tag/x/'>t</a> <a href=\"https://e.com/\">e</a> "
        '<a href="#note">n</a> <a href="mailto:a@b.c">m</a> '
        '<img src="//cdn.example/x.png"></p>'
    )
    out = root_relative(html, "2026/11/18/story/")
    assert 'href="/2026/11/18/other/"' in out
    assert 'src="/2026/11/18/story/images/a.jpg"' in out
    assert "href='/tag/x/'" in out
    assert 'href="https://e.com/"' in out
    assert 'href="/2026/11/18/story/#note"' in out
    assert 'href="mailto:a@b.c"' in out
    assert 'src="https://cdn.example/x.png"' in out


def test_from_root_prefixes_only_site_root_urls() -> None:
    html = '<a href="/a/">a</a><a href="https://x.org/">b</a><img src="/i.png">'
    assert from_root(html, "https://site.example/") == (
        '<a href="https://site.example/a/">a</a><a href="https://x.org/">b</a>'
        '<img src="https://site.example/i.png">'
    )
    assert from_root(html, "../..") == (
        '<a href="../../a/">a</a><a href="https://x.org/">b</a><img src="../../i.png">'
    )
    assert from_root(html, "") == html


def test_rewrite_escapes_attribute_values() -> None:
    out = from_root('<a href="/a?x=1&amp;y=&quot;2&quot;">a</a>', "https://s.example")
    assert out == '<a href="https://s.example/a?x=1&amp;y=&quot;2&quot;">a</a>'


def test_site_url() -> None:
    assert site_url("tag/x/", "../..") == "../../tag/x/"
    assert site_url("tag/x/", "") == "/tag/x/"
    assert site_url("https://e.org/x", "..") == "https://e.org/x"


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("https://example.org/a", True),
        ("http://example.org", True),
        ("javascript:alert(1)", False),
        ("ftp://example.org/", False),
        ("https://", False),
        ('https://e.org/"onload=', False),
        ("//example.org/x", False),
        ("example.org", False),
    ],
)
def test_is_web_url(value: str, ok: bool) -> None:
    assert is_web_url(value) is ok


def test_split_label_url() -> None:
    assert split_label_url("Full text <https://e.org/a>") == (
        "Full text",
        "https://e.org/a",
    )
    assert split_label_url("no url here") is None
    assert split_label_url("broken <https://e.org") is None


def test_summary_rule_more_marker_then_first_paragraph() -> None:
    body = "<p>One.</p>\n<p>Two.</p>\n<!-- more -->\n<p>Three.</p>"
    assert summary_from_body(body) == "<p>One.</p>\n<p>Two.</p>"
    assert summary_from_body("<h2>x</h2><p>First.</p><p>Second.</p>") == (
        "<p>First.</p>"
    )
    assert summary_from_body("just text") == "just text"


def test_plain_text() -> None:
    assert plain_text("<p>A &amp; B</p>\n<p>c</p>") == "A & B c"
