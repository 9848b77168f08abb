"""The digest pages in Pelican's own notmyidea and simple themes, from the
installed wheel (tests/quickstart.py): styled by the plugin's own
stylesheet, with no sideways scrolling at 375 px, photos inside the text
column, the anatomy in order, no serious or critical axe problem in the
digest's blocks, and screenshots in tests/artifacts/."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page
from test_layout import assert_anatomy_order

from quickstart import Installed

pytestmark = pytest.mark.slow

THEMES = ["notmyidea", "simple"]
WIDTHS = [375, 1280]
AXE = Axe()


@pytest.fixture
def theme_page(
    chromium: Browser, serve: Callable[[Path], str], installed_plugin: Installed
) -> Iterator[Callable[[str, str, int], Page]]:
    contexts = []
    bases: dict[str, str] = {}

    def open_(theme: str, path: str, width: int) -> Page:
        site = installed_plugin.sites[theme]
        if theme not in bases:
            bases[theme] = serve(site.output)
        context = chromium.new_context(viewport={"width": width, "height": 900})
        contexts.append(context)
        # The site's pages link within the build; nothing else may load.
        context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if "127.0.0.1" in route.request.url
                or route.request.url.startswith("data:")
                else route.abort()
            ),
        )
        page = context.new_page()
        response = page.goto(bases[theme] + path, wait_until="load")
        assert response is not None
        assert response.ok
        page.evaluate(
            """async () => {
                for (const img of document.images) img.loading = 'eager';
                await Promise.all([...document.images].map(
                    img => img.decode().catch(() => null)));
            }"""
        )
        return page

    yield open_
    for context in contexts:
        context.close()


def styled(page: Page) -> bool:
    """The plugin's stylesheet applies (its rule for the lead's headline)."""
    size = page.evaluate(
        """() => [document.querySelector('.cx-lead .cx-headline'),
                  document.querySelector('.cx-section .cx-headline')]
            .map(el => parseFloat(getComputedStyle(el).fontSize))"""
    )
    return size[0] > size[1]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("theme", THEMES)
def test_edition_page_in_another_theme(
    theme_page: Callable[[str, str, int], Page],
    theme: str,
    width: int,
    artifacts: Path,
) -> None:
    page = theme_page(theme, "/digest/2026/11/18/", width)
    assert styled(page)
    overflow = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert overflow[0] <= overflow[1], overflow
    # Every photo within the digest's column, none wider than the text.
    outside = page.evaluate(
        """() => {
            const root = document.querySelector('.cx-digest');
            const column = root.getBoundingClientRect();
            return [...root.querySelectorAll('img')]
              .filter(img => {
                  const box = img.getBoundingClientRect();
                  return img.naturalWidth === 0 || box.left < column.left - 1
                      || box.right > column.right + 1;
              })
              .map(img => img.currentSrc);
        }"""
    )
    assert outside == []
    assert_anatomy_order(page)
    assert page.locator(".cx-digest h1").count() == 1
    page.screenshot(
        path=str(artifacts / f"theme-{theme}-edition-{width}.png"), full_page=True
    )


@pytest.mark.parametrize("theme", THEMES)
def test_archive_page_in_another_theme(
    theme_page: Callable[[str, str, int], Page], theme: str, artifacts: Path
) -> None:
    for width in WIDTHS:
        page = theme_page(theme, "/digest/", width)
        overflow = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert overflow[0] <= overflow[1], (width, overflow)
        assert page.locator(".cx-archive-item").count() == 6
        page.screenshot(
            path=str(artifacts / f"theme-{theme}-archive-{width}.png"), full_page=True
        )


@pytest.mark.parametrize("theme", THEMES)
def test_no_serious_axe_problem_in_the_digest(
    theme_page: Callable[[str, str, int], Page], theme: str
) -> None:
    for path in ("/digest/2026/11/18/", "/digest/"):
        page = theme_page(theme, path, 1280)
        results = AXE.run(page, context={"include": [[".cx-digest"]]})
        serious = [
            f"{v['id']} ({v['impact']}): "
            + "; ".join(str(n["target"][0]) for n in v["nodes"][:5])
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], path
