"""What an incremental build keeps of a parsed file comes back exactly."""

from __future__ import annotations

import datetime
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
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
