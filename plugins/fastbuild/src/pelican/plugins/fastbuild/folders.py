"""``os.makedirs`` for the pages of a build, without asking twice.

Pelican's ``_write_file`` calls ``os.makedirs(folder, exist_ok=True)`` for
every page it writes. ``os.makedirs`` first asks whether the folder's parent
exists (a ``stat``), then makes the folder (a ``mkdir``), and for a folder
that is already there asks once more (an ``isdir``). A site whose stories
each have a folder of their own (``{date:%Y}/{date:%m}/{date:%d}/{slug}/``)
pays the parent's ``stat`` once per page, although all of them share a
few hundred parents: on a slow file system, a noticeable share of a
rendering worker's time.

:class:`Folders` remembers the folders it made or found. For a folder whose
parent it knows, it only makes the folder; anything else, and a known
parent that has gone since (``mkdir`` says it is missing), goes to
``os.makedirs``. What exists afterwards, and what is raised, is what
``os.makedirs`` gives.
"""

from __future__ import annotations

import os
import types
from collections.abc import Callable
from typing import Any

__all__ = ["Folders", "OsWithMakedirs"]


class Folders:
    """The folders one process made or found while writing pages."""

    __slots__ = ("_known", "_makedirs")

    def __init__(
        self, makedirs: Callable[[Any, int, bool], None] | None = None
    ) -> None:
        self._known: set[str] = set()
        # What makes a folder this one does not know: the given function (a
        # rendering worker gives os.makedirs as it was before the worker put
        # its own in its place), else whatever os.makedirs is at the call.
        self._makedirs = makedirs

    def _make(self, name: Any, mode: int, exist_ok: bool) -> None:
        if self._makedirs is None:
            os.makedirs(name, mode, exist_ok)
        else:
            self._makedirs(name, mode, exist_ok)

    def makedirs(self, name: Any, mode: int = 0o777, exist_ok: bool = False) -> None:
        """``os.makedirs(name, mode, exist_ok)``, trusting the known folders."""
        path = os.fspath(name)
        if isinstance(path, bytes) or not path:
            self._make(name, mode, exist_ok)
            return
        parent = os.path.dirname(path.rstrip(os.sep) or path)
        if parent in self._known:
            try:
                os.mkdir(path, mode)
            except FileNotFoundError:
                self._known.discard(parent)
                self._make(path, mode, exist_ok)
            except OSError:
                # os.makedirs' answer: an existing folder is fine when allowed.
                if not exist_ok or not os.path.isdir(path):
                    raise
        else:
            self._make(path, mode, exist_ok)
            self._known.add(parent)
        self._known.add(path)


class OsWithMakedirs(types.ModuleType):
    """The ``os`` module as one module sees it (Pelican's writer, whose
    ``os`` name is rebound while the engine writes): the real module, but
    ``makedirs`` is the one given."""

    def __init__(self, makedirs: Callable[..., None]) -> None:
        super().__init__("os")
        self.makedirs = makedirs

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)
