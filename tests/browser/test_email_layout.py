"""The email edition in real Chromium: phone and desktop widths, no overflow.

Every URL in ``email.html`` is absolute (the site's public address), so the
test answers requests for that address from the build, as the published
site would, and refuses anything else: an email must not need a third-party
server to look right.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route

from support import Site

PUBLIC = urlsplit("https://daily.cx-newsroom.example")
DAYS = ["2026/11/16", "2026/11/18", "2026/11/21"]


@pytest.fixture
def email_page(
    chromium: Browser, serve: Callable[[Path], str], sample_site: Site
) -> Iterator[Callable[[str, int], tuple[Page, list[str]]]]:
    base = serve(sample_site.output)
    contexts = []

    def open_(day: str, width: int) -> tuple[Page, list[str]]:
        refused: list[str] = []
        context = chromium.new_context(viewport={"width": width, "height": 800})
        contexts.append(context)

        def route(r: Route) -> None:
            url = urlsplit(r.request.url)
            if url.hostname == "127.0.0.1":
                r.continue_()
            elif (url.scheme, url.netloc) == (PUBLIC.scheme, PUBLIC.netloc):
                target = sample_site.output / url.path.lstrip("/")
                if target.is_file():
                    r.fulfill(path=target)
                else:
                    refused.append(r.request.url)
                    r.fulfill(status=404, body="not in the build")
            else:
                refused.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        response = page.goto(f"{base}/digest/{day}/email.html", wait_until="load")
        assert response is not None
        assert response.ok
        return page, refused

    yield open_
    for context in contexts:
        context.close()


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("width", [600, 375])
def test_email_fits_the_width_and_loads_every_image(
    email_page: Callable[[str, int], tuple[Page, list[str]]],
    artifacts: Path,
    day: str,
    width: int,
) -> None:
    page, refused = email_page(day, width)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{day} at {width}px scrolls to {scroll_width}px"

    widest = page.evaluate(
        """() => Math.max(...[...document.body.querySelectorAll('*')]
            .map(el => el.getBoundingClientRect().right))"""
    )
    assert widest <= width + 0.5, f"an element ends at {widest}px"

    images = page.evaluate(
        """() => [...document.images].map(img => ({
            src: img.currentSrc, natural: img.naturalWidth,
            shown: img.getBoundingClientRect().width}))"""
    )
    assert images, "the edition shows no image"
    for image in images:
        assert image["natural"] > 0, f"{image['src']} did not load"
        assert 0 < image["shown"] <= min(width, 600)
    assert refused == []

    # The preheader is in the page but not visible.
    preheader = page.evaluate(
        """() => { const el = document.body.firstElementChild;
            return [el.textContent.trim().length, el.getBoundingClientRect().height,
                    getComputedStyle(el).display]; }"""
    )
    assert preheader[0] > 20
    assert preheader[1] == 0
    assert preheader[2] == "none"

    # The title reads in a large serif, the first text a reader sees.
    title = page.locator("h1")
    assert title.count() == 1
    assert "Georgia" in title.evaluate("el => getComputedStyle(el).fontFamily")

    # On a phone the content column uses the whole width; on a desktop the
    # container is 600 px.
    container = page.evaluate(
        """() => document.querySelector('table[role=presentation] table')
            .getBoundingClientRect().width"""
    )
    assert container == pytest.approx(min(width, 600), abs=1)

    page.screenshot(
        path=str(artifacts / f"email-{day.replace('/', '-')}-{width}.png"),
        full_page=True,
    )
