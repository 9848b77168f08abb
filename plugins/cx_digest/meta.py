"""Page metadata: canonical URL, description, Open Graph and JSON-LD.

Templates call :func:`page_meta` (``cx_meta(kind, item, ...)``) and print
the result with the ``digest/_meta.html`` partial.
What a page needs beyond its own context (settings, the publisher, the
stories' texts) is a :class:`MetaRun`, kept in the shared generator
context under :data:`CONTEXT_KEY` for the length of one build.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jinja2 import pass_context
from markupsafe import Markup

from .editions import local_time
from .markup import plain_text
from .model import Edition, Image, Story, updated_of
from .settings import DigestSettings
from .stories import StoryTexts

CONTEXT_KEY = "cx_digest_meta"
DESCRIPTION_LENGTH = 160
PAYWALL_CLASS = "cx-paywalled"
_MIME = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".avif": "image/avif",
}


@dataclass(frozen=True)
class MetaImage:
    url: str
    alt: str
    width: int | None = None
    height: int | None = None
    type: str = ""


@dataclass(frozen=True)
class Meta:
    """What ``digest/_meta.html`` prints. Text is plain (the partial escapes)."""

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


@dataclass
class MetaRun:
    """One build's constants for page metadata."""

    settings: DigestSettings
    texts: StoryTexts
    logo_size: tuple[int, int] | None = None
    publisher: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        self.publisher = {
            "@type": "Organization",
            "name": self.settings.seo.publisher_name,
            "url": self.settings.absolute(""),
        }
        logo = self.logo()
        if logo is not None:
            self.publisher["logo"] = {"@type": "ImageObject", "url": logo.url}
            if logo.width and logo.height:
                self.publisher["logo"] |= {"width": logo.width, "height": logo.height}

    def meta(
        self,
        title: str,
        description: str,
        canonical: str,
        og_type: str,
        image: MetaImage | None,
        data: dict[str, Any],
        **extra: Any,
    ) -> Meta:
        """A page's :class:`Meta`, its JSON-LD from ``data``."""
        fields: dict[str, Any] = {
            "twitter_card": "summary_large_image" if image else "summary",
            **extra,
        }
        return Meta(
            title,
            description,
            canonical,
            og_type,
            self.settings.site_name,
            self.settings.seo.og_locale,
            image,
            json_ld=json_ld(data),
            **fields,
        )

    def logo(self) -> MetaImage | None:
        logo = self.settings.seo.publisher_logo
        if not logo:
            return None
        width, height = self.logo_size or (None, None)
        name = self.settings.seo.publisher_name
        return MetaImage(self.settings.absolute(logo), name, width, height, _mime(logo))


def _mime(src: str) -> str:
    return _MIME.get(os.path.splitext(src.split("?", 1)[0])[1].lower(), "")


def w3c(moment: datetime) -> str:
    """W3C datetime with offset: ``2026-11-18T08:40:00+08:00``."""
    return moment.isoformat(timespec="seconds")


def describe(fragment: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """Plain text of an HTML fragment, cut at a word boundary to ``limit``."""
    return shorten(plain_text(fragment or ""), limit)


def shorten(text: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """Plain text cut at a word boundary to ``limit``."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if not text[limit - 1].isspace():  # mid-word: back to the last space
        space = cut.rfind(" ")
        if space > limit // 2:
            cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


def json_ld(data: Any) -> Markup:
    """A ``<script type="application/ld+json">`` block that HTML cannot break.

    ``<``, ``>`` and ``&`` are written as JSON ``\\u`` escapes, so text such
    as ``</script>`` or ``<!--`` in a headline stays inside the string.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return Markup(f'<script type="application/ld+json">{text}</script>')


def _image(run: MetaRun, image: Image | None) -> MetaImage | None:
    if image is None or not image.src:
        return None
    url = run.settings.absolute(image.src)
    return MetaImage(url, image.alt, image.width, image.height, _mime(image.src))


def _people(run: MetaRun, names: tuple[str, ...]) -> list[dict[str, Any]]:
    settings = run.settings
    names = names or ((settings.author,) if settings.author else ())
    organisations = {
        n.casefold()
        for n in (settings.author, settings.seo.publisher_name, settings.site_name)
        if n
    }
    people = [
        {"@type": "Organization", "name": name, "url": settings.absolute("")}
        if name.casefold() in organisations
        else {"@type": "Person", "name": name}
        for name in names
    ]
    return people or [run.publisher]


def _website(run: MetaRun, lang: str) -> dict[str, Any]:
    return {
        "@type": "WebSite",
        "name": run.settings.site_name,
        "url": run.settings.absolute(""),
        "inLanguage": lang,
        "publisher": run.publisher,
    }


def story_meta(run: MetaRun, article: Any, canonical: str, lang: str) -> Meta:
    """A story page (any status): ``NewsArticle``."""
    settings = run.settings
    story: Story | None = getattr(article, "digest_story", None)
    tz = settings.timezone
    published = local_time(article.date, tz)
    modified = getattr(article, "modified", None)
    changed = updated_of(published, local_time(modified, tz) if modified else None)
    # Set by the digest for every story page, listed or not (generator.py).
    headline = article.digest_headline
    subscribers = article.digest_subscribers
    if story is not None:
        image, description = story.image, shorten(story.summary_text)
    else:  # a hidden story or a draft: not in any edition
        image = None
        description = shorten(run.texts.article_summary_text(article, article.url))
    meta_image = _image(run, image)
    section = str(article.category.name) if getattr(article, "category", None) else ""
    tags = tuple(str(t.name) for t in getattr(article, "tags", None) or [])
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "url": canonical,
        "headline": headline,
        "description": description,
        "datePublished": w3c(published),
        "dateModified": w3c(changed),
        "author": _people(
            run, tuple(str(a.name) for a in getattr(article, "authors", []))
        ),
        "publisher": run.publisher,
        "inLanguage": lang,
    }
    if meta_image:
        data["image"] = [meta_image.url]
    if section:
        data["articleSection"] = section
    if tags:
        data["keywords"] = list(tags)
    edition = getattr(article, "digest_edition", None)
    if edition is not None:
        data["isPartOf"] = {
            "@type": "CollectionPage",
            "@id": settings.absolute(edition.url),
            "name": edition.title,
        }
    if subscribers:
        data["isAccessibleForFree"] = False
        data["hasPart"] = {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": f".{PAYWALL_CLASS}",
        }
    return run.meta(
        headline,
        description,
        canonical,
        "article",
        meta_image,
        data,
        published=w3c(published),
        modified=w3c(changed),
        section=section,
        tags=tags,
    )


def _edition_image(edition: Edition) -> Image | None:
    if edition.lead is not None and edition.lead.image is not None:
        return edition.lead.image
    return next((s.image for s in edition.stories if s.image is not None), None)


def edition_description(edition: Edition) -> str:
    if edition.note_html:
        return describe(edition.note_html)
    if edition.lead is not None and edition.lead.summary:
        return shorten(edition.lead.summary_text)
    return describe("; ".join(s.headline for s in edition.stories))


def edition_meta(
    run: MetaRun, edition: Edition, canonical: str, lang: str, home: bool = False
) -> Meta:
    """An edition page (``CollectionPage`` with its stories), or the home page."""
    settings = run.settings
    image = _image(run, _edition_image(edition))
    stamp = w3c(local_time(edition.stamp, settings.timezone))
    description = edition_description(edition)
    items = [
        {
            "@type": "ListItem",
            "position": position,
            "url": settings.absolute(story.url),
            "name": story.headline,
        }
        for position, story in enumerate(edition.stories, start=1)
    ]
    data: dict[str, Any] = {
        "@type": "CollectionPage",
        "@id": canonical,
        "url": canonical,
        "name": edition.title,
        "headline": edition.title,
        "description": description,
        "datePublished": stamp,
        "inLanguage": lang,
        "isPartOf": {
            "@type": "WebSite",
            "name": settings.site_name,
            "url": settings.absolute(""),
        },
        "publisher": run.publisher,
        "mainEntity": {
            "@type": "ItemList",
            "itemListOrder": "https://schema.org/ItemListOrderAscending",
            "numberOfItems": len(items),
            "itemListElement": items,
        },
    }
    if image:
        data["image"] = [image.url]
    document = (
        {"@context": "https://schema.org", "@graph": [_website(run, lang), data]}
        if home
        else {"@context": "https://schema.org", **data}
    )
    if home:
        return run.meta(
            edition.title, description, canonical, "website", image, document
        )
    return run.meta(
        edition.title,
        description,
        canonical,
        "article",
        image,
        document,
        published=stamp,
        modified=stamp,
        tags=tuple(t.label for t in edition.hot_topics),
    )


def list_meta(
    run: MetaRun, title: str, description: str, canonical: str, lang: str
) -> Meta:
    """Any other page (archives, lists): ``WebPage``, the publisher's logo."""
    settings = run.settings
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
            "name": settings.site_name,
            "url": settings.absolute(""),
        },
    }
    return run.meta(
        title,
        description,
        canonical,
        "website",
        run.logo(),
        data,
        twitter_card="summary",
    )


def page_path(name: str) -> str:
    """The URL path of an output file: ``a/b/index.html`` is ``a/b/``."""
    name = name.replace(os.sep, "/").lstrip("/")
    if name == "index.html":
        return ""
    return name.removesuffix("index.html") if name.endswith("/index.html") else name


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
    (item: the edition, may be None) or ``website`` (lists and other pages:
    ``title`` and ``description`` are used as given).
    """
    run = context.get(CONTEXT_KEY)
    if not isinstance(run, MetaRun):
        return None
    settings = run.settings
    lang = str(context.get("DEFAULT_LANG") or settings.language)
    canonical = settings.absolute(page_path(context.get("output_file") or ""))
    if kind == "story" and item is not None:
        lang = str(getattr(item, "lang", None) or lang)
        return story_meta(run, item, settings.absolute(item.url), lang)
    if kind == "edition" and item is not None:
        return edition_meta(run, item, settings.absolute(item.url), lang)
    if kind == "home" and item is not None:
        return edition_meta(run, item, canonical, lang, home=True)
    title = plain_text(str(title)) or settings.site_name
    text = describe(str(description)) or describe(
        settings.site_subtitle or settings.site_name
    )
    return list_meta(run, title, text, canonical, lang)
