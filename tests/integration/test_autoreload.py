"""``pelican --autoreload --listen`` with the parallel build: edit a story and
the served edition page shows the edit after the rebuild."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from support import FIXTURES, ROOT, story_file

pytestmark = pytest.mark.slow

SETTINGS = """\
import sys
sys.path.insert(0, {root!r})
from pelicanconf import *  # noqa: F403

PATH = "content"
OUTPUT_PATH = "output"
THEME = {theme!r}
PLUGIN_PATHS = [{plugins!r}]
FASTBUILD_WORKERS = 2
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def wait_for(url: str, text: str, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    page = ""
    while time.monotonic() < deadline:
        page = fetch(url)
        if text in page:
            return page
        time.sleep(0.5)
    raise AssertionError(f"{url} never showed {text!r}; last answer:\n{page[:500]}")


def test_an_edited_story_is_rebuilt_and_served(tmp_path: Path) -> None:
    content = tmp_path / "content"
    stories = content / "stories"
    stories.mkdir(parents=True)
    (content / "images").mkdir()
    for name in ("fixture.jpg", "favicon.png", "cx-logo.png"):
        (content / "images" / name).write_bytes(
            (FIXTURES / "images" / name).read_bytes()
        )
    for n in range(4):
        (stories / f"s{n}.md").write_text(
            story_file(f"Story number {n}", f"2026-11-18 0{8 + n}:00"),
            encoding="utf-8",
        )
    (tmp_path / "conf.py").write_text(
        SETTINGS.format(
            root=str(ROOT), theme=str(ROOT / "theme"), plugins=str(ROOT / "plugins")
        ),
        encoding="utf-8",
    )
    port = free_port()
    pelican = Path(sys.executable).with_name("pelican")
    server = subprocess.Popen(
        [str(pelican), "--autoreload", "--listen", "--bind", "127.0.0.1",
         "--port", str(port), "-s", "conf.py"],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/digest/2026/11/18/"
    try:
        wait_for(url, "Story number 2")
        edited = story_file("A rewritten headline", "2026-11-18 10:00")
        time.sleep(1.1)  # a modification time the watcher can tell apart
        (stories / "s2.md").write_text(edited, encoding="utf-8")
        page = wait_for(url, "A rewritten headline")
        assert "Story number 2" not in page
        assert server.poll() is None, "the server stopped"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
