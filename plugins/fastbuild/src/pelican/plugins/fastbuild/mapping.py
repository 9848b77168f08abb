"""Per-item work of a plugin in the build's worker processes.

:func:`map_in_workers` is ``[function(item) for item in items]`` with the
items shared out among forked workers (``FASTBUILD_WORKERS``). It is meant
for work a plugin does once per content object after the generators have
read the content (at ``all_generators_finalized``, say): the workers are
forked at the call, so they hold the build as it is then, and only the
results and the log records cross back (pickled; Pelican's settings dict as
a token, :func:`.procs.dumps`). What the caller gets and what is logged are
the serial loop's:

- results come in item order;
- each item's log records are handed to this process's loggers in item
  order, after the items before it (``--fatal`` applies here);
- an item whose ``function`` raises in a worker is computed again here, with
  every later item of that worker's share: the exception is raised here,
  where the serial loop raises it;
- a worker that dies is reported once (naming the item it was on) and its
  remaining items are computed here.

``function`` runs in a forked child: what it changes in the build's objects
is lost, signals sent there go nowhere and nothing is printed. It must be a
pure function of the build's state. The loop runs here, serially, with
``FASTBUILD_WORKERS = 1``, with fewer than :data:`MIN_SHARE` items a
worker, where ``os.fork`` does not exist, and inside a worker.
"""

from __future__ import annotations

import logging
import mmap
from collections.abc import Callable, Mapping, Sequence
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from . import procs
from .procs import LogCapture, Sender, dumps, fork_children, loads, reap_all
from .settings import workers_setting

__all__ = ["MIN_SHARE", "map_in_workers"]

logger = logging.getLogger("fastbuild")

T = TypeVar("T")
R = TypeVar("R")

MIN_SHARE = 16  # items, at least, for each worker
_BLOCK = 64  # results a worker sends at a time


def map_in_workers(
    function: Callable[[T], R], items: Sequence[T], settings: Mapping[str, Any]
) -> list[R]:
    """``[function(item) for item in items]``, computed by the build's
    workers (see the module doc); ``settings`` is the build's."""
    workers = min(workers_setting(settings), len(items) // MIN_SHARE)
    if workers < 2 or not procs.can_fork() or procs.in_child():
        return [function(item) for item in items]
    bounds = [len(items) * k // workers for k in range(workers + 1)]
    marks = [mmap.mmap(-1, 8) for _ in range(workers)]

    def work(k: int, conn: Connection, capture: LogCapture) -> None:
        sender = Sender(conn)
        try:
            block: list[Any] = []
            logs: list[Any] = []
            start = bounds[k]
            for index in range(bounds[k], bounds[k + 1]):
                marks[k][:8] = index.to_bytes(8, "little")
                capture.start()
                try:
                    result = function(items[index])
                except Exception:
                    capture.stop()
                    if block:
                        sender.put(dumps(("ok", start, block, logs), settings))
                    sender.put(dumps(("raised", index, None, None), settings))
                    return
                logs.append(procs.portable_records(capture.stop(), settings))
                block.append(result)
                if len(block) == _BLOCK:
                    sender.put(dumps(("ok", start, block, logs), settings))
                    start, block, logs = index + 1, [], []
            if block:
                sender.put(dumps(("ok", start, block, logs), settings))
        finally:
            sender.close()

    children = fork_children(workers, work)
    results: list[R] = []
    try:
        for k, child in enumerate(children):
            done, died = _take(child, bounds[k], bounds[k + 1], results, settings)
            if died:
                noted = int.from_bytes(marks[k][:8], "little")
                logger.warning(
                    "fastbuild: a worker died at item %d of %d (exit status %s); "
                    "computing its %d remaining items in this process",
                    noted,
                    len(items),
                    child.exit_status,
                    bounds[k + 1] - done,
                )
            for index in range(done, bounds[k + 1]):
                results.append(function(items[index]))
    finally:
        reap_all(children, kill=True)
        for mark in marks:
            mark.close()
    return results


def _take(
    child: procs.Child,
    start: int,
    end: int,
    results: list[Any],
    settings: Mapping[str, Any],
) -> tuple[int, bool]:
    """Take one worker's results, in order, into ``results`` and replay
    their records. Returns the first index it did not compute and whether
    it died before (rather than stopping at an item that raised)."""
    done = start
    while done < end:
        try:
            kind, first, block, logs = loads(child.conn.recv_bytes(), settings)
        except (EOFError, OSError):
            child.reap()
            return done, True
        if kind != "ok" or first != done:
            return done, False
        for result, records in zip(block, logs, strict=True):
            procs.replay_records(records)
            results.append(result)
        done += len(block)
    return done, False
