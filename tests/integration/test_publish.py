"""Publishing: pre-compressed twins, `make publish` and `make upload`."""

from __future__ import annotations

import gzip
import os
import random
import shutil
import subprocess
from pathlib import Path

import brotli
import pytest
from bs4 import BeautifulSoup
from lxml import etree

from support import ROOT, Site, run_pelican, story_file
from tools.compress import compress_tree

PUBLIC = "https://daily.cx-newsroom.example"
MAKE = shutil.which("make")
needs_make = pytest.mark.skipif(MAKE is None, reason="make is not installed")


@pytest.fixture
def built(tmp_path: Path) -> Site:
    files = {
        "stories/a/one.md": story_file(
            "A story long enough to compress",
            "2026-11-18 08:00",
            "Economy",
            body="A paragraph of ordinary text. " * 80,
            image="images/fixture.jpg",
        ),
        "stories/a/two.md": story_file("Second", "2026-11-18 09:00", "Markets"),
    }
    return run_pelican(tmp_path, files)


def twins(path: Path) -> tuple[Path, Path]:
    return path.with_name(path.name + ".gz"), path.with_name(path.name + ".br")


def test_twins_decompress_to_the_original(built: Site) -> None:
    out = built.output
    small = out / "small.txt"
    small.write_text("tiny\n")
    noise = out / "noise.txt"  # 4 KB that no compressor can shrink
    noise.write_bytes(random.Random(7).randbytes(4096))
    stats = compress_tree(out, jobs=2)
    texts = [
        p
        for p in out.rglob("*")
        if p.is_file()
        and p.suffix
        in {".html", ".xml", ".json", ".txt", ".css", ".js", ".svg", ".eml"}
    ]
    assert stats.files == len(texts)
    checked = 0
    for path in texts:
        gz, br = twins(path)
        data = path.read_bytes()
        if path == noise or len(data) < 1024:
            assert not gz.exists()
            assert not br.exists()
            continue
        assert gz.exists(), path
        assert br.exists(), path
        assert gzip.decompress(gz.read_bytes()) == data
        assert brotli.decompress(br.read_bytes()) == data
        assert gz.stat().st_size < len(data)
        assert br.stat().st_size < len(data)
        assert gz.read_bytes()[4:8] == b"\0\0\0\0"  # no time stamp
        checked += 1
    assert checked >= 10
    for kind in ("index.html", "sitemap.xml", "robots.txt"):
        if (out / kind).stat().st_size >= 1024:
            assert twins(out / kind)[0].exists()
    # Images are left alone.
    assert not list(out.rglob("*.jpg.gz"))
    assert not list(out.rglob("*.png.br"))


def test_compression_is_deterministic_and_drops_stale_twins(built: Site) -> None:
    out = built.output
    compress_tree(out)
    page = out / "index.html"
    gz, br = twins(page)
    first = (gz.read_bytes(), br.read_bytes())
    compress_tree(out)
    assert (gz.read_bytes(), br.read_bytes()) == first
    page.write_text("now tiny\n")
    compress_tree(out)
    assert not gz.exists()
    assert not br.exists()


def make(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    assert MAKE is not None
    return subprocess.run(
        [MAKE, "--no-print-directory", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=600,
        check=False,
    )


@pytest.mark.slow  # make publish from a copy of the repository: CI runs it
@needs_make
def test_make_publish_builds_a_deployable_tree(tmp_path: Path) -> None:
    out = tmp_path / "public"
    # `-o venv`: use the set-up virtualenv as it is (no pip in tests).
    run = make("-o", "venv", "publish", f"OUTPUTDIR={out}")
    log = run.stdout + run.stderr
    assert run.returncode == 0, log
    assert "WARNING" not in log
    assert "ERROR" not in log
    assert "compress:" in run.stdout
    home = BeautifulSoup(
        (out / "index.html").read_text(encoding="utf-8"), "html.parser"
    )
    # publishconf.py: absolute URLs everywhere.
    assert home.find("link", rel="stylesheet")["href"].startswith(PUBLIC + "/")
    for link in home.select("main a[href]"):
        href = link["href"]
        assert href.startswith(("https://", "http://", "mailto:", "#")), href
    assert home.find("link", rel="canonical")["href"] == f"{PUBLIC}/"
    # Every page in the sitemap exists, with its compressed twins.
    root = etree.fromstring((out / "sitemap.xml").read_bytes())
    locs = [e.text for e in root.iter("{*}loc")]
    assert len(locs) > 50
    for loc in locs:
        assert loc.startswith(PUBLIC + "/")
        page = out / loc.removeprefix(PUBLIC + "/") / "index.html"
        assert page.is_file(), loc
        gz, br = twins(page)
        assert gzip.decompress(gz.read_bytes()) == page.read_bytes()
        assert brotli.decompress(br.read_bytes()) == page.read_bytes()
    assert twins(out / "sitemap.xml")[1].exists()
    logo = home.find("script", type="application/ld+json").string
    assert f"{PUBLIC}/images/cx-logo.png" in logo
    assert (out / "images" / "cx-logo.png").is_file()
    assert (out / "robots.txt").read_text().count("Sitemap: https://") == 2
    # Published again with nothing changed: every file, twins included,
    # keeps its bytes and its mtime (rsync and aws s3 sync send nothing).
    before = {
        p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()
    }
    again = make("-o", "venv", "publish", f"OUTPUTDIR={out}")
    assert again.returncode == 0, again.stdout + again.stderr
    after = {
        p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()
    }
    assert after.keys() == before.keys()
    assert [p for p in before if after[p] != before[p]] == []


@needs_make
def test_make_upload_needs_a_target() -> None:
    run = make("upload")
    assert run.returncode != 0
    assert "TARGET=user@host:" in run.stderr
    assert "S3_BUCKET=s3://" in run.stderr
    both = make("upload", "TARGET=u@h:/x", "S3_BUCKET=s3://b")
    assert both.returncode != 0
    assert "not both" in both.stderr


@needs_make
def test_make_upload_commands() -> None:
    # Dry runs (-n): print what would run, run nothing.
    rsync = make("-n", "-o", "venv", "upload", "TARGET=deploy@web1:/var/www/cx")
    assert rsync.returncode == 0, rsync.stderr
    assert "tools/compress.py" in rsync.stdout
    line = next(x for x in rsync.stdout.splitlines() if x.startswith("rsync "))
    assert line.endswith(" output/ deploy@web1:/var/www/cx/")
    assert "--delete" in line
    assert "ssh" in line
    s3 = make("-n", "-o", "venv", "upload", "S3_BUCKET=s3://cx-daily")
    assert s3.returncode == 0, s3.stderr
    assert "aws s3 sync output/ s3://cx-daily --delete" in s3.stdout
    assert 'application/atom+xml; charset=utf-8"' in s3.stdout
    assert 'application/rss+xml; charset=utf-8"' in s3.stdout
    assert 'application/feed+json; charset=utf-8"' in s3.stdout
