"""Parallel reading: parse the content files in workers, hand them to Pelican.

At the first ``article_generator_preread`` (``page_generator_preread``) of a
generator, sent inside ``Readers.read_file`` before it looks in its cache,
forked workers start parsing every file of the generator that neither cache
holds, with the reader Pelican would use, ``readers.readers[ext].read()``,
in the order Pelican's loop will ask for them. Pelican's ``read_file`` then
runs exactly as before for every file (its signals, metadata, drafts,
hidden and broken files, ``content_object_init``, the generator cache) but
finds ``(content, metadata)`` in the ``Readers`` cache instead of calling
``reader.read(path)``: when it asks for a file, the workers' results are
taken until that file's is in (:class:`_Stream`), so the main process makes
content objects while the workers parse the files after them. The workers
are done, and reaped, once the generator's loop is over
(``article_generator_pretaxonomy``; pages: ``all_generators_finalized``);
a build that raises while reading leaves them until the next build starts
(they stop at their next message when the main process is gone).

- A file whose ``read()`` raised in a worker gets nothing: Pelican reads it
  itself and reports the error as it always does.
- A worker that dies is reported once, naming the file it was on (noted
  in shared memory); Pelican reads that worker's remaining files itself.
- A worker sends its files a block at a time, each with the file stamp
  Pelican's cache takes (``CHECK_MODIFIED_METHOD``: an ``mtime`` or a hash
  of the file), taken in the worker before it reads the file, when anything
  will look at it: with caching on, or when another plugin wraps
  ``get_cached_data`` (a ``stat`` per file otherwise spent for nothing).
- The results go in the cache dict as Pelican's ``cache_data()`` puts them,
  ``(stamp, (content, metadata))``. With ``CACHE_CONTENT`` (reader layer)
  the saved cache is the one a serial build saves. Without it they are
  there to be found once, and dropped when taken (:class:`_TakeHook`).

In an incremental build (:mod:`.incremental`) the files parsed by the last
build from the same bytes are handed to Pelican the same way, from the
state (:mod:`.readcache`): the workers fetch and decode them, in the
stream with the files they parse (which the state then keeps); reading in
this process, they are decoded here before Pelican's loop.

Per-run state is a :class:`_ReadState` on the generator's ``Readers`` object.
Relies on Pelican's ``Readers.read_file``, ``FileStampDataCacher`` and
``pelican.readers._filter_discardable_metadata`` as in Pelican 4.12.0.

Known limit: a file whose ``read_file`` fails before the cache lookup (a
``*_preread`` receiver or a metadata processor raising) was still read by a
worker; with ``CACHE_CONTENT`` on, its entry is saved in the cache, which a
serial build would not have saved.
"""

from __future__ import annotations

import logging
import mmap
import os
from collections import deque
from multiprocessing.connection import Connection, wait
from typing import Any

from pelican.readers import _filter_discardable_metadata
from pelican.utils import file_suffix

from . import incremental, procs, readcache, warm
from .procs import LogCapture
from .settings import workers_setting

__all__ = ["on_article_preread", "on_page_preread"]

logger = logging.getLogger("fastbuild")

_STATE = "_fastbuild_read"
_BLOCK = 8  # at most, consecutive files a worker reads before the next one's turn
_SAVED = "saved"  # a worker's result taken from the incremental build's state


class _ReadState:
    """What one generator's parallel read left for Pelican to take."""

    def __init__(self, keep: bool, stamps: bool = True) -> None:
        self.keep = keep  # caching on: Pelican saves what it takes
        # Is a file's stamp ever looked at? With caching on (saved with the
        # entry), or when another plugin wraps get_cached_data (which may
        # check it); otherwise the hook hands the parse over as it is.
        self.stamps = stamps
        self.pending: dict[str, list[logging.LogRecord]] = {}
        self.new: set[str] = set()  # entries the cache did not hold before
        self.stream: _Stream | None = None  # workers still parsing


class _TakeHook:
    """``get_cached_data`` of one ``Readers`` object while it holds results.

    Installed as an instance attribute (only that object is affected; the
    class method is untouched). Pelican's ``read_file`` asks
    ``get_cached_data(path, (None, None))`` once per file right before it
    would call ``reader.read(path)``. When the answer is an entry a worker
    read, the hook

    (a) replays the worker's log records for that file: a serial build logs
        them inside ``reader.read``, that is at this very point;
    (b) with caching off, deletes the entry: it was there to be found once,
        and ``save_cache`` never saves it (and, unless another wrapper of
        ``get_cached_data`` is in place, returns it without Pelican's check
        of the file's stamp: it was parsed from the file's bytes in this
        build, and the check costs a stat per file); with caching on, moves a new entry
        to the end of the cache dict, where a serial build, which adds each
        file as it reads it, has it (so the saved cache file is the same).

    When every entry has been taken the hook removes itself.
    """

    def __init__(self, readers: Any, state: _ReadState) -> None:
        self._readers = readers
        self._state = state
        self._own = vars(readers).get("get_cached_data")  # another wrapper, if any
        self._previous = readers.get_cached_data

    def __call__(self, filename: str, default: Any = None) -> Any:
        readers, state = self._readers, self._state
        if state.stream is not None:
            state.stream.until(filename)
        records = state.pending.pop(filename, None)
        if records is None:
            return self._previous(filename, default)
        if state.keep:
            data = self._previous(filename, default)
            if filename in state.new and filename in readers._cache:
                readers._cache[filename] = readers._cache.pop(filename)
        elif self._own is None:
            # Parsed in this build from the file's bytes: Pelican's check of
            # the file's stamp (a stat) would only say so again.
            entry = readers._cache.pop(filename, None)
            data = default if entry is None else entry[1]
        else:
            data = self._previous(filename, default)
            readers._cache.pop(filename, None)
        if (
            not state.pending
            and state.stream is None
            and vars(readers).get("get_cached_data") is self
        ):
            if self._own is None:
                del readers.get_cached_data
            else:
                readers.get_cached_data = self._own
        if data is not default:
            try:
                procs.replay_records(records)
            except RuntimeError:  # --fatal: serial read() raised, cached nothing
                readers._cache.pop(filename, None)
                raise
        return data


def on_article_preread(generator: Any) -> None:
    """Receiver of ``article_generator_preread``."""
    _preread(generator, "ARTICLE")


def on_page_preread(generator: Any) -> None:
    """Receiver of ``page_generator_preread``."""
    _preread(generator, "PAGE")


def _preread(generator: Any, kind: str) -> None:
    readers = getattr(generator, "readers", None)
    if readers is None or _STATE in vars(readers):
        return
    _no_stamps(generator)
    keep = bool(getattr(readers, "_cache_data_policy", False))
    state = _ReadState(keep, stamps=keep or "get_cached_data" in vars(readers))
    setattr(readers, _STATE, state)
    build = incremental.current()
    if build is not None and build.settings is not generator.settings:
        build = None
    workers = workers_setting(generator.settings)
    parallel = workers > 1 and procs.can_fork()
    if workers > 1 and not parallel:
        logger.debug("fastbuild: os.fork is not available; reading serially")
    if build is None and not parallel:
        return
    jobs = _files_to_read(generator, readers, kind)
    # An incremental build parses in a worker even a single file: the
    # workers note the other files a reader opens (readcache.OPENED).
    in_workers = parallel and (len(jobs) >= 2 or (build is not None and bool(jobs)))
    if build is not None:
        if in_workers:
            jobs = _hashed(build, jobs)  # the workers take parses from the state
        else:
            jobs = _from_state(build, readers, state, jobs)
            if jobs:  # left for Pelican to parse here
                _note_opened(readers, build)
    if in_workers:
        _read_in_workers(readers, state, jobs, min(workers, len(jobs)), build)
    if state.pending or state.stream is not None:
        readers.get_cached_data = _TakeHook(readers, state)


def _note_opened(readers: Any, build: Any) -> None:
    """An incremental build that parses in this process: each reader of
    ``readers`` (an instance attribute, for this build's object only) notes
    the other files it opens while parsing (an ``.. include::``) as read by
    the build, so that a change to one, inside ``PATH`` or not, makes the
    next build run."""
    readcache.OPENED.install()
    for reader in set(readers.readers.values()):
        if getattr(reader.read, "_fastbuild_notes_opened", False):
            continue

        def read(path: str, _read: Any = reader.read) -> Any:
            readcache.OPENED.start(path)
            try:
                return _read(path)
            finally:
                build.note_opened(readcache.OPENED.stop())

        read._fastbuild_notes_opened = True  # type: ignore[attr-defined]
        reader.read = read


def _no_stamps(generator: Any) -> None:
    """A generator whose content cache neither holds nor keeps anything
    (``CACHE_CONTENT`` off, or caching at the readers layer): Pelican's
    ``CachingGenerator`` still takes every file's stamp (a ``stat``) twice,
    in ``get_cached_data`` (which then returns the default whatever the
    stamp) and in ``cache_data`` (which then keeps nothing). For this build
    its two methods skip the stamps (instance attributes: the class is
    untouched). The one difference: a file removed while the build reads
    gets Pelican's error for it, without the warning that its stamp could
    not be taken."""
    if getattr(generator, "_cache_data_policy", True) or getattr(
        generator, "_cache", True
    ):
        return
    own = vars(generator)
    if "get_cached_data" in own or "cache_data" in own:
        return  # another plugin's wrapper: left as it is

    def get_cached_data(filename: str, default: Any = None) -> Any:
        return default

    def cache_data(filename: str, data: Any) -> None:
        return None

    generator.get_cached_data = get_cached_data
    generator.cache_data = cache_data


def _hashed(
    build: Any, jobs: list[tuple[str, str]]
) -> list[tuple[str, str, str | None, bool]]:
    """Each file with the hash of its bytes (None: unreadable) and whether
    the last build parsed it from the same bytes (its parse is in the
    state)."""
    hashed = []
    for rel, abs_path, *_ in jobs:
        try:
            digest_hex = build.file_hash(abs_path).hex()
        except OSError:
            hashed.append((rel, abs_path, None, False))
            continue
        hashed.append((rel, abs_path, digest_hex, build.has_read(abs_path, digest_hex)))
    return hashed


def _from_state(
    build: Any, readers: Any, state: _ReadState, jobs: list[tuple[str, str]]
) -> list[tuple[str, str, str | None]]:
    """Hand Pelican the files an incremental build parsed last time from the
    same bytes, here (reading in this process); the others, with the hash of
    their bytes, are left to read."""
    left = []
    for rel, abs_path, digest_hex, saved in _hashed(build, jobs):
        found = (
            _saved_parse(readers, build, abs_path, digest_hex, state.keep)
            if saved
            else None
        )
        if found is None:
            left.append((rel, abs_path, digest_hex))
            continue
        stamp, data, records = found
        _inject(readers, state, abs_path, stamp, data, records)
    return left


def _saved_parse(
    readers: Any, build: Any, abs_path: str, digest_hex: str | None, stamp: bool
) -> tuple[Any, tuple[str, dict[str, Any]], list[logging.LogRecord]] | None:
    """A file's parse from the state: (stamp, (content, metadata), log
    records), or None. ``stamp``: Pelican's, for the cache it saves (none
    saved: not needed)."""
    kept = None if digest_hex is None else build.cached_read(abs_path, digest_hex)
    if kept is None:
        return None
    content, metadata, records = kept
    found = readers._get_file_stamp(abs_path) if stamp else None
    return found, (content, metadata), readcache.records_of(records)


def _files_to_read(generator: Any, readers: Any, kind: str) -> list[tuple[str, str]]:
    """(path relative to the generator, absolute path) of every file to parse."""
    settings = generator.settings
    files = generator.get_files(
        settings[f"{kind}_PATHS"], exclude=settings[f"{kind}_EXCLUDES"]
    )
    cached = getattr(generator, "get_cached_data", None)
    # A file not in a cache dict is not cached: no need to stamp it to know.
    generator_cache = getattr(generator, "_cache", None)
    jobs = []
    # In the order of Pelican's own loop over get_files() (a set, the same
    # order in one process), so the workers parse the files it asks first.
    for rel in files:
        if (
            cached is not None
            and (generator_cache is None or rel in generator_cache)
            and cached(rel, None) is not None
        ):
            continue
        abs_path = os.path.abspath(os.path.join(generator.path, rel))
        if file_suffix(abs_path) not in readers.readers:
            continue
        if (
            abs_path in readers._cache
            and readers.get_cached_data(abs_path, (None, None))[0] is not None
        ):
            continue
        jobs.append((rel, abs_path))
    return jobs


def _shares(count: int, workers: int) -> list[list[int]]:
    """Job indices of each worker: blocks of consecutive files, round robin
    (smaller blocks when there are few files, so every worker has some)."""
    block = max(1, min(_BLOCK, count // workers))
    shares: list[list[int]] = [[] for _ in range(workers)]
    for start in range(0, count, block):
        shares[(start // block) % workers].extend(
            range(start, min(start + block, count))
        )
    return shares


class _Stream:
    """The workers parsing one generator's files, while Pelican reads them.

    Pelican asks for the files in the order :func:`_files_to_read` listed
    them, and each worker parses its share in that order, so the main
    process builds a content object from one file while the workers parse
    the next ones. A worker sends a block of files at a time, through a
    :class:`~.procs.Sender` (it never waits for the main process to read);
    :meth:`until` takes the workers' messages until a file's result is in
    (parsed, or left to Pelican: its ``read()`` raised, or its worker died).
    """

    def __init__(
        self,
        readers: Any,
        state: _ReadState,
        jobs: list[Any],
        shares: list[list[int]],
        marks: list[mmap.mmap],
        children: list[procs.Child],
        build: Any,
    ) -> None:
        self.readers = readers
        self.state = state
        self.jobs = jobs
        self.marks = marks
        self.children = children
        self.build = build
        self.waiting = {child.conn: k for k, child in enumerate(children)}
        # Per worker, the indices of its files still to come, in order.
        self.expected = [deque(share) for share in shares]
        self.owner = {
            jobs[i][1]: (k, i) for k, share in enumerate(shares) for i in share
        }

    def _awaited(self, abs_path: str) -> bool:
        """Is ``abs_path``'s result still to come? Its worker sends its files
        in order: yes while its index is not below the next one expected."""
        found = self.owner.get(abs_path)
        if found is None:
            return False
        expected = self.expected[found[0]]
        return bool(expected) and found[1] >= expected[0]

    def until(self, abs_path: str | None) -> None:
        """Take messages until ``abs_path`` is no longer awaited (None: until
        every worker is done)."""
        try:
            while self.waiting and (abs_path is None or self._awaited(abs_path)):
                for conn in wait(list(self.waiting)):
                    self._take(conn)
        except BaseException:
            self.close()
            raise
        if not self.waiting:
            self.close()

    def settle(self) -> None:
        """Take every message left; the workers are done."""
        self.until(None)

    def _take(self, conn: Connection) -> None:
        k = self.waiting[conn]
        child, expected = self.children[k], self.expected[k]
        try:
            message = conn.recv_bytes()
        except (EOFError, OSError):  # OSError: died in mid-message
            del self.waiting[conn]
            child.reap()
            if expected:
                noted = int.from_bytes(self.marks[k][:8], "little")
                index = noted if noted in expected else expected[0]
                logger.warning(
                    "fastbuild: a worker died reading %s "
                    "(exit status %s); reading the rest in this process",
                    self.jobs[index][0],
                    child.exit_status,
                )
            expected.clear()
            return
        settings = self.readers.settings
        try:
            results = procs.loads(message, settings)
        except Exception:  # unpicklable here: Pelican reads the files
            results = []
        for index, stamp, data, records, kept, opened, made in results:
            while expected and expected[0] <= index:
                expected.popleft()
            if self.build is not None and (kept is None or opened is None):
                # A parse not kept (failed, or not storable): what its reader
                # opened is still read by this build.
                self.build.note_opened(opened)
            if data is None:
                continue
            warm.keep(made)
            job = self.jobs[index]
            _inject(self.readers, self.state, job[1], stamp, data, records)
            if self.build is None or kept is None:
                continue
            if kept == _SAVED:  # compared by value: it crossed a pipe
                self.build.keep_read(job[1])
            else:
                self.build.store_read(job[1], job[2], kept)

    def close(self) -> None:
        """Stop and reap the workers (done, or not needed any more)."""
        if self.state.stream is not self:
            return
        self.state.stream = None
        _open.discard(self)
        self.waiting.clear()
        procs.reap_all(self.children, kill=True)
        for mark in self.marks:
            mark.close()


# Streams whose workers may still run (settled when the build's contexts are
# complete, stopped when the next build starts after one that raised).
_open: set[_Stream] = set()


def settle(generator: Any) -> None:
    """Every file of ``generator`` read by its workers is in (its reading
    loop is over: ``article_generator_pretaxonomy``)."""
    state = getattr(getattr(generator, "readers", None), _STATE, None)
    if state is not None and state.stream is not None:
        state.stream.settle()


def settle_all() -> None:
    """Every stream taken to its end (``all_generators_finalized``)."""
    for stream in list(_open):
        stream.settle()


def stop_all() -> None:
    """Every stream's workers stopped (a build that raised while reading)."""
    for stream in list(_open):
        stream.close()


def _read_in_workers(
    readers: Any,
    state: _ReadState,
    jobs: list[Any],
    workers: int,
    build: Any = None,
) -> None:
    """Fork the workers that parse ``jobs`` (a :class:`_Stream`); their
    results are taken as Pelican asks for the files."""
    settings = readers.settings
    shares = _shares(len(jobs), workers)
    block = max(1, min(_BLOCK, len(jobs) // workers))
    # Where each worker notes the index of the file it is reading, so that a
    # worker's death names that file.
    marks = [mmap.mmap(-1, 8) for _ in range(workers)]

    def run(k: int, conn: Connection, capture: LogCapture) -> None:
        # One message per block of consecutive files: a list of
        # (index, stamp, data, records, kept, opened) (:func:`_read_one`) and the
        # file's display dates and slug (:func:`.warm.seeds`, which also has
        # its tags, category and authors carry their slugs).
        if build is not None:
            readcache.OPENED.install()
        mark, results = marks[k], []
        sender = procs.Sender(conn)
        for index in shares[k]:
            mark[:8] = index.to_bytes(8, "little")
            result = _read_one(readers, jobs[index], index, capture, build, state)
            made: list[Any] = []
            if result[2] is not None:
                made = warm.seeds(result[2][1], jobs[index][1], settings)
            results.append((*result, made))
            if len(results) == block or index + 1 == len(jobs):
                sender.put(procs.dumps(results, settings))
                results = []
        if results:
            sender.put(procs.dumps(results, settings))
        sender.close()

    try:
        children = procs.fork_children(workers, run)
    except OSError as err:
        logger.warning(
            "fastbuild: cannot start reading workers (%s); reading in this process",
            err,
        )
        for mark in marks:
            mark.close()
        return
    stream = _Stream(readers, state, jobs, shares, marks, children, build)
    state.stream = stream
    _open.add(stream)


def _read_one(
    readers: Any,
    job: tuple[Any, ...],
    index: int,
    capture: LogCapture,
    build: Any,
    state: _ReadState,
) -> tuple[
    int,
    Any,
    Any,
    list[logging.LogRecord],
    tuple[str, str, str, str] | str | None,
    dict[str, str] | None,
]:
    """In a worker: one file's (index, stamp, data, records, kept, opened);
    data None: Pelican reads it. In an incremental build (``build``) a file
    the last build parsed from the same bytes is taken from the state
    (``kept``: :data:`_SAVED`); any other is parsed, ``opened`` is what its
    reader opened besides it (:class:`.readcache.OpenedFiles`; None: something
    it could not name) and ``kept`` is the parse as the state keeps it
    (:func:`.readcache.stored`; None when it cannot), made here rather than in
    the main process. The stamp of a parsed file is the one Pelican's cache
    would take (``CHECK_MODIFIED_METHOD``), taken before reading."""
    settings = readers.settings
    abs_path = job[1]
    if build is not None and job[3]:
        saved = _saved_parse(readers, build, abs_path, job[2], state.keep)
        if saved is not None:
            stamp, data, records = saved
            portable = procs.portable_records(records, settings)
            return (index, stamp, data, portable, _SAVED, {})
    keep = build is not None and job[2] is not None
    # Its warning when the file has gone: Pelican's, later.
    stamp = readers._get_file_stamp(abs_path) if state.stamps else None
    capture.start()
    readcache.OPENED.start(abs_path)
    try:
        content, metadata = readers.readers[file_suffix(abs_path)].read(abs_path)
        data = (content, _filter_discardable_metadata(metadata))
        records = procs.portable_records(capture.stop(), settings)
    except Exception:
        capture.stop()
        return (index, None, None, [], None, readcache.OPENED.stop())
    opened = readcache.OPENED.stop()
    # A parse that depends on something unknown is not kept: parsed again.
    keep = keep and opened is not None
    kept = readcache.stored(data, records, settings, opened) if keep else None
    return (index, stamp, data, records, kept, opened)


def _inject(
    readers: Any,
    state: _ReadState,
    abs_path: str,
    stamp: Any,
    data: tuple[Any, Any],
    records: list[logging.LogRecord],
) -> None:
    """Put a worker's result in the cache: what Pelican's ``cache_data``
    stores, with the stamp the worker took."""
    if abs_path not in readers._cache:
        state.new.add(abs_path)
    readers._cache[abs_path] = (stamp, data)
    state.pending[abs_path] = records
    procs.note_made()  # held until the build ends, with its content object
