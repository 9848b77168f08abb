"""``sitemap.xml``, ``news-sitemap.xml`` and ``robots.txt``.

Every HTML page Pelican or a plugin writes is recorded from the
``content_written`` signal (:func:`record_page`) on the build's
:class:`PageLog`, kept in the shared generator context; the files are
written once every page exists (:func:`write`), with lxml, through
pelican-fastbuild's ``write_output`` (a file whose bytes are unchanged is
left as it is, for an incremental build).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from lxml import etree

from pelican.plugins.fastbuild import write_output

from .editions import local_time
from .meta import page_path, w3c
from .model import Story, updated_of
from .settings import DigestSettings

CONTEXT_KEY = "cx_digest_pages"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
NEWS_WINDOW = timedelta(hours=48)
NEWS_MAX = 1000
SITEMAP_MAX = 50_000


class PageLog:
    """The pages of one build with their last change (from content dates)."""

    def __init__(self, settings: DigestSettings) -> None:
        self.settings = settings
        self.pages: dict[str, datetime | None] = {}
        # By content object (they live as long as the build): a story is on
        # its own page and on every index, tag, category and author page.
        self._changed: dict[int, tuple[Any, datetime | None]] = {}

    def changed(self, content: Any) -> datetime | None:
        """A content object's last change: ``Modified`` if later, else ``Date``."""
        found = self._changed.get(id(content))
        if found is not None and found[0] is content:
            return found[1]
        result = self._changed_of(content)
        self._changed[id(content)] = (content, result)
        return result

    def _changed_of(self, content: Any) -> datetime | None:
        published, modified = (
            local_time(moment, self.settings.timezone)
            if isinstance(moment, datetime)
            else None
            for moment in (
                getattr(content, "date", None),
                getattr(content, "modified", None),
            )
        )
        if published is None:
            return modified
        return updated_of(published, modified)

    def record(self, name: str, context: Mapping[str, Any]) -> None:
        """Note one written page: its URL path and when it last changed."""
        if not name.endswith((".html", ".htm")) or context.get("digest_noindex"):
            return
        content = context.get("article") or context.get("page")
        path = page_path(name)
        own_page = content is not None and (
            path == getattr(content, "url", None)
            or name == getattr(content, "save_as", None)
        )
        lastmod: datetime | None
        if own_page:
            if getattr(content, "status", "published") != "published":
                return  # drafts and hidden pages stay out of the sitemap
            lastmod = self.changed(content)
        elif context.get("edition") is not None:
            lastmod = context["edition"].stamp
        elif context.get("archive_editions"):
            lastmod = max(e.stamp for e in context["archive_editions"])
        elif context.get("articles_page") is not None:
            items = context["articles_page"].object_list
            lastmod = max(filter(None, map(self.changed, items)), default=None)
        else:
            lastmod = None
        if lastmod is None:
            items = context.get("articles") or []
            lastmod = max(filter(None, map(self.changed, items)), default=None)
        self.pages[path] = lastmod


def record_page(path: str, context: Mapping[str, Any] | None = None) -> None:
    """``content_written`` receiver: every page Pelican or a plugin writes."""
    log = (context or {}).get(CONTEXT_KEY)
    name = (context or {}).get("output_file")
    if isinstance(log, PageLog) and isinstance(name, str):
        log.record(name, context or {})


def _url(parent: Any, loc: str, lastmod: datetime | None, tag: str) -> Any:
    entry = etree.SubElement(parent, f"{{{SITEMAP_NS}}}{tag}")
    etree.SubElement(entry, f"{{{SITEMAP_NS}}}loc").text = loc
    if lastmod is not None:
        etree.SubElement(entry, f"{{{SITEMAP_NS}}}lastmod").text = w3c(lastmod)
    return entry


def _save(root: Any, target: Path) -> None:
    """Write a sitemap through pelican-fastbuild's ``write_output``: only
    when its bytes change, and known to an incremental build."""
    data = etree.tostring(
        etree.ElementTree(root),
        xml_declaration=True,
        encoding="UTF-8",
        pretty_print=True,
    )
    write_output(target, data)


def sitemap(settings: DigestSettings, entries: Iterable[tuple[str, Any]]) -> Any:
    """A ``<urlset>`` of ``(absolute URL, last change)`` entries."""
    root = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS})
    for loc, lastmod in entries:
        when = local_time(lastmod, settings.timezone) if lastmod else None
        _url(root, loc, when, "url")
    return root


def news_window(stories: Iterable[Story], limit: int = NEWS_MAX) -> list[Story]:
    """Stories of the 48 hours up to the newest story, newest first.

    Anchored on the newest story, never on the clock, so a rebuild of old
    content gives the same file.
    """
    ordered = sorted(stories, key=lambda s: (s.date, s.url), reverse=True)
    if not ordered:
        return []
    try:
        start = ordered[0].date - NEWS_WINDOW
    except OverflowError:  # the newest story is dated in year 1
        return ordered[:limit]
    return [s for s in ordered if s.date >= start][:limit]


def news_sitemap(settings: DigestSettings, stories: Iterable[Story]) -> Any:
    root = etree.Element(
        f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS, "news": NEWS_NS}
    )
    for story in news_window(stories):
        url = etree.SubElement(root, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = settings.absolute(
            story.url
        )
        news = etree.SubElement(url, f"{{{NEWS_NS}}}news")
        publication = etree.SubElement(news, f"{{{NEWS_NS}}}publication")
        name = etree.SubElement(publication, f"{{{NEWS_NS}}}name")
        name.text = settings.seo.publisher_name
        language = etree.SubElement(publication, f"{{{NEWS_NS}}}language")
        language.text = settings.seo.news_language
        date = etree.SubElement(news, f"{{{NEWS_NS}}}publication_date")
        date.text = w3c(story.date)
        title = etree.SubElement(news, f"{{{NEWS_NS}}}title")
        title.text = " ".join(story.title.split())
    return root


def robots_txt(settings: DigestSettings) -> str:
    lines = ["User-agent: *", "Allow: /", ""]
    for name in (settings.seo.sitemap, settings.seo.news_sitemap):
        if name:
            lines.append(f"Sitemap: {settings.absolute(name)}")
    return "\n".join(lines).rstrip("\n") + "\n"


def write(
    settings: DigestSettings,
    pages: Mapping[str, datetime | None],
    stories: Iterable[Story],
    output_path: str,
) -> None:
    """Write the sitemaps and robots.txt (after every page is written)."""
    seo = settings.seo
    out = Path(output_path)
    if seo.sitemap:
        entries = sorted(
            (settings.absolute(path), when) for path, when in pages.items()
        )
        if len(entries) <= SITEMAP_MAX:
            _save(sitemap(settings, entries), out / seo.sitemap)
        else:
            # Over 50,000 URLs: numbered sitemaps and an index in their place.
            index = etree.Element(
                f"{{{SITEMAP_NS}}}sitemapindex", nsmap={None: SITEMAP_NS}
            )
            stem = seo.sitemap.removesuffix(".xml")
            for number, start in enumerate(range(0, len(entries), SITEMAP_MAX), 1):
                chunk = entries[start : start + SITEMAP_MAX]
                name = f"{stem}-{number}.xml"
                _save(sitemap(settings, chunk), out / name)
                dates = [local_time(d, settings.timezone) for _, d in chunk if d]
                _url(
                    index, settings.absolute(name), max(dates, default=None), "sitemap"
                )
            _save(index, out / seo.sitemap)
    if seo.news_sitemap:
        _save(news_sitemap(settings, stories), out / seo.news_sitemap)
    if seo.robots_txt:
        write_output(out / "robots.txt", robots_txt(settings))
