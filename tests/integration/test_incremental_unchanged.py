"""An incremental build with nothing changed stops before Pelican's
generators, leaves the tree as it is and logs the last build's warnings;
any change to what a build reads, or to what it left in the output folder,
makes it build (and equal a full build)."""

from __future__ import annotations

import logging
import logging.handlers
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from incremental_site import Site
from pelican.plugins import fastbuild

from pbuild import listening, tree
from support import ROOT

NOTHING = "nothing changed since the last build"


def _site(tmp_path: Path) -> Site:
    shutil.copytree(ROOT / "theme", tmp_path / "theme")
    site = Site(tmp_path)
    # An edition whose Lead is a story marked "Digest: none": one warning.
    site.files["stories/s7.md"] = site.files["stories/s1.md"].replace(
        "Digest: lead", "Digest: none"
    )
    site.files["digests/2026-11-16.md"] = (
        "Date: 2026-11-16 18:00\nTitle: Monday\nLead: s7\n\nA note.\n"
    )
    site.write()
    return site


def _build(site: Site, workers: int = 2) -> tuple[list[str], list[str]]:
    """An incremental build: (the engine's messages, every warning)."""
    warnings = logging.handlers.BufferingHandler(sys.maxsize)  # never flushed
    warnings.setLevel(logging.WARNING)
    root = logging.getLogger()
    root.addHandler(warnings)
    try:
        engine = site.build_log("inc", incremental=True, workers=workers)
    finally:
        root.removeHandler(warnings)
    return engine, [r.getMessage() for r in warnings.buffer]


def _stamps(folder: Path) -> dict[str, int]:
    return {
        str(p.relative_to(folder)): p.stat().st_mtime_ns
        for p in folder.rglob("*")
        if p.is_file()
    }


def _skipped(engine: list[str]) -> bool:
    return any(NOTHING in message for message in engine)


@pytest.mark.parametrize("workers", [2, pytest.param(1, marks=pytest.mark.slow)])
def test_nothing_changed_leaves_the_tree_and_logs_the_same_warnings(
    tmp_path: Path, workers: int
) -> None:
    site = _site(tmp_path)
    engine, warnings = _build(site, workers)
    assert not _skipped(engine)
    assert any("marked 'Digest: none'" in w for w in warnings), warnings
    before, stamps = tree(tmp_path / "inc"), _stamps(tmp_path / "inc")
    site.write()  # every content file written again: new mtimes, same bytes
    engine, replayed = _build(site, workers)
    assert _skipped(engine), engine
    assert replayed == warnings
    assert tree(tmp_path / "inc") == before
    assert _stamps(tmp_path / "inc") == stamps
    full = tree(site.build("full", incremental=False, workers=1))
    assert tree(tmp_path / "inc") == full


def _touch_output(site: Site) -> None:
    page = next((site.root / "inc").rglob("index.html"))
    os.utime(page, ns=(0, 0))


def _delete_output(site: Site) -> None:
    next((site.root / "inc").rglob("index.html")).unlink()


def _theme_static(site: Site) -> None:
    css = next((site.root / "theme" / "static").rglob("*.css"))
    css.write_text(css.read_text(encoding="utf-8") + "\n/* edit */\n", "utf-8")


def _template(site: Site) -> None:
    base = site.root / "theme" / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8") + "\n<!-- edit -->\n", "utf-8")


def _image_bytes(site: Site) -> None:
    # Declared by the digest (it reads the image's size); the same name.
    png = (ROOT / "tests" / "fixtures" / "images" / "cx-logo.png").read_bytes()
    site.files["images/fixture.jpg"] = png
    site.write()


def _new_file(site: Site) -> None:
    site.files["stories/s8.md"] = site.files["stories/s3.md"].replace(
        "Story number 3", "Story number 8"
    )
    site.write()


def _story_body(site: Site) -> None:
    site.files["stories/s2.md"] = str(site.files["stories/s2.md"]) + "\nOne more.\n"
    site.write()


def _setting(site: Site) -> None:
    site.settings["SITESUBTITLE"] = "Another subtitle"


def _stray_output_file(site: Site) -> None:
    site.settings["DELETE_OUTPUT_DIRECTORY"] = True
    (site.root / "inc" / "stray.html").write_text("left behind", encoding="utf-8")


# The random edits of test_incremental.py also make a skipped build fail
# (its tree would differ from a full build's): the edits they make run with
# the slow tests here.
_ALSO_RANDOM = pytest.mark.slow


@pytest.mark.parametrize(
    "change",
    [
        _touch_output,
        _delete_output,
        _theme_static,
        _stray_output_file,
        pytest.param(_template, marks=_ALSO_RANDOM),
        pytest.param(_image_bytes, marks=_ALSO_RANDOM),
        pytest.param(_new_file, marks=_ALSO_RANDOM),
        pytest.param(_story_body, marks=_ALSO_RANDOM),
        pytest.param(_setting, marks=_ALSO_RANDOM),
    ],
)
def test_any_change_builds(tmp_path: Path, change: Callable[[Site], None]) -> None:
    site = _site(tmp_path)
    _build(site)
    if change is _stray_output_file:  # the setting in the state first
        site.settings["DELETE_OUTPUT_DIRECTORY"] = True
        _build(site)
    engine, _ = _build(site)
    assert _skipped(engine)
    change(site)
    engine, _ = _build(site)
    assert not _skipped(engine), change.__name__
    full = tree(site.build("full", incremental=False, workers=1))
    assert tree(tmp_path / "inc") == full
    engine, _ = _build(site)  # settled again: nothing to do
    assert _skipped(engine), change.__name__


def test_a_file_a_generator_declares_is_an_input(tmp_path: Path) -> None:
    """A receiver reading a data file outside PATH between the generators
    declares it (``depends_on_file`` outside any page): the build runs when
    the file changes, and is skipped when it does not."""
    site = _site(tmp_path)
    data = tmp_path / "data" / "markets.json"
    data.parent.mkdir()
    data.write_text('{"index": 1}', encoding="utf-8")
    seen: list[str] = []

    def read_data(generators: object) -> None:
        fastbuild.depends_on_file(data)
        seen.append(data.read_text(encoding="utf-8"))

    with listening("all_generators_finalized", read_data):
        _build(site)
        engine, _ = _build(site)
        assert _skipped(engine)
        data.write_text('{"index": 2}', encoding="utf-8")
        engine, _ = _build(site)
        assert not _skipped(engine)
        assert seen == ['{"index": 1}', '{"index": 2}']
        engine, _ = _build(site)
        assert _skipped(engine)


def test_something_untracked_outside_a_page_is_never_skipped(tmp_path: Path) -> None:
    site = _site(tmp_path)

    def read_the_network(generators: object) -> None:
        fastbuild.untracked("prices from the network")

    with listening("all_generators_finalized", read_the_network):
        _build(site)
        engine, _ = _build(site)
    assert not _skipped(engine)
