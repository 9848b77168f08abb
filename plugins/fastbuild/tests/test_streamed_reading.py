"""Reading is streamed: the main process builds content objects from the files
the workers have parsed while they parse the rest, and a build that raises
while reading leaves no worker behind once the next build has run."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from pelican.generators import CachingGenerator
from pelican.readers import MarkdownReader

from pbuild import build, child_pids, corpus, listening, no_children_left, story, tree

MAIN_PID = os.getpid()
PARSE_SECONDS = 0.02  # per file, in a worker: 60 files take 0.6 s a worker


class TimedReader(MarkdownReader):
    """Reads Markdown; in a worker, slowly, noting when each parse ended."""

    ends: Path

    def read(self, source_path: str) -> Any:
        result = super().read(source_path)
        if os.getpid() != MAIN_PID:
            time.sleep(PARSE_SECONDS)
            with open(self.ends, "a", encoding="utf-8") as out:
                out.write(f"{time.monotonic()}\n")
        return result


def use_timed_reader(readers: Any) -> None:
    readers.reader_classes["md"] = TimedReader


def test_content_objects_are_made_while_the_workers_parse(
    content60: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ends = tmp_path / "parse-ends.txt"
    monkeypatch.setattr(TimedReader, "ends", ends, raising=False)
    made: list[float] = []

    def note(content: Any) -> None:
        made.append(time.monotonic())

    before = child_pids()
    with (
        listening("readers_init", use_timed_reader),
        listening("content_object_init", note),
    ):
        parallel = build(content60, tmp_path / "w2", 2)
        serial = build(content60, tmp_path / "w1", 1)
    parsed = [float(line) for line in ends.read_text().split()]
    assert len(parsed) >= 50  # the stories, parsed in the workers
    # The first story became a content object while most files were still
    # to be parsed (all of them were parsed before any, before streaming).
    assert made[0] < sorted(parsed)[len(parsed) // 2]
    assert tree(parallel.output) == tree(serial.output)
    assert parallel.log() == serial.log()
    assert no_children_left(before)


class Stop(BaseException):
    """Stops a build as Ctrl-C does (Pelican logs an ``Exception`` raised
    while it reads a file, and goes on)."""


def test_a_build_that_raises_while_reading_leaves_no_worker(
    content60: Path, tmp_path: Path
) -> None:
    before = child_pids()
    seen: list[str] = []

    def stop_at_the_third(generator: Any, metadata: Any) -> None:
        seen.append(str(metadata.get("title")))
        if len(seen) == 3:
            raise Stop

    with (
        listening("article_generator_context", stop_at_the_third),
        pytest.raises(Stop),
    ):
        build(content60, tmp_path / "raised", 2)
    assert len(child_pids() - before) == 2  # its reading workers, still there
    # The next build stops (or reaps) the workers the last one left.
    again = build(content60, tmp_path / "again", 2)
    alone = build(content60, tmp_path / "alone", 1)
    assert tree(again.output) == tree(alone.output)
    assert no_children_left(before)


def test_no_file_stamps_without_a_content_cache(
    content60: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a content cache Pelican's generators stat every file twice
    for nothing; with the engine on they do not (but for the first file,
    asked before the engine's reading starts), and the build is the same."""
    stamped: list[str] = []
    stamp = CachingGenerator._get_file_stamp

    def counting(self: Any, filename: str) -> Any:
        stamped.append(filename)
        return stamp(self, filename)

    monkeypatch.setattr(CachingGenerator, "_get_file_stamp", counting)
    serial = build(content60, tmp_path / "w1", 1)
    serial_stamps, stamped[:] = len(stamped), []
    parallel = build(content60, tmp_path / "w2", 2)
    assert serial_stamps >= 2 * 60
    assert len(stamped) <= 2  # the first story and the first page
    assert tree(parallel.output) == tree(serial.output)
    assert parallel.log() == serial.log()


def test_slugs_of_tags_are_made_in_the_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The slug of each tag, category and author comes with the story from
    the worker that parsed it (Pelican's URLWrapper keeps it), so the main
    process does not slugify them again to format every URL. One that
    slugifies to nothing is left to the main process: Pelican warns of it
    where a serial build does."""
    from pelican import urlwrappers

    odd = story("Odd tags", tags="!!!, Trade", category="???")
    content = corpus(tmp_path / "corpus", 60, extra={"stories/odd.md": odd})
    slugified: list[str] = []
    real = urlwrappers.slugify

    def counting(value: str, *args: Any, **kwargs: Any) -> str:
        if os.getpid() == MAIN_PID:
            slugified.append(value)
        return real(value, *args, **kwargs)

    monkeypatch.setattr(urlwrappers, "slugify", counting)
    serial = build(content, tmp_path / "w1", 1)
    in_main_serial = len(slugified)
    slugified.clear()
    parallel = build(content, tmp_path / "w2", 2)
    assert in_main_serial >= 60  # every story's tags and category, at least
    assert len(slugified) < in_main_serial // 4
    assert tree(parallel.output) == tree(serial.output)
    assert parallel.log() == serial.log()
    empty = [m for m in parallel.messages() if "Unable to generate valid slug" in m]
    assert any("!!!" in m for m in empty)
    assert any("???" in m for m in empty)
