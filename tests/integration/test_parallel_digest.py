"""The digest built in parallel: ``FASTBUILD_WORKERS = 1, 2, 4, 16`` (16 is
more than this machine's cores) give byte-identical output trees (the sample
site, a fixture site, a 1,000-story bench corpus; with and without a warm
content cache), and a worker that dies leaves a build that goes on serially
with one warning, and the same output. The engine itself is tested on plain
Pelican sites in plugins/fastbuild/tests/."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from cx_digest import qr
from cx_digest.report import StrictModeError
from support import ROOT, Site, build, run_pelican, story_file

sys.path.insert(0, str(ROOT / "bench"))
from generate import generate

sys.path.remove(str(ROOT / "bench"))

WORKERS = (1, 2, 4, 16)


def tree(output: Path) -> dict[str, bytes]:
    return {
        p.relative_to(output).as_posix(): p.read_bytes()
        for p in sorted(output.rglob("*"))
        if p.is_file()
    }


def differences(one: dict[str, bytes], other: dict[str, bytes]) -> list[str]:
    names = sorted(set(one) | set(other))
    return [name for name in names if one.get(name) != other.get(name)]


def build_content(root: Path, content: Path, workers: int, **overrides: object) -> Site:
    output = root / "output"
    shutil.rmtree(output, ignore_errors=True)
    settings = {
        "PATH": str(content),
        "OUTPUT_PATH": str(output),
        "CACHE_CONTENT": False,
        "LOAD_CONTENT_CACHE": False,
        "FASTBUILD_WORKERS": workers,
        **overrides,
    }
    return build(root, content, output, settings)


@pytest.mark.slow  # 16 workers on 2 cores: CI runs it (make test-slow)
def test_the_sample_site_is_the_same_with_1_2_4_and_16_workers(
    tmp_path: Path,
) -> None:
    trees = {
        n: tree(build_content(tmp_path / f"w{n}", ROOT / "content", n).output)
        for n in WORKERS
    }
    assert len(trees[1]) > 150
    for n in WORKERS[1:]:
        assert differences(trees[1], trees[n]) == [], n


def test_a_fixture_site_with_warnings_and_pages_is_the_same(tmp_path: Path) -> None:
    from test_link_integrity import fixture_newsroom

    sites = {
        n: run_pelican(
            tmp_path / f"w{n}",
            fixture_newsroom(),
            FASTBUILD_WORKERS=n,
            CX_DIGEST_ARCHIVE_PER_PAGE=1,
            DEFAULT_PAGINATION=2,
        )
        for n in WORKERS
    }
    assert len(tree(sites[1].output)) > 50
    for n in WORKERS[1:]:
        assert differences(tree(sites[1].output), tree(sites[n].output)) == [], n
        assert sites[1].warnings == sites[n].warnings


def many_problems() -> dict[str, str]:
    """48 stories over four days, each eighth with bad values, so that every
    worker's share of the stories has some (three workers at most: the
    engine's map gives a worker 16 stories at least)."""
    files = {}
    for n in range(48):
        day = f"2026-11-{15 + n % 4:02d}"
        meta: dict[str, str | list[str]] = {}
        if n % 8 == 3:
            meta = {"digest": "headline", "access": "vip", "related": "nobody"}
        elif n % 8 == 6:
            meta = {"Title": "Second title", "image": "images/missing.jpg"}
        files[f"stories/s{n:02d}.md"] = story_file(
            f"Story {n}", f"{day} {8 + n % 10:02d}:00", **meta
        )
    return files


def test_problems_found_in_the_workers_are_reported_in_story_order(
    tmp_path: Path,
) -> None:
    """A story's facts are made in the engine's workers; the problems they
    find are logged in story order, the same at any number of workers, and
    strict mode lists them all."""
    files = many_problems()
    sites = {
        n: run_pelican(tmp_path / f"w{n}", files, FASTBUILD_WORKERS=n)
        for n in (1, 2, 4)
    }
    warnings = sites[1].warnings
    # One story's problems together, in the order of its keys, the related
    # links (which need every story) last.
    groups: list[tuple[str, list[str]]] = []
    for warning in warnings:
        source, key = warning.removeprefix("cx_digest: ").split(" ")[:2]
        if not groups or groups[-1][0] != source:
            groups.append((source, []))
        groups[-1][1].append(key)
    assert sorted(source for source, _ in groups) == [
        f"stories/s{n:02d}.md:" for n in range(48) if n % 8 in (3, 6)
    ]
    for source, keys in groups:
        number = int(source.removeprefix("stories/s")[:2])
        expected = ["Digest", "Access", "Related"] if number % 8 == 3 else []
        assert keys == (expected or ["Title", "Image"]), source
    for n in (2, 4):
        assert sites[n].warnings == warnings, n
        assert differences(tree(sites[1].output), tree(sites[n].output)) == [], n
    for n in (1, 2):
        with pytest.raises(StrictModeError) as info:
            run_pelican(
                tmp_path / f"strict{n}",
                files,
                FASTBUILD_WORKERS=n,
                CX_DIGEST_STRICT=True,
            )
        assert [f"cx_digest: {p}" for p in info.value.problems] == warnings, n


@pytest.mark.slow  # three builds of the fixture site: CI runs it
def test_a_warm_cache_gives_the_same_tree(tmp_path: Path) -> None:
    def warm(name: str, workers: int) -> dict[str, bytes]:
        root = tmp_path / name
        cache = {
            "CACHE_CONTENT": True,
            "LOAD_CONTENT_CACHE": True,
            "CACHE_PATH": str(root / "cache"),
        }
        build_content(root, ROOT / "content", workers, **cache)  # fills the cache
        return tree(build_content(root, ROOT / "content", workers, **cache).output)

    serial = warm("serial", 1)
    assert differences(serial, warm("parallel", 2)) == []


def test_a_worker_that_dies_leaves_one_warning_and_the_same_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    main = os.getpid()
    svg = qr.svg

    def dying(*args: object, **kwargs: object) -> str:
        if os.getpid() != main:  # in a rendering worker: die
            os._exit(9)
        return svg(*args, **kwargs)  # type: ignore[arg-type]

    serial = build_content(tmp_path / "serial", ROOT / "content", 1)
    monkeypatch.setattr(qr, "svg", dying)
    parallel = build_content(tmp_path / "parallel", ROOT / "content", 2)
    fallback = [w for w in parallel.records if "worker" in w.getMessage()]
    assert len(fallback) == 1
    message = fallback[0].getMessage()
    assert "failed" in message
    assert "digest/2026/11/" in message
    assert differences(tree(serial.output), tree(parallel.output)) == []


@pytest.mark.slow
def test_a_1000_story_corpus_is_the_same_cold_and_warm(tmp_path: Path) -> None:
    content = generate(1000, seed=11, out=tmp_path / "corpus")
    for name in ("images/cx-logo.png", "images/favicon.png"):
        (content / name).write_bytes((ROOT / "content" / name).read_bytes())
    cold = {
        n: tree(build_content(tmp_path / f"w{n}", content, n).output) for n in WORKERS
    }
    assert len(cold[1]) > 1000
    for n in WORKERS[1:]:
        assert differences(cold[1], cold[n]) == [], n
    cache = {"CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": True}
    warm = {}
    for n in (1, 2):
        root = tmp_path / f"warm{n}"
        settings = {**cache, "CACHE_PATH": str(root / "cache")}
        build_content(root, content, n, **settings)
        warm[n] = tree(build_content(root, content, n, **settings).output)
    assert differences(warm[1], warm[2]) == []
    assert differences(cold[1], warm[2]) == []
