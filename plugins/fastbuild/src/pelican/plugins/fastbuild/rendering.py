"""Parallel rendering of one batch of recorded ``write_file`` calls.

Workers are forked when a batch is flushed, that is after the context and
every page's data exist, so they hold everything already: they are told
nothing but the batch (inherited), their number and the block size. No page
context is ever pickled; only rendered text and log records come back.

Pages are counted across the batch in replay order (a paginated call gives
several pages); page ``p`` belongs to worker ``(p // block) % workers``.
Every worker replays the *whole* batch through Pelican's own
``Writer.write_file`` (on a :class:`_NullWriter`: opens nothing, makes no
directory), so its state at each page is the serial build's (Pelican's
``_write_file`` sets ``context["localsiteurl"]`` before every render), with
the template replaced by a proxy that renders the worker's own pages with the
real template (anything with ``render(context) -> str``) and returns "" for
the others. Log records are captured only while an own page renders.

The parent replays the same batch through Pelican's real ``write_file`` with
a proxy whose ``render`` waits for that page's text from its worker, replays
its log records and returns it; Pelican's code then writes the file, logs
``Writing "..."`` and sends ``content_written``, in the parent, in serial
order. The parent holds one page at a time; a worker queues what it has
rendered in its own memory (a sender thread writes to the pipe), so no worker
waits for the parent to reach its pages.
"""

from __future__ import annotations

import logging
import mmap
import os
import queue
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from pelican.utils import sanitised_join
from pelican.writers import Writer

from .procs import (
    Child,
    LogCapture,
    dumps,
    fork_children,
    loads,
    portable_records,
    reap_all,
    replay_records,
)

__all__ = ["Job", "RenderPool", "TemplateProxy"]

logger = logging.getLogger("fastbuild")

_MARK = 4096  # bytes of shared memory where a worker notes the page it renders


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


class _NullSink:
    def __enter__(self) -> _NullSink:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def write(self, text: str) -> int:
        return len(text)


class _NullWriter(Writer):
    """A worker's writer: Pelican's logic, no file opened."""

    def _open_w(self, filename: str, encoding: str, override: bool = False) -> Any:
        return _NullSink()


class _Sender:
    """A worker's outbox: a thread writes queued messages to the pipe."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._queue: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (data := self._queue.get()) is not None:
            try:
                self._conn.send_bytes(data)
            except OSError:  # the parent is gone or stopped us
                os._exit(1)

    def put(self, data: bytes) -> None:
        self._queue.put(data)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()


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
    ) -> None:
        self._settings = writer.settings
        self._output_path = writer.output_path
        self._workers = workers
        self._block = block
        self._on_failure = on_failure
        self._next = 0
        self.failed = False
        # A worker's queued messages die with it: each notes the output file
        # it is rendering here, so that a death names the right page.
        self._marks = [mmap.mmap(-1, _MARK) for _ in range(workers)]
        self.children: list[Child] = fork_children(
            workers, lambda k, conn, capture: self._work(k, conn, capture, batch)
        )

    # -- the worker side ----------------------------------------------------

    def _work(
        self, k: int, conn: Connection, capture: LogCapture, batch: list[Job]
    ) -> None:
        os.makedirs = lambda *args, **kwargs: None  # type: ignore[assignment]
        writer = _NullWriter(self._output_path, settings=self._settings)
        sender = _Sender(conn)
        settings = self._settings
        mark = self._marks[k]
        counter = 0

        def render(real: Any, context: dict[str, Any]) -> str:
            nonlocal counter
            page, counter = counter, counter + 1
            if (page // self._block) % self._workers != k:
                return ""
            name = context.get("output_file")
            note = str(name).encode("utf-8", "replace")[: _MARK - 4]
            mark[4 : 4 + len(note)] = note
            mark[:4] = len(note).to_bytes(4, "little")
            capture.start()
            try:
                text = real.render(context)
                records = portable_records(capture.stop(), settings)
                sender.put(dumps(("ok", page, name, text, records), settings))
            except Exception as err:
                capture.stop()
                sender.put(dumps(("error", page, name, _describe(err), []), settings))
                raise _Stop from None
            return ""

        try:
            for job in batch:
                if not job.is_feed:
                    template = job.bound.arguments["template"]
                    job.call(
                        {"self": writer, "template": TemplateProxy(template, render)}
                    )
        except _Stop:
            pass
        finally:
            sender.close()

    # -- the parent side ----------------------------------------------------

    def proxy(self, template: Any) -> TemplateProxy:
        return TemplateProxy(template, self._take)

    def _take(self, real: Any, context: dict[str, Any]) -> str:
        page = self._next
        self._next += 1
        if self.failed:
            return real.render(context)
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
                kind, number, worker_name, payload, records = loads(
                    message, self._settings
                )
            except Exception as err:
                kind, number, worker_name, payload, records = (
                    "error",
                    page,
                    name,
                    _describe(err),
                    [],
                )
            if kind == "ok" and number == page and worker_name == name:
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
        return real.render(context)

    def _noted(self, k: int) -> str:
        """The output file worker ``k`` was rendering ("" if none)."""
        mark = self._marks[k]
        size = int.from_bytes(mark[:4], "little")
        return mark[4 : 4 + size].decode("utf-8", "replace")

    def close(self) -> None:
        """Stop and reap every worker (they have nothing left to give)."""
        reap_all(self.children, kill=True)
        for mark in self._marks:
            mark.close()
