"""IndexedList: list semantics, O(1) membership, every mutator."""

from __future__ import annotations

import copy
import pickle
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pelican.contents import Article

from pbuild import build, listening
from pelican.plugins.fastbuild import IndexedList
from pelican.plugins.fastbuild.taxonomy import index_taxonomies


class Obj:
    """Compared by identity, like Pelican's Content objects."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __repr__(self) -> str:
        return f"Obj({self.n})"


class Eq:
    """Compared by value."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Eq | Obj) and other.n == self.n

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Eq({self.n})"


POOL = [Obj(i) for i in range(4)] + [Eq(i) for i in range(3)] + [1, 2.0, "s", None]


def same(indexed: IndexedList, plain: list[Any]) -> None:
    assert list(indexed) == plain
    assert len(indexed) == len(plain)
    for probe in [*POOL, Obj(0), Eq(0), Eq(9), 7, "t"]:
        assert (probe in indexed) is (probe in plain), probe


def test_membership_is_by_identity_for_plain_objects() -> None:
    a, b = Obj(1), Obj(1)
    items = IndexedList([a])
    assert a in items
    assert b not in items
    assert items._ids == {id(a): 1}
    assert items._others == 0


def test_equality_falls_back_to_the_scan() -> None:
    a = Obj(1)
    assert Eq(1) in IndexedList([a])  # the probe's own __eq__
    assert a in IndexedList([Eq(1)])  # an element's own __eq__
    assert Obj(2) not in IndexedList([Eq(1), a])
    assert 1 in IndexedList([1.0])
    assert float("nan") not in IndexedList([float("nan")])
    nan = float("nan")
    assert nan in IndexedList([nan])  # identity first, as list does


def test_pelican_articles_compare_by_identity() -> None:
    assert Article.__eq__ is object.__eq__


MUTATIONS = [
    ("append", lambda x: x.append(POOL[0])),
    ("extend", lambda x: x.extend(iter([POOL[1], POOL[4]]))),
    ("iadd", lambda x: x.__iadd__([POOL[2], POOL[2]])),
    ("iadd self", lambda x: x.__iadd__(x)),
    ("imul 2", lambda x: x.__imul__(2)),
    ("imul 0", lambda x: x.__imul__(0)),
    ("insert", lambda x: x.insert(1, POOL[3])),
    ("pop", lambda x: x.pop()),
    ("pop 0", lambda x: x.pop(0)),
    ("remove", lambda x: x.remove(POOL[1])),
    ("remove by equality", lambda x: x.remove(Eq(0))),
    ("clear", lambda x: x.clear()),
    ("setitem", lambda x: x.__setitem__(0, POOL[5])),
    ("setitem negative", lambda x: x.__setitem__(-1, POOL[0])),
    ("slice assignment", lambda x: x.__setitem__(slice(1, 3), iter([POOL[6]] * 3))),
    ("extended slice", lambda x: x.__setitem__(slice(0, None, 2), [POOL[3]] * 3)),
    ("slice self", lambda x: x.__setitem__(slice(None), x)),
    ("delitem", lambda x: x.__delitem__(1)),
    ("del slice", lambda x: x.__delitem__(slice(0, 2))),
    ("del extended slice", lambda x: x.__delitem__(slice(None, None, -2))),
    ("sort", lambda x: x.sort(key=id)),
    ("reverse", lambda x: x.reverse()),
    ("reinit", lambda x: x.__init__([POOL[2]])),
]


@pytest.mark.parametrize(("name", "mutate"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_every_mutator_keeps_the_index(name: str, mutate: Any) -> None:
    start = [POOL[0], POOL[1], POOL[4], POOL[1], POOL[7]]
    indexed, plain = IndexedList(start), list(start)
    mutate(indexed)
    mutate(plain)
    same(indexed, plain)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda x: x.remove(Obj(9)),
        lambda x: x.pop(10),
        lambda x: x.__setitem__(10, 1),
        lambda x: x.__delitem__(10),
        lambda x: x.__setitem__(slice(0, None, 2), [1]),
        lambda x: x.__iadd__(5),
        lambda x: x.__imul__("x"),
    ],
)
def test_failed_mutations_change_nothing(mutate: Any) -> None:
    indexed, plain = IndexedList(POOL[:3]), list(POOL[:3])
    with pytest.raises((ValueError, IndexError, TypeError)) as got:
        mutate(indexed)
    with pytest.raises(got.type) as expected:
        mutate(plain)
    assert str(got.value) == str(expected.value)
    same(indexed, plain)


def test_copies_and_pickles_rebuild_the_index() -> None:
    items = IndexedList([POOL[0], POOL[5], POOL[0]])
    shallow = copy.copy(items)
    assert type(shallow) is IndexedList
    same(shallow, list(items))
    for clone in (copy.deepcopy(items), pickle.loads(pickle.dumps(items))):
        assert type(clone) is IndexedList
        same(clone, list(clone))
        assert clone[0] in clone
        assert clone[0] is clone[2] is not POOL[0]
        assert POOL[0] not in clone
    assert type(items[:2]) is list
    assert type(items + items) is list
    assert type(items.copy()) is list


@pytest.mark.parametrize(("workers", "kind"), [(1, list), (2, IndexedList)])
def test_a_parallel_build_uses_indexed_taxonomies(
    content60: Path, tmp_path: Path, workers: int, kind: type
) -> None:
    kinds: list[set[type]] = []

    def taxonomies(generator: Any) -> None:
        lists = [arts for _, arts in generator.tags.items()]
        lists += [arts for _, arts in generator.categories]
        lists += [arts for _, arts in generator.authors]
        kinds.append({type(arts) for arts in lists})
        dates = [a for a in generator.dates if a in lists[0]]
        assert dates == [a for a in generator.dates if a in list(lists[0])]

    with listening("article_generator_finalized", taxonomies):
        build(content60, tmp_path / "out", workers)
    assert kinds == [{kind}]  # at 1 worker, Pelican's plain lists


def test_index_taxonomies_only_swaps_plain_defaultdicts() -> None:
    class Generator:
        def __init__(self) -> None:
            self.tags: defaultdict[str, list[Any]] = defaultdict(list)
            self.categories: defaultdict[str, list[Any]] = defaultdict(list)
            self.authors: Any = {}

    generator = Generator()
    index_taxonomies(generator)
    assert generator.tags.default_factory is IndexedList
    assert generator.categories.default_factory is IndexedList
    assert generator.authors == {}
    generator.tags["a"].append(POOL[0])
    assert POOL[0] in generator.tags["a"]


ops = st.one_of(
    st.tuples(st.just("append"), st.sampled_from(POOL)),
    st.tuples(st.just("extend"), st.lists(st.sampled_from(POOL), max_size=4)),
    st.tuples(st.just("insert"), st.integers(-6, 6), st.sampled_from(POOL)),
    st.tuples(st.just("pop"), st.integers(-6, 6)),
    st.tuples(st.just("remove"), st.sampled_from(POOL)),
    st.tuples(st.just("set"), st.integers(-6, 6), st.sampled_from(POOL)),
    st.tuples(
        st.just("slice"),
        st.integers(-6, 6),
        st.integers(-6, 6),
        st.lists(st.sampled_from(POOL), max_size=3),
    ),
    st.tuples(st.just("del"), st.integers(-6, 6), st.integers(-6, 6)),
    st.tuples(st.just("imul"), st.integers(0, 2)),
)


def apply(target: list[Any], op: tuple[Any, ...]) -> None:
    name, *args = op
    try:
        if name == "append":
            target.append(args[0])
        elif name == "extend":
            target += args[0]
        elif name == "insert":
            target.insert(args[0], args[1])
        elif name == "pop":
            target.pop(args[0])
        elif name == "remove":
            target.remove(args[0])
        elif name == "set":
            target[args[0]] = args[1]
        elif name == "slice":
            target[args[0] : args[1]] = args[2]
        elif name == "del":
            del target[args[0] : args[1]]
        else:
            target *= args[0]
    except (IndexError, ValueError):
        pass


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(POOL), max_size=6), st.lists(ops, max_size=12))
def test_random_mutations_match_a_list(start: list[Any], operations: list[Any]) -> None:
    indexed, plain = IndexedList(start), list(start)
    for op in operations:
        apply(indexed, op)
        apply(plain, op)
        same(indexed, plain)
