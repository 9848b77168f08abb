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

Output, log and signals are those of a serial build. Public names:
``register``; the setting helpers ``WORKERS_SETTING``, ``default_workers``,
``validate_workers``, ``workers_setting``, ``WorkersSettingError``,
``MARKDOWN_SETTING``, ``markdown_setting``, ``MarkdownSettingError``; and
``ParallelWriter``, ``IndexedList``, ``CommonMarkReader``. Everything else
is internal.
"""

from .commonmark import CommonMarkReader
from .plugin import register
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
    "MARKDOWN_SETTING",
    "WORKERS_SETTING",
    "CommonMarkReader",
    "IndexedList",
    "MarkdownSettingError",
    "ParallelWriter",
    "WorkersSettingError",
    "default_workers",
    "markdown_setting",
    "register",
    "validate_workers",
    "workers_setting",
]
