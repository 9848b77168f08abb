"""Workers 1, 2, 4 and 16 (more than this machine's cores) write the same
tree, byte for byte, cold; 1, 2 and 4 from a warm cache."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from pbuild import build, edited_theme, story, tree, write_files

WORKERS = (1, 2, 4, 16)


@pytest.mark.slow  # four builds, 16 workers on 2 cores: CI runs it
def test_cold_builds_are_identical(content300: Path, tmp_path: Path) -> None:
    builds = {w: build(content300, tmp_path / f"w{w}", w) for w in WORKERS}
    trees = {w: tree(built.output) for w, built in builds.items()}
    serial = trees[1]
    # The corpus exercises what matters: pagination, tags, categories, day
    # archives, feeds.
    assert any(p.startswith("tag/") for p in serial)
    assert any(p.startswith("category/") for p in serial)
    assert "index2.html" in serial
    assert any(p.count("/") == 3 and p.endswith("/index.html") for p in serial)
    assert "feeds/all.atom.xml" in serial
    assert len(serial) > 600
    for w in WORKERS[1:]:
        assert trees[w].keys() == serial.keys()
        different = [p for p in serial if trees[w][p] != serial[p]]
        assert different == []
        assert builds[w].log() == builds[1].log()  # no fallback either


@pytest.mark.slow  # four builds each: CI runs it (make test-slow)
@pytest.mark.parametrize("layer", ["reader", "generator"])
def test_warm_builds_are_identical(
    content300: Path, tmp_path: Path, layer: str
) -> None:
    cache = {"CACHE_CONTENT": True, "CONTENT_CACHING_LAYER": layer}
    cold = build(content300, tmp_path / "cold", 1, **cache)
    expected = tree(cold.output)
    seeded = tmp_path / "cold-cache"
    assert any(seeded.iterdir())
    for w in WORKERS[:3]:
        out = tmp_path / f"warm{w}"
        shutil.copytree(seeded, tmp_path / f"warm{w}-cache")
        warm = build(content300, out, w, LOAD_CONTENT_CACHE=True, **cache)
        assert tree(warm.output) == expected, f"workers={w}"


def test_a_full_journal_sends_pages_back_as_text(
    content60: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker notes every file it writes in a fixed area of shared memory;
    when it is full, the worker sends the rest of its pages back as text and
    the main process writes them: the same tree and log, no warning."""
    from pelican.plugins.fastbuild import rendering

    serial = build(content60, tmp_path / "w1", 1)
    monkeypatch.setattr(rendering, "_JOURNAL", 1024)  # a few entries
    written_here: list[str] = []
    real_open_w = rendering.Writer._open_w

    def open_w(writer: Any, filename: str, *args: Any, **kwargs: Any) -> Any:
        pool = getattr(writer, "_pool", None)
        if (
            pool is not None
            and not pool.failed
            and writer._worker_file is None  # not written by its worker
            and filename.endswith(".html")  # a page, not a feed
        ):
            written_here.append(filename)  # sent back as text
        return real_open_w(writer, filename, *args, **kwargs)

    monkeypatch.setattr(rendering.Writer, "_open_w", open_w)
    parallel = build(content60, tmp_path / "w2", 2)
    assert len(written_here) > 10
    assert tree(parallel.output) == tree(serial.output)
    assert parallel.log() == serial.log()


def _made_while_rendering(context: dict[str, Any]) -> str:
    """A template function that makes a folder and a file as the page
    renders (as pelican-webassets makes its bundle)."""
    folder = Path(context["OUTPUT_PATH"]) / "gen" / "bundle"
    os.makedirs(folder, exist_ok=True)
    (folder / "site.css").write_text("p{}", encoding="utf-8")
    return "gen/bundle/site.css"


def bundle_builds(
    tmp_path: Path, edit: tuple[str, str, str], bundle: Any, workers: int
) -> tuple[Any, Any]:
    """A serial and a parallel build (at ``workers``) of twelve stories, with
    a theme whose template ``edit`` (name, old, new) calls
    ``bundle(context)`` as ``bundle()``; their trees and logs are the same."""
    from jinja2 import pass_context

    content = tmp_path / "content"
    write_files(content, {f"stories/s{n}.md": story(f"Story {n}") for n in range(12)})
    theme = edited_theme(tmp_path / "theme", *edit)
    site = {"THEME": str(theme), "JINJA_GLOBALS": {"bundle": pass_context(bundle)}}
    serial = build(content, tmp_path / "w1", 1, **site)
    parallel = build(content, tmp_path / f"w{workers}", workers, **site)
    assert parallel.log() == serial.log()  # no worker failed
    assert tree(parallel.output) == tree(serial.output)
    return serial, parallel


def test_a_folder_a_plugin_makes_while_a_page_renders(tmp_path: Path) -> None:
    """A rendering worker's ``os.makedirs`` is Pelican's writer's only: a
    plugin that makes a folder while a page renders gets a real folder, and
    no worker fails."""
    _, parallel = bundle_builds(
        tmp_path,
        ("article.html", "{% block content %}", "{% block content %}{{ bundle() }}"),
        _made_while_rendering,
        2,
    )
    assert (parallel.output / "gen" / "bundle" / "site.css").exists()


def _bundle_made_when_missing(context: Any) -> str:
    """A template function that makes a bundle when it is missing, slowly,
    and gives its version (as pelican-webassets' ``{% assets %}`` does)."""
    import hashlib
    import time

    bundle = Path(context["OUTPUT_PATH"]) / "gen" / "packed.css"
    if not bundle.exists():
        bundle.parent.mkdir(parents=True, exist_ok=True)
        with bundle.open("w", encoding="utf-8") as file:
            file.write("body{")
            file.flush()
            time.sleep(0.3)
            file.write("color:red}")
    return "packed.css?" + hashlib.md5(bundle.read_bytes()).hexdigest()[:8]


def test_a_bundle_the_first_page_makes(tmp_path: Path) -> None:
    """A file a render makes when it is missing and later renders read is
    made once, before any worker renders: every page has the whole file's
    version, as in a serial build (workers racing to make it gave some
    pages the version of a half-written file)."""
    serial, parallel = bundle_builds(
        tmp_path,
        ("base.html", "</head>", "<meta name='css' content='{{ bundle() }}'></head>"),
        _bundle_made_when_missing,
        4,
    )
    version = _bundle_made_when_missing({"OUTPUT_PATH": str(serial.output)})
    pages = list(parallel.output.rglob("*.html"))
    assert len(pages) > 12
    assert all(version in p.read_text(encoding="utf-8") for p in pages)
