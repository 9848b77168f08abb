"""A pytest plugin: every Pelican build of the session goes through the engine.

Used by ``run.py`` for the second run of Pelican's own test suite
(``pytest -p fastbuild_everywhere``, with this folder on ``PYTHONPATH``):

- the engine is imported from ``FASTBUILD_SRC`` (the package folder
  ``.../src/pelican/plugins/fastbuild``) under its one name,
  ``pelican.plugins.fastbuild``, without putting it on ``sys.path``: so
  Pelican's plugin discovery does not find it (Pelican's tests count the
  namespace plugins they see) and nothing else of the checkout is importable;
- every ``Pelican(settings)`` registers the engine first and gets
  ``FASTBUILD_WORKERS = FASTBUILD_SUITE_WORKERS`` (2) unless its settings set
  it, so every build, whatever its ``PLUGINS``, runs with the engine on;
  with ``FASTBUILD_SUITE_INCREMENTAL`` set (not empty), also
  ``FASTBUILD_INCREMENTAL = True``;
- at the end, ``FASTBUILD_SUITE_REPORT`` receives a JSON count of the builds
  (``Pelican.run()`` calls), of those the engine was on for and of those
  that used its parallel writer, and the tests of any build it was not on
  for (checked by ``run.py``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

import pelican
from pelican.plugins import signals

NAME = "pelican.plugins.fastbuild"


def _load_engine() -> Any:
    folder = Path(os.environ["FASTBUILD_SRC"]).resolve()
    spec = importlib.util.spec_from_file_location(
        NAME, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"no engine in {folder}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[NAME] = module
    spec.loader.exec_module(module)
    return module


engine = _load_engine()
plugin = sys.modules[f"{NAME}.plugin"]
WORKERS = int(os.environ.get("FASTBUILD_SUITE_WORKERS", "2"))
counts = {"pelican_objects": 0, "builds": 0, "engine_on": 0, "parallel_writers": 0}
# The test of every build the engine was not seen on for.
unseen: list[str] = []
_original_init = pelican.Pelican.__init__
_original_run = pelican.Pelican.run
_seen: list[bool] = []


def _init(self: Any, settings: dict[str, Any]) -> None:
    counts["pelican_objects"] += 1
    engine.register()  # again, in case a test disconnected its receivers
    settings.setdefault(engine.WORKERS_SETTING, WORKERS)
    if os.environ.get("FASTBUILD_SUITE_INCREMENTAL"):
        settings.setdefault(engine.INCREMENTAL_SETTING, True)
    _original_init(self, settings)


def _run(self: Any) -> Any:
    counts["builds"] += 1
    _seen.clear()
    try:
        return _original_run(self)
    finally:
        if _seen:
            counts["engine_on"] += 1
        else:
            test = os.environ.get("PYTEST_CURRENT_TEST", "?").rsplit(" ", 1)[0]
            unseen.append(test)


def _note_engine(generator: Any) -> None:
    # Sent in every build, after the engine decided (at get_generators).
    if plugin.building(generator.settings):
        _seen.append(True)


def _count_writer(generator: Any, writer: Any) -> None:
    counts["parallel_writers"] += isinstance(writer, engine.ParallelWriter)


def pytest_configure(config: Any) -> None:
    pelican.Pelican.__init__ = _init  # type: ignore[method-assign]
    pelican.Pelican.run = _run  # type: ignore[method-assign]
    engine.register()
    signals.article_generator_pretaxonomy.connect(_note_engine)
    signals.article_writer_finalized.connect(_count_writer)


def pytest_unconfigure(config: Any) -> None:
    pelican.Pelican.__init__ = _original_init  # type: ignore[method-assign]
    pelican.Pelican.run = _original_run  # type: ignore[method-assign]
    report = os.environ.get("FASTBUILD_SUITE_REPORT")
    if report:
        data = {**counts, "unseen": unseen}
        Path(report).write_text(json.dumps(data), encoding="utf-8")
