"""An edition on paper: no navigation, and the address of every story, Quick
hit, Hot Topic and related headline spelt out in full after its link."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from browsing import PUBLIC_URL, Visit

HIDDEN_IN_PRINT = [".site-nav", ".skip-link", ".cx-edition-nav", ".cx-subscribe"]


@pytest.mark.parametrize("kind", ["edition", "story"])
def test_prints_cleanly_with_link_addresses(
    open_page: Callable[..., Visit], artifacts: Path, kind: str
) -> None:
    visit = open_page(kind)
    page = visit.page
    page.emulate_media(media="print")
    assert page.evaluate("matchMedia('print').matches")

    display = page.evaluate(
        """(selectors) => selectors.map(s => [...document.querySelectorAll(s)]
            .map(el => getComputedStyle(el).display))""",
        HIDDEN_IN_PRINT,
    )
    shown = dict(zip(HIDDEN_IN_PRINT, display, strict=True))
    assert shown[".site-nav"] == ["none"]
    assert all(value == "none" for values in shown.values() for value in values)

    links = page.evaluate(
        """() => [...document.querySelectorAll('main a[href]')]
            .filter(a => a.getClientRects().length > 0)
            .map(a => ({href: a.getAttribute('href'), abs: a.href,
                        text: a.textContent.trim().slice(0, 50),
                        after: getComputedStyle(a, '::after').content,
                        story: !!a.closest(
                            '.cx-headline, .cx-quick-hits, .cx-hot-topics, '
                            + '.cx-related, .story-edition')}))"""
    )
    printed = [link for link in links if link["after"] not in ("none", "normal")]
    # Every headline-like link prints its address, and enough of them exist.
    missing = [link["text"] for link in links if link["story"] and link not in printed]
    assert missing == []
    assert len(printed) >= (10 if kind == "edition" else 1)
    for link in printed:
        shown_url = link["after"].strip('"').strip().strip("<>")
        assert shown_url.startswith(("https://", "http://")), link
        assert "../" not in shown_url
        if shown_url.startswith(PUBLIC_URL):
            # The printed address is the published address of the same page.
            assert urlsplit(shown_url).path == urlsplit(link["abs"]).path, link
        else:
            assert shown_url == urljoin(link["abs"], link["href"]), link

    if kind == "edition":  # a PDF to look at next to the screenshots
        target = artifacts / "edition-print.pdf"
        page.pdf(path=target, format="A4", print_background=False)
        assert target.read_bytes().startswith(b"%PDF")
