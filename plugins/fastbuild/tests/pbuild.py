"""Plain Pelican builds with the engine, for the engine's tests.

No project settings, no digest plugin: Pelican's defaults, its ``simple``
theme, ``PLUGINS=["fastbuild"]`` (the installed namespace plugin
``pelican.plugins.fastbuild``) and what a test adds.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import shutil
import sys
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pelican
from blinker import Signal
from pelican import Pelican
from pelican.log import LimitFilter
from pelican.plugins import signals
from pelican.settings import read_settings

from pelican.plugins.fastbuild import incremental

ROOT = Path(__file__).resolve().parents[3]
SIMPLE_THEME = Path(pelican.__file__).parent / "themes" / "simple"

sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402

__all__ = [
    "ROOT",
    "Built",
    "build",
    "child_pids",
    "corpus",
    "edited_theme",
    "listening",
    "no_children_left",
    "only_plugins",
    "rendered_calls",
    "story",
    "template_folder",
    "tree",
    "write_files",
]


def story(
    title: str | None, date: str = "2026-03-02 10:00", body: str = "Text.", **meta: str
) -> str:
    lines = [] if title is None else [f"Title: {title}"]
    lines.append(f"Date: {date}")
    lines += [f"{key.capitalize()}: {value}" for key, value in meta.items()]
    return "\n".join(lines) + "\n\n" + body + "\n"


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    """Write ``files`` (path relative to ``root`` -> text, as UTF-8, or
    bytes), making their folders."""
    for rel, data in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            target.write_bytes(data)
        else:
            target.write_text(data, encoding="utf-8")


def corpus(root: Path, stories: int, extra: dict[str, str] | None = None) -> Path:
    """A generated corpus (bench/generate.py) under ``root``, plus ``extra``
    files (path relative to content/ -> text); returns the content folder."""
    content = generate(stories, seed=7, out=root)
    write_files(content, dict(extra or {}))
    return content


def _receivers() -> Iterator[tuple[Signal, Any]]:
    for value in vars(signals).values():
        if isinstance(value, Signal):
            for ref in list(value.receivers.values()):
                receiver = ref() if isinstance(ref, weakref.ref) else ref
                if receiver is not None:
                    yield value, receiver


@contextmanager
def only_plugins(modules: Sequence[str]) -> Iterator[None]:
    """One build's plugins and no others: Pelican's signals are global, so a
    plugin registered by an earlier build in this process would run again.
    Receivers of any other plugin (a module under ``pelican.plugins.`` or
    ``cx_digest``) are disconnected for the build, and what the build
    connects is disconnected after it."""
    before = {(sig, id(receiver)) for sig, receiver in _receivers()}
    parked = []
    for sig, receiver in list(_receivers()):
        module = getattr(receiver, "__module__", "") or ""
        plugin = module.startswith(("cx_digest", "pelican.plugins."))
        if plugin and not module.startswith(tuple(modules)):
            sig.disconnect(receiver)
            parked.append((sig, receiver))
    try:
        yield
    finally:
        for sig, receiver in list(_receivers()):
            if (sig, id(receiver)) not in before:
                sig.disconnect(receiver)
        for sig, receiver in parked:
            sig.connect(receiver)


def logged_build(
    settings: dict[str, Any],
    modules: Sequence[str],
    logger: str = "",
    records: list[logging.LogRecord] | None = None,
) -> list[logging.LogRecord]:
    """Run one build in this process with the plugins ``modules``; the
    records at INFO and above of ``logger`` (the root logger by default),
    also in ``records`` when given (for a build that raises). Pelican's
    once-only message filter is reset first, so that each build logs as if
    it ran alone."""
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()
    handler = logging.handlers.BufferingHandler(sys.maxsize)  # never flushed
    if records is not None:
        handler.buffer = records
    log = logging.getLogger(logger)
    level = log.level
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        with only_plugins(modules):
            Pelican(settings).run()
    finally:
        log.removeHandler(handler)
        log.setLevel(level)
    return handler.buffer


def engine_messages(settings: dict[str, Any], modules: Sequence[str]) -> list[str]:
    """What the engine logged at INFO and above in one build
    (:func:`logged_build`)."""
    return [r.getMessage() for r in logged_build(settings, modules, "fastbuild")]


@dataclass
class Built:
    output: Path
    records: list[logging.LogRecord] = field(default_factory=list)

    def log(self) -> list[tuple[str, int, str]]:
        """(logger, level, message) of every record, the output folder
        written as OUTPUT so two builds compare."""
        out = str(self.output)
        return [
            (r.name, r.levelno, r.getMessage().replace(out, "OUTPUT"))
            for r in self.records
        ]

    def messages(self, level: int = logging.WARNING) -> list[str]:
        return [m for _, lvl, m in self.log() if lvl >= level]


def settings_for(
    content: Path, output: Path, workers: int, **overrides: Any
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "PATH": str(content),
        "OUTPUT_PATH": str(output),
        "CACHE_PATH": str(output.parent / (output.name + "-cache")),
        "THEME": str(SIMPLE_THEME),
        "PLUGINS": ["fastbuild"],
        "ARTICLE_PATHS": ["stories"],
        "PAGE_PATHS": ["pages"],
        "STATIC_PATHS": ["images"],
        "TIMEZONE": "Asia/Shanghai",
        "RELATIVE_URLS": True,
        "SLUGIFY_SOURCE": "basename",
        "DEFAULT_PAGINATION": 4,
        "DAY_ARCHIVE_SAVE_AS": "{date:%Y}/{date:%m}/{date:%d}/index.html",
        "MONTH_ARCHIVE_SAVE_AS": "{date:%Y}/{date:%m}/index.html",
        "FEED_ALL_ATOM": "feeds/all.atom.xml",
        "FEED_ALL_RSS": "feeds/all.rss.xml",
        "CATEGORY_FEED_ATOM": "feeds/{slug}.atom.xml",
        "TAG_FEED_ATOM": "feeds/tag-{slug}.atom.xml",
        "CACHE_CONTENT": False,
        "LOAD_CONTENT_CACHE": False,
        "DELETE_OUTPUT_DIRECTORY": False,
        "FASTBUILD_WORKERS": workers,
    }
    values.update(overrides)
    return read_settings(None, override=values)


def build(
    content: Path,
    output: Path,
    workers: int,
    records: list[logging.LogRecord] | None = None,
    prepare: Callable[[Path], None] | None = None,
    **overrides: Any,
) -> Built:
    """One build into ``output`` (emptied first); its log records at INFO and
    above are kept, also in ``records`` when given (:func:`logged_build`)."""
    if output.exists():
        shutil.rmtree(output)
    if prepare is not None:  # lays out what the build finds in its output
        output.mkdir(parents=True)
        prepare(output)
    settings = settings_for(content, output, workers, **overrides)
    modules = [
        name if name.startswith("pelican.plugins.") else f"pelican.plugins.{name}"
        for name in settings["PLUGINS"]
    ]
    return Built(output, logged_build(settings, modules, records=records))


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``: relative path -> bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@contextmanager
def listening(signal_name: str, receiver: Callable[..., Any]) -> Iterator[None]:
    """Connect ``receiver`` to a Pelican signal for the duration."""
    signal = getattr(signals, signal_name)
    signal.connect(receiver)
    try:
        yield
    finally:
        signal.disconnect(receiver)


def rendered_calls(monkeypatch: Any) -> list[str]:
    """The keys of the calls an incremental build decides to render, from
    now on (with ``monkeypatch``, pytest's). Decisions taken in this
    process only: build at one worker to see them all."""
    rendered: list[str] = []
    decide = incremental.Build.decide

    def noting(self: Any, job: Any, plan: Any) -> bool:
        reused = decide(self, job, plan)
        if not reused:
            rendered.append(plan.key)
        return reused

    monkeypatch.setattr(incremental.Build, "decide", noting)
    return rendered


def edited_theme(folder: Path, template: str, old: str, new: str) -> Path:
    """A copy of Pelican's ``simple`` theme in ``folder`` whose
    ``templates/<template>`` has ``old`` replaced by ``new`` (once)."""
    shutil.copytree(SIMPLE_THEME, folder)
    path = folder / "templates" / template
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def template_folder(folder: Path, name: str, text: str) -> Path:
    """A folder of theme templates (``THEME_TEMPLATES_OVERRIDES``) holding
    one template."""
    folder.mkdir()
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def child_pids() -> set[int]:
    """The child processes of this one, zombies included (Linux /proc)."""
    children = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == os.getpid():
            children.add(int(stat.parent.name))
    return children


def no_children_left(before: set[int]) -> bool:
    """No worker of the engine is left, running or as a zombie (``before``:
    the children this process had already, a browser of other tests say)."""
    return child_pids() <= before


@contextmanager
def switched_on(module: Any) -> Iterator[None]:
    """One of the engine's replacements of Pelican's functions (a module with
    ``install`` and ``uninstall``) in place for the block."""
    module.install()
    try:
        yield
    finally:
        module.uninstall()
