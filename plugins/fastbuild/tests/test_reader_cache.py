"""Pelican's content cache is honoured: cached files are never re-read, and
the cache a parallel build saves is the one a serial build saves."""

from __future__ import annotations

import io
import os
import pickle
from pathlib import Path
from typing import Any

import pytest
from pelican.readers import MarkdownReader, Readers

from pbuild import build, listening, tree

CACHE = {"CACHE_CONTENT": True, "GZIP_CACHE": False}


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Forks and Markdown reads made by this process."""
    seen = {"fork": 0, "read": 0}
    fork, read = os.fork, MarkdownReader.read

    def counting_fork() -> int:
        pid = fork()
        if pid:
            seen["fork"] += 1
        return pid

    def counting_read(self: MarkdownReader, path: str) -> Any:
        seen["read"] += 1
        return read(self, path)

    monkeypatch.setattr(os, "fork", counting_fork)
    monkeypatch.setattr(MarkdownReader, "read", counting_read)
    return seen


def same_cache(serial: bytes, parallel: bytes, workers: int) -> bool:
    """The same cached data, but for the settings that Tag and Category
    objects carry (FASTBUILD_WORKERS differs, of course): pickled again
    without pickle's memo, as values (a string the parallel build shares
    between objects, a slug made once, is written once in its file)."""
    entries = pickle.loads(serial)
    _, (_, metadata) = next(iter(entries.values()))
    metadata["category"].settings["FASTBUILD_WORKERS"] = workers
    return _values(entries) == _values(pickle.loads(parallel))


def _values(data: Any) -> bytes:
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no memo: shared and equal values look the same
    pickler.dump(data)
    return out.getvalue()


def test_warm_build_forks_no_reader_and_reads_nothing(
    content60: Path, tmp_path: Path, counts: dict[str, int]
) -> None:
    cold = build(content60, tmp_path / "out", 2, **CACHE)
    assert counts["fork"] >= 2  # read in workers
    assert counts["read"] == 0  # ... not here
    forks_while_reading = []

    def read_done(generator: Any) -> None:
        forks_while_reading.append(counts["fork"])

    counts.update(fork=0, read=0)
    with listening("article_generator_finalized", read_done):
        warm = build(content60, tmp_path / "out", 2, LOAD_CONTENT_CACHE=True, **CACHE)
    assert forks_while_reading == [0]
    assert counts["read"] == 0
    assert counts["fork"] >= 2  # rendering still is parallel
    assert tree(warm.output) == tree(cold.output)


def test_parallel_cache_is_the_serial_cache(
    content60: Path, tmp_path: Path, counts: dict[str, int]
) -> None:
    # Same output and cache paths: the settings are in the cache file too.
    out, saved = tmp_path / "out", tmp_path / "out-cache" / "ArticlesGenerator-Readers"
    serial = build(content60, out, 1, **CACHE)
    assert counts["read"] == 60
    serial_tree, serial_cache = tree(serial.output), saved.read_bytes()
    assert len(serial_cache) > 10_000
    saved.unlink()
    parallel = build(content60, out, 2, **CACHE)
    assert same_cache(serial_cache, saved.read_bytes(), workers=2)
    assert tree(parallel.output) == serial_tree
    # A serial build finds everything in the cache the parallel build saved.
    counts["read"] = 0
    warm = build(content60, out, 1, LOAD_CONTENT_CACHE=True, **CACHE)
    assert counts["read"] == 0
    assert tree(warm.output) == serial_tree


@pytest.mark.parametrize(("cache", "stamped"), [({}, False), (CACHE, True)])
def test_a_file_is_stamped_only_for_a_cache_that_keeps_it(
    content60: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cache: dict[str, Any],
    stamped: bool,
) -> None:
    """Without a content cache nothing looks at a file's stamp: neither the
    reading workers nor this process take it (a ``stat`` per file); with
    one, every file read is stamped, in the workers."""
    notes = tmp_path / "stamps"
    stamp = Readers._get_file_stamp

    def noting(self: Readers, filename: str) -> Any:
        with notes.open("a", encoding="utf-8") as file:  # workers too
            file.write(f"{os.getpid()} {filename}\n")
        return stamp(self, filename)

    monkeypatch.setattr(Readers, "_get_file_stamp", noting)
    built = build(content60, tmp_path / "out", 2, **cache)
    lines = notes.read_text(encoding="utf-8").splitlines() if notes.exists() else []
    lines = [line for line in lines if line.endswith(".md")]  # not static files
    if stamped:
        assert len({line.split(" ", 1)[1] for line in lines}) >= 60
        assert {line.split(" ", 1)[0] for line in lines} != {str(os.getpid())}
    else:
        assert lines == []
    assert len(tree(built.output)) > 60
