"""Deep fingerprints of the values a page is rendered from.

A fingerprint is a 16-byte BLAKE2b digest of everything reachable from a
value: two values with equal fingerprints hold the same data, so a template
that reads them renders the same text. Values are walked, not pickled:

- leaves are hashed as they are: ``None``, numbers, strings (with their
  type: ``Markup`` is not ``str``), bytes, dates and times (with their
  offset and zone name), ``Path``, ``Decimal``, enums, compiled patterns,
  modules, classes and functions without state (by qualified name: code is
  part of the build's world fingerprint, :mod:`.world`);
- containers (dicts in order, lists, tuples, sets) and objects (their
  ``__dict__`` and ``__slots__``, by attribute name; functions with their
  closure and defaults; bound methods with their object) are walked;
- an object can say what it depends on with a ``__fastbuild_fingerprint__()``
  method returning plain data (the object's caches, say, left out);
- Pelican content objects are walked without their body (``_content``,
  ``_summary``) and without the site context they hold: a render that reads
  a body is recorded as reading that content's body (:mod:`.record`);
- the settings dict is one token (the world fingerprint covers it);
- a value of any other type (a C object without attributes, an open file)
  makes the fingerprint unknown: :class:`Untracked` is raised and the page
  is always rendered.

Cycles are handled by hashing strongly connected components (Tarjan): every
member of a cycle depends on all of it. Fingerprints are memoised by object
identity for the lifetime of a :class:`Fingerprinter`, which must therefore
not outlive a state of the build in which the objects may change (the writer
makes one per batch of pages).
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import enum
import fractions
import functools
import hashlib
import pathlib
import re
import types
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["Fingerprinter", "Untracked", "digest"]

_REF = b"\x00"


class Untracked(Exception):
    """A value whose data cannot be fingerprinted (names its type)."""


def digest(*parts: bytes) -> bytes:
    """The fingerprint of a sequence of byte strings (length-prefixed)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.digest()


def _text(value: str) -> bytes:
    return value.encode("utf-8", "surrogatepass")


def _name(obj: Any) -> str:
    return f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', obj)}"


def _moment(value: Any) -> bytes:
    tz = getattr(value, "tzinfo", None)
    if tz is None:
        zone = ""
    elif isinstance(value, datetime.datetime):
        zone = f"{_name(type(tz))}|{value.utcoffset()}|{value.tzname()}"
    else:
        zone = f"{_name(type(tz))}|{tz!r}"
    return _text(f"{_name(type(value))}|{value.isoformat()}|{zone}")


_LEAVES: dict[type, Callable[[Any], bytes]] = {
    type(None): lambda v: b"n",
    bool: lambda v: b"b1" if v else b"b0",
    int: lambda v: b"i" + str(v).encode(),
    float: lambda v: b"f" + repr(v).encode(),
    complex: lambda v: b"c" + repr(v).encode(),
    str: lambda v: b"s" + _text(v),
    bytes: lambda v: b"y" + v,
    bytearray: lambda v: b"Y" + bytes(v),
    datetime.datetime: _moment,
    datetime.date: _moment,
    datetime.time: _moment,
    datetime.timedelta: lambda v: b"t" + repr(v).encode(),
    # A time zone by its type and repr (zoneinfo, pytz and dateutil name
    # the zone there).
    datetime.tzinfo: lambda v: b"z" + _text(f"{_name(type(v))}|{v!r}"),
    decimal.Decimal: lambda v: b"D" + str(v).encode(),
    fractions.Fraction: lambda v: b"F" + str(v).encode(),
    re.Pattern: lambda v: b"r" + repr((v.pattern, v.flags)).encode(),
    types.ModuleType: lambda v: b"m" + _text(v.__name__),
    type: lambda v: b"T" + _text(_name(v)),
    range: lambda v: b"R" + repr(v).encode(),
}

# Types of Pelican's own machinery, hashed as their type alone: their
# behaviour is code and settings, both in the world fingerprint.
_MACHINERY = (
    "pelican.readers.Readers",
    "pelican.writers.Writer",
    "pelican.Pelican",
    "jinja2.loaders.BaseLoader",
    "jinja2.bccache.BytecodeCache",
    "logging.Logger",
    "logging.LoggerAdapter",
    "_thread.lock",
    "_thread.RLock",
    "threading.Condition",
)


class _Kinds:
    """Per-type decisions, made once per type."""

    def __init__(self) -> None:
        self._leaf: dict[type, Callable[[Any], bytes] | None] = {}
        self._machinery: dict[type, bool] = {}
        self._content_type: type | None = None
        self._template_type: type | None = None
        try:
            from pelican.contents import Content

            self._content_type = Content
        except ImportError:  # pragma: no cover - Pelican is a dependency
            pass
        try:
            from jinja2 import Template

            self._template_type = Template
        except ImportError:  # pragma: no cover - Pelican depends on Jinja
            pass

    def leaf(self, kind: type) -> Callable[[Any], bytes] | None:
        try:
            return self._leaf[kind]
        except KeyError:
            pass
        found = None
        for base in kind.__mro__:
            if base in _LEAVES:
                encode = _LEAVES[base]
                if base in (str, bytes, int, float) and base is not kind:
                    # A subclass (Markup, IntEnum): its type is part of it.
                    prefix = b"(" + _text(_name(kind)) + b")"
                    if issubclass(kind, enum.Enum):
                        found = functools.partial(_enum_leaf, prefix)
                    else:
                        found = functools.partial(_sub_leaf, prefix, encode)
                else:
                    found = encode
                break
        else:
            if issubclass(kind, enum.Enum):
                found = functools.partial(_enum_leaf, b"")
            elif issubclass(kind, pathlib.PurePath):
                found = _path_leaf
            elif self.is_machinery(kind):
                found = _type_leaf
        self._leaf[kind] = found
        return found

    def is_machinery(self, kind: type) -> bool:
        if kind not in self._machinery:
            names = {_name(base) for base in kind.__mro__}
            self._machinery[kind] = any(name in names for name in _MACHINERY)
        return self._machinery[kind]

    def is_content(self, kind: type) -> bool:
        return self._content_type is not None and issubclass(kind, self._content_type)

    def is_template(self, kind: type) -> bool:
        return self._template_type is not None and issubclass(kind, self._template_type)


def _sub_leaf(prefix: bytes, encode: Callable[[Any], bytes], value: Any) -> bytes:
    return prefix + encode(value)


def _enum_leaf(prefix: bytes, value: Any) -> bytes:
    return prefix + b"E" + _text(f"{_name(type(value))}.{value.name}")


def _path_leaf(value: Any) -> bytes:
    return b"p" + _text(f"{_name(type(value))}|{value}")


def _type_leaf(value: Any) -> bytes:
    return b"M" + _text(_name(type(value)))


# Attributes of a Pelican content object left out of its fingerprint: the
# body (recorded when read, :mod:`.record`), the site context and settings.
CONTENT_SKIPPED = frozenset({"_content", "_summary", "_context", "settings"})


class Fingerprinter:
    """Fingerprints of values, memoised by identity (see the module doc)."""

    def __init__(self, settings: object = None) -> None:
        self._settings = settings
        self._kinds = _Kinds()
        self._done: dict[int, bytes] = {}
        self._keep: list[Any] = []  # memoised objects stay alive
        self._untracked: dict[int, str] = {}

    def of(self, value: Any) -> bytes:
        """The fingerprint of ``value``.

        :raises Untracked: something reachable from it cannot be hashed.
        """
        encode = self._kinds.leaf(type(value))
        if encode is not None:
            return digest(encode(value))
        key = id(value)
        if key in self._done:
            return self._done[key]
        if key in self._untracked:
            raise Untracked(self._untracked[key])
        return self._walk(value)

    # -- one node: its own data and the objects it refers to ---------------

    def _node(self, obj: Any) -> tuple[list[bytes], list[Any]]:
        """``(data, refs)``: ``data`` has ``_REF`` where a ref goes."""
        data: list[bytes] = []
        refs: list[Any] = []
        leaf = self._kinds.leaf

        def add(item: Any) -> None:
            encode = leaf(type(item))
            if encode is not None:
                data.append(encode(item))
            else:
                data.append(_REF)
                refs.append(item)

        kind = type(obj)
        if obj is self._settings:
            data.append(b"settings")
            return data, refs
        data.append(_text(_name(kind)))
        if isinstance(obj, dict):
            for key, value in obj.items():
                add(key)
                add(value)
        elif isinstance(obj, list | tuple | deque):
            for item in obj:
                add(item)
        elif isinstance(obj, set | frozenset):
            leaves = []
            for item in obj:
                encode = leaf(type(item))
                if encode is not None:
                    leaves.append(encode(item))
                else:
                    data.append(_REF)
                    refs.append(item)
            data.extend(sorted(leaves))
        elif self._kinds.is_template(kind):
            data.append(_text(f"{obj.name}|{obj.filename}"))
        elif isinstance(obj, types.FunctionType):
            data.append(_text(_name(obj)))
            for cell in obj.__closure__ or ():
                try:
                    add(cell.cell_contents)
                except ValueError:  # an empty cell
                    data.append(b"empty")
            add(obj.__defaults__)
            add(obj.__kwdefaults__)
        elif isinstance(obj, types.MethodType | types.BuiltinMethodType):
            # A bound method depends on its object; a built-in function's
            # "object" is its module.
            data.append(_text(getattr(obj, "__qualname__", "")))
            add(obj.__self__)
            add(getattr(obj, "__func__", None))
        elif isinstance(obj, weakref.ref):
            add(obj())
        elif isinstance(obj, functools.partial):
            add(obj.func)
            add(obj.args)
            add(obj.keywords)
        elif hasattr(obj, "__fastbuild_fingerprint__") and not isinstance(obj, type):
            add(obj.__fastbuild_fingerprint__())
        else:
            fields = self._fields(obj, kind)
            for name in sorted(fields):
                data.append(_text(name))
                add(fields[name])
        return data, refs

    def _fields(self, obj: Any, kind: type) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        found = False
        for base in kind.__mro__:
            slots = vars(base).get("__slots__", ())
            if isinstance(slots, str):
                slots = (slots,)
            for slot in slots:
                if slot in ("__dict__", "__weakref__"):
                    continue
                found = True
                with contextlib.suppress(AttributeError):
                    fields[slot] = getattr(obj, slot)
        attrs = getattr(obj, "__dict__", None)
        if isinstance(attrs, dict):
            found = True
            fields.update(attrs)
        if not found:
            raise Untracked(f"a value of type {_name(kind)}")
        if self._kinds.is_content(kind):
            for name in CONTENT_SKIPPED:
                fields.pop(name, None)
        return fields

    # -- the walk: Tarjan's strongly connected components --------------------

    def _walk(self, root: Any) -> bytes:
        index: dict[int, int] = {}
        low: dict[int, int] = {}
        nodes: dict[int, tuple[list[bytes], list[Any]]] = {}
        stack: list[Any] = []
        on_stack: set[int] = set()
        calls: list[tuple[Any, Iterator[Any]]] = []

        def enter(obj: Any) -> None:
            key = id(obj)
            index[key] = low[key] = len(index)
            try:
                nodes[key] = self._node(obj)
            except Untracked as err:
                # Everything on the path to it is untracked as well.
                for parent, _ in calls:
                    self._untracked[id(parent)] = str(err)
                self._untracked[key] = str(err)
                raise
            stack.append(obj)
            on_stack.add(key)
            calls.append((obj, iter(nodes[key][1])))

        enter(root)
        while calls:
            obj, children = calls[-1]
            key = id(obj)
            descended = False
            for child in children:
                ckey = id(child)
                if ckey in self._done:
                    continue
                if ckey in self._untracked:
                    reason = self._untracked[ckey]
                    for parent, _ in calls:
                        self._untracked[id(parent)] = reason
                    raise Untracked(reason)
                if ckey not in index:
                    enter(child)
                    descended = True
                    break
                if ckey in on_stack:
                    low[key] = min(low[key], index[ckey])
            if descended:
                continue
            calls.pop()
            if calls:
                parent = id(calls[-1][0])
                low[parent] = min(low[parent], low[key])
            if low[key] == index[key]:
                members = []
                while True:
                    member = stack.pop()
                    on_stack.discard(id(member))
                    members.append(member)
                    if member is obj:
                        break
                self._close(members, nodes)
        return self._done[id(root)]

    def _close(
        self, members: list[Any], nodes: dict[int, tuple[list[bytes], list[Any]]]
    ) -> None:
        """Fingerprint one strongly connected component."""
        members.reverse()
        position = {id(m): i for i, m in enumerate(members)}
        parts: list[bytes] = []
        for member in members:
            data, refs = nodes.pop(id(member))
            pending = iter(refs)
            for item in data:
                if item is _REF:
                    ref = id(next(pending))
                    if ref in position:
                        parts.append(b"#" + str(position[ref]).encode())
                    else:
                        parts.append(self._done[ref])
                else:
                    parts.append(item)
            parts.append(b"\x01")
        whole = digest(*parts)
        for i, member in enumerate(members):
            self._done[id(member)] = (
                whole if len(members) == 1 else digest(whole, str(i).encode())
            )
            self._keep.append(member)
