"""Pelican articles to digest stories.

Every bad value is reported once (file, key, value) and replaced by the
documented default, so no story is ever lost.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from .bodies import REMOVED_KEY, story_trust
from .editions import local_time
from .model import Image, Link, Role, Story
from .report import Notes, Problem, Report, Warns
from .settings import DigestSettings
from .text import INTRASITE_FILE, has_scheme, is_web_url, split_label_url

_ROLE_ALIASES = {r.value: r for r in Role} | {"quickhit": Role.QUICK_HIT}
_ROLE_SPACE = re.compile(r"[\s_]+")
_INT = re.compile(r"^[+-]?\d+$")

# Metadata key under which the plugin's reader hook (plugin.py) records the
# keys a story file repeats that Pelican keeps only the first value of.
REPEATS_KEY = "cx_digest_repeats"
# ... and the values it replaced by their default, so that Pelican would not
# drop the story: (key, value, reason, fallback) each.
REPAIRED_KEY = "cx_digest_repaired"

# The one ``Access`` rule: these values mean a subscribers-only story.
SUBSCRIBERS = frozenset({"subscribers", "subscriber", "subscribers-only"})
PUBLIC = frozenset({"", "public", "free", "all"})


def subscribers_only(value: object) -> bool | None:
    """What an ``Access`` value means: True, False, or None (unknown)."""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    folded = str(value or "").strip().casefold()
    if folded in SUBSCRIBERS:
        return True
    return False if folded in PUBLIC else None


def values_of(meta: Mapping[str, Any], key: str) -> list[str]:
    """All values of a (possibly repeated) key, as stripped strings."""
    raw = meta.get(key)
    if raw is None:
        return []
    items = raw if isinstance(raw, list | tuple) else [raw]
    return [str(item).strip() for item in items]


def first_value(
    meta: Mapping[str, Any], key: str, source: str, label: str, report: Warns
) -> str:
    """The value of a key that takes one; a repeated key is reported once."""
    values = values_of(meta, key)
    if len(values) > 1:
        report.warn(
            source,
            label,
            " | ".join(values),
            "given more than once",
            "using the first value",
        )
    return values[0] if values else ""


def source_of(path: str, content_path: str) -> str:
    """A file's path relative to ``content/``, for messages."""
    try:
        return Path(os.path.relpath(path, content_path)).as_posix()
    except ValueError:
        return Path(path).as_posix()


class StoryIndex:
    """Finds a story by its Pelican slug or by its file name without ``.md``.

    A slug wins over a file name. A name that two different stories answer
    to is reported once, naming both files.
    """

    def __init__(self, articles: Iterable[Any], content_path: str, report: Report):
        self.report = report
        self.content_path = content_path
        self.by_slug: dict[str, Any] = {}
        self.by_stem: dict[str, list[Any]] = {}
        self._sources: dict[int, str] = {}  # by the article's id, made once
        for article in articles:
            self.by_slug.setdefault(article.slug, article)
            stem = PurePosixPath(self.source(article)).stem
            self.by_stem.setdefault(stem, []).append(article)

    def source(self, article: Any) -> str:
        """The article's file relative to ``content/`` (once per article:
        every story's messages and its :class:`Story` ask)."""
        found = self._sources.get(id(article))
        if found is None:
            found = self._sources[id(article)] = source_of(
                article.source_path, self.content_path
            )
        return found

    def find(self, value: str, where: str, key: str) -> Any | None:
        candidates = [self.by_slug[value]] if value in self.by_slug else []
        candidates += [a for a in self.by_stem.get(value, []) if a not in candidates]
        if len(candidates) > 1:
            first, second = (self.source(a) for a in candidates[:2])
            self.report.warn(
                where,
                key,
                value,
                f"both {first} and {second} answer to this name",
                f"using {first}",
            )
        return candidates[0] if candidates else None


# ``mapper(function, items)`` is ``[function(item) for item in items]``,
# computed wherever it likes (``map_in_workers``).
Mapper = Callable[[Callable[[Any], Any], Sequence[Any]], Sequence[Any]]


class StoryAdapter:
    """Turns Pelican articles into :class:`Story` objects."""

    def __init__(
        self,
        settings: DigestSettings,
        content_path: str,
        report: Report,
        image_size: Callable[[str], tuple[int, int] | None],
    ) -> None:
        self.settings = settings
        self.content_path = content_path
        self.report = report
        self.image_size = image_size
        self._image_files: dict[str, bool] = {}
        # A tag's link, once per tag: Pelican formats its URL on every read.
        self._tag_links: dict[tuple[type, str, str], Link] = {}

    def adapt(
        self,
        articles: Sequence[Any],
        index: StoryIndex,
        summaries: Callable[[Any, str], Sequence[str]],
        mapper: Mapper,
    ) -> list[Story]:
        """The stories of ``articles``, in order. ``summaries(article, url)``
        gives a summary's clean HTML, plain text and email text.

        A story's facts are a pure function of its article (and its image
        file), so ``mapper`` (``map_in_workers``, in a build) computes them
        where it likes; what they found wrong comes back as data and is
        reported here, in story order. Links to related stories need every
        story's URL and are made here, after the story's other problems."""

        def facts(article: Any) -> tuple[Story, list[Problem]]:
            notes = Notes()
            url = article.url
            made = summaries(article, url)
            return self._facts(article, index.source(article), url, made, notes), (
                notes.problems
            )

        made = mapper(facts, articles)
        urls = {
            id(article): story.url
            for article, (story, _) in zip(articles, made, strict=True)
        }
        stories = []
        for article, (story, problems) in zip(articles, made, strict=True):
            for problem in problems:
                self.report.add(problem)
            if isinstance(article.title, list | tuple):
                # A repeated Title arrives as a list; every page shows the first.
                article.title = story.title
                article.metadata["title"] = story.title
            related = self._related(
                article.metadata, story.source, article, index, urls
            )
            stories.append(replace(story, related=related) if related else story)
        return stories

    def report_html(self, articles: Iterable[Any], index: StoryIndex) -> None:
        """Per story page (published, hidden or draft): a bad ``Html`` value,
        and what the body policy removed (noted as the story was read)."""
        for article in articles:
            meta = article.metadata
            source = index.source(article)
            for key, value, reason, fallback in meta.get(REPAIRED_KEY) or ():
                self.report.warn(source, key, value, reason, fallback)
            trust = first_value(meta, "html", source, "Html", self.report)
            if trust and story_trust(trust) is None:
                self.report.warn(
                    source,
                    "Html",
                    trust,
                    "unknown value (use 'trusted' or 'clean')",
                    "publishing the cleaned HTML",
                )
            for key, removed in (meta.get(REMOVED_KEY) or {}).items():
                self.report.warn(
                    source,
                    key,
                    f"removed {removed}",
                    "pasted markup is not published",
                    "mark the story 'Html: trusted' to publish it as written",
                )

    def _facts(
        self,
        article: Any,
        source: str,
        url: str,
        summary: Sequence[str],
        report: Warns,
    ) -> Story:
        """The story of ``article`` but for its related links; the problems
        found go to ``report``."""
        meta = article.metadata

        def one(key: str, label: str) -> str:
            return first_value(meta, key, source, label, report)

        for key, values in (meta.get(REPEATS_KEY) or {}).items():
            report.warn(
                source,
                key.capitalize(),
                " | ".join(values),
                "given more than once",
                "using the first value",
            )
        title = article.title
        if isinstance(title, list | tuple):
            title = one("title", "Title")  # the caller sets it on the article
        tz = self.settings.timezone
        modified = getattr(article, "modified", None)
        return Story(
            slug=article.slug,
            title=str(title),
            url=url,
            date=local_time(article.date, tz),
            category=article.category.name,
            category_url=article.category.url,
            source=source,
            category_slug=article.category.slug,
            summary=summary[0],
            summary_text=summary[1],
            summary_email_text=summary[2],
            tags=tuple(self._tag_link(tag) for tag in getattr(article, "tags", [])),
            kicker=one("kicker", "Kicker"),
            image=self._image(meta, source, str(title), report),
            role=self._role(meta, source, report),
            section=self._section(meta, source, article.category.name, report),
            order=self._order(meta, source, report),
            link=self._link(meta, source, report),
            subscribers_only=self._access(meta, source, report),
            modified=local_time(modified, tz)
            if isinstance(modified, datetime)
            else None,
            authors=tuple(str(a.name) for a in getattr(article, "authors", []) if a),
        )

    def _tag_link(self, tag: Any) -> Link:
        key = (type(tag), tag.name, tag.slug)
        found = self._tag_links.get(key)
        if found is None:
            found = self._tag_links[key] = Link(tag.name, tag.url)
        return found

    def _role(self, meta: Mapping[str, Any], source: str, report: Warns) -> Role:
        value = first_value(meta, "digest", source, "Digest", report)
        if not value:
            return Role.STORY
        role = _ROLE_ALIASES.get(_ROLE_SPACE.sub("-", value.casefold()))
        if role is None:
            report.warn(
                source,
                "Digest",
                value,
                "unknown role (use lead, story, quick-hit, photo or none)",
                "using 'story'",
            )
            return Role.STORY
        return role

    def _section(
        self, meta: Mapping[str, Any], source: str, category: str, report: Warns
    ) -> str:
        default = self.settings.section_for_category(category)
        value = first_value(meta, "digest_section", source, "Digest_section", report)
        if not value:
            return default.key
        section = self.settings.section_by_key(value)
        if section is None:
            keys = ", ".join(s.key for s in self.settings.sections)
            report.warn(
                source,
                "Digest_section",
                value,
                f"no such section in CX_DIGEST_SECTIONS ({keys})",
                f"using '{default.key}'",
            )
            return default.key
        return section.key

    def _order(self, meta: Mapping[str, Any], source: str, report: Warns) -> int | None:
        value = first_value(meta, "digest_order", source, "Digest_order", report)
        if not value:
            return None
        if not _INT.match(value) or int(value) < 0:
            report.warn(
                source,
                "Digest_order",
                value,
                "not a whole number of 0 or more",
                "ordering by time",
            )
            return None
        return int(value)

    def _link(self, meta: Mapping[str, Any], source: str, report: Warns) -> str:
        value = first_value(meta, "link", source, "Link", report)
        if value and not is_web_url(value):
            report.warn(
                source,
                "Link",
                value,
                "not an absolute http(s) URL",
                "linking the headline to the story page",
            )
            return ""
        return value

    def _access(self, meta: Mapping[str, Any], source: str, report: Warns) -> bool:
        value = first_value(meta, "access", source, "Access", report)
        verdict = subscribers_only(value)
        if verdict is None:
            report.warn(
                source,
                "Access",
                value.casefold(),
                "unknown access (use 'subscribers')",
                "public",
            )
        return bool(verdict)

    def _image(
        self, meta: Mapping[str, Any], source: str, title: str, report: Warns
    ) -> Image | None:
        def one(key: str, label: str) -> str:
            return first_value(meta, key, source, label, report)

        value = one("image", "Image")
        if not value:
            return None
        caption = one("image_caption", "Image_caption")
        alt = one("image_alt", "Image_alt") or caption or title
        credit = one("image_credit", "Image_credit")
        if has_scheme(value):
            if is_web_url(value):
                return Image(value, alt, caption, credit)
            reason = "not a path under content/ or an http(s) URL"
        else:
            path = PurePosixPath(INTRASITE_FILE.sub("", value).lstrip("/")).as_posix()
            full = os.path.join(self.content_path, path)
            if path not in self._image_files:  # once per image file
                inside = ".." not in PurePosixPath(path).parts
                self._image_files[path] = inside and os.path.isfile(full)
            if self._image_files[path]:
                size = self.image_size(path)
                width, height = size if size else (None, None)
                return Image(path, alt, caption, credit, width, height)
            reason = "no such file under content/"
        report.warn(source, "Image", value, reason, "shown without the image")
        return None

    def _related(
        self,
        meta: Mapping[str, Any],
        source: str,
        article: Any,
        index: StoryIndex,
        urls: Mapping[int, str],
    ) -> tuple[Link, ...]:
        links: list[Link] = []
        for value in values_of(meta, "related"):
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
            target = index.find(value, source, "Related")
            if target is None or target is article:
                reason = (
                    "no published story has this slug or file name"
                    if target is None
                    else "a story cannot relate to itself"
                )
                self.report.warn(source, "Related", value, reason, "left out")
                continue
            title = target.title
            if isinstance(title, list | tuple):  # a repeated Title, not yet fixed
                title = title[0] if title else ""
            links.append(Link(str(title).strip(), urls[id(target)]))
        return tuple(links)
