"""The parallel writer: records write calls, flushes them as batches.

``ParallelWriter`` is what the ``get_writer`` signal returns when
``FASTBUILD_WORKERS`` > 1. Its ``write_file``/``write_feed`` bind their
arguments to the signature of Pelican's ``Writer`` method, append the call to
a pending batch and return at once (``write_feed`` then returns None, not the
feed object). A batch is flushed before any log record or Pelican signal
(:mod:`.hooks`), at ``finalized``, and before a call that is run in place:

- its output path (``sanitised_join(output_path, name)``) is already written
  or pending, or it has ``override_output``: the batch is flushed and the
  call runs through Pelican's serial ``write_file`` right away, so
  ``FileOverwriteFailedError`` and the "Overwriting"/"Skipping" logs happen
  where serial Pelican has them (``generate_tags`` catches that error for an
  empty slug and goes on);
- it cannot be bound, has no output path or the path cannot be joined
  (Pelican's own error, at Pelican's moment).

A call made while the writer is inside Pelican's ``write_file`` (a
``content_written`` receiver writing a file, say) runs at once through the
serial path: batches never nest.

A flush of two or more ``write_file`` calls is rendered and written by
:class:`.rendering.RenderPool`; the parent then replays the batch, in order,
through Pelican's real ``write_file``/``write_feed``: for a page its worker
has written, Pelican's ``_open_w`` runs its overwrite check and bookkeeping
(``_written_files``, ``_overridden_files``, the "Skipping"/"Overwriting"
logs) but ``open`` gives a null file and ``os.makedirs`` does nothing (the
names ``open`` and ``os`` of ``pelican.writers`` are bound for the replay:
:class:`_WritersNames`), and Pelican logs ``Writing "..."`` and sends
``content_written`` as always. When a worker fails, one warning
names the output file, the other workers are stopped, and that page and
every later page of the build render in this process. When the build stops
in the middle of a batch (an exception out of the replay), the files the
workers wrote for pages after that point are removed.

Renders in this process instead, always: a site whose content has
``{attach}`` links (the first render of such content moves a static file;
which page does it first depends on the serial order).

Known limits: only the first output path of a paginated call is checked
before recording (a clash on a later page raises Pelican's error when the
batch is flushed); a build that crashes between two writes leaves the
pending pages unwritten; a ``content_written`` receiver that writes a file
during a batch (through the writer) is not seen by that batch's workers, so
a later page of the batch claiming the same path is written by its worker
before the parent's check raises ``FileOverwriteFailedError``.

Benchmark figures per run: ``workers_forked``, ``worker_max_rss_kb`` (the
largest peak RSS of one rendering worker) and ``worker_peak_rss_kb`` (the
largest sum of the peaks of the workers of one batch).
"""

from __future__ import annotations

import inspect
import logging
import os
import threading
import weakref
from typing import Any

import pelican.writers
from pelican.utils import sanitised_join
from pelican.writers import Writer

from . import incremental
from .folders import Folders, OsWithMakedirs
from .hooks import FlushHooks
from .incremental import KeepFile
from .procs import can_fork
from .rendering import Job, NullFile, RenderPool, template_here
from .settings import workers_setting

__all__ = ["ParallelWriter"]

logger = logging.getLogger("fastbuild")

_WRITE_FILE = inspect.signature(Writer.write_file)
_WRITE_FEED = inspect.signature(Writer.write_feed)
_MAX_BLOCK = 16  # consecutive pages one worker renders


class ParallelWriter(Writer):
    """Pelican's Writer, rendering pages in forked worker processes."""

    def __init__(self, output_path: str, settings: dict[str, Any] | None = None):
        super().__init__(output_path, settings=settings)
        self.workers = workers_setting(self.settings)
        self.workers_forked = 0
        self.worker_max_rss_kb = 0
        self.worker_peak_rss_kb = 0
        self._pending: list[Job] = []
        self._pending_paths: set[str] = set()
        self._busy = False  # inside Pelican's write_file/write_feed
        self._serial = False  # a worker failed: the rest renders here
        self._closed = False
        self._attach: bool | None = None
        self._pool: RenderPool | None = None  # the batch being replayed
        self._worker_file: str | None = None  # in _open_w: a file a worker wrote
        self._owner = (os.getpid(), threading.get_ident())
        self._build = incremental.current()
        self._plan: incremental.Plan | None = None  # the call being replayed
        self._names = _WritersNames(self)
        self._hooks = FlushHooks(self)

    # -- recording ----------------------------------------------------------

    def _recording(self) -> bool:
        return not (self._busy or self._serial or self._closed) and self._is_owner()

    def _is_owner(self) -> bool:
        return self._owner == (os.getpid(), threading.get_ident())

    def write_file(self, *args: Any, **kwargs: Any) -> None:
        if not self._recording():
            return super().write_file(*args, **kwargs)
        return self._record(_WRITE_FILE, "name", False, args, kwargs)

    def write_feed(self, *args: Any, **kwargs: Any) -> Any:
        if not self._recording():
            return super().write_feed(*args, **kwargs)
        return self._record(_WRITE_FEED, "path", True, args, kwargs)

    def _record(
        self,
        signature: inspect.Signature,
        key: str,
        is_feed: bool,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Any:
        try:
            bound = signature.bind(self, *args, **kwargs)
        except TypeError:
            return self._now(is_feed, args, kwargs)
        name = bound.arguments.get(key)
        if not name:
            if is_feed:  # builds and returns the feed object, sends a signal
                return self._now(is_feed, args, kwargs)
            return super().write_file(*args, **kwargs)  # returns at once
        try:
            path = sanitised_join(self.output_path, name)
        except Exception:
            return self._now(is_feed, args, kwargs)
        if (
            bound.arguments.get("override_output")
            or path in self._written_files
            or path in self._pending_paths
        ):
            return self._now(is_feed, args, kwargs)
        self._pending.append(Job(bound, is_feed))
        self._pending_paths.add(path)
        return None

    def _now(self, is_feed: bool, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Flush, then run one call through Pelican's serial path."""
        self.flush_pending()
        method = super().write_feed if is_feed else super().write_file
        self._busy = True
        try:
            return method(*args, **kwargs)
        finally:
            self._busy = False

    def _open_w(self, filename: str, encoding: str, override: bool = False) -> Any:
        """Pelican's ``_open_w``; for a page its worker wrote, or that an
        incremental build reuses, its check and bookkeeping alone (``open``
        gives a null file: :class:`_WritersNames`)."""
        plan, pool = self._plan, self._pool
        if plan is not None:
            plan.outputs.append(filename)
        if self._build is not None:
            self._build.writer_outputs.add(filename)
        if plan is not None and plan.reuse:
            elsewhere = True
        else:
            elsewhere = pool is not None and pool.take_written(filename)
        if not elsewhere:
            return super()._open_w(filename, encoding, override)
        if plan is not None and plan.reuse and plan.row is not None:
            # As the last build left it (its worker notes a file it wrote).
            for path, size, mtime in plan.row.outputs:
                plan.written.setdefault(path, (size, mtime))
        self._worker_file = filename
        try:
            return super()._open_w(filename, encoding, override)
        finally:
            self._worker_file = None

    # -- flushing -----------------------------------------------------------

    def flush_pending(self) -> None:
        """Write every pending call, unless already inside a write."""
        if self._pending and not self._busy and self._is_owner():
            self._flush()

    def finish(self) -> None:
        """The last flush (at ``finalized``); later calls run serially."""
        try:
            self.flush_pending()
        finally:
            self._closed = True
            self._hooks.remove()
            self._names.remove()
        if self._build is not None:
            self._build.before_finalized()

    def after_finalized(self, ok: bool) -> None:
        """The ``finalized`` receivers have run (``ok``: without raising)."""
        build = self._build
        if build is not None:
            self._build = None
            build.finish(ok)

    def _flush(self) -> None:
        batch, self._pending, self._pending_paths = self._pending, [], set()
        self._busy = True
        pool = None
        build = self._build
        try:
            if build is not None:
                context = next(
                    (j.bound.arguments["context"] for j in batch if not j.is_feed), {}
                )
                plans = build.plan(batch, context)
            else:
                plans = [None] * len(batch)
            # The calls up to the batch's first page are made here, before any
            # worker forks: a render that makes a file the later pages look
            # for (a bundle made when missing, as pelican-webassets does) makes
            # it once, and every worker finds it made.
            head = next((i for i, j in enumerate(batch) if not j.is_feed), -1) + 1
            for index, (job, plan) in enumerate(zip(batch, plans, strict=True)):
                if index == head:
                    pool = self._start_pool(batch[head:], plans[head:])
                    self._pool = pool
                replace: dict[str, Any] = {}
                if not job.is_feed:
                    template = job.bound.arguments["template"]
                    if pool is not None:  # its worker decides on reuse
                        replace["template"] = pool.proxy(template, job, plan)
                    elif plan is not None and build is not None:
                        replace["template"] = template_here(template, job, plan, build)
                self._plan = plan
                try:
                    job.call(replace)
                finally:
                    self._plan = None
                if plan is not None and build is not None:
                    build.done(job, plan, job.bound.arguments["context"])
        except BaseException:
            if pool is not None:
                pool.close()
                pool.discard_unreached()
            raise
        finally:
            self._busy = False
            self._pool = None
            if pool is not None:
                pool.close()
                pool.release()
                peaks = [child.peak_rss_kb for child in pool.children]
                self.worker_max_rss_kb = max(self.worker_max_rss_kb, *peaks)
                self.worker_peak_rss_kb = max(self.worker_peak_rss_kb, sum(peaks))

    def _start_pool(
        self, batch: list[Job], plans: list[incremental.Plan | None]
    ) -> RenderPool | None:
        pages = sum(not job.is_feed for job in batch)
        if self._serial or self.workers < 2 or pages < 2 or not can_fork():
            return None
        if self._has_attach_links(batch):
            return None
        workers = min(self.workers, pages)
        block = max(1, min(_MAX_BLOCK, pages // workers))
        try:
            pool = RenderPool(
                self, batch, workers, block, self._worker_failed, plans, self._build
            )
        except OSError as err:
            self._serial = True
            logger.warning(
                "fastbuild: cannot start rendering workers (%s); "
                "rendering in this process",
                err,
            )
            return None
        self.workers_forked += workers
        return pool

    def _worker_failed(self, path: str, reason: str) -> None:
        self._serial = True
        logger.warning(
            "fastbuild: rendering %s in a worker failed (%s); "
            "rendering the rest in this process",
            path,
            reason,
        )

    def _has_attach_links(self, batch: list[Job]) -> bool:
        """Does any content of the site link with ``{attach}``? (cached)"""
        if self._attach is None:
            context = next(
                (job.bound.arguments["context"] for job in batch if not job.is_feed),
                {},
            )
            self._attach = any(
                incremental.links_attach(content)
                for content in context.get("generated_content", {}).values()
            )
        return self._attach


class _OsView(OsWithMakedirs):
    """``os`` as ``pelican.writers`` sees it while a parallel writer is
    alive: the real module, but ``makedirs`` does nothing for the folder of
    the page being replayed when its worker wrote the file (the worker made
    the folder), and is :meth:`.folders.Folders.makedirs` otherwise. A
    rendering worker puts its own in its place (:class:`.rendering.RenderPool`)."""

    def __init__(self, writer: ParallelWriter) -> None:
        super().__init__(self._makedirs)
        self._writer = weakref.ref(writer)
        self._folders = Folders()

    def _makedirs(self, name: Any, mode: int = 0o777, exist_ok: bool = False) -> None:
        writer = self._writer()
        pool = writer._pool if writer is not None else None
        expected = pool.expected if pool is not None else None
        if expected is not None and exist_ok and name == os.path.dirname(expected):
            return
        if writer is not None and writer._is_owner():
            self._folders.makedirs(name, mode, exist_ok)
        else:
            os.makedirs(name, mode, exist_ok)


class _WritersNames:
    """The names ``open`` and ``os`` of ``pelican.writers`` while a parallel
    writer is alive (installed by its ``__init__``, removed by ``finish``;
    a writer left by a crashed build is replaced by the next one's).

    Pelican's ``_write_file`` calls ``os.makedirs(os.path.dirname(path))``
    and, in ``_open_w`` once its check has passed, ``open(path, "w")``. For
    the page being replayed, when its worker wrote the file or an
    incremental build reuses it, ``makedirs`` does nothing and ``open``
    gives a :class:`.rendering.NullFile`; in an incremental build any other
    file is a :class:`.incremental.KeepFile` (written only when its bytes
    change); otherwise they are ``os.makedirs`` and ``open``. Nothing but
    Pelican's writer module sees them.
    """

    def __init__(self, writer: ParallelWriter) -> None:
        self._module = vars(pelican.writers)
        ref = weakref.ref(writer)

        def open_(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            owner = ref()
            if owner is not None and file is not None:
                if file == owner._worker_file:
                    return NullFile()
                build = owner._build
                if build is not None and mode == "w" and file != os.devnull:
                    encoding = kwargs.get(
                        "encoding", args[1] if len(args) > 1 else None
                    )
                    plan = owner._plan
                    stamps = plan.written if plan is not None else None
                    return KeepFile(str(file), encoding, build, stamps)
            return open(file, mode, *args, **kwargs)

        self._open = open_
        self._module["open"] = open_
        self._module["os"] = _OsView(writer)

    def remove(self) -> None:
        if self._module.get("open") is self._open:
            self._module.pop("open", None)
            self._module["os"] = os
