"""When the parallel writer must flush: before a log record or a signal.

A recorded ``write_file`` call has not happened yet. Anything observable that
a serial build would do *after* it must wait until it has: so the pending
batch is flushed

- before any log record is created (a ``logging.setLogRecordFactory``
  wrapper around the previous factory), so the log order is the serial one;
- before any Pelican signal is sent (an instance-level ``send`` wrapper on
  every signal object of ``pelican.plugins.signals``), except the two
  "pre-write" signals ``article_generator_write_article`` and
  ``page_generator_write_page``: they precede every page, and what their
  receivers change in the content is seen by the workers, forked later;
- at ``finalized``, before its receivers run: the last flush, after which
  the hooks are removed; once the receivers have run, the writer is told
  (an incremental build saves its state then: :mod:`.incremental`).

The hooks hold the writer through a weak reference and pass through when it
is gone, so a build that crashed before ``finalized`` cannot affect the next
one (whose writer replaces the stale hooks).
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from typing import Any, Protocol

from blinker import Signal
from pelican.plugins import signals as pelican_signals

from .procs import pelican_signal_objects

__all__ = ["FlushHooks"]

_PRE_WRITE = frozenset(
    {
        pelican_signals.article_generator_write_article,
        pelican_signals.page_generator_write_page,
    }
)


class _Flushing(Protocol):
    def flush_pending(self) -> None: ...

    def finish(self) -> None: ...

    def after_finalized(self, ok: bool) -> None: ...


class _SendHook:
    """``signal.send`` while a parallel writer is alive."""

    def __init__(
        self,
        signal: Signal,
        writer: weakref.ReferenceType[_Flushing],
        restore: Callable[..., Any] | None,
        send: Callable[..., Any],
    ) -> None:
        self.signal = signal
        self.restore = restore  # the instance attribute found at install time
        self.send = send
        self._writer = writer
        self._pre_write = signal in _PRE_WRITE
        self._finalized = signal is pelican_signals.finalized

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        writer = self._writer()
        if writer is None:
            return self.send(*args, **kwargs)
        if self._finalized:
            try:
                writer.finish()
                result = self.send(*args, **kwargs)
            except BaseException:
                writer.after_finalized(False)
                raise
            writer.after_finalized(True)
            return result
        if not self._pre_write:
            writer.flush_pending()
        else:
            try:
                return self.send(*args, **kwargs)
            except BaseException:
                # The build stops here: write what a serial build had written.
                writer.flush_pending()
                raise
        return self.send(*args, **kwargs)


class _RecordHook:
    """The log record factory while a parallel writer is alive."""

    def __init__(
        self, writer: weakref.ReferenceType[_Flushing], previous: Callable[..., Any]
    ) -> None:
        self.previous = previous
        self.active = True
        self._writer = writer

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        if self.active:
            writer = self._writer()
            if writer is not None:
                writer.flush_pending()
        return self.previous(*args, **kwargs)


class FlushHooks:
    """The hooks of one writer: installed by ``__init__``, removed by
    :meth:`remove`."""

    def __init__(self, writer: _Flushing) -> None:
        ref = weakref.ref(writer)
        self._sends: list[_SendHook] = []
        for signal in pelican_signal_objects():
            current = vars(signal).get("send")
            if isinstance(current, _SendHook):  # left by a build that crashed
                restore, send = current.restore, current.send
            else:
                restore = current
                send = current or type(signal).send.__get__(signal)
            hook = _SendHook(signal, ref, restore, send)
            signal.send = hook  # type: ignore[method-assign]
            self._sends.append(hook)
        previous = logging.getLogRecordFactory()
        if isinstance(previous, _RecordHook):  # left by a build that crashed
            previous.active = False
            previous = previous.previous
        self._record = _RecordHook(ref, previous)
        logging.setLogRecordFactory(self._record)

    def remove(self) -> None:
        for hook in self._sends:
            if vars(hook.signal).get("send") is hook:
                if hook.restore is None:
                    del hook.signal.send
                else:
                    hook.signal.send = hook.restore  # type: ignore[method-assign]
        self._sends = []
        self._record.active = False
        if logging.getLogRecordFactory() is self._record:
            logging.setLogRecordFactory(self._record.previous)
