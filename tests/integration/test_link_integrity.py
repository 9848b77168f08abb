"""Crawl whole built sites: every internal link resolves to a file, every
page has one <h1>, nothing points at localhost, feeds and emails use only
absolute URLs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup
from lxml import etree

from support import Site, run_pelican, story_file

PUBLIC = "https://daily.cx-newsroom.example"
# On the public host but served by the mailing service, not this static site
# (CX_DIGEST_SUBSCRIBE_URL and the email's List-Unsubscribe address).
SERVICE = {f"{PUBLIC}/subscribe/", f"{PUBLIC}/unsubscribe/"}
LOCAL = re.compile(r"//(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])([:/]|$)", re.I)
URL_ATTRS = {"href", "src", "action", "poster", "data"}


def fixture_newsroom() -> dict[str, str]:
    """Three days with every block, pagination and an edition file."""
    files: dict[str, str] = {}
    for day in (16, 17, 18):
        for n, (cat, role) in enumerate(
            [
                ("Economy", "lead"),
                ("Markets", "story"),
                ("Companies", "story"),
                ("Economy", "quick-hit"),
                ("Companies", "photo"),
                ("Economy", "none"),
            ]
        ):
            extra: dict[str, str | list[str]] = {"digest": role, "tags": "Floods"}
            if role in ("lead", "photo"):
                extra |= {"image": "images/fixture.jpg", "image_caption": "Caption"}
            if n == 1 and day > 16:
                extra["related"] = [f"s{day - 1}-1", "Elsewhere <https://example.org>"]
            files[f"stories/{day}/s{day}-{n}.md"] = story_file(
                f"Story {n} of the {day}th",
                f"2026-11-{day} {8 + n:02d}:00",
                cat,
                body=(
                    f"See [the lead]({{filename}}s{day}-0.md) and "
                    "![x]({static}/images/fixture.jpg)."
                ),
                **extra,
            )
    files["digests/2026-11-18.md"] = (
        "Date: 2026-11-18 10:20\n\nA [note](/stories/) on "
        "[the 16th](/digest/2026/11/16/#cx-edition-title).\n"
    )
    return files


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return run_pelican(
        tmp_path_factory.mktemp("links"),
        fixture_newsroom(),
        CX_DIGEST_ARCHIVE_PER_PAGE=1,
        DEFAULT_PAGINATION=2,
    )


def html_pages(site: Site) -> list[Path]:
    return sorted(site.output.rglob("*.html"))


def target_file(site: Site, page: Path, url: str) -> Path | None:
    """The output file an internal URL points to (None for external URLs)."""
    parts = urlsplit(url)
    if parts.scheme in ("mailto", "tel", "data"):
        return None
    if parts.scheme or parts.netloc:
        absolute = f"{parts.scheme}://{parts.netloc}" if parts.scheme else ""
        if not (url.startswith(PUBLIC + "/") or url == PUBLIC) and absolute != PUBLIC:
            return None  # another site
        path = parts.path
        base = site.output
        rel = path.lstrip("/")
    elif parts.path.startswith("/"):
        base, rel = site.output, parts.path.lstrip("/")
    else:
        base = site.output
        page_url = "/" + page.relative_to(site.output).as_posix()
        rel = urljoin(page_url, parts.path).lstrip("/")
    target = base / unquote(rel)
    if rel == "" or rel.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target


def ids(path: Path, cache: dict[Path, set[str]]) -> set[str]:
    if path not in cache:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        cache[path] = {el["id"] for el in soup.find_all(id=True)}
    return cache[path]


def crawl(site: Site) -> tuple[int, list[str]]:
    """Check every URL of every HTML page; return (links checked, problems)."""
    problems: list[str] = []
    checked = 0
    id_cache: dict[Path, set[str]] = {}
    for page in html_pages(site):
        name = page.relative_to(site.output).as_posix()
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for el in soup.find_all(True):
            for attr in URL_ATTRS & set(el.attrs):
                url = str(el[attr]).strip()
                if LOCAL.search(url):
                    problems.append(f"{name}: {attr}={url!r} points at localhost")
                if not url:
                    problems.append(f"{name}: empty {attr} on <{el.name}>")
                    continue
                if url.startswith("#"):
                    if url[1:] and url[1:] not in ids(page, id_cache):
                        problems.append(f"{name}: no element with id {url!r}")
                    checked += 1
                    continue
                target = target_file(site, page, url)
                if target is None or url in SERVICE:
                    continue
                checked += 1
                if not target.is_file():
                    problems.append(f"{name}: {attr}={url!r} -> missing {target}")
                    continue
                fragment = urlsplit(url).fragment
                if (
                    fragment
                    and target.suffix == ".html"
                    and fragment not in ids(target, id_cache)
                ):
                    problems.append(f"{name}: {url!r}: no id {fragment!r} there")
    return checked, problems


def one_h1(site: Site) -> list[str]:
    bad = []
    for page in html_pages(site):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        count = len(soup.find_all("h1"))
        if count != 1:
            bad.append(f"{page.relative_to(site.output).as_posix()}: {count} <h1>")
    return bad


def absolute_only(site: Site) -> list[str]:
    """Feeds, sitemaps and emails: every URL absolute (http(s) or mailto)."""
    problems: list[str] = []

    def check(where: str, url: str) -> None:
        if not re.match(r"^(https?://|mailto:)", url) or LOCAL.search(url):
            problems.append(f"{where}: {url!r}")

    def check_html(where: str, fragment: str) -> None:
        for el in BeautifulSoup(fragment, "html.parser").find_all(True):
            for attr in URL_ATTRS & set(el.attrs):
                check(where, str(el[attr]))

    for path in sorted(site.output.rglob("*.xml")):
        where = path.relative_to(site.output).as_posix()
        tree = etree.parse(str(path))
        for el in tree.iter():
            if not isinstance(el.tag, str):
                continue
            local = etree.QName(el).localname
            if (
                local in ("loc", "link", "id", "guid", "uri")
                and (el.text or "").strip()
            ):
                if local in ("id", "guid") and not el.text.startswith("http"):
                    continue  # tag: URIs are ids, not links
                check(where, el.text.strip())
            if el.get("href"):
                check(where, el.get("href"))
        parsed = feedparser.parse(path.read_bytes())
        for entry in parsed.entries:
            for content in entry.get("content", []):
                check_html(where, content.value)
            check_html(where, entry.get("summary", ""))
    for path in sorted(site.output.rglob("*.json")):
        where = path.relative_to(site.output).as_posix()
        data = json.loads(path.read_text(encoding="utf-8"))
        for key in ("home_page_url", "feed_url"):
            if key in data:
                check(where, data[key])
        for item in data.get("items", []):
            check(where, item["url"])
            check_html(where, item.get("content_html", ""))
    for path in sorted(site.output.rglob("email.html")):
        check_html(path.relative_to(site.output).as_posix(), path.read_text("utf-8"))
    for path in sorted(site.output.rglob("email.txt")):
        text = path.read_text("utf-8")
        for url in re.findall(r"(?:https?://|www\.)\S+", text):
            check(path.relative_to(site.output).as_posix(), url)
    return problems


def test_sample_site_links_resolve(sample_site: Site) -> None:
    checked, problems = crawl(sample_site)
    assert problems == [], "\n".join(problems)
    assert checked > 2000


def test_sample_site_pages_have_one_h1(sample_site: Site) -> None:
    assert one_h1(sample_site) == []
    assert len(html_pages(sample_site)) > 50


def test_sample_site_feeds_and_emails_use_absolute_urls(sample_site: Site) -> None:
    problems = absolute_only(sample_site)
    assert problems == [], "\n".join(problems)


def test_sample_site_never_mentions_localhost(sample_site: Site) -> None:
    for path in sample_site.output.rglob("*"):
        if path.suffix in (".html", ".xml", ".json", ".txt", ".eml"):
            assert not LOCAL.search(path.read_text(encoding="utf-8")), path


def test_fixture_site_links_resolve(fixture_site: Site) -> None:
    checked, problems = crawl(fixture_site)
    assert problems == [], "\n".join(problems)
    assert checked > 300
    # paginated archive and lists were crawled too
    assert (fixture_site.output / "digest/page/3/index.html").is_file()


def test_fixture_site_pages_have_one_h1(fixture_site: Site) -> None:
    assert one_h1(fixture_site) == []


def test_fixture_site_feeds_and_emails_use_absolute_urls(fixture_site: Site) -> None:
    problems = absolute_only(fixture_site)
    assert problems == [], "\n".join(problems)


def test_crawler_finds_a_broken_link(fixture_site: Site, tmp_path: Path) -> None:
    """The crawler itself: a missing file, a bad fragment, localhost, two h1."""
    site = run_pelican(tmp_path, {"stories/a.md": story_file("A", "2026-11-18 09:00")})
    page = site.output / "digest/2026/11/18/index.html"
    html = page.read_text(encoding="utf-8")
    page.write_text(
        html.replace(
            "</main>",
            '<a href="../../../../nowhere/">x</a><a href="#no-such-id">y</a>'
            '<img src="http://localhost:8000/x.png"><h1>Second</h1></main>',
        ),
        encoding="utf-8",
    )
    _, problems = crawl(site)
    assert any("nowhere" in p for p in problems)
    assert any("no-such-id" in p for p in problems)
    assert any("localhost" in p for p in problems)
    assert one_h1(site) == ["digest/2026/11/18/index.html: 2 <h1>"]
