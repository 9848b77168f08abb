"""What a render reads, recorded while it runs.

An incremental build (:mod:`.incremental`) renders a page again only when
something the page read has changed. What it read is recorded here, in the
process that renders it (a worker or the main process), from four sources:

- the names a Jinja template looks up in its context
  (:class:`RecordingContext`, the ``context_class`` of the build's Jinja
  environments); included templates and macros called with the context
  look names up the same way;
- the keys a template object written in Python (anything with
  ``render(context)``) reads from its context (:class:`RecordingDict`);
- the bodies of Pelican content objects: ``Content.get_content`` and
  ``Content.get_summary`` (so ``content`` and ``summary``) and the
  attributes ``_content`` and ``_summary`` note the object read (a cache
  of something made from a body must declare the body on every hit:
  :func:`depends_on_content`);
- what Python code declares through the public functions below.

The public interface, for a plugin whose filters, template objects or
signal receivers read something while a page renders::

    from pelican.plugins import fastbuild

    fastbuild.depends_on_file(path)         # this page read that file
    fastbuild.depends_on_content(article)   # ... that content's body
    fastbuild.untracked("why")              # this page cannot be tracked

    @fastbuild.cached_reads                 # a cached value made from
    def channel(self): ...                  # tracked reads: declared on use

Outside a recorded render, ``depends_on_file`` and ``untracked`` declare
what the whole build read (:class:`BuildReads`: a data file a generator
reads, say), during an incremental build in the main process; otherwise
they do nothing, so a plugin can call them unconditionally. Values
reachable from the page's context need no declaration: they are
fingerprinted (:mod:`.fingerprint`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from jinja2.runtime import Context

from .fingerprint import declared_digest

T = TypeVar("T")

__all__ = [
    "Recorder",
    "RecordingContext",
    "RecordingDict",
    "cached_reads",
    "current",
    "declare",
    "depends_on_content",
    "depends_on_file",
    "install_body_hooks",
    "recording",
    "remove_body_hooks",
    "untracked",
]


class Recorder:
    """The reads of one render (or one paginated call: every page of it)."""

    __slots__ = ("bodies", "files", "names", "reason")

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.bodies: set[str] = set()  # relative source paths
        self.files: set[str] = set()  # absolute paths
        self.reason: str | None = None  # untracked, and why

    def merge(self, other: Recorder) -> None:
        self.names |= other.names
        self.bodies |= other.bodies
        self.files |= other.files
        if self.reason is None:
            self.reason = other.reason

    def as_data(self) -> tuple[list[str], list[str], list[str], str | None]:
        return sorted(self.names), sorted(self.bodies), sorted(self.files), self.reason

    @classmethod
    def from_data(cls, data: Any) -> Recorder:
        names, bodies, files, reason = data
        recorder = cls()
        recorder.names = set(names)
        recorder.bodies = set(bodies)
        recorder.files = set(files)
        recorder.reason = reason
        return recorder


@dataclass
class BuildReads:
    """What a build read outside any page (:func:`start_build`)."""

    files: dict[str, bytes] = field(default_factory=dict)  # hashed when declared
    reason: str | None = None  # something untracked


class _Current:
    def __init__(self) -> None:
        self.recorder: Recorder | None = None  # the page being rendered
        self.build: BuildReads | None = None  # what the build read outside pages


_current = _Current()


def current() -> Recorder | None:
    return _current.recorder


def start(recorder: Recorder) -> Recorder | None:
    previous, _current.recorder = _current.recorder, recorder
    return previous


def stop(previous: Recorder | None) -> None:
    _current.recorder = previous


def depends_on_file(path: str | os.PathLike[str]) -> None:
    """Declare that the page being rendered read the file at ``path``: it is
    rendered again when the file's bytes change (or it appears or goes).
    Outside a page (a generator reading a data file, in the main process),
    the build read it: a build with nothing else changed runs when it
    changes."""
    absolute = os.path.abspath(os.fspath(path))
    recorder = _current.recorder
    if recorder is not None:
        recorder.files.add(absolute)
    elif _current.build is not None and absolute not in _current.build.files:
        # Hashed now: a change after this read makes the next build run.
        _current.build.files[absolute] = declared_digest(absolute)


def untracked(reason: str) -> None:
    """Declare that the page being rendered read something that cannot be
    tracked: an incremental build always renders it. Outside a page, the
    build read it: the next build is never skipped as having nothing to
    do."""
    recorder = _current.recorder or _current.build
    if recorder is not None and recorder.reason is None:
        recorder.reason = reason


def start_build() -> BuildReads:
    """What the build reads outside any page, from now on."""
    _current.build = BuildReads()
    return _current.build


def stop_build() -> None:
    _current.build = None


@contextlib.contextmanager
def recording() -> Iterator[Recorder]:
    """Collect the reads made inside the block (they still count for the page
    being rendered, if any): to keep them with a value made from them and
    :func:`declare` them again wherever the value is used."""
    outer = _current.recorder
    inner = Recorder()
    _current.recorder = inner
    try:
        yield inner
    finally:
        _current.recorder = outer
        if outer is not None:
            outer.merge(inner)


def declare(reads: Recorder) -> None:
    """Declare, for the page being rendered, reads collected by
    :func:`recording`."""
    recorder = _current.recorder
    if recorder is not None:
        recorder.merge(reads)


class cached_reads(Generic[T]):
    """Like :func:`functools.cached_property`, for a value made from what an
    incremental build tracks: the reads made while computing it are kept
    with it and declared again on every access, so a page that uses the
    cached value depends on what it was made from."""

    def __init__(self, function: Callable[[Any], T]) -> None:
        self.function = function
        self.name = function.__name__
        self.__doc__ = function.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @property
    def __fastbuild_cache_key__(self) -> str:
        """Where the value is kept in the object's ``__dict__``: a cache,
        left out of the object's fingerprint (:mod:`.fingerprint`)."""
        return f"_cached_reads_{self.name}"

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        key = self.__fastbuild_cache_key__
        kept = obj.__dict__.get(key)
        if kept is None:
            with recording() as reads:
                value = self.function(obj)
            kept = obj.__dict__[key] = (value, reads)
        else:
            declare(kept[1])
        return kept[0]


class RecordingContext(Context):
    """A Jinja context that notes every name looked up in it: by a template
    (Jinja compiles every name to :meth:`resolve_or_missing`), and by a
    function given the context (``@pass_context``) through ``get``, ``[]``
    or ``in``. ``get_all()`` notes nothing: it is how ``{% include %}`` and
    ``{% import ... with context %}`` hand the context on, and the template
    that gets it notes its own lookups; a function that reads names from
    ``get_all()`` (or ``parent``, ``vars``) should look them up by name."""

    def resolve_or_missing(self, key: str) -> Any:
        recorder = _current.recorder
        if recorder is not None:
            recorder.names.add(key)
        return super().resolve_or_missing(key)

    def __contains__(self, name: str) -> bool:
        recorder = _current.recorder
        if recorder is not None:
            recorder.names.add(name)
        return super().__contains__(name)


class RecordingDict(dict[str, Any]):
    """A page context handed to a template object written in Python: notes
    the keys it looks up; ``items()`` and ``values()`` note every key.

    Copying it (``dict(context)``, ``{**context}``) notes nothing: the copy
    is what the object hands on, to a Jinja template say, which records its
    own reads. A template object that enumerates the keys of its context to
    write them out should declare :func:`untracked`.
    """

    def __getitem__(self, key: str) -> Any:
        self._note(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self._note(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self._note(key)
        return super().__contains__(key)

    def items(self) -> Any:
        self._note_all()
        return super().items()

    def values(self) -> Any:
        self._note_all()
        return super().values()

    def _note(self, key: str) -> None:
        recorder = _current.recorder
        if recorder is not None:
            recorder.names.add(key)

    def _note_all(self) -> None:
        recorder = _current.recorder
        if recorder is not None:
            recorder.names.update(super().keys())


# -- content bodies ------------------------------------------------------------

_BODY_METHODS = ("get_content", "get_summary")
_BODY_ATTRIBUTES = ("_content", "_summary")


def _note_body(content: Any) -> None:
    recorder = _current.recorder
    if recorder is None:
        return
    try:
        recorder.bodies.add(content.get_relative_source_path())
    except Exception:
        recorder.reason = recorder.reason or (
            f"the body of {type(content).__name__} without a source path"
        )


def depends_on_content(content: Any) -> None:
    """Declare that the page being rendered read the body of a Pelican
    content object (say through a cache of something made from it): it is
    rendered again when that body changes. Reading ``content``,
    ``summary``, ``get_content()``, ``get_summary()``, ``_content`` or
    ``_summary`` declares it already."""
    _note_body(content)


def _body_hook(original: Any) -> Any:
    def read_body(self: Any, *args: Any, **kwargs: Any) -> Any:
        _note_body(self)
        return original(self, *args, **kwargs)

    read_body.__wrapped__ = original  # type: ignore[attr-defined]
    read_body.__fastbuild_body__ = True  # type: ignore[attr-defined]
    return read_body


class _BodyAttribute:
    """``Content._content`` (``_summary``) while hooks are in: reading it
    notes the body; the value stays in the instance's ``__dict__``."""

    __fastbuild_body__ = True

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        try:
            value = obj.__dict__[self.name]
        except KeyError:
            raise AttributeError(self.name) from None
        _note_body(obj)
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.name] = value

    def __delete__(self, obj: Any) -> None:
        try:
            del obj.__dict__[self.name]
        except KeyError:
            raise AttributeError(self.name) from None


def install_body_hooks() -> None:
    """Have reads of a content object's body note the content read."""
    from pelican.contents import Content

    for name in _BODY_METHODS:
        method = vars(Content)[name]
        if not getattr(method, "__fastbuild_body__", False):
            setattr(Content, name, _body_hook(method))
    for name in _BODY_ATTRIBUTES:
        if name not in vars(Content):
            setattr(Content, name, _BodyAttribute(name))


def remove_body_hooks() -> None:
    from pelican.contents import Content

    for name in _BODY_METHODS:
        method = vars(Content)[name]
        if getattr(method, "__fastbuild_body__", False):
            setattr(Content, name, method.__wrapped__)
    for name in _BODY_ATTRIBUTES:
        if isinstance(vars(Content).get(name), _BodyAttribute):
            delattr(Content, name)
