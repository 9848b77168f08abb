"""Sharing and discovery: page metadata, JSON-LD, sitemaps, robots.txt.

Templates call :func:`page_meta` (``cx_meta(...)``) for each page's head and
:func:`share_links` (``cx_share_links(url, title)``) for the share block.
Every HTML page Pelican writes is recorded through the ``content_written``
signal (:func:`record_page`) on a per-run :class:`SeoRun` kept in the shared
generator context; :func:`write` then writes ``sitemap.xml``,
``news-sitemap.xml`` and ``robots.txt`` once all pages exist.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode
from xml.sax.saxutils import escape as xml_escape
from zoneinfo import ZoneInfo

from jinja2 import pass_context
from lxml import etree
from markupsafe import Markup, escape

from .settings import DigestSettings, SettingsError
from .text import has_scheme, is_web_url, plain_text, summary_from_body

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
NEWS_WINDOW = timedelta(hours=48)
NEWS_MAX = 1000
SITEMAP_MAX = 50_000
DESCRIPTION_LENGTH = 160
CONTEXT_KEY = "cx_digest_seo"
SUBSCRIBERS = ("subscribers", "subscriber", "subscribers-only")
PAYWALL_CLASS = "cx-paywalled"

_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z]{2,4})?$")
_OG_LOCALE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
_SITEMAP_NAME = re.compile(r"^[A-Za-z0-9._/-]+\.xml$")


# -- settings -----------------------------------------------------------------


@dataclass(frozen=True)
class SeoSettings:
    sitemap: str  # "" turns it off
    news_sitemap: str
    robots_txt: bool
    publisher_name: str
    publisher_logo: str  # site path or absolute URL, or ""
    publisher_logo_size: tuple[int, int] | None
    news_language: str
    og_locale: str
    share: bool
    site_name: str
    author: str


def _sitemap_name(raw: Mapping[str, Any], key: str) -> str:
    value = raw[key]
    if not isinstance(value, str) or (
        value != ""
        and (
            not _SITEMAP_NAME.match(value)
            or value.startswith("/")
            or ".." in value.split("/")
        )
    ):
        raise SettingsError(
            f"cx_digest: setting {key} = {value!r} is invalid: expected a file "
            "name ending in .xml, relative to the output folder, or '' (off)"
        )
    return value


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw[key]
    if not isinstance(value, str):
        raise SettingsError(
            f"cx_digest: setting {key} = {value!r} is invalid: expected a string"
        )
    return value.strip()


def _flag(raw: Mapping[str, Any], key: str) -> bool:
    value = raw[key]
    if not isinstance(value, bool):
        raise SettingsError(
            f"cx_digest: setting {key} = {value!r} is invalid: expected True or False"
        )
    return value


def load(
    digest: DigestSettings,
    settings: Mapping[str, Any],
    content_path: str,
    image_size: Any = None,
) -> SeoSettings:
    """Read and validate the SEO settings (``digest.raw`` has the defaults)."""
    raw = digest.raw
    lang = str(settings.get("DEFAULT_LANG") or "en")

    news_language = _text(raw, "CX_DIGEST_NEWS_LANGUAGE") or lang
    if not _LANG.match(news_language):
        key = (
            "CX_DIGEST_NEWS_LANGUAGE"
            if raw["CX_DIGEST_NEWS_LANGUAGE"]
            else ("DEFAULT_LANG")
        )
        raise SettingsError(
            f"cx_digest: setting {key} = {news_language!r} is invalid: expected an "
            "ISO 639 language code such as 'en', 'zh-cn' or 'zh-tw'"
        )

    og_locale = _text(raw, "CX_DIGEST_OG_LOCALE")
    if og_locale and not _OG_LOCALE.match(og_locale):
        raise SettingsError(
            f"cx_digest: setting CX_DIGEST_OG_LOCALE = {og_locale!r} is invalid: "
            "expected language_TERRITORY such as 'en_US' or 'zh_CN'"
        )
    if not og_locale:
        parts = lang.replace("_", "-").split("-")
        og_locale = parts[0].lower()
        if len(parts) > 1 and len(parts[1]) == 2:
            og_locale += "_" + parts[1].upper()

    logo = _text(raw, "CX_DIGEST_PUBLISHER_LOGO")
    logo_size: tuple[int, int] | None = None
    if logo:
        if has_scheme(logo):
            if not is_web_url(logo):
                raise SettingsError(
                    f"cx_digest: setting CX_DIGEST_PUBLISHER_LOGO = {logo!r} is "
                    "invalid: expected a path under content/ or an http(s) URL"
                )
        else:
            logo = logo.lstrip("/")
            if ".." in Path(logo).parts:
                raise SettingsError(
                    f"cx_digest: setting CX_DIGEST_PUBLISHER_LOGO = {logo!r} is "
                    "invalid: expected a path under content/ or an http(s) URL"
                )
            # Its pixel size when the file is there (Google wants both).
            full = os.path.join(content_path, logo)
            if image_size is not None and os.path.isfile(full):
                logo_size = image_size(full)

    return SeoSettings(
        sitemap=_sitemap_name(raw, "CX_DIGEST_SITEMAP"),
        news_sitemap=_sitemap_name(raw, "CX_DIGEST_NEWS_SITEMAP"),
        robots_txt=_flag(raw, "CX_DIGEST_ROBOTS_TXT"),
        publisher_name=_text(raw, "CX_DIGEST_PUBLISHER_NAME") or digest.name,
        publisher_logo=logo,
        publisher_logo_size=logo_size,
        news_language=news_language.lower(),
        og_locale=og_locale,
        share=_flag(raw, "CX_DIGEST_SHARE"),
        site_name=str(settings.get("SITENAME") or digest.name),
        author=str(settings.get("AUTHOR") or ""),
    )


# -- per-run state ---------------------------------------------------------


@dataclass
class SeoRun:
    """What one Pelican run needs for its sitemaps; lives in the context."""

    digest: DigestSettings
    settings: SeoSettings
    pages: dict[str, datetime | None] = field(default_factory=dict)
    _newest: tuple[int, int, datetime | None] | None = None
    # Values the same for every page of the run (publisher, authors), built
    # once instead of per page.
    _memo: dict[Any, Any] = field(default_factory=dict)

    def newest(self, articles: Any) -> datetime | None:
        """The newest date among ``articles`` (cached for the shared list)."""
        items = list(articles or [])
        key = (id(articles), len(items))
        if self._newest is not None and self._newest[:2] == key:
            return self._newest[2]
        value = max((_changed(a, self.digest.timezone) for a in items), default=None)
        self._newest = (key[0], key[1], value)
        return value

    def record(self, name: str, context: Mapping[str, Any]) -> None:
        """Note one written page and its last change (from content dates)."""
        if not name.endswith((".html", ".htm")):
            return
        tz = self.digest.timezone
        content = context.get("article") or context.get("page")
        lastmod: datetime | None
        path = page_path(name)
        # The content's own page. Its URL (kept formatted by the plugin) says
        # so in the usual case (x/ saved as x/index.html, or x.html); else
        # save_as, which Pelican formats anew on every read.
        url = getattr(content, "url", None) if content is not None else None
        if path == url:
            path = url  # the same text: keep one copy for the sitemap
        if content is not None and (
            path == url or name == getattr(content, "save_as", None)
        ):
            if getattr(content, "status", "published") != "published":
                return  # drafts and hidden pages stay out of the sitemap
            lastmod = _changed(content, tz)
        elif "edition" in context and context["edition"] is not None:
            lastmod = context["edition"].stamp
        elif context.get("archive_editions"):
            lastmod = max(e.stamp for e in context["archive_editions"])
        elif context.get("articles_page") is not None:
            lastmod = max(
                (_changed(a, tz) for a in context["articles_page"].object_list),
                default=None,
            )
        else:
            lastmod = None
        if lastmod is None:
            lastmod = self.newest(context.get("articles"))
        self.pages[path] = lastmod


def _aware(moment: datetime, tz: ZoneInfo) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(tz)


def _changed(content: Any, tz: ZoneInfo) -> datetime | None:
    """A content object's last change: ``Modified`` if later, else ``Date``."""
    dates = [
        _aware(d, tz)
        for d in (getattr(content, "date", None), getattr(content, "modified", None))
        if isinstance(d, datetime)
    ]
    return max(dates) if dates else None


def w3c(moment: datetime) -> str:
    """W3C datetime with offset: ``2026-11-18T08:40:00+08:00``."""
    return moment.isoformat(timespec="seconds")


def page_path(name: str) -> str:
    """The URL path of an output file: ``a/b/index.html`` is ``a/b/``."""
    name = name.replace(os.sep, "/").lstrip("/")
    if name == "index.html":
        return ""
    if name.endswith("/index.html"):
        return name[: -len("index.html")]
    return name


def absolute(digest: DigestSettings, path: str) -> str:
    """An absolute, percent-encoded URL for a site path or URL."""
    if path.startswith(("http://", "https://")):
        return path
    return digest.absolute(quote(path.lstrip("/"), safe="/%:@-._~!$&'()*+,;="))


def setup(generator: Any) -> SeoRun:
    """Load the settings and put this run's :class:`SeoRun` in the context."""
    seo_settings = load(
        generator.digest,
        generator.settings,
        generator.path,
        getattr(generator, "image_size", None),
    )
    run = SeoRun(generator.digest, seo_settings)
    generator.context[CONTEXT_KEY] = run
    return run


def record_page(path: str, context: Mapping[str, Any] | None = None) -> None:
    """``content_written`` receiver: every page Pelican or a plugin writes."""
    if not context:
        return
    run = context.get(CONTEXT_KEY)
    name = context.get("output_file")
    if isinstance(run, SeoRun) and isinstance(name, str):
        run.record(name, context)


# -- text -------------------------------------------------------------------


def describe(fragment: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """Plain text of an HTML fragment, cut at a word boundary to ``limit``."""
    text = plain_text(fragment or "")
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if not text[limit - 1].isspace():  # mid-word: back to the last space
        space = cut.rfind(" ")
        if space > limit // 2:
            cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


def _one_line(text: str) -> str:
    """A plain-text title (Pelican keeps ``Title`` as written) on one line."""
    return " ".join(text.split())


def _story_summary(article: Any) -> str:
    meta = getattr(article, "metadata", {}) or {}
    if meta.get("summary"):
        return str(meta["summary"])
    body = getattr(article, "_content", None) or ""
    return summary_from_body(str(body))


def _subscribers_only(article: Any) -> bool:
    meta = getattr(article, "metadata", {}) or {}
    value = meta.get("access")
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").strip().casefold() in SUBSCRIBERS


def json_ld(data: Any) -> Markup:
    """A ``<script type="application/ld+json">`` block that HTML cannot break.

    ``<``, ``>`` and ``&`` are written as JSON ``\\u`` escapes, so text such
    as ``</script>`` or ``<!--`` in a headline stays inside the string.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
    return Markup(f'<script type="application/ld+json">{text}</script>')


# -- page metadata ------------------------------------------------------------


@dataclass(frozen=True)
class MetaImage:
    url: str
    alt: str
    width: int | None = None
    height: int | None = None
    type: str = ""


@dataclass(frozen=True)
class Meta:
    """What partials/meta.html prints. Text is plain (the template escapes)."""

    title: str
    description: str
    canonical: str
    og_type: str
    site_name: str
    locale: str
    image: MetaImage | None = None
    published: str = ""
    modified: str = ""
    section: str = ""
    tags: tuple[str, ...] = ()
    twitter_card: str = "summary"
    json_ld: Markup = field(default_factory=Markup)

    def head_html(self) -> Markup:
        """The tags partials/meta.html prints, one per line (two-space
        indent, no final newline): built here rather than in Jinja, since
        every page of the site prints them."""
        title = escape(self.title)
        description = escape(self.description)
        canonical = escape(self.canonical)
        lines = [
            f'<link rel="canonical" href="{canonical}">',
            f'<meta name="description" content="{description}">',
            f'<meta property="og:site_name" content="{escape(self.site_name)}">',
            f'<meta property="og:locale" content="{escape(self.locale)}">',
            f'<meta property="og:type" content="{escape(self.og_type)}">',
            f'<meta property="og:title" content="{title}">',
            f'<meta property="og:description" content="{description}">',
            f'<meta property="og:url" content="{canonical}">',
        ]
        image = self.image
        if image:
            image_url = escape(image.url)
            image_alt = escape(image.alt)
            lines.append(f'<meta property="og:image" content="{image_url}">')
            if image.type:
                lines.append(
                    f'<meta property="og:image:type" content="{escape(image.type)}">'
                )
            if image.width and image.height:
                lines.append(
                    f'<meta property="og:image:width" content="{image.width}">'
                )
                lines.append(
                    f'<meta property="og:image:height" content="{image.height}">'
                )
            lines.append(f'<meta property="og:image:alt" content="{image_alt}">')
        if self.published:
            lines.append(
                '<meta property="article:published_time" '
                f'content="{escape(self.published)}">'
            )
        if self.modified:
            lines.append(
                '<meta property="article:modified_time" '
                f'content="{escape(self.modified)}">'
            )
        if self.section:
            lines.append(
                f'<meta property="article:section" content="{escape(self.section)}">'
            )
        for tag in self.tags:
            lines.append(f'<meta property="article:tag" content="{escape(tag)}">')
        lines.append(
            f'<meta name="twitter:card" content="{escape(self.twitter_card)}">'
        )
        lines.append(f'<meta name="twitter:title" content="{title}">')
        lines.append(f'<meta name="twitter:description" content="{description}">')
        if image:
            lines.append(f'<meta name="twitter:image" content="{image_url}">')
            lines.append(f'<meta name="twitter:image:alt" content="{image_alt}">')
        lines.append(str(self.json_ld))
        return Markup("  " + "\n  ".join(lines))


_MIME = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
_MIME |= {".webp": "image/webp", ".gif": "image/gif", ".avif": "image/avif"}


def _image(digest: DigestSettings, image: Any) -> MetaImage | None:
    if image is None or not getattr(image, "src", ""):
        return None
    suffix = os.path.splitext(image.src.split("?", 1)[0])[1].lower()
    return MetaImage(
        absolute(digest, image.src),
        image.alt,
        image.width,
        image.height,
        _MIME.get(suffix, ""),
    )


def _logo(run: SeoRun) -> dict[str, Any] | None:
    logo = run.settings.publisher_logo
    if not logo:
        return None
    data: dict[str, Any] = {"@type": "ImageObject", "url": absolute(run.digest, logo)}
    if run.settings.publisher_logo_size:
        data["width"], data["height"] = run.settings.publisher_logo_size
    return data


def _publisher(run: SeoRun) -> dict[str, Any]:
    data = run._memo.get("publisher")
    if data is None:
        data = run._memo["publisher"] = _make_publisher(run)
    return data


def _make_publisher(run: SeoRun) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@type": "Organization",
        "name": run.settings.publisher_name,
        "url": run.digest.absolute(""),
    }
    logo = _logo(run)
    if logo:
        data["logo"] = logo
    return data


def _authors(run: SeoRun, article: Any) -> list[dict[str, Any]]:
    names = tuple(str(a.name) for a in getattr(article, "authors", None) or [])
    key = ("authors", names)
    people = run._memo.get(key)
    if people is None:
        people = run._memo[key] = _make_authors(run, list(names))
    return people


def _make_authors(run: SeoRun, names: list[str]) -> list[dict[str, Any]]:
    if not names and run.settings.author:
        names = [run.settings.author]
    organisations = {
        n.casefold()
        for n in (
            run.settings.author,
            run.settings.publisher_name,
            run.settings.site_name,
        )
        if n
    }
    people: list[dict[str, Any]] = []
    for name in names:
        if name.casefold() in organisations:
            people.append(
                {"@type": "Organization", "name": name, "url": run.digest.absolute("")}
            )
        else:
            people.append({"@type": "Person", "name": name})
    return people or [_publisher(run)]


def _website(run: SeoRun, lang: str) -> dict[str, Any]:
    return {
        "@type": "WebSite",
        "name": run.settings.site_name,
        "url": run.digest.absolute(""),
        "inLanguage": lang,
        "publisher": _publisher(run),
    }


def story_meta(run: SeoRun, article: Any, canonical: str, lang: str) -> Meta:
    tz = run.digest.timezone
    published = _aware(article.date, tz)
    modified = _changed(article, tz) or published
    published_text = w3c(published)
    modified_text = published_text if modified == published else w3c(modified)
    kicker = (getattr(article, "metadata", {}) or {}).get("kicker") or ""
    if isinstance(kicker, list):
        kicker = kicker[0] if kicker else ""
    title = _one_line(str(article.title))
    headline = f"{kicker}: {title}" if kicker else title
    description = describe(_story_summary(article))
    image = _image(run.digest, getattr(article, "digest_image", None))
    category = getattr(article, "category", None)
    section = str(category.name) if category is not None else ""
    tags = tuple(str(t.name) for t in getattr(article, "tags", None) or [])

    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "url": canonical,
        "headline": headline,
        "description": description,
        "datePublished": published_text,
        "dateModified": modified_text,
        "author": _authors(run, article),
        "publisher": _publisher(run),
        "inLanguage": lang,
    }
    if image:
        data["image"] = [image.url]
    if section:
        data["articleSection"] = section
    if tags:
        data["keywords"] = list(tags)
    edition = getattr(article, "digest_edition", None)
    if edition is not None:
        data["isPartOf"] = {
            "@type": "CollectionPage",
            "@id": absolute(run.digest, edition.url),
            "name": edition.title,
        }
    if _subscribers_only(article):
        data["isAccessibleForFree"] = False
        data["hasPart"] = {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": f".{PAYWALL_CLASS}",
        }
    return Meta(
        title=headline,
        description=description,
        canonical=canonical,
        og_type="article",
        site_name=run.settings.site_name,
        locale=run.settings.og_locale,
        image=image,
        published=published_text,
        modified=modified_text,
        section=section,
        tags=tags,
        twitter_card="summary_large_image" if image else "summary",
        json_ld=json_ld(data),
    )


def _edition_image(edition: Any) -> Any:
    if edition.lead is not None and edition.lead.image is not None:
        return edition.lead.image
    for story in edition.stories:
        if story.image is not None:
            return story.image
    return None


def _edition_description(edition: Any) -> str:
    if edition.note_html:
        return describe(edition.note_html)
    summary = edition.lead.summary if edition.lead is not None else ""
    if summary:
        return describe(summary)
    return describe("; ".join(s.headline for s in edition.stories))


def edition_data(run: SeoRun, edition: Any, canonical: str, lang: str) -> dict:
    """The edition as a schema.org CollectionPage of its stories, in order."""
    image = _image(run.digest, _edition_image(edition))
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "CollectionPage",
        "@id": canonical,
        "url": canonical,
        "name": edition.title,
        "headline": edition.title,
        "description": _edition_description(edition),
        "datePublished": w3c(_aware(edition.stamp, run.digest.timezone)),
        "inLanguage": lang,
        "isPartOf": {
            "@type": "WebSite",
            "name": run.settings.site_name,
            "url": run.digest.absolute(""),
        },
        "publisher": _publisher(run),
        "mainEntity": {
            "@type": "ItemList",
            "itemListOrder": "https://schema.org/ItemListOrderAscending",
            "numberOfItems": len(edition.stories),
            "itemListElement": [
                {
                    "@type": "ListItem",
                    "position": position,
                    "url": absolute(run.digest, story.url),
                    "name": story.headline,
                }
                for position, story in enumerate(edition.stories, start=1)
            ],
        },
    }
    if image:
        data["image"] = [image.url]
    return data


def edition_meta(
    run: SeoRun, edition: Any, canonical: str, lang: str, home: bool = False
) -> Meta:
    image = _image(run.digest, _edition_image(edition))
    stamp = w3c(_aware(edition.stamp, run.digest.timezone))
    data: Any = edition_data(run, edition, canonical, lang)
    if home:
        website = _website(run, lang)
        data.pop("@context")
        data = {"@context": "https://schema.org", "@graph": [website, data]}
    return Meta(
        title=edition.title,
        description=data["description"] if not home else _edition_description(edition),
        canonical=canonical,
        og_type="website" if home else "article",
        site_name=run.settings.site_name,
        locale=run.settings.og_locale,
        image=image,
        published="" if home else stamp,
        modified="" if home else stamp,
        tags=tuple(t.label for t in edition.hot_topics) if not home else (),
        twitter_card="summary_large_image" if image else "summary",
        json_ld=json_ld(data),
    )


def list_meta(
    run: SeoRun, title: str, description: str, canonical: str, lang: str
) -> Meta:
    logo = run.settings.publisher_logo
    image = None
    if logo:
        width, height = run.settings.publisher_logo_size or (None, None)
        image = MetaImage(
            absolute(run.digest, logo),
            run.settings.publisher_name,
            width,
            height,
            _MIME.get(os.path.splitext(logo)[1].lower(), ""),
        )
    data = {
        "@context": "https://schema.org",
        "@type": "WebPage",
        "@id": canonical,
        "url": canonical,
        "name": title,
        "description": description,
        "inLanguage": lang,
        "isPartOf": {
            "@type": "WebSite",
            "name": run.settings.site_name,
            "url": run.digest.absolute(""),
        },
    }
    return Meta(
        title=title,
        description=description,
        canonical=canonical,
        og_type="website",
        site_name=run.settings.site_name,
        locale=run.settings.og_locale,
        image=image,
        twitter_card="summary",
        json_ld=json_ld(data),
    )


@pass_context
def page_meta(
    context: Any,
    kind: str = "website",
    item: Any = None,
    title: str = "",
    description: str = "",
) -> Meta | None:
    """``cx_meta(kind, item, title=..., description=...)`` for templates.

    ``kind`` is ``story`` (item: the article), ``edition`` or ``home``
    (item: the edition, may be None) or ``website`` (lists and other
    pages: ``title`` and ``description`` are used as given).
    """
    run = context.get(CONTEXT_KEY)
    if not isinstance(run, SeoRun):
        return None
    lang = str(context.get("DEFAULT_LANG") or "en")
    output_file = context.get("output_file") or ""
    canonical = absolute(run.digest, page_path(output_file))
    title = html.unescape(plain_text(str(title))) or run.settings.site_name
    if kind == "story" and item is not None:
        lang = str(getattr(item, "lang", None) or lang)
        return story_meta(run, item, absolute(run.digest, item.url), lang)
    if kind == "edition" and item is not None:
        return edition_meta(run, item, absolute(run.digest, item.url), lang)
    if kind == "home" and item is not None:
        return edition_meta(run, item, canonical, lang, home=True)
    subtitle = str(context.get("SITESUBTITLE") or "")
    text = describe(html.unescape(plain_text(str(description)))) or describe(
        subtitle or run.settings.site_name
    )
    return list_meta(run, title, text, canonical, lang)


# -- share block -------------------------------------------------------------


@dataclass(frozen=True)
class ShareLink:
    key: str
    label: str
    href: str


def _query(params: Mapping[str, str]) -> str:
    return urlencode(params, quote_via=quote, safe="")


def share_links(url: str, title: str) -> list[ShareLink]:
    """Plain share links (no scripts) for an absolute ``url``.

    The same as ``_query({...})`` for each link, with each value quoted once.
    """
    title = _one_line(str(title))
    q_title = quote(title, safe="")
    q_url = quote(url, safe="")
    q_body = quote(f"{title}\r\n{url}", safe="")
    return [
        ShareLink("email", "Email", f"mailto:?subject={q_title}&body={q_body}"),
        ShareLink(
            "x",
            "X (Twitter)",
            f"https://twitter.com/intent/tweet?text={q_title}&url={q_url}",
        ),
        ShareLink(
            "linkedin",
            "LinkedIn",
            f"https://www.linkedin.com/sharing/share-offsite/?url={q_url}",
        ),
        ShareLink(
            "weibo",
            "Weibo",
            f"https://service.weibo.com/share/share.php?url={q_url}&title={q_title}",
        ),
    ]


# -- sitemaps and robots.txt ----------------------------------------------------


def sitemap_lines(
    digest: DigestSettings, pages: Mapping[str, datetime | None]
) -> Iterator[str]:
    """A sitemap of ``pages`` (URL path to last change), sorted by URL, as
    text pieces: written as it is made, with no tree of every URL in memory
    (the same bytes lxml's pretty printer gives; tests compare the two)."""
    yield "<?xml version='1.0' encoding='UTF-8'?>\n"
    entries = sorted(
        (absolute(digest, path), lastmod) for path, lastmod in pages.items()
    )
    if not entries:
        yield f'<urlset xmlns="{SITEMAP_NS}"/>\n'
        return
    yield f'<urlset xmlns="{SITEMAP_NS}">\n'
    tz = digest.timezone
    for loc, lastmod in entries:
        yield f"  <url>\n    <loc>{xml_escape(loc)}</loc>\n"
        if lastmod is not None:
            yield f"    <lastmod>{w3c(_aware(lastmod, tz))}</lastmod>\n"
        yield "  </url>\n"
    yield "</urlset>\n"


def sitemap_xml(digest: DigestSettings, pages: Mapping[str, datetime | None]) -> bytes:
    return "".join(sitemap_lines(digest, pages)).encode("utf-8")


def sitemap_index_xml(
    digest: DigestSettings, files: Iterable[tuple[str, datetime | None]]
) -> bytes:
    nsmap = {None: SITEMAP_NS}
    root = etree.Element(f"{{{SITEMAP_NS}}}sitemapindex", nsmap=nsmap)
    for name, lastmod in files:
        item = etree.SubElement(root, f"{{{SITEMAP_NS}}}sitemap")
        etree.SubElement(item, f"{{{SITEMAP_NS}}}loc").text = absolute(digest, name)
        if lastmod is not None:
            etree.SubElement(item, f"{{{SITEMAP_NS}}}lastmod").text = w3c(lastmod)
    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )


@dataclass(frozen=True)
class NewsItem:
    url: str  # site path
    title: str
    date: datetime


def news_window(items: Iterable[NewsItem], limit: int = NEWS_MAX) -> list[NewsItem]:
    """Stories of the 48 hours up to the newest story, newest first.

    The window is anchored on the newest story, never on the clock, so a
    rebuild of old content gives the same file.
    """
    ordered = sorted(items, key=lambda i: (i.date, i.url), reverse=True)
    if not ordered:
        return []
    start = ordered[0].date - NEWS_WINDOW
    return [i for i in ordered if i.date >= start][:limit]


def news_sitemap_xml(run: SeoRun, items: Iterable[NewsItem]) -> bytes:
    nsmap = {None: SITEMAP_NS, "news": NEWS_NS}
    root = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap=nsmap)
    for item in news_window(items):
        url = etree.SubElement(root, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = absolute(
            run.digest, item.url
        )
        news = etree.SubElement(url, f"{{{NEWS_NS}}}news")
        publication = etree.SubElement(news, f"{{{NEWS_NS}}}publication")
        etree.SubElement(
            publication, f"{{{NEWS_NS}}}name"
        ).text = run.settings.publisher_name
        etree.SubElement(
            publication, f"{{{NEWS_NS}}}language"
        ).text = run.settings.news_language
        etree.SubElement(news, f"{{{NEWS_NS}}}publication_date").text = w3c(
            _aware(item.date, run.digest.timezone)
        )
        etree.SubElement(news, f"{{{NEWS_NS}}}title").text = item.title
    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )


def robots_txt(run: SeoRun) -> str:
    lines = ["User-agent: *", "Allow: /", ""]
    for name in (run.settings.sitemap, run.settings.news_sitemap):
        if name:
            lines.append(f"Sitemap: {absolute(run.digest, name)}")
    return "\n".join(lines).rstrip("\n") + "\n"


def _save_lines(output_path: str, name: str, pieces: Iterable[str]) -> None:
    target = Path(output_path, name)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="\n") as handle:
        handle.writelines(pieces)


def _save(output_path: str, name: str, data: bytes) -> None:
    target = Path(output_path, name)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def write(generator: Any, writer: Any = None) -> None:
    """Write the sitemaps and robots.txt (after every page is written)."""
    run = generator.context.get(CONTEXT_KEY)
    if not isinstance(run, SeoRun):
        return
    cfg = run.settings
    out = generator.output_path
    if cfg.sitemap:
        pages = run.pages
        if len(pages) <= SITEMAP_MAX:
            _save_lines(out, cfg.sitemap, sitemap_lines(run.digest, pages))
        else:
            # Over 50,000 URLs: numbered sitemaps and an index in their place.
            stem = cfg.sitemap[: -len(".xml")]
            keys = sorted(pages, key=lambda p: absolute(run.digest, p))
            parts: list[tuple[str, datetime | None]] = []
            for number, start in enumerate(range(0, len(keys), SITEMAP_MAX), 1):
                chunk = {k: pages[k] for k in keys[start : start + SITEMAP_MAX]}
                name = f"{stem}-{number}.xml"
                _save(out, name, sitemap_xml(run.digest, chunk))
                dates = [d for d in chunk.values() if d is not None]
                parts.append((name, max(dates) if dates else None))
            _save(out, cfg.sitemap, sitemap_index_xml(run.digest, parts))
    if cfg.news_sitemap:
        tz = run.digest.timezone
        dated = [
            (_aware(a.date, tz), a)
            for a in generator.context.get("articles", [])
            if getattr(a, "status", "published") == "published"
        ]
        # Only stories inside the window can be listed: build (and format
        # the URL of) those alone; news_window gives the same list.
        start = max((d for d, _ in dated), default=None)
        items = [
            NewsItem(a.url, _one_line(str(a.title)), moment)
            for moment, a in dated
            if start is not None and moment >= start - NEWS_WINDOW
        ]
        _save(out, cfg.news_sitemap, news_sitemap_xml(run, items))
    if cfg.robots_txt:
        _save(out, "robots.txt", robots_txt(run).encode("utf-8"))
