"""A worker that fails or dies: one warning, the rest in the main process,
the serial output."""

from __future__ import annotations

import builtins
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from pelican.readers import MarkdownReader

from pbuild import (
    Built,
    build,
    child_pids,
    listening,
    no_children_left,
    template_folder,
    tree,
)

MAIN_PID = os.getpid()
TARGET = "bahu-000017"  # a story of the 60-story corpus
PREFIX = "fastbuild: "


def in_worker() -> bool:
    return os.getpid() != MAIN_PID


def theme_overrides(tmp_path: Path) -> Path:
    """An article template that calls the ``check`` Jinja global."""
    return template_folder(
        tmp_path / "templates",
        "article.html",
        '{% extends "!simple/article.html" %}'
        "{% block content %}{{ check(article.slug) }}{{ super() }}{% endblock %}",
    )


def raise_in_worker(slug: str) -> str:
    if slug == TARGET and in_worker():
        raise ValueError("only in a worker")
    return ""


def die_in_worker(slug: str) -> str:
    if slug == TARGET and in_worker():
        os.kill(os.getpid(), signal.SIGKILL)
    return ""


def raise_everywhere(slug: str) -> str:
    if slug == TARGET:
        raise ValueError("broken template")
    return ""


def rendering_failed(reason: str) -> list[str]:
    """The engine's one warning when the target page fails in a worker."""
    return [
        f"{PREFIX}rendering OUTPUT/{TARGET}.html in a worker failed ({reason}); "
        "rendering the rest in this process"
    ]


def assert_as_serially(
    parallel: Built, serial: Built, before: set[int], ours: list[str]
) -> None:
    """The engine said exactly ``ours``; otherwise the parallel build logged
    and wrote what the serial build did, and left no process behind."""
    assert [m for m in parallel.messages() if m.startswith(PREFIX)] == ours
    assert [m for m in parallel.log() if m[2] not in ours] == serial.log()
    assert tree(parallel.output) == tree(serial.output)
    assert no_children_left(before)


@pytest.mark.parametrize(
    ("check", "reason"),
    [
        (raise_in_worker, "ValueError: only in a worker"),
        (die_in_worker, "the worker died, exit status -9"),
    ],
)
def test_render_failure_in_a_worker(
    content60: Path, tmp_path: Path, check: Any, reason: str
) -> None:
    before = child_pids()
    themed = {
        "THEME_TEMPLATES_OVERRIDES": [str(theme_overrides(tmp_path))],
        "JINJA_GLOBALS": {"check": check},
    }
    serial = build(content60, tmp_path / "w1", 1, **themed)
    parallel = build(content60, tmp_path / "w2", 2, **themed)
    assert_as_serially(parallel, serial, before, rendering_failed(reason))


class _DyingFile:
    """A page file that a worker's SIGKILL interrupts halfway through."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def __enter__(self) -> _DyingFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.real.close()

    def write(self, text: str) -> int:
        self.real.write(text[: len(text) // 2])
        self.real.flush()
        os.kill(os.getpid(), signal.SIGKILL)
        return 0  # not reached


def test_a_worker_killed_while_writing_a_page(
    content60: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker dies with half the page on disk: one warning names it, and
    the main process writes it and the rest, as a serial build would."""
    before = child_pids()
    real_open = builtins.open

    def open_(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(file, mode, *args, **kwargs)
        if in_worker() and "w" in mode and str(file).endswith(f"/{TARGET}.html"):
            return _DyingFile(handle)
        return handle

    serial = build(content60, tmp_path / "w1", 1)
    monkeypatch.setattr(builtins, "open", open_)
    parallel = build(content60, tmp_path / "w2", 2)
    monkeypatch.undo()
    assert_as_serially(
        parallel, serial, before, rendering_failed("the worker died, exit status -9")
    )


def test_template_error_is_raised_as_in_a_serial_build(
    content60: Path, tmp_path: Path
) -> None:
    before = child_pids()
    themed = {
        "THEME_TEMPLATES_OVERRIDES": [str(theme_overrides(tmp_path))],
        "JINJA_GLOBALS": {"check": raise_everywhere},
    }
    for w in (1, 2):
        with pytest.raises(ValueError, match="broken template"):
            build(content60, tmp_path / f"w{w}", w, **themed)
    assert tree(tmp_path / "w2") == tree(tmp_path / "w1")
    assert no_children_left(before)


class FlakyReader(MarkdownReader):
    """Reads Markdown; for the target story, fails in a worker only."""

    how = "raise"

    def read(self, source_path: str) -> Any:
        if TARGET in source_path and in_worker():
            if self.how == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            raise OSError("only in a worker")
        return super().read(source_path)


def use_flaky_reader(readers: Any) -> None:
    readers.reader_classes["md"] = FlakyReader


@pytest.mark.parametrize("how", ["raise", "kill"])
def test_read_failure_in_a_worker(
    content60: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    before = child_pids()
    monkeypatch.setattr(FlakyReader, "how", how)
    with listening("readers_init", use_flaky_reader):
        serial = build(content60, tmp_path / "w1", 1)
        parallel = build(content60, tmp_path / "w2", 2)
    if how == "kill":
        rel = next(p for p in content60.rglob(f"{TARGET}.md")).relative_to(content60)
        ours = [
            f"{PREFIX}a worker died reading {rel} (exit status -9); "
            "reading the rest in this process"
        ]
    else:
        ours = []  # Pelican reads it itself, quietly
    assert_as_serially(parallel, serial, before, ours)
    assert (parallel.output / f"{TARGET}.html").is_file()
