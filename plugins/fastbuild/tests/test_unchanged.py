"""A plain Pelican site with the engine alone: an incremental build with
nothing changed stops before Pelican's generators; a change builds."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pelican
import pytest

from pbuild import (
    build,
    corpus,
    engine_messages,
    rendered_calls,
    settings_for,
    template_folder,
    tree,
)

NOTHING = "nothing changed since the last build"


def incremental(content: Path, output: Path, **overrides: Any) -> list[str]:
    """One incremental build into ``output`` (kept between builds); the
    engine's messages at INFO and above."""
    settings = settings_for(content, output, 2, FASTBUILD_INCREMENTAL=True, **overrides)
    return engine_messages(settings, ["pelican.plugins.fastbuild"])


def stamps(folder: Path) -> dict[str, int]:
    return {
        str(p.relative_to(folder)): p.stat().st_mtime_ns
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_nothing_changed_then_a_correction(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = corpus(tmp_path / "corpus", 30)
    output = tmp_path / "out"
    first = incremental(content, output)
    assert not any(NOTHING in m for m in first)
    before, times = tree(output), stamps(output)
    capsys.readouterr()
    second = incremental(content, output)
    assert any(NOTHING in m for m in second), second
    assert "Done: nothing changed since the last build" in capsys.readouterr().out
    assert tree(output) == before
    assert stamps(output) == times
    story = sorted((content / "stories").rglob("*.md"))[7]
    story.write_text(story.read_text(encoding="utf-8") + "\nA correction.\n")
    third = incremental(content, output)
    assert not any(NOTHING in m for m in third), third
    full = build(content, tmp_path / "full", 2)
    assert tree(output) == tree(full.output)
    assert any(NOTHING in m for m in incremental(content, output))


def test_a_static_file_or_a_setting_builds(tmp_path: Path) -> None:
    content = corpus(tmp_path / "corpus", 12)
    image = content / "images" / "chart.svg"
    image.parent.mkdir(exist_ok=True)
    image.write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    output = tmp_path / "out"
    incremental(content, output)
    image.write_text("<svg xmlns='http://www.w3.org/2000/svg'><g/></svg>", "utf-8")
    assert not any(NOTHING in m for m in incremental(content, output))
    assert (
        (output / "images" / "chart.svg")
        .read_text(encoding="utf-8")
        .endswith("<g/></svg>")
    )
    assert any(NOTHING in m for m in incremental(content, output))
    renamed = incremental(content, output, SITENAME="Another name")
    assert not any(NOTHING in m for m in renamed)


PELICAN_CONTENT = Path(pelican.__file__).parent / "tests" / "content"


@pytest.mark.parametrize("workers", [2, pytest.param(1, marks=pytest.mark.slow)])
def test_pelican_s_own_test_content(tmp_path: Path, workers: int) -> None:
    """Pelican's own test content (reST, HTML and Markdown articles, pages,
    drafts, translations): an edit, a new file and a deleted one, each
    built incrementally, equal a full build."""
    content = tmp_path / "content"
    shutil.copytree(PELICAN_CONTENT, content)
    site = {
        "ARTICLE_PATHS": [""],
        "PAGE_PATHS": ["TestPages"],
        "STATIC_PATHS": ["pictures"],
        "DEFAULT_PAGINATION": False,
        # Two files there claim one slug (Pelican's own build stops on it).
        "IGNORE_FILES": [".*", "article_with_metadata.html"],
        "FASTBUILD_WORKERS": workers,
    }
    output = tmp_path / "out"
    incremental(content, output, **site)
    article = content / "article_with_markdown_and_footnote.md"
    edits = [
        lambda: article.write_text(
            article.read_text(encoding="utf-8") + "\nOne more line.\n", "utf-8"
        ),
        lambda: (content / "article_hidden.md").unlink(),
        lambda: shutil.copy(article, content / "a_copy_of_it.md"),
    ]
    for number, edit in enumerate(edits):
        edit()
        messages = incremental(content, output, **site)
        assert not any(NOTHING in m for m in messages)
        full = tmp_path / f"full{number}"
        overrides = {k: v for k, v in site.items() if k != "FASTBUILD_WORKERS"}
        build(content, full, workers, **overrides)
        assert tree(output) == tree(full), number
    assert any(NOTHING in m for m in incremental(content, output, **site))


def test_output_and_cache_inside_path(tmp_path: Path) -> None:
    """``PATH = "."`` with the output folder and ``CACHE_PATH`` in it: what
    the builds write is not an input, so nothing changed still skips."""
    content = corpus(tmp_path / "corpus", 12)
    output = content / "output"
    overrides = {"CACHE_PATH": str(content / "cache"), "OUTPUT_PATH": str(output)}
    incremental(content, output, **overrides)
    assert any(NOTHING in m for m in incremental(content, output, **overrides))


def test_paginated_calls_split_between_workers(tmp_path: Path) -> None:
    """Pages of one paginated call rendered by two workers: only the worker
    of its first page decides whether the call is reused. After a change the
    call does not read (a new image: the call is reused) and after one it
    reads (a story's body, on one of its pages), the tree equals a full
    build's."""
    content = corpus(tmp_path / "corpus", 60)
    site = {"DEFAULT_PAGINATION": 2, "SUMMARY_MAX_LENGTH": 200}
    output = tmp_path / "out"
    incremental(content, output, **site)
    assert len(list(output.glob("index*.html"))) > 20  # pages of both workers
    story = sorted(content.rglob("*.md"))[-1]
    edits = [
        lambda: (
            (content / "images").mkdir(exist_ok=True)
            or (content / "images" / "new.svg").write_text("<svg/>", encoding="utf-8")
        ),
        lambda: story.write_text(
            story.read_text(encoding="utf-8") + "\nA late correction.\n", "utf-8"
        ),
    ]
    for number, edit in enumerate(edits):
        edit()
        messages = incremental(content, output, **site)
        assert not any(NOTHING in m for m in messages)
        summary = next(m for m in messages if "pages reused" in m)
        assert " 0 pages reused" not in summary, summary
        full = tmp_path / f"full{number}"
        build(content, full, 2, **site)
        assert tree(output) == tree(full), number


def test_a_keyword_argument_a_page_does_not_read_is_not_its_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pelican hands every category page ``all_articles``, every story of
    the site; the simple theme's category page never reads it. A story's
    corrected title re-renders its category's page, not another's, and the
    tree still equals a full build's."""
    content = corpus(tmp_path / "corpus", 30)
    output = tmp_path / "out"
    # A base template without the simple theme's menu, which reads the
    # ``categories`` (and so every story) on every page.
    overrides = template_folder(
        tmp_path / "overrides",
        "base.html",
        "<!DOCTYPE html><title>{% block title %}{% endblock %}</title>\n"
        "{% block content %}{% endblock %}\n",
    )
    site = {
        "FASTBUILD_WORKERS": 1,  # reuse decided in this process
        "THEME_TEMPLATES_OVERRIDES": [str(overrides)],
    }
    incremental(content, output, **site)
    story = sorted((content / "stories").rglob("*.md"))[0]
    category = next(
        line.split(":", 1)[1].strip().lower()
        for line in story.read_text(encoding="utf-8").splitlines()
        if line.startswith("Category:")
    )
    story.write_text(
        story.read_text(encoding="utf-8").replace("Title: ", "Title: Corrected ", 1),
        encoding="utf-8",
    )
    rendered = rendered_calls(monkeypatch)
    incremental(content, output, **site)
    categories = {p for p in rendered if p.startswith("category/")}
    assert categories == {f"category/{category}.html"}, rendered
    full = tmp_path / "full"
    build(content, full, 1, THEME_TEMPLATES_OVERRIDES=[str(overrides)])
    assert tree(output) == tree(full)
