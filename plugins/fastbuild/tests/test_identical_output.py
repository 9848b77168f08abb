"""Workers 1, 2, 4 and 16 (more than this machine's cores) write the same
tree, byte for byte, cold; 1, 2 and 4 from a warm cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pbuild import build, tree

WORKERS = (1, 2, 4, 16)


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
