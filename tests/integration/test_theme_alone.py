"""The project's theme builds a plain Pelican site without the plugin: story,
category, tag and list pages, dates from Pelican's own ``locale_date``, no
digest links."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from support import ROOT

SETTINGS = """\
import sys
sys.path.insert(0, {root!r})
from pelicanconf import *  # noqa: F403

PATH = {content!r}
OUTPUT_PATH = {output!r}
THEME = {theme!r}
PLUGINS = []
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
DIRECT_TEMPLATES = ["index", "categories", "tags", "archives"]
for _key in [k for k in globals() if k.startswith("CX_DIGEST_")]:
    del globals()[_key]
"""


@pytest.fixture(scope="module")
def plain_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The sample content built by Pelican alone (in its own process: a
    plugin registered by an earlier build in this one stays connected)."""
    root = tmp_path_factory.mktemp("plain")
    output = root / "output"
    conf = root / "plainconf.py"
    conf.write_text(
        SETTINGS.format(
            root=str(ROOT),
            content=str(ROOT / "content"),
            output=str(output),
            theme=str(ROOT / "theme"),
        ),
        encoding="utf-8",
    )
    pelican = Path(sys.executable).with_name("pelican")
    result = subprocess.run(
        # Any warning or error fails the build.
        [str(pelican), "-s", str(conf), "--fatal", "warnings"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return output, [result.stdout + result.stderr] if result.returncode else []


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
