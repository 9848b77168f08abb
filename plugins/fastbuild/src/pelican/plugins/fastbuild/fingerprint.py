"""Deep fingerprints of the values a page is rendered from.

A fingerprint is a 16-byte BLAKE2b digest of everything reachable from a
value: two values with equal fingerprints hold the same data, so a template
that reads them renders the same text. Each object's own data is
serialised with :mod:`pickle`'s C pickler and hashed (nothing is ever
unpickled), which writes built-in values at C speed; objects are the nodes
of a graph hashed by :class:`Fingerprinter`. What is written is steered:

- an object is written as its type's name and its attributes (``__dict__``
  and ``__slots__``), without any attribute holding the build's settings
  dict (the world fingerprint covers the settings, :mod:`.world`);
- the values kept by its type's caches (``functools.cached_property``,
  :class:`.record.cached_reads`) are left out: a cache holds what the
  object's other data makes, and it is full after a render and empty
  before one;
- an object can say what it depends on with a ``__fastbuild_fingerprint__()``
  method returning plain data (leaving out its caches, say);
- a Pelican tag, category or author is its type, name and slug;
- a date, time or datetime is its type, ISO text, fold and zone (a
  ``ZoneInfo`` by its key, a fixed offset by its repr; any other zone is
  written by pickle); a class is its qualified name; an object whose
  attributes are all built-in scalars is its type's name and attributes.
  These are written in place, inside the object holding them, rather than
  as nodes of the graph (below): most values of a page are of these kinds;
- a Pelican content object is written without its body (``_content``,
  ``_summary``) and without the site context it holds: a render that reads
  a body is recorded as reading that content's body (:mod:`.record`);
- a function is its qualified name (code is in the world fingerprint) with
  its closure and defaults; a bound method its function and object; a
  ``functools.lru_cache`` wrapper the function it caches;
- Pelican's machinery (generators, readers, writers, Jinja environments and
  loaders, loggers, locks) is its type's name: a template function bound to
  a generator is taken to read the site through the context, where the
  template's names are recorded;
- a value that cannot be written (an open file, a C object without state)
  makes the fingerprint unknown: :class:`Untracked` is raised and the page
  is always rendered.

Objects are hashed as a graph (see :class:`Fingerprinter`). Sets are
written in iteration order: a set of strings can differ from one process to
the next, which only costs a render. Fingerprints are memoised by object
identity for the lifetime of a :class:`Fingerprinter`, which must not
outlive a state of the build in which the objects may change (the writer
makes one per batch of pages).
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import io
import itertools
import operator
import os
import pickle
import types
import zoneinfo
from typing import Any

__all__ = ["Fingerprinter", "Untracked", "declared_digest", "digest", "file_digest"]


class Untracked(Exception):
    """A value whose data cannot be fingerprinted (names its type)."""


def digest(*parts: bytes) -> bytes:
    """The fingerprint of a sequence of byte strings (length-prefixed)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.digest()


def file_digest(path: str) -> bytes:
    """The BLAKE2b digest of a file's bytes (every file hash of the engine).

    :raises OSError: the file cannot be read.
    """
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "blake2b").digest()


def declared_digest(path: str) -> bytes:
    """The digest of a file a page declared (``b"missing"`` when it cannot be
    read: a page may declare a file it looked for in vain); of a folder, the
    digest of the names in it (a gallery's photos)."""
    try:
        return file_digest(path)
    except IsADirectoryError:
        try:
            names = sorted(os.listdir(path))
        except OSError:
            return b"missing"
        encoded = [name.encode("utf-8", "surrogateescape") for name in names]
        return b"folder:" + digest(*encoded)
    except OSError:
        return b"missing"


def _scalar(value: str | bytes | int | float | bool | None) -> bytes:
    """The fingerprint of a built-in scalar: its type and its value (text
    as its code points, other scalars as their repr)."""
    if type(value) is str:
        data = b"str:" + value.encode("utf-8", "surrogatepass")
    elif type(value) is bytes:
        data = b"bytes:" + value
    else:
        data = f"{type(value).__name__}:{value!r}".encode()
    return hashlib.blake2b(data, digest_size=16).digest()


def _name(obj: Any) -> str:
    return f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', obj)}"


# Types of Pelican's own machinery, written as their type's name alone.
_MACHINERY = frozenset(
    {
        "pelican.generators.Generator",
        "pelican.readers.Readers",
        "pelican.writers.Writer",
        "pelican.Pelican",
        "jinja2.environment.Environment",
        "jinja2.loaders.BaseLoader",
        "jinja2.bccache.BytecodeCache",
        "logging.Logger",
        "logging.LoggerAdapter",
        "logging.Handler",
        "threading.Condition",
        "threading.Thread",
    }
)
_LOCKS = (type(__import__("threading").Lock()), type(__import__("threading").RLock()))

_CACHE_WRAPPERS = (type(functools.lru_cache(maxsize=1)(len)),)
_HEAP_TYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class defined in Python
_SCALARS = frozenset({str, int, float, bool, type(None), bytes})
_BUILTINS = (str, bytes, int, float, tuple, list, dict, set, frozenset)

# Attributes of a Pelican content object left out: the body (recorded when
# read, :mod:`.record`) and the site context.
CONTENT_SKIPPED = frozenset({"_content", "_summary", "_context"})


class _Token:
    """What a steered object is written as: a name, then its parts as the
    object's pickled state (written after the object is memoised, so that
    cycles end). Never unpickled: only hashed."""


def _cache_keys(kind: type) -> frozenset[str]:
    """Where a type's cached attributes keep their values in ``__dict__``
    (``functools.cached_property``, or a descriptor naming its key in
    ``__fastbuild_cache_key__``): caches, left out of fingerprints."""
    keys: set[str] = set()
    for base in kind.__mro__:
        for name, attribute in vars(base).items():
            if isinstance(attribute, functools.cached_property):
                keys.add(attribute.attrname or name)
            else:
                key = getattr(type(attribute), "__fastbuild_cache_key__", None)
                if key is not None:
                    keys.add(str(attribute.__fastbuild_cache_key__))
    return frozenset(keys)


def _slot_names(kind: type) -> tuple[str, ...]:
    """The ``__slots__`` names of a type and its bases (not ``__dict__``)."""
    names: list[str] = []
    for base in kind.__mro__:
        slots = vars(base).get("__slots__", ())
        if isinstance(slots, str):
            slots = (slots,)
        names += [s for s in slots if s not in ("__dict__", "__weakref__")]
    return tuple(names)


def _fields(
    obj: Any, settings: object, slots: tuple[str, ...], caches: frozenset[str]
) -> dict[str, Any] | None:
    """An object's attributes (``__dict__`` and ``__slots__``, the names of
    its type's slots) but its ``caches``, or None."""
    attrs = getattr(obj, "__dict__", None)
    has_dict = isinstance(attrs, dict)
    if not slots:
        if not has_dict:
            return None
        fields = dict(attrs)
    else:
        fields = {}
        for slot in slots:
            try:
                fields[slot] = getattr(obj, slot)
            except AttributeError:
                continue
        if has_dict:
            fields.update(attrs)
    if has_dict and caches:
        for key in caches & fields.keys():
            del fields[key]
    if settings is None:
        return fields
    if fields.get("settings") is settings:  # a Pelican content object's
        del fields["settings"]
    if any(map(operator.is_, fields.values(), itertools.repeat(settings))):
        fields = {k: v for k, v in fields.items() if v is not settings}
    return fields


class _Kinds:
    """Per-type decisions, made once per type."""

    def __init__(self) -> None:
        self._cache: dict[type, str] = {}
        self.known = self._cache  # read directly where every call counts
        self._slots: dict[type, tuple[tuple[str, ...], frozenset[str]]] = {}
        self._names: dict[type, str] = {}
        from jinja2 import Template
        from pelican.contents import Content
        from pelican.urlwrappers import URLWrapper

        # Kinds by base class, the first that matches.
        self._by_base: tuple[tuple[Any, str], ...] = (
            (Template, "template"),
            (Content, "content"),
            (URLWrapper, "wrapper"),
            (types.FunctionType, "function"),
            (_CACHE_WRAPPERS, "cache"),
            (types.MethodType | types.BuiltinMethodType, "method"),
            (types.ModuleType, "module"),
            (type, "class"),
            (datetime.date | datetime.time, "time"),
            (zoneinfo.ZoneInfo, "zone"),
        )

    def name(self, kind: type) -> str:
        """A type's module and qualified name (:func:`_name`)."""
        found = self._names.get(kind)
        if found is None:
            found = self._names[kind] = _name(kind)
        return found

    def slots(self, kind: type) -> tuple[tuple[str, ...], frozenset[str]]:
        """A type's slot names and cache keys (:func:`_cache_keys`)."""
        found = self._slots.get(kind)
        if found is None:
            found = self._slots[kind] = (_slot_names(kind), _cache_keys(kind))
        return found

    def of(self, kind: type) -> str:
        found = self._cache.get(kind)
        if found is None:
            found = self._cache[kind] = self._decide(kind)
        return found

    def _decide(self, kind: type) -> str:
        names = {_name(base) for base in kind.__mro__}
        if names & _MACHINERY or issubclass(kind, _LOCKS):
            return "machinery"
        for base, found in self._by_base:
            if issubclass(kind, base):
                return found
        if hasattr(kind, "__fastbuild_fingerprint__"):
            return "declared"
        if issubclass(kind, _BUILTINS) and kind not in _BUILTINS:
            return "builtin"
        if (
            kind.__reduce_ex__ is not object.__reduce_ex__
            or kind.__reduce__ is not object.__reduce__
            or not kind.__flags__ & _HEAP_TYPE
        ):
            # Its own reduction (enum, decimal...), or a type written in C
            # whose state pickle knows, or refuses (a file).
            return "native"
        return "default"


class _LocalPickler(pickle.Pickler):
    """Writes one node's own data with no memo (``fast``: the same data gives
    the same bytes whatever objects it shares); every object that is not a
    built-in value is a reference, written as its number in ``refs``."""

    def __init__(
        self, file: io.BytesIO, fingerprinter: Fingerprinter, refs: list[Any]
    ) -> None:
        super().__init__(file, protocol=5)
        self.fast = True
        self._fp = fingerprinter
        self.refs = refs  # of the node being written

    def reducer_override(self, obj: Any) -> Any:
        if obj is _Token:
            return NotImplemented  # the callable of every token: by reference
        fp = self._fp
        kind = fp._kinds.known.get(type(obj)) or fp._kinds.of(type(obj))
        if kind == "native":
            return NotImplemented  # its own reduction (enum, decimal...)
        if kind in _INLINE:  # written in place, as what it shows
            inline = _INLINE[kind](obj, fp)
            if inline is not None:
                return _Token, inline
            if kind != "default":
                return NotImplemented  # pickle's own reduction
        if kind == "wrapper":  # a Pelican tag, category or author: inline,
            # by what it shows (its __dict__ caches differ by where it came from)
            return _Token, (fp._kinds.name(type(obj)),), (obj.name, obj.slug)
        if kind == "method" and not isinstance(obj.__self__, types.ModuleType):
            return _Token, ("method", obj.__name__), obj.__self__  # inline
        if fp._node_parts(obj) is None:
            return NotImplemented
        self.refs.append(obj)
        return _Token, (len(self.refs) - 1,)


def _zone_name(zone: object) -> str | None:
    """A time zone as text, where its type says exactly what it is."""
    if zone is None:
        return ""
    if type(zone) is zoneinfo.ZoneInfo and zone.key is not None:
        return "zone:" + zone.key
    if type(zone) is datetime.timezone:
        return repr(zone)
    return None


def _time(value: Any, fp: Fingerprinter) -> tuple[Any, ...] | None:
    """A date, time or datetime: its type, value, fold and zone."""
    zone = _zone_name(getattr(value, "tzinfo", None))
    if zone is None:
        return None
    fold = getattr(value, "fold", 0)
    return ("time", fp._kinds.name(type(value)), value.isoformat(), fold, zone)


def _zone(value: Any, fp: Fingerprinter) -> tuple[Any, ...] | None:
    zone = _zone_name(value)
    return None if zone is None else ("zone", zone)


def _class(value: Any, fp: Fingerprinter) -> tuple[Any, ...]:
    return ("class", _name(value))


def _leaf(value: Any, fp: Fingerprinter) -> tuple[Any, ...] | None:
    """An object whose attributes are all built-in scalars: its type and
    attributes, in place (it cannot reach any other object). Any other
    object's parts as a node are noted on the way (its attributes are taken
    once)."""
    kinds = fp._kinds
    slots, caches = kinds.slots(type(value))
    fields = _fields(value, fp._settings, slots, caches)
    if fields is None:
        fp._note_parts(value, None)
        return None
    for v in fields.values():
        if type(v) not in _SCALARS:
            fp._note_parts(value, (kinds.name(type(value)), fields))
            return None
    return ("leaf", kinds.name(type(value)), tuple(fields.items()))


# Kinds of value written in place (None: as a node or by pickle after all).
_INLINE = {"time": _time, "zone": _zone, "class": _class, "default": _leaf}


class Fingerprinter:
    """Fingerprints of values, memoised by identity (see the module doc).

    Objects are the nodes of a graph: each is written on its own (built-in
    values inline, other objects as references) and the graph is hashed by
    strongly connected components (Tarjan), so cycles of any size cost
    linear time and every member of a cycle depends on all of it.
    """

    def __init__(self, settings: object = None) -> None:
        self._settings = settings
        self._kinds = _Kinds()
        self._done: dict[int, bytes] = {}
        self._keep: list[Any] = []  # memoised objects stay alive
        self._parts_of: dict[int, tuple[Any, ...] | None] = {}
        self._buffer = io.BytesIO()
        self._pickler = _LocalPickler(self._buffer, self, [])

    def of(self, value: Any) -> bytes:
        """The fingerprint of ``value``.

        :raises Untracked: something reachable from it cannot be written.
        """
        key = id(value)
        found = self._done.get(key)
        if found is not None:
            return found
        if type(value) in _SCALARS:
            result = _scalar(value)
            self._done[key] = result
            self._keep.append(value)
            return result
        if self._node_parts(value) is not None:
            return self._walk(value)
        data, refs = self._local(value)
        for ref in refs:
            if id(ref) not in self._done:
                self._walk(ref)
        result = self._hash(data, [self._done[id(ref)] for ref in refs])
        self._done[key] = result
        self._keep.append(value)
        return result

    def seed(self, value: Any, found: bytes) -> None:
        """Take ``found`` as the fingerprint of ``value``: what
        :meth:`of` returned for it, in a process forked from this one with
        the build in the same state (a fingerprint taken by a worker). A
        value already fingerprinted here keeps its own."""
        key = id(value)
        if key not in self._done:
            self._done[key] = found
            self._keep.append(value)

    def _node_parts(self, obj: Any) -> tuple[Any, ...] | None:
        key = id(obj)
        try:
            return self._parts_of[key]
        except KeyError:
            pass
        parts = self._parts(obj)
        self._note_parts(obj, parts)
        return parts

    def _note_parts(self, obj: Any, parts: tuple[Any, ...] | None) -> None:
        self._parts_of[id(obj)] = parts
        self._keep.append(obj)  # its id stays its own

    def _local(self, value: Any) -> tuple[bytes, list[Any]]:
        refs: list[Any] = []
        buffer, pickler = self._buffer, self._pickler
        buffer.seek(0)
        buffer.truncate()
        pickler.refs = refs
        try:
            pickler.dump(value)
        except (pickle.PicklingError, TypeError, AttributeError, ValueError) as err:
            raise Untracked(f"{type(err).__name__}: {err}") from None
        except RecursionError:
            raise Untracked("a structure too deep to walk") from None
        return buffer.getvalue(), refs

    @staticmethod
    def _hash(data: bytes, children: list[bytes]) -> bytes:
        h = hashlib.blake2b(data, digest_size=16)
        for child in children:
            h.update(child)
        return h.digest()

    def _walk(self, root: Any) -> bytes:
        """Tarjan's strongly connected components from ``root``."""
        index: dict[int, int] = {}
        low: dict[int, int] = {}
        local: dict[int, tuple[bytes, list[Any]]] = {}
        stack: list[Any] = []
        on_stack: set[int] = set()
        calls: list[tuple[Any, Any]] = []
        done = self._done

        def enter(obj: Any) -> None:
            key = id(obj)
            index[key] = low[key] = len(index)
            local[key] = self._local(self._parts_of[key])
            stack.append(obj)
            on_stack.add(key)
            calls.append((obj, iter(local[key][1])))

        enter(root)
        while calls:
            obj, children = calls[-1]
            key = id(obj)
            descended = False
            for child in children:
                ckey = id(child)
                if ckey in done:
                    continue
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
                self._close(members, local)
        return done[id(root)]

    def _close(
        self, members: list[Any], local: dict[int, tuple[bytes, list[Any]]]
    ) -> None:
        """Fingerprint one strongly connected component."""
        done = self._done
        if len(members) == 1 and all(
            ref is not members[0] for ref in local[id(members[0])][1]
        ):
            member = members[0]
            data, refs = local.pop(id(member))
            done[id(member)] = self._hash(data, [done[id(ref)] for ref in refs])
            return
        # A cycle: several members, or one that refers to itself.
        # A canonical order, whichever member the walk entered by: by each
        # member's own data and references leaving the component.
        inside = {id(m) for m in members}
        nodes = {id(m): local.pop(id(m)) for m in members}

        def own(member: Any) -> bytes:
            data, refs = nodes[id(member)]
            outside = [done[id(r)] if id(r) not in inside else b"#" for r in refs]
            return self._hash(data, outside)

        members.reverse()
        members.sort(key=own)
        position = {id(m): i for i, m in enumerate(members)}
        h = hashlib.blake2b(digest_size=16)
        for member in members:
            data, refs = nodes[id(member)]
            h.update(len(data).to_bytes(8, "little"))
            h.update(data)
            for ref in refs:
                if id(ref) in position:
                    h.update(b"#" + position[id(ref)].to_bytes(8, "little"))
                else:
                    h.update(done[id(ref)])
        whole = h.digest()
        for i, member in enumerate(members):
            done[id(member)] = digest(whole, i.to_bytes(8, "little"))

    def _parts(self, obj: Any) -> tuple[Any, ...] | None:
        """What an object is written as, or None: pickle's own rules."""
        kind = self._kinds.of(type(obj))
        name = self._kinds.name(type(obj))
        settings = self._settings
        slots, caches = self._kinds.slots(type(obj))
        if kind == "builtin":
            # A subclass of a built-in type (a named tuple, Markup): its type,
            # its value as the built-in, its attributes.
            base = next(b for b in type(obj).__mro__ if b in _BUILTINS)
            return (
                name,
                base(obj),
                _fields(obj, settings, slots, caches) or {},
            )
        if kind in ("native", "time", "zone"):
            return None  # written by the pickler (reducer_override)
        if kind == "default":
            fields = _fields(obj, settings, slots, caches)
            return None if fields is None else (name, fields)
        if kind == "wrapper":
            return (name, obj.name, obj.slug)
        if kind == "content":
            fields = _fields(obj, settings, slots, caches) or {}
            for key in CONTENT_SKIPPED:
                fields.pop(key, None)
            return (name, fields)
        if kind == "declared":
            return (name, obj.__fastbuild_fingerprint__())
        if kind == "function":
            closure = []
            for cell in obj.__closure__ or ():
                try:
                    closure.append(cell.cell_contents)
                except ValueError:  # an empty cell
                    closure.append("<empty cell>")
            return (_name(obj), tuple(closure), obj.__defaults__, obj.__kwdefaults__)
        if kind == "cache":
            # functools.lru_cache/cache: the function it caches; the cache
            # holds results of that function.
            return ("cache", obj.__wrapped__)
        if kind == "method":
            owner = obj.__self__
            if isinstance(owner, types.ModuleType):
                return ("builtin", _name(obj))
            return ("method", getattr(obj, "__name__", ""), owner)
        if kind == "template":
            return ("template", obj.name, obj.filename)
        if kind == "class":
            return _class(obj, self)
        if kind == "module":
            return ("module", obj.__name__)
        return ("machinery", name)
