"""The adapter's pieces, without a Pelican build: repeated keys, lookups
by slug or file name, one warning per bad value."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from cx_digest.adapters import REPEATS_KEY, StoryAdapter, StoryIndex
from cx_digest.report import Report
from cx_digest.settings import load

SETTINGS = load(
    {
        "SITEURL": "https://news.example",
        "TIMEZONE": "Asia/Shanghai",
        "CX_DIGEST_SECTIONS": [
            {"key": "policy", "categories": ["Economy"]},
            {"key": "business", "categories": ["Companies"]},
        ],
    }
)


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


def article(tmp_path: Path, text: str, **attrs: Any) -> Any:
    """A stand-in for a Pelican article read from ``text``."""
    source = write(tmp_path, "content/stories/x.md", text)
    meta = attrs.pop("metadata", {})
    values: dict[str, Any] = {
        "slug": "x",
        "title": "Headline",
        "url": "2026/11/18/x/",
        "source_path": source,
        "date": datetime(2026, 11, 18, 9, tzinfo=SETTINGS.timezone),
        "category": SimpleNamespace(
            name="Economy", url="category/economy/", slug="economy"
        ),
        "tags": [],
        "metadata": meta,
        "settings": {"STATIC_URL": "{path}"},
        "get_content": lambda siteurl: "<p>Body.</p>",
    }
    values.update(attrs)
    return SimpleNamespace(**values)


def adapter(tmp_path: Path, report: Report) -> StoryAdapter:
    return StoryAdapter(SETTINGS, str(tmp_path / "content"), report, lambda p: None)


def adapt(tmp_path: Path, report: Report, *items: Any) -> list[Any]:
    index = StoryIndex(items, str(tmp_path / "content"), report)
    return adapter(tmp_path, report).adapt(list(items), index, no_summaries, mapped)


def no_summaries(article: Any, url: str) -> tuple[str, str, str]:
    return ("", "", "")


def mapped(function: Any, items: Any) -> list[Any]:
    return [function(item) for item in items]


def test_repeated_title_warns_once_and_every_page_gets_the_first(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    report = Report()
    item = article(
        tmp_path,
        "Title: One\nTitle: Two\n\nBody\n",
        title=["One", "Two"],
        metadata={"title": ["One", "Two"]},
    )
    with caplog.at_level(logging.WARNING, logger="cx_digest"):
        (story,) = adapt(tmp_path, report, item)
    assert story.title == "One"
    assert item.title == "One"  # Pelican's own pages see it too
    assert [str(p) for p in report.problems] == [
        "stories/x.md: Title 'One | Two': given more than once; using the first value"
    ]
    assert len(caplog.records) == 1


def test_repeated_date_in_the_file_warns_once(tmp_path: Path) -> None:
    report = Report()
    item = article(
        tmp_path,
        "Title: H\nDate: 2026-11-18 09:00\nDate: 2026-11-19 09:00\n\nB\n",
        metadata={REPEATS_KEY: {"date": ["2026-11-18 09:00", "2026-11-19 09:00"]}},
    )
    adapt(tmp_path, report, item)
    assert [(p.source, p.key, p.value) for p in report.problems] == [
        ("stories/x.md", "Date", "2026-11-18 09:00 | 2026-11-19 09:00")
    ]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("digest", "headline"),
        ("digest_order", "-1"),
        ("digest_section", "sports"),
        ("link", "javascript:alert(1)"),
        ("image", "data:image/png;base64,AAAA"),
        ("access", "vip"),
        ("related", "x"),
        ("related", "Label <ftp://x>"),
    ],
)
def test_each_bad_value_is_one_problem(tmp_path: Path, key: str, value: str) -> None:
    report = Report()
    item = article(tmp_path, "Title: H\n\nB\n", metadata={key: value})
    (story,) = adapt(tmp_path, report, item)
    assert len(report.problems) == 1
    problem = report.problems[0]
    assert (problem.source, problem.key.lower(), problem.value) == (
        "stories/x.md",
        key,
        value,
    )
    assert story.role.value == "story"
    assert story.section == "policy"
    assert story.order is None
    assert story.link == ""
    assert story.image is None
    assert story.related == ()
    assert story.subscribers_only is False


def test_related_by_slug_or_file_name_and_ambiguity_named_once(
    tmp_path: Path,
) -> None:
    report = Report()
    first = article(tmp_path, "Title: H\n\nB\n", metadata={"related": ["two", "y"]})
    second = article(tmp_path, "Title: H\n\nB\n", slug="two", title="Second")
    second.source_path = write(tmp_path, "content/stories/later/y.md", "Title: S\n")
    third = article(tmp_path, "Title: H\n\nB\n", slug="y", title="Third")
    third.source_path = write(tmp_path, "content/stories/z.md", "Title: T\n")
    stories = adapt(tmp_path, report, first, second, third)
    # "two" is a slug; "y" is the slug of z.md and the file name of later/y.md.
    assert [link.label for link in stories[0].related] == ["Second", "Third"]
    assert [(p.key, p.value, p.reason) for p in report.problems] == [
        (
            "Related",
            "y",
            "both stories/z.md and stories/later/y.md answer to this name",
        )
    ]
