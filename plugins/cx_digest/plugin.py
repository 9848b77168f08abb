"""Pelican hooks: the digest generator and content clean-up."""

from __future__ import annotations

from typing import Any

from pelican import signals

from . import seo
from .adapters import watch_repeated_keys
from .generator import DigestGenerator
from .settings import DEFAULTS
from .text import (
    format_stamp,
    from_root,
    headline_caps,
    site_url,
    xml_safe,
)


def get_generators(pelican: Any) -> type[DigestGenerator]:
    return DigestGenerator


def add_filters(generator: Any) -> None:
    """Give every generator's templates (the theme's too) the digest filters."""
    stamp_format = generator.settings.get(
        "CX_DIGEST_STAMP_FORMAT", DEFAULTS["CX_DIGEST_STAMP_FORMAT"]
    )

    def cx_stamp(moment: Any, fmt: str | None = None) -> str:
        return format_stamp(moment, fmt or stamp_format)

    generator.env.filters.update(
        {
            "cx_site_url": site_url,
            "cx_from_root": from_root,
            "cx_stamp": cx_stamp,
            "cx_headline_caps": headline_caps,
            "cx_xml_safe": xml_safe,
            "cx_description": seo.describe,
        }
    )
    # Page metadata and share links (seo.py): cx_meta(kind, item, title=...).
    generator.env.globals.update(
        {"cx_meta": seo.page_meta, "cx_share_links": seo.share_links}
    )


def clean_content(content: Any) -> None:
    """Drop text XML cannot carry from every article and page, as read.

    Wire copy sometimes carries control characters; Pelican writes them
    verbatim into pages and feeds, where they break XML parsers.
    """
    # xml_safe returns clean text as the same object, so only text that had
    # something to drop is written back.
    raw = getattr(content, "_content", None)
    if isinstance(raw, str):
        content._content = xml_safe(raw)
    title = getattr(content, "title", None)
    if isinstance(title, str):
        content.title = xml_safe(title)
    for key, value in list(content.metadata.items()):
        if isinstance(value, str):
            clean: Any = xml_safe(value)
            if clean is value:
                continue
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            clean = [xml_safe(v) for v in value]
            if all(c is v for c, v in zip(clean, value, strict=True)):
                continue
        else:
            # Category, Tag and Author objects: Pelican built them from the
            # raw text before this signal, and lists them on their own pages.
            for item in value if isinstance(value, list) else [value]:
                name = getattr(item, "name", None)
                # Pelican derives slugs from names: only touch dirty ones.
                if isinstance(name, str) and xml_safe(name) is not name:
                    item.name = xml_safe(name)
            continue
        content.metadata[key] = clean
        # Pelican also copied each key to an attribute (article.kicker).
        if key != "title" and vars(content).get(key) is value:
            setattr(content, key, clean)
    summary = getattr(content, "_summary", None)
    if isinstance(summary, str):
        content._summary = xml_safe(summary)


def register() -> None:
    signals.get_generators.connect(get_generators)
    signals.generator_init.connect(add_filters)
    signals.content_object_init.connect(clean_content)
    signals.article_generator_preread.connect(watch_repeated_keys)
    signals.content_written.connect(seo.record_page)
