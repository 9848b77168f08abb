"""Real Chromium (Debian's /usr/bin/chromium) driven by Playwright for Python.

Locally the browser tests skip with a clear message when Chromium is not
installed; with CX_REQUIRE_BROWSER=1 (set by .ci/run) a missing browser is
a failure instead, so CI can never pass without running them.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext

from browsing import SampleSite, Visit, route_for
from support import Site

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """A headless Chromium; skipped (or failed in CI) when it is missing."""
    if not CHROMIUM.exists():
        message = f"browser tests need Debian's chromium at {CHROMIUM}"
        if os.environ.get("CX_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " (CX_REQUIRE_BROWSER=1)")
        pytest.skip(message + " (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture(scope="session")
def serve() -> Iterator[Callable[[Path], str]]:
    """``serve(directory) -> "http://127.0.0.1:PORT"``, on loopback only."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(directory: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(directory))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go (ignored by git)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def sample(sample_site: Site, serve: Callable[[Path], str]) -> SampleSite:
    return SampleSite(sample_site, serve(sample_site.output))


@pytest.fixture
def open_page(chromium: Browser, sample: SampleSite) -> Iterator[Callable[..., Visit]]:
    """``open_page(kind, width=1280, color_scheme="light") -> Visit``: a new
    browser context per call, loaded and with its requests watched."""
    contexts: list[BrowserContext] = []

    def open_(
        kind: str, width: int = 1280, color_scheme: str = "light", height: int = 900
    ) -> Visit:
        url = sample.url(kind)
        context = chromium.new_context(
            viewport={"width": width, "height": height},
            color_scheme=color_scheme,  # type: ignore[arg-type]
            reduced_motion="reduce",
        )
        contexts.append(context)
        page = context.new_page()
        visit = Visit(page)
        page.on(
            "console",
            lambda msg: (
                visit.console_errors.append(f"console: {msg.text}")
                if msg.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda exc: visit.console_errors.append(f"page: {exc}"))
        context.route("**/*", route_for(sample.site, visit))
        response = page.goto(url, wait_until="load")
        assert response is not None
        assert response.ok, f"{url}: HTTP {response.status}"
        return visit

    yield open_
    for context in contexts:
        context.close()
