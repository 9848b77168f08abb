"""A parallel build logs what a serial build logs, in the same order, and
sends ``content_written`` once per file, from the main process, after the
file has its final bytes."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pelican.generators import Generator
from pelican.log import FatalLogger

import pelican.plugins.fastbuild as engine
from pbuild import Built, build, corpus, listening, story, tree

SPECIAL = {
    "stories/special/twice-dated.md": (
        "Title: Twice dated\nDate: 2016-01-04 09:00\nDate: 2016-01-05 09:00\n"
        "Category: Economy\n\nA story with a repeated Date.\n"
    ),
    "stories/special/dangling.md": story(
        "Dangling link", body="See [the file]({filename}missing.md) for more."
    ),
    # The batch's first page renders in the main process (writer.py): an
    # older story, whose page a worker renders, links in vain too.
    "stories/special/dangling-older.md": story(
        "Older dangling link",
        date="2016-01-04 10:00",
        body="See [the file]({filename}gone.md) for more.",
    ),
    "stories/special/untitled.md": story(None, body="No title at all."),
    "stories/special/bad-date.md": story("Bad date", date="the day after tomorrow"),
}


@pytest.fixture(scope="module")
def special(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return corpus(tmp_path_factory.mktemp("special"), 60, SPECIAL)


# Without feeds, the dangling link is first seen when its pages render.
FEEDS = ("FEED", "FEED_ALL", "CATEGORY_FEED", "AUTHOR_FEED", "TAG_FEED")
NO_FEEDS = dict.fromkeys(
    f"{name}_{fmt}" for name in (*FEEDS, "TRANSLATION_FEED") for fmt in ("ATOM", "RSS")
)


def test_log_is_the_serial_log(special: Path, tmp_path: Path) -> None:
    serial = build(special, tmp_path / "w1", 1, **NO_FEEDS)
    parallel = build(special, tmp_path / "w2", 2, **NO_FEEDS)
    warnings = serial.messages()
    assert any(
        m.startswith("Duplicate definition of `date`") and "twice-dated.md" in m
        for m in warnings
    )
    assert "Unable to find 'missing.md', skipping url replacement." in warnings
    assert "Unable to find 'gone.md', skipping url replacement." in warnings
    assert any("untitled.md" in m and "Skipping" in m for m in warnings)
    assert any(m == "Could not process stories/special/bad-date.md" for m in warnings)
    writing = [m for m in serial.messages(logging.INFO) if m.startswith("Writing")]
    assert len(writing) > 100
    assert parallel.log() == serial.log()
    assert tree(parallel.output) == tree(serial.output)

    # ... and the parallel build did read and render those in workers.
    def origin(prefix: str) -> int:
        return next(
            r.process for r in parallel.records if r.getMessage().startswith(prefix)
        )

    assert origin("Duplicate definition of `date`") != os.getpid()
    assert origin("Unable to find 'gone.md'") != os.getpid()


def test_content_written_once_per_file_in_main_process(
    content60: Path, tmp_path: Path
) -> None:
    seen: list[tuple[str, int, bool, bytes | None]] = []

    def written(path: str, context: Any = None) -> None:
        exists = os.path.isfile(path)
        data = Path(path).read_bytes() if exists else None
        seen.append((path, os.getpid(), exists, data))

    on_disk: list[int] = []

    def articles_written(generator: Any, writer: Any) -> None:
        on_disk.append(sum(1 for _ in Path(generator.output_path).rglob("*.html")))

    engine.register()  # a second registration must not double anything
    with (
        listening("content_written", written),
        listening("article_writer_finalized", articles_written),
    ):
        built = build(content60, tmp_path / "w2", 2)
        parallel = list(seen)
        seen.clear()
        serial_built = build(content60, tmp_path / "w1", 1)
    # Signals see the files a serial build has written by then.
    assert on_disk[0] == on_disk[1] == len(parallel)
    paths = [path for path, _, _, _ in parallel]
    assert len(paths) == len(set(paths))
    assert {pid for _, pid, _, _ in parallel} == {os.getpid()}
    out = str(built.output)
    for path, _, exists, data in parallel:
        assert exists, path
        assert data == Path(path).read_bytes(), path
    serial_paths = [p.replace(str(serial_built.output), out) for p, _, _, _ in seen]
    assert paths == serial_paths
    html = {str(p) for p in built.output.rglob("*.html")}
    assert html == set(paths)


@pytest.mark.parametrize(
    ("story_file", "first"),
    [
        ("stories/special/twice-dated.md", "Duplicate definition of `date`"),
        ("stories/special/dangling.md", "Unable to find 'missing.md'"),
    ],
)
def test_fatal_warnings_stop_the_build_where_serial_does(
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    story_file: str,
    first: str,
) -> None:
    """``pelican --fatal warnings``: the first warning let through raises,
    at read time (in a worker's read) or at render time (in a worker's page)."""
    content = corpus(
        tmp_path_factory.mktemp("fatal"), 60, {story_file: SPECIAL[story_file]}
    )
    monkeypatch.setattr(FatalLogger, "fatal_lvl", logging.WARNING)
    logs = {}
    for w in (1, 2):
        records: list[logging.LogRecord] = []
        with pytest.raises(RuntimeError, match="Warning or error encountered"):
            build(content, tmp_path / f"w{w}", w, records=records, **NO_FEEDS)
        logs[w] = Built(tmp_path / f"w{w}", records).log()
    assert logs[2] == logs[1]
    warnings = [m for _, level, m in logs[1] if level >= logging.WARNING]
    assert warnings[0].startswith(first)
    assert tree(tmp_path / "w2") == tree(tmp_path / "w1")


class Interleaved(Generator):
    """Writes pages and logs between them, as a plugin's generator may."""

    def generate_output(self, writer: Any) -> None:
        template = self.get_template("archives")
        log = logging.getLogger("tests.interleaved")
        for n in range(4):
            writer.write_file(f"extra/{n}.html", template, self.context, True)
            log.warning("wrote page %s", n)


def interleaved(pelican: Any) -> type[Generator]:
    return Interleaved


def test_a_log_record_writes_the_pages_before_it(
    content60: Path, tmp_path: Path
) -> None:
    with listening("get_generators", interleaved):
        serial = build(content60, tmp_path / "w1", 1)
        parallel = build(content60, tmp_path / "w2", 2)
    tail = [m for m in serial.messages(logging.INFO) if "extra" in m or "wrote" in m]
    assert tail == [
        line
        for n in range(4)
        for line in (f'Writing "OUTPUT/extra/{n}.html"', f"wrote page {n}")
    ]
    assert parallel.log() == serial.log()


class Echoing(Generator):
    """Writes four pages; a content_written receiver writes an echo of each."""

    writers: ClassVar[list[Any]] = []

    def generate_output(self, writer: Any) -> None:
        self.writers.append((writer, self.get_template("archives"), self.context))
        for n in range(4):
            writer.write_file(
                f"extra/{n}.html", self.get_template("archives"), self.context
            )


def echoing(pelican: Any) -> type[Generator]:
    return Echoing


def echo(path: str, context: Any = None) -> None:
    if "/extra/" in path:
        writer, template, site = Echoing.writers[-1]
        writer.write_file(f"echo/{Path(path).name}", template, site)


def test_a_write_from_a_content_written_receiver_runs_at_once(
    content60: Path, tmp_path: Path
) -> None:
    with listening("get_generators", echoing), listening("content_written", echo):
        serial = build(content60, tmp_path / "w1", 1)
        parallel = build(content60, tmp_path / "w2", 2)
    writes = [
        m for m in serial.messages(logging.INFO) if "/extra/" in m or "/echo/" in m
    ]
    assert writes == [
        f'Writing "OUTPUT/{folder}/{n}.html"'
        for n in range(4)
        for folder in ("extra", "echo")
    ]
    assert parallel.log() == serial.log()
    assert tree(parallel.output) == tree(serial.output)
    # Two batches: the articles generator's pages, then the four extra pages.
    assert Echoing.writers[-1][0].workers_forked == 4


def test_attach_links_render_serially(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    attached = {
        "stories/x/attached.md": story(
            "Attached", body="![A harbour]({attach}../../images/harbour.png)"
        )
    }
    content = corpus(tmp_path_factory.mktemp("attach"), 60, attached)
    # No feeds: they would resolve the link first, in the main process.
    serial = tree(build(content, tmp_path / "w1", 1, **NO_FEEDS).output)
    assert "harbour.png" in serial  # moved next to the story that attaches it
    assert "images/harbour.png" not in serial
    assert tree(build(content, tmp_path / "w2", 2, **NO_FEEDS).output) == serial
