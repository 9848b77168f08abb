"""Plain-text helpers: XML-safe text, headline caps, time stamps, URLs.

Nothing here parses HTML (that is :mod:`cx_digest.markup`'s job).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import datetime
from urllib.parse import quote

# Characters XML 1.0 cannot carry (C0 controls but tab, newline and CR; lone
# surrogates; U+FFFE/U+FFFF), plus DEL and the C1 controls, which XML allows
# but validators flag and which are only ever invisible garbage from wire copy.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry."""
    return _NOT_XML.sub("", text)


_WORD_START = re.compile(r"(^|[\s\-–—/(\[\"“‘])([^\W\d_])", re.UNICODE)


def headline_caps(title: str) -> str:
    """Capitalise the first letter of every word, leaving the rest alone.

    ``"The fall of China's last sugar-cane king"`` becomes
    ``"The Fall Of China's Last Sugar-Cane King"``; acronyms stay upper case
    and letters after an apostrophe stay as they are.
    """
    return _WORD_START.sub(lambda m: m.group(1) + m.group(2).upper(), title)


_MONTHS = (
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
)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# The directives whose text depends on the process locale, in English.
_ENGLISH: dict[str, Callable[[datetime], str]] = {
    "a": lambda moment: _DAYS[moment.weekday()][:3],
    "A": lambda moment: _DAYS[moment.weekday()],
    "b": lambda moment: _MONTHS[moment.month - 1][:3],
    "B": lambda moment: _MONTHS[moment.month - 1],
    "p": lambda moment: "AM" if moment.hour < 12 else "PM",
}
_DIRECTIVE = re.compile(r"%(.)", re.DOTALL)


def format_stamp(moment: datetime, fmt: str) -> str:
    """``moment.strftime(fmt)`` with English names, whatever the locale is.

    ``%a %A %b %B %p`` are written out in English first; every other
    directive is the standard library's (or Pelican's ``SafeDatetime``'s).
    The settings refuse the locale's own formats ``%c %x %X``.
    """

    def english(match: re.Match[str]) -> str:
        name = _ENGLISH.get(match.group(1))
        return name(moment) if name else match.group(0)

    return moment.strftime(_DIRECTIVE.sub(english, fmt))


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
# Characters a URL path, query or fragment may carry as they are.
_URL_SAFE = "/%:@!$&'()*+,;=?#~"


def scheme_of(url: str) -> str:
    """The scheme ``url`` starts with, lower-cased (``""`` when none)."""
    match = _SCHEME.match(url)
    return match.group(0)[:-1].lower() if match else ""


def has_scheme(url: str) -> bool:
    """True when ``url`` starts with a scheme (``https:``, ``mailto:``, ...)."""
    return bool(scheme_of(url))


@functools.lru_cache(maxsize=1 << 15, typed=True)
def join_url(prefix: str, path: str) -> str:
    """A link to ``path`` (a site path such as ``tag/x/``) under ``prefix``.

    ``prefix`` is the public address (feeds, email, metadata) or a page's
    ``SITEURL`` (``../..`` with relative URLs, ``""`` for root-relative
    links). The path is percent-encoded where it must be; a URL with a
    scheme, or a fragment, is returned as it is.

    Kept for the arguments asked most recently (a page links to the same
    pages as the next; each link was percent-encoded anew, four to eight
    times per URL in a build), per argument type: a ``Markup`` path is not
    the same question as an equal ``str``.
    """
    if has_scheme(path) or path.startswith("#"):
        return path
    encoded = quote(path.lstrip("/"), safe=_URL_SAFE)
    prefix = prefix.rstrip("/")
    return f"{prefix}/{encoded}"


def is_web_url(value: str) -> bool:
    """True for an absolute ``http(s)://host...`` URL and nothing else."""
    return re.match(r"^https?://[^\s/<>\"'`]+[^\s<>\"'`]*$", value) is not None


# Pelican's intrasite link prefixes that name a file under content/.
INTRASITE_FILE = re.compile(r"^\{(static|attach|filename)\}")


_LABEL_URL = re.compile(r"^(?P<label>.*?)\s*<(?P<url>[^<>]*)>\s*$", re.DOTALL)


def split_label_url(value: str) -> tuple[str, str] | None:
    """``"Label <https://x>"`` into ``("Label", "https://x")``; else None."""
    match = _LABEL_URL.match(value.strip())
    if not match:
        return None
    return match.group("label").strip(), match.group("url").strip()
