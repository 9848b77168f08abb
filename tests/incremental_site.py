"""A small digest site for the incremental-build tests: every story key and
edition-file feature of the content model, two images and a page; built in
this process with the repo's pelicanconf.py."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pelican.settings import read_settings

from pbuild import engine_messages
from support import FIXTURES, ROOT, story_file, write_content

IMAGES = {
    "images/fixture.jpg": (FIXTURES / "images" / "fixture.jpg").read_bytes(),
    "images/logo.png": (FIXTURES / "images" / "cx-logo.png").read_bytes(),
}
DAYS = ["2026-11-16", "2026-11-17", "2026-11-18"]
CATEGORIES = ["Economy", "Markets", "Tech"]
ROLES = ["lead", "story", "quick-hit", "photo", "none"]
TAGS = ["floods", "rates", "chips", "trade"]


def story(n: int, day: str, **meta: Any) -> str:
    values: dict[str, Any] = {
        "title": f"Story number {n}",
        "date": f"{day} {8 + n % 10:02d}:{n % 60:02d}",
        "category": CATEGORIES[n % 3],
        "body": f"Body of story {n}.\n\n<!-- more -->\n\nMore about story {n}.",
        "tags": ", ".join(TAGS[n % 4 : n % 4 + 2]),
    }
    values.update(meta)
    return story_file(
        values.pop("title"),
        values.pop("date"),
        values.pop("category"),
        values.pop("body"),
        **{k: v for k, v in values.items() if v is not None},
    )


def base_corpus() -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = dict(IMAGES)
    files["stories/s1.md"] = story(1, DAYS[0], digest="lead", kicker="In Depth")
    files["stories/s2.md"] = story(
        2,
        DAYS[0],
        digest="photo",
        image="images/fixture.jpg",
        image_caption="A caption",
        image_credit="Staff",
        image_alt="Alt text",
    )
    files["stories/s3.md"] = story(
        3, DAYS[1], digest="quick-hit", link="https://example.com/x"
    )
    files["stories/s4.md"] = story(
        4, DAYS[1], summary="A *written* summary.", access="subscribers"
    )
    files["stories/s5.md"] = story(
        5, DAYS[2], related=["s1", "Elsewhere <https://example.org/y>"]
    )
    files["stories/s6.md"] = story(6, DAYS[2], digest_order="1", status="hidden")
    files["digests/2026-11-17.md"] = (
        "Date: 2026-11-17 18:00\nTitle: Tuesday's digest\nLead: s4\n"
        "Hot_topics: floods\nHot_topics: Markets live <https://example.com/live>\n\n"
        "An editor's note.\n"
    )
    files["pages/about.md"] = "Title: About\n\nAbout this newsroom.\n"
    return files


@dataclass
class Site:
    """The content of the site under test and its build knobs."""

    root: Path
    files: dict[str, str | bytes] = field(default_factory=base_corpus)
    settings: dict[str, Any] = field(default_factory=dict)
    plugins: tuple[str, ...] = ("cx_digest",)
    counter: int = 0

    def write(self) -> None:
        content = self.root / "content"
        if content.exists():
            shutil.rmtree(content)
        write_content(content, self.files)

    def build(self, name: str, incremental: bool, workers: int = 2) -> Path:
        """Build into ``root/name``; a full build starts from an empty folder."""
        self.build_log(name, incremental, workers)
        return self.root / name

    def build_log(self, name: str, incremental: bool, workers: int = 2) -> list[str]:
        """Build as :meth:`build` does; the engine's log messages."""
        output = self.root / name
        overrides = {
            "PATH": str(self.root / "content"),
            "OUTPUT_PATH": str(output),
            "CACHE_PATH": str(self.root / f"{name}-cache"),
            "THEME": str(self.root / "theme"),
            "PLUGIN_PATHS": [str(ROOT / "plugins")],
            "PLUGINS": list(self.plugins),
            "CACHE_CONTENT": False,
            "LOAD_CONTENT_CACHE": False,
            "DELETE_OUTPUT_DIRECTORY": not incremental,
            "FASTBUILD_INCREMENTAL": incremental,
            "FASTBUILD_WORKERS": workers,
            **self.settings,
        }
        if not incremental and output.exists():
            shutil.rmtree(output)
        return run_build(overrides, self.plugins)


def run_build(overrides: dict[str, Any], plugins: tuple[str, ...]) -> list[str]:
    """One in-process build with the repo's pelicanconf.py; its engine log."""
    settings_ = read_settings(str(ROOT / "pelicanconf.py"), override=overrides)
    modules = ["cx_digest", "pelican.plugins.fastbuild"] + [
        f"pelican.plugins.{p}" for p in plugins if p != "cx_digest"
    ]
    return engine_messages(settings_, modules)
