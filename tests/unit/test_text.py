from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from markupsafe import Markup, escape

from cx_digest.text import (
    format_stamp,
    headline_caps,
    is_web_url,
    join_url,
    split_label_url,
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


def test_xml_safe_drops_control_characters_only() -> None:
    assert xml_safe("Wire\x00 copy\x0b\x1f\x7f\x85 é 中文\ttab\nline") == (
        "Wire copy é 中文\ttab\nline"
    )
    assert xml_safe("a\ufffeb\uffffc") == "abc"
    assert xml_safe("Nothing to drop here") == "Nothing to drop here"


def test_join_url() -> None:
    assert join_url("../..", "tag/x/") == "../../tag/x/"
    assert join_url("", "tag/x/") == "/tag/x/"
    assert join_url("..", "https://e.org/x") == "https://e.org/x"
    assert join_url("https://s.example/", "/a b/中/") == (
        "https://s.example/a%20b/%E4%B8%AD/"
    )
    assert join_url("https://s.example", "x/?q=1&r=%20#f") == (
        "https://s.example/x/?q=1&r=%20#f"
    )
    assert join_url("..", "#note") == "#note"


def test_a_kept_link_is_the_same_question_only_for_the_same_types() -> None:
    """join_url keeps its answers: an equal Markup path returns its own
    type (Markup is not escaped by ``|e``; a str must stay a str)."""
    url = "https://e.org/<b>"
    assert type(join_url("..", url)) is str
    marked = join_url("..", Markup(url))
    assert type(marked) is Markup
    assert type(join_url("..", url)) is str  # asked again, after the Markup
    assert str(escape(join_url("..", url))) == "https://e.org/&lt;b&gt;"


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
