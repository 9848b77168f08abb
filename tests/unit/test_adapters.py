"""The adapter's pieces, without a Pelican build: repeated keys in the
metadata block, {static} links, one warning per bad value."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from cx_digest.adapters import StoryAdapter, repeated_pelican_keys
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


class TestRepeatedPelicanKeys:
    def test_finds_keys_pelican_would_silently_drop(self, tmp_path: Path) -> None:
        path = write(
            tmp_path,
            "a.md",
            "Title: A\nDate: 2026-11-18 09:00\nCATEGORY: Economy\n"
            "date: 2026-11-19\nCategory:  Markets \nTags: x\nKicker: k\nKicker: j\n"
            "\nDate: in the body, not metadata\n",
        )
        assert repeated_pelican_keys(path) == {
            "date": ["2026-11-18 09:00", "2026-11-19"],
            "category": ["Economy", "Markets"],
        }

    def test_stops_at_the_first_blank_line(self, tmp_path: Path) -> None:
        path = write(tmp_path, "b.md", "Title: B\nTags: x\n\nTags: y\nTags: z\n")
        assert repeated_pelican_keys(path) == {}

    def test_yaml_fence_and_continuation_lines(self, tmp_path: Path) -> None:
        path = write(
            tmp_path,
            "c.md",
            "---\nTitle: C\nSummary: one\n    two\nStatus: draft\nStatus: hidden\n"
            "---\nBody\n",
        )
        assert repeated_pelican_keys(path) == {"status": ["draft", "hidden"]}

    def test_other_formats_and_missing_files(self, tmp_path: Path) -> None:
        rst = write(tmp_path, "d.rst", ":date: 1\n:date: 2\n")
        assert repeated_pelican_keys(rst) == {}
        assert repeated_pelican_keys(str(tmp_path / "missing.md")) == {}


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
        "category": SimpleNamespace(name="Economy", url="category/economy/"),
        "tags": [],
        "metadata": meta,
        "settings": {"STATIC_URL": "{path}"},
        "get_content": lambda siteurl: "<p>Body.</p>",
    }
    values.update(attrs)
    return SimpleNamespace(**values)


def adapter(tmp_path: Path, report: Report) -> StoryAdapter:
    return StoryAdapter(SETTINGS, str(tmp_path / "content"), report, lambda p: None)


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
        (story,) = adapter(tmp_path, report).adapt([item])
    assert story.title == "One"
    assert item.title == "One"  # Pelican's own pages see it too
    assert [str(p) for p in report.problems] == [
        "stories/x.md: Title 'One | Two': given more than once; using the first value"
    ]
    assert len(caplog.records) == 1


def test_repeated_date_in_the_file_warns_once(tmp_path: Path) -> None:
    report = Report()
    item = article(
        tmp_path, "Title: H\nDate: 2026-11-18 09:00\nDate: 2026-11-19 09:00\n\nB\n"
    )
    adapter(tmp_path, report).adapt([item])
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
    (story,) = adapter(tmp_path, report).adapt([item])
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


def test_static_links_in_a_summary_resolve_from_the_site_root(
    tmp_path: Path,
) -> None:
    (tmp_path / "content/images").mkdir(parents=True)
    (tmp_path / "content/images/a.jpg").write_bytes(b"x")
    report = Report()
    a = adapter(tmp_path, report)
    item = article(tmp_path, "Title: H\n\nB\n")
    fragment = (
        '<p><img src="{static}/images/a.jpg"> <img src="{static}../images/a.jpg#f">'
        ' <img src="{static}/images/missing.jpg"></p>'
    )
    resolved = a._static_links(fragment, item)
    assert 'src="/images/a.jpg"' in resolved
    assert 'src="/images/a.jpg#f"' in resolved
    assert 'src="{static}/images/missing.jpg"' in resolved  # left to Pelican
    other = article(tmp_path, "Title: H\n\nB\n", settings={"STATIC_URL": "s/{path}"})
    assert a._static_links(fragment, other) == fragment
