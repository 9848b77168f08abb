"""The settings of the outputs: feeds, the email edition, discovery.

Read with the checks of :mod:`cx_digest.settings.checks`, as part of
:func:`cx_digest.settings.load`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..text import is_web_url
from .checks import (
    SettingsError,
    check_language,
    fail,
    read_address,
    read_count,
    read_flag,
    read_path,
    read_site_file,
    read_text,
    read_web_url,
)


@dataclass(frozen=True)
class FeedSettings:
    """The ``CX_DIGEST_*FEED*`` settings: paths, sizes, ids and channel text."""

    atom: str
    rss: str
    json: str
    story_atom: str
    story_rss: str
    category_atom: str
    category_rss: str
    max_items: int
    story_max_items: int
    max_entry_bytes: int
    id_authority: str
    title: str
    subtitle: str
    author: str
    logo: str  # site file or URL, "" if none
    icon: str
    hub: str


@dataclass(frozen=True)
class EmailSettings:
    """The ``CX_DIGEST_EMAIL_*`` settings: which files, where, and the headers."""

    html: bool
    text: bool
    eml: bool
    html_save_as: str
    text_save_as: str
    eml_save_as: str
    sender: str
    to: str
    list_unsubscribe: tuple[str, ...]
    max_bytes: int

    @property
    def enabled(self) -> bool:
        return self.html or self.text or self.eml

    @property
    def unsubscribe_url(self) -> str:
        """The link shown in the footers: the first http(s) URL, else mailto."""
        for url in self.list_unsubscribe:
            if is_web_url(url):
                return url
        return self.list_unsubscribe[0] if self.list_unsubscribe else ""


@dataclass(frozen=True)
class SeoSettings:
    """Sitemaps, ``robots.txt``, the publisher and the page-metadata locale."""

    sitemap: str
    news_sitemap: str
    robots_txt: bool
    publisher_name: str
    publisher_logo: str  # site file or URL, "" if none
    news_language: str
    og_locale: str
    share: bool


_AUTHORITY = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"|[^@\s,]+@[A-Za-z0-9.-]+),"
    r"\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$"
)
_UNSUBSCRIBE = re.compile(r"(https?://[^\s<>,]+|mailto:[^\s<>,]+@[^\s<>,]+)")
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z]{2,4})?$")
_OG_LOCALE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")


def load_feeds(
    values: Mapping[str, Any], host: str, name: str, subtitle: str, author: str
) -> FeedSettings:
    plain = (
        "CX_DIGEST_FEED_ATOM",
        "CX_DIGEST_FEED_RSS",
        "CX_DIGEST_FEED_JSON",
        "CX_DIGEST_STORY_FEED_ATOM",
        "CX_DIGEST_STORY_FEED_RSS",
    )
    paths = {key: read_path(values, key) for key in plain}
    for key in ("CX_DIGEST_CATEGORY_FEED_ATOM", "CX_DIGEST_CATEGORY_FEED_RSS"):
        paths[key] = read_path(values, key, ("slug",), needs="slug")
    seen: dict[str, str] = {}
    for key, value in paths.items():
        if value and value in seen:
            raise fail(key, value, f"a different path from {seen[value]}")
        seen[value] = key
    authority = read_text(values, "CX_DIGEST_FEED_ID_AUTHORITY") or f"{host},2000"
    if not _AUTHORITY.match(authority):
        raise fail(
            "CX_DIGEST_FEED_ID_AUTHORITY",
            authority,
            "'<domain or email>,<YYYY[-MM[-DD]]>' as in RFC 4151, "
            "e.g. 'news.example.com,2026'",
        )
    return FeedSettings(
        atom=paths["CX_DIGEST_FEED_ATOM"],
        rss=paths["CX_DIGEST_FEED_RSS"],
        json=paths["CX_DIGEST_FEED_JSON"],
        story_atom=paths["CX_DIGEST_STORY_FEED_ATOM"],
        story_rss=paths["CX_DIGEST_STORY_FEED_RSS"],
        category_atom=paths["CX_DIGEST_CATEGORY_FEED_ATOM"],
        category_rss=paths["CX_DIGEST_CATEGORY_FEED_RSS"],
        max_items=read_count(values, "CX_DIGEST_FEED_MAX_ITEMS", 1),
        story_max_items=read_count(values, "CX_DIGEST_STORY_FEED_MAX_ITEMS", 1),
        max_entry_bytes=read_count(values, "CX_DIGEST_FEED_MAX_ENTRY_BYTES", 1),
        id_authority=authority,
        title=read_text(values, "CX_DIGEST_FEED_TITLE") or name,
        subtitle=read_text(values, "CX_DIGEST_FEED_SUBTITLE")
        or subtitle
        or f"Every edition of {name}",
        author=read_text(values, "CX_DIGEST_FEED_AUTHOR") or author,
        logo=read_site_file(values, "CX_DIGEST_FEED_LOGO"),
        icon=read_site_file(values, "CX_DIGEST_FEED_ICON"),
        hub=read_web_url(values, "CX_DIGEST_FEED_HUB"),
    )


def load_email(values: Mapping[str, Any], host: str, name: str) -> EmailSettings:
    key = "CX_DIGEST_EMAIL_LIST_UNSUBSCRIBE"
    unsubscribe = values[key]
    if isinstance(unsubscribe, str):
        unsubscribe = [unsubscribe] if unsubscribe.strip() else []
    if not isinstance(unsubscribe, list | tuple) or not all(
        isinstance(u, str) and _UNSUBSCRIBE.fullmatch(u) for u in unsubscribe
    ):
        raise fail(
            key,
            unsubscribe,
            "a list of https:// and mailto: URLs (without spaces, commas or <>)",
        )
    outputs: dict[str, tuple[bool, str]] = {}
    for kind in ("HTML", "TEXT", "EML"):
        flag_key, path_key = (
            f"CX_DIGEST_EMAIL_{kind}",
            f"CX_DIGEST_EMAIL_{kind}_SAVE_AS",
        )
        wanted = read_flag(values, flag_key)
        path = read_path(values, path_key, ("date",))
        if wanted and not path:
            raise fail(path_key, path, f"a path with {{date}} (or {flag_key} = False)")
        outputs[kind] = (wanted, path)
    used = [path for wanted, path in outputs.values() if wanted]
    if len(set(used)) != len(used):
        raise SettingsError(
            "cx_digest: settings CX_DIGEST_EMAIL_*_SAVE_AS are invalid: the email "
            f"outputs need distinct paths, got {used!r}"
        )
    return EmailSettings(
        html=outputs["HTML"][0],
        text=outputs["TEXT"][0],
        eml=outputs["EML"][0],
        html_save_as=outputs["HTML"][1],
        text_save_as=outputs["TEXT"][1],
        eml_save_as=outputs["EML"][1],
        sender=read_address(
            values, "CX_DIGEST_EMAIL_FROM", f"{name} <newsletter@{host}>"
        ),
        to=read_address(values, "CX_DIGEST_EMAIL_TO"),
        list_unsubscribe=tuple(unsubscribe),
        max_bytes=read_count(values, "CX_DIGEST_EMAIL_MAX_BYTES", 0),
    )


def load_seo(values: Mapping[str, Any], name: str, language: str) -> SeoSettings:
    news = read_text(values, "CX_DIGEST_NEWS_LANGUAGE")
    key = "CX_DIGEST_NEWS_LANGUAGE" if news else "DEFAULT_LANG"
    example = "an ISO 639 language code such as 'en', 'zh-cn' or 'zh-tw'"
    news = check_language(news or language, key, _LANG, example)
    og_locale = read_text(values, "CX_DIGEST_OG_LOCALE")
    if og_locale:
        check_language(
            og_locale,
            "CX_DIGEST_OG_LOCALE",
            _OG_LOCALE,
            "language_TERRITORY such as 'en_US' or 'zh_CN'",
        )
    else:
        parts = language.replace("_", "-").split("-")
        og_locale = parts[0].lower()
        if len(parts) > 1 and len(parts[1]) == 2:
            og_locale += "_" + parts[1].upper()
    return SeoSettings(
        sitemap=read_path(values, "CX_DIGEST_SITEMAP", suffix=".xml"),
        news_sitemap=read_path(values, "CX_DIGEST_NEWS_SITEMAP", suffix=".xml"),
        robots_txt=read_flag(values, "CX_DIGEST_ROBOTS_TXT"),
        publisher_name=read_text(values, "CX_DIGEST_PUBLISHER_NAME") or name,
        publisher_logo=read_site_file(values, "CX_DIGEST_PUBLISHER_LOGO"),
        news_language=news.lower(),
        og_locale=og_locale,
        share=read_flag(values, "CX_DIGEST_SHARE"),
    )
