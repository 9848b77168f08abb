"""``pip install plugins/fastbuild`` into a fresh venv: nothing but Pelican and
its dependencies, found by Pelican with and without ``PLUGINS``, building in
parallel what a serial build writes; and the editable install, found the
same way. Offline: from the wheelhouse ``make venv`` fills."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

PROJECT = Path(__file__).resolve().parents[1]  # plugins/fastbuild
WHEELHOUSE = Path(sys.prefix) / "wheelhouse"

# A quickstart-like site in reStructuredText (docutils comes with Pelican;
# Markdown does not).
STORY = """\
{title}
{rule}

:date: 2026-03-{day:02d} 10:00
:category: {category}
:tags: {tags}

Paragraph one of {title}.

Paragraph two, with a `link <https://example.org/{day}>`_.
"""

# Builds the site once per worker count; reports which writer each build
# used and the plugins Pelican enabled.
DRIVER = """\
import json, sys
from pathlib import Path
from pelican import Pelican
from pelican.plugins import signals
from pelican.settings import read_settings

plugins = json.loads(sys.argv[1])
report = {}

def tree(folder):
    return {str(p.relative_to(folder)): p.read_bytes().hex()
            for p in sorted(folder.rglob("*")) if p.is_file()}

for workers in (1, 2):
    writers = []
    def note(generator, writer):
        writers.append(type(writer).__name__)
    signals.article_writer_finalized.connect(note)
    override = {"PATH": "content", "OUTPUT_PATH": f"out{workers}",
                "FASTBUILD_WORKERS": workers, "TIMEZONE": "UTC",
                "DEFAULT_PAGINATION": 3}
    if plugins is not None:
        override["PLUGINS"] = plugins
    pelican = Pelican(read_settings(None, override=override))
    pelican.run()
    signals.article_writer_finalized.disconnect(note)
    report[workers] = {"writers": writers, "plugins": pelican.settings["PLUGINS"],
                       "tree": tree(Path(f"out{workers}"))}
Path(sys.argv[2]).write_text(json.dumps(report), encoding="utf-8")
"""


def venv(root: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "venv", str(root)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return root / "bin" / "python"


def run(python: Path, *args: str, cwd: Path | None = None) -> str:
    result = subprocess.run(
        [str(python), *args],
        capture_output=True,
        encoding="utf-8",
        timeout=600,
        cwd=cwd,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def pip_install(python: Path, *args: str) -> None:
    assert WHEELHOUSE.is_dir(), f"{WHEELHOUSE} is missing: run `make venv`"
    run(python, "-m", "pip", "install", "--quiet", "--no-index", "--find-links",
        str(WHEELHOUSE), *args)  # fmt: skip


def make_site(root: Path) -> Path:
    content = root / "content"
    content.mkdir(parents=True)
    for day in range(1, 13):
        title = f"Story {day}"
        (content / f"story-{day}.rst").write_text(
            STORY.format(
                title=title,
                rule="#" * len(title),
                day=day,
                category=("Economy", "Markets", "World")[day % 3],
                tags=", ".join(("Rates", "Ports", "Rice", "Steel")[: 1 + day % 4]),
            ),
            encoding="utf-8",
        )
    (root / "driver.py").write_text(DRIVER, encoding="utf-8")
    return root


def build_site(python: Path, root: Path, plugins: list[str] | None) -> dict:
    run(python, "driver.py", json.dumps(plugins), "report.json", cwd=root)
    return json.loads((root / "report.json").read_text(encoding="utf-8"))


def pelican_alone(python: Path) -> set[str]:
    """What pip installs for Pelican alone, from the same wheelhouse."""
    out = run(python, "-m", "pip", "install", "--quiet", "--dry-run",
              "--ignore-installed", "--report", "-", "--no-index", "--find-links",
              str(WHEELHOUSE), "pelican")  # fmt: skip
    return {
        item["metadata"]["name"].lower().replace("_", "-").replace(".", "-")
        for item in json.loads(out)["install"]
    }


def installed(python: Path) -> set[str]:
    out = run(python, "-m", "pip", "list", "--format=json")
    return {
        d["name"].lower().replace("_", "-").replace(".", "-") for d in json.loads(out)
    }


def check_builds(report: dict) -> None:
    assert report["1"]["writers"] == ["Writer"]
    assert report["2"]["writers"] == ["ParallelWriter"]
    assert "pelican.plugins.fastbuild" in report["2"]["plugins"]
    assert len(report["1"]["tree"]) > 20
    assert "story-7.html" in report["1"]["tree"]
    assert report["2"]["tree"] == report["1"]["tree"]


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fastbuild-wheel")
    dist = str(root / "dist")
    run(Path(sys.executable), "-m", "pip", "wheel", "--no-deps",
        "--no-build-isolation", "--quiet", "-w", dist, str(PROJECT))  # fmt: skip
    (wheel,) = (root / "dist").glob("pelican_fastbuild-*.whl")
    python = venv(root / "venv")
    # What a fresh venv has (pip; setuptools too before Python 3.12).
    (root / "seeded.json").write_text(json.dumps(sorted(installed(python))))
    pip_install(python, str(wheel))
    return python


def test_the_wheel_brings_nothing_but_pelican(wheel_venv: Path) -> None:
    requires = run(
        wheel_venv,
        "-c",
        "import importlib.metadata as m; print(m.requires('pelican-fastbuild'))",
    )
    # Pelican is the one requirement; cmarkgfm only with the commonmark extra.
    assert requires.strip() == (
        "['pelican<4.13,>=4.11', 'cmarkgfm>=2025.10.22; extra == \"commonmark\"']"
    )
    seeded = set(json.loads((wheel_venv.parents[2] / "seeded.json").read_text()))
    expected = pelican_alone(wheel_venv) | {"pelican-fastbuild"}
    assert "pelican" in expected
    assert installed(wheel_venv) - seeded == expected
    # None of the digest's dependencies came along.
    assert not {"markdown", "feedgen", "nh3", "lxml", "pillow", "cmarkgfm"} & (
        installed(wheel_venv)
    )


@pytest.mark.parametrize("plugins", [None, ["fastbuild"]], ids=["discovered", "listed"])
def test_pelican_finds_the_engine_and_builds_the_serial_tree(
    wheel_venv: Path, tmp_path: Path, plugins: list[str] | None
) -> None:
    check_builds(build_site(wheel_venv, make_site(tmp_path), plugins))


def test_an_editable_install_is_found_by_pelican(tmp_path: Path) -> None:
    python = venv(tmp_path / "venv")
    pip_install(python, "setuptools==80.9.0", "pelican")
    pip_install(python, "--no-build-isolation", "--editable", str(PROJECT))
    out = run(
        python,
        "-c",
        "from pelican.plugins._utils import get_namespace_plugins, load_plugins;"
        "import pelican.plugins.fastbuild as f;"
        "print(sorted(get_namespace_plugins()),"
        " [m.__name__ for m in load_plugins({'PLUGINS': ['fastbuild']})],"
        " f.__file__)",
        cwd=tmp_path,
    )
    assert "['pelican.plugins.fastbuild'] ['pelican.plugins.fastbuild']" in out
    assert str(PROJECT / "src" / "pelican" / "plugins" / "fastbuild") in out
    check_builds(build_site(python, make_site(tmp_path / "site"), None))
