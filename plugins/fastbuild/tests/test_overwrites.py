"""Clashing output paths behave as in a serial build."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest
from pelican.writers import FileOverwriteFailedError

from pbuild import build, corpus, story, tree


@pytest.mark.parametrize(
    ("page", "settings"),
    [
        # The story is saved as category/economy.html, the Economy category
        # page too.
        ("category/economy.html", {}),
        # The story is saved as the second page of the Economy category: only
        # the first page of a call is checked when it is recorded, so the
        # clash is met in the batch, by the workers and by the main process
        # at the same page. The pages the workers wrote beyond the clash are
        # removed, and the story page is not overwritten.
        ("category/economy2.html", {"DEFAULT_PAGINATION": 2}),
    ],
)
def test_two_pages_claiming_one_path_stop_the_build(
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
    page: str,
    settings: dict[str, Any],
) -> None:
    """The build stops with Pelican's error and the serial build's files."""
    clash = {
        "stories/x/clash.md": story(
            "Clash", Slug=page.removesuffix(".html"), Category="Economy"
        )
    }
    content = corpus(tmp_path_factory.mktemp("clash"), 60, clash)
    results = {}
    for w in (1, 2):
        with pytest.raises(FileOverwriteFailedError, match=re.escape(page)):
            build(content, tmp_path / f"w{w}", w, **settings)
        results[w] = tree(tmp_path / f"w{w}")
    assert b"Clash" in results[1][page]
    assert "category/economy.html" in results[1]
    assert results[2] == results[1]


def test_a_tag_with_an_empty_slug_is_skipped(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    # "!!!" slugifies to "": its page would be tag/index.html, the tags index.
    odd = {"stories/x/odd-tag.md": story("Odd tag", Tags="!!!, Economy")}
    content = corpus(tmp_path_factory.mktemp("oddtag"), 60, odd)
    paths = {
        "TAG_SAVE_AS": "tag/{slug}/index.html",
        "TAG_URL": "tag/{slug}/",
        "TAGS_SAVE_AS": "tag/index.html",
    }
    serial = build(content, tmp_path / "w1", 1, **paths)
    parallel = build(content, tmp_path / "w2", 2, **paths)
    skipped = 'Tag "!!!" has an invalid slug; skipping writing tag page...'
    assert skipped in serial.messages(logging.INFO)
    assert parallel.log() == serial.log()
    assert tree(parallel.output) == tree(serial.output)
    assert "tag/economy/index.html" in tree(serial.output)
