"""cx_digest.parallel: a parallel build engine for any Pelican site.

Enable it with ``PLUGINS = ["cx_digest.parallel"]``. ``CX_DIGEST_WORKERS``
(default: the number of usable CPUs) sets how many processes a build uses;
``1`` is exactly Pelican's serial build. What it does:

1. taxonomy pages and translation grouping in linear time (:mod:`.taxonomy`,
   :mod:`.translations`), whatever the setting;
2. content files parsed in worker processes, handed to Pelican through its
   reader cache (:mod:`.reading`);
3. pages rendered in worker processes, written by Pelican in the main process
   in serial order (:mod:`.writer`, :mod:`.rendering`).

Output, log and signals are those of a serial build. Public names:
``register``; the setting helpers ``WORKERS_SETTING``, ``default_workers``,
``validate_workers``, ``workers_setting``, ``WorkersSettingError``; and
``ParallelWriter``, ``IndexedList``.
"""

from .plugin import register
from .settings import (
    WORKERS_SETTING,
    WorkersSettingError,
    default_workers,
    validate_workers,
    workers_setting,
)
from .taxonomy import IndexedList
from .writer import ParallelWriter

__all__ = [
    "WORKERS_SETTING",
    "IndexedList",
    "ParallelWriter",
    "WorkersSettingError",
    "default_workers",
    "register",
    "validate_workers",
    "workers_setting",
]
