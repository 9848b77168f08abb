"""A content object's URLs made once: ``Content._expand_settings``, remembered.

Every ``url`` and ``save_as`` of a Pelican content object (and their
``lang_`` forms) is ``Content._expand_settings``: the ``*_URL`` or
``*_SAVE_AS`` setting formatted with ``url_format``, a copy of the object's
metadata updated with its relative source path (an ``os.path.relpath`` of
two ``abspath``), slug, language, date, author and category. Pelican makes
it anew at every use: a story's ``save_as`` is made when the generator
checks it and again when its page is written, its ``url`` for every page
that links to it. In a 10,000-story digest build that was 16% of the main
process's CPU.

While the engine is on, :func:`install` has ``Content._expand_settings``
remember, for each content object and setting pattern, the values of the
fields the pattern names and the string made from them, and answer from
that while those values are the same. The string is a function of the
pattern and those values alone, so the answer is Pelican's by construction:

- the pattern is read from the settings at every call;
- a field's value is taken the way ``url_format`` takes it (``path`` from
  the metadata, or the source path and ``PATH``; ``slug``, ``lang``,
  ``date``, ``author`` and ``category`` from the object; any other field
  from its metadata);
- values are compared as what they are: strings and numbers by value and
  type, dates by identity (a ``datetime`` is immutable; two equal aware
  dates in different zones format differently);
- a pattern this does not parse (nested fields in a format spec,
  positional fields), a field of another type (a list, an object), a
  missing date (Pelican uses the time of the call), a relative ``PATH``
  (the answer would depend on the working directory) or any error while
  taking the values: Pelican's own method, every time.

Nothing is stored on the content objects (their attributes, pickles and
fingerprints are unchanged); the memory is one dict for the build, emptied
when the engine switches off. :func:`uninstall` puts Pelican's method back,
and only while it is still this one. Tested with Pelican 4.12.0.
"""

from __future__ import annotations

import datetime
import functools
import os
import re
from string import Formatter
from typing import Any

from pelican.contents import Content
from pelican.utils import SafeDatetime

from .replacing import swap

__all__ = ["install", "installed", "uninstall"]

_pelican_expand_settings = Content._expand_settings

_UNKNOWN = object()
_PLAIN = frozenset({str, int, float, bool, type(None)})
_DATES = frozenset({datetime.date, datetime.datetime, SafeDatetime})
_ROOT = re.compile(r"[^.\[]*")

# (id of the content object, pattern) -> (values' key, values held, string)
_made: dict[tuple[int, str], tuple[tuple[Any, ...], tuple[Any, ...], str]] = {}


@functools.lru_cache(maxsize=256)
def _fields(pattern: str) -> tuple[str, ...] | None:
    """The names of the keyword fields of ``pattern``, or None when the
    string it formats may depend on anything else."""
    names: dict[str, None] = {}
    try:
        parsed = list(Formatter().parse(pattern))
    except ValueError:
        return None
    for _, field, spec, _ in parsed:
        if field is None:
            continue
        if spec and "{" in spec:
            return None
        root = _ROOT.match(field).group()  # type: ignore[union-attr]
        if not root or root.isdigit():
            return None
        names[root] = None
    return tuple(names)


def _value(content: Any, name: str) -> Any:
    """What ``url_format`` gives field ``name`` (or a stand-in for it that
    determines it), or :data:`_UNKNOWN`."""
    if name == "path":
        metadata = content.metadata
        if "path" in metadata:
            return metadata["path"]
        base, source = content.settings["PATH"], content.source_path
        if type(base) is not str or type(source) is not str:
            return _UNKNOWN
        if not os.path.isabs(base):
            return _UNKNOWN
        return f"{base}\0{source}"
    if name == "slug":
        return getattr(content, "slug", "")
    if name == "lang":
        return getattr(content, "lang", "en")
    if name == "date":
        return getattr(content, "date", _UNKNOWN)
    if name == "author":
        return content.author.slug if hasattr(content, "author") else ""
    if name == "category":
        return content.category.slug if hasattr(content, "category") else ""
    return content.metadata.get(name, _UNKNOWN)


def _key(values: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """Values as compared: strings by value, numbers by type and value,
    dates by identity (the caller holds them); None for any other value."""
    key = []
    for value in values:
        kind = type(value)
        if kind is str:
            key.append(value)
        elif kind in _PLAIN:
            key.append((kind, value))
        elif kind in _DATES:
            key.append((kind, id(value)))
        else:
            return None
    return tuple(key)


def _expand_settings(self: Any, key: str, klass: str | None = None) -> str:
    """Pelican's ``Content._expand_settings``, answered from the build's
    memory while the values it formats are the same."""
    compared = None
    try:
        pattern = self.settings[f"{klass or self.__class__.__name__}_{key}".upper()]
        fields = _fields(pattern) if type(pattern) is str else None
        if fields is not None:
            values = tuple(_value(self, name) for name in fields)
            compared = _key(values)
    except Exception:
        compared = None  # Pelican's method meets the same and says so
    if compared is None:
        return _pelican_expand_settings(self, key, klass)
    slot = (id(self), pattern)
    made = _made.get(slot)
    if made is not None and made[0] == compared:
        return made[2]
    text = _pelican_expand_settings(self, key, klass)
    _made[slot] = (compared, values, text)
    return text


def install() -> None:
    """Content objects remember their URLs (while the engine is on)."""
    _made.clear()
    swap(Content, "_expand_settings", _pelican_expand_settings, _expand_settings)


def uninstall() -> None:
    """Pelican's method again, and the memory emptied."""
    swap(Content, "_expand_settings", _expand_settings, _pelican_expand_settings)
    _made.clear()


def installed() -> bool:
    return Content._expand_settings is _expand_settings
