"""What the browser tests share (their fixtures are in conftest.py): the
sample site's page types and a visited page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import Page, Route

from support import Site

# -- the sample site, page by page ------------------------------------------

EDITION_DAY = "2026/11/18"
PUBLIC_URL = "https://daily.cx-newsroom.example"  # pelicanconf's CX_DIGEST_PUBLIC_URL
PAGE_KINDS = ["home", "edition", "archive", "story", "category", "email"]


class SampleSite:
    """The built sample site, served on loopback; URLs of each page type."""

    def __init__(self, site: Site, base: str) -> None:
        self.site = site
        self.base = base

    def path(self, kind: str) -> str:
        """The site path (``/digest/...``) of a page type."""
        edition = f"/digest/{EDITION_DAY}/"
        if kind == "home":
            return "/"
        if kind == "edition":
            return edition
        if kind == "archive":
            return "/digest/"
        if kind == "email":
            return f"{edition}email.html"
        lead = self.site.html(edition).select_one('[data-block="lead"]')
        assert lead is not None, "the edition has no lead"
        selector = ".cx-headline a" if kind == "story" else ".cx-topic a"
        link = lead.select_one(selector)
        assert link is not None, f"the lead has no {selector}"
        return urlsplit(urljoin(f"http://x{edition}", str(link["href"]))).path

    def url(self, kind: str) -> str:
        return self.base + self.path(kind)


@dataclass
class Visit:
    """A page opened in its own browser context, with what it did."""

    page: Page
    console_errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)  # aborted, left 127.0.0.1
    public: list[str] = field(default_factory=list)  # to the site's public URL

    def load_all_images(self) -> None:
        """Make lazy images load now and wait until every image settled."""
        self.page.evaluate(
            """async () => {
                for (const img of document.images) img.loading = 'eager';
                // decode() settles once the picture is loaded and ready to
                // paint (and rejects for a broken one, which tests report).
                await Promise.all([...document.images].map(
                    img => img.decode().catch(() => null)));
                await new Promise(done => requestAnimationFrame(() => done()));
            }"""
        )


def route_for(site: Site, visit: Visit) -> Callable[[Route], None]:
    """Loopback requests go through; the site's own public URL (used by the
    email edition, whose links must be absolute) is answered from the build,
    as the published site would; anything else is recorded and aborted."""
    public = urlsplit(PUBLIC_URL)

    def handle(route: Route) -> None:
        url = urlsplit(route.request.url)
        if url.scheme in ("data", "blob", "about") or url.hostname == "127.0.0.1":
            route.continue_()
        elif (url.scheme, url.netloc) == (public.scheme, public.netloc):
            visit.public.append(route.request.url)
            target = site.path(url.path)
            if target.is_file():
                route.fulfill(path=target)
            else:
                route.fulfill(status=404, body="not in the build")
        else:
            visit.external.append(route.request.url)
            route.abort()

    return handle
