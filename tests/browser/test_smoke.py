"""The edition page renders in real Chromium with its blocks in anatomy order."""

from __future__ import annotations

from support import Site


def test_edition_blocks_render_in_order(chromium, serve, sample_site: Site) -> None:
    base = serve(sample_site.output)
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{base}/digest/2026/11/18/")
        tops = page.evaluate(
            """() => ['lead', 'section', 'hot-topics', 'footer'].map(
                b => document.querySelector(`[data-block="${b}"]`)
                     .getBoundingClientRect().top)"""
        )
        assert tops == sorted(tops)
        assert page.locator("h1").count() == 1
    finally:
        page.close()
