"""A build with nothing to do: none of its inputs changed since the last one.

An incremental build stores a snapshot of what it read:

- its inputs as it started: the whole settings dict (as the world
  fingerprint takes it, :mod:`.world`, but before Pelican's generators add
  to it) and every file under ``PATH``
  (names and bytes: content, static files and anything else there), under
  any entry of ``ARTICLE_PATHS``, ``PAGE_PATHS`` or ``STATIC_PATHS`` and
  any source of ``TEMPLATE_PAGES`` outside it, and under the theme folder
  (templates and static files); with ``DEFAULT_DATE = "fs"`` also the
  mtimes of the files (a story without a date takes its file's);
- the rest of its world fingerprint: template folders, Python, installed
  distributions, local code;
- the digest of every file its pages declared
  (:func:`.record.depends_on_file`), as first taken in that build, and of
  every file declared outside any page, as it was declared (a build that
  declared something :func:`.record.untracked` outside a page stores no
  snapshot: the next one runs).

Before Pelican's generators run, the next build takes the same snapshot,
with the last build's template folders, local code and declared files; local
code imported from any other folder (a new script that runs the build, say)
makes it run. The build is skipped whole when the two are equal, the last
build finished, every file it left is on disk with the size and mtime it had
then and, with ``DELETE_OUTPUT_DIRECTORY``, the output folder holds nothing
else (no other file, no empty folder but the copies of the theme's static
folders): a full build would write the same tree. Then no generator runs,
no signal is sent and nothing is written; the last build's warnings and
errors are logged again (``--fatal`` applies), with the engine's summary
line and Pelican's kind of "Done" line.

The inputs are taken before a build reads anything; templates, code and
declared files when the build's world is fingerprinted and its pages are,
as for reusing a page: a file changed while a build runs makes the next
build differ from it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import state
from .fingerprint import declared_digest, digest
from .procs import records_from_tuples, replay_records
from .world import (
    EMPTY_FOLDER,
    UNREADABLE,
    local_code,
    locale_and_zone,
    settings_fingerprint,
    sources_fingerprint,
    theme_static_sources,
    tree_parts,
)

__all__ = [
    "Inputs",
    "inside_another_build",
    "run_unless_unchanged",
    "snapshot",
    "take_inputs",
]

logger = logging.getLogger("fastbuild")

_PATH_SETTINGS = ("ARTICLE_PATHS", "PAGE_PATHS", "STATIC_PATHS")


@dataclass(frozen=True)
class Inputs:
    """The settings and the files under the input folders as a build starts
    (:func:`take_inputs`)."""

    digest: str  # "" when the settings cannot be fingerprinted
    files: int  # how many files it read
    # The digest of each file it read (absolute path): the build's reading
    # takes these rather than hashing the content files again.
    hashes: Mapping[str, bytes] = field(default_factory=dict, repr=False)


def _input_trees(settings: Mapping[str, Any]) -> list[str]:
    """``PATH``; the content and static paths and the sources of
    ``TEMPLATE_PAGES`` that lie outside it (Pelican takes a relative one
    from ``PATH``: ``../shared`` is outside); the theme, and its
    ``THEME_STATIC_PATHS`` outside it."""
    path = os.path.abspath(settings["PATH"])
    entries = [
        entry
        for key in _PATH_SETTINGS
        for entry in settings.get(key) or ()
        if isinstance(entry, str)
    ]
    pages = settings.get("TEMPLATE_PAGES") or {}
    if isinstance(pages, Mapping):
        entries += [source for source in pages if isinstance(source, str)]
    trees = {path, *_outside(path, (os.path.join(path, e) for e in entries))}
    theme = settings.get("THEME")
    if isinstance(theme, str) and theme:
        theme = os.path.abspath(theme)
        trees |= {theme, *_outside(theme, theme_static_sources(settings))}
    return sorted(trees)


def _outside(top: str, paths: Iterable[str]) -> list[str]:
    """The ``paths`` (made absolute) that do not lie under ``top``."""
    found = (os.path.abspath(path) for path in paths)
    return [path for path in found if os.path.commonpath([top, path]) != top]


def take_inputs(settings: Mapping[str, Any]) -> Inputs:
    """The digest of the settings and of every file under the input folders
    (but the output folder and ``CACHE_PATH``, where they lie inside one:
    what the builds write is checked apart, :func:`_outputs_as_left`)."""
    settings_fp = settings_fingerprint(settings)
    if settings_fp is None:
        return Inputs("", 0)
    skip = frozenset(
        os.path.abspath(settings[key]) for key in ("OUTPUT_PATH", "CACHE_PATH")
    )
    files: list[bytes] = []
    for top in _input_trees(settings):
        files += tree_parts(top, skip=skip)
    hashes = {
        files[i].decode("utf-8", "surrogateescape"): files[i + 1]
        for i in range(0, len(files), 2)
        if not files[i + 1].startswith(UNREADABLE) and files[i + 1] != EMPTY_FOLDER
    }
    times: list[bytes] = []
    if settings.get("DEFAULT_DATE") == "fs":
        # A story without a date is dated by its file's mtime: a touched
        # file changes the site.
        for path in sorted(hashes):
            with contextlib.suppress(OSError):
                stamp = f"{path}\0{os.stat(path).st_mtime_ns}"
                times.append(stamp.encode("utf-8", "surrogateescape"))
    return Inputs(digest(settings_fp, *files, *times).hex(), len(files) // 2, hashes)


def snapshot(inputs: str, sources: bytes, declared: Mapping[str, bytes]) -> str:
    """A build's snapshot: its inputs as it started, its template folders
    and code (:func:`.world.sources_fingerprint`) and the digests of the
    files its pages declared ("" when the inputs are unknown: never equal
    to another)."""
    if not inputs or not sources:
        return ""
    parts = [inputs.encode(), sources]
    for path in sorted(declared):
        parts += [path.encode("utf-8", "surrogateescape"), declared[path]]
    return digest(*parts).hex()


def _snapshot_now(
    settings: Mapping[str, Any], inputs: Inputs, sources: state.Sources
) -> str:
    """The snapshot a build would store if it ran now, with the last build's
    template folders, local code and declared files."""
    if not inputs.digest:
        return ""
    code = sources_fingerprint(sources.templates, sources.code, locale_and_zone())
    declared = {path: declared_digest(path) for path in sources.declared}
    return snapshot(inputs.digest, code, declared)


def _no_new_code(sources: state.Sources) -> bool:
    """The local code imported so far (the script that runs the build, the
    plugins) is all in the last build's: code from anywhere else (a new
    driver script, a plugin from another folder) is a change, as it would
    be for a build that ran."""
    return set(local_code()) <= set(sources.code)


def _outputs_as_left(previous: state.State, output_path: str, settings: Any) -> bool:
    """Every file the last build left is there as it was; with
    ``DELETE_OUTPUT_DIRECTORY`` nothing else is in the output folder."""
    from .incremental import empty_folders, files_under, strays, theme_folders

    left = previous.left()
    if not all(state.as_left(path, *stamp) for path, stamp in left.items()):
        return False
    if settings.get("DELETE_OUTPUT_DIRECTORY"):
        found = files_under(output_path)
        if strays(found, left, output_path, settings):
            return False
        # A full build's only empty folders are copies of the theme's.
        themes = theme_folders(settings, output_path)
        empty = {
            os.path.join(output_path, rel)
            for rel in empty_folders(output_path, settings)
        }
        return empty <= themes and all(os.path.isdir(f) for f in themes)
    return True


def inside_another_build(pelican: Any) -> bool:
    """Is ``pelican`` running inside another ``Pelican``'s ``run()`` (a
    plugin that builds a second site from a signal of the first, as
    pelican-i18n-subsites builds each language's)? Such a build is
    Pelican's own: the engine stays the outer build's."""
    from pelican import Pelican

    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "run":
            owner = frame.f_locals.get("self")
            if isinstance(owner, Pelican) and owner is not pelican:
                return True
        frame = frame.f_back
    return False


def run_unless_unchanged(pelican: Any, run: Callable[[], None]) -> None:
    """``pelican.run()`` of an incremental build: ``run()`` (Pelican's own),
    unless nothing changed since the last build (see the module doc)."""
    from .incremental import Build, end_stale_build, state_folder

    if inside_another_build(pelican):
        # A plugin builds a second site from one of the build's signals
        # (pelican-i18n-subsites): Pelican's own build, whose signals the
        # outer build counts on.
        run()
        return
    end_stale_build()  # before this build waits for the state's lock
    start = time.perf_counter()
    settings = pelican.settings
    output_path = os.path.abspath(pelican.output_path)
    cache_path = state_folder(settings["CACHE_PATH"], output_path)
    try:
        lock = state.Lock(cache_path)
    except OSError:
        run()  # a build that keeps no state (the engine says why)
        return
    try:
        previous, why = state.load(cache_path, output_path, outputs_only=True)
        inputs = take_inputs(settings)
        unchanged = (
            why is None
            and not previous.journal
            and previous.snapshot != ""
            and _no_new_code(previous.sources)
            and previous.snapshot == _snapshot_now(settings, inputs, previous.sources)
            and _outputs_as_left(previous, output_path, settings)
        )
    finally:
        lock.release()
    if not unchanged:
        Build.starting(cache_path, inputs)
        run()
        return
    replay_records(records_from_tuples(previous.log))
    logger.info(
        "fastbuild: incremental build: nothing changed since the last build; "
        "0 pages rendered, 0 files written, 0 deleted, %d pages reused",
        len(previous.calls),
    )
    from pelican.log import console

    console.print(
        f"Done: nothing changed since the last build ({inputs.files} files "
        f"checked) in {time.perf_counter() - start:.2f} seconds."
    )
