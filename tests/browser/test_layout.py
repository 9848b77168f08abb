"""Every page type at phone, tablet and desktop widths, as Chromium renders it:
no sideways scrolling, no broken images, no console errors, nothing fetched
from beyond 127.0.0.1, and an edition's blocks in anatomy order on screen."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from browsing import PAGE_KINDS, Visit

WIDTHS = [375, 768, 1280]
# Top to bottom, as in the digest anatomy (every one is in the sample edition).
EDITION_KINDS = {"home", "edition", "email"}
ANATOMY = ["lead", "story", "quick-hits", "hot-topics", "photo", "footer"]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_page_renders_cleanly(
    open_page: Callable[..., Visit], kind: str, width: int
) -> None:
    visit = open_page(kind, width=width)
    visit.load_all_images()
    page = visit.page

    overflow = page.evaluate(
        """() => ({scroll: document.documentElement.scrollWidth,
                   inner: window.innerWidth,
                   wide: [...document.querySelectorAll('body *')]
                     .filter(el => el.getBoundingClientRect().right > innerWidth + 1)
                     .slice(0, 5).map(el => el.outerHTML.slice(0, 120))})"""
    )
    assert overflow["scroll"] <= overflow["inner"], overflow

    images = page.evaluate(
        """() => [...document.images].map(img => ({
                src: img.currentSrc || img.src, complete: img.complete,
                width: img.naturalWidth}))"""
    )
    assert images or kind in ("archive", "category"), "expected pictures"
    broken = [i["src"] for i in images if not (i["complete"] and i["width"] > 0)]
    assert broken == []

    assert page.locator("h1").count() == 1
    if kind in EDITION_KINDS:
        assert_anatomy_order(page)

    assert visit.console_errors == []
    assert visit.external == []
    if kind != "email":  # web pages link within the build, the email absolutely
        assert visit.public == []


def assert_anatomy_order(page: Page) -> None:
    """The edition's blocks, top to bottom, in the order of the anatomy."""
    blocks = page.evaluate(
        """(names) => names.map(name => {
            const all = [...document.querySelectorAll(`[data-block="${name}"]`)]
                .filter(el => el.getClientRects().length > 0);
            if (!all.length) return [name, null, null];
            const boxes = all.map(el => el.getBoundingClientRect());
            return [name, Math.min(...boxes.map(b => b.top)) + window.scrollY,
                    Math.max(...boxes.map(b => b.bottom)) + window.scrollY];
        })""",
        ANATOMY,
    )
    missing = [name for name, top, _ in blocks if top is None]
    assert missing == [], f"blocks not on screen: {missing}"
    # Each block starts below where the previous kind of block starts; the
    # lead ends before the first story, Hot Topics after the last Quick hits.
    tops = [top for _, top, _ in blocks]
    assert tops == sorted(tops), blocks
    where = {name: (top, bottom) for name, top, bottom in blocks}
    assert where["lead"][1] <= where["story"][0]
    assert where["story"][1] <= where["hot-topics"][0]
    assert where["quick-hits"][1] <= where["hot-topics"][0]
    assert where["hot-topics"][1] <= where["photo"][0]
    assert where["photo"][1] <= where["footer"][0]
