"""The Pelican generator: editions from articles, then their pages."""

from __future__ import annotations

import json
import logging
import math
import time as clock
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader
from pelican.generators import Generator
from PIL import Image as PILImage

from . import emailout, feeds, qr, seo
from . import settings as settings_module
from .adapters import FLAGGED_KEY, StoryAdapter, read_curations
from .editions import build_editions, edition_day
from .model import Edition, Link, Story
from .report import Report

logger = logging.getLogger("cx_digest")

TEMPLATES = Path(__file__).parent / "templates"
_QR_CACHE = "cx_digest_qr.json"
_REPEATS_CACHE = "cx_digest_repeats.json"
_QR_VERSION = f"{qr.VERSION}; m; scale 3; border 2"


class DigestGenerator(Generator):
    """Builds one edition a day from the articles Pelican has read."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.digest = settings_module.load(self.settings)
        self.editions: list[Edition] = []
        self.report = Report()
        self.timings: dict[str, float] = {}
        self.bodies: dict[Any, str] = {}
        self.image_sizes: dict[str, tuple[int, int] | None] = {}
        self.qr_codes: dict[str, str] = self._load_qr_cache()
        self.qr_used: dict[str, str] = {}
        # Further outputs (feeds, email, ...): (phase name, write(self, writer)).
        # Each module validates its own settings here, at start-up.
        self.outputs: list[tuple[str, Callable[[DigestGenerator, Any], None]]] = []
        self.stories: list[Story] = []  # every published story (story feeds)
        self.feed_settings = feeds.load(self.settings, self.digest)
        self.outputs.append(("feeds", feeds.write_feeds))
        self.email = emailout.load(self.digest)
        self.outputs.append(("email", emailout.write_emails))
        # Metadata, share links, sitemaps: written after every other output.
        self.seo = seo.setup(self)
        # Our templates come after the theme's (a theme's digest.html wins)
        # and before Pelican's "simple" fallback, on this generator's env only.
        # Templates do not change during a build (a --autoreload rebuild
        # makes new generators): no modification-time check on each
        # {% include %} of a story card.
        self.env.auto_reload = False
        loader = self.env.loader
        assert isinstance(loader, ChoiceLoader)
        loader.loaders = [
            loader.loaders[0],
            FileSystemLoader(str(TEMPLATES)),
            *loader.loaders[1:],
        ]

    def image_size(self, path: str) -> tuple[int, int] | None:
        """Pixel size of a local image (header read only), once per file."""
        if path not in self.image_sizes:
            try:
                with PILImage.open(path) as img:
                    self.image_sizes[path] = img.size
            except (OSError, ValueError):
                self.image_sizes[path] = None
        return self.image_sizes[path]

    @contextmanager
    def timer(self, phase: str) -> Iterator[None]:
        start = clock.perf_counter()
        try:
            yield
        finally:
            self.timings[phase] = self.timings.get(phase, 0.0) + (
                clock.perf_counter() - start
            )

    # -- context ---------------------------------------------------------

    def generate_context(self) -> None:
        with self.timer("grouping"):
            articles = list(self.context.get("articles", []))
            adapter = StoryAdapter(
                self.digest,
                self.path,
                self.report,
                self.image_size,
                self._repeat_candidates(),
            )
            stories = adapter.adapt(articles)
            self._save_repeats(adapter.repeating)
            self.stories = stories
            tag_links: dict[str, Link] = {}
            for story in stories:
                for tag in story.tags:
                    tag_links.setdefault(tag.label.casefold(), tag)
            curations = read_curations(
                self.digest,
                self.settings,
                self.path,
                tag_links,
                self.report,
                lambda: {story.source: story.url for story in stories},
            )
            self.editions = build_editions(stories, curations, self.digest, self.report)

            by_day = {e.day: e.ref for e in self.editions}
            # Pelican formats article.url anew on each of its many reads (the
            # story page, every list page, sitemaps, feeds, share links): keep
            # the value the adapter formatted, through Pelican's own override.
            # Not with the generator-level content cache, which would store it.
            # (Not save_as: Pelican lets an article with override_save_as
            # overwrite another page's file without an error.)
            keep_url = not (
                self.settings.get("CONTENT_CACHING_LAYER") == "generator"
                and self.settings.get("CACHE_CONTENT")
            )
            for article, story in zip(articles, stories, strict=True):
                if keep_url and "override_url" not in vars(article):
                    article.override_url = story.url
                day = edition_day(
                    story.date, self.digest.timezone, self.digest.day_starts
                )
                # Read by the theme's article.html (written after this runs).
                article.digest_edition = by_day.get(day)
                article.digest_image = story.image

            newest_first = list(reversed(self.editions))
            self.context["digest_editions"] = newest_first
            self.context["digest_latest"] = newest_first[0] if newest_first else None
            self.context["digest"] = self.digest
            for key, value in self.digest.raw.items():
                self.context.setdefault(key, value)
            self.context["DIGEST_ARCHIVE_URL"] = self.digest.archive_url
        self.report.raise_if_strict(self.digest.strict)

    def _repeat_candidates(self) -> Callable[[str], bool] | None:
        """Which story files may repeat a key Pelican keeps one value of.

        The files Pelican flagged while reading this run; with the content
        cache on, also those flagged by the build that filled the cache
        (Pelican does not re-read them). None (check every file) when that is
        not known.
        """
        flagged = self.context.get(FLAGGED_KEY)
        if not isinstance(flagged, set):
            return None
        if self.settings.get("LOAD_CONTENT_CACHE"):
            try:
                data = json.loads(
                    Path(
                        self.settings.get("CACHE_PATH", "cache"), _REPEATS_CACHE
                    ).read_text(encoding="utf-8")
                )
            except (OSError, ValueError):
                return None
            if not isinstance(data, list):
                return None
            flagged = flagged | {str(path) for path in data}
        return flagged.__contains__

    def _save_repeats(self, paths: set[str]) -> None:
        if not self.settings.get("CACHE_CONTENT"):
            return
        path = Path(self.settings.get("CACHE_PATH", "cache"), _REPEATS_CACHE)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(sorted(paths)), encoding="utf-8")
        except OSError as exc:
            logger.warning("cx_digest: cannot write %s: %s", path, exc)

    # -- output ----------------------------------------------------------

    def qr_svg(self, edition: Edition) -> str:
        """The edition URL's QR code as inline SVG.

        The SVGs are kept in Pelican's cache folder whenever its content
        cache is on: a rebuild encodes only new editions. Without the cache
        nothing is kept (encoding takes well under a millisecond).
        """
        if not self.digest.qr_code:
            return ""
        url = self.digest.absolute(edition.url)
        svg = self.qr_codes.get(url)
        if svg is None:
            svg = qr.svg(
                url,
                title="QR code of this edition's web address",
                css_class="cx-qr",
                dark="#111111",
                light="#ffffff",
            )
        if self.settings.get("CACHE_CONTENT"):
            self.qr_used[url] = svg  # only kept for the cache file
        return svg

    def _qr_cache_file(self) -> Path:
        return Path(self.settings.get("CACHE_PATH", "cache"), _QR_CACHE)

    def _load_qr_cache(self) -> dict[str, str]:
        if not self.settings.get("LOAD_CONTENT_CACHE"):
            return {}
        try:
            data = json.loads(self._qr_cache_file().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("version") != _QR_VERSION:
            return {}
        codes = data.get("codes")
        return dict(codes) if isinstance(codes, dict) else {}

    def _save_qr_cache(self) -> None:
        if not self.settings.get("CACHE_CONTENT") or not self.qr_used:
            return
        path = self._qr_cache_file()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(
                json.dumps({"version": _QR_VERSION, "codes": self.qr_used}),
                encoding="utf-8",
            )
        except OSError as exc:
            logger.warning(
                "cx_digest: cannot write the QR code cache %s: %s", path, exc
            )

    def edition_body(self, edition: Edition) -> str:
        """The edition's content, rendered with site-root URLs.

        Pages, feeds and emails reuse it; :func:`from_root` turns its
        ``/path`` URLs into relative or absolute ones for each output. Only
        the latest edition's is kept (its page, the home page and the
        feeds use it); another is rendered again if a feed asks for it,
        rather than holding every body for the whole build.
        """
        body = self.bodies.get(edition.day)
        if body is None:
            template = self.get_template("digest/_edition")
            body = template.render({**self.context, "SITEURL": "", "edition": edition})
            if edition is self.editions[-1]:
                self.bodies[edition.day] = body
        return body

    def generate_output(self, writer: Any) -> None:
        relative = self.digest.relative_urls
        with self.timer("rendering"):
            page = self.get_template("digest")
            for edition in self.editions:
                writer.write_file(
                    edition.save_as,
                    page,
                    self.context,
                    relative_urls=relative,
                    url=edition.url,
                    edition=edition,
                    edition_body=self.edition_body(edition),
                    edition_qr=self.qr_svg(edition),
                    page_name=edition.url,
                )
            self._write_archive(writer, relative)
            if self.digest.home_save_as:
                latest = self.editions[-1] if self.editions else None
                writer.write_file(
                    self.digest.home_save_as,
                    self.get_template("digest_home"),
                    self.context,
                    relative_urls=relative,
                    url="",
                    edition=latest,
                    edition_body=self.edition_body(latest) if latest else "",
                    edition_qr=self.qr_svg(latest) if latest else "",
                    page_name="index",
                )
        for phase, write in self.outputs:
            with self.timer(phase):
                write(self, writer)
        # The sitemaps list every page written above, so they come last.
        with self.timer("sitemaps"):
            seo.write(self, writer)
        with self.timer("rendering"):
            self._save_qr_cache()
        logger.debug(
            "cx_digest: wrote %d editions; timings %s",
            len(self.editions),
            ", ".join(f"{k}={v:.3f}s" for k, v in sorted(self.timings.items())),
        )

    def archive_page_url(self, number: int) -> str:
        if number == 1:
            return self.digest.archive_url
        return self.digest.archive_page_url.format(number=number)

    def _write_archive(self, writer: Any, relative: bool) -> None:
        if not self.digest.archive_save_as:
            return
        newest_first = list(reversed(self.editions))
        per_page = self.digest.archive_per_page
        pages = max(1, math.ceil(len(newest_first) / per_page))
        for number in range(1, pages + 1):
            save_as = (
                self.digest.archive_save_as
                if number == 1
                else self.digest.archive_page_save_as.format(number=number)
            )
            writer.write_file(
                save_as,
                self.get_template("digest_archive"),
                self.context,
                relative_urls=relative,
                url=self.archive_page_url(number),
                archive_editions=newest_first[
                    (number - 1) * per_page : number * per_page
                ],
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
