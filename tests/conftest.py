"""Shared pytest fixtures (helpers live in tests/support.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cx_digest.model import Image, Story
from quickstart import Installed, install, make_site
from support import ROOT, Site, build, make_story, run_pelican


@pytest.fixture
def story_factory() -> Callable[..., Story]:
    return make_story


@pytest.fixture
def image_factory() -> Callable[..., Image]:
    def make(src: str = "images/x.jpg", **kw: Any) -> Image:
        return Image(
            src, kw.get("alt", "alt"), kw.get("caption", ""), kw.get("credit", "")
        )

    return make


@pytest.fixture
def build_site(tmp_path: Path) -> Callable[..., Site]:
    counter = iter(range(1000))

    def build(files: dict[str, str | bytes], **overrides: Any) -> Site:
        return run_pelican(tmp_path / f"site{next(counter)}", files, **overrides)

    return build


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The repository's own sample newsroom, built once per test session."""
    root = tmp_path_factory.mktemp("sample")
    output = root / "output"
    overrides = {
        "PATH": str(ROOT / "content"),
        "OUTPUT_PATH": str(output),
        "CACHE_CONTENT": False,
        "LOAD_CONTENT_CACHE": False,
    }
    return build(root, ROOT / "content", output, overrides)


@pytest.fixture(scope="session")
def installed_plugin(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The wheel in a fresh venv, with a quickstart-style site built in each
    of Pelican's themes: notmyidea found by namespace discovery (no
    ``PLUGINS``), simple with ``PLUGINS = ["cx_digest"]``."""
    installed = install(tmp_path_factory.mktemp("wheel"))
    make_site(installed, "notmyidea", None)
    make_site(installed, "simple", ["cx_digest"])
    return installed
