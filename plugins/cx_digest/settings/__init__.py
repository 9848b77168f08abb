"""The plugin's settings: this package alone reads ``CX_DIGEST_*``.

``load()`` turns a Pelican settings mapping into a frozen
:class:`DigestSettings` (with its feed, email and discovery parts, from
:mod:`.outputs`) and raises :class:`SettingsError` naming the offending key
when a value is wrong; every value is read with the checks of
:mod:`.checks`, its default from :mod:`.defaults`. The few Pelican settings
the plugin uses (``SITENAME``, ``AUTHOR``, ``DEFAULT_LANG``,
``SITESUBTITLE``, ``TIMEZONE``, ``RELATIVE_URLS``, the public address) are
read here and nowhere else. What is needed before the digest's generator
exists is read by the same checks: :func:`apply_workers_alias` and
:func:`editions_folder` at ``initialized``, :func:`load_story_html` by the
readers, :func:`stamp_format` by every generator's templates.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Any, NamedTuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pelican.plugins import fastbuild

from ..text import join_url, xml_safe
from .checks import (
    SAMPLES,
    SettingsError,
    fail,
    read_choice,
    read_count,
    read_flag,
    read_hosts,
    read_path,
    read_text,
    read_web_url,
)
from .defaults import DEFAULTS
from .outputs import (
    EmailSettings,
    FeedSettings,
    SeoSettings,
    load_email,
    load_feeds,
    load_seo,
)

logger = logging.getLogger("cx_digest")

__all__ = [
    "DEFAULTS",
    "DigestSettings",
    "Section",
    "SettingsError",
    "StoryHtml",
    "apply_workers_alias",
    "editions_folder",
    "load",
    "load_story_html",
    "stamp_format",
]

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_SECTION_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_LOCALE_DIRECTIVE = re.compile(r"%[-#]?[cxX]")


@dataclass(frozen=True)
class DigestSettings:
    """Everything the plugin reads from the settings, validated."""

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
    public_url: str  # no trailing slash
    url: str
    save_as: str
    archive_url: str
    archive_save_as: str
    archive_page_url: str
    archive_page_save_as: str
    archive_per_page: int
    home_save_as: str
    stylesheet_save_as: str
    strict: bool
    story_html: StoryHtml
    feeds: FeedSettings
    email: EmailSettings
    seo: SeoSettings
    # Pelican's own settings, read once.
    timezone: ZoneInfo
    relative_urls: bool
    site_name: str
    site_subtitle: str
    author: str
    language: str
    host: str
    raw: Mapping[str, Any] = field(repr=False)

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
        """The public URL of a site path (``digest/2021/07/29/``) or a URL."""
        return join_url(self.public_url, path)


class StoryHtml(NamedTuple):
    """How story bodies are published (``CX_DIGEST_STORY_HTML``,
    ``CX_DIGEST_EMBED_HOSTS``)."""

    trusted: bool
    embed_hosts: tuple[str, ...]


class Section(NamedTuple):
    """One section of an edition (``CX_DIGEST_SECTIONS``)."""

    key: str
    title: str
    categories: tuple[str, ...]


def _sections(values: Mapping[str, Any]) -> tuple[Section, ...]:
    key = "CX_DIGEST_SECTIONS"
    raw = values[key]
    if not isinstance(raw, list | tuple) or not raw:
        raise fail(key, raw, "a non-empty list of {'key', 'title', 'categories'}")
    sections: list[Section] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        where = f"{key}[{index}]"
        if not isinstance(item, Mapping) or set(item) - {"key", "title", "categories"}:
            raise fail(where, item, "a dict with only key, title and categories")
        name = item.get("key")
        if not isinstance(name, str) or not _SECTION_KEY.match(name):
            raise fail(f"{where}['key']", name, "letters, digits, '-' or '_'")
        if name.casefold() in seen:
            raise fail(f"{where}['key']", name, "a unique section key")
        seen.add(name.casefold())
        title = item.get("title") or ""
        categories = item.get("categories", [])
        if not isinstance(title, str):
            raise fail(f"{where}['title']", title, "a string")
        if not isinstance(categories, list | tuple) or not all(
            isinstance(c, str) for c in categories
        ):
            raise fail(f"{where}['categories']", categories, "a list of names")
        sections.append(Section(name, title, tuple(categories)))
    return tuple(sections)


def _public_url(values: Mapping[str, Any], siteurl: Any) -> str:
    explicit = values["CX_DIGEST_PUBLIC_URL"]
    key = "CX_DIGEST_PUBLIC_URL" if explicit else "SITEURL"
    candidate = explicit or siteurl or ""
    if not isinstance(candidate, str) or not re.match(r"^https?://[^/\s]+", candidate):
        raise fail(
            key,
            candidate,
            "the site's absolute public address, e.g. 'https://news.example.com' "
            "(set CX_DIGEST_PUBLIC_URL when SITEURL is empty for local previews; "
            "feeds, emails and QR codes need absolute URLs)",
        )
    return candidate.rstrip("/")


def _values(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The ``CX_DIGEST_*`` settings, defaults filled in."""
    values: dict[str, Any] = dict(DEFAULTS)
    values.update({k: v for k, v in settings.items() if k.startswith("CX_DIGEST_")})
    return values


def _story_html(values: Mapping[str, Any]) -> StoryHtml:
    mode = read_choice(values, "CX_DIGEST_STORY_HTML", ("clean", "trusted"))
    return StoryHtml(mode == "trusted", read_hosts(values, "CX_DIGEST_EMBED_HOSTS"))


def load_story_html(settings: Mapping[str, Any]) -> StoryHtml:
    """The story-body settings alone: the readers need them before the rest
    (:func:`load` reads them the same way)."""
    return _story_html(_values(settings))


# The digest's name for the engine's FASTBUILD_WORKERS until 0.4.0.
WORKERS_ALIAS = "CX_DIGEST_WORKERS"


def apply_workers_alias(settings: dict[str, Any]) -> None:
    """``CX_DIGEST_WORKERS`` (0.2.0) still sets the engine's
    ``FASTBUILD_WORKERS``, unless that is set too, with one warning."""
    if WORKERS_ALIAS not in settings:
        return
    value = settings[WORKERS_ALIAS]
    target = fastbuild.WORKERS_SETTING
    if target in settings:
        logger.warning(
            "cx_digest: setting %s is deprecated and ignored: %s = %r is set; "
            "remove %s",
            WORKERS_ALIAS,
            target,
            settings[target],
            WORKERS_ALIAS,
        )
        return
    try:
        fastbuild.validate_workers(value)
    except fastbuild.WorkersSettingError as exc:
        raise SettingsError(
            f"cx_digest: setting {WORKERS_ALIAS} = {value!r} is invalid: "
            "expected an integer >= 1"
        ) from exc
    settings[target] = value
    logger.warning(
        "cx_digest: setting %s is deprecated: rename it %s (the setting of "
        "pelican-fastbuild, the build engine); %s = %r is used as %s until "
        "cx-digest 0.4.0",
        WORKERS_ALIAS,
        target,
        WORKERS_ALIAS,
        value,
        target,
    )


def _editions_path(values: Mapping[str, Any]) -> str:
    return read_text(values, "CX_DIGEST_EDITIONS_PATH").strip("/")


def editions_folder(settings: Mapping[str, Any]) -> str:
    """``CX_DIGEST_EDITIONS_PATH``, at start-up (edition files are excluded
    from articles and pages before any generator exists)."""
    return _editions_path(_values(settings))


def _stamp_format(values: Mapping[str, Any]) -> str:
    value = read_text(values, "CX_DIGEST_STAMP_FORMAT", required=True)
    if _LOCALE_DIRECTIVE.search(value):
        raise fail(
            "CX_DIGEST_STAMP_FORMAT",
            value,
            "a strftime format without the locale's %c, %x or %X",
        )
    return value


def stamp_format(settings: Mapping[str, Any]) -> str:
    """``CX_DIGEST_STAMP_FORMAT``, for every generator's ``cx_stamp`` filter."""
    return _stamp_format(_values(settings))


def load(settings: Mapping[str, Any]) -> DigestSettings:
    """Read and validate the plugin's settings from Pelican's settings."""
    values = _values(settings)
    unknown = sorted(k for k in values if k not in DEFAULTS)
    if unknown:
        raise SettingsError(
            f"cx_digest: unknown setting {unknown[0]} (the known settings are "
            "listed in the plugin's README; check the spelling)"
        )

    starts = read_text(values, "CX_DIGEST_DAY_STARTS")
    match = _HHMM.match(starts)
    if match is None:
        raise fail("CX_DIGEST_DAY_STARTS", starts, "'HH:MM' (24-hour)")
    title_format = read_text(values, "CX_DIGEST_TITLE", required=True)
    try:
        title_format.format(name="n", lead_title="t", date=SAMPLES["date"])
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        raise fail(
            "CX_DIGEST_TITLE",
            title_format,
            f"a title that may use {{name}}, {{lead_title}} and {{date}} ({exc})",
        ) from exc
    stamp = _stamp_format(values)
    tz_name = settings.get("TIMEZONE") or "UTC"
    try:
        timezone = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise fail("TIMEZONE", tz_name, "a known time zone") from exc

    name = read_text(values, "CX_DIGEST_NAME", required=True)
    public_url = _public_url(values, settings.get("SITEURL"))
    host = urlsplit(public_url).hostname or "localhost"
    site_name = xml_safe(str(settings.get("SITENAME") or name))
    site_subtitle = xml_safe(str(settings.get("SITESUBTITLE") or ""))
    author = xml_safe(str(settings.get("AUTHOR") or ""))
    language = str(settings.get("DEFAULT_LANG") or "en")
    return DigestSettings(
        name=name,
        title_format=title_format,
        stamp_format=stamp,
        footer_text=read_text(values, "CX_DIGEST_FOOTER_TEXT"),
        subscribe_url=read_web_url(values, "CX_DIGEST_SUBSCRIBE_URL", mailto=True),
        subscribe_text=read_text(values, "CX_DIGEST_SUBSCRIBE_TEXT"),
        qr_code=read_flag(values, "CX_DIGEST_QR_CODE"),
        day_starts=time(int(match.group(1)), int(match.group(2))),
        sections=_sections(values),
        editions_path=_editions_path(values),
        hot_topics_days=read_count(values, "CX_DIGEST_HOT_TOPICS_DAYS", 1),
        hot_topics_count=read_count(values, "CX_DIGEST_HOT_TOPICS_COUNT", 0),
        hot_topics_min_stories=read_count(
            values, "CX_DIGEST_HOT_TOPICS_MIN_STORIES", 1
        ),
        public_url=public_url,
        url=read_path(values, "CX_DIGEST_URL", ("date",)),
        save_as=read_path(values, "CX_DIGEST_SAVE_AS", ("date",)),
        archive_url=read_path(values, "CX_DIGEST_ARCHIVE_URL", ("number",)),
        archive_save_as=read_path(values, "CX_DIGEST_ARCHIVE_SAVE_AS", ("number",)),
        archive_page_url=read_path(values, "CX_DIGEST_ARCHIVE_PAGE_URL", ("number",)),
        archive_page_save_as=read_path(
            values, "CX_DIGEST_ARCHIVE_PAGE_SAVE_AS", ("number",)
        ),
        archive_per_page=read_count(values, "CX_DIGEST_ARCHIVE_PER_PAGE", 1),
        home_save_as=read_path(values, "CX_DIGEST_HOME_SAVE_AS"),
        stylesheet_save_as=read_path(
            values, "CX_DIGEST_STYLESHEET_SAVE_AS", suffix=".css"
        ),
        strict=read_flag(values, "CX_DIGEST_STRICT"),
        story_html=_story_html(values),
        feeds=load_feeds(values, host, name, site_subtitle, author or site_name),
        email=load_email(values, host, name),
        seo=load_seo(values, name, language),
        timezone=timezone,
        relative_urls=bool(settings.get("RELATIVE_URLS", False)),
        site_name=site_name,
        site_subtitle=site_subtitle,
        author=author,
        language=language,
        host=host,
        raw=values,
    )
