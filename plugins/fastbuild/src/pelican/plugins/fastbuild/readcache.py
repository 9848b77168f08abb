"""What an incremental build keeps of each parsed content file.

A content file whose bytes (BLAKE2b) are those of the last build, in a
world (:mod:`.world`: settings, templates, code) that has not changed, and
each other file its reader opened while parsing it (an ``.. include::`` of
reStructuredText, an image it sized: :class:`OpenedFiles`) with the same
bytes too, is not parsed again: its reader's ``(content, metadata)`` and the log records
of its reading come from the state (table ``reads``), and Pelican's
``read_file`` takes them exactly as it takes a worker's result
(:mod:`.reading`).

Only what round-trips exactly is kept: metadata values whose type is
exactly one of str, int, float, bool, ``None``, list, tuple, dict with
string keys, a naive date or datetime (Pelican's ``SafeDatetime``
included, with its ``fold``), and Pelican's tags, categories and authors
(by name). A file with any other value (a subclass of these, an aware
datetime, a plugin's object) is parsed on every build. The values are
stored as tagged JSON and rebuilt by a fixed decoder: nothing stored is
executed. The encoder admits only exact types it writes completely, so
what it writes comes back equal (tested with random values; it is not
decoded again to check).
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import stat
import sys
import sysconfig
from collections.abc import Mapping
from typing import Any

from pelican.urlwrappers import Author, Category, Tag
from pelican.utils import SafeDatetime

from .procs import record_tuples, records_from_tuples

__all__ = [
    "OPENED",
    "OpenedFiles",
    "Unstorable",
    "decode",
    "encode",
    "opened_digest",
    "opened_of",
    "records_data",
    "records_of",
]

_WRAPPERS: dict[str, type] = {"tag": Tag, "category": Category, "author": Author}
_MOMENTS: dict[str, type] = {
    "datetime": datetime.datetime,
    "safedatetime": SafeDatetime,
}


class Unstorable(Exception):
    """A value the read cache does not keep."""


def _encode(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        return ["s", value]
    if kind is bool:
        return ["b", value]
    if kind is int:
        return ["i", value]
    if kind is float:
        return ["f", repr(value)]
    if value is None:
        return ["n"]
    if kind is list or kind is tuple:
        return ["l" if kind is list else "t", [_encode(item) for item in value]]
    if kind is dict:
        if not all(type(key) is str for key in value):
            raise Unstorable("a dict with keys that are not strings")
        return ["m", [[key, _encode(item)] for key, item in value.items()]]
    if kind in (datetime.datetime, SafeDatetime):
        if value.tzinfo is not None:
            raise Unstorable("an aware datetime")
        return ["d", kind.__name__.lower(), value.isoformat(), value.fold]
    if kind is datetime.date:
        return ["D", value.isoformat()]
    for label, wrapper in _WRAPPERS.items():
        if kind is wrapper:
            return ["w", label, value.name]
    raise Unstorable(f"a value of type {kind.__qualname__}")


def _decode(data: Any, settings: Mapping[str, Any]) -> Any:
    tag = data[0]
    if tag == "s":
        return str(data[1])
    if tag == "b":
        return bool(data[1])
    if tag == "i":
        return int(data[1])
    if tag == "f":
        return float(data[1])
    if tag == "n":
        return None
    if tag == "l":
        return [_decode(item, settings) for item in data[1]]
    if tag == "t":
        return tuple(_decode(item, settings) for item in data[1])
    if tag == "m":
        return {str(key): _decode(item, settings) for key, item in data[1]}
    if tag == "d":
        return _MOMENTS[data[1]].fromisoformat(data[2]).replace(fold=int(data[3]))
    if tag == "D":
        return datetime.date.fromisoformat(data[1])
    if tag == "w":
        return _WRAPPERS[data[1]](str(data[2]), settings)
    raise ValueError(f"unknown tag {tag!r}")


def encode(
    content: Any, metadata: Mapping[str, Any], settings: Mapping[str, Any]
) -> tuple[str, str]:
    """``(content, metadata)`` as stored: the content and tagged JSON.

    :raises Unstorable: the data would not come back exactly.
    """
    if type(content) is not str:
        raise Unstorable("content that is not a string")
    return content, json.dumps(_encode(dict(metadata)), ensure_ascii=False)


def decode(
    content: str, metadata: str, settings: Mapping[str, Any]
) -> tuple[str, dict[str, Any]]:
    """What :func:`encode` stored. :raises ValueError: when it is not that."""
    value = _decode(json.loads(metadata), settings)
    if not isinstance(value, dict):
        raise ValueError("metadata is not a mapping")
    return str(content), value


def stored(
    data: tuple[Any, Any],
    records: list[logging.LogRecord],
    settings: Mapping[str, Any],
    opened: Mapping[str, str] | None = None,
) -> tuple[str, str, str, str] | None:
    """A file's parse, its log records and the other files its reader opened
    (path -> digest, :class:`OpenedFiles`) as an incremental build keeps
    them (:func:`encode`, :func:`records_data`, JSON); None when it cannot
    be kept."""
    try:
        content, metadata = encode(data[0], data[1], settings)
    except Unstorable:
        return None
    files = json.dumps(sorted((opened or {}).items()))  # escapes surrogates
    return content, metadata, records_data(records), files


def opened_of(data: str) -> list[tuple[str, str]]:
    """The opened files of :func:`stored`: (path, digest) pairs."""
    return [(str(path), str(found)) for path, found in json.loads(data)]


def records_data(records: list[logging.LogRecord]) -> str:
    """A reading's log records as stored: JSON ``[logger, level, message]``."""
    return json.dumps(record_tuples(records), ensure_ascii=False)


def records_of(data: str) -> list[logging.LogRecord]:
    """Log records to replay from :func:`records_data`."""
    return records_from_tuples(json.loads(data))


def opened_digest(path: str) -> str:
    """The digest of a file a reader opened, as hex: of its bytes, or of
    ``missing``, or of ``not a file`` (a device, a pipe: never read here)."""
    from .fingerprint import declared_digest

    try:
        regular = stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        regular = True  # declared_digest says it is missing
    return declared_digest(path).hex() if regular else b"not a file".hex()


def _python_folders() -> tuple[str, ...]:
    """Where the standard library and installed packages live: what an
    import opens (not the prefixes above them: a site may live under
    ``/usr/local``)."""
    folders = set()
    for paths in (
        sysconfig.get_paths(),
        sysconfig.get_paths(
            vars={"base": sys.base_prefix, "platbase": sys.base_exec_prefix}
        ),
    ):
        for name in ("stdlib", "platstdlib", "purelib", "platlib"):
            found = paths.get(name)
            if found:
                folders.add(os.path.abspath(found) + os.sep)
    return tuple(sorted(folders))


class OpenedFiles:
    """The files a reader opens for reading while it parses one content
    file, seen by an audit hook (``open`` events: ``open()``, ``io.open``,
    ``os.open``) that an incremental build adds to its reading workers,
    recording only between :meth:`start` and :meth:`stop`. Python's own
    files (an import) and the parsed file itself are left out."""

    def __init__(self) -> None:
        self._paths: set[str] | None = None
        self._unknown = False
        self._source = ""
        self._installed = False  # a forked process inherits the hook
        self._python: tuple[str, ...] = ()

    def install(self) -> None:
        """Add the audit hook to this process (once: a hook cannot be
        removed; it records nothing outside :meth:`start` and :meth:`stop`)."""
        if not self._installed:
            self._installed = True
            self._python = _python_folders()
            sys.addaudithook(self._event)

    def start(self, source: str) -> None:
        """Record from now on, for the parse of ``source``."""
        if self._installed:
            self._paths = set()
            self._unknown = False
            self._source = os.path.abspath(source)

    def stop(self) -> dict[str, str] | None:
        """The files opened since :meth:`start`, each with the digest of its
        bytes now (of ``missing`` when it cannot be read); None when
        something was opened that could not be named (the parse then
        depends on something unknown)."""
        paths, self._paths = self._paths, None
        if self._unknown:
            self._unknown = False
            return None
        return {path: opened_digest(path) for path in sorted(paths or ())}

    def _event(self, event: str, args: tuple[Any, ...]) -> None:
        if self._paths is None or event != "open":
            return
        try:
            self._note(*args)
        except Exception:  # raised in a hook, it would fail the open itself
            self._unknown = True

    def _note(self, target: Any, mode: Any, flags: Any) -> None:
        if target is None or isinstance(target, int):
            return  # a file descriptor: opened before
        if isinstance(flags, int):
            if flags & os.O_ACCMODE == os.O_WRONLY:
                return
        elif isinstance(mode, str) and "r" not in mode and "+" not in mode:
            return
        path = os.path.abspath(os.fsdecode(target))
        if path != self._source and not path.startswith(self._python):
            assert self._paths is not None
            self._paths.add(path)


OPENED = OpenedFiles()
