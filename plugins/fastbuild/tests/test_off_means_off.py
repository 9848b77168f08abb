"""Off means off: at ``FASTBUILD_WORKERS = 1``, or without the plugin, a build
is Pelican's own, with nothing of Pelican replaced; the engine switches on
and off per build, also for one ``Pelican`` object built again (as
``pelican --autoreload`` does) and after a build that crashed."""

from __future__ import annotations

import gc
import inspect
import os
import shutil
from pathlib import Path
from typing import Any

import pelican.contents
import pelican.generators
import pelican.urlwrappers
import pelican.utils
import pelican.writers
import pytest
from blinker import Signal
from pelican import Pelican
from pelican.plugins import signals
from pelican.settings import read_settings

import pelican.plugins.fastbuild as engine
from pbuild import (
    SIMPLE_THEME,
    build,
    listening,
    only_plugins,
    settings_for,
    tree,
)
from pelican.plugins.fastbuild import plugin as switch

# What Pelican's modules hold before any build of this session replaced
# anything (the engine is imported, and may have been registered, by now).
ORIGINAL_PROCESS_TRANSLATIONS = pelican.utils.process_translations
PELICANS_OWN = (
    vars(pelican.contents.Content)["_expand_settings"],
    vars(pelican.utils.SafeDatetime)["strftime"],
    pelican.contents.slugify,
    pelican.urlwrappers.slugify,
    vars(pelican.contents.Content)["get_relative_source_path"],
)


def replaceable() -> tuple[Any, ...]:
    """The functions of Pelican's that the engine may replace while it is on."""
    return (
        vars(pelican.contents.Content)["_expand_settings"],
        vars(pelican.utils.SafeDatetime)["strftime"],
        pelican.contents.slugify,
        pelican.urlwrappers.slugify,
        vars(pelican.contents.Content)["get_relative_source_path"],
    )


GENERATOR_CLASSES = {
    name: value
    for name, value in vars(pelican.generators).items()
    if inspect.isclass(value) and value.__module__ == "pelican.generators"
}


def engine_receivers() -> list[str]:
    """Every receiver of a Pelican signal defined by the engine."""
    found = []
    for name, value in vars(signals).items():
        if isinstance(value, Signal):
            for ref in value.receivers.values():
                receiver = ref()
                module = getattr(receiver, "__module__", "") or ""
                if module.startswith("pelican.plugins.fastbuild"):
                    found.append(f"{name}:{receiver.__qualname__}")
    return sorted(found)


# The switch, and the Markdown reader's receiver (it acts on
# FASTBUILD_MARKDOWN = "commonmark" only: test_commonmark.py).
SWITCH_ONLY = sorted(
    [
        "initialized:on_initialized",
        "get_generators:on_build_start",
        "all_generators_finalized:on_contexts_done",
        "finalized:on_finalized",
        "readers_init:use_commonmark",
    ]
)


class Observed:
    """What a build looked like from the inside, at its taxonomy stage and
    when its articles were written."""

    def __init__(self) -> None:
        self.grouping: list[Any] = []
        self.list_types: set[type] = set()
        self.writers: list[type] = []
        self.receivers: list[list[str]] = []
        self.methods: list[dict[str, Any]] = []
        self.held: list[int] = []  # objects out of the collector's reach
        self.reloading: list[bool] = []  # Jinja checks templates on disk
        self.expanding: list[Any] = []  # replaceable() during the build

    def pretaxonomy(self, generator: Any) -> None:
        self.grouping.append(pelican.generators.process_translations)

    def finalized(self, generator: Any) -> None:
        for name in ("tags", "categories", "authors"):
            self.list_types |= {type(stories) for _, stories in generator.context[name]}
        self.receivers.append([r for r in engine_receivers() if r not in SWITCH_ONLY])
        self.expanding.append(replaceable())
        self.methods.append(
            {
                name: vars(cls).copy()
                for name, cls in vars(pelican.generators).items()
                if name in GENERATOR_CLASSES
            }
        )

    def writer(self, generator: Any, writer: Any) -> None:
        self.writers.append(type(writer))
        self.held.append(gc.get_freeze_count())
        self.reloading.append(generator.env.auto_reload)


def observe_build(content: Path, output: Path, workers: int, **kw: Any) -> Observed:
    seen = Observed()
    gc.unfreeze()  # as a process that built nothing yet
    with (
        listening("article_generator_pretaxonomy", seen.pretaxonomy),
        listening("article_generator_finalized", seen.finalized),
        listening("article_writer_finalized", seen.writer),
    ):
        build(content, output, workers, **kw)
    return seen


@pytest.mark.parametrize("plugins", [["fastbuild"], []], ids=["one-worker", "none"])
def test_one_worker_or_no_plugin_is_pelican_untouched(
    content60: Path, tmp_path: Path, plugins: list[str]
) -> None:
    engine.register()  # registered or not, one worker patches nothing
    seen = observe_build(content60, tmp_path / "out", 1, PLUGINS=plugins)
    assert seen.grouping == [ORIGINAL_PROCESS_TRANSLATIONS]
    assert seen.list_types == {list}
    assert seen.writers == [pelican.writers.Writer]
    assert seen.held == [0]  # the collector as Python has it
    assert seen.reloading == [True]  # Jinja's default
    assert seen.receivers == [[]]
    assert seen.expanding == [PELICANS_OWN]
    # Pelican's generator classes and their methods are the originals.
    assert {
        name: value
        for name, value in vars(pelican.generators).items()
        if name in GENERATOR_CLASSES
    } == GENERATOR_CLASSES
    (methods,) = seen.methods
    for name, cls in GENERATOR_CLASSES.items():
        assert methods[name] == dict(vars(cls)), name
    assert pelican.generators.process_translations is ORIGINAL_PROCESS_TRANSLATIONS


def test_one_worker_writes_what_pelican_alone_writes(
    content60: Path, tmp_path: Path
) -> None:
    one = build(content60, tmp_path / "one", 1)
    alone = build(content60, tmp_path / "alone", 1, PLUGINS=[])
    assert len(tree(alone.output)) > 100
    assert tree(one.output) == tree(alone.output)
    assert one.log() == alone.log()


def test_on_for_its_build_only(content60: Path, tmp_path: Path) -> None:
    seen = observe_build(content60, tmp_path / "out", 2)
    assert seen.grouping == [engine.plugin.translations.process_translations_by_group]
    assert seen.list_types == {engine.IndexedList}
    assert seen.writers == [engine.ParallelWriter]
    assert seen.held[0] > 0  # the complete context, held from the collector
    assert seen.reloading == [False]  # templates loaded once a build
    assert seen.receivers == [
        sorted(
            [
                "article_generator_preread:on_article_preread",
                "article_generator_pretaxonomy:on_pretaxonomy",
                "content_object_init:on_content_object",
                "generator_init:on_generator_init",
                "get_writer:on_get_writer",
                "page_generator_preread:on_page_preread",
            ]
        )
    ]
    assert seen.expanding == [
        (
            engine.plugin.urls._expand_settings,
            engine.plugin.warm._strftime,
            engine.plugin.warm._slugify,
            engine.plugin.warm._slugify,
            engine.plugin.warm._relative_source_path,
        )
    ]
    # Switched off once the build is over.
    assert pelican.generators.process_translations is ORIGINAL_PROCESS_TRANSLATIONS
    assert replaceable() == PELICANS_OWN
    assert not switch.building(None)
    # The names the replay of a batch binds in Pelican's writer module are back.
    assert "open" not in vars(pelican.writers)
    assert pelican.writers.os is os


def run_twice(
    content: Path, output: Path, first: int, second: int
) -> tuple[Observed, dict[str, bytes], dict[str, bytes]]:
    """One ``Pelican`` object, built twice: ``FASTBUILD_WORKERS`` changed in
    between, as ``pelican --autoreload`` rebuilds with the same object."""
    seen = Observed()
    settings = settings_for(content, output, first)
    trees = []
    with (
        only_plugins(["pelican.plugins.fastbuild"]),
        listening("article_generator_pretaxonomy", seen.pretaxonomy),
        listening("article_writer_finalized", seen.writer),
    ):
        site = Pelican(settings)
        site.run()
        trees.append(tree(output))
        settings["FASTBUILD_WORKERS"] = second
        site.run()
        trees.append(tree(output))
    return seen, trees[0], trees[1]


@pytest.mark.parametrize(("first", "second"), [(2, 1), (1, 2)])
def test_a_rebuild_follows_a_changed_setting(
    content60: Path, tmp_path: Path, first: int, second: int
) -> None:
    seen, one, two = run_twice(content60, tmp_path / "out", first, second)
    kind = {1: pelican.writers.Writer, 2: engine.ParallelWriter}
    assert seen.writers == [kind[first], kind[second]]
    grouping = {
        1: ORIGINAL_PROCESS_TRANSLATIONS,
        2: engine.plugin.translations.process_translations_by_group,
    }
    assert seen.grouping == [grouping[first], grouping[second]]
    assert len(one) > 100
    assert one == two
    assert pelican.generators.process_translations is ORIGINAL_PROCESS_TRANSLATIONS


def test_a_crashed_parallel_build_leaves_the_next_serial_one_untouched(
    content60: Path, tmp_path: Path
) -> None:
    def crash(generator: Any) -> None:
        raise RuntimeError("a plugin fails while articles are generated")

    seen = Observed()
    with (
        only_plugins(["pelican.plugins.fastbuild"]),
        listening("article_generator_pretaxonomy", seen.pretaxonomy),
        listening("article_generator_finalized", seen.finalized),
        listening("article_writer_finalized", seen.writer),
    ):
        crashing = settings_for(content60, tmp_path / "crashed", 2)
        with (
            listening("article_generator_finalized", crash),
            pytest.raises(RuntimeError, match="a plugin fails"),
        ):
            Pelican(crashing).run()
        # finalized never came: the engine is still on, for that build.
        assert switch.building(crashing)
        assert len(engine_receivers()) > len(SWITCH_ONLY)
        # The next build decides again: off.
        seen.grouping.clear()
        seen.list_types.clear()
        seen.receivers.clear()
        seen.expanding.clear()
        Pelican(settings_for(content60, tmp_path / "out", 1)).run()
    assert seen.writers == [pelican.writers.Writer]
    assert seen.held == [0]  # the collector as Python has it
    assert seen.reloading == [True]  # Jinja's default
    assert seen.grouping == [ORIGINAL_PROCESS_TRANSLATIONS]
    assert seen.list_types == {list}
    assert seen.receivers == [[]]
    assert seen.expanding == [PELICANS_OWN]
    assert len(tree(tmp_path / "out")) > 100


def test_a_generator_made_outside_a_build_gets_pelicans_behaviour(
    content60: Path, tmp_path: Path
) -> None:
    """``get_generators`` without a run (Pelican's own tests do it) switches
    the engine on for that ``Pelican``'s settings only."""
    with only_plugins(["pelican.plugins.fastbuild"]):
        pelican_object = Pelican(settings_for(content60, tmp_path / "a", 2))
        pelican_object._get_generator_classes()
        try:
            other = read_settings(None, override={"PATH": str(content60)})
            generator = pelican.generators.ArticlesGenerator(
                context={
                    **other,
                    "generated_content": {},
                    "static_content": {},
                    "static_links": set(),
                },
                settings=other,
                path=str(content60),
                theme=other["THEME"],
                output_path=str(tmp_path / "b"),
            )
            forks: list[int] = []
            real_fork = os.fork

            def counting_fork() -> int:
                forks.append(1)
                return real_fork()

            os.fork = counting_fork
            try:
                generator.generate_context()
            finally:
                os.fork = real_fork
            assert forks == []  # read in this process
            assert {type(v) for _, v in generator.tags.items()} == {list}
            assert pelican.generators.process_translations is (
                ORIGINAL_PROCESS_TRANSLATIONS
            )
        finally:
            switch.switch_off()


def test_a_rebuild_reads_a_template_saved_since_the_last_build(
    content60: Path, tmp_path: Path
) -> None:
    """Templates are loaded once a build (Jinja's ``auto_reload`` off), yet
    one ``Pelican`` object built again, as ``pelican --autoreload`` does,
    renders with a template saved between its builds."""
    theme = tmp_path / "theme"
    shutil.copytree(SIMPLE_THEME, theme)
    base = theme / "templates" / "base.html"
    output = tmp_path / "out"
    settings = settings_for(content60, output, 2, THEME=str(theme))
    with only_plugins(["pelican.plugins.fastbuild"]):
        site = Pelican(settings)
        site.run()
        assert "saved-between-builds" not in (output / "index.html").read_text()
        base.write_text(
            base.read_text().replace("</body>", "<p>saved-between-builds</p></body>")
        )
        site.run()
    pages = list(output.rglob("*.html"))
    assert len(pages) > 50
    assert all("saved-between-builds" in p.read_text() for p in pages)
