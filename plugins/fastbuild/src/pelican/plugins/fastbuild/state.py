"""The incremental build's state in ``CACHE_PATH``: SQLite and JSON only.

Files, all in ``CACHE_PATH/fastbuild/<key>/``, one folder per output folder
(:func:`.incremental.state_folder`):

- ``fastbuild-state.sqlite``: what the last build wrote and from what.
  Loading it runs no code (no pickle): a state restored from a shared CI
  cache is data. Tables:

  - ``meta(key, value)``: ``format`` (:data:`FORMAT`), ``world`` (the world
    fingerprint, :mod:`.world`), ``output`` (the output folder), ``clean``
    (``"1"`` once a build finished; a build sets ``"0"`` before it writes
    anything), ``snapshot`` (the digest of the inputs the build started
    from, :mod:`.unchanged`), ``sources`` (JSON: the template folders and
    local code the world covered, the files pages declared), ``log``
    (JSON: the build's warnings and errors, ``[logger, level, message]``),
    ``side`` (JSON: the files plugins wrote on their own) and ``late``
    (JSON: the files written once Pelican's writer was done);
  - ``calls(key, fingerprint, reads, outputs, records)``: one row per
    ``write_file`` call: the fingerprint of what it read, what it read
    (JSON: names, bodies, files, untracked reason), the files it wrote
    (JSON: ``[path, size, mtime_ns]``) and the log records of its render
    (JSON: ``[logger, level, message]``, replayed when it is reused);
  - ``reads(path, hash, content, metadata, records)``: each content file
    parsed, by the hash of its bytes (:mod:`.readcache`);
  - ``files(path, size, mtime_ns, hash)``: every other file the build
    wrote (feeds, static files, files written through
    :func:`.incremental.write_output` or by plugins on their own).

- ``fastbuild-journal``: every output path a build is about to create,
  appended (``O_APPEND``) by whichever process creates it. After a build
  killed at any point the state is not clean; the next build renders
  everything and removes what the state and the journal name and it did not
  write.
- ``fastbuild.lock``: ``flock``-ed for the whole build; a second build on
  the same ``CACHE_PATH`` and output folder waits for it, saying so.

Anything unreadable (corrupt, truncated, another format, another output
folder, missing) gives one warning and a full build; the state is then
written afresh. (A missing state with an empty output folder is a first
build: the same line, at INFO.)
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "FORMAT",
    "CallRow",
    "Journal",
    "Lock",
    "Sources",
    "State",
    "as_left",
    "load",
    "save",
]

logger = logging.getLogger("fastbuild")

FORMAT = "pelican-fastbuild state 4"
STATE_FILE = "fastbuild-state.sqlite"
JOURNAL_FILE = "fastbuild-journal"
LOCK_FILE = "fastbuild.lock"
MISSING = "no saved state"


@dataclass
class CallRow:
    fingerprint: bytes
    reads: Any  # (names, bodies, files, reason)
    outputs: list[tuple[str, int, int]]
    records: list[tuple[str, int, str]]


@dataclass
class Sources:
    """What a build read besides the settings and the content: the template
    folders and local code of its world (:mod:`.world`) and the files its
    pages declared."""

    templates: list[str] = field(default_factory=list)
    code: list[str] = field(default_factory=list)
    declared: list[str] = field(default_factory=list)


@dataclass
class State:
    world: str = ""
    clean: bool = False
    snapshot: str = ""
    sources: Sources = field(default_factory=Sources)
    log: list[tuple[str, int, str]] = field(default_factory=list)
    calls: dict[str, CallRow] = field(default_factory=dict)
    files: dict[str, tuple[int, int]] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)  # of ``files``
    reads: dict[str, str] = field(default_factory=dict)  # source path -> hash
    # source path -> the other files its reader opened: (path, hash) pairs
    opened: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    journal: set[str] = field(default_factory=set)
    # Files of ``files`` written by something the engine cannot name (a
    # plugin's side output: a bundle, a thumbnail): kept while as left.
    side: list[str] = field(default_factory=list)
    # Those of ``files`` written once Pelican's writer had finished (by a
    # ``finalized`` receiver: a sitemap, compressed copies of the pages):
    # made from the output folder, so the next build deletes those of them
    # in ``side`` before its own ``finalized`` receivers run, and the others
    # after, if they were not written again.
    late: list[str] = field(default_factory=list)

    def left(self) -> dict[str, tuple[int, int]]:
        """Every file this build left: path -> (size, mtime_ns)."""
        left = dict(self.files)
        for row in self.calls.values():
            left.update((path, (size, mtime)) for path, size, mtime in row.outputs)
        return left

    def known_outputs(self) -> set[str]:
        """Every output path the previous builds may have left."""
        return set(self.left()) | self.journal


def file_stamp(path: str) -> tuple[int, int] | None:
    """A file's (size, mtime_ns), or None when there is none."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_size, found.st_mtime_ns


def as_left(path: str, size: int, mtime_ns: int) -> bool:
    """The file is on disk with the size and mtime a build left it with."""
    return file_stamp(path) == (size, mtime_ns)


def _path(cache_path: str, name: str) -> str:
    return os.path.join(cache_path, name)


def _meta(state: State, meta: dict[str, str]) -> None:
    state.world = str(meta.get("world", ""))
    state.clean = meta.get("clean") == "1"
    state.snapshot = str(meta.get("snapshot", ""))
    sources = json.loads(meta.get("sources", "{}"))
    state.sources = Sources(
        templates=[str(p) for p in sources.get("templates", [])],
        code=[str(p) for p in sources.get("code", [])],
        declared=[str(p) for p in sources.get("declared", [])],
    )
    state.log = [
        (str(name), int(level), str(message))
        for name, level, message in json.loads(meta.get("log", "[]"))
    ]
    state.side = [str(p) for p in json.loads(meta.get("side", "[]"))]
    state.late = [str(p) for p in json.loads(meta.get("late", "[]"))]


def _open_to_read(path: str) -> sqlite3.Connection:
    """The saved state, opened read-only; read-write when a save was
    interrupted (its rollback journal is there), so that SQLite rolls it
    back as it opens the file."""
    if os.path.exists(path + "-journal"):
        connection = sqlite3.connect(path)
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return connection
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def load(
    cache_path: str, output_path: str, outputs_only: bool = False
) -> tuple[State, str | None]:
    """The saved state, and why it cannot be used (None: it can).

    ``outputs_only``: the calls' output files without what they read, and
    no parsed files (what :mod:`.unchanged` needs)."""
    state = State()
    state.journal = Journal.read(cache_path)
    path = _path(cache_path, STATE_FILE)
    if not os.path.exists(path):
        return state, MISSING
    try:
        connection = _open_to_read(path)
    except sqlite3.Error as err:
        return state, f"the saved state cannot be opened ({err})"
    try:
        meta = dict(connection.execute("SELECT key, value FROM meta"))
        if meta.get("format") != FORMAT:
            return (
                state,
                f"the saved state is of another format ({meta.get('format')!r})",
            )
        if meta.get("output") != os.path.abspath(output_path):
            return state, "the saved state is of another output folder"
        _meta(state, meta)
        if outputs_only:
            rows = connection.execute("SELECT key, x'', '[]', outputs, '[]' FROM calls")
        else:
            rows = connection.execute(
                "SELECT key, fingerprint, reads, outputs, records FROM calls"
            )
        for key, fp, reads, outputs, records in rows:
            state.calls[key] = CallRow(
                bytes(fp),
                json.loads(reads),
                [tuple(item) for item in json.loads(outputs)],
                [tuple(item) for item in json.loads(records)],
            )
        for file_path, size, mtime, file_hash in connection.execute(
            "SELECT path, size, mtime_ns, hash FROM files"
        ):
            state.files[str(file_path)] = (int(size), int(mtime))
            state.hashes[str(file_path)] = str(file_hash)
        if not outputs_only:
            for source, source_hash, opened in connection.execute(
                "SELECT path, hash, opened FROM reads"
            ):
                state.reads[str(source)] = str(source_hash)
                if opened != "[]":
                    state.opened[str(source)] = [
                        (str(path), str(found)) for path, found in json.loads(opened)
                    ]
    except (sqlite3.Error, ValueError, TypeError, AttributeError, KeyError) as err:
        fresh = State()
        fresh.journal = state.journal
        known = State(calls=state.calls, files=state.files).known_outputs()
        fresh.journal |= known  # what was read before it broke still goes
        return fresh, f"the saved state is unreadable ({err})"
    finally:
        connection.close()
    if not state.clean:
        return state, "the last build did not finish"
    return state, None


_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE calls (key TEXT PRIMARY KEY, fingerprint BLOB NOT NULL,
    reads TEXT NOT NULL, outputs TEXT NOT NULL, records TEXT NOT NULL);
CREATE TABLE files (path TEXT PRIMARY KEY, size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL, hash TEXT NOT NULL);
CREATE TABLE reads (path TEXT PRIMARY KEY, hash TEXT NOT NULL,
    content TEXT NOT NULL, metadata TEXT NOT NULL, records TEXT NOT NULL,
    opened TEXT NOT NULL);
"""


class ReadRows:
    """The ``reads`` rows of the saved state, fetched one by one; in a forked
    worker through a connection of its own (SQLite's connections do not
    cross a fork)."""

    def __init__(self, cache_path: str) -> None:
        self._file = _path(cache_path, STATE_FILE)
        self._pid = os.getpid()
        self._connection: sqlite3.Connection | None = None
        with contextlib.suppress(sqlite3.Error):
            self._connection = _open_to_read(self._file)

    def get(self, source: str) -> tuple[str, str, str] | None:
        """``(content, metadata, records)`` of a source path, or None."""
        if self._pid != os.getpid():
            # Forked: the parent's connection is left alone, not even closed.
            self._pid = os.getpid()
            self._connection = None
            with contextlib.suppress(sqlite3.Error):
                self._connection = _open_to_read(self._file)
        if self._connection is None:
            return None
        try:
            row = self._connection.execute(
                "SELECT content, metadata, records FROM reads WHERE path = ?",
                (source,),
            ).fetchone()
        except sqlite3.Error:
            return None
        return None if row is None else (str(row[0]), str(row[1]), str(row[2]))

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def mark_dirty(cache_path: str) -> None:
    """Before a build writes anything: the saved state is no longer clean
    (a missing or unreadable state file needs no mark: it is not clean)."""
    path = _path(cache_path, STATE_FILE)
    if not os.path.exists(path):
        return
    try:
        with contextlib.closing(sqlite3.connect(path)) as connection, connection:
            connection.execute("UPDATE meta SET value = '0' WHERE key = 'clean'")
    except sqlite3.Error:
        # Unusable: remove it, so that nothing can take it for clean.
        with contextlib.suppress(OSError):
            os.unlink(path)


def save(
    cache_path: str,
    output_path: str,
    state: State,
    kept_reads: set[str] | frozenset[str] = frozenset(),
    new_reads: dict[str, tuple[str, str, str, str, str]] | None = None,
) -> None:
    """Write the state of a finished build, in one SQLite transaction.

    ``kept_reads``: source paths whose ``reads`` row stays as saved;
    ``new_reads``: path -> (hash, content, metadata, records, opened). A saved state
    of this format and output folder is updated in place: its parsed files
    (most of its bytes) are not copied, and a build killed while saving
    leaves it as it was (SQLite rolls the transaction back; it is marked as
    not clean since the build started). Any other is replaced by a new file,
    renamed into place."""
    os.makedirs(cache_path, exist_ok=True)
    path = _path(cache_path, STATE_FILE)
    new_reads = new_reads or {}
    if os.path.exists(path):
        with contextlib.suppress(sqlite3.Error, _Replace):
            _update(
                path, output_path, state, set(kept_reads) - set(new_reads), new_reads
            )
            Journal.clear(cache_path)
            return
    temporary = path + ".new"
    for leftover in (temporary, temporary + "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(leftover)
    connection = sqlite3.connect(temporary)
    try:
        connection.executescript(_SCHEMA)
        with connection:
            _write_rows(connection, output_path, state, new_reads)
    finally:
        connection.close()
    os.replace(temporary, path)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path + "-journal")  # an older file's, never this one's
    Journal.clear(cache_path)


class _Replace(Exception):
    """The saved state is not one to update in place."""


def _update(
    path: str,
    output_path: str,
    state: State,
    kept: set[str],
    new_reads: dict[str, tuple[str, str, str, str, str]],
) -> None:
    """Update the saved state at ``path`` in place (one transaction): every
    table but ``reads`` is written anew; of ``reads``, the rows of ``kept``
    stay, ``new_reads`` are written and the rest removed."""
    connection = sqlite3.connect(path)
    try:
        meta = dict(connection.execute("SELECT key, value FROM meta"))
        if meta.get("format") != FORMAT or meta.get("output") != os.path.abspath(
            output_path
        ):
            raise _Replace
        connection.execute("CREATE TEMP TABLE kept (path TEXT PRIMARY KEY)")
        with connection:
            for table in ("meta", "calls", "files"):
                connection.execute(f"DELETE FROM {table}")
            connection.executemany(
                "INSERT INTO temp.kept VALUES (?)", ((p,) for p in kept)
            )
            connection.execute(
                "DELETE FROM reads WHERE path NOT IN (SELECT path FROM temp.kept)"
            )
            _write_rows(connection, output_path, state, new_reads)
    finally:
        connection.close()


def _write_rows(
    connection: sqlite3.Connection,
    output_path: str,
    state: State,
    new_reads: dict[str, tuple[str, str, str, str, str]],
) -> None:
    """The rows of ``state`` (``meta``, ``calls``, ``files``) and the
    ``reads`` rows of ``new_reads``, into empty tables (``reads``: but for
    rows kept)."""
    connection.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [
            ("format", FORMAT),
            ("world", state.world),
            ("output", os.path.abspath(output_path)),
            ("clean", "1"),
            ("snapshot", state.snapshot),
            (
                "sources",
                json.dumps(
                    {
                        "templates": state.sources.templates,
                        "code": state.sources.code,
                        "declared": state.sources.declared,
                    }
                ),
            ),
            ("log", json.dumps(state.log)),
            ("side", json.dumps(state.side)),
            ("late", json.dumps(state.late)),
        ],
    )
    connection.executemany(
        "INSERT INTO calls VALUES (?, ?, ?, ?, ?)",
        (
            (
                key,
                row.fingerprint,
                json.dumps(row.reads),
                json.dumps(row.outputs),
                json.dumps(row.records),
            )
            for key, row in state.calls.items()
        ),
    )
    connection.executemany(
        "INSERT OR REPLACE INTO reads VALUES (?, ?, ?, ?, ?, ?)",
        ((p, *row) for p, row in new_reads.items()),
    )
    connection.executemany(
        "INSERT INTO files VALUES (?, ?, ?, ?)",
        (
            (p, size, mtime, state.hashes.get(p, ""))
            for p, (size, mtime) in state.files.items()
        ),
    )


class Journal:
    """The append-only list of output paths a build is about to create."""

    def __init__(self, cache_path: str) -> None:
        os.makedirs(cache_path, exist_ok=True)
        self._fd = os.open(
            _path(cache_path, JOURNAL_FILE),
            os.O_WRONLY | os.O_APPEND | os.O_CREAT,
            0o644,
        )

    def add(self, path: str) -> None:
        """Note one path (one ``write``: whole lines, whichever process)."""
        data = (json.dumps(path) + "\n").encode("utf-8")
        os.write(self._fd, data)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._fd)

    @staticmethod
    def read(cache_path: str) -> set[str]:
        try:
            with open(_path(cache_path, JOURNAL_FILE), encoding="utf-8") as file:
                lines = file.read().splitlines()
        except (OSError, UnicodeDecodeError):
            return set()
        paths = set()
        for line in lines:
            try:
                path = json.loads(line)
            except ValueError:
                continue  # a torn last line
            if isinstance(path, str):
                paths.add(path)
        return paths

    @staticmethod
    def clear(cache_path: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(_path(cache_path, JOURNAL_FILE))


class Lock:
    """An exclusive ``flock`` on ``CACHE_PATH/fastbuild.lock``."""

    def __init__(self, cache_path: str) -> None:
        os.makedirs(cache_path, exist_ok=True)
        self._fd = os.open(_path(cache_path, LOCK_FILE), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            import fcntl
        except ImportError:  # not POSIX: builds on one CACHE_PATH are not serialised
            logger.warning(
                "fastbuild: no fcntl here: two builds on %s at once would clash",
                cache_path,
            )
            return
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            logger.warning(
                "fastbuild: another build is using %s; waiting for it to finish",
                cache_path,
            )
            fcntl.flock(self._fd, fcntl.LOCK_EX)

    def release(self) -> None:
        if self._fd < 0:
            return
        with contextlib.suppress(OSError, ImportError):
            import fcntl

            fcntl.flock(self._fd, fcntl.LOCK_UN)
        with contextlib.suppress(OSError):
            os.close(self._fd)
        self._fd = -1
