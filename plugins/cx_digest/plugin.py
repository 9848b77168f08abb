"""Pelican hooks: the digest generator, template helpers and content clean-up."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader
from pelican import signals
from pelican.plugins import fastbuild
from pelican.readers import DUPLICATES_DEFINITIONS_ALLOWED, MarkdownReader
from pelican.urlwrappers import URLWrapper

from . import meta, qr, share, sitemaps
from .adapters import REPAIRED_KEY, REPEATS_KEY
from .bodies import POLICY_KEY, BodyPolicy
from .editions import whole_minutes
from .generator import DigestGenerator
from .settings import (
    apply_workers_alias,
    editions_folder,
    load_story_html,
    stamp_format,
)
from .text import format_stamp, headline_caps, join_url, xml_safe

logger = logging.getLogger("cx_digest")

TEMPLATES = Path(__file__).parent / "templates"
# Where a story's unreadable ``Date``/``Modified`` values wait for
# check_story_metadata, and where the problems it repaired wait for the
# report (adapters.StoryAdapter.report_html).
UNREADABLE_KEY = "cx_digest_unreadable"
_DATES = ("date", "modified")
_NOT_A_DATE = "not a date Pelican can read"
# The statuses Pelican publishes, hides, keeps as drafts or skips on purpose.
_STATUSES = ("published", "hidden", "draft", "skip")
# Keys Pelican keeps only the first value of, dropping the rest.
_PELICAN_SINGLE = frozenset(
    key for key, allowed in DUPLICATES_DEFINITIONS_ALLOWED.items() if not allowed
)


def get_generators(pelican: Any) -> type[DigestGenerator]:
    return DigestGenerator


def alias_workers(pelican: Any) -> None:
    """``initialized``: the deprecated ``CX_DIGEST_WORKERS`` (see
    :func:`cx_digest.settings.apply_workers_alias`)."""
    apply_workers_alias(pelican.settings)


def exclude_edition_files(pelican: Any) -> None:
    """``initialized``: edition files are never read as articles or pages,
    whatever ``ARTICLE_PATHS`` and ``PAGE_PATHS`` say."""
    settings = pelican.settings
    folder = editions_folder(settings)
    if not folder:
        return
    for key in ("ARTICLE_EXCLUDES", "PAGE_EXCLUDES"):
        excluded = list(settings.get(key) or [])
        if folder not in (e.strip("/") for e in excluded):
            settings[key] = [*excluded, folder]
            logger.debug("cx_digest: %s += %r (edition files)", key, folder)


def add_helpers(generator: Any) -> None:
    """``generator_init``: every generator's templates (the theme's too) get
    the plugin's templates (after the theme's, so a theme overrides them by
    name) and its filters and functions."""
    env = generator.env
    loader = env.loader
    if isinstance(loader, ChoiceLoader) and not any(
        getattr(item, "searchpath", None) == [str(TEMPLATES)] for item in loader.loaders
    ):
        loader.loaders.insert(1, FileSystemLoader(str(TEMPLATES)))
    default_format = stamp_format(generator.settings)

    def cx_stamp(moment: datetime, fmt: str | None = None) -> str:
        return format_stamp(moment, fmt or default_format)

    def cx_datetime(moment: datetime) -> str:
        """A ``<time datetime>`` value of a Pelican date (RFC 3339)."""
        return meta.w3c(whole_minutes(moment))

    def cx_site_url(path: str, siteurl: str) -> str:
        return join_url(siteurl, path)

    def cx_qr(url: str) -> str:
        return qr.svg(
            url,
            title="QR code of this edition's web address",
            css_class="cx-qr",
            dark="#111111",
            light="#ffffff",
        )

    env.filters.update(
        {
            "cx_stamp": cx_stamp,
            "cx_datetime": cx_datetime,
            "cx_site_url": cx_site_url,
            "cx_headline_caps": headline_caps,
            "cx_description": meta.describe,
        }
    )
    env.globals.update(
        {"cx_meta": meta.page_meta, "cx_share_links": share.share_links, "cx_qr": cx_qr}
    )


class _Unreadable:
    """A ``Date`` or ``Modified`` value Pelican could not read."""

    def __init__(self, value: object) -> None:
        self.value = value


class _RepeatsMixin:
    """Keeps what Pelican's Markdown reader drops: the extra values of a
    repeated ``Date``, ``Category``, ``Status``... (it keeps the first), in
    the story's metadata under :data:`REPEATS_KEY`, so that the digest can
    report them, also for stories from Pelican's content cache or read in
    worker processes. A ``Date`` or ``Modified`` that Pelican cannot read
    (which made it drop the whole file) is kept as written under
    :data:`UNREADABLE_KEY` instead (:func:`check_story_metadata`), and a
    missing or empty ``Title`` (which made Pelican skip the file, or broke
    the feeds) becomes the file name, noted under :data:`REPAIRED_KEY`."""

    settings: Mapping[str, Any]
    _cx_source = ""

    def read(self, source_path: str) -> Any:
        self._cx_source = source_path
        return super().read(source_path)  # type: ignore[misc]

    def process_metadata(self, name: str, value: Any) -> Any:
        try:
            return super().process_metadata(name, value)  # type: ignore[misc]
        except Exception:
            if name in _DATES:
                return _Unreadable(value)
            raise

    def _parse_metadata(self, meta: Mapping[str, list[str]]) -> dict[str, Any]:
        metadata: dict[str, Any] = super()._parse_metadata(meta)  # type: ignore[misc]
        unreadable = _pop_unreadable(metadata)
        if unreadable:
            metadata[UNREADABLE_KEY] = unreadable
        title = metadata.get("title")
        first = title[0] if isinstance(title, list | tuple) and title else title
        if self._cx_source and (first is None or not xml_safe(str(first)).strip()):
            name = Path(self._cx_source).stem
            fallback = f"using the file name '{name}'"
            _repaired(metadata, "Title", str(first or ""), "missing or empty", fallback)
            metadata["title"] = name
        formatted = set(self.settings.get("FORMATTED_FIELDS") or ())
        repeats = {
            name.lower(): [xml_safe(v).strip() for v in values]
            for name, values in meta.items()
            if len(values) > 1
            and name.lower() in _PELICAN_SINGLE
            and name.lower() not in formatted
        }
        if repeats:
            metadata[REPEATS_KEY] = repeats
        return metadata


@cache
def _watching(reader_class: type) -> type:
    # The same name: Pelican records it as the story's "reader" metadata.
    return type(reader_class.__name__, (_RepeatsMixin, reader_class), {})


def watch_repeated_keys(readers: Any) -> None:
    """``readers_init``: the Markdown readers note repeated keys."""
    for ext, reader_class in list(readers.reader_classes.items()):
        if (
            isinstance(reader_class, type)
            and issubclass(reader_class, MarkdownReader)
            and not issubclass(reader_class, _RepeatsMixin)
        ):
            readers.reader_classes[ext] = _watching(reader_class)


class _CleanedRead:
    """A story reader's ``read`` under the build's :class:`BodyPolicy`: the
    story is cleaned as it is read, so in the reading workers when the
    build reads in parallel, and Pelican caches the cleaned story."""

    def __init__(self, read: Any, policy: BodyPolicy) -> None:
        self.read = read
        self.policy = policy

    def __call__(self, source_path: str) -> tuple[str, dict[str, Any]]:
        content, metadata = self.read(source_path)
        return self.policy.apply(content, metadata)


def _policy_of(data: Any) -> object:
    """The policy fingerprint of a cached story: the readers cache holds
    ``(content, metadata)``, the generator cache an Article."""
    metadata = data[1] if isinstance(data, tuple) else getattr(data, "metadata", {})
    return metadata.get(POLICY_KEY) if isinstance(metadata, Mapping) else None


def clean_story_html(generator: Any) -> None:
    """``article_generator_init``: every story the articles generator reads
    goes through the body policy (pages are the site's own and stay as
    written). A story in Pelican's content cache read under another policy,
    or before there was one, is dropped from the cache and read again."""
    story_html = load_story_html(generator.settings)
    policy = BodyPolicy(story_html.trusted, story_html.embed_hosts)
    for reader in generator.readers.readers.values():
        current = vars(reader).get("read")
        if isinstance(current, _CleanedRead):
            current.policy = policy
        else:
            reader.read = _CleanedRead(reader.read, policy)
    for cacher in (generator.readers, generator):
        cached = getattr(cacher, "_cache", None)
        if not isinstance(cached, dict):
            continue
        for path, entry in list(cached.items()):
            stale = not isinstance(entry, tuple) or len(entry) != 2
            if stale or _policy_of(entry[1]) != policy.fingerprint:
                del cached[path]


def check_story_metadata(generator: Any, metadata: dict[str, Any]) -> None:
    """``article_generator_context``: what would make Pelican drop a story
    gets the documented default instead, and is noted for the report under
    :data:`.adapters.REPAIRED_KEY` (so no story is lost without a warning
    naming its file, key and value, and strict mode fails on it), and a
    ``Kicker`` ending with a colon loses it (the pages add one):

    - a missing or empty ``Title`` (also one of only characters XML cannot
      carry): the file name (given by the reader, :class:`_RepeatsMixin`);
    - an unreadable ``Modified``: left out;
    - a missing or unreadable ``Date``, or an unknown ``Status``: the story
      is kept as a draft (written where Pelican writes drafts, in no
      edition or feed), never published with a date or status it does not
      have.
    """
    kicker = metadata.get("kicker")
    if isinstance(kicker, str):
        # The page adds the colon: "Opinion:" would show "Opinion:: ...".
        metadata["kicker"] = kicker.strip().rstrip(":\uff1a").rstrip()
    unreadable = metadata.pop(UNREADABLE_KEY, None) or {}
    # A date taken from the file's name (FILENAME_METADATA) arrives as it is.
    unreadable |= _pop_unreadable(metadata)
    if "modified" in unreadable:
        value = unreadable["modified"]
        _repaired(metadata, "Modified", value, _NOT_A_DATE, "left out")
    status = str(metadata.get("status") or "published")
    folded = status.strip().lower()
    if folded in _STATUSES:  # Pelican's, in any case
        if "status" in metadata:
            # (Pelican's read_file tests for "skip" in lower case.)
            metadata["status"] = folded
    else:
        reason = "unknown status (use published, hidden or draft)"
        _repaired(metadata, "Status", status, reason, "kept as a draft")
        metadata["status"] = folded = "draft"
    dateless = "date" in unreadable or "date" not in metadata
    if dateless and folded not in ("draft", "skip"):  # those need no date
        value = unreadable.get("date", "")
        reason = _NOT_A_DATE if value else "missing"
        _repaired(metadata, "Date", value, reason, "kept as a draft")
        metadata["status"] = "draft"


def _repaired(
    metadata: dict[str, Any], key: str, value: str, reason: str, fallback: str
) -> None:
    """Note under :data:`REPAIRED_KEY` a value replaced by its default."""
    noted = list(metadata.get(REPAIRED_KEY) or [])
    noted.append((key, value, reason, fallback))
    metadata[REPAIRED_KEY] = noted


def _pop_unreadable(metadata: dict[str, Any]) -> dict[str, str]:
    """The ``Date``/``Modified`` values Pelican could not read, taken out."""
    return {
        key: str(metadata.pop(key).value)
        for key in _DATES
        if isinstance(metadata.get(key), _Unreadable)
    }


def drop_unreadable_dates(generator: Any, metadata: dict[str, Any]) -> None:
    """``page_generator_context``: a page needs no date; one Pelican could
    not read is left out (Pelican dropped the page)."""
    metadata.pop(UNREADABLE_KEY, None)
    _pop_unreadable(metadata)


def clean_content(content: Any) -> None:
    """``content_object_init``: drop text XML cannot carry from every article
    and page as it is read (wire copy brings control characters, which break
    every XML parser), once: nothing later cleans it again."""
    # A story read under the body policy (its fingerprint in the metadata)
    # had its body and summary made XML-safe as it was read, in the reading
    # workers: only the other keys (defaults, path metadata) are left.
    read_clean = POLICY_KEY in content.metadata
    raw = getattr(content, "_content", None)
    if isinstance(raw, str) and not read_clean:
        content._content = xml_safe(raw)
    title = getattr(content, "title", None)
    if isinstance(title, str):
        content.title = xml_safe(title)
    for key, value in list(content.metadata.items()):
        if isinstance(value, str):
            clean: Any = xml_safe(value)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            clean = [xml_safe(v) for v in value]
        else:
            # Category, Tag and Author objects: Pelican made them from the
            # raw text before this signal; their slugs follow their names.
            for item in value if isinstance(value, list) else [value]:
                name = getattr(item, "name", None)
                if not isinstance(name, str):
                    continue
                if xml_safe(name) != name:
                    item.name = name = xml_safe(name)
                if isinstance(item, URLWrapper) and name.strip():
                    _address(content.metadata, key, item)
            continue
        if clean != value:
            content.metadata[key] = clean
            # Pelican also copied each key to an attribute (article.kicker).
            if key != "title" and vars(content).get(key) == value:
                setattr(content, key, clean)
    summary = getattr(content, "_summary", None)
    if isinstance(summary, str) and not read_clean:
        content._summary = xml_safe(summary)


def _address(metadata: dict[str, Any], key: str, item: URLWrapper) -> None:
    """A tag, category or author whose name has no letter or digit (``🚀``)
    has no slug, so no page of its own, and its links went to ``tag//``:
    its code points make one (``u1f680``), noted for the report. (An object
    from Pelican's content cache, saved after this ran, has that slug
    already: noted again.)"""
    slug = item.slug
    if slug and not slug.startswith("u"):
        return  # a slug of Pelican's: the common case, decided at once
    name = item.name
    fallback = "u" + "-".join(f"{ord(c):x}" for c in name if not c.isspace())
    if slug and slug != fallback:
        return
    item.slug = fallback
    reason = "no letter or digit to make its page address"
    _repaired(metadata, key.capitalize(), name, reason, f"its page is {item.url}")


def register() -> None:
    # The build engine (its own package, pelican-fastbuild), on by default;
    # FASTBUILD_WORKERS = 1 is Pelican's serial build.
    fastbuild.register()
    signals.initialized.connect(alias_workers)
    signals.initialized.connect(exclude_edition_files)
    signals.get_generators.connect(get_generators)
    signals.generator_init.connect(add_helpers)
    signals.readers_init.connect(watch_repeated_keys)
    signals.article_generator_init.connect(clean_story_html)
    signals.article_generator_context.connect(check_story_metadata)
    signals.page_generator_context.connect(drop_unreadable_dates)
    signals.content_object_init.connect(clean_content)
    signals.content_written.connect(sitemaps.record_page)
