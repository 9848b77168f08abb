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
for the worker's own pages (in the worker, the names are rebound: a forked
worker runs nothing else). Log records are captured only while an own page
renders.

A worker renders on its main thread and hands each own page's text, as
Pelican's writer closes the file, to its committer thread, which writes the
files and sends the notes in order (writing a file is mostly waiting for the
file system, truncating the old one above all; the worker renders on
meanwhile). The committer notes each file in shared memory before opening it
(a journal the parent reads if the build stops in the middle of the batch:
the files written beyond the page it stopped at are removed, as a serial
build had not written them), and once it is closed sends
``("ok", page, output_file, path, records)``. A page whose file cannot be
written (its ``open`` or ``write`` raised, or Pelican's check) is sent back
as text for the parent to write, and the worker stops. A worker's death is
reported with the file its committer was writing, else the page it was
rendering.

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
import queue
import struct
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import pelican.writers
from pelican.utils import sanitised_join
from pelican.writers import Writer

from . import record
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


class _Stop(Exception):
    """A worker's own page failed: it has reported it and stops."""


class _LaterFile:
    """What ``open`` gives Pelican's writer for a worker's own page: the text
    is kept, and handed to the worker's :class:`_Committer` when Pelican
    closes the file (not when an exception leaves its ``with`` block)."""

    def __init__(self, own: _Own, encoding: str | None, committer: _Committer) -> None:
        self.own = own
        self.encoding = encoding
        self.parts: list[str] = []
        self._committer = committer

    def __enter__(self) -> _LaterFile:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self._committer.write(self)

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)


# Pages a worker may render ahead of the files its committer has written.
_AHEAD = 32


@dataclass(eq=False)
class _Committer:
    """A worker's second thread: writes the files of its own pages and sends
    its notes, in the order they were handed over, so a note always follows
    the file it reports. Writing a file mostly waits for the file system
    (truncating an existing file is most of it), which this thread does while
    the worker renders its next pages.

    A page's file is journaled just before it is opened (the parent removes
    the files journaled beyond the page a stopped build reached). A file it
    cannot write (``open`` or ``write`` raised) is sent back as text for the
    parent to write, as the worker's last note: everything handed over after
    it is dropped, and :attr:`failed` tells the worker to stop."""

    sender: Sender
    journal: mmap.mmap
    writing: mmap.mmap  # where it notes the file it is writing
    build: Any
    settings: Any
    real_open: Callable[..., Any]
    failed: bool = False

    def __post_init__(self) -> None:
        self._queue: queue.Queue[Callable[[], None] | None] = queue.Queue(_AHEAD)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if not self.failed:
                item()

    def send(self, data: bytes) -> None:
        """A note that reports no file (sent after every file handed over)."""
        self._queue.put(lambda: self.sender.put(data))

    def write(self, file: _LaterFile) -> None:
        self._queue.put(lambda: self._write(file))

    def report(self, own: _Own) -> None:
        """The note of an own page, made once its file is written."""
        self._queue.put(lambda: self.sender.put(dumps(_note(own), self.settings)))

    def close(self) -> None:
        """Everything handed over is done."""
        self._queue.put(None)
        self._thread.join()

    def _write(self, file: _LaterFile) -> None:
        own = file.own
        path = own.path or ""
        if not _journal(self.journal, own.page, path):
            own.unwritten = True
            return
        _set_mark(self.writing, str(own.name))  # a death names this file
        try:
            if self.build is not None:
                real: Any = KeepFile(path, file.encoding, self.build)
            else:
                real = self.real_open(path, "w", encoding=file.encoding)
            with real:
                for part in file.parts:
                    real.write(part)
            own.file = real
        except Exception:
            self.failed = True
            message = ("last", own.page, own.name, own.text, own.records)
            note = (*message, own.reads, True, own.fingerprint)
            self.sender.put(dumps(note, self.settings))
        finally:
            _set_mark(self.writing, "")


def _set_mark(mark: mmap.mmap, text: str) -> None:
    """Note ``text`` in a worker's shared ``mark`` (length first, then bytes)."""
    data = text.encode("utf-8", "replace")[: _MARK - 4]
    mark[4 : 4 + len(data)] = data
    mark[:4] = len(data).to_bytes(4, "little")


def _note(own: _Own) -> tuple[Any, ...]:
    """The note of an own page whose file was handed to the committer."""
    if own.unwritten:
        message = ("text", own.page, own.name, own.text, own.records)
    else:
        message = ("ok", own.page, own.name, own.path, own.records)
    wrote = own.file.wrote if isinstance(own.file, KeepFile) else True
    return (*message, own.reads, wrote, own.fingerprint)


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
        # ... and the output file its committer is writing (empty: none).
        self._writing = [mmap.mmap(-1, _MARK) for _ in range(workers)]
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
        writing = self._writing[k]
        counter = 0
        own: _Own | None = None
        # The call being replayed, its plan, and the number of its first page.
        calling: list[Any] = [None, None, -1]
        real_open, real_makedirs = builtins.open, os.makedirs
        build = self._build
        committer = _Committer(sender, journal, writing, build, settings, real_open)

        def finish() -> None:
            """The previous own page is done: its note follows its file."""
            nonlocal own
            if own is not None:
                committer.report(own)
                own = None

        def render(real: Any, context: dict[str, Any]) -> str:
            nonlocal counter, own
            finish()
            if committer.failed:  # a file could not be written: reported
                raise _Stop
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
                note = ("reused", page, name, None, [], None, False, None)
                committer.send(dumps(note, settings))
                return ""
            _set_mark(mark, str(name))
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
                message = ("error", page, name, _describe(err), [], None, True, None)
                committer.send(dumps(message, settings))
                raise _Stop from None
            own = _Own(page, name, text, records, recorder.as_data())
            if tracked:  # taken here, in parallel, rather than in the parent
                context_arg = job.bound.arguments["context"]
                own.fingerprint = build.fingerprint(job, plan, recorder, context_arg)
            return text

        def makedirs(name: Any, mode: int = 0o777, exist_ok: bool = False) -> None:
            if own is not None:
                real_makedirs(name, mode, exist_ok)

        def open_(file: Any, mode: str = "r", encoding: str | None = None) -> Any:
            # Called by Pelican's _open_w once its check has passed; the
            # committer writes the file.
            if own is None or file == os.devnull:
                return NullFile()
            own.path = str(file)
            return _LaterFile(own, encoding, committer)

        os.makedirs = makedirs  # type: ignore[assignment]
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
                note = (*message, own.reads, True, own.fingerprint)
                committer.send(dumps(note, settings))
        finally:
            committer.close()
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
                note = ("error", page, name, _describe(err), [], None, True, None)
            kind, number, worker_name, payload, records, reads, wrote, fp = note
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
        """The output file worker ``k`` was writing, else the one it was
        rendering ("" if none)."""
        for mark in (self._writing[k], self._marks[k]):
            size = int.from_bytes(mark[:4], "little")
            if size:
                return mark[4 : 4 + size].decode("utf-8", "replace")
        return ""

    def close(self) -> None:
        """Stop and reap every worker (they have nothing left to give)."""
        reap_all(self.children, kill=True)

    def release(self) -> None:
        """Free the shared memory (after :meth:`close`)."""
        for area in (*self._marks, *self._writing, *self._journals):
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
