"""Test support: model factories and real Pelican builds of fixture sites."""

from __future__ import annotations

import logging
import logging.handlers
import sys
import textwrap
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup
from pelican import Pelican
from pelican.settings import read_settings

from cx_digest.mailtext import html_to_text
from cx_digest.markup import plain_text
from cx_digest.model import Link, Role, Story

# One build's plugins and no others (the engine's test helper: the digest
# builds on the engine, never the other way round).
from pbuild import only_plugins, write_files

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def make_story(slug: str = "a-story", **overrides: Any) -> Story:
    """A Story with sensible, tz-aware defaults (its summary texts made from
    its summary, as the digest makes them)."""
    values: dict[str, Any] = {
        "slug": slug,
        "title": slug.replace("-", " ").capitalize(),
        "url": f"2026/11/18/{slug}/",
        "date": datetime(2026, 11, 18, 9, 0, tzinfo=SHANGHAI),
        "category": "Economy",
        "category_url": "category/economy/",
        "source": f"stories/{slug}.md",
        "summary": f"<p>Summary of {slug}.</p>",
    }
    values.update(overrides)
    values.setdefault("summary_text", plain_text(values["summary"]))
    values.setdefault("summary_email_text", html_to_text(values["summary"]))
    if isinstance(values.get("tags"), list):
        values["tags"] = tuple(
            t if isinstance(t, Link) else Link(t, f"tag/{t}/") for t in values["tags"]
        )
    if isinstance(values.get("role"), str):
        values["role"] = Role(values["role"])
    return Story(**values)


def story_file(
    title: str,
    date: str,
    category: str = "Economy",
    body: str = "First paragraph.\n\nSecond paragraph.",
    **meta: str | list[str],
) -> str:
    """The text of a Markdown story with the given metadata."""
    lines = [f"Title: {title}", f"Date: {date}", f"Category: {category}"]
    for key, value in meta.items():
        name = key.capitalize()
        for item in value if isinstance(value, list) else [value]:
            lines.append(f"{name}: {item}")
    return "\n".join(lines) + "\n\n" + textwrap.dedent(body).strip() + "\n"


@dataclass
class Site:
    """A built fixture site."""

    root: Path
    output: Path
    content: Path
    records: list[logging.LogRecord] = field(default_factory=list)

    def path(self, rel: str) -> Path:
        rel = rel.lstrip("/")
        target = self.output / rel
        return target / "index.html" if rel == "" or rel.endswith("/") else target

    def html(self, rel: str) -> BeautifulSoup:
        return BeautifulSoup(self.path(rel).read_text(encoding="utf-8"), "html.parser")

    def text(self, rel: str) -> str:
        return self.path(rel).read_text(encoding="utf-8")

    @property
    def warnings(self) -> list[str]:
        return [
            r.getMessage()
            for r in self.records
            if r.levelno >= logging.WARNING and r.name.startswith("cx_digest")
        ]


def write_content(content: Path, files: dict[str, str | bytes]) -> None:
    """Write ``files`` (path under ``content`` -> text or bytes); the
    ``stories`` folder exists even without a story."""
    write_files(content, files)
    (content / "stories").mkdir(parents=True, exist_ok=True)


def run_pelican(
    root: Path,
    files: dict[str, str | bytes],
    copy_images: bool = True,
    **overrides: Any,
) -> Site:
    """Write ``files`` under ``root/content`` and build with the repo's settings."""
    content = root / "content"
    output = root / "output"
    write_content(content, files)
    if copy_images:
        images = content / "images"
        images.mkdir(parents=True, exist_ok=True)
        for name in ("fixture.jpg", "favicon.png", "cx-logo.png"):
            src = FIXTURES / "images" / name
            if src.exists() and not (images / name).exists():
                (images / name).write_bytes(src.read_bytes())
    settings_override: dict[str, Any] = {
        "PATH": str(content),
        "OUTPUT_PATH": str(output),
        "THEME": str(ROOT / "theme"),
        "PLUGIN_PATHS": [str(ROOT / "plugins")],
        "CACHE_CONTENT": False,
        "LOAD_CONTENT_CACHE": False,
        "DELETE_OUTPUT_DIRECTORY": False,
    }
    settings_override.update(overrides)
    return build(root, content, output, settings_override)


def build(root: Path, content: Path, output: Path, overrides: dict[str, Any]) -> Site:
    """Run Pelican with the repo's pelicanconf.py and ``overrides``.

    The log records of the plugin and of the engine (loggers ``cx_digest``
    and ``fastbuild``) are kept on the returned Site.
    """
    # Full builds (the sample site's incremental state is its own); tests of
    # incremental builds turn it on, with their own CACHE_PATH.
    overrides = {
        "FASTBUILD_INCREMENTAL": False,
        "CACHE_PATH": str(root / "cache"),
        **overrides,
    }
    settings = read_settings(str(ROOT / "pelicanconf.py"), override=overrides)
    handler = logging.handlers.BufferingHandler(sys.maxsize)  # never flushed
    logs = [logging.getLogger(name) for name in ("cx_digest", "fastbuild")]
    for log in logs:
        log.addHandler(handler)
    try:
        with only_plugins(["cx_digest", "pelican.plugins.fastbuild"]):
            Pelican(settings).run()
    finally:
        for log in logs:
            log.removeHandler(handler)
    return Site(root, output, content, handler.buffer)
