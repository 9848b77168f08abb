"""The digest with pelican-fastbuild's CommonMark reader
(``FASTBUILD_MARKDOWN = "commonmark"``): repeated keys still reported, and
the sample newsroom reads the same as with Python-Markdown, page by page."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from pelican.readers import MarkdownReader
from pelican.settings import read_settings
from test_parallel_digest import build_content

from cx_digest.plugin import _RepeatsMixin, watch_repeated_keys
from pelican.plugins.fastbuild import CommonMarkReader
from pelican.plugins.fastbuild.commonmark import use_commonmark
from support import ROOT, run_pelican, story_file

DAY = "2026-11-18"
COMMONMARK = {"FASTBUILD_MARKDOWN": "commonmark"}
PYTHON_MARKDOWN = {"FASTBUILD_MARKDOWN": "markdown"}


@pytest.mark.parametrize("first", ["digest", "engine"])
def test_the_digest_wraps_the_commonmark_reader(first: str) -> None:
    """Pelican sends ``readers_init`` to its receivers in no fixed order."""
    settings = read_settings(None, override=COMMONMARK)
    readers = SimpleNamespace(settings=settings, reader_classes={"md": MarkdownReader})
    receivers = [watch_repeated_keys, use_commonmark]
    for receiver in receivers if first == "digest" else receivers[::-1]:
        receiver(readers)
    reader = readers.reader_classes["md"]
    assert issubclass(reader, _RepeatsMixin)
    assert issubclass(reader, CommonMarkReader)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_repeated_key_is_reported_with_the_commonmark_reader(
    tmp_path: Path, workers: int
) -> None:
    files = {
        "stories/lead.md": story_file(
            "Lead of the day", f"{DAY} 08:00", "Economy", digest="lead"
        ),
        "stories/twice.md": (
            f"Title: Dated twice\nDate: {DAY} 10:00\nDate: 2026-11-19 10:00\n"
            'Category: Economy\nCategory: Markets\n\n"Body".\n'
        ),
    }
    cache = {
        "CACHE_CONTENT": True,
        "LOAD_CONTENT_CACHE": True,
        "CACHE_PATH": str(tmp_path / "cache"),
        "FASTBUILD_WORKERS": workers,
        **COMMONMARK,
    }
    expected = [
        f"cx_digest: stories/twice.md: Date '{DAY} 10:00 | 2026-11-19 10:00': "
        "given more than once; using the first value",
        "cx_digest: stories/twice.md: Category 'Economy | Markets': "
        "given more than once; using the first value",
    ]
    first = run_pelican(tmp_path / "site", files, **cache)
    assert first.warnings == expected
    story = first.html("2026/11/18/twice/index.html").select_one(".story-body")
    assert story.p.get_text() == "\u201cBody\u201d."  # read by cmark-gfm
    warm = run_pelican(tmp_path / "site", {}, **cache)  # from the content cache
    assert warm.warnings == expected


# The one expected difference: cmark-gfm's smart punctuation.
TYPOGRAPHY = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u2013": "--",
        "\u2014": "---",
        "\u2026": "...",
    }
)


def page_text(path: Path) -> str:
    """The whitespace-normalised text of a page's story body, or of the
    whole page where it has none."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    element = soup.select_one(".story-body") or soup
    return " ".join(element.get_text(" ").split())


def test_the_sample_site_reads_the_same(tmp_path: Path) -> None:
    content = ROOT / "content"
    python_markdown = build_content(tmp_path / "md", content, 2, **PYTHON_MARKDOWN)
    commonmark = build_content(tmp_path / "cm", content, 2, **COMMONMARK)
    assert commonmark.warnings == python_markdown.warnings == []
    pages = sorted(
        p.relative_to(python_markdown.output)
        for p in python_markdown.output.rglob("*.html")
    )
    assert pages == sorted(
        p.relative_to(commonmark.output) for p in commonmark.output.rglob("*.html")
    )
    stories = [p for p in pages if p.parts[0].isdigit()]
    assert len(stories) >= 70
    curly = 0
    for page in pages:
        before = page_text(python_markdown.output / page)
        after = page_text(commonmark.output / page)
        assert after.translate(TYPOGRAPHY) == before.translate(TYPOGRAPHY), page
        curly += after != before
    # Smart punctuation is on: most stories have a quote or an apostrophe.
    assert curly > len(stories) // 2
