"""Pelican content to digest model: stories from articles, curation from files.

Every bad value is reported once (file, key, value) and replaced by the
documented default, so no story is ever lost.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from bs4 import BeautifulSoup
from pelican.readers import DUPLICATES_DEFINITIONS_ALLOWED, MarkdownReader
from pelican.utils import get_date

from .editions import edition_day
from .model import Curation, Image, Link, Role, Story
from .report import Report
from .settings import DigestSettings
from .text import (
    has_scheme,
    is_web_url,
    rewrite_urls,
    root_relative,
    split_label_url,
    summary_from_body,
    xml_safe,
)

_ROLE_ALIASES = {r.value: r for r in Role} | {"quickhit": Role.QUICK_HIT}
_INT = re.compile(r"^[+-]?\d+$")
_EDITION_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# Keys Pelican itself keeps only the first value of, silently dropping the
# rest; the adapter finds their repeats in the file's metadata block.
_PELICAN_SINGLE = frozenset(
    key for key, allowed in DUPLICATES_DEFINITIONS_ALLOWED.items() if not allowed
)
_META_LINE = re.compile(r"^ {0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*?)\s*$")
_MARKDOWN = (".md", ".markdown", ".mkd", ".mdown")
_PATH_PART = re.compile(r"[^?#]*")
_ROLE_SPACE = re.compile(r"[\s_]+")
_LINK_PREFIX = re.compile(r"^\{(static|attach|filename)\}")


# Context key: the story files Pelican found a repeated single-value key in
# (it logs "Duplicate definition of ..." and keeps the first); per run.
FLAGGED_KEY = "cx_digest_repeated_keys"


def watch_repeated_keys(generator: Any) -> None:
    """``article_generator_preread``: note the files Pelican's Markdown reader
    finds a repeated de-duplicated key in, so that the adapter re-reads only
    those files instead of every story.

    The test is Pelican's own ("Duplicate definition" warning), made where
    it decides, so it holds at any log level and whatever ``LOG_FILTER`` says.
    """
    flagged: set[str] = generator.context.setdefault(FLAGGED_KEY, set())
    formatted = set(generator.settings.get("FORMATTED_FIELDS") or ())
    readers = getattr(getattr(generator, "readers", None), "readers", {}) or {}
    for reader in readers.values():
        if not isinstance(reader, MarkdownReader) or "_parse_metadata" in vars(reader):
            continue
        parse = reader._parse_metadata

        def watched(
            meta: Mapping[str, list[str]],
            _parse: Callable[..., Any] = parse,
            _reader: Any = reader,
        ) -> Any:
            for name, values in meta.items():
                key = name.lower()
                if len(values) > 1 and key in _PELICAN_SINGLE and key not in formatted:
                    flagged.add(str(_reader._source_path))
                    break
            return _parse(meta)

        reader._parse_metadata = watched


def repeated_pelican_keys(path: str) -> dict[str, list[str]]:
    """Keys of a Markdown file's metadata block that Pelican de-duplicates.

    Only the metadata block (up to the first blank line) is read.
    """
    if not path.lower().endswith(_MARKDOWN):
        return {}
    seen: dict[str, list[str]] = {}
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            for number, line in enumerate(handle):
                line = line.rstrip("\r\n")
                if number == 0 and line.strip() == "---":
                    continue  # YAML-style opening fence
                if not line.strip() or line.strip() in ("---", "..."):
                    break
                match = _META_LINE.match(line)
                if match is None:
                    if line.startswith((" " * 4, "\t")):
                        continue  # a continuation line
                    break
                key = match.group("key").lower()
                if key in _PELICAN_SINGLE:
                    seen.setdefault(key, []).append(xml_safe(match.group("value")))
    except OSError:
        return {}
    return {key: values for key, values in seen.items() if len(values) > 1}


def _link_target(target: str, folder: str) -> tuple[str, str]:
    """An intrasite link's target (what follows ``{static}`` or
    ``{filename}``) as ``(path, rest)``: the path relative to ``content/``
    (from ``folder``, or from ``content/`` itself with a leading ``/``),
    and the query and fragment after it."""
    cut = len(_PATH_PART.match(target).group(0))  # type: ignore[union-attr]
    path, rest = target[:cut], target[cut:]
    if path.startswith("/"):
        return path.lstrip("/"), rest
    return posixpath.normpath(posixpath.join(folder, path)), rest


def _content_file(content_path: str, rel: str) -> bool:
    """Whether ``rel`` names a file inside ``content/``."""
    outside = rel == ".." or rel.startswith("../")
    return not outside and os.path.isfile(os.path.join(content_path, rel))


def _values(meta: Mapping[str, Any], key: str) -> list[str]:
    """All values of a (possibly repeated) key, as stripped strings."""
    raw = meta.get(key)
    if raw is None:
        return []
    items = raw if isinstance(raw, list | tuple) else [raw]
    return [xml_safe(str(item)).strip() for item in items]


class StoryAdapter:
    """Turns Pelican articles into :class:`Story` objects."""

    def __init__(
        self,
        settings: DigestSettings,
        content_path: str,
        report: Report,
        image_size: Callable[[str], tuple[int, int] | None],
        flagged: Callable[[str], bool] | None = None,
    ) -> None:
        self.settings = settings
        self.content_path = content_path
        self.report = report
        self.image_size = image_size
        # Whether a story file may repeat a key Pelican de-duplicates (the
        # files Pelican reported while reading); None: check every file.
        self.flagged = flagged
        self._root = os.path.join(os.path.abspath(content_path), "")
        self._tags: dict[tuple[str, str], Link] = {}
        self._categories: dict[tuple[str, str], str] = {}
        self._sections: dict[str, str] = {}
        self._image_files: dict[str, str] = {}  # path: site path, "" if missing
        self._urls: dict[int, str] = {}
        self.repeating: set[str] = set()  # files with a repeated key

    def source(self, path: str) -> str:
        if (
            os.sep == "/"
            and path.startswith(self._root)
            and os.path.normpath(path) == path
        ):
            return path[len(self._root) :]
        try:
            return Path(os.path.relpath(path, self.content_path)).as_posix()
        except ValueError:
            return Path(path).as_posix()

    def one(self, meta: Mapping[str, Any], key: str, source: str, label: str) -> str:
        values = _values(meta, key)
        if len(values) > 1:
            self.report.warn(
                source,
                label,
                " | ".join(values),
                "given more than once",
                "using the first value",
            )
        return values[0] if values else ""

    def adapt(self, articles: Iterable[Any]) -> list[Story]:
        articles = list(articles)
        index = {a.slug: a for a in articles}
        # Pelican formats article.url anew on every access: once per story,
        # shared by the story and the related links pointing to it.
        self._urls = {id(a): a.url for a in articles}
        stories = [self.story(article, index) for article in articles]
        self._urls = {}  # the adapter lives on with the stories' summaries
        return stories

    def _url(self, article: Any) -> str:
        url = self._urls.get(id(article))
        return article.url if url is None else url

    def story(self, article: Any, index: Mapping[str, Any]) -> Story:
        meta = article.metadata
        source = self.source(article.source_path)
        check = self.flagged is None or self.flagged(article.source_path)
        repeats = repeated_pelican_keys(article.source_path) if check else {}
        if repeats:
            self.repeating.add(article.source_path)
        for key, values in repeats.items():
            self.report.warn(
                source,
                key.capitalize(),
                " | ".join(values),
                "given more than once",
                "using the first value",
            )
        if isinstance(article.title, list | tuple):
            # A repeated Title arrives as a list; every page shows the first.
            article.title = self.one(meta, "title", source, "Title")
            meta["title"] = article.title
        date_ = article.date
        if date_.tzinfo is None:
            date_ = date_.replace(tzinfo=self.settings.timezone)
        category = article.category
        role = self._role(meta, source)
        url = self._url(article)
        return Story(
            slug=article.slug,
            title=xml_safe(str(article.title)),
            url=url,
            date=date_,
            category=xml_safe(category.name),
            category_url=self._category_url(category),
            source=source,
            summary_from=self._story_summary,
            origin=article,
            tags=tuple(self._tag(t) for t in getattr(article, "tags", [])),
            kicker=self.one(meta, "kicker", source, "Kicker"),
            image=self._image(meta, source, str(article.title)),
            role=role,
            section=self._section(meta, source, category.name),
            order=self._order(meta, source),
            related=self._related(meta, source, article.slug, index),
            link=self._link(meta, source),
            subscribers_only=self._access(meta, source),
        )

    def _tag(self, tag: Any) -> Link:
        """A tag's link, built once per tag name (Pelican makes one Tag object
        per story, and formats its URL on every access)."""
        key = (type(tag).__name__, tag.name)
        link = self._tags.get(key)
        if link is None:
            link = self._tags[key] = Link(xml_safe(tag.name), tag.url)
        return link

    def _category_url(self, category: Any) -> str:
        key = (type(category).__name__, category.name)
        url = self._categories.get(key)
        if url is None:
            url = self._categories[key] = category.url
        return url

    def _story_summary(self, story: Story) -> str:
        """``Story.summary``: made when a page, feed or email asks, so that
        the summaries of every story are not all held for the whole build
        (each is read about twice: its edition page, its email)."""
        return self._summary(story.origin, story.url)

    def _summary(self, article: Any, url: str) -> str:
        # {filename}/{static} links are resolved against the site root ("/"):
        # with RELATIVE_URLS and "" Pelican gives "2026/11/18/x/", which would
        # then read as relative to the story page.
        if not hasattr(article, "_update_content"):
            return xml_safe(
                root_relative(summary_from_body(article.get_content("/")), url)
            )
        if "summary" in article.metadata:
            fragment = str(article.metadata["summary"])
        else:
            # Cut the summary from the body as read, then resolve only its
            # links. article.get_content() would memoize a second copy of
            # every story body for the rest of the build.
            raw = (
                article._get_content()
                if hasattr(article, "_get_content")
                else article._content
            )
            fragment = summary_from_body(raw or "")
        fragment = article._update_content(self._static_links(fragment, article), "/")
        return xml_safe(root_relative(fragment, url))

    def _static_links(self, fragment: str, article: Any) -> str:
        """Resolve ``{static}`` links now: Pelican reads static files after
        every other generator, so it could not resolve them in a summary cut
        at grouping time. Only for the default ``STATIC_URL`` ("{path}");
        anything else is left to Pelican."""
        settings = getattr(article, "settings", {}) or {}
        if "{static}" not in fragment or settings.get("STATIC_URL", "{path}") != (
            "{path}"
        ):
            return fragment
        folder = posixpath.dirname(
            Path(os.path.relpath(article.source_path, self.content_path)).as_posix()
        )

        def convert(url: str) -> str:
            if not url.startswith("{static}"):
                return url
            rel, rest = _link_target(url.removeprefix("{static}"), folder)
            if not _content_file(self.content_path, rel):
                return url  # Pelican warns about it
            return f"/{rel}{rest}"

        return rewrite_urls(fragment, convert)

    def _role(self, meta: Mapping[str, Any], source: str) -> Role:
        value = self.one(meta, "digest", source, "Digest")
        if not value:
            return Role.STORY
        normal = _ROLE_SPACE.sub("-", value.casefold())
        role = _ROLE_ALIASES.get(normal)
        if role is None:
            self.report.warn(
                source,
                "Digest",
                value,
                "unknown role (use lead, story, quick-hit, photo or none)",
                "using 'story'",
            )
            return Role.STORY
        return role

    def _section(self, meta: Mapping[str, Any], source: str, category: str) -> str:
        value = self.one(meta, "digest_section", source, "Digest_section")
        if not value:
            key = self._sections.get(category)
            if key is None:
                key = self._sections[category] = self.settings.section_for_category(
                    category
                ).key
            return key
        default = self.settings.section_for_category(category)
        section = self.settings.section_by_key(value)
        if section is None:
            keys = ", ".join(s.key for s in self.settings.sections)
            self.report.warn(
                source,
                "Digest_section",
                value,
                f"no such section in CX_DIGEST_SECTIONS ({keys})",
                f"using '{default.key}'",
            )
            return default.key
        return section.key

    def _order(self, meta: Mapping[str, Any], source: str) -> int | None:
        value = self.one(meta, "digest_order", source, "Digest_order")
        if not value:
            return None
        if not _INT.match(value) or int(value) < 0:
            self.report.warn(
                source,
                "Digest_order",
                value,
                "not a whole number of 0 or more",
                "ordering by time",
            )
            return None
        return int(value)

    def _link(self, meta: Mapping[str, Any], source: str) -> str:
        value = self.one(meta, "link", source, "Link")
        if value and not is_web_url(value):
            self.report.warn(
                source,
                "Link",
                value,
                "not an absolute http(s) URL",
                "linking the headline to the story page",
            )
            return ""
        return value

    def _access(self, meta: Mapping[str, Any], source: str) -> bool:
        value = self.one(meta, "access", source, "Access").casefold()
        if value in ("", "public", "free", "all"):
            return False
        if value in ("subscribers", "subscriber", "subscribers-only"):
            return True
        self.report.warn(
            source, "Access", value, "unknown access (use 'subscribers')", "public"
        )
        return False

    def _image(self, meta: Mapping[str, Any], source: str, title: str) -> Image | None:
        value = self.one(meta, "image", source, "Image")
        if not value:
            return None
        caption = self.one(meta, "image_caption", source, "Image_caption")
        alt = self.one(meta, "image_alt", source, "Image_alt") or caption or title
        credit = self.one(meta, "image_credit", source, "Image_credit")
        if has_scheme(value):
            if not is_web_url(value):
                self.report.warn(
                    source,
                    "Image",
                    value,
                    "not a path under content/ or an http(s) URL",
                    "shown without the image",
                )
                return None
            return Image(value, alt, caption, credit)
        path = _LINK_PREFIX.sub("", value).lstrip("/")
        full = os.path.join(self.content_path, path)
        src = self._image_files.get(path)
        if src is None:  # once per image file, not once per story
            exists = ".." not in Path(path).parts and os.path.isfile(full)
            src = self._image_files[path] = Path(path).as_posix() if exists else ""
        if not src:
            self.report.warn(
                source,
                "Image",
                value,
                "no such file under content/",
                "shown without the image",
            )
            return None
        size = self.image_size(full)
        width, height = size if size else (None, None)
        return Image(src, alt, caption, credit, width, height)

    def _related(
        self,
        meta: Mapping[str, Any],
        source: str,
        own_slug: str,
        index: Mapping[str, Any],
    ) -> tuple[Link, ...]:
        links: list[Link] = []
        for value in _values(meta, "related"):
            if not value:
                continue  # "Related:" with nothing after it
            if "<" in value or ">" in value or "://" in value:
                pair = split_label_url(value)
                if pair is None or not pair[0] or not is_web_url(pair[1]):
                    self.report.warn(
                        source,
                        "Related",
                        value,
                        "expected a story slug or 'Headline text <https://...>'",
                        "left out",
                    )
                    continue
                links.append(Link(pair[0], pair[1], external=True))
                continue
            if value == own_slug:
                self.report.warn(
                    source,
                    "Related",
                    value,
                    "a story cannot relate to itself",
                    "left out",
                )
                continue
            target = index.get(value)
            if target is None:
                self.report.warn(
                    source,
                    "Related",
                    value,
                    "no published story has this slug",
                    "left out",
                )
                continue
            title = target.title
            if isinstance(title, list | tuple):  # a repeated Title, not yet fixed
                title = title[0] if title else ""
            links.append(Link(xml_safe(str(title)).strip(), self._url(target)))
        return tuple(links)


class _RawMarkdownReader(MarkdownReader):
    """Pelican's Markdown reader, with metadata left as written."""

    def process_metadata(self, name: str, value: Any) -> Any:
        return value

    def _parse_metadata(self, meta: Mapping[str, list[str]]) -> dict[str, Any]:
        # Every key as written: a repeated key stays a list (Pelican would
        # silently keep the first Date), so the curation can report it.
        self._md.preprocessors.deregister("meta")
        return {
            name.lower(): value if len(value) > 1 else value[0]
            for name, value in meta.items()
        }


def read_curations(
    settings: DigestSettings,
    pelican_settings: Mapping[str, Any],
    content_path: str,
    tag_links: Mapping[str, Link],
    report: Report,
    story_urls: Callable[[], Mapping[str, str]] | None = None,
) -> dict[date, Curation]:
    """Every edition file under ``content/<CX_DIGEST_EDITIONS_PATH>/``.

    ``story_urls()`` maps each published story's source (relative to
    ``content/``) to its URL, for ``{filename}`` links in the notes; it is
    called only if a note has such a link.
    """
    folder = Path(content_path, settings.editions_path)
    if not settings.editions_path or not folder.is_dir():
        return {}
    reader = _RawMarkdownReader(pelican_settings)
    found: dict[date, Curation] = {}
    urls: Mapping[str, str] | None = None
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        source = Path(os.path.relpath(path, content_path)).as_posix()
        if path.suffix.lower() not in (".md", ".markdown", ".mkd", ".mdown"):
            report.warn(
                source,
                "file",
                path.name,
                "edition files are Markdown (.md)",
                "ignored",
            )
            continue
        match = _EDITION_NAME.match(path.stem)
        try:
            day = date(*map(int, match.groups())) if match else None
        except ValueError:
            day = None
        if day is None:
            report.warn(
                source,
                "file",
                path.name,
                "edition files are named YYYY-MM-DD.md",
                "ignored",
            )
            continue
        try:
            body, meta = reader.read(str(path))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            report.warn(source, "file", path.name, f"unreadable: {exc}", "ignored")
            continue
        if "{" in body:
            if urls is None:
                urls = story_urls() if story_urls else {}
            body = _intrasite_links(body, source, content_path, urls, report)
        found[day] = _curation(
            day, source, body, meta, settings, content_path, tag_links, report
        )
    return found


def _intrasite_links(
    body: str,
    source: str,
    content_path: str,
    story_urls: Mapping[str, str],
    report: Report,
) -> str:
    """Resolve Pelican's ``{filename}``, ``{static}`` and ``{attach}`` links
    in an edition file's note, as Pelican does in a story: the path is
    relative to the edition file, or to ``content/`` with a leading ``/``.

    ``{filename}`` points at a published story (its page) or any other file
    under ``content/``; the others at a file. The result is a site-root
    URL (``/2026/11/18/story/``). A target that does not exist is reported;
    its link becomes plain text (an image, its alt text): a note is shown on
    several pages and in email, where a link left as written would be broken.
    """
    missing: set[str] = set()
    folder = posixpath.dirname(source)

    def convert(url: str) -> str:
        match = _LINK_PREFIX.match(url)
        if match is None:
            return url
        rel, rest = _link_target(url[match.end() :], folder)
        rel = unquote(rel)
        if match.group(1) == "filename" and rel in story_urls:
            return "/" + story_urls[rel] + rest
        if _content_file(content_path, rel):
            return "/" + quote(rel) + rest
        report.warn(
            source,
            "note link",
            url,
            "no published story or file at this path under content/",
            "shown as plain text",
        )
        missing.add(url)
        return url

    body = rewrite_urls(body, convert)
    if not missing:
        return body
    soup = BeautifulSoup(body, "html.parser")
    for link in soup.find_all("a", href=lambda href: href in missing):
        link.unwrap()
    for image in soup.find_all("img", src=lambda src: src in missing):
        alt = image.get("alt")
        image.replace_with(alt if isinstance(alt, str) else "")
    return str(soup)


def _curation(
    day: date,
    source: str,
    body: str,
    meta: Mapping[str, Any],
    settings: DigestSettings,
    content_path: str,
    tag_links: Mapping[str, Link],
    report: Report,
) -> Curation:
    def one(key: str, label: str) -> str:
        values = _values(meta, key)
        if len(values) > 1:
            report.warn(
                source,
                label,
                " | ".join(values),
                "given more than once",
                "using the first value",
            )
        return values[0] if values else ""

    stamp: datetime | None = None
    raw_date = one("date", "Date")
    if raw_date:
        try:
            stamp = get_date(raw_date)
        except (ValueError, OverflowError):
            report.warn(
                source,
                "Date",
                raw_date,
                "not a date and time",
                "using the latest story time",
            )
        if stamp is not None:
            if stamp.tzinfo is None:
                stamp = stamp.replace(tzinfo=settings.timezone)
            if edition_day(stamp, settings.timezone, settings.day_starts) != day:
                report.warn(
                    source,
                    "Date",
                    raw_date,
                    f"falls outside the {day.isoformat()} edition named by the file",
                    "using the latest story time",
                )
                stamp = None

    hot: list[Link] = []
    for value in _values(meta, "hot_topics"):
        if not value:
            continue
        if "<" in value or ">" in value or "://" in value:
            pair = split_label_url(value)
            if pair is None or not pair[0] or not is_web_url(pair[1]):
                report.warn(
                    source,
                    "Hot_topics",
                    value,
                    "expected a tag name or 'Label <https://...>'",
                    "left out",
                )
                continue
            hot.append(Link(pair[0], pair[1], external=True))
            continue
        tag = tag_links.get(value.casefold())
        if tag is None:
            report.warn(
                source,
                "Hot_topics",
                value,
                "no published story has this tag",
                "left out",
            )
            continue
        hot.append(tag)

    page = settings.url.format(date=day)
    return Curation(
        day=day,
        source=source,
        stamp=stamp,
        title=one("title", "Title"),
        lead=one("lead", "Lead"),
        hot_topics=tuple(hot),
        note_html=xml_safe(root_relative(body, page)).strip(),
    )
