"""Inputs an incremental build must see, on plain Pelican sites: each test
edits one, builds incrementally and compares the tree with a full build's.

Found by a review of the engine on ordinary sites: files a reader opens
besides the one it parses, file dates as story dates, content and template
pages outside ``PATH``, the clean start of ``DELETE_OUTPUT_DIRECTORY`` after
a setting changed, a linked static file deleted, ``{attach}`` links moved.
"""

from __future__ import annotations

import calendar
import errno
import importlib
import locale
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jinja2 import TemplateSyntaxError
from pelican.plugins import signals

from pbuild import (
    SIMPLE_THEME,
    build,
    edited_theme,
    engine_messages,
    listening,
    settings_for,
    story,
    tree,
    write_files,
)
from pelican.plugins.fastbuild import state

NOTHING = "nothing changed since the last build"
FEEDS = (
    "FEED_ALL_ATOM",
    "FEED_ALL_RSS",
    "CATEGORY_FEED_ATOM",
    "TAG_FEED_ATOM",
    "AUTHOR_FEED_ATOM",
    "AUTHOR_FEED_RSS",
    "TRANSLATION_FEED_ATOM",
)


def incremental(
    content: Path, output: Path, workers: int = 2, **site: Any
) -> list[str]:
    """One incremental build into ``output`` (kept between builds); the
    engine's messages."""
    settings = settings_for(
        content, output, workers, FASTBUILD_INCREMENTAL=True, **site
    )
    return engine_messages(settings, ["pelican.plugins.fastbuild"])


def same_as_full(tmp_path: Path, content: Path, output: Path, **site: Any) -> None:
    full = build(content, tmp_path / "full", 2, **site)
    assert tree(output) == tree(full.output)


def text(output: Path, rel: str) -> str:
    return (output / rel).read_text(encoding="utf-8")


@pytest.mark.parametrize("workers", [2, 1])
def test_a_file_a_reader_includes(tmp_path: Path, workers: int) -> None:
    """A reStructuredText ``.. include::`` (in ``PATH`` and outside it): the
    including story is parsed again when only the included file changes."""
    content = tmp_path / "site" / "content"
    shared = tmp_path / "site" / "shared" / "legal.txt"
    write_files(
        content.parent,
        {
            "content/stories/with-include.rst": (
                "With an include\n###############\n\n:date: 2026-03-02 10:00\n\n"
                ".. include:: snippet.txt\n\n"
                ".. include:: ../../shared/legal.txt\n"
            ),
            "content/stories/snippet.txt": "Snippet version ONE.\n",
            "shared/legal.txt": "Legal version ONE.\n",
            "content/stories/other.md": story("Other"),
        },
    )
    output = tmp_path / "out"
    incremental(content, output, workers)
    page = "with-include.html"
    assert "Snippet version ONE." in text(output, page)
    (content / "stories" / "snippet.txt").write_text("Snippet version TWO.\n")
    assert not any(NOTHING in m for m in incremental(content, output, workers))
    assert "Snippet version TWO." in text(output, page)
    same_as_full(tmp_path, content, output)
    assert any(NOTHING in m for m in incremental(content, output, workers))
    shared.write_text("Legal version TWO.\n", encoding="utf-8")
    assert not any(NOTHING in m for m in incremental(content, output, workers))
    assert "Legal version TWO." in text(output, page)
    same_as_full(tmp_path, content, output)


@pytest.mark.parametrize("workers", [2, 1])
@pytest.mark.parametrize("case", ["aware date", "include missing at first"])
def test_an_include_outside_path_of_a_parse_not_kept(
    tmp_path: Path, workers: int, case: str
) -> None:
    """A parse the state does not keep (an aware date; a reader that failed)
    still has what its reader opened noted, outside ``PATH`` too."""
    content = tmp_path / "site" / "content"
    shared = tmp_path / "site" / "shared" / "legal.txt"
    date = "2026-03-02 10:00+02:00" if case == "aware date" else "2026-03-02 10:00"
    files: dict[str, str | bytes] = {
        "content/stories/with-include.rst": (
            f"With an include\n###############\n\n:date: {date}\n\n"
            ".. include:: ../../shared/legal.txt\n"
        ),
        "content/stories/other.md": story("Other"),
    }
    if case == "aware date":
        files["shared/legal.txt"] = "Legal version ONE.\n"
    write_files(content.parent, files)
    output = tmp_path / "out"
    incremental(content, output, workers)
    shared.parent.mkdir(parents=True, exist_ok=True)
    shared.write_text("Legal version TWO.\n", encoding="utf-8")
    assert not any(NOTHING in m for m in incremental(content, output, workers))
    assert "Legal version TWO." in text(output, "with-include.html")
    same_as_full(tmp_path, content, output)


def test_theme_static_paths_outside_the_theme(tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    shutil.copytree(SIMPLE_THEME, theme)
    content = tmp_path / "content"
    write_files(content, {"stories/one.md": story("One")})
    write_files(tmp_path, {"shared/css/x.css": "a{}"})
    site = {"THEME": str(theme), "THEME_STATIC_PATHS": ["static", "../shared"]}
    output = tmp_path / "out"
    incremental(content, output, **site)
    (tmp_path / "shared" / "css" / "x.css").write_text("b{}", encoding="utf-8")
    assert not any(NOTHING in m for m in incremental(content, output, **site))
    assert text(output, "theme/css/x.css") == "b{}"


def test_the_file_date_of_a_story_without_a_date(tmp_path: Path) -> None:
    """``DEFAULT_DATE = "fs"``: a story without ``Date`` is dated by its
    file's mtime, so touching the file (same bytes) changes the site."""
    content = tmp_path / "content"
    write_files(
        content,
        {
            "stories/dated.md": story("Dated"),
            "stories/undated.md": "Title: Undated\n\nNo date here.\n",
        },
    )
    # A file name that is not UTF-8 (its mtime is an input too).
    with open(os.fsencode(str(content)) + b"/caf\xe9.txt", "wb") as file:
        file.write(b"static")
    site = {"DEFAULT_DATE": "fs"}
    output = tmp_path / "out"
    incremental(content, output, **site)
    moment = time.mktime((2020, 6, 15, 12, 0, 0, 0, 0, -1))
    os.utime(content / "stories" / "undated.md", (moment, moment))
    assert not any(NOTHING in m for m in incremental(content, output, **site))
    assert "2020" in text(output, "undated.html")
    same_as_full(tmp_path, content, output, **site)


def test_content_and_a_template_page_outside_path(tmp_path: Path) -> None:
    """Relative entries of ``ARTICLE_PATHS`` and ``TEMPLATE_PAGES`` sources
    are taken from ``PATH`` by Pelican: ``../more`` lies outside it."""
    root = tmp_path / "site"
    write_files(
        root,
        {
            "content/stories/one.md": story("One", body="Body one."),
            "more/two.md": story("Two", body="Body two."),
            "tpl/special.html": "<h1>Special</h1>\n",
        },
    )
    content = root / "content"
    site: dict[str, Any] = {
        "ARTICLE_PATHS": ["stories", "../more"],
        "TEMPLATE_PAGES": {"../tpl/special.html": "special.html"},
    }
    output = tmp_path / "out"
    incremental(content, output, **site)
    (root / "more" / "two.md").write_text(story("Two", body="Body TWO."))
    assert not any(NOTHING in m for m in incremental(content, output, **site))
    assert "Body TWO." in text(output, "two.html")
    (root / "tpl" / "special.html").write_text("<h1>Very special</h1>\n")
    assert not any(NOTHING in m for m in incremental(content, output, **site))
    assert "Very special" in text(output, "special.html")
    same_as_full(tmp_path, content, output, **site)


@pytest.mark.parametrize("change", ["a setting", "a story", "nothing"])
def test_delete_output_directory_sweeps_files_and_empty_folders(
    tmp_path: Path, change: str
) -> None:
    """With ``DELETE_OUTPUT_DIRECTORY`` the engine sweeps the output folder
    itself (Pelican's clean start would delete what it keeps): also when the
    build renders everything, and empty folders too; not what
    ``OUTPUT_RETENTION`` keeps."""
    content = tmp_path / "content"
    write_files(
        content, {"stories/one.md": story("One"), "stories/two.md": story("Two")}
    )
    site: dict[str, Any] = {
        "DELETE_OUTPUT_DIRECTORY": True,
        "OUTPUT_RETENTION": [".git"],
    }
    output = tmp_path / "out"
    incremental(content, output, **site)
    write_files(output, {"stray.html": "x", ".git/HEAD": "ref"})
    (output / "old" / "empty").mkdir(parents=True)
    if change == "a setting":
        site["SITENAME"] = "Another name"
    elif change == "a story":
        (content / "stories" / "one.md").write_text(story("One", body="Changed."))
    assert not any(NOTHING in m for m in incremental(content, output, **site))
    assert not (output / "stray.html").exists()
    assert not (output / "old").exists()
    assert (output / ".git" / "HEAD").exists()
    assert any(NOTHING in m for m in incremental(content, output, **site))
    (output / ".git" / "HEAD").unlink()
    (output / ".git").rmdir()
    same_as_full(tmp_path, content, output, **site)


def folders(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_dir())


@pytest.mark.parametrize(
    "change", ["a story", "the folder removed", "its only file removed"]
)
def test_a_theme_s_empty_static_folder(tmp_path: Path, change: str) -> None:
    """Pelican copies a theme's static folders, empty ones too: a build that
    sweeps the output folder has the folders of a full build, and nothing
    changed is still nothing."""
    theme = tmp_path / "theme"
    shutil.copytree(SIMPLE_THEME, theme)
    fonts = theme / "static" / "fonts"
    fonts.mkdir(parents=True)
    if change == "its only file removed":
        (fonts / "a.woff").write_bytes(b"woff")
    content = tmp_path / "content"
    write_files(
        content, {"stories/one.md": story("One"), "stories/two.md": story("Two")}
    )
    site: dict[str, Any] = {"DELETE_OUTPUT_DIRECTORY": True, "THEME": str(theme)}
    output = tmp_path / "out"
    incremental(content, output, **site)
    assert (output / "theme" / "fonts").is_dir()
    assert any(NOTHING in m for m in incremental(content, output, **site))
    if change == "a story":
        (content / "stories" / "one.md").write_text(story("One", body="Changed."))
    elif change == "the folder removed":
        fonts.rmdir()
    else:
        (fonts / "a.woff").unlink()
    assert not any(NOTHING in m for m in incremental(content, output, **site))
    full = build(content, tmp_path / "full", 2, **site)
    assert tree(output) == tree(full.output)
    assert folders(output) == folders(full.output)
    assert any(NOTHING in m for m in incremental(content, output, **site))


def test_a_deleted_static_file_that_a_story_links(tmp_path: Path) -> None:
    """Pelican lists a linked static file that is gone and cannot copy it:
    the last build's copy goes too."""
    content = tmp_path / "content"
    write_files(
        content,
        {
            "stories/one.md": story("One", body="![a]({static}/images/a.png)"),
            "images/a.png": b"\x89PNG not really",
            "images/b.png": b"\x89PNG not really either",
        },
    )
    output = tmp_path / "out"
    incremental(content, output)
    assert (output / "images" / "a.png").exists()
    (content / "images" / "a.png").unlink()
    assert not any(NOTHING in m for m in incremental(content, output))
    assert not (output / "images" / "a.png").exists()
    same_as_full(tmp_path, content, output)


@pytest.mark.parametrize("workers", [2, 1])
def test_an_attached_file_moves_with_its_links(tmp_path: Path, workers: int) -> None:
    """``{attach}`` puts a static file beside the first content rendered
    that links it: when the links change, the file and every link to it
    end where a full build puts them. Without feeds, which render every
    story's body first, in both builds."""
    content = tmp_path / "content"
    link = "[doc]({attach}../files/doc.pdf)"
    write_files(
        content,
        {
            "stories/t1.md": story("T1", "2024-01-01 10:00", link),
            "stories/t2.md": story("T2", "2024-01-02 10:00", link),
            "stories/t3.md": story("T3", "2024-01-03 10:00", link),
            "files/doc.pdf": b"%PDF-1.4 not really",
        },
    )
    site: dict[str, Any] = {
        "STATIC_PATHS": ["files"],
        "ARTICLE_SAVE_AS": "{slug}/index.html",
        "ARTICLE_URL": "{slug}/",
        **dict.fromkeys(FEEDS),
    }
    output = tmp_path / "out"
    incremental(content, output, workers, **site)
    (content / "stories" / "t3.md").write_text(
        story("T3", "2024-01-03 10:00", "No attachment now."), encoding="utf-8"
    )
    assert not any(NOTHING in m for m in incremental(content, output, workers, **site))
    same_as_full(tmp_path, content, output, **site)


def _stamp_page(path: str, context: Any = None) -> None:
    """A plugin that rewrites each page in place once written, and would do
    it again to a page it has done (as pelican-seo's enhancer does)."""
    if path.endswith(".html"):
        with open(path, "a", encoding="utf-8") as page:
            page.write("<!-- enhanced -->\n")


@pytest.mark.parametrize("workers", [2, 1])
def test_a_page_a_plugin_rewrites_once_written(tmp_path: Path, workers: int) -> None:
    """A ``content_written`` receiver that changes the file: the page is
    rendered again in every build (never reused), so the receiver always
    gets the page as rendered."""
    content = tmp_path / "content"
    write_files(content, {f"stories/s{n}.md": story(f"Story {n}") for n in range(6)})
    output = tmp_path / "out"
    with listening("content_written", _stamp_page):
        incremental(content, output, workers)
        (content / "stories" / "s2.md").write_text(story("Story 2", body="New."))
        incremental(content, output, workers)
        full = build(content, tmp_path / "full", workers)
    assert tree(output) == tree(full.output)
    assert text(output, "s4.html").count("<!-- enhanced -->") == 1
    # Without such a receiver, the pages that do not show the change are
    # reused (the stamps taken as files are written match).
    (content / "stories" / "s3.md").write_text(story("Story 3", body="New."))
    messages = incremental(content, tmp_path / "plain", workers)
    (content / "stories" / "s3.md").write_text(story("Story 3", body="Newer."))
    messages = incremental(content, tmp_path / "plain", workers)
    summary = next(m for m in messages if "pages reused" in m)
    assert " 0 pages reused" not in summary, summary


def _bundle_once(path: str, context: Any = None) -> None:
    """A plugin that makes a side file when it is missing (as
    pelican-webassets makes a bundle, or an image plugin a thumbnail)."""
    if os.path.basename(path) == "index.html" and context is not None:
        bundle = Path(context["OUTPUT_PATH"]) / "gen" / "bundle.css"
        if not bundle.exists():
            bundle.parent.mkdir(parents=True, exist_ok=True)
            bundle.write_text("body{}", encoding="utf-8")


@pytest.mark.parametrize("workers", [2, 1])
def test_a_plugin_s_side_file_stays(tmp_path: Path, workers: int) -> None:
    """A file a plugin wrote in an earlier build and found up to date since
    stays while it is as that build left it; a theme file's copy goes when
    the theme loses the file."""
    theme = tmp_path / "theme"
    shutil.copytree(SIMPLE_THEME, theme)
    write_files(theme, {"static/css/extra.css": "p{}"})
    content = tmp_path / "content"
    write_files(content, {f"stories/s{n}.md": story(f"Story {n}") for n in range(4)})
    site = {"THEME": str(theme)}
    output = tmp_path / "out"
    with listening("content_written", _bundle_once):
        incremental(content, output, workers, **site)
        assert (output / "gen" / "bundle.css").exists()
        (content / "stories" / "s2.md").write_text(story("Story 2", body="New."))
        (theme / "static" / "css" / "extra.css").unlink()
        incremental(content, output, workers, **site)
        assert (output / "gen" / "bundle.css").exists()
        assert not (output / "theme" / "css" / "extra.css").exists()
        full = build(content, tmp_path / "full", workers, **site)
    assert tree(output) == tree(full.output)


def theme_with_css(tmp_path: Path, edit: tuple[str, str, str]) -> tuple[Path, Path]:
    """A theme whose template ``edit`` (name, old, new) changes, and its
    static ``css/site.css``."""
    theme = edited_theme(tmp_path / "theme", *edit)
    write_files(theme, {"static/css/site.css": "p{}"})
    return theme, theme / "static" / "css" / "site.css"


def test_a_theme_static_file_that_templates_read(tmp_path: Path) -> None:
    """A template that reads a theme static file through Python (as
    pelican-webassets' version hashes do) sees its change: the theme's
    static folders belong to the world."""
    theme, css = theme_with_css(
        tmp_path,
        (
            "article.html",
            "{% block content %}",
            "{% block content %}<i>{{ css_version() }}</i>",
        ),
    )

    def css_version() -> str:
        return str(len(css.read_bytes()))

    content = tmp_path / "content"
    write_files(content, {"stories/one.md": story("One")})
    site = {"THEME": str(theme), "JINJA_GLOBALS": {"css_version": css_version}}
    output = tmp_path / "out"
    incremental(content, output, **site)
    assert "<i>3</i>" in text(output, "one.html")
    css.write_text("p{color:red}", encoding="utf-8")
    assert not any(NOTHING in m for m in incremental(content, output, **site))
    assert "<i>12</i>" in text(output, "one.html")


_CONTEXTS: list[dict[str, Any]] = []  # the first site's, this build


def _first_site(generator: Any) -> None:
    if "SECOND_SITE" in generator.settings:
        _CONTEXTS.append(generator.context)


def _build_second_site(pelican: Any) -> None:
    """A plugin that builds a second site from the first one's
    ``get_writer`` signal and hands a fact of it to the first site's pages
    (as pelican-i18n-subsites builds each language's site)."""
    second = pelican.settings.get("SECOND_SITE")
    if not second:
        return
    settings = {k: v for k, v in pelican.settings.items() if k != "SECOND_SITE"}
    settings.update(second)
    from pelican import Pelican

    Pelican(settings).run()
    stories = sorted(Path(second["PATH"]).rglob("*.md"))
    for context in _CONTEXTS:
        context["second_site"] = f"{len(stories)} stories"


@pytest.mark.parametrize("workers", [2, 1])
def test_a_site_built_inside_the_build(tmp_path: Path, workers: int) -> None:
    """A build run inside another one is Pelican's own: the outer build
    still saves its state and reuses pages, never skips a build the inner
    one's signals feed, and removes what the inner one no longer writes."""
    theme = tmp_path / "theme"
    shutil.copytree(SIMPLE_THEME, theme)
    index = theme / "templates" / "index.html"
    index.write_text(
        index.read_text(encoding="utf-8").replace(
            "{% block content %}",
            "{% block content %}<b>{{ second_site|default('none') }}</b>",
            1,
        ),
        encoding="utf-8",
    )
    content, second = tmp_path / "content", tmp_path / "second"
    write_files(content, {f"stories/s{n}.md": story(f"Story {n}") for n in range(4)})
    write_files(
        second,
        {
            "stories/z0.md": story("Zweite 0", tags="common"),
            "stories/z1.md": story("Zweite 1", tags="onlyz1"),
            "images/z1.png": b"\x89PNG not really",
        },
    )
    site: dict[str, Any] = {
        "THEME": str(theme),
        "SECOND_SITE": {
            "PATH": str(second),
            "OUTPUT_PATH": str(tmp_path / "out" / "de"),
            "CACHE_PATH": str(tmp_path / "second-cache"),
        },
    }
    output = tmp_path / "out"

    def both() -> list[str]:
        _CONTEXTS.clear()
        return incremental(content, output, workers, **site)

    with (
        listening("generator_init", _first_site),
        listening("get_writer", _build_second_site),
    ):
        both()
        assert "<b>2 stories</b>" in text(output, "index.html")
        assert (output / "de" / "z1.html").exists()
        summary = [m for m in both() if "pages reused" in m]
        assert summary
        assert NOTHING not in summary[0]
        assert " 0 pages reused" not in summary[0]
        assert (output / "de" / "feeds" / "tag-onlyz1.atom.xml").exists()
        assert (output / "de" / "images" / "z1.png").exists()
        (second / "stories" / "z1.md").unlink()
        (second / "images" / "z1.png").unlink()
        both()
        assert "<b>1 stories</b>" in text(output, "index.html")
        # What the second site no longer writes: its page, feed, image.
        assert not (output / "de" / "z1.html").exists()
        assert not (output / "de" / "feeds" / "tag-onlyz1.atom.xml").exists()
        assert not (output / "de" / "images" / "z1.png").exists()
        _CONTEXTS.clear()
        full_site = dict(site)
        full_site["SECOND_SITE"] = {
            **site["SECOND_SITE"],
            "OUTPUT_PATH": str(tmp_path / "full" / "de"),
        }
        full = build(content, tmp_path / "full", workers, **full_site)
    assert tree(output) == tree(full.output)


def _minify_all(pelican: Any) -> None:
    """A plugin that rewrites every page at ``finalized`` (a minifier)."""
    for page in Path(pelican.output_path).rglob("*.html"):
        page.write_text(page.read_text(encoding="utf-8").strip() + "\n")


def test_a_stale_page_a_plugin_touched(tmp_path: Path) -> None:
    """A deleted story's page goes, although a plugin rewrote every page,
    the stale one included, while the build ran."""
    content = tmp_path / "content"
    write_files(content, {f"stories/s{n}.md": story(f"Story {n}") for n in range(4)})
    output = tmp_path / "out"
    with listening("finalized", _minify_all):
        incremental(content, output)
        (content / "stories" / "s2.md").unlink()
        incremental(content, output)
        assert not (output / "s2.html").exists()
        full = build(content, tmp_path / "full", 2)
    assert tree(output) == tree(full.output)


def _compress_missing(pelican: Any) -> None:
    """A plugin that writes a copy of every page at ``finalized`` unless the
    copy is there already (pelican-precompress with its default
    ``PRECOMPRESS_OVERWRITE = False``)."""
    for page in Path(pelican.output_path).rglob("*.html"):
        copy = page.with_name(page.name + ".copy")
        if not copy.exists():
            copy.write_bytes(page.read_bytes())


@pytest.mark.parametrize("sweeps", [False, True])
def test_files_a_finalized_receiver_makes_from_the_pages(
    tmp_path: Path, sweeps: bool
) -> None:
    """What a ``finalized`` receiver made from the last build's pages is made
    again from this build's: a corrected story's copy is corrected, a
    deleted story's copy goes (its page goes before the receivers run), an
    unchanged copy keeps its mtime."""
    content = tmp_path / "content"
    write_files(content, {f"stories/s{n}.md": story(f"Story {n}") for n in range(4)})
    output = tmp_path / "out"
    site = {"DELETE_OUTPUT_DIRECTORY": sweeps}
    with listening("finalized", _compress_missing):
        incremental(content, output, **site)
        kept = output / "s0.html.copy"
        mtime = kept.stat().st_mtime_ns
        (content / "stories" / "s1.md").write_text(story("Story 1", body="Fixed."))
        incremental(content, output, **site)
        assert "Fixed." in text(output, "s1.html.copy")
        assert kept.stat().st_mtime_ns == mtime
        full = build(content, tmp_path / "full", 2, **site)
        assert tree(output) == tree(full.output)
        (content / "stories" / "s2.md").unlink()
        incremental(content, output, **site)
        assert not (output / "s2.html.copy").exists()
        full = build(content, tmp_path / "full", 2, **site)
    assert tree(output) == tree(full.output)


def _bundle_when_older(source: Path) -> Any:
    """A template function that makes a bundle from ``source`` when the
    bundle is missing or older than it (pelican-webassets' timestamp
    check), and gives its version."""
    from jinja2 import pass_context

    @pass_context
    def bundle(context: Any) -> str:
        out = Path(context["OUTPUT_PATH"]) / "gen" / "packed.css"
        if not out.exists() or source.stat().st_mtime_ns > out.stat().st_mtime_ns:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(source.read_bytes())
        return str(len(out.read_bytes()))

    return bundle


def _page_list(pelican: Any) -> None:
    """A plugin that writes a list of the pages at ``finalized`` through
    ``write_output`` (as the digest writes its sitemaps)."""
    from pelican.plugins.fastbuild import write_output

    output = Path(pelican.output_path)
    names = sorted(p.name for p in output.glob("*.html"))
    write_output(output / "pages.txt", "\n".join(names) + "\n")


def test_a_file_written_at_finalized_by_name(tmp_path: Path) -> None:
    """A file a ``finalized`` receiver writes with ``write_output`` is left
    for the receiver: kept with its mtime when its bytes are the same, made
    again when they change, deleted once no receiver writes it."""
    content = tmp_path / "content"
    write_files(content, {f"stories/s{n}.md": story(f"Story {n}") for n in range(4)})
    output = tmp_path / "out"
    listed = output / "pages.txt"
    with listening("finalized", _page_list):
        incremental(content, output)
        mtime = listed.stat().st_mtime_ns
        for _ in range(2):
            (content / "stories" / "s1.md").write_text(story("Story 1", body="New."))
            messages = incremental(content, output)
            assert any(" 0 deleted" in m for m in messages)
            assert listed.stat().st_mtime_ns == mtime
        (content / "stories" / "s2.md").unlink()
        incremental(content, output)
        assert "s2.html" not in listed.read_text(encoding="utf-8")
        assert "s3.html" in listed.read_text(encoding="utf-8")
    (content / "stories" / "s1.md").write_text(story("Story 1", body="Newer."))
    incremental(content, output)
    assert not listed.exists()
    same_as_full(tmp_path, content, output)


def _busy_finalizing(pelican: Any) -> None:
    """A ``finalized`` receiver that takes a while (compressing pages)."""
    time.sleep(0.1)


def bundle_site(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """Four stories, and a theme whose every page has the version of a
    bundle its render makes from the theme's CSS when missing or older."""
    theme, source = theme_with_css(
        tmp_path,
        ("base.html", "</head>", "<meta name='css' content='{{ bundle() }}'></head>"),
    )
    content = tmp_path / "content"
    write_files(content, {f"stories/s{n}.md": story(f"Story {n}") for n in range(4)})
    return content, {
        "THEME": str(theme),
        "JINJA_GLOBALS": {"bundle": _bundle_when_older(source)},
    }


def test_a_bundle_made_again_with_the_same_bytes(tmp_path: Path) -> None:
    """A bundle a page's render made again with the same bytes (its source
    touched) gets its mtime back and is still the render's file: a later
    build that renders no page keeps it (it was taken for a file written at
    ``finalized`` and deleted, while every page linked it)."""
    content, site = bundle_site(tmp_path)
    output = tmp_path / "out"
    with listening("finalized", _busy_finalizing):
        incremental(content, output, **site)
        # The CSS touched: newer than the bundle, the same bytes.
        os.utime(Path(site["THEME"]) / "static" / "css" / "site.css")
        (content / "stories" / "s1.md").write_text(story("Story 1", body="Fixed."))
        incremental(content, output, **site)
        write_files(content, {"images/new.png": b"png"})
        incremental(content, output, **site)
        assert (output / "gen" / "packed.css").exists()
    same_as_full(tmp_path, content, output, **site)


def _readable_by_all(pelican: Any) -> None:
    """A deployment step at ``finalized``: every output file's mode set
    (which changes its change time, not its mtime)."""
    for path in Path(pelican.output_path).rglob("*"):
        if path.is_file():
            path.chmod(0o644)


def _copy_in_folders(pelican: Any) -> None:
    """A ``finalized`` receiver writing a copy of each story page in a
    folder of its own."""
    output = Path(pelican.output_path)
    for page in output.glob("s*.html"):
        folder = output / "copies" / page.stem
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "page.copy").write_bytes(page.read_bytes())


def _deploy_history(pelican: Any) -> None:
    """A deployment step appending to a log kept in the output folder."""
    log = Path(pelican.output_path) / ".deploy" / "history.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as file:
        file.write("built\n")


@pytest.mark.parametrize("sweeps", [False, True])
def test_what_finalized_receivers_do_to_the_folder(
    tmp_path: Path, sweeps: bool
) -> None:
    """A bundle a render made is kept although a ``finalized`` receiver
    changed every file's mode; a deleted story's copy goes with the folder
    it was in; a file under ``OUTPUT_RETENTION`` a receiver appends to is
    never deleted."""
    content, site = bundle_site(tmp_path)
    site |= {"DELETE_OUTPUT_DIRECTORY": sweeps, "OUTPUT_RETENTION": [".deploy"]}
    output = tmp_path / "out"
    receivers = (_readable_by_all, _copy_in_folders, _deploy_history)
    for receiver in receivers:
        signals.finalized.connect(receiver)
    try:
        incremental(content, output, **site)
        (content / "stories" / "s1.md").write_text(story("Story 1", body="Fixed."))
        incremental(content, output, **site)
        assert (output / "gen" / "packed.css").exists()
        (content / "stories" / "s2.md").unlink()
        incremental(content, output, **site)
        assert not (output / "copies" / "s2").exists()
        history = output / ".deploy" / "history.log"
        assert history.read_text(encoding="utf-8") == "built\n" * 3
        full = build(content, tmp_path / "full", 2, **site)
    finally:
        for receiver in receivers:
            signals.finalized.disconnect(receiver)
    assert tree(output) | {".deploy/history.log": b"built\n"} == tree(full.output)


class _Gallery:
    """A plugin that lists a photo folder outside ``PATH`` and reads each
    photo as content objects are made, in the main process (as
    pelican-photos does with its ``PHOTO_LIBRARY``), and declares them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __call__(self, content: Any) -> None:
        from pelican.plugins.fastbuild import depends_on_file

        depends_on_file(self.folder)
        photos = []
        for name in sorted(os.listdir(self.folder)):
            depends_on_file(self.folder / name)
            with open(self.folder / name, encoding="utf-8") as file:
                photos.append(f"{name}={file.read().strip()}")
        content.title = f"{content.title} [{', '.join(photos)}]"


def test_a_folder_a_plugin_declares(tmp_path: Path) -> None:
    """A folder outside ``PATH`` that a plugin declares with
    ``depends_on_file`` is an input by the names in it: a photo added makes
    the next build run (not "nothing changed") and its page show it."""
    content = tmp_path / "site" / "content"
    library = tmp_path / "library"
    write_files(content, {f"stories/s{n}.md": story(f"Story {n}") for n in range(3)})
    write_files(library, {"a.jpg": "one"})
    output = tmp_path / "out"
    with listening("content_object_init", _Gallery(library)):
        incremental(content, output)
        assert "[a.jpg=one]" in text(output, "s1.html")
        assert any(NOTHING in m for m in incremental(content, output))
        (library / "b.jpg").write_text("two", encoding="utf-8")
        assert not any(NOTHING in m for m in incremental(content, output))
        assert "[a.jpg=one, b.jpg=two]" in text(output, "s1.html")
        same_as_full(tmp_path, content, output)
        (library / "a.jpg").write_text("ONE", encoding="utf-8")
        assert not any(NOTHING in m for m in incremental(content, output))
        assert "[a.jpg=ONE, b.jpg=two]" in text(output, "s1.html")
        assert any(NOTHING in m for m in incremental(content, output))
        same_as_full(tmp_path, content, output)


def test_code_from_a_new_folder(tmp_path: Path, monkeypatch: Any) -> None:
    """Code imported from a folder the last build did not import from (a new
    script that runs the build and connects a receiver) makes the build
    run: no "nothing changed" on the last build's code alone."""
    content = tmp_path / "content"
    write_files(content, {f"stories/s{n}.md": story(f"Story {n}") for n in range(3)})
    output = tmp_path / "out"
    incremental(content, output)
    assert any(NOTHING in m for m in incremental(content, output))
    driver = tmp_path / "driver"
    write_files(
        driver,
        {
            "newsroom_driver.py": (
                "def retitle(content):\n"
                "    content.title = content.title + ' (driver)'\n"
            )
        },
    )
    monkeypatch.syspath_prepend(str(driver))
    monkeypatch.delitem(sys.modules, "newsroom_driver", raising=False)
    module = importlib.import_module("newsroom_driver")
    with listening("content_object_init", module.retitle):
        assert not any(NOTHING in m for m in incremental(content, output))
        assert "Story 1 (driver)" in text(output, "s1.html")
        full = build(content, tmp_path / "full", 2)
        assert tree(output) == tree(full.output)
        assert any(NOTHING in m for m in incremental(content, output))


@pytest.fixture
def zone(monkeypatch: Any) -> Iterator[Callable[[str], None]]:
    """Set the process's time zone (``TZ``) for the test."""

    def to(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield to
    monkeypatch.undo()
    time.tzset()


def test_the_time_zone_of_the_build(
    tmp_path: Path, zone: Callable[[str], None]
) -> None:
    """``DEFAULT_DATE = "fs"`` reads a file's mtime in the process's time
    zone: a build in another zone (``TZ``) dates the story by another day,
    as a full build there does."""
    content = tmp_path / "content"
    write_files(content, {"stories/undated.md": "Title: Undated\n\nNo date.\n"})
    # 2020-06-15 20:00 UTC: the 15th in UTC, the 16th in Tokyo.
    moment = calendar.timegm((2020, 6, 15, 20, 0, 0, 0, 0, 0))
    os.utime(content / "stories" / "undated.md", (moment, moment))
    site = {"DEFAULT_DATE": "fs", "DEFAULT_DATE_FORMAT": "%Y-%m-%d"}
    output = tmp_path / "out"
    zone("UTC")
    incremental(content, output, **site)
    assert "2020-06-15" in text(output, "undated.html")
    zone("Asia/Tokyo")
    assert not any(NOTHING in m for m in incremental(content, output, **site))
    assert "2020-06-16" in text(output, "undated.html")
    same_as_full(tmp_path, content, output, **site)
    assert any(NOTHING in m for m in incremental(content, output, **site))


def test_a_date_format_that_sets_the_locale(tmp_path: Path) -> None:
    """A ``DATE_FORMATS`` entry ``(locale, format)`` makes Pelican set the
    process's locale as it makes each story: the locale that counts is the
    one the build starts with, so the next build with nothing changed is
    still "nothing changed"."""
    content = tmp_path / "content"
    write_files(content, {f"stories/s{n}.md": story(f"Story {n}") for n in range(2)})
    # Pelican sets LOCALE as it reads the settings, then the format's.
    site = {"LOCALE": ["C"], "DATE_FORMATS": {"en": ("C.UTF-8", "%Y-%m-%d")}}
    output = tmp_path / "out"
    before = locale.setlocale(locale.LC_ALL)
    try:
        incremental(content, output, **site)
        assert locale.setlocale(locale.LC_ALL) != "C"
        assert any(NOTHING in m for m in incremental(content, output, **site))
    finally:
        locale.setlocale(locale.LC_ALL, before)


def _too_long(signum: int, frame: Any) -> None:
    raise TimeoutError("the build after a failed one did not finish")


def test_a_build_after_one_that_raised(tmp_path: Path) -> None:
    """As in ``pelican --autoreload``: a build raises (a template with a
    syntax error), the template is fixed, and the next build in the same
    process runs (it waited for ever on the failed build's lock) and writes
    a full build's tree."""
    content = tmp_path / "content"
    templates = tmp_path / "templates"
    write_files(content, {f"stories/s{n}.md": story(f"Story {n}") for n in range(2)})
    article = SIMPLE_THEME / "templates" / "article.html"
    fine = article.read_text(encoding="utf-8")
    write_files(templates, {"article.html": fine + "{{ broken( }}\n"})
    site = {"THEME_TEMPLATES_OVERRIDES": [str(templates)]}
    output = tmp_path / "out"
    with pytest.raises(TemplateSyntaxError):
        incremental(content, output, **site)
    write_files(templates, {"article.html": fine})
    (content / "stories" / "s1.md").write_text(story("Story 1", body="Fixed."))
    previous = signal.signal(signal.SIGALRM, _too_long)
    signal.alarm(60)
    try:
        incremental(content, output, **site)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert "Fixed." in text(output, "s1.html")
    same_as_full(tmp_path, content, output, **site)


@pytest.mark.parametrize("workers", [2, 1])
def test_a_cache_path_that_cannot_hold_the_state(tmp_path: Path, workers: int) -> None:
    """``CACHE_PATH`` names a file: the build goes on without a state, with
    one warning naming the setting, its value and why, and writes a full
    build's tree."""
    content = tmp_path / "content"
    write_files(content, {f"stories/s{n}.md": story(f"Story {n}") for n in range(2)})
    blocked = tmp_path / "cache-is-a-file"
    blocked.write_text("not a folder\n", encoding="utf-8")
    output = tmp_path / "out"
    settings = settings_for(
        content, output, workers, FASTBUILD_INCREMENTAL=True, CACHE_PATH=str(blocked)
    )
    for _ in range(2):
        messages = engine_messages(settings, ["pelican.plugins.fastbuild"])
        warned = [m for m in messages if "cannot hold the incremental" in m]
        assert len(warned) == 1, messages
        assert str(blocked) in warned[0]
        assert "Not a directory" in warned[0]
        same_as_full(tmp_path, content, output)


def test_a_state_that_cannot_be_saved(tmp_path: Path, monkeypatch: Any) -> None:
    """The state cannot be saved (a full disk): the build ends with its
    output complete and one warning; the next build builds everything."""
    content = tmp_path / "content"
    write_files(content, {f"stories/s{n}.md": story(f"Story {n}") for n in range(2)})
    output = tmp_path / "out"
    incremental(content, output)
    (content / "stories" / "s1.md").write_text(story("Story 1", body="Edited."))

    def full_disk(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(state, "save", full_disk)
        messages = incremental(content, output)
    assert [m for m in messages if "could not be saved" in m], messages
    same_as_full(tmp_path, content, output)
    messages = incremental(content, output)
    assert any("building everything" in m for m in messages), messages
    same_as_full(tmp_path, content, output)
