"""The plugin's settings: ``CX_DIGEST_*`` defaults, read once and validated.

Every key is documented in the plugin README with its default. ``load()``
reads a Pelican settings mapping into a frozen :class:`DigestSettings` and
raises :class:`SettingsError` naming the offending key when a value is wrong.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULTS: dict[str, Any] = {
    # Naming and presentation
    "CX_DIGEST_NAME": "CX Daily",
    "CX_DIGEST_TITLE": "{name}: {lead_title}",
    "CX_DIGEST_STAMP_FORMAT": "%b %d, %Y %I:%M %p",
    "CX_DIGEST_FOOTER_TEXT": "Thanks for reading.",
    "CX_DIGEST_SUBSCRIBE_URL": "",
    "CX_DIGEST_SUBSCRIBE_TEXT": "Subscribe to get every edition by email",
    "CX_DIGEST_QR_CODE": True,
    # Grouping
    "CX_DIGEST_DAY_STARTS": "00:00",
    "CX_DIGEST_SECTIONS": [{"key": "main", "title": "", "categories": []}],
    "CX_DIGEST_EDITIONS_PATH": "digests",
    # Hot topics
    "CX_DIGEST_HOT_TOPICS_DAYS": 7,
    "CX_DIGEST_HOT_TOPICS_COUNT": 3,
    "CX_DIGEST_HOT_TOPICS_MIN_STORIES": 2,
    # Output
    "CX_DIGEST_PUBLIC_URL": "",
    "CX_DIGEST_URL": "digest/{date:%Y}/{date:%m}/{date:%d}/",
    "CX_DIGEST_SAVE_AS": "digest/{date:%Y}/{date:%m}/{date:%d}/index.html",
    "CX_DIGEST_ARCHIVE_URL": "digest/",
    "CX_DIGEST_ARCHIVE_SAVE_AS": "digest/index.html",
    "CX_DIGEST_ARCHIVE_PAGE_URL": "digest/page/{number}/",
    "CX_DIGEST_ARCHIVE_PAGE_SAVE_AS": "digest/page/{number}/index.html",
    "CX_DIGEST_ARCHIVE_PER_PAGE": 20,
    "CX_DIGEST_HOME_SAVE_AS": "",
    # Email edition (validated in emailout.py)
    "CX_DIGEST_EMAIL_HTML": True,
    "CX_DIGEST_EMAIL_TEXT": True,
    "CX_DIGEST_EMAIL_EML": True,
    "CX_DIGEST_EMAIL_HTML_SAVE_AS": "digest/{date:%Y}/{date:%m}/{date:%d}/email.html",
    "CX_DIGEST_EMAIL_TEXT_SAVE_AS": "digest/{date:%Y}/{date:%m}/{date:%d}/email.txt",
    "CX_DIGEST_EMAIL_EML_SAVE_AS": "digest/{date:%Y}/{date:%m}/{date:%d}/email.eml",
    "CX_DIGEST_EMAIL_FROM": "",
    "CX_DIGEST_EMAIL_TO": "",
    "CX_DIGEST_EMAIL_LIST_UNSUBSCRIBE": [],
    "CX_DIGEST_EMAIL_MAX_BYTES": 100_000,
    # Feeds (validated in feeds.py)
    "CX_DIGEST_FEED_ATOM": "feeds/digest.atom.xml",
    "CX_DIGEST_FEED_RSS": "feeds/digest.rss.xml",
    "CX_DIGEST_FEED_JSON": "feeds/digest.json",
    "CX_DIGEST_STORY_FEED_ATOM": "feeds/stories.atom.xml",
    "CX_DIGEST_STORY_FEED_RSS": "feeds/stories.rss.xml",
    "CX_DIGEST_CATEGORY_FEED_ATOM": "feeds/category/{slug}.atom.xml",
    "CX_DIGEST_CATEGORY_FEED_RSS": "feeds/category/{slug}.rss.xml",
    "CX_DIGEST_FEED_MAX_ITEMS": 30,
    "CX_DIGEST_STORY_FEED_MAX_ITEMS": 50,
    "CX_DIGEST_FEED_MAX_ENTRY_BYTES": 500_000,
    "CX_DIGEST_FEED_ID_AUTHORITY": "",
    "CX_DIGEST_FEED_TITLE": "",
    "CX_DIGEST_FEED_SUBTITLE": "",
    "CX_DIGEST_FEED_AUTHOR": "",
    "CX_DIGEST_FEED_LOGO": "",
    "CX_DIGEST_FEED_ICON": "",
    "CX_DIGEST_FEED_HUB": "",
    # Sharing and discovery (validated in seo.py)
    "CX_DIGEST_SITEMAP": "sitemap.xml",
    "CX_DIGEST_NEWS_SITEMAP": "news-sitemap.xml",
    "CX_DIGEST_ROBOTS_TXT": True,
    "CX_DIGEST_PUBLISHER_NAME": "",
    "CX_DIGEST_PUBLISHER_LOGO": "",
    "CX_DIGEST_NEWS_LANGUAGE": "",
    "CX_DIGEST_OG_LOCALE": "",
    "CX_DIGEST_SHARE": True,
    # Checking
    "CX_DIGEST_STRICT": False,
}

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class SettingsError(ValueError):
    """A ``CX_DIGEST_*`` setting has a value the plugin cannot use."""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    categories: tuple[str, ...]


@dataclass(frozen=True)
class DigestSettings:
    name: str
    title_format: str
    stamp_format: str
    footer_text: str
    subscribe_url: str
    subscribe_text: str
    qr_code: bool
    day_starts: time
    sections: tuple[Section, ...]
    editions_path: str
    hot_topics_days: int
    hot_topics_count: int
    hot_topics_min_stories: int
    public_url: str
    url: str
    save_as: str
    archive_url: str
    archive_save_as: str
    archive_page_url: str
    archive_page_save_as: str
    archive_per_page: int
    home_save_as: str
    strict: bool
    timezone: ZoneInfo
    relative_urls: bool
    raw: Mapping[str, Any]

    def section_for_category(self, category: str) -> Section:
        """The section whose categories hold ``category``, else the first."""
        folded = category.casefold()
        for section in self.sections:
            if any(folded == c.casefold() for c in section.categories):
                return section
        return self.sections[0]

    def section_by_key(self, key: str) -> Section | None:
        folded = key.strip().casefold()
        for section in self.sections:
            if section.key.casefold() == folded:
                return section
        return None

    def absolute(self, path: str) -> str:
        """An absolute URL for a site path (``digest/2021/07/29/``)."""
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.public_url}/{path.lstrip('/')}"


def _require(cond: bool, key: str, value: Any, expected: str) -> None:
    if not cond:
        raise SettingsError(
            f"cx_digest: setting {key} = {value!r} is invalid: expected {expected}"
        )


def _str(values: Mapping[str, Any], key: str, *, allow_empty: bool = True) -> str:
    value = values[key]
    _require(
        isinstance(value, str) and (allow_empty or value.strip() != ""),
        key,
        value,
        "a string" if allow_empty else "a non-empty string",
    )
    return value


def _int(values: Mapping[str, Any], key: str, minimum: int) -> int:
    value = values[key]
    _require(
        isinstance(value, int) and not isinstance(value, bool) and value >= minimum,
        key,
        value,
        f"an integer >= {minimum}",
    )
    return value


def _bool(values: Mapping[str, Any], key: str) -> bool:
    value = values[key]
    _require(isinstance(value, bool), key, value, "True or False")
    return value


def _path_pattern(values: Mapping[str, Any], key: str, field: str) -> str:
    value = _str(values, key)
    if value == "":
        return value
    try:
        if field == "date":
            from datetime import date

            value.format(date=date(2021, 7, 29))
        else:
            value.format(number=2)
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        raise SettingsError(
            f"cx_digest: setting {key} = {value!r} is invalid: it may only use "
            f"the {{{field}}} field ({exc})"
        ) from exc
    _require(not value.startswith("/"), key, value, "a path relative to the site")
    return value


def _sections(values: Mapping[str, Any]) -> tuple[Section, ...]:
    key = "CX_DIGEST_SECTIONS"
    raw = values[key]
    _require(
        isinstance(raw, list | tuple) and len(raw) > 0,
        key,
        raw,
        "a non-empty list of {'key': ..., 'title': ..., 'categories': [...]}",
    )
    sections: list[Section] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        where = f"{key}[{index}]"
        _require(isinstance(item, Mapping), where, item, "a dict")
        unknown = set(item) - {"key", "title", "categories"}
        _require(not unknown, where, item, f"only key/title/categories, not {unknown}")
        skey = item.get("key")
        _require(
            isinstance(skey, str)
            and re.fullmatch(r"[A-Za-z0-9_-]+", skey or "") is not None,
            f"{where}['key']",
            skey,
            "a name of letters, digits, '-' or '_'",
        )
        _require(
            skey.casefold() not in seen, f"{where}['key']", skey, "a unique section key"
        )
        seen.add(skey.casefold())
        title = item.get("title", "") or ""
        _require(isinstance(title, str), f"{where}['title']", title, "a string")
        categories = item.get("categories", [])
        _require(
            isinstance(categories, list | tuple)
            and all(isinstance(c, str) for c in categories),
            f"{where}['categories']",
            categories,
            "a list of category names",
        )
        sections.append(Section(skey, title, tuple(categories)))
    return tuple(sections)


def _public_url(values: Mapping[str, Any], siteurl: str) -> str:
    explicit = values.get("CX_DIGEST_PUBLIC_URL") or ""
    candidate = explicit or siteurl
    key = "CX_DIGEST_PUBLIC_URL" if explicit else "SITEURL"
    _require(
        isinstance(candidate, str)
        and re.match(r"^https?://[^/\s]+", candidate) is not None,
        key,
        candidate,
        "the site's absolute public address, e.g. 'https://news.example.com' "
        "(set CX_DIGEST_PUBLIC_URL when SITEURL is empty for local previews; "
        "feeds, emails and QR codes need absolute URLs)",
    )
    return candidate.rstrip("/")


def _check_editions_not_articles(settings: Mapping[str, Any], folder: str) -> None:
    """Edition files must not be read as articles (they'd appear in lists)."""
    content = settings.get("PATH")
    if not folder or not content or not os.path.isdir(os.path.join(content, folder)):
        return
    excludes = [e.strip("/") for e in settings.get("ARTICLE_EXCLUDES", [])]
    for base in settings.get("ARTICLE_PATHS", [""]):
        base = base.strip("/")
        inside = base == "" or folder == base or folder.startswith(base + "/")
        if inside and folder not in excludes:
            raise SettingsError(
                f"cx_digest: setting CX_DIGEST_EDITIONS_PATH = {folder!r} is inside "
                f"ARTICLE_PATHS ({base!r}), so edition files would be published as "
                f"stories: add {folder!r} to ARTICLE_EXCLUDES or narrow ARTICLE_PATHS"
            )


def load(settings: Mapping[str, Any]) -> DigestSettings:
    """Read and validate the plugin's settings from Pelican's settings."""
    values: dict[str, Any] = dict(DEFAULTS)
    values.update({k: v for k, v in settings.items() if k.startswith("CX_DIGEST_")})
    unknown = sorted(k for k in values if k not in DEFAULTS)
    if unknown:
        raise SettingsError(
            f"cx_digest: unknown setting {unknown[0]} (known settings are listed in "
            "plugins/cx_digest/README.md; check the spelling)"
        )

    starts = _str(values, "CX_DIGEST_DAY_STARTS")
    match = _HHMM.match(starts)
    _require(match is not None, "CX_DIGEST_DAY_STARTS", starts, "'HH:MM' (24-hour)")
    assert match is not None
    day_starts = time(int(match.group(1)), int(match.group(2)))

    title_format = _str(values, "CX_DIGEST_TITLE", allow_empty=False)
    try:
        title_format.format(name="n", lead_title="t", date=time())
    except (KeyError, IndexError, ValueError) as exc:
        raise SettingsError(
            f"cx_digest: setting CX_DIGEST_TITLE = {title_format!r} is invalid: "
            f"it may use {{name}}, {{lead_title}} and {{date}} ({exc})"
        ) from exc

    stamp_format = _str(values, "CX_DIGEST_STAMP_FORMAT", allow_empty=False)

    tz_name = settings.get("TIMEZONE") or "UTC"
    try:
        timezone = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(
            f"cx_digest: setting TIMEZONE = {tz_name!r} is not a known time zone"
        ) from exc

    editions_path = _str(values, "CX_DIGEST_EDITIONS_PATH").strip("/")
    _check_editions_not_articles(settings, editions_path)

    subscribe_url = _str(values, "CX_DIGEST_SUBSCRIBE_URL")
    _require(
        subscribe_url == ""
        or re.match(r"^(https?://|mailto:)\S+$", subscribe_url) is not None,
        "CX_DIGEST_SUBSCRIBE_URL",
        subscribe_url,
        "an http(s):// or mailto: URL, or ''",
    )

    return DigestSettings(
        name=_str(values, "CX_DIGEST_NAME", allow_empty=False),
        title_format=title_format,
        stamp_format=stamp_format,
        footer_text=_str(values, "CX_DIGEST_FOOTER_TEXT"),
        subscribe_url=subscribe_url,
        subscribe_text=_str(values, "CX_DIGEST_SUBSCRIBE_TEXT"),
        qr_code=_bool(values, "CX_DIGEST_QR_CODE"),
        day_starts=day_starts,
        sections=_sections(values),
        editions_path=editions_path,
        hot_topics_days=_int(values, "CX_DIGEST_HOT_TOPICS_DAYS", 1),
        hot_topics_count=_int(values, "CX_DIGEST_HOT_TOPICS_COUNT", 0),
        hot_topics_min_stories=_int(values, "CX_DIGEST_HOT_TOPICS_MIN_STORIES", 1),
        public_url=_public_url(values, settings.get("SITEURL") or ""),
        url=_path_pattern(values, "CX_DIGEST_URL", "date"),
        save_as=_path_pattern(values, "CX_DIGEST_SAVE_AS", "date"),
        archive_url=_path_pattern(values, "CX_DIGEST_ARCHIVE_URL", "number"),
        archive_save_as=_path_pattern(values, "CX_DIGEST_ARCHIVE_SAVE_AS", "number"),
        archive_page_url=_path_pattern(values, "CX_DIGEST_ARCHIVE_PAGE_URL", "number"),
        archive_page_save_as=_path_pattern(
            values, "CX_DIGEST_ARCHIVE_PAGE_SAVE_AS", "number"
        ),
        archive_per_page=_int(values, "CX_DIGEST_ARCHIVE_PER_PAGE", 1),
        home_save_as=_path_pattern(values, "CX_DIGEST_HOME_SAVE_AS", "number"),
        strict=_bool(values, "CX_DIGEST_STRICT"),
        timezone=timezone,
        relative_urls=bool(settings.get("RELATIVE_URLS", False)),
        raw=values,
    )
