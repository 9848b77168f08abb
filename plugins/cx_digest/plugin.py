"""Pelican hooks: the digest generator and content clean-up."""

from __future__ import annotations

from typing import Any

from pelican import signals

from . import seo
from .generator import DigestGenerator
from .settings import DEFAULTS
from .text import format_stamp, from_root, headline_caps, site_url, xml_safe


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
    raw = getattr(content, "_content", None)
    if isinstance(raw, str):
        content._content = xml_safe(raw)
    title = getattr(content, "title", None)
    if isinstance(title, str):
        content.title = xml_safe(title)
    for key, value in list(content.metadata.items()):
        if isinstance(value, str):
            content.metadata[key] = xml_safe(value)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            content.metadata[key] = [xml_safe(v) for v in value]
    summary = getattr(content, "_summary", None)
    if isinstance(summary, str):
        content._summary = xml_safe(summary)


def register() -> None:
    signals.get_generators.connect(get_generators)
    signals.generator_init.connect(add_filters)
    signals.content_object_init.connect(clean_content)
    signals.content_written.connect(seo.record_page)
