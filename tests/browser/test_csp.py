"""The README's Content-Security-Policy headers, served with the built site
in Chromium: the site's own pages (and an allowed embed) raise no
violation; a frame from another host does, so the check can fail."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Route

from cx_digest.settings import DEFAULTS
from support import ROOT, Site, run_pelican, story_file

README = (ROOT / "README.md").read_text(encoding="utf-8")
_NGINX = re.search(r"```nginx\n(.*?)```", README, re.DOTALL)
assert _NGINX, "README.md has no nginx block"
SITE_CSP, EMAIL_CSP = re.findall(
    r'add_header Content-Security-Policy "([^"]+)" always;', _NGINX.group(1)
)
DAY = "2026-11-18"
HOST = "daily.cx-newsroom.example"  # pelicanconf's CX_DIGEST_PUBLIC_URL
EMBED = (
    '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ" title="Clip" '
    'width="560" height="315" loading="lazy"></iframe>'
)
WATCH = """() => { window.__csp = [];
  document.addEventListener('securitypolicyviolation', e => window.__csp.push(
    e.violatedDirective + ' ' + e.blockedURI)); }"""


def test_the_readme_gives_one_policy_everywhere() -> None:
    for policy in (SITE_CSP, EMAIL_CSP):
        assert README.count(policy) == 3, policy  # nginx, Caddy, CloudFront
    frames = re.search(r"frame-src ([^;]+);", SITE_CSP)
    assert frames
    assert frames.group(1).split() == [
        source
        for host in DEFAULTS["CX_DIGEST_EMBED_HOSTS"]
        for source in (f"https://{host}", f"https://*.{host}")
    ]


@pytest.fixture(scope="module")
def embeds_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """An allowed embed, and (trusted, so kept) a frame from another host."""
    files = {
        "stories/embed.md": story_file(
            "An embed", f"{DAY} 09:00", body=f"<p>Watch:</p>\n\n{EMBED}"
        ),
        "stories/other.md": story_file(
            "Another host",
            f"{DAY} 10:00",
            body='<iframe src="https://evil.example/x" title="x"></iframe>',
            html="trusted",
        ),
    }
    return run_pelican(tmp_path_factory.mktemp("csp"), files)


@pytest.fixture
def visit(chromium: Browser) -> Iterator[Callable[[Site, str], list[str]]]:
    """``visit(site, path)``: the page loaded from the build with the README's
    headers, as a static host sends them; the violations it raised (events
    and console messages)."""
    contexts = []

    def open_(site: Site, path: str) -> list[str]:
        context = chromium.new_context()
        contexts.append(context)

        def handle(route: Route) -> None:
            url = urlsplit(route.request.url)
            target = site.path(url.path)
            if url.netloc != HOST or not target.is_file():
                route.abort()  # embeds, absolute links: CSP decides first
                return
            policy = EMAIL_CSP if url.path.endswith("/email.html") else SITE_CSP
            route.fulfill(path=target, headers={"content-security-policy": policy})

        context.route("**/*", handle)
        context.add_init_script(f"({WATCH})()")
        page = context.new_page()
        console: list[str] = []
        page.on(
            "console",
            lambda msg: (
                console.append(msg.text)
                if "Content Security Policy" in msg.text
                else None
            ),
        )
        response = page.goto(f"https://{HOST}{path}", wait_until="load")
        assert response is not None, path
        assert response.ok, path
        page.wait_for_timeout(100)
        return [*page.evaluate("window.__csp"), *console]

    yield open_
    for context in contexts:
        context.close()


def sample_pages(site: Site) -> list[str]:
    """Every kind of page of the sample site: one of each template."""
    stories = sorted(site.output.glob("2026/*/*/*/index.html"))
    return [
        "/",
        "/digest/",
        "/digest/2026/11/18/",
        "/digest/2026/11/18/email.html",
        "/" + str(stories[0].parent.relative_to(site.output)) + "/",
        "/category/",
        "/category/markets/",
        "/tag/",
        "/stories/",
    ]


def test_the_sample_site_raises_no_violation(
    sample_site: Site, visit: Callable[[Site, str], list[str]]
) -> None:
    for path in sample_pages(sample_site):
        assert sample_site.path(path).is_file(), path
        assert visit(sample_site, path) == [], path


def test_an_allowed_embed_raises_no_violation(
    embeds_site: Site, visit: Callable[[Site, str], list[str]]
) -> None:
    assert visit(embeds_site, "/2026/11/18/embed/") == []


def test_a_frame_from_another_host_is_refused(
    embeds_site: Site, visit: Callable[[Site, str], list[str]]
) -> None:
    violations = visit(embeds_site, "/2026/11/18/other/")
    assert any("frame-src" in v and "evil.example" in v for v in violations), violations
