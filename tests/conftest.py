"""Shared pytest fixtures (helpers live in tests/support.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cx_digest.model import Image, Story
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
