"""The wheel installs into a fresh venv and works in a site made the way
pelican-quickstart makes one (see tests/quickstart.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from quickstart import OFFLINE_PIP_INSTALL, Installed
from support import ROOT

pytestmark = pytest.mark.slow


def test_the_wheel_carries_the_templates_and_the_stylesheet(
    installed_plugin: Installed,
) -> None:
    listing = installed_plugin.run(
        "-c",
        "import importlib.resources as r;"
        "root = r.files('pelican.plugins.cx_digest');"
        "print((root / 'templates' / 'digest.html').is_file(),"
        " (root / 'templates' / 'email' / 'edition.txt').is_file(),"
        " (root / 'static' / 'digest.css').is_file(),"
        " (root / 'parallel').exists())",
    )
    assert listing.split() == ["True", "True", "True", "False"]


def test_the_engine_comes_as_its_own_package(installed_plugin: Installed) -> None:
    out = installed_plugin.run(
        "-c",
        "import importlib.metadata as m, pelican.plugins.fastbuild as f;"
        "print(m.version('pelican-fastbuild'), f.__file__,"
        " [r for r in m.requires('pelican-cx-digest') if 'fastbuild' in r])",
    )
    version, path, requirement = out.split(" ", 2)
    assert version == "0.1.0"
    assert "site-packages/pelican/plugins/fastbuild/__init__.py" in path
    assert requirement.strip() == "['pelican-fastbuild<0.2,>=0.1']"


def test_importing_the_plugin_registers_nothing(installed_plugin: Installed) -> None:
    out = installed_plugin.run(
        "-c",
        "from pelican.plugins import signals\n"
        "import pelican.plugins.cx_digest as plugin\n"
        "print(sum(len(getattr(signals, n).receivers) for n in dir(signals)"
        " if hasattr(getattr(signals, n), 'receivers')), plugin.register.__name__)",
    )
    assert out.split() == ["0", "register"]


@pytest.mark.parametrize("theme", ["notmyidea", "simple"])
def test_pelican_finds_and_runs_the_plugin(
    installed_plugin: Installed, theme: str
) -> None:
    site = installed_plugin.sites[theme]
    assert "pelican.plugins.cx_digest" in site.plugins
    if theme == "notmyidea":  # no PLUGINS: both found by discovery
        assert "pelican.plugins.fastbuild" in site.plugins
    editions = sorted((site.output / "digest").glob("20*/*/*/index.html"))
    assert len(editions) == 6
    for name in ("feeds/digest.atom.xml", "sitemap.xml", "cx-digest/digest.css"):
        assert (site.output / name).is_file(), name
    assert (editions[-1].parent / "email.eml").is_file()
    # Edition files are never read as articles (default ARTICLE_PATHS).
    assert not list(site.output.glob("*2026-11-18*.html"))


@pytest.mark.parametrize("theme", ["notmyidea", "simple"])
def test_related_by_file_name_and_a_missing_logo_reported(
    installed_plugin: Installed, theme: str
) -> None:
    site = installed_plugin.sites[theme]
    digest = [w for w in site.warnings if w[1] == "cx_digest"]
    assert digest == [
        [
            "WARNING",
            "cx_digest",
            "cx_digest: settings: CX_DIGEST_FEED_LOGO 'images/logo.png': "
            "no such file under content/; left out",
        ]
    ]
    # Slugs come from titles here; Related names the stories' files.
    page = BeautifulSoup(site.text("digest/2026/11/18/"), "html.parser")
    related = page.select(".cx-related a")
    assert len(related) >= 3
    hrefs = {a["href"] for a in related}
    stories = {p.name for p in site.output.glob("*.html")}
    internal = {h for h in hrefs if not h.startswith("https://example.org")}
    assert internal
    assert {h.rsplit("/", 1)[-1] for h in internal} <= stories
    assert "logo.png" not in (site.output / "feeds/digest.atom.xml").read_text()


@pytest.mark.parametrize("theme", ["notmyidea", "simple"])
def test_head_tags_reach_pages_of_a_theme_that_knows_nothing_of_them(
    installed_plugin: Installed, theme: str
) -> None:
    site = installed_plugin.sites[theme]
    for page in ("digest/2026/11/18/", "digest/"):
        soup = BeautifulSoup(site.text(page), "html.parser")
        head = soup.head
        assert head is not None
        assert len(head.find_all("link", rel="canonical")) == 1, page
        assert head.find("meta", property="og:title") is not None, page
        assert head.find("script", type="application/ld+json") is not None, page
        types = {link.get("type") for link in head.find_all("link", rel="alternate")}
        assert {"application/atom+xml", "application/rss+xml"} <= types, page
        sheets = [link["href"] for link in head.find_all("link", rel="stylesheet")]
        assert any(h.endswith("cx-digest/digest.css") for h in sheets), page
    edition = BeautifulSoup(site.text("digest/2026/11/18/"), "html.parser")
    assert edition.select_one(".cx-digest .cx-share") is not None
    assert edition.select_one(".cx-digest svg.cx-qr") is not None


def test_an_editable_install_is_found_by_pelican(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=600)
    python = venv / "bin" / "python"
    pip = [str(python), *OFFLINE_PIP_INSTALL]
    subprocess.run([*pip, "--upgrade", "setuptools>=77"], check=True, timeout=600)
    subprocess.run(
        [
            *pip,
            "--no-build-isolation",
            "--editable",
            str(ROOT / "plugins" / "fastbuild"),
            "--editable",
            str(ROOT),
        ],
        check=True,
        timeout=600,
        cwd=tmp_path,
    )
    out = subprocess.run(
        [
            str(python),
            "-c",
            "from pelican.plugins._utils import get_namespace_plugins, load_plugins;"
            "import pelican.plugins.cx_digest as p, pelican.plugins.fastbuild as f;"
            "print(sorted(get_namespace_plugins()),"
            " [m.__name__ for m in load_plugins({'PLUGINS': ['cx_digest']})],"
            " p.__file__, f.__file__)",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
        cwd=tmp_path,
    ).stdout
    assert (
        "['pelican.plugins.cx_digest', 'pelican.plugins.fastbuild'] "
        "['pelican.plugins.cx_digest']"
    ) in out
    assert str(ROOT / "src" / "pelican" / "plugins" / "cx_digest") in out
    engine = ROOT / "plugins" / "fastbuild" / "src" / "pelican" / "plugins"
    assert str(engine / "fastbuild" / "__init__.py") in out
