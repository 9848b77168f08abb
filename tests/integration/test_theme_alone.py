"""The project's theme builds a plain Pelican site without the plugin: story,
category, tag and list pages, dates from Pelican's own ``locale_date``, no
digest links."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pelican import Pelican
from pelican.settings import read_settings

from support import ROOT


@pytest.fixture(scope="module")
def plain_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    output = tmp_path_factory.mktemp("plain") / "output"
    overrides = {
        "PATH": str(ROOT / "content"),
        "OUTPUT_PATH": str(output),
        "THEME": str(ROOT / "theme"),
        "PLUGINS": [],
        "CACHE_CONTENT": False,
        "LOAD_CONTENT_CACHE": False,
        "DIRECT_TEMPLATES": ["index", "categories", "tags", "archives"],
    }
    settings = read_settings(str(ROOT / "pelicanconf.py"), override=overrides)
    for key in [k for k in settings if k.startswith("CX_DIGEST_")]:
        del settings[key]
    problems: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                problems.append(record.getMessage())

    handler = Collect()
    logging.getLogger().addHandler(handler)
    try:
        Pelican(settings).run()
    finally:
        logging.getLogger().removeHandler(handler)
    return output, problems


def test_builds_without_a_problem(plain_site: tuple[Path, list[str]]) -> None:
    output, problems = plain_site
    assert problems == []
    assert (output / "index.html").is_file()
    assert not (output / "digest").exists()


def test_story_page_shows_pelicans_date_and_no_digest_parts(
    plain_site: tuple[Path, list[str]],
) -> None:
    output, _ = plain_site
    page = output / "2026/11/18/central-bank-cuts-reserve-ratio/index.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    assert soup.select_one(".story-meta time").get_text() == "Nov 18, 2026 09:00 AM"
    assert soup.select_one(".cx-share") is None
    assert soup.select_one(".story-edition") is None
    assert soup.find("link", rel="canonical") is None
    nav = [a.get_text() for a in soup.select(".site-nav a")]
    assert "Editions" not in nav
    assert "Feed" not in nav


def test_list_pages_render(plain_site: tuple[Path, list[str]]) -> None:
    output, _ = plain_site
    for page in ("category/markets/", "tag/delta-floods/", "stories/", ""):
        text = (output / page / "index.html").read_text(encoding="utf-8")
        soup = BeautifulSoup(text, "html.parser")
        assert soup.select(".story-teaser"), page
        assert all(t.get_text().strip() for t in soup.select(".story-meta time"))
