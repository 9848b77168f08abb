"""Incremental builds: render only the pages whose inputs changed.

With ``FASTBUILD_INCREMENTAL = True`` a build keeps its state in
``CACHE_PATH`` (:mod:`.state`) and the next build

- parses again only the content files whose bytes changed (hashes, not
  mtimes: a fresh clone changes every mtime), in the same world
  (:mod:`.readcache`; needs ``FASTBUILD_WORKERS`` > 1, where files are
  parsed by workers);
- renders a ``write_file`` call again only when something it read last time
  has changed: the world (:mod:`.world`: settings, templates, code), a
  name its template looked up in the page's context, the body of a content
  object it read, a file it declared (:mod:`.record`), the call's own
  arguments, or its output files on disk (size and mtime as written);
  anything else, or a call that could not be tracked, is rendered;
- writes a file only when its bytes change (:class:`KeepFile`), so an
  unchanged file keeps its mtime; other outputs (static files, theme
  files, feeds, files written by plugins) get their previous mtime back
  when their bytes are the same;
- deletes the files the previous build wrote and this one did not (and,
  with ``DELETE_OUTPUT_DIRECTORY``, every file Pelican's clean start had
  deleted: the output folder holds exactly this build's files);
- logs one line: pages rendered, written, deleted and reused.

A reused call still runs through Pelican's ``write_file`` with an empty
render: Pelican's overwrite check, ``content_written`` and the log records
its render gave last time happen as in a full build.

:class:`Build` is the state of one build, made by the ``get_generators``
receiver and finished after the ``finalized`` receivers
(:meth:`Build.finish`). Under ``pelican --autoreload`` the state of the
last build stays in memory for the next one.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import logging
import logging.handlers
import os
import sqlite3
import sys
import time
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pelican.plugins import signals

from . import readcache, record, state
from .fingerprint import (
    Fingerprinter,
    Untracked,
    declared_digest,
    digest,
    file_digest,
)
from .mapping import map_in_workers
from .procs import in_child, record_tuples
from .settings import workers_setting
from .unchanged import snapshot
from .world import (
    local_code,
    locale_and_zone,
    sources_fingerprint,
    template_folders,
    theme_static_sources,
    world_fingerprint,
)

__all__ = [
    "INCREMENTAL_SETTING",
    "Build",
    "IncrementalSettingError",
    "KeepFile",
    "end_stale_build",
    "incremental_setting",
    "write_output",
]

logger = logging.getLogger("fastbuild")

INCREMENTAL_SETTING = "FASTBUILD_INCREMENTAL"


# The keyword arguments of ``write_file`` that Pelican's writer paginates
# when it is given no ``paginated`` dict.
_PAGINATED = ("articles", "dates")


class IncrementalSettingError(ValueError):
    """``FASTBUILD_INCREMENTAL`` is not a bool."""


def incremental_setting(settings: Mapping[str, Any]) -> bool:
    value = settings.get(INCREMENTAL_SETTING, False)
    if isinstance(value, bool):
        return value
    raise IncrementalSettingError(
        f"fastbuild: setting {INCREMENTAL_SETTING} = {value!r} is invalid: "
        "expected True or False"
    )


# -- files ---------------------------------------------------------------------


def _kept_stat(path: str, data: bytes) -> os.stat_result | None:
    """The file's stat when it holds exactly ``data``, else None."""
    try:
        found = os.stat(path)
        if found.st_size != len(data):
            return None
        with open(path, "rb") as file:
            return found if file.read() == data else None
    except OSError:
        return None


class KeepFile:
    """What ``open(path, "w")`` gives Pelican's writer in an incremental
    build: the text is kept, and written on close only if the file's bytes
    differ (an unchanged file keeps its mtime). It takes bytes too: the
    standard library's XML writer, which Pelican's feeds go through, wraps
    any file that is not a text stream and writes it encoded bytes."""

    def __init__(
        self,
        path: str,
        encoding: str | None,
        build: Build | None,
        stamps: dict[str, tuple[int, int]] | None = None,
    ) -> None:
        self.path = path
        self.encoding = encoding or "utf-8"
        self._parts: list[bytes] = []
        self._build = build
        self._stamps = stamps  # where to note the file's stamp once closed
        self.wrote = False

    def __enter__(self) -> KeepFile:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()

    def write(self, data: str | bytes) -> int:
        if isinstance(data, str):
            self._parts.append(data.encode(self.encoding))
        else:
            self._parts.append(bytes(data))
        return len(data)

    def close(self) -> None:
        data = b"".join(self._parts)
        self._parts = []
        found = _kept_stat(self.path, data)
        if found is None:
            if self._build is not None:
                self._build.journal_path(self.path)
            with open(self.path, "wb") as file:
                file.write(data)
                if self._stamps is not None:
                    file.flush()  # the bytes on disk: size and mtime final
                    found = os.fstat(file.fileno())
            self.wrote = True
            if self._build is not None:
                self._build.written += 1
        if self._stamps is not None and found is not None:
            self._stamps[self.path] = (found.st_size, found.st_mtime_ns)


def write_output(path: str | os.PathLike[str], data: str | bytes) -> bool:
    """Write an output file outside Pelican's writer (a sitemap, say): only
    when its bytes differ, and known to an incremental build as one of its
    outputs (never deleted as stale, its mtime kept when unchanged).
    Returns whether the file was written. Works without the engine too."""
    path = os.fspath(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    build = _current.build
    if build is not None:
        build.other_outputs.add(os.path.abspath(path))
    if _kept_stat(path, raw) is not None:
        return False
    if build is not None:
        build.journal_path(os.path.abspath(path))
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as file:
        file.write(raw)
    return True


# -- one build -------------------------------------------------------------------


@dataclass
class Plan:
    """What an incremental build does with one recorded ``write_file`` call."""

    key: str
    reuse: bool = False
    decided: bool = False  # whether to reuse it (once: :meth:`Build.decide`)
    row: state.CallRow | None = None  # the previous build's
    localsiteurl: Any = None
    recorder: record.Recorder = field(default_factory=record.Recorder)
    outputs: list[str] = field(default_factory=list)
    records: list[tuple[str, int, str]] = field(default_factory=list)
    # Its fingerprint, when the worker that rendered it took it (None:
    # untracked); else :meth:`Build.done` takes it.
    fingerprint: bytes | None = None
    fingerprinted: bool = False
    # Each output's (size, mtime_ns) as written (or reused), before the
    # receivers of ``content_written`` ran.
    written: dict[str, tuple[int, int]] = field(default_factory=dict)


class _Current:
    build: Build | None = None


_current = _Current()
_memory: dict[str, tuple[state.State, int]] = {}  # autoreload: cache -> state
_inputs: dict[str, Any] = {}  # cache -> the starting build's inputs


def current() -> Build | None:
    return _current.build


def end_stale_build() -> None:
    """End this process's build that raised before ``finalized``
    (``pelican --autoreload`` goes on after an exception): it still holds
    its state's lock and its receivers. Its state is not saved: the next
    build finds the last one unfinished and builds everything."""
    stale = current()
    if stale is not None:
        stale.finish(ok=False)


def kwargs_of(job: Any) -> dict[str, Any]:
    """The extra keyword arguments of a recorded ``write_file`` call."""
    kwargs = job.bound.arguments.get("kwargs", {})
    return kwargs if isinstance(kwargs, dict) else {}


def state_folder(cache_path: str, output_path: str) -> str:
    """Where the state of the builds into ``output_path`` lives: a folder of
    ``CACHE_PATH`` of its own per output folder, so that builds of one site
    into two folders (a preview, a production tree) keep their states."""
    key = hashlib.blake2b(
        os.path.abspath(output_path).encode("utf-8", "surrogateescape"), digest_size=8
    ).hexdigest()
    return os.path.join(os.path.abspath(cache_path), "fastbuild", key)


class Build:
    """The incremental state of one build (see the module doc)."""

    def __init__(self, pelican: Any) -> None:
        settings = pelican.settings
        self.settings = settings
        self.pelican = pelican
        self.output_path = os.path.abspath(pelican.output_path)
        self.cache_path = state_folder(settings["CACHE_PATH"], self.output_path)
        self.started_ns = time.time_ns()
        self.writing_done_ns: int | None = None  # as ``finalized`` is sent
        self._late_removed: list[str] = []
        self._kept_side: set[str] = set()
        self._named_before: set[str] = set()
        self._cleared = False
        self.environments: list[Any] = []
        self.context: Mapping[str, Any] = {}
        self.rendered = 0
        self.written = 0
        self.reused = 0
        self.deleted = 0
        self.pages: dict[str, Plan] = {}  # key -> plan, this build
        self.writer_outputs: set[str] = set()
        self.other_outputs: set[str] = set()
        self._keys: dict[str, int] = {}
        self._world: str | None = None
        # Pelican's LimitFilter drops a message already logged by this process:
        # under --autoreload two rebuilds can log the same summary line.
        for log_filter in list(logger.filters):
            if type(log_filter).__name__ == "LimitFilter":
                logger.removeFilter(log_filter)
        self._lock = state.Lock(self.cache_path)
        try:
            self.previous, why = self._load()
            self.full_reason = why
            state.mark_dirty(self.cache_path)
            self.known = self.previous.known_outputs()
            self._journal = state.Journal(self.cache_path)
        except BaseException:
            self._lock.release()
            raise
        if why is not None:
            # A first build (no state, nothing built yet) is expected; a lost,
            # broken or unfinished state is worth a warning.
            first = why == state.MISSING and not _has_files(self.output_path)
            logger.log(
                logging.INFO if first else logging.WARNING,
                "fastbuild: incremental build: %s; building everything",
                why,
            )
        # Pelican's clean start would delete what this build can keep: the
        # build sweeps the output folder itself at the end instead, also
        # when it turns out to render everything (a setting changed, say).
        self._deletes_output = bool(pelican.delete_outputdir)
        self._sweeps = self._deletes_output and why is None
        self._emptied: set[str] = set()  # folders the build deleted from
        self._themes: set[str] | None = None  # :func:`theme_folders`
        if why is None:
            pelican.delete_outputdir = False
        self.read_rows = state.ReadRows(self.cache_path)
        self.kept_reads: set[str] = set()
        self.new_reads: dict[str, tuple[str, str, str, str, str]] = {}
        self._opened_now: dict[str, str] = {}  # path -> digest, in this process
        self._attaches: dict[str, bool] = {}  # source -> links with {attach}
        # Its inputs as it started, the files its pages declared (the digest
        # first taken in this build) and its warnings and errors: a later
        # build with nothing changed logs them again (:mod:`.unchanged`).
        inputs = _inputs.pop(self.cache_path, None)
        self.inputs = "" if inputs is None else str(inputs.digest)
        self._hashes: Mapping[str, bytes] = {} if inputs is None else inputs.hashes
        self.declared: dict[str, bytes] = {}
        # The locale and time zone as the build starts: Pelican sets the
        # locale of a (locale, format) entry of DATE_FORMATS as it makes
        # each content object (a setting, fingerprinted with the others).
        self.environment = locale_and_zone()
        self.sources = state.Sources()
        self.sources_fp = b""
        self._log = logging.handlers.BufferingHandler(sys.maxsize)  # never flushed
        self._log.setLevel(logging.WARNING)
        logging.getLogger().addHandler(self._log)
        self.build_reads = record.start_build()
        record.install_body_hooks()
        self.copied: set[str] = set()  # what Pelican's copy_file copied
        _CopiedFiles.install()
        # Builds run inside this one (a plugin's second site, Pelican's own:
        # plugin.inside_another_build) and the files their writers wrote.
        self.nested = 0
        self.nested_outputs: set[str] = set()
        signals.content_written.connect(_nested_output)
        signals.feed_written.connect(_nested_output)
        signals.static_generator_finalized.connect(_nested_statics)
        _current.build = self

    @staticmethod
    def starting(cache_path: str, inputs: Any) -> None:
        """The inputs (:class:`.unchanged.Inputs`) of the build about to run
        on ``cache_path``."""
        _inputs[cache_path] = inputs

    def _load(self) -> tuple[state.State, str | None]:
        path = os.path.join(self.cache_path, state.STATE_FILE)
        remembered = _memory.pop(self.cache_path, None)
        if remembered is not None:
            try:
                stamp = os.stat(path).st_mtime_ns
            except OSError:
                stamp = -1
            if stamp == remembered[1]:
                saved = remembered[0]
                saved.journal = state.Journal.read(self.cache_path)
                return (
                    saved,
                    None if not saved.journal else "the last build did not finish",
                )
        return state.load(self.cache_path, self.output_path)

    # -- during the build -----------------------------------------------------

    def journal_path(self, path: str) -> None:
        if path not in self.known:
            self._journal.add(path)

    def add_generator(self, generator: Any) -> None:
        """A generator of this build: its Jinja environment records names."""
        env = getattr(generator, "env", None)
        if env is not None:
            env.context_class = record.RecordingContext
            self.environments.append(env)
        self.context = getattr(generator, "context", self.context)

    @property
    def world(self) -> str:
        if self._world is None:
            folders = template_folders(self.environments)
            folders += _theme_static_folders(self.settings, folders)
            self.sources = state.Sources(templates=folders, code=local_code())
            self.sources_fp = sources_fingerprint(
                self.sources.templates, self.sources.code, self.environment
            )
            self._world = world_fingerprint(self.settings, self.sources_fp)
            if self.full_reason is None:
                if not self._world:
                    self.full_reason = "the settings cannot be fingerprinted"
                elif self._world != self.previous.world:
                    self.full_reason = "settings, templates or code changed"
                if self.full_reason is not None:
                    logger.info(
                        "fastbuild: incremental build: %s; rendering everything",
                        self.full_reason,
                    )
        return self._world

    # -- parsed content files (:mod:`.readcache`) ---------------------------

    def file_hash(self, path: str) -> bytes:
        """The digest of a content file's bytes: taken as the build started
        (:mod:`.unchanged`), else now.

        :raises OSError: the file cannot be read.
        """
        found = self._hashes.get(path)
        return found if found is not None else file_digest(path)

    def has_read(self, path: str, digest_hex: str) -> bool:
        """Did the last build parse the file from the same bytes in the same
        world, with every other file its reader opened then as it was (so
        that its parse is in the state and still right)?"""
        if self.world == "" or self.full_reason is not None:
            return False
        if self.previous.reads.get(path) != digest_hex:
            return False
        return all(
            self._opened_digest(other) == found
            for other, found in self.previous.opened.get(path, ())
        )

    def _opened_digest(self, path: str) -> str:
        """A file a reader opened: the digest of its bytes now, as
        :class:`.readcache.OpenedFiles` takes it (once per process)."""
        found = self._opened_now.get(path)
        if found is None:
            found = self._opened_now[path] = readcache.opened_digest(path)
        return found

    def cached_read(
        self, path: str, digest_hex: str
    ) -> tuple[str, dict[str, Any], str] | None:
        """``(content, metadata, records)`` of a file parsed by the last build
        from the same bytes in the same world, else None. Also in a reading
        worker, which then says so to the main process, where
        :meth:`keep_read` notes it."""
        if not self.has_read(path, digest_hex):
            return None
        row = self.read_rows.get(path)
        if row is None:
            return None
        try:
            content, metadata = readcache.decode(row[0], row[1], self.settings)
        except (ValueError, KeyError, TypeError, IndexError):
            return None
        self.keep_read(path)
        return content, metadata, row[2]

    def note_opened(self, opened: Mapping[str, str] | None) -> None:
        """Files a reader opened while parsing in this process (path ->
        digest): read by the build (their change makes the next one run);
        None: something it could not name (the next build always runs)."""
        if opened is None:
            self.build_reads.reason = "a reader opened a file it could not name"
            return
        for path, found in opened.items():
            self.build_reads.files.setdefault(path, bytes.fromhex(found))

    def keep_read(self, path: str) -> None:
        """A file's parse is taken from the state: its row is kept."""
        self.kept_reads.add(path)

    def store_read(
        self, path: str, digest_hex: str, stored: tuple[str, str, str, str]
    ) -> None:
        """Keep a file's parse for the next build: ``(content, metadata,
        records, opened)`` as :func:`.readcache.stored` made them (in the
        worker that parsed the file)."""
        self.new_reads[path] = (digest_hex, *stored)

    def plan(self, jobs: list[Any], context: Mapping[str, Any]) -> list[Plan | None]:
        """A plan per job of a batch (None for a feed: always written);
        whether a call is reused is decided as it comes to be rendered
        (:meth:`decide`), by the worker that renders it when there is one."""
        self.world  # noqa: B018 - decides full_reason before anything is reused
        fingerprints = Fingerprinter(self.settings)
        self._fingerprints = fingerprints
        self._bodies: dict[int, bytes] = {}  # content objects stay in the context
        localsiteurl = context.get("localsiteurl")
        plans: list[Plan | None] = []
        for job in jobs:
            if job.is_feed:
                plans.append(None)
                continue
            arguments = job.bound.arguments
            name = str(arguments["name"])
            count = self._keys.get(name, 0)
            self._keys[name] = count + 1
            plan = Plan(f"{name}#{count}" if count else name)
            # The shared context's localsiteurl the render sees (content
            # objects resolve their links with it): a relative call sets its
            # own, from its name.
            relative = bool(arguments.get("relative_urls"))
            plan.localsiteurl = "own" if relative else localsiteurl
            if relative:
                # What Pelican's write_file leaves in the shared context for
                # the next call: the relative URL of this call's last page,
                # which the name and the length of the paginated lists decide.
                paginated = arguments.get("paginated")
                if paginated is None:
                    paginated = {
                        k: v
                        for k, v in kwargs_of(job).items()
                        if k in ("articles", "dates")
                    }
                sizes = tuple(
                    len(v) if hasattr(v, "__len__") else -1 for v in paginated.values()
                )
                localsiteurl = ("relative", name, sizes)
            plans.append(plan)
        self._seed(fingerprints, jobs, plans, context)
        return plans

    def _seed(
        self,
        fingerprints: Fingerprinter,
        jobs: list[Any],
        plans: list[Plan | None],
        context: Mapping[str, Any],
    ) -> None:
        """Fingerprint once, shared out among the workers, the objects of the
        lists that the batch's pages read in the last build (the stories of
        an index, a tag or a category page; the editions of the digest's;
        for a page new to this build, the lists it is given), before the
        pages are decided or rendered: each worker fingerprinting pages
        would otherwise walk every one its pages reach."""
        sequences: dict[int, Any] = {}
        pages = 0
        for job, plan in zip(jobs, plans, strict=True):
            if plan is None:
                continue
            pages += 1
            row = self.previous.calls.get(plan.key)
            kwargs = kwargs_of(job)
            names = row.reads[0] if row is not None and row.reads else list(kwargs)
            paginated = job.bound.arguments.get("paginated") or {}
            values = [kwargs.get(name, context.get(name)) for name in names]
            values += [kwargs.get(name) for name in _PAGINATED]
            values += list(paginated.values()) if isinstance(paginated, dict) else []
            for value in values:
                if isinstance(value, list | tuple) and len(value) > 1:
                    sequences.setdefault(id(value), value)
        if pages < _SEEDING_PAGES * workers_setting(self.settings):
            return
        items: list[Any] = []
        seen: set[int] = set()
        for value in sequences.values():
            for item in value:
                if not isinstance(item, _NOT_SEEDED) and id(item) not in seen:
                    seen.add(id(item))
                    items.append(item)
        held: list[Fingerprinter] = []

        def taken(item: Any) -> bytes | None:
            if not held:  # one per worker; this batch's own when run here
                held.append(
                    Fingerprinter(self.settings) if in_child() else fingerprints
                )
            try:
                return held[0].of(item)
            except Untracked:
                return None

        found = map_in_workers(taken, items, self.settings)
        logger.debug(
            "fastbuild: %d shared objects fingerprinted for %d pages",
            len(items),
            pages,
        )
        for item, fingerprint in zip(items, found, strict=True):
            if fingerprint is not None:
                fingerprints.seed(item, fingerprint)

    def decide(self, job: Any, plan: Plan) -> bool:
        """Reuse the call of ``plan``? Yes when the last build's call of the
        same key left its files as they were and read nothing that has
        changed since (its fingerprint, taken again, is the same). Decided
        once per call: a later ask gets the same answer."""
        if plan.decided:
            return plan.reuse
        plan.decided = True
        row = self.previous.calls.get(plan.key)
        if self.full_reason is None and row is not None and self._outputs_kept(row):
            reads = record.Recorder.from_data(row.reads)
            context = job.bound.arguments["context"]
            if reads.reason is None and not self._reads_attach(reads, context):
                fp = self.fingerprint(job, plan, reads, context)
                if fp is not None and fp == row.fingerprint:
                    self.reuse(plan)
        return plan.reuse

    def _reads_attach(self, reads: record.Recorder, context: Mapping[str, Any]) -> bool:
        """Did the call read the body of content that links with
        ``{attach}``? The first render of such content moves the static
        file it attaches, so every such call is rendered, in the order of a
        full build, for the file to end where a full build puts it (a site
        with such links renders in this process)."""
        if not reads.bodies:
            return False
        contents = context.get("generated_content", {})
        known = self._attaches
        for source in reads.bodies:
            found = known.get(source)
            if found is None:
                found = known[source] = links_attach(contents.get(source))
            if found:
                return True
        return False

    def reuse(self, plan: Plan) -> None:
        """The call of ``plan`` is reused (decided here or by a worker)."""
        plan.decided = plan.reuse = True
        plan.row = self.previous.calls[plan.key]

    def _outputs_kept(self, row: state.CallRow) -> bool:
        kept = all(state.as_left(*output) for output in row.outputs)
        return kept and bool(row.outputs)

    def fingerprint(
        self,
        job: Any,
        plan: Plan,
        reads: record.Recorder,
        context: Mapping[str, Any],
    ) -> bytes | None:
        """The fingerprint of a call and what it read (None: untracked)."""
        fingerprints = self._fingerprints
        arguments = job.bound.arguments
        kwargs = arguments.get("kwargs", {})
        template = arguments["template"]
        template = getattr(template, "real", template)
        parts = [self.world.encode(), plan.key.encode()]
        try:
            keys = ("name", "relative_urls", "template_name", "override_output", "url")
            call = [arguments.get(key) for key in keys]
            call += [plan.localsiteurl, arguments.get("paginated")]
            parts.append(fingerprints.of(call))
            parts.append(fingerprints.of(template))
            # The keyword arguments the page read, and those Pelican's writer
            # paginates (``articles``, ``dates``: the pages' ``*_page``
            # objects are made from them); one it did not read cannot change
            # it (a list of every story, ``all_articles`` say).
            paginated = () if arguments.get("paginated") else _PAGINATED
            for key in sorted(kwargs):
                if key in reads.names or key in paginated:
                    parts += [key.encode(), fingerprints.of(kwargs[key])]
            globals_ = getattr(getattr(template, "environment", None), "globals", {})
            for name in sorted(reads.names):
                if name in kwargs:
                    continue  # above
                if name in context:
                    value = context[name]
                elif name in globals_:
                    value = globals_[name]
                else:
                    parts.append(b"absent:" + name.encode())
                    continue
                parts += [name.encode(), fingerprints.of(value)]
            contents = context.get("generated_content", {})
            for source in sorted(reads.bodies):
                content = contents.get(source)
                if content is None:
                    return None
                parts += [source.encode(), self._body(content, context)]
            for path in sorted(reads.files):
                found = self.declared.get(path)
                if found is None:
                    found = self.declared[path] = declared_digest(path)
                parts += [path.encode(), found]
        except Untracked as err:
            logger.debug("fastbuild: %s is untracked: %s", plan.key, err)
            return None
        return digest(*parts)

    def _body(self, content: Any, context: Mapping[str, Any]) -> bytes:
        """A content object's body, and the link table when it links
        (once per batch)."""
        bodies = self._bodies
        found = bodies.get(id(content))
        if found is None:
            found = bodies[id(content)] = self._body_of(content, context)
        return found

    def _body_of(self, content: Any, context: Mapping[str, Any]) -> bytes:
        parts = [
            self._fingerprints.of(vars(content).get("_content")),
            self._fingerprints.of(vars(content).get("_summary")),
            self._fingerprints.of(getattr(type(content), "_get_content", None)),
        ]
        text = vars(content).get("_content")
        if not isinstance(text, str) or "{" in text or "|" in text:
            parts.append(self._links(context))
        return digest(*parts)

    def _links(self, context: Mapping[str, Any]) -> bytes:
        """What intrasite links resolve to: every content's and static
        file's URL (once per batch)."""
        cached = getattr(self._fingerprints, "_fastbuild_links", None)
        if cached is not None:
            return cached
        parts: list[bytes] = []
        for key in ("generated_content", "static_content"):
            table = context.get(key) or {}
            for source in sorted(table):
                item = table[source]
                try:
                    url = getattr(item, "url", "")
                except Exception:
                    url = "?"
                parts += [source.encode(), str(url).encode()]
        links = digest(*parts)
        self._fingerprints._fastbuild_links = links  # type: ignore[attr-defined]
        return links

    def done(self, job: Any, plan: Plan, context: Mapping[str, Any]) -> None:
        """A page call has been written (or reused): keep its row, unless a
        receiver of ``content_written`` changed one of its files (a plugin
        that rewrites pages in place: its next run must get the page as
        rendered, so the call is rendered again every build)."""
        outputs = []
        changed = False
        for path in plan.outputs:
            stamp = state.file_stamp(path)
            if stamp is None:
                return  # not written: nothing to keep
            outputs.append((path, *stamp))
            written = plan.written.get(path)
            changed = changed or (written is not None and written != stamp)
        row = plan.row if plan.reuse else None
        if row is not None:
            self.reused += 1
        else:
            self.rendered += 1
        if changed:
            # Not fingerprinted: the call is rendered again next build.
            logger.debug("fastbuild: %s was changed after it was written", plan.key)
            return
        if row is not None:
            fp, reads, records = row.fingerprint, row.reads, row.records
        else:
            if plan.fingerprinted:
                fingerprint = plan.fingerprint
            else:
                fingerprint = self.fingerprint(job, plan, plan.recorder, context)
            if fingerprint is None:
                return
            fp = fingerprint
            reads = list(plan.recorder.as_data())
            records = plan.records
        self.pages[plan.key] = state.CallRow(fp, reads, outputs, records)

    # -- the end ----------------------------------------------------------------

    def before_finalized(self) -> None:
        """Pelican's writer is done; ``finalized`` receivers run next, and see
        the output folder as a fresh build leaves it: the files the last
        build wrote and this one did not are deleted now, and so are those
        the last build's receivers wrote on their own (compressed copies of
        the pages, say), for the receivers to make them from this build's
        files (one with the same bytes gets its mtime back)."""
        self.writing_done_ns = _next_tick(self.cache_path)
        self._named_before = self._named()
        left = self.previous.files
        for path in sorted(set(self.previous.late) & set(self.previous.side)):
            stamp = left.get(path)
            if retained(path, self.output_path, self.settings) or stamp is None:
                continue
            if state.as_left(path, *stamp):
                self._delete(path, counted=False)
                self._late_removed.append(path)
        self._clear()

    def _clear(self) -> None:
        """Delete what this build did not write (:meth:`before_finalized`):
        of the files the last builds left, and with ``DELETE_OUTPUT_DIRECTORY``
        of every file in the output folder."""
        if self._sweeps:
            found = list(files_under(self.output_path))
        else:
            found = sorted(self.known)
        outputs, _, _ = self._outputs_of_this_build(found)
        # What the last build wrote once its writer was done is this build's
        # to write again (a sitemap written at ``finalized``): it goes after
        # the receivers, if they do not (:meth:`_finish`).
        outputs |= set(self.previous.late)
        # A plugin's side output that this build did not write again (a
        # bundle, a thumbnail it found up to date; the page that made it was
        # reused) is kept while it is as the last build left it: nothing
        # says a full build would not make it.
        left = self.previous.files
        for path in self.previous.side:
            stamp = left.get(path)
            if path in outputs:
                continue  # written again, or left to this build's receivers
            if stamp and state.as_left(path, *stamp):
                outputs.add(path)
                self._kept_side.add(path)
        for path in sorted(self.known - outputs):
            self._delete(path)
        if self._sweeps:
            for path in strays(found, outputs, self.output_path, self.settings):
                self._delete(path)
            self._delete_empty_folders()
        self._cleared = True

    def finish(self, ok: bool) -> None:
        """After the ``finalized`` receivers (``ok``: the build got there)."""
        _current.build = None
        logging.getLogger().removeHandler(self._log)
        record.stop_build()
        record.remove_body_hooks()
        _CopiedFiles.remove()
        signals.content_written.disconnect(_nested_output)
        signals.feed_written.disconnect(_nested_output)
        signals.static_generator_finalized.disconnect(_nested_statics)
        self.read_rows.close()
        self.pelican.delete_outputdir = self._deletes_output
        try:
            if ok:
                self._finish()
        finally:
            self._journal.close()
            self._lock.release()

    def _finish(self) -> None:
        if not self._cleared:
            self._clear()
        found = list(files_under(self.output_path))
        outputs, others, side = self._outputs_of_this_build(found)
        others |= self._kept_side
        side |= self._kept_side
        for path in sorted(set(self.previous.late) - outputs):
            self._delete(path)
        # Before any mtime is given back below (which sets the change time).
        late = (self._named() - self._named_before) | self._late(side)
        # What the last build's receivers wrote and this build's did not.
        self.deleted += sum(not os.path.exists(p) for p in self._late_removed)
        files: dict[str, tuple[int, int]] = {}
        hashes: dict[str, str] = {}
        for path in sorted(others):
            try:
                found = os.stat(path)
                digest_hex = file_digest(path).hex()
            except OSError:
                continue
            mtime = found.st_mtime_ns
            before = self.previous.files.get(path)
            if (
                before is not None
                and self.previous.hashes.get(path) == digest_hex
                and before[1] != mtime
            ):
                os.utime(path, ns=(found.st_atime_ns, before[1]))
                mtime = before[1]
            files[path] = (found.st_size, mtime)
            hashes[path] = digest_hex
        reads = {path: row[0] for path, row in self.new_reads.items()}
        opened = {
            path: readcache.opened_of(row[4])
            for path, row in self.new_reads.items()
            if row[4] != "[]"
        }
        for path in self.kept_reads - reads.keys():
            reads[path] = self.previous.reads[path]
            if path in self.previous.opened:
                opened[path] = self.previous.opened[path]
        world = self.world
        declared = dict(self.build_reads.files)
        for row in self.pages.values():
            for path in _declared(row.reads):
                if path not in declared:
                    found = self.declared.get(path) or declared_digest(path)
                    declared[path] = found
        # The other files the readers opened (they may lie outside PATH): a
        # change to one makes the next build run, and parse again.
        for pairs in opened.values():
            for path, found in pairs:
                declared.setdefault(path, bytes.fromhex(found))
        self.sources.declared = sorted(declared)
        # Something the build read outside any page cannot be tracked: the
        # next build never takes itself for one with nothing to do.
        kept = "" if self.build_reads.reason is not None else self.inputs
        saved = state.State(
            world=world,
            clean=True,
            snapshot=snapshot(kept, self.sources_fp, declared),
            sources=self.sources,
            log=record_tuples(self._log.buffer),
            calls=self.pages,
            files=files,
            hashes=hashes,
            reads=reads,
            opened=opened,
            side=sorted(side & files.keys()),
            late=sorted(late & files.keys()),
        )
        try:
            state.save(
                self.cache_path,
                self.output_path,
                saved,
                self.kept_reads,
                self.new_reads,
            )
        except (OSError, sqlite3.Error) as err:
            # A full disk, say: the output is complete, and the state on disk
            # is the last one, marked unfinished since this build started.
            logger.warning(
                "fastbuild: incremental build: the state could not be saved in "
                "%s (%s); the output is complete, the next build builds "
                "everything",
                self.cache_path,
                err,
            )
        else:
            with contextlib.suppress(OSError):
                _memory[self.cache_path] = (
                    saved,
                    os.stat(
                        os.path.join(self.cache_path, state.STATE_FILE)
                    ).st_mtime_ns,
                )
        logger.info(
            "fastbuild: incremental build: %d pages rendered, %d files written, "
            "%d deleted, %d pages reused",
            self.rendered,
            self.written,
            self.deleted,
            self.reused,
        )

    def _outputs_of_this_build(
        self, found: list[str]
    ) -> tuple[set[str], set[str], set[str]]:
        """(every output of this build, those not written by a tracked call,
        those of them written by something the engine cannot name), from the
        files ``found`` in the output folder."""
        tracked = {path for row in self.pages.values() for path, _, _ in row.outputs}
        others = set(self.other_outputs) | (self.writer_outputs - tracked)
        for static in _static_outputs(self.context, self.output_path):
            if os.path.exists(static):
                others.add(static)
        others |= {path for path in self.copied if os.path.exists(path)}
        # A build run inside this one writes every file each time: one it
        # did not write is gone.
        others |= {path for path in self.nested_outputs if os.path.exists(path)}
        side: set[str] = set()
        # A page of the last build that no call wrote this time is stale,
        # even when something touched it during the build (a minifier).
        pages = {p for row in self.previous.calls.values() for p, _, _ in row.outputs}
        for path in found:
            if path in tracked or path in others or path in pages:
                continue
            with contextlib.suppress(OSError):
                if os.stat(path).st_ctime_ns >= self.started_ns:
                    side.add(path)  # written during this build, by a plugin
        return tracked | others | side, others | side, side

    def _named(self) -> set[str]:
        """The files written so far that the engine can name (but pages)."""
        return (
            self.other_outputs | self.writer_outputs | self.nested_outputs | self.copied
        )

    def _late(self, paths: set[str]) -> set[str]:
        """The files of ``paths`` written once Pelican's writer was done (by
        their mtime: a receiver that only changes a file's mode, as a deploy
        step may, leaves it as it was), but under ``OUTPUT_RETENTION``."""
        done = self.writing_done_ns
        if done is None:
            return set()
        late = set()
        for path in paths:
            with contextlib.suppress(OSError):
                if os.stat(path).st_mtime_ns >= done and not retained(
                    path, self.output_path, self.settings
                ):
                    late.add(path)
        return late

    def _delete_empty_folders(self) -> None:
        """Empty folders that Pelican's clean start would not leave: neither
        copies of the theme's static folders (:func:`theme_folders`) nor
        made during this build nor under a name of ``OUTPUT_RETENTION``. A
        folder this sweep emptied was there before the build."""
        themes = self._theme_folders()
        emptied = self._emptied
        found = empty_folders(self.output_path, self.settings)
        # The deepest first: a folder whose folders went is then empty.
        for rel in sorted(found, key=lambda rel: rel.count(os.sep), reverse=True):
            folder = os.path.join(self.output_path, rel)
            if folder in themes:
                continue
            # A folder inside it that stays (a theme's) makes rmdir refuse.
            with contextlib.suppress(OSError):
                if folder in emptied or os.stat(folder).st_ctime_ns < self.started_ns:
                    os.rmdir(folder)
                    emptied.add(os.path.dirname(folder))

    def _theme_folders(self) -> set[str]:
        if self._themes is None:
            self._themes = theme_folders(self.settings, self.output_path)
        return self._themes

    def _delete(self, path: str, counted: bool = True) -> None:
        """Delete ``path`` and the folders it leaves empty (``counted``: in
        the build's line; a file that receivers may make again is counted
        once the build knows they did not)."""
        if not path.startswith(self.output_path + os.sep):
            return
        try:
            os.unlink(path)
        except FileNotFoundError:
            return
        except OSError as err:
            logger.warning("fastbuild: cannot delete the stale file %s: %s", path, err)
            return
        self.deleted += counted
        folder = os.path.dirname(path)
        themes = self._theme_folders()
        while folder.startswith(self.output_path + os.sep) and folder not in themes:
            self._emptied.add(folder)
            try:
                os.rmdir(folder)  # only when empty
            except OSError:
                break
            folder = os.path.dirname(folder)


def links_attach(content: Any) -> bool:
    """Does a content object's body or summary link with ``{attach}``?"""
    fields = getattr(content, "__dict__", None) or {}
    for key in ("_content", "_summary"):
        text = fields.get(key)
        if not isinstance(text, str) or "attach" not in text:
            continue
        pattern = getattr(content, "_get_intrasite_link_regex", None)
        if pattern is None or any(
            m.group("what") == "attach" for m in pattern().finditer(text)
        ):
            return True
    return False


def _theme_static_folders(settings: Mapping[str, Any], known: list[str]) -> list[str]:
    """The theme's static folders (``THEME_STATIC_PATHS``): a template may
    read their files through a Jinja extension (pelican-webassets writes a
    hash of each bundle's sources into every page), so they belong to the
    world like the templates."""
    return sorted(
        folder
        for folder in theme_static_sources(settings)
        if folder not in known and os.path.exists(folder)
    )


def _nested_output(path: str, **kwargs: Any) -> None:
    """``content_written`` and ``feed_written`` while an incremental build
    runs: a file written by a build run inside it (see :attr:`Build.nested`)."""
    build = _current.build
    if build is not None and build.nested:
        build.nested_outputs.add(os.path.abspath(path))


def _nested_statics(generator: Any) -> None:
    """``static_generator_finalized`` while an incremental build runs: the
    static files of a build run inside it (copied without a signal)."""
    build = _current.build
    if build is not None and build.nested:
        context = {"staticfiles": getattr(generator, "staticfiles", None)}
        build.nested_outputs.update(_static_outputs(context, generator.output_path))


class _CopiedFiles:
    """Pelican's ``copy_file`` (which copies the theme's static files) while
    an incremental build runs: it notes each file it copied, an output of
    the build like a static file (when the theme loses the file, the copy
    goes)."""

    installed: Any = None  # our wrapper, while it is in place
    original: Any = None  # what it wraps

    @classmethod
    def install(cls) -> None:
        import pelican.utils

        if pelican.utils.copy_file is cls.installed and cls.installed is not None:
            return
        original = pelican.utils.copy_file

        def copy_file(source: str, destination: str) -> None:
            original(source, destination)
            build = _current.build
            if build is not None:
                build.copied.add(os.path.abspath(destination))

        cls.installed, cls.original = copy_file, original
        pelican.utils.copy_file = copy_file

    @classmethod
    def remove(cls) -> None:
        import pelican.utils

        # Only ours: a plugin's wrapper put over it since stays as it is.
        if cls.installed is not None and pelican.utils.copy_file is cls.installed:
            pelican.utils.copy_file = cls.original
        cls.installed = cls.original = None


def _declared(reads: Any) -> list[str]:
    """The files a call declared, from its recorded reads (names, bodies,
    files, reason)."""
    if isinstance(reads, list | tuple) and len(reads) > 2:
        return [str(path) for path in reads[2] or ()]
    return []


# A batch of at least this many pages a worker has the objects its pages
# share fingerprinted up front (:meth:`Build._seed`).
_SEEDING_PAGES = 8
# Values of the context's lists that are not seeded: containers and scalars
# (walked, where pages reach them, from what holds them).
_NOT_SEEDED = (str, bytes, int, float, list, tuple, dict, set, frozenset)


def files_under(folder: str) -> Iterable[str]:
    """Every file under ``folder``."""
    for root, _dirs, files in os.walk(folder):
        for name in files:
            yield os.path.join(root, name)


def strays(
    found: Iterable[str],
    outputs: Container[str],
    output_path: str,
    settings: Mapping[str, Any],
) -> list[str]:
    """The files ``found`` in the output folder that Pelican's clean start
    (``DELETE_OUTPUT_DIRECTORY``) would not leave: neither ``outputs`` nor
    under a name of ``OUTPUT_RETENTION``."""
    return [
        path
        for path in found
        if path not in outputs and not retained(path, output_path, settings)
    ]


def retained(path: str, output_path: str, settings: Mapping[str, Any]) -> bool:
    """Is ``path`` under a name of ``OUTPUT_RETENTION`` (which Pelican's
    clean start keeps: a deployment's ``.git``, say)?"""
    top = os.path.relpath(path, output_path).split(os.sep)[0]
    return top in (settings.get("OUTPUT_RETENTION") or ())


def theme_folders(settings: Mapping[str, Any], output_path: str) -> set[str]:
    """The folders Pelican makes in the output folder when it copies the
    theme's static files (``THEME_STATIC_PATHS`` into ``THEME_STATIC_DIR``,
    every folder of each, empty or not, but those ``IGNORE_FILES`` names),
    with the folders above them: absolute paths."""
    ignores = list(settings.get("IGNORE_FILES") or [])
    output = os.path.abspath(output_path)
    top = os.path.normpath(
        os.path.join(output, str(settings.get("THEME_STATIC_DIR", "theme")))
    )

    def ignored(name: str) -> bool:
        return any(fnmatch.fnmatch(name, pattern) for pattern in ignores)

    found: set[str] = set()
    for source in theme_static_sources(settings):
        if ignored(os.path.basename(source)):
            continue
        if os.path.isfile(source):
            found.add(top)
        elif os.path.isdir(source):
            for root, dirs, _files in os.walk(source, followlinks=True):
                dirs[:] = [d for d in dirs if not ignored(d)]
                found.add(
                    os.path.normpath(os.path.join(top, os.path.relpath(root, source)))
                )
    for folder in list(found):
        while folder.startswith(output + os.sep):
            found.add(folder)
            folder = os.path.dirname(folder)
    return found


def empty_folders(output_path: str, settings: Mapping[str, Any]) -> list[str]:
    """The folders under ``output_path`` that hold no file, however deep
    (relative paths, sorted), but under a name of ``OUTPUT_RETENTION``."""
    holding: set[str] = set()  # folders with a file somewhere inside
    empty: list[str] = []
    for root, dirs, files in os.walk(output_path, topdown=False):
        if root == output_path:
            continue
        rel = os.path.relpath(root, output_path)
        links = any(os.path.islink(os.path.join(root, name)) for name in dirs)
        if files or links or root in holding:
            holding.add(os.path.dirname(root))
        elif not retained(root, output_path, settings):
            empty.append(rel)
    return sorted(empty)


def _next_tick(folder: str) -> int:
    """A modification time that every file written from now on has, and
    none written before: file systems stamp files from a clock that may
    tick every few milliseconds, so the first new tick's time, seen on a
    file of ``folder`` touched until it changes (``time.time_ns()`` when it
    cannot be touched)."""
    marker = os.path.join(folder, "fastbuild-tick")
    try:
        with open(marker, "wb"):
            pass
        first = os.stat(marker).st_mtime_ns
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            os.utime(marker)  # the file system's clock, as a write sets it
            now = os.stat(marker).st_mtime_ns
            if now != first:
                return now
    except OSError:
        pass
    return time.time_ns()


def _has_files(folder: str) -> bool:
    return next(iter(files_under(folder)), None) is not None


def _static_outputs(context: Mapping[str, Any], output_path: str) -> Iterable[str]:
    """The static files of this build (a file Pelican found up to date is
    not copied, yet it is an output)."""
    for static in context.get("staticfiles", []) or []:
        save_as = getattr(static, "save_as", None)
        source = getattr(static, "source_path", None)
        # A file linked from content but gone from disk is listed, yet
        # Pelican cannot copy it: a full build has no such output.
        if save_as and (source is None or os.path.exists(source)):
            yield os.path.abspath(os.path.join(output_path, save_as))
