"""pelican-fastbuild: Pelican builds in parallel, for any Pelican site.

Enable it with ``PLUGINS = ["fastbuild"]``, or leave ``PLUGINS`` unset
(Pelican then enables every installed namespace plugin). ``FASTBUILD_WORKERS``
(default: the number of usable CPUs) sets how many processes a build uses;
``1`` is Pelican's own serial build, with nothing patched. With more, for
that build (:mod:`.plugin`):

1. content files are parsed in worker processes and handed to Pelican
   through its reader cache (:mod:`.reading`);
2. pages are rendered in worker processes and written by Pelican in the main
   process in serial order (:mod:`.writer`, :mod:`.rendering`);
3. taxonomy pages and translation grouping take linear time
   (:mod:`.taxonomy`, :mod:`.translations`).

Output, log and signals are those of a serial build. Public names:
``register``; the setting helpers ``WORKERS_SETTING``, ``default_workers``,
``validate_workers``, ``workers_setting``, ``WorkersSettingError``; and
``ParallelWriter``, ``IndexedList``. Everything else is internal.
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
