"""What an incremental build keeps of a parsed file comes back exactly."""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pelican.settings import DEFAULT_CONFIG
from pelican.urlwrappers import Author, Category, Tag
from pelican.utils import SafeDatetime

from pelican.plugins.fastbuild import readcache

SETTINGS = dict(DEFAULT_CONFIG)


def round_trip(metadata: dict[str, Any]) -> dict[str, Any]:
    content, text = readcache.encode("<p>x</p>", metadata, SETTINGS)
    assert content == "<p>x</p>"
    return readcache.decode(content, text, SETTINGS)[1]


def test_pelican_metadata_comes_back_with_its_types() -> None:
    metadata = {
        "title": "A title",
        "date": SafeDatetime(2026, 11, 16, 9, 30),
        "modified": datetime.datetime(2026, 11, 16, 10),
        "day": datetime.date(2026, 11, 16),
        "tags": [Tag("floods", SETTINGS), Tag("rates", SETTINGS)],
        "category": Category("Economy", SETTINGS),
        "authors": [Author("Staff", SETTINGS)],
        "order": 3,
        "ratio": 0.1,
        "flag": True,
        "none": None,
        "repeats": {"date": ["a", "b"]},
        "pair": ("a", 1),
    }
    back = round_trip(metadata)
    assert list(back) == list(metadata)
    for key, value in metadata.items():
        assert type(back[key]) is type(value), key
    assert back["date"] == metadata["date"]
    assert [t.name for t in back["tags"]] == ["floods", "rates"]
    assert type(back["tags"][0]) is Tag
    assert back["category"].slug == "economy"
    assert back["repeats"] == {"date": ["a", "b"]}
    assert back["pair"] == ("a", 1)


@pytest.mark.parametrize(
    "value",
    [
        datetime.datetime(2026, 11, 16, tzinfo=ZoneInfo("Asia/Shanghai")),
        {1: "not a string key"},
        object(),
        {"nested": [object()]},
    ],
)
def test_what_would_not_come_back_is_not_kept(value: Any) -> None:
    with pytest.raises(readcache.Unstorable):
        readcache.encode("x", {"key": value}, SETTINGS)


def test_stored_data_is_tagged_json_and_only_decoded() -> None:
    _, text = readcache.encode("x", {"title": "T"}, SETTINGS)
    assert json.loads(text) == ["m", [["title", ["s", "T"]]]]
    with pytest.raises((ValueError, KeyError)):
        readcache.decode("x", json.dumps(["x", "os.system"]), SETTINGS)


def _same(a: Any, b: Any) -> bool:
    """Equal, with equal types all the way down (a tag by its name, a
    datetime with its fold, a NaN equal to a NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, Tag | Category | Author):
        return a.name == b.name
    if isinstance(a, datetime.datetime):
        return a == b and a.fold == b.fold
    if isinstance(a, float) and a != a:
        return b != b
    return bool(a == b)


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
_SCALARS = st.one_of(
    _TEXT,
    st.integers(),
    st.floats(),
    st.booleans(),
    st.none(),
    st.datetimes(allow_imaginary=False),
    st.datetimes().map(lambda d: SafeDatetime.fromisoformat(d.isoformat())),
    st.datetimes().map(lambda d: d.replace(fold=1)),
    st.dates(),
    _TEXT.filter(str.strip).map(lambda n: Tag(n, SETTINGS)),
    _TEXT.filter(str.strip).map(lambda n: Category(n, SETTINGS)),
    _TEXT.filter(str.strip).map(lambda n: Author(n, SETTINGS)),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(_TEXT, inner, max_size=4),
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(metadata=st.dictionaries(_TEXT, _VALUES, max_size=6))
def test_every_storable_value_comes_back_exactly(metadata: dict[str, Any]) -> None:
    assert _same(round_trip(metadata), metadata)


def test_the_files_a_reader_opens(tmp_path: Path) -> None:
    """What a parse opened for reading, with each file's digest: not the
    parsed file itself, not what it wrote, not Python's own files; a name
    that cannot be written as UTF-8 comes back through the state's JSON."""
    source, include = tmp_path / "story.rst", tmp_path / "snippet.txt"
    odd = os.fsencode(str(tmp_path)) + b"/caf\xe9.txt"
    for path in (source, include):
        path.write_text("text", encoding="utf-8")
    with open(odd, "wb") as file:
        file.write(b"odd")
    opened = readcache.OPENED
    opened.install()
    opened.start(str(source))
    source.read_text(encoding="utf-8")
    include.read_text(encoding="utf-8")
    with open(odd, "rb") as file:
        file.read()
    (tmp_path / "written.txt").write_text("out", encoding="utf-8")
    os.close(os.open(tmp_path / "missing.txt", os.O_RDONLY | os.O_CREAT))
    os.unlink(tmp_path / "missing.txt")
    with open(json.__file__, encoding="utf-8") as file:  # the standard library
        file.read(1)
    found = opened.stop()
    assert found is not None
    assert set(found) == {str(include), os.fsdecode(odd), str(tmp_path / "missing.txt")}
    assert found[str(tmp_path / "missing.txt")] == b"missing".hex()
    stored = readcache.stored(("<p>x</p>", {}), [], SETTINGS, found)
    assert stored is not None
    stored[3].encode("utf-8")  # what SQLite stores: valid UTF-8
    assert dict(readcache.opened_of(stored[3])) == found
    # Outside start() and stop(), nothing is noted.
    include.read_text(encoding="utf-8")
    assert opened.stop() == {}


def test_an_open_it_cannot_name_makes_the_parse_unknown() -> None:
    opened = readcache.OPENED
    opened.install()
    opened.start("story.md")
    opened._event("open", ("only two", "arguments"))  # not what CPython sends
    assert opened.stop() is None
    opened.start("story.md")
    assert opened.stop() == {}
