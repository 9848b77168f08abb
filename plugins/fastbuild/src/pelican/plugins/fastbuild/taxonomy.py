"""Linear-time taxonomy pages: O(1) membership for Pelican's taxonomy lists.

``ArticlesGenerator.generate_tags``, ``generate_categories`` and
``generate_authors`` compute, for every taxonomy ``t``::

    dates = [article for article in self.dates if article in articles]

where ``articles`` is the plain list of ``t``'s stories: one O(N) list scan per
story of the archive, O(N^2) per build. Pelican fills those lists through the
``defaultdict(list)`` objects ``generator.tags``, ``generator.categories`` and
``generator.authors``; at ``article_generator_pretaxonomy`` (sent after they
are created, before they are filled) :func:`index_taxonomies` swaps their
``default_factory`` for :class:`IndexedList`, whose ``in`` is O(1) and answers
exactly what a list answers. Pelican's code is not patched and not one byte
of output changes: the lists keep their order and contents, Paginator slices
them into plain lists, templates take ``|length``, ``_update_context`` stores
``list(self.tags.items())``, feeds slice them.

Relies on Pelican's ``ArticlesGenerator.generate_context`` creating those
three attributes as ``defaultdict(list)``, sending
``article_generator_pretaxonomy`` before appending to them and only appending
(tested with Pelican 4.12.0; any later version that keeps that order works,
and one that does not simply gets plain lists again).

Not fixed: ``ArticlesGenerator._build_period_archives`` (year/month/day
archives) runs the same pattern, ``[a for a in articles if a in dates]``, on a
list it builds locally; that cannot be changed from outside without replacing
the whole method, so it is left as Pelican wrote it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, SupportsIndex

__all__ = ["IndexedList", "by_identity", "index_taxonomies"]

_IDENTITY_EQ = object.__eq__


def by_identity(obj: object) -> bool:
    """True when ``obj == x`` is ``obj is x`` for every ``x`` not defining __eq__.

    Pelican's Content objects (Article, Page) inherit ``object.__eq__``.
    """
    return type(obj).__eq__ is _IDENTITY_EQ


class IndexedList(list):
    """A list whose ``x in self`` is O(1) for objects compared by identity.

    List membership is "some element ``e`` has ``e is x or e == x``". For an
    element and a probe that both inherit ``object.__eq__`` that is identity,
    so a count of the ids of such elements answers it. Elements with an
    ``__eq__`` of their own are only counted; while there are any, or when
    the probe has its own ``__eq__``, membership falls back to the list scan,
    which gives the list's answer by definition.

    Every mutating list method keeps the index consistent. ``list``
    operations that build a new list (slicing, ``+``, ``*``, ``copy()``)
    return plain lists, as they do for any list subclass. Pickling and
    ``copy`` rebuild the index from the elements.
    """

    __slots__ = ("_ids", "_others")

    def __init__(self, iterable: Iterable[Any] = ()) -> None:
        super().__init__(iterable)
        self._reindex()

    def __fastbuild_fingerprint__(self) -> list[Any]:
        """The elements (the index holds ids, which differ between builds)."""
        return list(self)

    def _reindex(self) -> None:
        self._ids: dict[int, int] = {}
        self._others = 0
        self._add(self)

    def _add(self, items: Iterable[Any]) -> None:
        ids = self._ids
        for item in items:
            if by_identity(item):
                key = id(item)
                ids[key] = ids.get(key, 0) + 1
            else:
                self._others += 1

    def _discard(self, items: Iterable[Any]) -> None:
        ids = self._ids
        for item in items:
            if by_identity(item):
                key = id(item)
                left = ids[key] - 1
                if left:
                    ids[key] = left
                else:
                    del ids[key]
            else:
                self._others -= 1

    def __contains__(self, item: object) -> bool:
        # An id in the index is an element that is ``item`` itself (two live
        # objects never share an id), so the list holds it.
        # (by_identity inlined: Pelican's generate_tags asks this for every
        # story once per tag.)
        if id(item) in self._ids:
            return True
        if not self._others and type(item).__eq__ is _IDENTITY_EQ:
            return False
        return super().__contains__(item)

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        return (type(self), (list(self),))

    def append(self, item: Any) -> None:
        super().append(item)
        self._add((item,))

    def extend(self, iterable: Iterable[Any]) -> None:
        items = list(iterable)
        super().extend(items)
        self._add(items)

    def __iadd__(self, iterable: Iterable[Any]) -> IndexedList:
        self.extend(iterable)
        return self

    def __imul__(self, count: SupportsIndex) -> IndexedList:
        super().__imul__(count)
        self._reindex()
        return self

    def insert(self, index: SupportsIndex, item: Any) -> None:
        super().insert(index, item)
        self._add((item,))

    def pop(self, index: SupportsIndex = -1) -> Any:
        item = super().pop(index)
        self._discard((item,))
        return item

    def remove(self, item: Any) -> None:
        try:
            index = self.index(item)
        except ValueError:
            raise ValueError("list.remove(x): x not in list") from None
        del self[index]

    def clear(self) -> None:
        super().clear()
        self._reindex()

    def _old(self, key: Any) -> list[Any]:
        """The elements ``self[key]`` replaces or deletes (list's own errors)."""
        if isinstance(key, slice):
            return super().__getitem__(key)
        try:
            return [super().__getitem__(key)]
        except IndexError:
            return []  # the mutation itself raises list's IndexError

    def __setitem__(self, key: Any, value: Any) -> None:
        old = self._old(key)
        new = list(value) if isinstance(key, slice) else [value]
        super().__setitem__(key, new if isinstance(key, slice) else value)
        self._discard(old)
        self._add(new)

    def __delitem__(self, key: Any) -> None:
        old = self._old(key)
        super().__delitem__(key)
        self._discard(old)


def index_taxonomies(generator: Any) -> None:
    """Make the generator's tag, category and author lists :class:`IndexedList`.

    Only ``defaultdict(list)`` attributes are touched, so a Pelican whose
    generator differs is left alone.
    """
    for name in ("tags", "categories", "authors"):
        mapping = getattr(generator, name, None)
        if isinstance(mapping, defaultdict) and mapping.default_factory is list:
            mapping.default_factory = IndexedList
