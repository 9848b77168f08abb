"""Accessibility in Chromium: axe-core finds no serious or critical problem
on any page type, in the light and the dark colour scheme, and the keyboard
reaches every link, each with a focus style a reader can see."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from browsing import PAGE_KINDS, Visit

AXE = Axe()  # runs the axe.min.js bundled with the package: no network


def serious_violations(page: Page) -> list[str]:
    results = AXE.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}: "
        + "; ".join(str(n["target"][0]) for n in v["nodes"][:5])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_no_serious_axe_violations_light_and_dark(
    open_page: Callable[..., Visit], kind: str
) -> None:
    visit = open_page(kind)
    page = visit.page
    found = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
        dark = page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
        assert dark == (scheme == "dark")
        found[scheme] = serious_violations(page)
    assert found == {"light": [], "dark": []}
    assert visit.console_errors == []


def test_dark_scheme_changes_the_colours(open_page: Callable[..., Visit]) -> None:
    """The dark scheme is really dark (axe above checks its contrast)."""
    colours = {}
    for scheme in ("light", "dark"):
        page = open_page("edition", color_scheme=scheme).page
        colours[scheme] = page.evaluate(
            """() => [document.body, document.querySelector('.cx-headline a')]
                .map(el => [getComputedStyle(el).backgroundColor,
                            getComputedStyle(el).color])"""
        )
    assert colours["light"][0][0] == "rgb(255, 255, 255)"
    assert colours["dark"][0][0] != colours["light"][0][0]
    luminance = sum(int(c) for c in colours["dark"][0][0][4:-1].split(","))
    assert luminance < 3 * 64, colours["dark"]


FOCUS_STATE = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    return {
        key: el.dataset.cxKey || null,
        tag: el.tagName.toLowerCase(),
        text: (el.textContent || '').trim().slice(0, 60),
        outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
        shadow: style.boxShadow !== 'none',
        visible: el.getClientRects().length > 0,
    };
}"""


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_keyboard_reaches_every_link_with_visible_focus(
    open_page: Callable[..., Visit], kind: str
) -> None:
    page = open_page(kind, width=1280).page
    links = page.evaluate(
        """() => [...document.querySelectorAll('a[href]')].map((a, i) => {
            a.dataset.cxKey = String(i);
            const visible = a.getClientRects().length > 0
                && getComputedStyle(a).visibility !== 'hidden';
            return {key: String(i), visible, skip: a.classList.contains('skip-link'),
                    text: a.textContent.trim().slice(0, 60)};
        })"""
    )
    wanted = {link["key"] for link in links if link["visible"] or link["skip"]}
    assert wanted, "no links"
    focused: list[dict] = []
    for _ in range(len(links) + 10):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        if state is None or (focused and state["key"] == focused[0]["key"]):
            break  # focus left the document or wrapped around
        focused.append(state)

    assert focused, "Tab focused nothing"
    skip = next((link for link in links if link["skip"]), None)
    if kind != "email":
        assert skip is not None, "no skip link"
    if skip is not None:
        assert focused[0]["key"] == skip["key"], "the skip link is not first"
    reached = {state["key"] for state in focused if state["key"] is not None}
    missed = [link["text"] for link in links if link["key"] in wanted - reached]
    assert missed == [], "links the keyboard never reaches"
    unseen = [s["text"] for s in focused if not (s["outline"] or s["shadow"])]
    assert unseen == [], "focused without a visible focus indicator"
    hidden = [s["text"] for s in focused if not s["visible"]]
    assert hidden == [], "focus went to something not on screen"
