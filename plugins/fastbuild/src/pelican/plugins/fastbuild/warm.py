"""A story's display dates, slugs and relative path, made in the reading worker.

Pelican's ``Content.__init__`` runs in the main process, once per story, and
there formats the story's date for display (``locale_date``, and
``locale_modified``: ``SafeDatetime.strftime`` with the story's date format,
Pelican's own Python ``strftime``) and, without a ``Slug`` key, slugifies its
title (or file name). Both are pure functions of their arguments, and they
were a third of the main process's work per story in a parallel read.

While the engine is on, the reading worker that parsed a story computes
them from the parse as ``Content.__init__`` will ask for them (:func:`seeds`:
the date with the zone Pelican will give it, the story's date format, the
slug settings), and the date's parts that the URL settings format
(``{date:%Y}`` in ``ARTICLE_SAVE_AS``: Pelican's ``strftime`` again, for
the story's ``save_as`` and ``url``), and sends the answers with the
parse; the main process keeps them (:func:`keep`), and :func:`install` has
``SafeDatetime.strftime`` and the ``slugify`` of ``pelican.contents`` and
``pelican.urlwrappers`` answer from them. An answer is only
taken for exactly the arguments it was made from:

- a date: the format, the date's fields without its zone, the zone's name
  and offset at that moment (all that ``strftime`` reads) and the
  ``LC_TIME`` locale at the time of the call (a ``DATE_FORMATS`` entry with
  a locale changes it in the middle of a build);
- a slug: the value and its type, the substitutions, ``preserve_case`` and
  ``use_unicode``.

The same worker asks each tag, category and author of the parse for its
slug, which Pelican's ``URLWrapper`` keeps and which travels with the
object, so the main process does not slugify them again to format every
URL. An empty slug is left to the main process, where Pelican warns of it
(a worker's log records outside a file's reading are dropped). A slug made
in a process is kept there too (``slugify`` is a pure function of its
arguments), and the ``slugify`` of ``pelican.urlwrappers`` answers from the
same answers: the default author or category that ``Content.__init__``
gives every story without one is a new object each time, and was slugified
anew for every story's URL.

The worker also gives the story's source path relative to ``PATH``
(``Content.get_relative_source_path``: an ``os.path.relpath`` of two
``abspath``, which Pelican asks for when it makes the object, when the
generator notes the file and for every URL it formats); while the engine is
on, that method answers from the paths made so far, in any process, keyed
on ``PATH`` and the path asked for (an absolute ``PATH``: the answer then
depends on nothing else).

Anything else (another format, a date Pelican changed, a date that is not a
``SafeDatetime``, a tuple format) gets Pelican's function. The answers are
kept for the build and dropped when the engine switches off;
:func:`uninstall` puts Pelican's functions back, and only while they are
still these. Tested with Pelican 4.12.0.
"""

from __future__ import annotations

import functools
import locale
import os
from collections.abc import Iterable, Mapping
from string import Formatter
from typing import Any

import pelican.contents
import pelican.urlwrappers
from pelican.contents import Content
from pelican.urlwrappers import URLWrapper
from pelican.utils import SafeDatetime, set_date_tzinfo, slugify

from .replacing import swap

__all__ = ["install", "installed", "keep", "seeds", "uninstall"]

_pelican_strftime = SafeDatetime.strftime
_pelican_slugify = slugify
_pelican_relative_path = Content.get_relative_source_path

_dates: dict[tuple[Any, ...], str] = {}
_formats: set[str] = set()  # the formats of the dates in _dates
_slugs: dict[tuple[Any, ...], str] = {}
_relative_paths: dict[tuple[str, str], str | None] = {}
_last_moment: list[Any] = [None, None, None]  # date, locale, its parts


def _date_key(moment: Any, fmt: Any) -> tuple[Any, ...] | None:
    if type(fmt) is not str:
        return None
    parts = _moment_parts(moment)
    return None if parts is None else (fmt, *parts)


def _moment_parts(moment: Any) -> tuple[Any, ...] | None:
    """All that ``strftime`` reads of a date besides the format: its fields
    without the zone, the zone's name and offset, the ``LC_TIME`` locale
    (one tuple, shared by the keys of a date's formats).

    The last date's tuple is kept: Pelican formats one story's date several
    times in a row (its display date, then each ``{date:...}`` part of its
    URL and its file name). A date is immutable, so the same object under
    the same locale has the same parts."""
    if type(moment) is not SafeDatetime:
        return None
    try:
        here = locale.setlocale(locale.LC_TIME)
        if moment is _last_moment[0] and here == _last_moment[1]:
            return _last_moment[2]
        parts = (
            moment.replace(tzinfo=None),
            moment.tzname(),
            moment.utcoffset(),
            here,
        )
    except Exception:
        return None
    _last_moment[:] = moment, here, parts
    return parts


def _slug_key(
    value: Any, regex_subs: Any, preserve_case: Any, use_unicode: Any
) -> tuple[Any, ...] | None:
    if type(value) is not str:
        return None
    try:
        subs = tuple((str(src), str(dst)) for src, dst in regex_subs)
    except (TypeError, ValueError):
        return None
    return (value, subs, bool(preserve_case), bool(use_unicode))


def _strftime(self: Any, fmt: str, safe: bool = True) -> str:
    """``SafeDatetime.strftime``, answered from the workers' dates."""
    if (
        safe and type(fmt) is str and fmt in _formats
    ):  # others (URL patterns' parts) go straight on
        key = _date_key(self, fmt)
        if key is not None:
            text = _dates.get(key)
            if text is not None:
                return text
    return _pelican_strftime(self, fmt, safe)


def _slugify(
    value: str,
    regex_subs: Iterable[tuple[str, str]] = (),
    preserve_case: bool = False,
    use_unicode: bool = False,
) -> str:
    """Pelican's ``slugify`` (of ``pelican.contents`` and
    ``pelican.urlwrappers``), answered from the slugs made so far."""
    key = _slug_key(value, regex_subs, preserve_case, use_unicode)
    if key is None:
        return _pelican_slugify(value, regex_subs, preserve_case, use_unicode)
    slug = _slugs.get(key)
    if slug is None:
        slug = _slugs[key] = _pelican_slugify(
            value, regex_subs, preserve_case, use_unicode
        )
    return slug


def _relative_source_path(self: Any, source_path: str | None = None) -> str | None:
    """``Content.get_relative_source_path``, answered from the paths made
    so far."""
    path = source_path or getattr(self, "source_path", None)
    key = _path_key(getattr(self, "settings", None), path)
    if key is None:
        return _pelican_relative_path(self, source_path)
    if key not in _relative_paths:
        _relative_paths[key] = _pelican_relative_path(self, source_path)
    return _relative_paths[key]


def _path_key(settings: Any, path: Any) -> tuple[str, str] | None:
    """(``PATH``, path) when the relative path is a function of them alone."""
    try:
        base = settings["PATH"]
    except Exception:
        return None
    if type(base) is not str or type(path) is not str or not os.path.isabs(base):
        return None
    return (base, path)


class _Source:
    """What ``Content.get_relative_source_path`` reads of a content object."""

    def __init__(self, settings: Mapping[str, Any], source_path: str) -> None:
        self.settings = settings
        self.source_path = source_path


def seeds(
    metadata: Any, source_path: str, settings: Mapping[str, Any]
) -> list[tuple[str, tuple[Any, ...], str | None]]:
    """In a reading worker: the display dates, the slug and the relative
    source path that ``Content.__init__`` will ask for, made from a parse
    (its metadata); the parse's tags, category and authors are given their
    slugs."""
    if not isinstance(metadata, dict):
        return []
    _warm_wrappers(metadata)
    made: list[tuple[str, tuple[Any, ...], str | None]] = []
    try:
        made += _date_seeds(metadata, settings)
        made += _slug_seeds(metadata, source_path, settings)
        key = _path_key(settings, source_path)
        if key is not None:
            found = _pelican_relative_path(_Source(settings, source_path))
            made.append(("path", key, found))
    except Exception:  # Pelican meets it in the main process and says so
        return made
    return made


def _warm_wrappers(metadata: dict[str, Any]) -> None:
    """In a worker: the slug of each tag, category and author of a parse,
    computed here and kept by the object as Pelican's ``URLWrapper.slug``
    keeps it (it travels with the object), rather than in the main process,
    where Pelican asks for it to format every URL. An empty slug is left to
    the main process, where Pelican warns of it (a worker's log records
    outside a file's reading are dropped)."""
    for value in metadata.values():
        for item in value if isinstance(value, list) else (value,):
            if isinstance(item, URLWrapper) and vars(item).get("_slug", "") is None:
                slug = item.slug  # the property keeps it (``_slug``)
                if not slug:
                    item._slug = None


def _date_seeds(
    metadata: dict[str, Any], settings: Mapping[str, Any]
) -> list[tuple[str, tuple[Any, ...], str]]:
    fmt = metadata.get("date_format")
    if fmt is None:
        lang = metadata.get("lang", settings["DEFAULT_LANG"])
        formats = settings["DATE_FORMATS"]
        fmt = formats[lang] if lang in formats else settings["DEFAULT_DATE_FORMAT"]
    if type(fmt) is not str:
        return []
    zone = metadata.get("timezone", settings.get("TIMEZONE", "UTC"))
    made = []
    for name in ("date", "modified"):
        moment = metadata.get(name)
        if moment is None:
            continue
        moment = set_date_tzinfo(moment, zone)
        parts = _moment_parts(moment)
        if parts is None:
            continue
        formats = (fmt, *_url_date_formats(settings)) if name == "date" else (fmt,)
        for each in dict.fromkeys(formats):
            made.append(("date", (each, *parts), _pelican_strftime(moment, each)))
    return made


def _url_date_formats(settings: Mapping[str, Any]) -> tuple[str, ...]:
    """The formats that the ``*_URL`` and ``*_SAVE_AS`` settings give the
    date (``{date:%Y}``): Pelican's ``url_format`` formats the content's
    ``date`` with them."""
    patterns = tuple(
        value
        for key, value in settings.items()
        if type(value) is str
        and "{date:" in value
        and key.endswith(("_URL", "_SAVE_AS"))
    )
    return _date_specs(patterns)


@functools.lru_cache(maxsize=64)
def _date_specs(patterns: tuple[str, ...]) -> tuple[str, ...]:
    specs: dict[str, None] = {}
    for pattern in patterns:
        try:
            parsed = list(Formatter().parse(pattern))
        except ValueError:
            continue
        for _, field, spec, conversion in parsed:
            if field == "date" and spec and conversion is None and "{" not in spec:
                specs[spec] = None
    return tuple(specs)


def _slug_seeds(
    metadata: dict[str, Any], source_path: str, settings: Mapping[str, Any]
) -> list[tuple[str, tuple[Any, ...], str]]:
    if "slug" in metadata:
        return []
    source = settings["SLUGIFY_SOURCE"]
    if source == "title" and "title" in metadata:
        value = metadata["title"]
    elif source == "basename":
        value = os.path.basename(os.path.splitext(source_path)[0])
    else:
        return []
    args = (
        settings.get("SLUG_REGEX_SUBSTITUTIONS", []),
        settings.get("SLUGIFY_PRESERVE_CASE", False),
        settings.get("SLUGIFY_USE_UNICODE", False),
    )
    key = _slug_key(value, *args)
    if key is None:
        return []
    return [("slug", key, _pelican_slugify(value, *args))]


def keep(made: Iterable[tuple[str, tuple[Any, ...], str | None]]) -> None:
    """In the main process: a worker's answers, for this build."""
    for kind, key, text in made:
        if kind == "date" and text is not None:
            _dates[key] = text
            _formats.add(key[0])
        elif kind == "slug" and text is not None:
            _slugs[key] = text
        elif kind == "path":
            _relative_paths[key] = text  # type: ignore[index]


def _replacements() -> list[tuple[Any, str, Any, Any]]:
    """(owner, name, Pelican's, this module's) of each function replaced."""
    return [
        (SafeDatetime, "strftime", _pelican_strftime, _strftime),
        (pelican.contents, "slugify", _pelican_slugify, _slugify),
        (pelican.urlwrappers, "slugify", _pelican_slugify, _slugify),
        (
            Content,
            "get_relative_source_path",
            _pelican_relative_path,
            _relative_source_path,
        ),
    ]


def _forget() -> None:
    for answers in (_dates, _formats, _slugs, _relative_paths):
        answers.clear()
    _last_moment[:] = None, None, None


def install() -> None:
    """Dates, slugs and paths answered from the workers' and the ones made
    (while the engine is on)."""
    _forget()
    for owner, name, pelicans, ours in _replacements():
        swap(owner, name, pelicans, ours)


def uninstall() -> None:
    """Pelican's functions again, and the answers dropped."""
    for owner, name, pelicans, ours in _replacements():
        swap(owner, name, ours, pelicans)
    _forget()


def installed() -> bool:
    return all(getattr(owner, name) is ours for owner, name, _, ours in _replacements())
