"""Same content, same settings: byte-identical output, whatever the machine's
time zone, locale or clock. Each build runs in its own process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT, story_file

PELICAN = Path(sys.executable).with_name("pelican")

# Replaces the wall clock of the build process (time.time and friends), so
# that anything reading "now" differs between the two builds.
SITECUSTOMIZE = """
import os
import time

_fake = float(os.environ["CX_FAKE_NOW"])
time.time = lambda: _fake
time.time_ns = lambda: int(_fake * 1e9)
"""

ENVIRONMENTS = [
    {
        "TZ": "America/New_York",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "CX_FAKE_NOW": "1700000000",  # 2023-11-14
        "SOURCE_DATE_EPOCH": "1600000000",
    },
    {
        "TZ": "Asia/Tokyo",
        "LANG": "POSIX",
        "LC_ALL": "POSIX",
        "CX_FAKE_NOW": "2000000000",  # 2033-05-18
        "SOURCE_DATE_EPOCH": "1900000000",
    },
]


def build(tmp: Path, name: str, content: Path, env: dict[str, str]) -> Path:
    """Run ``pelican`` in a fresh process with ``env``; return the output."""
    hook = tmp / f"{name}-hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    output = tmp / f"{name}-output"
    full_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp),
        "PYTHONPATH": str(hook),
        "PYTHONHASHSEED": "random",
        **env,
    }
    result = subprocess.run(
        [
            str(PELICAN),
            str(content),
            "-o",
            str(output),
            "-s",
            str(ROOT / "pelicanconf.py"),
            "-e",
            f'CACHE_PATH="{tmp / (name + "-cache")}"',
            f'THEME="{ROOT / "theme"}"',
            f'PLUGIN_PATHS=["{ROOT / "plugins"}"]',
        ],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return output


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def assert_identical(a: Path, b: Path) -> None:
    first, second = tree(a), tree(b)
    assert sorted(first) == sorted(second)
    differing = [name for name in first if first[name] != second[name]]
    assert differing == [], differing
    assert len(first) > 10


def test_clock_faker_really_changes_the_clock(tmp_path: Path) -> None:
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-c", "import time; print(int(time.time()))"],
        env={**os.environ, "PYTHONPATH": str(hook), "CX_FAKE_NOW": "1234567890"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "1234567890"


def test_sample_site_is_byte_identical_across_tz_locale_and_clock(
    tmp_path: Path,
) -> None:
    a = build(tmp_path, "a", ROOT / "content", ENVIRONMENTS[0])
    b = build(tmp_path, "b", ROOT / "content", ENVIRONMENTS[1])
    assert (a / "digest").is_dir()
    assert_identical(a, b)


def test_fixture_site_with_dst_offsets_and_warnings_is_byte_identical(
    tmp_path: Path,
) -> None:
    """Dates near midnight and with offsets, warnings, an edition file: the
    parts most sensitive to the machine's time zone and locale."""
    content = tmp_path / "content"
    files = {
        "stories/a.md": story_file(
            "Midnight story", "2026-11-18 00:00", tags="Rates, Floods"
        ),
        "stories/b.md": story_file(
            "Offset story", "2026-11-17T16:30:00+00:00", tags="Floods"
        ),
        "stories/c.md": story_file(
            "New York story", "2026-03-08T01:59:00-05:00", digest="lead"
        ),
        "stories/d.md": story_file(
            "Bad one", "2026-11-18 23:59", digest="unknown", digest_order="x"
        ),
        "stories/e.md": story_file("Ünïcödé — “quotes”", "2026-11-19 12:00"),
        "digests/2026-11-18.md": "Date: 2026-11-18 10:20\nTitle: Curated\n\nNote.\n",
    }
    for rel, text in files.items():
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_text(text, encoding="utf-8")
    (content / "images").mkdir()
    for name in ("fixture.jpg", "favicon.png"):
        src = ROOT / "tests" / "fixtures" / "images" / name
        (content / "images" / name).write_bytes(src.read_bytes())
    a = build(tmp_path, "a", content, ENVIRONMENTS[0])
    b = build(tmp_path, "b", content, ENVIRONMENTS[1])
    assert (a / "digest/2026/11/18/index.html").exists()
    assert "Nov 18, 2026 10:20 AM" in (a / "digest/2026/11/18/index.html").read_text(
        encoding="utf-8"
    )
    assert_identical(a, b)


@pytest.mark.slow  # eight builds in their own processes: CI runs it
def test_two_stories_with_one_slug_and_one_time_list_the_same_every_build(
    tmp_path: Path,
) -> None:
    """Pelican orders stories of the same time by slug, and two stories with
    one slug then by the order it found their files in (a set's, which
    changes with the hash seed): renamed, they are listed by their new slugs,
    the same whatever the seed."""
    content = tmp_path / "content"
    files = {
        "stories/rates.md": story_file("First rates", "2026-11-17 08:00", tags="Rates"),
        "stories/wire/rates.md": story_file(
            "Second rates", "2026-11-17 08:00", tags="Rates"
        ),
        "stories/other.md": story_file("Other", "2026-11-17 08:00", tags="Rates"),
    }
    for name, text in files.items():
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text(text, encoding="utf-8")
    trees = []
    for seed in range(8):
        env = {**ENVIRONMENTS[0], "PYTHONHASHSEED": str(seed)}
        trees.append(tree(build(tmp_path, f"seed{seed}", content, env)))
    listing = trees[0]["tag/rates/index.html"].decode()
    assert listing.index("/rates/") < listing.index("/rates-2/")
    for other in trees[1:]:
        assert [n for n in trees[0] if trees[0][n] != other.get(n)] == []
