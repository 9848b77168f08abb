"""The streamed sitemap is exactly what lxml's pretty printer would write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from cx_digest import seo
from cx_digest.settings import load

DIGEST = load({"SITEURL": "https://news.example/site", "TIMEZONE": "Asia/Shanghai"})
NS = seo.SITEMAP_NS


def reference(pages: dict[str, datetime | None]) -> bytes:
    """The sitemap built as an lxml tree and pretty-printed."""
    root = etree.Element(f"{{{NS}}}urlset", nsmap={None: NS})
    for loc, lastmod in sorted(
        (seo.absolute(DIGEST, path), when) for path, when in pages.items()
    ):
        url = etree.SubElement(root, f"{{{NS}}}url")
        etree.SubElement(url, f"{{{NS}}}loc").text = loc
        if lastmod is not None:
            etree.SubElement(url, f"{{{NS}}}lastmod").text = seo.w3c(
                lastmod.astimezone(DIGEST.timezone)
                if lastmod.tzinfo
                else lastmod.replace(tzinfo=DIGEST.timezone)
            )
    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )


SHANGHAI = ZoneInfo("Asia/Shanghai")
PAGES: list[dict[str, datetime | None]] = [
    {},
    {"": datetime(2026, 11, 18, 10, 20, tzinfo=SHANGHAI)},
    {
        "2026/11/18/a-story/": datetime(2026, 11, 18, 8, 5, tzinfo=SHANGHAI),
        "tag/m&a/": None,
        "tag/r&d <lab>/": datetime(2026, 11, 17, 23, 0, tzinfo=UTC),
        "新闻/经济/": datetime(2026, 11, 18, 9, 0),
        'tag/it\'s "quoted"/': datetime(2026, 11, 1, tzinfo=SHANGHAI),
        "digest/": datetime(2026, 11, 18, 10, 20, tzinfo=SHANGHAI)
        + timedelta(seconds=30),
    },
]


@pytest.mark.parametrize("pages", PAGES)
def test_sitemap_lines_are_lxmls_bytes(pages: dict[str, datetime | None]) -> None:
    assert seo.sitemap_xml(DIGEST, pages) == reference(pages)
