"""Process mechanics shared by parallel reading and rendering.

Workers are forked explicitly with :func:`os.fork`, not started through
:mod:`multiprocessing`:

- they must inherit the build as it is at that moment (the readers, the
  complete context, the templates), which only the fork start method gives,
  and multiprocessing's default start method differs across Python versions
  (forkserver on 3.14);
- multiprocessing's child bootstrap flushes the standard streams, which can
  deadlock when another thread held a stream lock at fork time; ``pelican``
  runs rich's status spinner in a thread during the whole build.

A child runs only this package's code and Pelican's reading or rendering: it
replaces its standard streams with ``/dev/null`` before anything else, never
calls a log handler (records are captured and sent to the parent), sends no
Pelican signal, and leaves with :func:`os._exit` (no atexit handlers, no
buffered output of the parent flushed twice).

Results travel over an :func:`os.pipe` per child, framed by
:class:`multiprocessing.connection.Connection` (``send_bytes``/``recv_bytes``;
``EOFError`` when the child is gone), pickled with :func:`dumps`, which writes
Pelican's settings dict as a token instead of a copy (taxonomy objects such as
Tag and Category hold a reference to it) that :func:`loads` maps back to the
parent's own settings object.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import io
import logging
import os
import pickle
import queue
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from blinker import Signal
from pelican.log import FatalLogger, FilteredMessage
from pelican.plugins import signals as pelican_signals

__all__ = [
    "Child",
    "LogCapture",
    "Sender",
    "can_fork",
    "dumps",
    "fork_children",
    "hold_objects",
    "in_child",
    "loads",
    "note_made",
    "pelican_signal_objects",
    "portable_records",
    "reap_all",
    "record_tuples",
    "records_from_tuples",
    "release_objects",
    "replay_records",
]

_SETTINGS_TOKEN = "fastbuild:settings"
_FORMATTER = logging.Formatter()


def can_fork() -> bool:
    return hasattr(os, "fork")


# -- the collector -------------------------------------------------------------

_held = False
_made = 0
HOLD_EVERY = 5000  # build-long items made between two holds


def hold_objects() -> None:
    """Leave every object tracked so far out of the collector's passes
    (``gc.freeze()``) until :func:`release_objects`: the build's content
    objects and context live as long as the build, and a full collection
    walks every object it tracks. Python starts one each time the objects
    it tracks have grown by a quarter: a main process holding 100,000
    stories spent 16.5 s of a build in 18 of them."""
    global _held
    _held = True
    gc.freeze()


def note_made() -> None:
    """One more item that lives as long as the build (a parsed content file,
    a content object): every :data:`HOLD_EVERY` of them, the objects made
    so far are held (:func:`hold_objects`), so that no full collection
    walks them again."""
    global _made
    _made += 1
    if _made % HOLD_EVERY == 0:
        hold_objects()


def release_objects() -> None:
    """Hand the held objects back to the collector (their garbage, if any,
    is collected by its next full pass)."""
    global _held
    if _held:
        _held = False
        gc.unfreeze()


_in_child = False


def in_child() -> bool:
    """Is this process a worker forked by :func:`fork_children`?"""
    return _in_child


def pelican_signal_objects() -> Iterator[Signal]:
    """Every signal object of ``pelican.plugins.signals``."""
    for value in vars(pelican_signals).values():
        if isinstance(value, Signal):
            yield value


# -- pickling ------------------------------------------------------------------


class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, settings: object) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._settings = settings

    def persistent_id(self, obj: object) -> str | None:
        return _SETTINGS_TOKEN if obj is self._settings else None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, settings: object) -> None:
        super().__init__(file)
        self._settings = settings

    def persistent_load(self, pid: object) -> object:
        if pid == _SETTINGS_TOKEN:
            return self._settings
        raise pickle.UnpicklingError(f"unknown persistent id {pid!r}")


def dumps(obj: object, settings: object) -> bytes:
    """Pickle ``obj``, writing ``settings`` (by identity) as a token."""
    buffer = io.BytesIO()
    _Pickler(buffer, settings).dump(obj)
    return buffer.getvalue()


def loads(data: bytes, settings: object) -> Any:
    """Unpickle what :func:`dumps` wrote, the token becoming ``settings``."""
    return _Unpickler(io.BytesIO(data), settings).load()


# -- log records ---------------------------------------------------------------


class LogCapture:
    """In a child: ``logging.Logger.handle`` replaced by a capture.

    While :attr:`active`, every record a logger hands to its handlers is kept
    (before the logger's filters run: Pelican's LimitFilter must see it in the
    parent, in build order); otherwise records are dropped. No handler ever
    runs in a child.
    """

    def __init__(self) -> None:
        self.active = False
        self.records: list[logging.LogRecord] = []

        def handle(logger: logging.Logger, record: logging.LogRecord) -> None:
            if self.active:
                self.records.append(record)

        logging.Logger.handle = handle  # type: ignore[method-assign]

    def start(self) -> None:
        self.records = []
        self.active = True

    def stop(self) -> list[logging.LogRecord]:
        self.active = False
        records, self.records = self.records, []
        return records


def _picklable(value: object, settings: object) -> bool:
    try:
        dumps(value, settings)
    except Exception:
        return False
    return True


def portable_records(
    records: Iterable[logging.LogRecord], settings: object
) -> list[logging.LogRecord]:
    """Copies of ``records`` that pickle: ``exc_info`` formatted into
    ``exc_text``; the formatted message without args when the args do not
    pickle; any other unpicklable attribute replaced by its repr."""
    portable = []
    for original in records:
        record = copy.copy(original)
        if record.exc_info:
            if not record.exc_text:
                record.exc_text = _FORMATTER.formatException(record.exc_info)
            record.exc_info = None
        if not _picklable(record, settings):
            try:
                record.msg = record.getMessage()
            except Exception:
                record.msg = repr(record.msg)
            record.args = ()
            for key, value in vars(record).items():
                if not _picklable(value, settings):
                    setattr(record, key, repr(value))
        portable.append(record)
    return portable


def record_tuples(records: Iterable[logging.LogRecord]) -> list[tuple[str, int, str]]:
    """What an incremental build keeps of log records: (logger, level,
    message), the message formatted (so it stores as JSON)."""
    kept = []
    for record in records:
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        kept.append((record.name, record.levelno, message))
    return kept


def records_from_tuples(
    tuples: Iterable[tuple[str, int, str] | list[Any]],
) -> list[logging.LogRecord]:
    """Log records to replay (:func:`replay_records`) from
    :func:`record_tuples`."""
    return [
        logging.makeLogRecord(
            {
                "name": str(name),
                "levelno": int(level),
                "levelname": logging.getLevelName(int(level)),
                "msg": str(message),
                "args": (),
            }
        )
        for name, level, message in tuples
    ]


def replay_records(records: Iterable[logging.LogRecord]) -> None:
    """Hand a child's records to the parent's loggers, as if logged here.

    Pelican's FatalLogger raises ``FilteredMessage`` from ``filter()`` for a
    record its LimitFilter drops; and when Pelican runs with ``--fatal``, a
    record at the fatal level that is not dropped makes the logging call raise
    ``RuntimeError`` (children never raise it: see :func:`_child_setup`), so
    the replay raises it at the same point of the build.
    """
    for record in records:
        logger = logging.getLogger(record.name)
        try:
            logger.handle(record)
        except FilteredMessage:
            continue
        level = record.levelno
        fatal = isinstance(logger, FatalLogger) and level >= FatalLogger.fatal_lvl
        if fatal and level != logging.CRITICAL:
            raise RuntimeError("Warning or error encountered")


# -- children ------------------------------------------------------------------


@dataclass
class Child:
    """A forked worker as the parent sees it."""

    pid: int
    conn: Connection
    exit_status: int | None = None
    peak_rss_kb: int = 0

    def reap(self, kill: bool = False) -> None:
        """Close the pipe, optionally SIGKILL the child, and wait for it."""
        if self.exit_status is not None:
            return
        self.conn.close()
        if kill:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        try:
            _, status, usage = os.wait4(self.pid, 0)
        except ChildProcessError:
            self.exit_status = -1
            return
        self.exit_status = os.waitstatus_to_exitcode(status)
        self.peak_rss_kb = usage.ru_maxrss


def _child_setup() -> LogCapture:
    """Make a fresh child silent and self-contained."""
    global _in_child
    _in_child = True
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    # New stream objects: the parent's may have been locked by another thread
    # at fork time.
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115
    sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops its children
    for sig in pelican_signal_objects():
        sig.is_muted = True
    # Records are judged by the parent's filters; a --fatal build raises there.
    FatalLogger.fatal_lvl = sys.maxsize
    return LogCapture()


def _fork_one(
    run: Callable[[Connection, LogCapture], None], siblings: list[Child]
) -> Child:
    read_fd, write_fd = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12+ warns that forking a multi-threaded process may deadlock
        # the child (a lock held by another thread stays locked there). The
        # child here takes no such lock: it replaces the standard streams
        # first, never runs a log handler nor the console, logging's own locks
        # are reinitialised after fork, and it exits with os._exit.
        warnings.filterwarnings(
            "ignore",
            message=r".*fork\(\) may lead to deadlocks",
            category=DeprecationWarning,
        )
        pid = os.fork()
    if pid == 0:  # the child
        status = 1
        try:
            os.close(read_fd)
            for sibling in siblings:  # so a dead parent means EPIPE, not a hang
                sibling.conn.close()
            capture = _child_setup()
            run(Connection(write_fd, readable=False), capture)
            status = 0
        finally:
            os._exit(status)
    os.close(write_fd)
    return Child(pid, Connection(read_fd, writable=False))


def fork_children(
    count: int, run: Callable[[int, Connection, LogCapture], None]
) -> list[Child]:
    """Fork ``count`` children; child ``k`` runs ``run(k, conn, capture)``.

    ``gc.freeze()`` around the forks keeps the parent's objects out of the
    children's collections, so their memory pages stay shared (copy on
    write). On a fork error the children forked so far are stopped and the
    error is raised.
    """
    children: list[Child] = []
    gc.freeze()
    try:
        for k in range(count):
            children.append(
                _fork_one(lambda conn, cap, k=k: run(k, conn, cap), children)
            )
    except BaseException:
        reap_all(children, kill=True)
        raise
    finally:
        if not _held:  # else they stay held until release_objects()
            gc.unfreeze()
    return children


class Sender:
    """A child's outbox: a thread writes queued messages to the pipe, so the
    child never waits for the parent to read."""

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


def reap_all(children: Iterable[Child], kill: bool = False) -> None:
    for child in children:
        child.reap(kill=kill)
