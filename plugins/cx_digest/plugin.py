"""Pelican hooks: the digest generator and content clean-up."""

from __future__ import annotations

from typing import Any

from pelican import signals

from . import seo
from .adapters import watch_repeated_keys
from .generator import DigestGenerator
from .settings import DEFAULTS
from .text import (
    _NOT_XML,
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
    # A search is cheaper than a substitution, and almost all text is clean:
    # only text with something to drop is rewritten (same result).
    raw = getattr(content, "_content", None)
    if isinstance(raw, str) and _NOT_XML.search(raw):
        content._content = xml_safe(raw)
    title = getattr(content, "title", None)
    if isinstance(title, str) and _NOT_XML.search(title):
        content.title = xml_safe(title)
    for key, value in list(content.metadata.items()):
        if isinstance(value, str):
            if not _NOT_XML.search(value):
                continue
            clean: Any = xml_safe(value)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            if not any(_NOT_XML.search(v) for v in value):
                continue
            clean = [xml_safe(v) for v in value]
        else:
            # Category, Tag and Author objects: Pelican built them from the
            # raw text before this signal, and lists them on their own pages.
            for item in value if isinstance(value, list) else [value]:
                name = getattr(item, "name", None)
                if isinstance(name, str) and _NOT_XML.search(name):
                    item.name = xml_safe(name)
            continue
        content.metadata[key] = clean
        # Pelican also copied each key to an attribute (article.kicker).
        if key != "title" and vars(content).get(key) is value:
            setattr(content, key, clean)
    summary = getattr(content, "_summary", None)
    if isinstance(summary, str) and _NOT_XML.search(summary):
        content._summary = xml_safe(summary)


def register() -> None:
    signals.get_generators.connect(get_generators)
    signals.generator_init.connect(add_filters)
    signals.content_object_init.connect(clean_content)
    signals.article_generator_preread.connect(watch_repeated_keys)
    signals.content_written.connect(seo.record_page)
