"""Signal receivers of the parallel build engine and ``register()``."""

from __future__ import annotations

import logging
from typing import Any

from pelican.plugins import signals

from .procs import can_fork
from .reading import on_article_preread, on_page_preread
from .settings import workers_setting
from .taxonomy import index_taxonomies
from .translations import install as install_translations
from .writer import ParallelWriter

__all__ = ["register"]

logger = logging.getLogger(__name__)


def on_initialized(pelican: Any) -> None:
    """Validate ``CX_DIGEST_WORKERS`` before anything is read."""
    workers_setting(pelican.settings)


def on_get_writer(pelican: Any) -> type[ParallelWriter] | None:
    """The parallel writer, or None (Pelican's own) for a serial build."""
    if workers_setting(pelican.settings) == 1:
        return None
    if not can_fork():
        logger.debug("cx_digest.parallel: os.fork is not available; writing serially")
        return None
    return ParallelWriter


def register() -> None:
    """Connect the receivers (module-level functions; connecting again is a
    no-op, so a second build in the same process is safe) and have Pelican's
    generators group translations in linear time (:mod:`.translations`)."""
    install_translations()
    signals.initialized.connect(on_initialized)
    signals.article_generator_pretaxonomy.connect(index_taxonomies)
    signals.article_generator_preread.connect(on_article_preread)
    signals.page_generator_preread.connect(on_page_preread)
    signals.get_writer.connect(on_get_writer)
