"""The plugin as a new user gets it: the wheel built from this repository,
installed into a fresh virtual environment (offline, from the wheelhouse
``make venv`` fills), and Pelican sites made the way ``pelican-quickstart``
makes one: default ``ARTICLE_PATHS``, slugs from titles, no
``PLUGIN_PATHS``, Pelican's own themes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from support import ROOT

WHEELHOUSE = Path(sys.prefix) / "wheelhouse"
ENGINE = ROOT / "plugins" / "fastbuild"  # the package pelican-fastbuild
PUBLIC_URL = "https://news.example.org"

# What pelican-quickstart writes (4.12), then the digest's settings.
QUICKSTART = """\
AUTHOR = "Example Newsroom"
SITENAME = "Example News"
SITEURL = ""

PATH = "content"

TIMEZONE = "Asia/Shanghai"

DEFAULT_LANG = "en"

# Feed generation is usually not desired when developing
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

# Blogroll
LINKS = (
    ("Pelican", "https://getpelican.com/"),
    ("Python.org", "https://www.python.org/"),
)

# Social widget
SOCIAL = (("You can add links in your config file", "#"),)

DEFAULT_PAGINATION = 10

THEME = {theme!r}
{plugins}
CX_DIGEST_PUBLIC_URL = "{public}"
CX_DIGEST_FEED_ID_AUTHORITY = "news.example.org,2026"
CX_DIGEST_FEED_LOGO = "images/logo.png"  # not in content/: reported
CX_DIGEST_SECTIONS = [
    {{"key": "policy", "title": "Policy & Markets",
      "categories": ["Economy", "Markets", "Finance", "Politics", "World"]}},
    {{"key": "business", "title": "Companies & Technology",
      "categories": ["Companies", "Technology", "Energy", "Property", "Autos"]}},
]
"""

# Runs Pelican in the fresh environment and keeps its warnings.
DRIVER = """\
import json, logging, sys
from pelican import Pelican
from pelican.settings import read_settings

records = []

class Keep(logging.Handler):
    def emit(self, record):
        records.append([record.levelname, record.name, record.getMessage()])

logging.getLogger().addHandler(Keep(logging.WARNING))
pelican = Pelican(read_settings(sys.argv[1]))
pelican.run()
with open(sys.argv[2], "w", encoding="utf-8") as out:
    json.dump({"warnings": records, "plugins": pelican.settings["PLUGINS"]}, out)
"""


@dataclass
class Installed:
    """A fresh virtual environment with the plugin's wheel installed."""

    root: Path
    python: Path
    wheel: Path
    sites: dict[str, QuickstartSite] = field(default_factory=dict)

    def run(self, *args: str, cwd: Path | None = None) -> str:
        result = subprocess.run(
            [str(self.python), *args],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=cwd,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout


@dataclass
class QuickstartSite:
    theme: str
    root: Path
    output: Path
    warnings: list[list[str]]
    plugins: list[str]

    def text(self, rel: str) -> str:
        target = self.output / rel
        if rel.endswith("/") or rel == "":
            target = target / "index.html"
        return target.read_text(encoding="utf-8")


# pip install from the project's wheelhouse only (no network at test time).
OFFLINE_PIP_INSTALL = (
    "-m",
    "pip",
    "install",
    "--quiet",
    "--no-index",
    "--find-links",
    str(WHEELHOUSE),
)


def build_wheel(project: Path, dist: Path) -> None:
    """``pip wheel`` of one of this repository's packages into ``dist``."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(dist),
            str(project),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )


def install(root: Path) -> Installed:
    """Build the digest's wheel and the engine's (pelican-fastbuild, a
    dependency), make a fresh venv, install the digest's wheel into it: pip
    finds the engine among the wheels just built, the rest in the wheelhouse."""
    assert WHEELHOUSE.is_dir(), f"{WHEELHOUSE} is missing: run `make venv`"
    dist = root / "dist"
    build_wheel(ROOT, dist)
    build_wheel(ENGINE, dist)
    (wheel,) = dist.glob("pelican_cx_digest-*.whl")
    subprocess.run(
        [sys.executable, "-m", "venv", str(root / "venv")],
        check=True,
        capture_output=True,
        timeout=600,
    )
    installed = Installed(root, root / "venv" / "bin" / "python", wheel)
    installed.run(*OFFLINE_PIP_INSTALL, "--find-links", str(dist), str(wheel))
    return installed


def make_site(installed: Installed, theme: str, plugins: list[str] | None) -> Any:
    """The sample newsroom's content in a quickstart-style site, built."""
    root = installed.root / f"site-{theme}"
    shutil.copytree(ROOT / "content", root / "content")
    setting = f"PLUGINS = {plugins!r}" if plugins is not None else ""
    conf = QUICKSTART.format(theme=theme, plugins=setting, public=PUBLIC_URL)
    (root / "pelicanconf.py").write_text(conf, encoding="utf-8")
    (root / "driver.py").write_text(DRIVER, encoding="utf-8")
    installed.run("driver.py", "pelicanconf.py", "result.json", cwd=root)
    result = json.loads((root / "result.json").read_text(encoding="utf-8"))
    site = QuickstartSite(
        theme, root, root / "output", result["warnings"], result["plugins"]
    )
    installed.sites[theme] = site
    return site
