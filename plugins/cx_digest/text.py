"""Text helpers: headline caps, locale-free time stamps, XML-safe text, URLs."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from urllib.parse import urljoin

# Characters XML 1.0 cannot carry (C0 controls but tab, newline and CR; lone
# surrogates; U+FFFE/U+FFFF), plus DEL and the C1 controls, which XML allows
# but validators flag and which are only ever invisible garbage from wire copy.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


# The ASCII bytes XML text may hold: deleting them from an ASCII string's
# bytes leaves only what _NOT_XML would remove (about 7x faster than a search).
_ASCII_OK = bytes(c for c in range(128) if not _NOT_XML.match(chr(c)))


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry.

    Almost all text is clean, and a search is cheaper than a substitution:
    clean text is returned as it is (the same object).
    """
    if text.isascii():
        dirty = bool(text.encode("ascii").translate(None, _ASCII_OK))
    else:
        dirty = _NOT_XML.search(text) is not None
    return _NOT_XML.sub("", text) if dirty else text


_WORD_START = re.compile(r"(^|[\s\-–—/(\[\"“‘])([^\W\d_])", re.UNICODE)


def headline_caps(title: str) -> str:
    """Capitalise the first letter of every word, leaving the rest alone.

    ``"The fall of China's last sugar-cane king"`` becomes
    ``"The Fall Of China's Last Sugar-Cane King"``; acronyms stay upper case
    and letters after an apostrophe stay as they are.
    """
    return _WORD_START.sub(lambda m: m.group(1) + m.group(2).upper(), title)


_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


_NAMES: dict[str, Callable[[datetime], str]] = {
    "b": lambda m: _MONTHS[m.month - 1][:3],
    "B": lambda m: _MONTHS[m.month - 1],
    "a": lambda m: _DAYS[m.weekday()][:3],
    "A": lambda m: _DAYS[m.weekday()],
    "p": lambda m: "AM" if m.hour < 12 else "PM",
    "-d": lambda m: str(m.day),
    "-I": lambda m: str(m.hour % 12 or 12),
    "-H": lambda m: str(m.hour),
    "-m": lambda m: str(m.month),
}


@lru_cache(maxsize=64)
def _stamp_parts(fmt: str) -> tuple[tuple[str, str], ...]:
    """``fmt`` cut into ``("name", code)`` parts, expanded from
    :data:`_NAMES`, and ``("strftime", pattern)`` parts for the rest."""
    parts: list[tuple[str, str]] = []
    chunk: list[str] = []

    def flush() -> None:
        if chunk:
            parts.append(("strftime", "".join(chunk)))
            chunk.clear()

    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch != "%" or i + 1 == len(fmt):
            chunk.append("%%" if ch == "%" else ch)
            i += 1
            continue
        code = fmt[i + 1]
        if code == "-" and i + 2 < len(fmt):
            code = fmt[i + 1 : i + 3]
        if code in _NAMES:
            flush()
            parts.append(("name", code))
        elif code in ("c", "x", "X"):
            raise ValueError(f"locale-dependent directive %{code} is not supported")
        else:
            chunk.append("%" + code)
        i += 1 + len(code)
    flush()
    # A chunk with a "%-" flag the table does not cover goes to the object's
    # own strftime (Pelican's SafeDatetime strips zeros on any platform);
    # the rest to datetime's, which skips Pelican's per-directive wrapper.
    return tuple(
        ("own" if kind == "strftime" and "%-" in value else kind, value)
        for kind, value in parts
    )


def format_stamp(moment: datetime, fmt: str) -> str:
    """``strftime`` with English names whatever the process locale is.

    ``%b %B %a %A %p`` (the locale-dependent directives) are expanded here;
    everything else goes to ``strftime``. The format is parsed once.
    """
    out: list[str] = []
    for kind, value in _stamp_parts(fmt):
        if kind == "name":
            out.append(_NAMES[value](moment))
        elif kind == "strftime":
            out.append(datetime.strftime(moment, value))
        else:
            out.append(moment.strftime(value))
    return "".join(out)


_ATTR_URL = re.compile(
    r"""(?P<pre>\s(?:href|src|poster)\s*=\s*)(?P<q>["'])(?P<url>.*?)(?P=q)""",
    re.IGNORECASE | re.DOTALL,
)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def has_scheme(url: str) -> bool:
    """True when ``url`` starts with a scheme (``https:``, ``mailto:``, ...)."""
    return _SCHEME.match(url) is not None


def rewrite_urls(fragment: str, convert: Callable[[str], str]) -> str:
    """Apply ``convert(url) -> url`` to every href/src/poster in ``fragment``."""

    def sub(match: re.Match[str]) -> str:
        raw = html.unescape(match.group("url")).strip()
        new = convert(raw)
        if new == raw:
            return match.group(0)
        quote = match.group("q")
        return f"{match.group('pre')}{quote}{html.escape(new, quote=True)}{quote}"

    return _ATTR_URL.sub(sub, fragment)


def root_relative(fragment: str, page_path: str) -> str:
    """Resolve every relative URL in ``fragment`` against ``/page_path``.

    The result has site-root-relative URLs (``/images/x.jpg``) that
    :func:`from_root` turns into whatever an output needs.
    """
    base = "/" + page_path.lstrip("/")

    def convert(url: str) -> str:
        if url == "" or url.startswith("//"):
            return "https:" + url if url.startswith("//") else url
        if _SCHEME.match(url) or url.startswith("/"):
            return url
        return urljoin(base, url)

    return rewrite_urls(fragment, convert)


def from_root(fragment: str, prefix: str) -> str:
    """Replace the leading ``/`` of site-root URLs with ``prefix + "/"``.

    ``prefix`` is the writer's ``SITEURL``: a relative path (``../../..``) on
    web pages with ``RELATIVE_URLS``, the absolute site URL in feeds and email.
    """
    prefix = prefix.rstrip("/")

    def convert(url: str) -> str:
        if url.startswith("/") and not url.startswith("//"):
            return f"{prefix}{url}" if prefix else url
        return url

    return rewrite_urls(fragment, convert)


def site_url(path: str, siteurl: str) -> str:
    """A link to a site path (``tag/x/``) or an absolute URL, for templates."""
    if _SCHEME.match(path) or path.startswith("#"):
        return path
    prefix = siteurl.rstrip("/")
    return f"{prefix}/{path.lstrip('/')}" if prefix else f"/{path.lstrip('/')}"


def is_web_url(value: str) -> bool:
    """True for an absolute ``http(s)://host...`` URL and nothing else."""
    return re.match(r"^https?://[^\s/<>\"'`]+[^\s<>\"'`]*$", value) is not None


_LABEL_URL = re.compile(r"^(?P<label>.*?)\s*<(?P<url>[^<>]*)>\s*$", re.DOTALL)


def split_label_url(value: str) -> tuple[str, str] | None:
    """``"Label <https://x>"`` into ``("Label", "https://x")``; else None."""
    match = _LABEL_URL.match(value.strip())
    if not match:
        return None
    return match.group("label").strip(), match.group("url").strip()


_FIRST_P = re.compile(r"<p[\s>].*?</p>", re.DOTALL | re.IGNORECASE)
_MORE = re.compile(r"<!--\s*more\s*-->", re.IGNORECASE)


def summary_from_body(body_html: str) -> str:
    """The body above a ``<!-- more -->`` line, else its first paragraph."""
    parts = _MORE.split(body_html, maxsplit=1)
    if len(parts) == 2:
        return parts[0].strip()
    match = _FIRST_P.search(body_html)
    return match.group(0) if match else body_html.strip()


_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def plain_text(fragment: str) -> str:
    """HTML fragment to one line of plain text."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", fragment))).strip()
