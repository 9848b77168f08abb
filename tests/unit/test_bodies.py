"""The story-body policy: what a story's own page may show of its body."""

from __future__ import annotations

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cx_digest.bodies import POLICY_KEY, REMOVED_KEY, BodyPolicy, Cleaned, story_trust
from cx_digest.settings import DEFAULTS
from hostile import ATTACKS, hostile_element, hostile_url, live_parts

HOSTS = DEFAULTS["CX_DIGEST_EMBED_HOSTS"]
POLICY = BodyPolicy(False, HOSTS)


def page_live(fragment: str) -> list[str]:
    return live_parts(fragment, embed_hosts=HOSTS)


@pytest.mark.parametrize("attack", ATTACKS)
def test_known_attacks_leave_nothing_live(attack: str) -> None:
    cleaned = POLICY.clean(f"<p>Before.</p>{attack}<p>After.</p>")
    assert page_live(cleaned.html) == [], cleaned.html
    assert "After." in cleaned.html


@settings(max_examples=300, deadline=None)
@given(st.lists(hostile_element(), min_size=1, max_size=4))
def test_generated_markup_leaves_nothing_live(parts: list[str]) -> None:
    cleaned = POLICY.clean("".join(parts))
    assert page_live(cleaned.html) == [], cleaned.html


@settings(max_examples=200, deadline=None)
@given(hostile_url(), st.sampled_from(["a href", "img src", "video poster"]))
def test_hostile_urls_are_dropped_and_reported(url: str, where: str) -> None:
    tag, attribute = where.split()
    cleaned = POLICY.clean(f'<{tag} {attribute}="{url}">x</{tag}>')
    assert page_live(cleaned.html) == [], cleaned.html
    # Dropped and reported, or (a NUL inside: no scheme left) a relative URL.
    dropped = f"{attribute}=" not in cleaned.html
    assert dropped == ("URL" in cleaned.removed), (cleaned.html, cleaned.removed)


EMBEDS = [
    '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ" title="Floods: the '
    'levee at dawn" width="560" height="315" allow="accelerometer; autoplay; '
    'encrypted-media; picture-in-picture" referrerpolicy="strict-origin-when-'
    'cross-origin" allowfullscreen="" loading="lazy"></iframe>',
    '<iframe src="https://www.youtube-nocookie.com/embed/abc" title="Clip" '
    'loading="lazy"></iframe>',
    '<iframe src="https://player.vimeo.com/video/76979871?h=8272103f6e" '
    'width="640" height="360" allow="autoplay; fullscreen; picture-in-picture" '
    'allowfullscreen="" title="Rice harvest" loading="lazy"></iframe>',
    '<iframe title="Rice futures, 2020 to 2026" aria-label="Line chart" '
    'id="datawrapper-chart-AbC12" src="https://datawrapper.dwcdn.net/AbC12/3/" '
    'style="width:0;min-width:100%;border:none" height="400" loading="lazy">'
    "</iframe>",
    '<iframe src="https://flo.uri.sh/visualisation/123456/embed" title="Chart" '
    'class="flourish-embed-iframe" style="width:100%;height:600px" '
    'sandbox="allow-same-origin allow-forms allow-scripts allow-downloads '
    "allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-"
    'activation" loading="lazy"></iframe>',
    '<iframe width="425" height="350" src="https://www.openstreetmap.org/export/'
    'embed.html?bbox=121.4%2C31.2%2C121.5%2C31.3&amp;layer=mapnik" '
    'title="Map of the flooded district" loading="lazy"></iframe>',
    '<figure><video controls="" preload="metadata" width="640" '
    'poster="https://cdn.example/p.jpg"><source src="https://cdn.example/v.mp4" '
    'type="video/mp4"><track src="/subs/en.vtt" kind="captions" srclang="en" '
    'label="English"></video><figcaption>The levee.</figcaption></figure>',
    '<audio controls="" src="https://cdn.example/briefing.mp3"></audio>',
]


@pytest.mark.parametrize("embed", EMBEDS)
def test_allowed_embeds_survive_byte_for_byte(embed: str) -> None:
    body = f"<p>Watch:</p>\n{embed}\n<p>More.</p>"
    cleaned = POLICY.clean(body)
    assert cleaned.html == body
    assert cleaned.removed == ""


def test_an_embed_gets_a_title_and_lazy_loading() -> None:
    cleaned = POLICY.clean(
        '<iframe width="560" height="315" src="https://www.youtube.com/embed/x" '
        'frameborder="0" loading="eager" allowfullscreen></iframe>'
    )
    assert cleaned.html == (
        '<iframe width="560" height="315" src="https://www.youtube.com/embed/x" '
        'loading="lazy" allowfullscreen="" '
        'title="Embedded content from www.youtube.com"></iframe>'
    )
    # frameborder is obsolete HTML: dropped without a warning.
    assert cleaned.removed == ""


@pytest.mark.parametrize(
    "src",
    [
        "https://evil.example/embed",
        "http://www.youtube.com/embed/x",  # https only
        "//www.youtube.com/embed/x",
        "https://youtube.com.evil.example/x",
        "https://notyoutube.com/x",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "",
    ],
)
def test_frames_from_other_hosts_are_removed_whole(src: str) -> None:
    cleaned = POLICY.clean(f'<p>a</p><iframe src="{src}" title="t"></iframe><p>b</p>')
    assert "iframe" not in cleaned.html
    assert cleaned.html == "<p>a</p><p>b</p>"
    assert "1 iframe " in cleaned.removed


def test_the_report_names_what_was_removed() -> None:
    body = (
        '<p onclick="a()">Wire <img src="x.jpg" onerror="b()"></p>'
        '<meta http-equiv="refresh" content="0;url=https://evil.example">'
        "<script>alert(1)</script>"
        '<iframe src="https://evil.example/x"></iframe>'
        '<a href="jav&#x09;ascript:alert(1)">j</a>'
    )
    cleaned = POLICY.clean(body)
    assert cleaned.removed == (
        "<meta http-equiv>, <script>, 2 event handlers, "
        "1 iframe from evil.example, 1 javascript: URL"
    )
    assert cleaned.html == '<p>Wire <img src="x.jpg" alt=""></p><a>j</a>'


def test_other_removals_are_named() -> None:
    cleaned = POLICY.clean(
        '<form action="/x"><input name="q"><button>Go</button></form>'
        '<base href="https://evil.example/"><embed src="x.swf">'
        '<img src="a.jpg" srcset="b.jpg 2x" data-id="7">'
        '<a href="vbscript:x">v</a><a href="data:text/html,x">d</a>'
    )
    assert cleaned.removed == (
        "<form>, <input>, <button>, <base>, <embed>, 1 vbscript: URL, "
        "1 data: URL, attributes data-id, srcset"
    )


MARKDOWN = """\
Rates rose[^1] on *Tuesday*, the [exchange](https://example.org/x "Exchange")
said. See [the earlier story]({filename}/stories/earlier.md) and
![Levee]({static}/images/levee.jpg).

<!-- more -->

## Where it goes

| Month | Price |
|:------|------:|
| May   | 1.2   |

```python
def f():
    return 1
```

> A quote.

- one
- two

[^1]: A footnote, with a <abbr title="Basis point">bp</abbr>.
"""


def test_markdown_output_is_kept() -> None:
    body = markdown.markdown(
        MARKDOWN,
        extensions=["extra", "codehilite", "toc", "footnotes"],
        extension_configs={"codehilite": {"css_class": "highlight"}},
    )
    cleaned = POLICY.clean(body)
    assert cleaned.removed == ""
    for kept in (
        'href="{filename}/stories/earlier.md"',
        'src="{static}/images/levee.jpg"',
        "<!-- more -->",
        '<h2 id="where-it-goes">',
        'class="highlight"',
        'style="text-align:left"',
        'id="fn:1"',
        'class="footnote-ref"',
        '<abbr title="Basis point">',
    ):
        assert kept in cleaned.html, kept


def test_comments_stay_inert() -> None:
    cleaned = POLICY.clean("<p>a</p>\n<!-- more -->\n<p>b</p>")
    assert cleaned.html == "<p>a</p>\n<!-- more -->\n<p>b</p>"


def test_a_trusted_site_keeps_everything() -> None:
    trusted = BodyPolicy(True, HOSTS)
    body, meta = trusted.apply("<script>x()</script>", {"summary": "<b onclick=x>"})
    assert body == "<script>x()</script>"
    assert meta["summary"] == "<b onclick=x>"
    assert meta[POLICY_KEY] == trusted.fingerprint == "trusted:2"
    assert REMOVED_KEY not in meta


def test_a_trusted_story_keeps_everything() -> None:
    body, meta = POLICY.apply("<script>x()</script>", {"html": "Trusted"})
    assert body == "<script>x()</script>"
    assert meta[POLICY_KEY] == POLICY.fingerprint
    assert REMOVED_KEY not in meta


def test_apply_cleans_body_and_summary_and_notes_removals() -> None:
    body, meta = POLICY.apply(
        "<p>ok</p><script>x()</script>",
        {"summary": '<p onclick="x()">s</p>', "html": "yes please"},
    )
    assert body == "<p>ok</p>"
    assert meta["summary"] == "<p>s</p>"
    assert meta[REMOVED_KEY] == {"Body": "<script>", "Summary": "1 event handler"}


@pytest.mark.parametrize(
    ("value", "meaning"),
    [
        ("trusted", True),
        (" TRUSTED ", True),
        (["trusted", "clean"], True),
        ("clean", False),
        ("", False),
        (None, False),
        ("yes", None),
        ("true", None),
    ],
)
def test_story_trust(value: object, meaning: bool | None) -> None:
    assert story_trust(value) is meaning


def test_the_fingerprint_follows_the_policy() -> None:
    same = BodyPolicy(False, reversed(HOSTS))
    fewer = BodyPolicy(False, HOSTS[1:])
    assert same.fingerprint == POLICY.fingerprint
    assert fewer.fingerprint != POLICY.fingerprint
    assert BodyPolicy(True, HOSTS).fingerprint == "trusted:2"


def test_kept_urls_are_written_as_browsers_read_them() -> None:
    cleaned = POLICY.clean(
        '<a href=" https://example.org/a b?q=c d ">x</a>'
        '<a href="{filename}/my story.md">y</a>'
    )
    assert cleaned.html == (
        '<a href="https://example.org/a%20b?q=c%20d">x</a>'
        '<a href="{filename}/my%20story.md">y</a>'
    )
    assert cleaned.removed == ""


def test_an_image_without_alt_text_gets_an_empty_one() -> None:
    # Valid HTML; Pelican then warns about the empty alt text.
    assert POLICY.clean('<img src="a.jpg"><img alt="A" src="b.jpg">').html == (
        '<img src="a.jpg" alt=""><img alt="A" src="b.jpg">'
    )


def test_an_image_whose_address_was_dropped_is_dropped() -> None:
    cleaned = POLICY.clean('<p>a<img src="data:image/svg+xml,x" alt="A">b</p>')
    assert cleaned.html == "<p>ab</p>"
    assert cleaned.removed == "1 data: URL"


def test_links_may_open_in_a_new_tab() -> None:
    link = '<a href="https://example.org/" target="_blank" rel="noopener">x</a>'
    assert POLICY.clean(link) == Cleaned(link)


@pytest.mark.parametrize("trusted", [False, True], ids=["clean", "trusted"])
def test_a_story_is_read_xml_safe_under_either_policy(trusted: bool) -> None:
    """Wire copy's control characters go as the story is read (in the
    reading workers), so nothing later scans the body again."""
    body, meta = BodyPolicy(trusted, HOSTS).apply(
        "<p>Net\x0b profit\x00 up</p>", {"summary": "<p>Up\x1b 5%</p>"}
    )
    assert body == "<p>Net profit up</p>"
    assert meta["summary"] == "<p>Up 5%</p>"
