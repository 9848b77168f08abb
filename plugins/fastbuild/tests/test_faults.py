"""Faults a build meets outside the engine's workers: a full disk and a
``content_written`` receiver that raises. A parallel build stops where a
serial one stops, with the same exception, having written the same files
and sent the same signals. (Workers that fail or die: test_fallback.py.)"""

from __future__ import annotations

import errno
import logging
import os
from pathlib import Path
from typing import Any

import pytest

from pbuild import build, child_pids, listening, no_children_left, tree

# A page of the 60-story corpus written in the middle of the articles.
TARGET = "bahu-000017.html"
DEV_FULL = Path("/dev/full")  # Linux: every write fails with ENOSPC


def full_disk_at(name: str) -> Any:
    """The output file ``name`` is on a full disk: a link to /dev/full, so
    Pelican's own ``open()`` and ``write()`` of it fail as on a full disk."""

    def prepare(output: Path) -> None:
        (output / name).symlink_to(DEV_FULL)

    return prepare


def counting_forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the engine's forks (readers and renderers) from now on."""
    forks: list[int] = []
    real = os.fork

    def fork() -> int:
        pid = real()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    return forks


def assert_stopped_as_serially(
    outcomes: dict[int, tuple[Any, ...]], forks: list[int], before: set[int]
) -> None:
    """The build at 2 workers (``outcomes[2]``: its tree, the files
    ``content_written`` was sent for, its log) stopped where the serial
    build (``outcomes[1]``) stopped, from inside a batch."""
    assert len(forks) == 4  # 2 readers, 2 renderers: the page was in a batch
    parallel_tree, parallel_written, parallel_log = outcomes[2]
    serial_tree, serial_written, serial_log = outcomes[1]
    assert parallel_tree == serial_tree
    assert parallel_written == serial_written
    assert parallel_log == serial_log
    assert no_children_left(before)


def test_a_full_disk_stops_the_build_where_a_serial_build_stops(
    content60: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert DEV_FULL.is_char_device()
    before = child_pids()
    forks = counting_forks(monkeypatch)
    outcomes = {}
    for w in (1, 2):
        records: list[logging.LogRecord] = []
        written: list[str] = []

        def note(
            path: str,
            context: Any = None,
            written: list[str] = written,
            out: Path = tmp_path / f"w{w}",
        ) -> None:
            written.append(os.path.relpath(path, out))

        with (
            listening("content_written", note),
            pytest.raises(OSError, match="No space left on device") as caught,
        ):
            build(
                content60,
                tmp_path / f"w{w}",
                w,
                records=records,
                prepare=full_disk_at(TARGET),
            )
        assert caught.value.errno == errno.ENOSPC
        out = str(tmp_path / f"w{w}")
        log = [
            (r.name, r.levelno, r.getMessage().replace(out, "OUTPUT")) for r in records
        ]
        outcomes[w] = (tree(tmp_path / f"w{w}"), written, log)
    serial_tree, serial_written, _ = outcomes[1]
    assert len(serial_tree) > 10  # pages before the failing one were written
    assert TARGET not in serial_written
    assert_stopped_as_serially(outcomes, forks, before)


class ReceiverFailed(Exception):
    pass


def test_a_failing_content_written_receiver_fails_the_build_as_serially(
    content60: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = child_pids()
    forks = counting_forks(monkeypatch)
    outcomes = {}
    for w in (1, 2):
        written: list[str] = []
        records: list[logging.LogRecord] = []

        def fail_on_target(
            path: str, context: Any = None, written: list[str] = written
        ) -> None:
            written.append(os.path.basename(path))
            if path.endswith(TARGET):
                assert Path(path).is_file()  # written before the signal
                raise ReceiverFailed(f"cannot index {os.path.basename(path)}")

        with (
            listening("content_written", fail_on_target),
            pytest.raises(ReceiverFailed, match=f"cannot index {TARGET}"),
        ):
            build(content60, tmp_path / f"w{w}", w, records=records)
        outcomes[w] = (tree(tmp_path / f"w{w}"), written, len(records))
    serial_tree, serial_written, _ = outcomes[1]
    assert TARGET in serial_tree
    assert serial_written[-1] == TARGET
    assert len(serial_written) > 10
    assert_stopped_as_serially(outcomes, forks, before)
