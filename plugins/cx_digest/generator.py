"""The Pelican generator: editions from articles, then every digest file.

Once every generator has read its content (``all_generators_finalized``:
summaries can then resolve links to any page or static file), the articles
become stories and editions (plain data, :class:`cx_digest.site.DigestSite`),
each story's facts and summary made once, in pelican-fastbuild's workers
(``map_in_workers``); ``generate_output`` hands every
file to Pelican's writer: edition pages, email files, archive pages, the
home page and feeds (these two as page objects with a ``render()`` method).
The sitemaps are written at ``finalized``, once every page exists.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from pelican import signals
from pelican.generators import ArticlesGenerator, Generator
from PIL import Image as PILImage

from pelican.plugins.fastbuild import depends_on_file, map_in_workers

from . import meta, sitemaps
from . import settings as settings_module
from .adapters import (
    StoryAdapter,
    StoryIndex,
    source_of,
    subscribers_only,
    values_of,
)
from .curations import read_curations
from .editions import build_editions, edition_day
from .emailout import EmailRenderer
from .feedfiles import feed_files
from .feeds import Feeds
from .model import Link, Story, headline_of
from .pages import DigestPage, FileCopy
from .report import Report
from .site import DigestSite
from .stories import StoryTexts

logger = logging.getLogger("cx_digest")

# Settings that name a file of the site (checked at start-up).
SITE_FILES = {
    "CX_DIGEST_FEED_LOGO": ("feeds", "logo"),
    "CX_DIGEST_FEED_ICON": ("feeds", "icon"),
    "CX_DIGEST_PUBLISHER_LOGO": ("seo", "publisher_logo"),
}


class DigestGenerator(Generator):
    """Builds one edition a day from the articles Pelican has read."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.report = Report()
        self.digest = self._check_site_files(settings_module.load(self.settings))
        self.texts = StoryTexts(self.digest.public_url, self.digest.absolute)
        self.image_sizes: dict[str, tuple[int, int] | None] = {}
        self.site: DigestSite | None = None

    def _check_site_files(
        self, digest: settings_module.DigestSettings
    ) -> settings_module.DigestSettings:
        """A setting naming a file that is not under ``content/`` is reported
        once and left out, so no page, feed or email links a missing file."""
        for key, (part, name) in SITE_FILES.items():
            value = getattr(getattr(digest, part), name)
            full = os.path.join(self.path, value)
            if value and "://" not in value and not os.path.isfile(full):
                self.report.warn(
                    "settings", key, value, "no such file under content/", "left out"
                )
                digest = replace(
                    digest, **{part: replace(getattr(digest, part), **{name: ""})}
                )
        self.report.raise_if_strict(digest.strict)
        return digest

    def image_size(self, path: str) -> tuple[int, int] | None:
        """Pixel size of a site image (``images/x.jpg``), header read once.

        Every page asking is declared to read the files looked at, so an
        incremental build renders it again when the image changes."""
        self._declare_image(path)
        if path not in self.image_sizes:
            size = None
            for base in (self.path, self.output_path):
                try:
                    with PILImage.open(os.path.join(base, path)) as img:
                        size = img.size
                        break
                except (OSError, ValueError):
                    continue
            self.image_sizes[path] = size
        return self.image_sizes[path]

    def _declare_image(self, path: str) -> None:
        """The files :meth:`image_size` looks at, declared read (pelican-
        fastbuild: by the page being rendered, else by the build)."""
        for base in (self.path, self.output_path):
            depends_on_file(os.path.join(base, path))
            if os.path.exists(os.path.join(base, path)):
                break

    # -- context ---------------------------------------------------------

    def generate_context(self) -> None:
        signals.all_generators_finalized.connect(self._make_site)

    def _in_workers(self, function: Callable[[Any], Any], items: Sequence[Any]) -> Any:
        """``[function(item) for item in items]`` in the build's workers."""
        return map_in_workers(function, items, self.settings)

    def _make_site(self, generators: Any) -> None:
        """``all_generators_finalized``: the stories, editions and context."""
        signals.all_generators_finalized.disconnect(self._make_site)
        digest, context = self.digest, self.context
        self._distinct_pages(generators)
        articles = list(context.get("articles", []))
        index = StoryIndex(articles, self.path, self.report)
        adapter = StoryAdapter(digest, self.path, self.report, self.image_size)
        stories = adapter.adapt(articles, index, self.texts.summaries, self._in_workers)
        # The workers sized the stories' images: the build read those files
        # here (what a worker declares stays in the worker).
        for story in stories:
            if story.image is not None and not story.image.remote:
                self._declare_image(story.image.src)
        translations = _translations(generators)
        adapter.report_html(
            [
                *articles,
                *context.get("hidden_articles", []),
                *context.get("drafts", []),
                *translations,
            ],
            index,
        )
        tag_links: dict[str, Link] = {}
        for story in stories:
            for tag in story.tags:
                tag_links.setdefault(tag.label.casefold(), tag)
        curations = read_curations(
            digest,
            self.settings,
            self.path,
            tag_links,
            {story.source: story.url for story in stories},
            self.report,
        )
        for day, curation in curations.items():
            if curation.lead:  # a Lead names a story by slug or file name
                target = index.find(curation.lead, curation.source, "Lead")
                if target is not None:
                    curations[day] = replace(curation, lead=target.slug)
        editions = build_editions(stories, curations, digest, self.report)
        self.site = DigestSite(
            settings=digest,
            editions=tuple(editions),
            stories=tuple(
                sorted(stories, key=lambda s: (s.date, s.slug), reverse=True)
            ),
            render=self.render,
            image_size=self.image_size,
            story_body=self._story_body(articles, stories),
        )
        self._annotate(articles, stories, translations)
        newest_first = list(reversed(editions))
        context["digest_editions"] = newest_first
        context["digest_latest"] = newest_first[0] if newest_first else None
        context["digest"] = digest
        for key, value in digest.raw.items():
            context.setdefault(key, value)
        context["DIGEST_ARCHIVE_URL"] = (
            digest.archive_url if digest.archive_save_as else ""
        )
        logo = digest.seo.publisher_logo
        context[meta.CONTEXT_KEY] = meta.MetaRun(
            digest,
            self.texts,
            self.image_size(logo) if logo and "://" not in logo else None,
        )
        context[sitemaps.CONTEXT_KEY] = sitemaps.PageLog(digest)
        self.report.raise_if_strict(digest.strict)

    def _story_body(
        self, articles: list[Any], stories: list[Story]
    ) -> Callable[[Story], str]:
        """A story's whole body (story feeds), from its article."""
        texts = self.texts
        pairs = zip(stories, articles, strict=True)
        by_source = {story.source: article for story, article in pairs}
        return lambda story: texts.body(by_source[story.source], story.url)

    def _distinct_pages(self, generators: Any) -> None:
        """Two stories written to one file (two ``rates.md`` of the same day
        in different folders, or a ``Slug`` that is another file's name)
        stopped the build with Pelican's overwrite error: the story
        published later (then by file path) gets the first free slug
        ``<slug>-2``, ``<slug>-3``... and a warning naming both files, so a
        story added later never moves one already out."""
        lists = _story_lists(generators)
        stories = [story for name, held in lists if name in _STORIES for story in held]
        taken: dict[str, Any] = {}
        clashes: list[Any] = []
        for story in sorted(stories, key=_publication_order):
            save_as = story.save_as
            if not save_as:
                continue
            if save_as in taken:
                clashes.append(story)
            else:
                taken[save_as] = story
        moved: set[int] = set()  # the stories of each clash
        for story in clashes:
            first = taken[story.save_as]
            moved |= {id(first), id(story)}
            slug = story.slug
            for n in range(2, len(stories) + 2):
                story.slug = f"{slug}-{n}"
                if story.save_as not in taken:
                    break
            taken[story.save_as] = story
            self.report.warn(
                source_of(story.source_path, self.path),
                "Slug",
                slug,
                f"{source_of(first.source_path, self.path)} is written to the "
                "same page",
                f"published as '{story.slug}'",
            )
        if clashes:
            # Pelican ordered its lists while the stories still shared a
            # slug: stories of the same time then kept the order in which
            # the files were found (a set's). Theirs is the new slugs' now.
            order = _order_key(self.settings.get("ARTICLE_ORDER_BY", "reversed-date"))
            for name, held in lists:
                key = _date_of if name == "dates" else order
                if key is not None:
                    _untie(held, moved, key)

    def _annotate(
        self, articles: list[Any], stories: list[Story], translations: list[Any]
    ) -> None:
        """What the theme's story pages read: the story, its edition, its
        image, and the one ``Access`` rule for every story, listed or not
        (a translation, ``Lang`` and the slug of another story, is not in
        any edition: it is shown as written, like a hidden story)."""
        digest = self.digest
        by_day = {edition.day: edition.ref for edition in self.site.editions}
        for article, story in zip(articles, stories, strict=True):
            day = edition_day(story.date, digest.timezone, digest.day_starts)
            # Pelican formats article.url anew on every read (its page, each
            # list page, the sitemap, feeds): keep the URL it formatted for
            # the story, through its own override (set after Pelican saved
            # its content cache, so never stored there).
            if not hasattr(article, "override_url"):
                article.override_url = story.url
            article.digest_story = story
            article.digest_edition = by_day.get(day)
            article.digest_image = story.image
        context = self.context
        for article in (
            *articles,
            *context.get("hidden_articles", []),
            *context.get("drafts", []),
            *translations,
        ):
            story = getattr(article, "digest_story", None)
            if story is not None:
                article.digest_headline = story.headline
                article.digest_subscribers = story.subscribers_only
            else:  # a hidden story or a draft: its first values, as written
                meta = article.metadata
                kicker = next(iter(values_of(meta, "kicker")), "")
                title = " ".join(str(article.title).split())
                article.digest_headline = headline_of(kicker, title)
                article.digest_subscribers = bool(subscribers_only(meta.get("access")))

    def render(self, name: str, extra: dict[str, Any]) -> str:
        """A template of this generator (the theme's first) with the context."""
        return self.env.get_template(name).render({**self.context, **extra})

    # -- output ----------------------------------------------------------

    def generate_output(self, writer: Any) -> None:
        site, digest, context = self.site, self.digest, self.context
        assert site is not None
        relative = digest.relative_urls
        page = DigestPage(self.get_template("digest"))
        emails = EmailRenderer(site, self.report) if digest.email.enabled else None
        for edition in site.editions:
            writer.write_file(
                edition.save_as,
                page,
                context,
                relative_urls=relative,
                url=edition.url,
                edition=edition,
                page_name=edition.url,
            )
            for save_as, email_file in emails.files(edition) if emails else ():
                writer.write_file(
                    save_as, email_file, context, edition=edition, digest_noindex=True
                )
        self._write_archive(writer, relative)
        if digest.home_save_as:
            latest = site.editions[-1] if site.editions else None
            writer.write_file(
                digest.home_save_as,
                DigestPage(self.get_template("digest_home")),
                context,
                relative_urls=relative,
                url="",
                edition=latest,
                page_name="index",
            )
        for path, feed_file in feed_files(Feeds(site)):
            writer.write_file(path, feed_file, context)
        if digest.stylesheet_save_as:
            writer.write_file(
                digest.stylesheet_save_as, FileCopy("digest.css"), context
            )
        signals.finalized.connect(self._write_sitemaps)

    def _write_sitemaps(self, pelican: Any) -> None:
        """``finalized``: every page has been written and recorded."""
        signals.finalized.disconnect(self._write_sitemaps)
        log = self.context.get(sitemaps.CONTEXT_KEY)
        if self.site is not None and isinstance(log, sitemaps.PageLog):
            sitemaps.write(self.digest, log.pages, self.site.stories, self.output_path)

    def archive_page_url(self, number: int) -> str:
        if number == 1:
            return self.digest.archive_url
        return self.digest.archive_page_url.format(number=number)

    def _write_archive(self, writer: Any, relative: bool) -> None:
        digest = self.digest
        if not digest.archive_save_as or self.site is None:
            return
        newest_first = list(reversed(self.site.editions))
        per_page = digest.archive_per_page
        pages = max(1, math.ceil(len(newest_first) / per_page))
        template = DigestPage(self.get_template("digest_archive"))
        for number in range(1, pages + 1):
            save_as = (
                digest.archive_save_as
                if number == 1
                else digest.archive_page_save_as.format(number=number)
            )
            writer.write_file(
                save_as,
                template,
                self.context,
                relative_urls=relative,
                url=self.archive_page_url(number),
                archive_editions=newest_first[(number - 1) * per_page :][:per_page],
                archive_number=number,
                archive_pages=pages,
                archive_previous_url=(
                    self.archive_page_url(number - 1) if number > 1 else None
                ),
                archive_next_url=(
                    self.archive_page_url(number + 1) if number < pages else None
                ),
                page_name=self.archive_page_url(number),
            )


def _translations(generators: Any) -> list[Any]:
    """Every translation Pelican's articles generator set aside (published,
    hidden and draft): they have story pages of their own."""
    return [
        story
        for name, held in _story_lists(generators)
        if name.endswith("translations")
        for story in held
    ]


def _publication_order(story: Any) -> tuple[Any, ...]:
    """Earliest first (drafts without a date last), then by file path."""
    when = getattr(story, "date", None)
    if not isinstance(when, datetime):
        return (math.inf, str(story.source_path))
    try:
        stamp = when.timestamp()
    except (OverflowError, ValueError):  # about year 1 or 9999 (drafts)
        stamp = -math.inf if when.year < 2 else math.inf
    return (stamp, str(story.source_path))


# The articles generator's lists of stories (and of their translations).
_STORIES = (
    "articles",
    "translations",
    "hidden_articles",
    "hidden_translations",
    "drafts",
    "drafts_translations",
)


def _date_of(story: Any) -> Any:
    return getattr(story, "date", None)


def _order_key(order_by: Any) -> Callable[[Any], Any] | None:
    """What Pelican's ``order_content`` sorts stories by (None: a function
    of the site's, whose ties are not known here)."""
    if not isinstance(order_by, str):
        return None
    name = order_by.removeprefix("reversed-")
    if name == "basename":
        return lambda story: os.path.basename(story.source_path or "")
    return lambda story: getattr(story, name, None)


def _story_lists(generators: Any) -> list[tuple[str, list[Any]]]:
    """Every list of Pelican's articles generator that holds stories: the
    six of published, hidden and draft stories and their translations
    first, then its dates and the stories of each tag, category and
    author."""
    lists: list[tuple[str, list[Any]]] = []
    for generator in generators:
        if not isinstance(generator, ArticlesGenerator):
            continue
        for name in (*_STORIES, "dates"):
            held = getattr(generator, name, None)
            lists.append((name, held if isinstance(held, list) else []))
        for name in ("tags", "categories", "authors"):
            groups = getattr(generator, name, None) or {}
            pairs = groups.items() if isinstance(groups, dict) else groups
            lists += [(name, held) for _, held in pairs if isinstance(held, list)]
    return lists


def _untie(held: list[Any], moved: set[int], key: Callable[[Any], Any]) -> None:
    """Put the renamed stories of ``held`` that tie on the list's sort key
    in order of slug, in the places they hold."""
    places: dict[Any, list[int]] = {}
    for index, story in enumerate(held):
        if id(story) in moved:
            try:
                places.setdefault(key(story), []).append(index)
            except TypeError:  # an unhashable key: not a tie this can break
                continue
    for indexes in places.values():
        if len(indexes) > 1:
            stories = sorted(
                (held[i] for i in indexes), key=lambda a: (a.slug, str(a.source_path))
            )
            for index, story in zip(indexes, stories, strict=True):
                held[index] = story
