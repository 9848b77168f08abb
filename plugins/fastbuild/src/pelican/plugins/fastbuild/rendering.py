"""Parallel rendering and writing of one batch of recorded ``write_file`` calls.

Workers are forked when a batch is flushed, that is after the context and
every page's data exist, so they hold everything already: they are told
nothing but the batch (inherited), their number and the block size. No page
context is ever pickled, and no page text crosses a pipe: the workers write
the files, and only a short note per page and its log records come back.

Pages are counted across the batch in replay order (a paginated call gives
several pages); page ``p`` belongs to worker ``(p // block) % workers``.
Every worker replays the *whole* batch through Pelican's own
``Writer.write_file`` on a :class:`_WorkerWriter`, which starts with the
parent writer's record of written and overridden files, so its state at each
page is the serial build's (Pelican's ``_write_file`` sets
``context["localsiteurl"]`` before every render, and its ``_open_w`` check
raises ``FileOverwriteFailedError`` at the page where a serial build raises
it). The template is replaced by a proxy that renders the worker's own pages
with the real template (anything with ``render(context) -> str``) and
returns "" for the others; Pelican's ``open`` and ``os.makedirs`` act only
for the worker's own pages (in the worker, the names ``open`` and ``os`` of
``pelican.writers`` are rebound: a forked worker runs nothing else; the
``os`` module itself is untouched, so a plugin that makes a folder while a
page renders gets the real ``os.makedirs``). Log records are captured only
while an own page renders.

A worker notes each own page in shared memory before opening its file (a
journal the parent reads if the build stops in the middle of the batch: the
files written beyond the page it stopped at are removed, as a serial build
had not written them), and when the file is closed sends
``("ok", page, output_file, path, records)``. A page whose file it cannot
write (its ``open``, ``write`` or Pelican's check raised) is sent back as
text for the parent to write, and the worker stops.

The parent replays the same batch through Pelican's real ``write_file`` with
a proxy whose ``render`` waits for that page's note from its worker, replays
its log records and returns ""; Pelican's code then runs its overwrite check
(:meth:`.writer.ParallelWriter._open_w`: the file is already there, so it
opens nothing), logs ``Writing "..."`` and sends ``content_written``, in the
parent, in serial order, after the file exists. The parent holds one page at
a time; a worker queues its notes in its own memory (a sender thread writes
to the pipe), so no worker waits for the parent to reach its pages.
"""

from __future__ import annotations

import builtins
import contextlib
import logging
import logging.handlers
import mmap
import os
import struct
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import pelican.writers
from pelican.utils import sanitised_join
from pelican.writers import Writer

from . import record
from .folders import Folders, OsWithMakedirs
from .incremental import KeepFile
from .procs import (
    Child,
    LogCapture,
    Sender,
    dumps,
    fork_children,
    loads,
    portable_records,
    reap_all,
    record_tuples,
    records_from_tuples,
    replay_records,
)

__all__ = [
    "Job",
    "NullFile",
    "RecordedTemplate",
    "RenderPool",
    "ReusedTemplate",
    "TemplateProxy",
    "template_here",
]

logger = logging.getLogger("fastbuild")

_MARK = 4096  # bytes of shared memory where a worker notes the page it renders
# Bytes of shared memory (reserved, touched as used) where a worker journals
# the files it writes: an 8-byte length, then (page, size, path) entries. A
# worker whose journal is full sends its pages back as text.
_JOURNAL = 32 << 20
_ENTRY = struct.Struct("<II")


class Job:
    """A recorded ``write_file`` or ``write_feed`` call, its arguments bound to
    Pelican's signature (``arguments["template"]`` can be substituted)."""

    __slots__ = ("bound", "is_feed")

    def __init__(self, bound: Any, is_feed: bool) -> None:
        self.bound = bound
        self.is_feed = is_feed

    def call(self, replace: dict[str, Any]) -> Any:
        """Run it through Pelican's Writer method, some arguments replaced
        (``"self"`` is the writer)."""
        self.bound.arguments.update(replace)
        method = Writer.write_feed if self.is_feed else Writer.write_file
        return method(*self.bound.args, **self.bound.kwargs)


class TemplateProxy:
    """Stands for a template in a replayed call; ``render`` is delegated."""

    def __init__(self, real: Any, render: Callable[[Any, dict[str, Any]], str]) -> None:
        self.real = real
        self._render = render

    def render(self, context: dict[str, Any]) -> str:
        return self._render(self.real, context)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def _is_jinja(template: Any) -> bool:
    from jinja2 import Template

    return isinstance(template, Template)


def render_recorded(
    template: Any, context: dict[str, Any], recorder: record.Recorder
) -> str:
    """``template.render(context)``, noting what it reads in ``recorder``
    (a template object written in Python gets a :class:`.record.RecordingDict`)."""
    previous = record.start(recorder)
    try:
        if not _is_jinja(template):
            context = record.RecordingDict(context)
        return template.render(context)
    finally:
        record.stop(previous)


class RecordedTemplate:
    """Stands for a template an incremental build renders in this process:
    the render's reads and log records go into the call's plan."""

    def __init__(self, inner: Any, plan: Any) -> None:
        self.inner = inner
        self.real = getattr(inner, "real", inner)
        self.plan = plan

    def render(self, context: dict[str, Any]) -> str:
        # The records of this render (kept for its reuse): never flushed.
        collect = logging.handlers.BufferingHandler(sys.maxsize)
        root = logging.getLogger()
        root.addHandler(collect)
        try:
            return render_recorded(self.inner, context, self.plan.recorder)
        finally:
            root.removeHandler(collect)
            self.plan.records.extend(record_tuples(collect.buffer))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def template_here(template: Any, job: Any, plan: Any, build: Any) -> Any:
    """The template of a call rendered in this process in an incremental
    build: reused (:class:`ReusedTemplate`) or rendered and recorded
    (:class:`RecordedTemplate`), as :meth:`.incremental.Build.decide` says."""
    if build.decide(job, plan):
        return ReusedTemplate(template, plan)
    return RecordedTemplate(template, plan)


class ReusedTemplate:
    """Stands for the template of a call an incremental build reuses: its
    render replays the log records the render gave last time and returns
    "" (the file is not opened: :meth:`.writer.ParallelWriter._open_w`)."""

    def __init__(self, real: Any, plan: Any) -> None:
        self.real = real
        self.plan = plan

    def render(self, context: dict[str, Any]) -> str:
        replay_records(records_from_tuples(self.plan.row.records))
        return ""

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


class NullFile:
    """A file that takes what is written and keeps nothing: what ``open``
    gives Pelican's writer for a page written elsewhere (by this worker's
    null replay, or by a worker for the main process's replay)."""

    def __enter__(self) -> NullFile:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def write(self, text: str) -> int:
        return len(text)


class _WorkerWriter(Writer):
    """A worker's writer: Pelican's, knowing what the parent's had written."""

    def __init__(self, parent: Writer) -> None:
        super().__init__(parent.output_path, settings=parent.settings)
        self._written_files = set(parent._written_files)
        self._overridden_files = set(parent._overridden_files)


@dataclass(slots=True)
class _Own:
    """The worker's own page being written."""

    page: int
    name: Any
    text: str
    records: list[Any]
    reads: Any
    fingerprint: bytes | None = None  # of its inputs (None: untracked)
    file: Any = None
    path: str | None = None  # set when its file is opened
    unwritten: bool = False  # the journal is full: the parent writes it
    # Its file's (size, mtime_ns) once written (an incremental build's).
    stamps: dict[str, tuple[int, int]] = field(default_factory=dict)


class _Stop(Exception):
    """A worker's own page failed: it has reported it and stops."""


def _describe(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}"


class RenderPool:
    """The workers of one batch, and the parent's side of the exchange."""

    def __init__(
        self,
        writer: Any,
        batch: list[Job],
        workers: int,
        block: int,
        on_failure: Callable[[str, str], None],
        plans: list[Any] | None = None,
        build: Any = None,
    ) -> None:
        self._settings = writer.settings
        self._plans = plans or [None] * len(batch)
        self._build = build
        self._plan: Any = None  # the parent's: the call being replayed
        self._output_path = writer.output_path
        self._workers = workers
        self._block = block
        self._on_failure = on_failure
        self._next = 0
        self.failed = False
        # A worker's queued messages die with it: each notes the output file
        # it is rendering here, so that a death names the right page.
        self._marks = [mmap.mmap(-1, _MARK) for _ in range(workers)]
        self._journals = [mmap.mmap(-1, _JOURNAL) for _ in range(workers)]
        self._parent_writer = writer
        # The parent's side: the page being replayed, and the path its worker
        # wrote (None: the parent writes that page itself).
        self.current = -1
        self.reached = -1  # the last page that got to the parent's _open_w
        self.expected: str | None = None
        self.children: list[Child] = fork_children(
            workers, lambda k, conn, capture: self._work(k, conn, capture, batch)
        )

    # -- the worker side ----------------------------------------------------

    def _work(
        self, k: int, conn: Connection, capture: LogCapture, batch: list[Job]
    ) -> None:
        writer = _WorkerWriter(self._parent_writer)
        sender = Sender(conn)
        settings = self._settings
        mark, journal = self._marks[k], self._journals[k]
        counter = 0
        own: _Own | None = None
        # The call being replayed, its plan, and the number of its first page.
        calling: list[Any] = [None, None, -1]
        real_open, folders = builtins.open, Folders(os.makedirs)

        def finish() -> None:
            """The previous own page is done: send its note."""
            nonlocal own
            if own is not None:
                if own.unwritten:
                    message = ("text", own.page, own.name, own.text, own.records)
                else:
                    message = ("ok", own.page, own.name, own.path, own.records)
                wrote = own.file.wrote if isinstance(own.file, KeepFile) else True
                stamp = own.stamps.get(own.path) if own.path else None
                note = (*message, own.reads, wrote, own.fingerprint, stamp)
                sender.put(dumps(note, settings))
                own = None

        def render(real: Any, context: dict[str, Any]) -> str:
            nonlocal counter, own
            finish()
            page, counter = counter, counter + 1
            if (page // self._block) % self._workers != k:
                return ""
            name = context.get("output_file")
            job, plan, first = calling
            tracked = build is not None and job is not None and plan is not None
            if tracked and page == first:
                # Only the worker of a call's first page decides on reuse: a
                # worker with later pages of the call renders them (the same
                # bytes when the call is reused, which its files then keep).
                build.decide(job, plan)
            if tracked and plan.reuse:
                note = ("reused", page, name, None, [], None, False, None, None)
                sender.put(dumps(note, settings))
                return ""
            note = str(name).encode("utf-8", "replace")[: _MARK - 4]
            mark[4 : 4 + len(note)] = note
            mark[:4] = len(note).to_bytes(4, "little")
            capture.start()
            recorder = record.Recorder()
            try:
                if build is not None:
                    text = render_recorded(real, context, recorder)
                else:
                    text = real.render(context)
                records = portable_records(capture.stop(), settings)
            except Exception as err:
                capture.stop()
                message = (
                    "error", page, name, _describe(err), [], None, True, None, None
                )  # fmt: skip
                sender.put(dumps(message, settings))
                raise _Stop from None
            own = _Own(page, name, text, records, recorder.as_data())
            if tracked:  # taken here, in parallel, rather than in the parent
                context_arg = job.bound.arguments["context"]
                own.fingerprint = build.fingerprint(job, plan, recorder, context_arg)
            return text

        def makedirs(name: Any, mode: int = 0o777, exist_ok: bool = False) -> None:
            if own is not None:
                folders.makedirs(name, mode, exist_ok)

        def open_(file: Any, mode: str = "r", encoding: str | None = None) -> Any:
            # Called by Pelican's _open_w once its check has passed.
            if own is None or file == os.devnull:
                return NullFile()
            if not _journal(journal, own.page, str(file)):
                own.unwritten = True
                return NullFile()
            own.path = str(file)
            if build is not None:
                own.file = KeepFile(own.path, encoding, build, own.stamps)
                return own.file
            return real_open(file, mode, encoding=encoding)

        build = self._build
        # Pelican's writer's os only: a plugin that makes a folder while a
        # page renders (pelican-webassets' bundles) gets os.makedirs.
        pelican.writers.os = OsWithMakedirs(makedirs)  # type: ignore[attr-defined]
        pelican.writers.open = open_  # type: ignore[attr-defined]
        try:
            for job, plan in zip(batch, self._plans, strict=True):
                if not job.is_feed:
                    calling[:] = job, plan, counter
                    template = job.bound.arguments["template"]
                    proxy = TemplateProxy(template, render)
                    job.call({"self": writer, "template": proxy})
            finish()
        except _Stop:
            pass
        except Exception:
            # Pelican's check, open or write failed for a page: the parent
            # meets the same at that page. An own page goes back as text.
            if own is not None:
                message = ("last", own.page, own.name, own.text, own.records)
                note = (*message, own.reads, True, own.fingerprint, None)
                sender.put(dumps(note, settings))
        finally:
            sender.close()

    # -- the parent side ----------------------------------------------------

    def proxy(self, template: Any, job: Job, plan: Any = None) -> TemplateProxy:
        """The template of a call ``job`` the parent replays (``plan``: its
        incremental plan, which gets the worker's decision, reads, records
        and fingerprint)."""
        if plan is None:
            return TemplateProxy(template, self._take)
        return TemplateProxy(
            template, lambda real, ctx: self._take(real, ctx, job, plan)
        )

    def _render_here(
        self, real: Any, context: dict[str, Any], job: Job | None, plan: Any
    ) -> str:
        if plan is None or job is None or self._build is None:
            return real.render(context)
        return template_here(real, job, plan, self._build).render(context)

    def _take(
        self,
        real: Any,
        context: dict[str, Any],
        job: Job | None = None,
        plan: Any = None,
    ) -> str:
        page = self._next
        self._next += 1
        self.current = page
        self.expected = None
        if self.failed:
            return self._render_here(real, context, job, plan)
        k = (page // self._block) % self._workers
        child = self.children[k]
        name = context.get("output_file")
        try:
            message = child.conn.recv_bytes()
        except (EOFError, OSError):  # OSError: it died in the middle of a message
            child.reap()
            reason = f"the worker died, exit status {child.exit_status}"
            name = self._noted(k) or name
        else:
            try:
                note = loads(message, self._settings)
            except Exception as err:
                note = ("error", page, name, _describe(err), [], None, True, None, None)
            kind, number, worker_name, payload, records, reads, wrote, fp, stamp = note
            in_step = number == page and worker_name == name
            if in_step and plan is not None:
                # Notes come in page order: the first of a call's carries its
                # worker's decision, and this process never decides it again.
                plan.decided = True
            if in_step and kind == "reused" and plan is not None and self._build:
                if not plan.reuse:
                    self._build.reuse(plan)
                return ReusedTemplate(real, plan).render(context)
            if in_step and kind in ("ok", "text", "last") and plan is not None:
                plan.recorder.merge(record.Recorder.from_data(reads))
                plan.records.extend(record_tuples(records))
                plan.fingerprint, plan.fingerprinted = fp, True
            if in_step and kind == "ok":
                replay_records(records)
                self.expected = payload
                if stamp is not None and plan is not None:
                    plan.written[payload] = stamp
                if wrote and self._build is not None:
                    self._build.written += 1
                return ""
            if in_step and kind in ("text", "last"):
                # The parent writes it; after "last" the rest as well.
                if kind == "last":
                    self.failed = True
                    self.close()
                replay_records(records)
                return payload
            reason = payload if kind == "error" else "the worker got out of step"
        self.failed = True
        self.close()
        try:
            path = sanitised_join(self._output_path, name)
        except Exception:
            path = str(name)
        self._on_failure(path, reason)
        return self._render_here(real, context, job, plan)

    def take_written(self, filename: str) -> bool:
        """Did the worker write ``filename``, the page being replayed? (Asked
        once, by the parent writer's ``_open_w``.)"""
        self.reached = self.current
        expected, self.expected = self.expected, None
        if expected is None:
            return False
        if expected != filename:
            raise RuntimeError(
                f"fastbuild: internal error: {filename} was written as {expected}"
            )
        return True

    def discard_unreached(self) -> None:
        """The build stops at page :attr:`current`: remove the files the
        workers wrote for pages the parent's ``_open_w`` has not reached (a
        serial build stopped before writing them; call after :meth:`close`)."""
        root = os.path.abspath(self._output_path)
        for journal in self._journals:
            for page, path in _journal_entries(journal):
                if page <= self.reached:
                    continue
                with contextlib.suppress(OSError):
                    os.unlink(path)
                folder = os.path.dirname(os.path.abspath(path))
                while folder.startswith(root + os.sep):
                    try:
                        os.rmdir(folder)  # only when empty
                    except OSError:
                        break
                    folder = os.path.dirname(folder)

    def _noted(self, k: int) -> str:
        """The output file worker ``k`` was rendering ("" if none)."""
        mark = self._marks[k]
        size = int.from_bytes(mark[:4], "little")
        return mark[4 : 4 + size].decode("utf-8", "replace")

    def close(self) -> None:
        """Stop and reap every worker (they have nothing left to give)."""
        reap_all(self.children, kill=True)

    def release(self) -> None:
        """Free the shared memory (after :meth:`close`)."""
        for area in (*self._marks, *self._journals):
            area.close()


def _journal(journal: mmap.mmap, page: int, path: str) -> bool:
    """Append (page, path) to a worker's journal; False when it is full."""
    data = path.encode("utf-8", "surrogateescape")
    used = int.from_bytes(journal[:8], "little") or 8
    end = used + _ENTRY.size + len(data)
    if end > len(journal):
        return False
    _ENTRY.pack_into(journal, used, page, len(data))
    journal[used + _ENTRY.size : end] = data
    journal[:8] = end.to_bytes(8, "little")  # last: a torn entry is not seen
    return True


def _journal_entries(journal: mmap.mmap) -> Iterator[tuple[int, str]]:
    used = int.from_bytes(journal[:8], "little")
    offset = 8
    while offset < used:
        page, size = _ENTRY.unpack_from(journal, offset)
        offset += _ENTRY.size
        yield page, journal[offset : offset + size].decode("utf-8", "surrogateescape")
        offset += size
