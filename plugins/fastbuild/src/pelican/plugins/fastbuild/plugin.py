"""Signal receivers of pelican-fastbuild and ``register()``.

``register()`` connects four receivers that patch nothing (but the ``run``
of a ``Pelican`` object with ``FASTBUILD_INCREMENTAL``) and decide, for
every build, whether the engine is on:

- ``initialized`` (once per ``Pelican`` object): ``FASTBUILD_WORKERS``,
  ``FASTBUILD_MARKDOWN`` and ``FASTBUILD_INCREMENTAL`` are validated before
  anything is read; with ``FASTBUILD_INCREMENTAL = True`` the object's
  ``run`` is wrapped so that a build whose inputs are all unchanged stops
  before Pelican's generators (:mod:`.unchanged`);
- ``get_generators`` (sent by every ``Pelican.run()``, so also by every
  rebuild of ``pelican --autoreload``, which reuses its ``Pelican`` object
  until the settings file changes): with more than one worker and
  :func:`os.fork` available the engine is switched on for this build, that
  is for the generators, readers and writer made with this ``Pelican``'s
  settings object; otherwise it is made sure to be off;
- ``all_generators_finalized``: every generator has grouped its
  translations; Pelican's ``process_translations`` is put back, and the
  complete context is held out of the garbage collector's passes
  (:func:`.procs.hold_objects`);
- ``finalized``: the engine is switched off (the objects it held are
  released when the next build starts: a one-shot build exits without a
  last full collection).

Switched on means, and nothing else: the receivers of ``generator_init``
(which has Pelican's generators group translations with
:func:`.translations.process_translations_by_group` once a generator of the
build exists, and turns off Jinja's ``auto_reload`` in the generator's
environment: a template is loaded once a build, not looked up on disk at
every ``include``), of ``article_generator_pretaxonomy`` (linear taxonomies), of
``article_generator_preread`` and ``page_generator_preread`` (parallel
reading), of ``get_writer`` (the parallel writer) and of
``content_object_init`` (every 5,000 content objects, the objects made so
far are held out of the collector's passes) are connected; each acts
only for the build's own generators (same settings object), so a generator
made outside a build, by a test say, gets Pelican's behaviour. Switching on
also has ``Content._expand_settings`` remember the URLs it made
(:mod:`.urls`), and ``SafeDatetime.strftime`` and ``pelican.contents.slugify``
take the display dates and slugs the reading workers made (:mod:`.warm`);
switching off puts Pelican's functions back. Switched off,
none of them is connected, and a build is Pelican's own. A build that raises
before ``finalized`` leaves the engine on until the next build starts (its
``get_generators`` decides again) or :func:`switch_off` is called.

A fifth receiver, of ``readers_init``, is independent of the switch: with
``FASTBUILD_MARKDOWN = "commonmark"`` it has the Markdown extensions read by
the CommonMark reader (:mod:`.commonmark`), at any worker count; with the
default it does nothing.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from typing import Any

from blinker import Signal
from pelican.plugins import signals

from . import incremental, reading, translations, unchanged, urls, warm
from .commonmark import use_commonmark
from .incremental import incremental_setting
from .procs import can_fork, hold_objects, note_made, release_objects
from .settings import markdown_setting, workers_setting
from .taxonomy import index_taxonomies
from .writer import ParallelWriter

__all__ = ["building", "register", "switch_off"]

logger = logging.getLogger("fastbuild")


class _Switch:
    """The settings object of the build the engine is on for (None: off)."""

    settings: Mapping[str, Any] | None = None


_switch = _Switch()


def building(settings: Any) -> bool:
    """Is the engine on for the build with this settings object?"""
    return settings is not None and settings is _switch.settings


def _ours(generator: Any) -> bool:
    return building(getattr(generator, "settings", None))


def on_generator_init(generator: Any) -> None:
    if _ours(generator):
        translations.install()
        env = getattr(generator, "env", None)
        if env is not None:
            # A build's templates are its inputs as they stood when it began
            # (its generators are made anew by every build, also in watch
            # mode): each is loaded once, not checked on disk at every use.
            env.auto_reload = False
        build = incremental.current()
        if build is not None and build.settings is generator.settings:
            build.add_generator(generator)


def on_pretaxonomy(generator: Any) -> None:
    if _ours(generator):
        reading.settle(generator)  # its reading loop is over
        index_taxonomies(generator)


def on_article_preread(generator: Any) -> None:
    if _ours(generator):
        reading.on_article_preread(generator)


def on_page_preread(generator: Any) -> None:
    if _ours(generator):
        reading.on_page_preread(generator)


def on_content_object(content: Any) -> None:
    """``content_object_init``: a content object lives as long as the build
    (:func:`.procs.note_made`)."""
    note_made()


def on_get_writer(pelican: Any) -> type[ParallelWriter] | None:
    """The parallel writer for the build's own ``Pelican``."""
    return ParallelWriter if building(pelican.settings) else None


# What switching the engine on connects, and switching it off disconnects.
_BUILD_RECEIVERS: tuple[tuple[Signal, Callable[..., Any]], ...] = (
    (signals.generator_init, on_generator_init),
    (signals.article_generator_pretaxonomy, on_pretaxonomy),
    (signals.article_generator_preread, on_article_preread),
    (signals.page_generator_preread, on_page_preread),
    (signals.get_writer, on_get_writer),
    (signals.content_object_init, on_content_object),
)


def switch_on(settings: Mapping[str, Any]) -> None:
    _switch.settings = settings
    urls.install()
    warm.install()
    for signal, receiver in _BUILD_RECEIVERS:
        signal.connect(receiver)


def switch_off() -> None:
    """Pelican's own build again: the translation grouping put back and the
    build receivers disconnected (a no-op when the engine is off)."""
    _switch.settings = None
    translations.uninstall()
    urls.uninstall()
    warm.uninstall()
    for signal, receiver in _BUILD_RECEIVERS:
        signal.disconnect(receiver)


def on_initialized(pelican: Any) -> None:
    """Validate the settings before anything is read; with
    ``FASTBUILD_INCREMENTAL``, a build whose inputs are all unchanged stops
    before Pelican's generators (:mod:`.unchanged`)."""
    workers_setting(pelican.settings)
    markdown_setting(pelican.settings)
    if incremental_setting(pelican.settings):
        run = pelican.run
        pelican.run = functools.partial(unchanged.run_unless_unchanged, pelican, run)


def on_build_start(pelican: Any) -> None:
    """``get_generators``: on for this build with more than one worker, or
    with ``FASTBUILD_INCREMENTAL`` (then at one worker or without
    :func:`os.fork`, everything is done in this process). A build run
    inside another one is Pelican's own, and the outer build's engine stays
    as it is."""
    if unchanged.inside_another_build(pelican):
        outer = incremental.current()
        if outer is not None:
            outer.nested += 1
            # Its inputs are not the outer build's: the next outer build
            # always runs (and so runs this one).
            outer.build_reads.reason = "a build ran inside it"
        return
    switch_off()
    reading.stop_all()  # the reading workers of a build that raised
    # What the last build held goes back to the collector now, not at its
    # end: a one-shot build exits without walking it once more.
    release_objects()
    incremental.end_stale_build()
    if incremental_setting(pelican.settings):
        switch_on(pelican.settings)
        try:
            incremental.Build(pelican)
            return
        except OSError as err:
            # CACHE_PATH is a file, a folder it cannot write, a full disk:
            # the build goes on as one that keeps no state.
            logger.warning(
                "fastbuild: CACHE_PATH %r cannot hold the incremental build's "
                "state (%s): building everything, without a state",
                pelican.settings.get("CACHE_PATH"),
                err,
            )
            switch_off()
    if workers_setting(pelican.settings) == 1:
        return
    if not can_fork():
        logger.debug("fastbuild: os.fork is not available; building serially")
        return
    switch_on(pelican.settings)


def on_contexts_done(generators: Any) -> None:
    """``all_generators_finalized``: translations are grouped; the context,
    complete, is held out of the collector's passes until ``finalized``."""
    translations.uninstall()
    reading.settle_all()  # every file was asked for: the workers are done
    if _switch.settings is not None:
        hold_objects()


def on_finalized(pelican: Any) -> None:
    if not unchanged.inside_another_build(pelican):
        switch_off()
        return
    outer = incremental.current()
    if outer is not None and outer.nested:
        outer.nested -= 1


def register() -> None:
    """Connect the engine's switch (module-level functions: connecting again
    is a no-op, so a second ``register()`` or build in one process is safe)."""
    signals.initialized.connect(on_initialized)
    signals.get_generators.connect(on_build_start)
    signals.all_generators_finalized.connect(on_contexts_done)
    signals.finalized.connect(on_finalized)
    signals.readers_init.connect(use_commonmark)
