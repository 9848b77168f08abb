"""URLs made once a content object: every answer is Pelican's own, whatever
changes between two calls."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pelican.contents import Article, Content, Page
from pelican.settings import DEFAULT_CONFIG
from pelican.urlwrappers import Author, Category
from pelican.utils import SafeDatetime

from pbuild import build, switched_on, tree
from pelican.plugins.fastbuild import urls

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
PATTERNS = [
    "{date:%Y}/{date:%m}/{date:%d}/{slug}/",
    "{date:%Y}/{date:%m}/{date:%d}/{slug}/index.html",
    "{category}/{slug}.html",
    "{author}/{lang}/{slug}-{date:%H%M}.html",
    "posts/{path}",
    "{kicker}/{slug}.html",  # a metadata field
    "{tags}/{slug}.html",  # a list: never remembered
    "fixed.html",
    "{date.year}/{slug}",
]


@pytest.fixture
def installed() -> Iterator[None]:
    with switched_on(urls):
        yield


def settings_with(**extra: Any) -> dict[str, Any]:
    values = dict(DEFAULT_CONFIG, PATH="/site/content")
    values.update(extra)
    return values


def article(settings: dict[str, Any], **metadata: Any) -> Article:
    base = {
        "title": "Port volumes",
        "date": SafeDatetime(2026, 11, 18, 8, 40, tzinfo=SHANGHAI),
        "slug": "port-volumes",
        "category": Category("Trade", settings),
        "author": Author("Li Wei", settings),
    }
    base.update(metadata)
    return Article(
        "<p>Body</p>",
        metadata=base,
        settings=settings,
        source_path="/site/content/stories/port-volumes.md",
        context={},
    )


def pelicans(content: Content, key: str) -> str:
    """What Pelican's own method gives now (the memory is left as it is)."""
    Content._expand_settings = urls._pelican_expand_settings  # type: ignore[method-assign]
    try:
        return str(getattr(content, key))
    finally:
        Content._expand_settings = urls._expand_settings  # type: ignore[method-assign]


def test_a_save_as_is_made_once(installed: None, monkeypatch: Any) -> None:
    story = article(settings_with(ARTICLE_URL=PATTERNS[0], ARTICLE_SAVE_AS=PATTERNS[1]))
    made = []
    real = urls._pelican_expand_settings

    def counting(self: Any, key: str, klass: str | None = None) -> str:
        made.append(key)
        return real(self, key, klass)

    monkeypatch.setattr(urls, "_pelican_expand_settings", counting)
    assert story.save_as == "2026/11/18/port-volumes/index.html"
    assert story.save_as == "2026/11/18/port-volumes/index.html"
    assert story.url == "2026/11/18/port-volumes/"
    assert story.url == "2026/11/18/port-volumes/"
    assert made == ["save_as", "url"]


def test_what_changes_is_seen(installed: None) -> None:
    values = settings_with(ARTICLE_SAVE_AS="{date:%H}/{slug}/{kicker}.html")
    story = article(values, kicker="Ports")
    assert story.save_as == "08/port-volumes/Ports.html"
    story.slug = "port-volumes-revised"
    assert story.save_as == "08/port-volumes-revised/Ports.html"
    story.metadata["kicker"] = "Shipping"
    assert story.save_as == "08/port-volumes-revised/Shipping.html"
    # The same instant in another zone: equal datetimes, another hour.
    story.date = story.date.astimezone(datetime.UTC)
    assert story.save_as == "00/port-volumes-revised/Shipping.html"
    values["ARTICLE_SAVE_AS"] = "{slug}.html"
    assert story.save_as == "port-volumes-revised.html"
    story.override_save_as = "elsewhere.html"
    assert story.save_as == "elsewhere.html"
    story.status = "draft"
    assert story.url == "drafts/port-volumes-revised.html"


def test_numbers_of_another_type_are_other_values(installed: None) -> None:
    values = settings_with(ARTICLE_URL="{issue}/{slug}")
    story = article(values, issue=1)
    assert story.url == "1/port-volumes"
    story.metadata["issue"] = True  # equal to 1, printed otherwise
    assert story.url == "True/port-volumes"
    story.metadata["issue"] = 1.0
    assert story.url == "1.0/port-volumes"


def test_a_relative_path_setting_is_never_remembered(
    installed: None, tmp_path: Path, monkeypatch: Any
) -> None:
    values = settings_with(PATH="content", ARTICLE_URL="{path}")
    story = article(values)
    (tmp_path / "a").mkdir()
    monkeypatch.chdir(tmp_path)
    first = story.url
    monkeypatch.chdir(tmp_path / "a")
    assert story.url != first  # relpath from another working directory
    assert not any(pattern == "{path}" for _, pattern in urls._made)


def test_pages_and_drafts_use_their_own_settings(installed: None) -> None:
    values = settings_with()
    page = Page(
        "<p>About</p>",
        metadata={"title": "About", "slug": "about"},
        settings=values,
        source_path="/site/content/pages/about.md",
        context={},
    )
    assert page.save_as == "pages/about.html"
    page.status = "draft"
    assert page.save_as == "drafts/pages/about.html"


MUTATIONS = st.sampled_from(
    ["slug", "date", "zone", "kicker", "tags", "pattern", "path", "lang", "author"]
)


@settings(max_examples=150, deadline=None)
@given(
    steps=st.lists(
        st.tuples(MUTATIONS, st.integers(0, 8), st.sampled_from(["url", "save_as"])),
        max_size=12,
    )
)
def test_every_answer_is_pelicans(steps: list[tuple[str, int, str]]) -> None:
    values = settings_with(ARTICLE_URL=PATTERNS[0], ARTICLE_SAVE_AS=PATTERNS[1])
    story = article(values, kicker="Ports", tags=["a"])
    urls.install()
    try:
        for change, n, key in steps:
            if change == "slug":
                story.slug = f"story-{n}"
            elif change == "date":
                story.date = SafeDatetime(2026, 1 + n, 1 + n, n, tzinfo=SHANGHAI)
            elif change == "zone":
                story.date = story.date.astimezone(datetime.UTC)
            elif change == "kicker":
                story.metadata["kicker"] = f"K{n}"
            elif change == "tags":
                story.metadata["tags"].append(str(n))
            elif change == "pattern":
                values["ARTICLE_URL" if n % 2 else "ARTICLE_SAVE_AS"] = PATTERNS[n]
            elif change == "path":
                story.metadata["path"] = f"moved/{n}.md"
            elif change == "lang":
                story.lang = ["en", "fr", "de"][n % 3]
            elif change == "author":
                story.author = Author(f"Writer {n}", values)
            assert getattr(story, key) == pelicans(story, key)
    finally:
        urls.uninstall()


def test_off_after_the_build(content60: Path, tmp_path: Path) -> None:
    result = build(content60, tmp_path / "out", 2)
    assert len(tree(result.output)) > 100
    assert Content._expand_settings is urls._pelican_expand_settings
    assert urls._made == {}
