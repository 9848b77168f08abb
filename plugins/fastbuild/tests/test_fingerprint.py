"""Fingerprints: equal data, equal fingerprint; any change, another one."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from markupsafe import Markup

from pelican.plugins.fastbuild.fingerprint import Fingerprinter, Untracked
from pelican.plugins.fastbuild.record import cached_reads
from pelican.plugins.fastbuild.taxonomy import IndexedList


@dataclass
class Node:
    name: str
    links: list[Any] = field(default_factory=list)
    extra: Any = None


def fp(value: Any, settings: object = None) -> bytes:
    return Fingerprinter(settings).of(value)


def ring(names: list[str]) -> Node:
    nodes = [Node(n) for n in names]
    for a, b in zip(nodes, nodes[1:] + nodes[:1], strict=True):
        a.links.append(b)
    return nodes[0]


def test_equal_data_in_distinct_objects_has_one_fingerprint() -> None:
    a = Node("a", [Node("b"), {"k": [1, 2.5, None, True]}])
    b = Node("a", [Node("b"), {"k": [1, 2.5, None, True]}])
    assert fp(a) == fp(b)


def test_sharing_does_not_change_the_fingerprint() -> None:
    word = "".join(["sha", "red"])
    shared = Node("x", [word, word])
    separate = Node("x", ["shared", "".join(["sh", "ared"])])
    assert fp(shared) == fp(separate)


@pytest.mark.parametrize(
    "change",
    [
        lambda n: setattr(n, "name", "other"),
        lambda n: n.links[0].links.append(1),
        lambda n: setattr(n.links[0], "extra", {"deep": ["x"]}),
        lambda n: setattr(n.links[0].links[0].links[0], "name", "z"),
    ],
)
def test_any_change_anywhere_in_a_cycle_changes_every_member(change: Any) -> None:
    root = ring(["a", "b", "c"])
    member = root.links[0]
    before_root, before_member = fp(root), fp(member)
    change(root)
    assert fp(root) != before_root
    assert fp(member) != before_member


def test_a_cycle_entered_anywhere_is_consistent() -> None:
    root = ring(["a", "b", "c", "d"])
    f = Fingerprinter()
    member_first = f.of(root.links[0].links[0])
    assert Fingerprinter().of(root.links[0].links[0]) == member_first
    assert f.of(root) == Fingerprinter().of(root)


def test_an_object_that_refers_to_itself() -> None:
    # A plugin's object listing itself (pelican-photos' galleries do).
    def selfish(name: str) -> Node:
        node = Node(name)
        node.links.append(node)
        return node

    assert fp(selfish("a")) == fp(selfish("a"))
    assert fp(selfish("a")) != fp(selfish("b"))
    assert fp(selfish("a")) != fp(Node("a", [Node("a")]))
    assert fp([selfish("a"), 1]) == fp([selfish("a"), 1])


def test_types_are_part_of_the_data() -> None:
    assert fp(Markup("<b>x</b>")) != fp("<b>x</b>")
    assert fp([1]) != fp((1,))
    assert fp(1) != fp(1.0) != fp("1")
    assert fp(Node("a")) != fp({"name": "a", "links": [], "extra": None})


def test_dates_with_their_zone() -> None:
    shanghai = datetime.datetime(2026, 11, 16, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    utc = datetime.datetime(2026, 11, 16, 1, tzinfo=datetime.UTC)
    assert shanghai == utc
    assert fp(shanghai) != fp(utc)
    assert fp(shanghai) == fp(shanghai.replace())


class OtherZone(datetime.tzinfo):
    """A zone the fingerprint does not name (pickle writes it)."""

    def __init__(self, hours: int) -> None:
        self.hours = hours

    def utcoffset(self, dt: Any) -> datetime.timedelta:
        return datetime.timedelta(hours=self.hours)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (datetime.datetime(2026, 1, 1, 9), datetime.datetime(2026, 1, 1, 9, 0, 1)),
        (datetime.datetime(2026, 1, 1), datetime.date(2026, 1, 1)),
        (datetime.date(2026, 1, 1), datetime.date(2026, 1, 2)),
        (datetime.time(9), datetime.time(9, tzinfo=datetime.UTC)),
        (
            datetime.datetime(2026, 11, 1, 1, 30, tzinfo=ZoneInfo("America/New_York")),
            datetime.datetime(
                2026, 11, 1, 1, 30, fold=1, tzinfo=ZoneInfo("America/New_York")
            ),
        ),
        (
            datetime.datetime(2026, 1, 1, tzinfo=OtherZone(1)),
            datetime.datetime(2026, 1, 1, tzinfo=OtherZone(2)),
        ),
        (ZoneInfo("Europe/Paris"), ZoneInfo("Europe/Berlin")),
        (
            Node("a", [datetime.date(2026, 1, 1)]),
            Node("a", [datetime.date(2027, 1, 1)]),
        ),
    ],
)
def test_every_part_of_a_time_counts(one: Any, other: Any) -> None:
    assert fp(one) != fp(other)
    assert fp(one) == fp(one)


@dataclass(frozen=True, slots=True)
class Leaf:
    label: str
    url: str
    external: bool = False


@dataclass(frozen=True, slots=True)
class OtherLeaf:
    label: str
    url: str
    external: bool = False


def test_objects_of_scalars_by_type_and_every_attribute() -> None:
    leaf = Leaf("a", "u")
    assert fp([leaf, leaf]) == fp([Leaf("a", "u"), Leaf("a", "u")])
    assert fp(Node("n", [leaf])) != fp(Node("n", [Leaf("a", "u", True)]))
    assert fp(Node("n", [leaf])) != fp(Node("n", [Leaf("a", "v")]))
    assert fp(Node("n", [leaf])) != fp(Node("n", [OtherLeaf("a", "u")]))
    holding, other = Leaf("a", Node("b")), Leaf("a", Node("c"))  # type: ignore[arg-type]
    assert fp(Node("n", [holding])) != fp(Node("n", [other]))


def test_functions_by_name_and_closure() -> None:
    def make(value: str) -> Any:
        return lambda: value

    assert fp(make("a")) == fp(make("a"))
    assert fp(make("a")) != fp(make("b"))
    assert fp(functools.partial(len, "ab")) != fp(functools.partial(len, "abc"))


def test_the_settings_dict_is_left_to_the_world_fingerprint() -> None:
    settings = {"SITENAME": "A"}
    a = Node("x", extra=settings)
    before = fp(a, settings)
    settings["SITENAME"] = "B"
    assert fp(a, settings) == before
    assert fp(a) != fp(Node("x", extra={"SITENAME": "A"}))


def test_declared_fingerprint_leaves_caches_out() -> None:
    class Cached:
        def __init__(self, data: str) -> None:
            self.data = data
            self.cache: dict[str, str] = {}

        def __fastbuild_fingerprint__(self) -> object:
            return self.data

    a, b = Cached("x"), Cached("x")
    b.cache["k"] = "v"
    assert fp(a) == fp(b)
    assert fp(a) != fp(Cached("y"))


class Cached:
    def __init__(self, items: list[int]) -> None:
        self.items = items

    @functools.cached_property
    def total(self) -> int:
        return sum(self.items)

    @cached_reads
    def doubled(self) -> list[int]:
        return [2 * n for n in self.items]


def test_cached_values_are_left_out() -> None:
    """A cache is as full after a render as it is empty before one: the
    fingerprint is the same, and still follows the object's own data."""
    empty = Fingerprinter().of(Cached([1, 2]))
    full = Cached([1, 2])
    assert (full.total, full.doubled) == (3, [2, 4])
    assert Fingerprinter().of(full) == empty
    assert Fingerprinter().of(Cached([1, 3])) != empty


def test_indexed_list_is_its_elements() -> None:
    items = [Node("a"), Node("b")]
    assert fp(IndexedList(items)) == fp(IndexedList([Node("a"), Node("b")]))
    assert fp(IndexedList(items)) != fp(IndexedList(items[:1]))


def test_what_cannot_be_written_is_untracked(tmp_path: Any) -> None:
    with (tmp_path / "f").open("w") as handle, pytest.raises(Untracked):
        fp(Node("x", extra=handle))


def test_pelican_content_without_its_body() -> None:
    from pelican.contents import Article
    from pelican.settings import DEFAULT_CONFIG

    settings = dict(DEFAULT_CONFIG)

    def article(body: str, title: str) -> Article:
        return Article(
            body,
            metadata={"title": title, "date": datetime.datetime(2026, 1, 2)},
            settings=settings,
            source_path="/s/a.md",
            context={},
        )

    assert fp(article("one", "T"), settings) == fp(article("two", "T"), settings)
    assert fp(article("one", "T"), settings) != fp(article("one", "U"), settings)


def test_a_seeded_fingerprint_stands_for_its_value() -> None:
    """A fingerprint taken elsewhere (a worker's) and seeded gives what
    walking the value here gives; a value fingerprinted here keeps its own."""
    shared = [Node(f"story {n}", [{"tags": ["a", "b"]}]) for n in range(3)]
    page = Node("index", shared)
    expected = fp(page)
    elsewhere = Fingerprinter()
    seeded = Fingerprinter()
    for node in shared:
        seeded.seed(node, elsewhere.of(node))
    assert seeded.of(page) == expected
    seeded.seed(page, b"\0" * 16)  # already fingerprinted here
    assert seeded.of(page) == expected
