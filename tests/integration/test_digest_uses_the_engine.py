"""The digest enables pelican-fastbuild through its public names only, the
engine is imported under one name however the plugins are listed (so its
receivers are never connected twice), and ``CX_DIGEST_WORKERS`` still works,
as a deprecated alias of ``FASTBUILD_WORKERS``, with one warning."""

from __future__ import annotations

import ast
import logging
import sys
from pathlib import Path
from typing import Any

import pytest
from blinker import Signal
from pelican.plugins import signals
from pelican.writers import Writer

import pelican.plugins.fastbuild as engine
from cx_digest.settings import SettingsError
from support import ROOT, Site, build

PLUGIN = ROOT / "plugins" / "cx_digest"
ENGINE_INIT = Path(engine.__file__).resolve()


def test_the_digest_imports_only_the_engines_public_names() -> None:
    public = set(engine.__all__)
    uses = []
    for path in sorted(PLUGIN.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [alias.name for alias in node.names]
                if node.module == "pelican.plugins":
                    uses += [(path.name, n) for n in names if n == "fastbuild"]
                elif node.module.startswith("pelican.plugins.fastbuild"):
                    uses.append((path.name, node.module))
                    assert node.module == "pelican.plugins.fastbuild", path
                    assert set(names) <= public, path
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("pelican.plugins.fastbuild"):
                        assert alias.name == "pelican.plugins.fastbuild", path
                        uses.append((path.name, alias.name))
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "fastbuild"
            ):
                assert node.attr in public, (path, node.attr)
    assert ("plugin.py", "fastbuild") in uses


def engine_receivers() -> list[tuple[str, str]]:
    found = []
    for name, value in vars(signals).items():
        if isinstance(value, Signal):
            for ref in value.receivers.values():
                receiver = ref()
                if "fastbuild" in (getattr(receiver, "__module__", "") or ""):
                    found.append((name, receiver.__qualname__))
    return found


def modules_of_the_engine() -> list[str]:
    """Every module name under which the engine's package is imported."""
    names = []
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if path and Path(path).resolve() == ENGINE_INIT:
            names.append(name)
    return names


def build_with(tmp_path: Path, **settings: Any) -> tuple[Site, list[type], list[Any]]:
    """A build of the sample site; the writer class it used and the engine's
    receivers while its articles were generated."""
    writers: list[type] = []
    receivers: list[Any] = []

    def note_writer(generator: Any, writer: Any) -> None:
        writers.append(type(writer))

    def note_receivers(generator: Any) -> None:
        receivers.append(engine_receivers())

    signals.article_writer_finalized.connect(note_writer)
    signals.article_generator_finalized.connect(note_receivers)
    try:
        site = build(
            tmp_path,
            ROOT / "content",
            tmp_path / "output",
            {
                "PATH": str(ROOT / "content"),
                "OUTPUT_PATH": str(tmp_path / "output"),
                "CACHE_CONTENT": False,
                "LOAD_CONTENT_CACHE": False,
                **settings,
            },
        )
    finally:
        signals.article_writer_finalized.disconnect(note_writer)
        signals.article_generator_finalized.disconnect(note_receivers)
    return site, writers, receivers


@pytest.mark.parametrize(
    "plugins",
    [
        ["cx_digest"],
        ["cx_digest", "fastbuild"],
        ["fastbuild", "cx_digest"],
        ["cx_digest", "pelican.plugins.fastbuild"],
    ],
)
def test_the_engine_is_connected_once_however_plugins_are_listed(
    tmp_path: Path, plugins: list[str]
) -> None:
    site, writers, seen = build_with(tmp_path, PLUGINS=plugins, FASTBUILD_WORKERS=2)
    (receivers,) = seen
    assert len(receivers) == len(set(receivers))  # nothing connected twice
    assert ("get_generators", "on_build_start") in receivers
    assert ("get_writer", "on_get_writer") in receivers
    assert writers == [engine.ParallelWriter]
    assert modules_of_the_engine() == ["pelican.plugins.fastbuild"]
    assert "fastbuild" not in sys.modules
    assert (site.output / "digest" / "2026" / "11" / "18" / "index.html").is_file()


def warnings_of(site: Site) -> list[str]:
    return [r.getMessage() for r in site.records if r.levelno >= logging.WARNING]


def test_cx_digest_workers_is_an_alias_with_one_warning(tmp_path: Path) -> None:
    site, writers, _ = build_with(tmp_path, CX_DIGEST_WORKERS=1)
    assert writers == [Writer]  # 1 worker: the engine is off
    deprecations = [w for w in warnings_of(site) if "CX_DIGEST_WORKERS" in w]
    assert deprecations == [
        "cx_digest: setting CX_DIGEST_WORKERS is deprecated: rename it "
        "FASTBUILD_WORKERS (the setting of pelican-fastbuild, the build engine); "
        "CX_DIGEST_WORKERS = 1 is used as FASTBUILD_WORKERS until cx-digest 0.4.0"
    ]
    site2, writers2, _ = build_with(tmp_path / "two", CX_DIGEST_WORKERS=2)
    assert writers2 == [engine.ParallelWriter]
    assert len([w for w in warnings_of(site2) if "CX_DIGEST_WORKERS" in w]) == 1


def test_fastbuild_workers_wins_over_the_alias(tmp_path: Path) -> None:
    site, writers, _ = build_with(tmp_path, CX_DIGEST_WORKERS=2, FASTBUILD_WORKERS=1)
    assert writers == [Writer]
    deprecations = [w for w in warnings_of(site) if "CX_DIGEST_WORKERS" in w]
    assert deprecations == [
        "cx_digest: setting CX_DIGEST_WORKERS is deprecated and ignored: "
        "FASTBUILD_WORKERS = 1 is set; remove CX_DIGEST_WORKERS"
    ]


def test_no_warning_without_the_alias(tmp_path: Path) -> None:
    site, writers, _ = build_with(tmp_path, FASTBUILD_WORKERS=2)
    assert writers == [engine.ParallelWriter]
    assert [w for w in warnings_of(site) if "WORKERS" in w] == []


def test_a_bad_alias_value_stops_the_build_naming_it(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"CX_DIGEST_WORKERS = 'two' is invalid"):
        build_with(tmp_path, CX_DIGEST_WORKERS="two")
    assert not (tmp_path / "output").exists()
