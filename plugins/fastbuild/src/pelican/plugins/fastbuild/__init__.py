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

Independently of the worker count, ``FASTBUILD_MARKDOWN = "commonmark"``
has Markdown read by :class:`CommonMarkReader` (cmark-gfm, the optional
extra ``pelican-fastbuild[commonmark]``) instead of Python-Markdown.

With ``FASTBUILD_INCREMENTAL = True`` a build renders only the pages whose
inputs changed since the last one, keeping its state in ``CACHE_PATH``
(:mod:`.incremental`); plugins declare what Python code reads while a page
renders with ``depends_on_file``, ``depends_on_content``,
``cached_reads`` and ``untracked``, and write files outside
Pelican's writer with ``write_output``.

A plugin can share per-item work out among the workers with
``map_in_workers(function, items, settings)`` (:mod:`.mapping`): the serial
loop's results and log, computed in parallel.

Output, log and signals are those of a serial build. Public names:
``register``; the setting helpers ``WORKERS_SETTING``, ``default_workers``,
``validate_workers``, ``workers_setting``, ``WorkersSettingError``,
``MARKDOWN_SETTING``, ``markdown_setting``, ``MarkdownSettingError``; and
``ParallelWriter``, ``IndexedList``, ``CommonMarkReader``;
``INCREMENTAL_SETTING``, ``incremental_setting``,
``IncrementalSettingError``, ``depends_on_content``, ``depends_on_file``,
``cached_reads``, ``untracked``,
``write_output``; ``map_in_workers``. Everything else is internal.
"""

from .commonmark import CommonMarkReader
from .incremental import (
    INCREMENTAL_SETTING,
    IncrementalSettingError,
    incremental_setting,
    write_output,
)
from .mapping import map_in_workers
from .plugin import register
from .record import cached_reads, depends_on_content, depends_on_file, untracked
from .settings import (
    MARKDOWN_SETTING,
    WORKERS_SETTING,
    MarkdownSettingError,
    WorkersSettingError,
    default_workers,
    markdown_setting,
    validate_workers,
    workers_setting,
)
from .taxonomy import IndexedList
from .writer import ParallelWriter

__all__ = [
    "INCREMENTAL_SETTING",
    "MARKDOWN_SETTING",
    "WORKERS_SETTING",
    "CommonMarkReader",
    "IncrementalSettingError",
    "IndexedList",
    "MarkdownSettingError",
    "ParallelWriter",
    "WorkersSettingError",
    "cached_reads",
    "default_workers",
    "depends_on_content",
    "depends_on_file",
    "incremental_setting",
    "map_in_workers",
    "markdown_setting",
    "register",
    "untracked",
    "validate_workers",
    "workers_setting",
    "write_output",
]
