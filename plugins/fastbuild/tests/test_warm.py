"""Display dates, URL date parts and title slugs made in the reading workers:
the main process takes them only for exactly the arguments they were made
from; a slug made once is not made again."""

from __future__ import annotations

import datetime
import locale
import os
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pelican.contents
import pelican.urlwrappers
import pelican.utils
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pelican.settings import DEFAULT_CONFIG
from pelican.utils import SafeDatetime

from pbuild import build, corpus, story, switched_on, tree
from pelican.plugins.fastbuild import warm

MAIN_PID = os.getpid()
ZONES = ["UTC", "Asia/Shanghai", "America/New_York", "Europe/London"]
FORMATS = ["%a %d %B %Y", "%b %-d, %Y %I:%M %p", "%Y-%m-%d %H:%M %Z %z", "%x"]


@pytest.fixture
def installed() -> Iterator[None]:
    with switched_on(warm):
        yield


def seeded(metadata: dict[str, Any], **config: Any) -> None:
    values = dict(DEFAULT_CONFIG, **config)
    warm.keep(warm.seeds(metadata, "/site/content/stories/a-story.md", values))


def pelicans(moment: SafeDatetime, fmt: str) -> str:
    return pelican.utils.strftime(moment, fmt)


@pytest.fixture
def pelicans_dates(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The formats Pelican's own ``SafeDatetime.strftime`` is asked for."""
    made: list[str] = []
    real = warm._pelican_strftime

    def counting(self: Any, fmt: str, safe: bool = True) -> str:
        if safe:  # Pelican's strftime asks for each directive, unsafe
            made.append(fmt)
        return real(self, fmt, safe)

    monkeypatch.setattr(warm, "_pelican_strftime", counting)
    return made


def test_a_seeded_date_is_taken(installed: None, pelicans_dates: list[str]) -> None:
    moment = SafeDatetime(2026, 11, 18, 8, 40, tzinfo=zoneinfo.ZoneInfo("UTC"))
    seeded({"date": moment}, DEFAULT_DATE_FORMAT=FORMATS[1])
    made = pelicans_dates
    made.clear()  # the seed was made by Pelican's function
    assert moment.strftime(FORMATS[1]) == "Nov 18, 2026 08:40 AM"
    assert made == []
    # The same instant in another zone, another format: Pelican's.
    other = moment.astimezone(zoneinfo.ZoneInfo("Asia/Shanghai"))
    assert other.strftime(FORMATS[1]) == "Nov 18, 2026 04:40 PM"
    assert moment.strftime(FORMATS[0]) == "Wed 18 November 2026"
    assert made == [FORMATS[1], FORMATS[0]]


def test_another_locale_is_another_answer(
    installed: None, pelicans_dates: list[str]
) -> None:
    moment = SafeDatetime(2026, 11, 18, 8, 40, tzinfo=zoneinfo.ZoneInfo("UTC"))
    seeded({"date": moment}, DEFAULT_DATE_FORMAT=FORMATS[0])
    made = pelicans_dates
    made.clear()  # the seed was made by Pelican's function
    before = locale.setlocale(locale.LC_TIME)
    other = "C.UTF-8" if before != "C.UTF-8" else "C"
    try:
        locale.setlocale(locale.LC_TIME, other)
        moment.strftime(FORMATS[0])
    finally:
        locale.setlocale(locale.LC_TIME, before)
    assert made == [FORMATS[0]]


def test_a_slug_is_taken_for_its_own_settings_only(installed: None) -> None:
    subs = DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"]
    seeded(
        {"title": "Ports & <em>Trade</em>"},
        SLUGIFY_SOURCE="title",
        SLUG_REGEX_SUBSTITUTIONS=subs,
    )
    assert warm._slugs  # seeded
    key = next(iter(warm._slugs))
    warm._slugs[key] = "seeded"  # to see where an answer comes from
    assert pelican.contents.slugify("Ports & <em>Trade</em>", subs) == "seeded"
    pelicans = warm._pelican_slugify
    for args in ((subs, True), ([],), (subs, False, True)):
        assert pelican.contents.slugify("Ports & <em>Trade</em>", *args) == (
            pelicans("Ports & <em>Trade</em>", *args)
        )


def test_a_url_date_part_is_taken(installed: None, pelicans_dates: list[str]) -> None:
    moment = SafeDatetime(2026, 11, 18, 8, 40, tzinfo=zoneinfo.ZoneInfo("UTC"))
    seeded(
        {"date": moment},
        ARTICLE_URL="{date:%Y}/{date:%m}/{slug}/",
        ARTICLE_SAVE_AS="{date:%Y}/{date:%m}/{date:%d}/{slug}/index.html",
        PAGE_URL="{date!r:>30}/{date.year}/{slug}/",  # no strftime of the date
    )
    made = pelicans_dates
    made.clear()  # the seeds were made by Pelican's function
    assert f"{moment:%Y}/{moment:%m}/{moment:%d}" == "2026/11/18"
    assert made == []
    assert format(moment, "%H") == "08"  # not a URL's part: Pelican's
    assert made == ["%H"]


def test_a_slug_is_made_once(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []
    real = warm._pelican_slugify

    def counting(value: str, *args: Any, **kwargs: Any) -> str:
        made.append(value)
        return real(value, *args, **kwargs)

    for module in (warm, pelican.contents, pelican.urlwrappers):
        name = "_pelican_slugify" if module is warm else "slugify"
        monkeypatch.setattr(module, name, counting)
    with switched_on(warm):
        config = dict(DEFAULT_CONFIG)
        # The default author Content.__init__ gives each story: a new object.
        slugs = {pelican.urlwrappers.Author("CX Newsroom", config).slug for _ in "ab"}
        assert slugs == {"cx-newsroom"}
        assert made == ["CX Newsroom"]
        subs = config["SLUG_REGEX_SUBSTITUTIONS"]  # what an Author falls back to
        assert pelican.contents.slugify("CX Newsroom", subs) == "cx-newsroom"
        assert made == ["CX Newsroom"]  # the same arguments: the same answer
    assert pelican.urlwrappers.slugify is counting  # Pelican's again


class Source:
    """What ``Content.get_relative_source_path`` reads of a content object."""

    def __init__(self, base: str, source_path: str | None) -> None:
        self.settings = {"PATH": base}
        self.source_path = source_path


SEGMENTS = st.sampled_from(["content", "stories", "..", ".", "a b", "x.md", ""])


@settings(max_examples=200, deadline=None)
@given(
    base=st.lists(SEGMENTS, min_size=0, max_size=4),
    absolute_base=st.booleans(),
    source=st.none() | st.lists(SEGMENTS, min_size=1, max_size=4),
    absolute_source=st.booleans(),
    asked=st.none() | st.lists(SEGMENTS, min_size=1, max_size=3),
    cwd=st.sampled_from(["/", "/tmp"]),
)
def test_every_relative_path_is_pelicans(
    base: list[str],
    absolute_base: bool,
    source: list[str] | None,
    absolute_source: bool,
    asked: list[str] | None,
    cwd: str,
) -> None:
    """Seeded or kept, the answer is what Pelican's method gives, also for a
    relative ``PATH`` asked from another working directory."""
    base_path = ("/" if absolute_base else "") + "/".join(base)
    source_path = (
        None if source is None else ("/" if absolute_source else "") + "/".join(source)
    )
    asked_path = None if asked is None else "/".join(asked)
    here = os.getcwd()
    warm.install()
    try:
        if source_path is not None:
            warm.keep(warm.seeds({}, source_path, {"PATH": base_path}))
        item = Source(base_path, source_path)
        for folder in ("/", cwd):
            os.chdir(folder)
            expected = warm._pelican_relative_path(item, asked_path)
            assert item_path(item, asked_path) == expected
    finally:
        os.chdir(here)
        warm.uninstall()


def item_path(item: Source, asked: str | None) -> str | None:
    return pelican.contents.Content.get_relative_source_path(item, asked)  # type: ignore[arg-type]


@settings(max_examples=120, deadline=None)
@given(
    stamp=st.datetimes(
        min_value=datetime.datetime(1990, 1, 1),
        max_value=datetime.datetime(2040, 1, 1),
    ),
    zone=st.sampled_from(ZONES),
    seeded_format=st.sampled_from(FORMATS),
    asked_format=st.sampled_from(FORMATS),
    shift=st.sampled_from([None, *ZONES]),
    same_clock=st.booleans(),
    in_url=st.booleans(),
)
def test_every_answer_is_pelicans(
    stamp: datetime.datetime,
    zone: str,
    seeded_format: str,
    asked_format: str,
    shift: str | None,
    same_clock: bool,
    in_url: bool,
) -> None:
    moment = SafeDatetime(*stamp.timetuple()[:6])
    config: dict[str, Any] = {"TIMEZONE": zone}
    if in_url:  # a part of the URL, the display format Pelican's default
        config["ARTICLE_SAVE_AS"] = f"{{date:{seeded_format}}}/{{slug}}.html"
    else:
        config["DEFAULT_DATE_FORMAT"] = seeded_format
    warm.install()
    try:
        seeded({"date": moment}, **config)
        asked = pelican.utils.set_date_tzinfo(moment, zone)
        if shift is not None and same_clock:  # the same clock time elsewhere
            asked = asked.replace(tzinfo=zoneinfo.ZoneInfo(shift))
        elif shift is not None:  # the same instant elsewhere
            asked = asked.astimezone(zoneinfo.ZoneInfo(shift))
        assert asked.strftime(asked_format) == pelicans(asked, asked_format)
    finally:
        warm.uninstall()


def test_the_main_process_formats_no_story_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A story's display date, its URL's date parts, its slug and its
    relative path come from the worker that parsed it, the default author's
    slug is made once; the
    site and the log are the serial build's, also with a language whose date
    format sets a locale (Pelican's own function then)."""
    extra = {
        "stories/odd.md": story("Odd date", date="2026-03-02 10:00", lang="fr"),
        "stories/no-slug.md": story("A title, slugified"),
    }
    content = corpus(tmp_path / "corpus", 60, extra=extra)
    formatted: list[str] = []
    real = pelican.utils.strftime
    fmt = "%A %-d %B %Y"
    url_parts = ("%Y", "%m")

    def counting(date: Any, date_format: str) -> str:
        if os.getpid() == MAIN_PID and date_format in (fmt, *url_parts):
            formatted.append(date_format)
        return real(date, date_format)

    slugified: list[str] = []
    real_slugify = warm._pelican_slugify

    def counting_slugs(value: str, *args: Any, **kwargs: Any) -> str:
        if os.getpid() == MAIN_PID and value == "Default Author":
            slugified.append(value)
        return real_slugify(value, *args, **kwargs)

    relative: list[str] = []
    real_relative = warm._pelican_relative_path

    def counting_paths(self: Any, source_path: str | None = None) -> str | None:
        if os.getpid() == MAIN_PID:
            relative.append(str(source_path or self.source_path))
        return real_relative(self, source_path)

    monkeypatch.setattr(warm, "_pelican_relative_path", counting_paths)
    monkeypatch.setattr(
        pelican.contents.Content, "get_relative_source_path", counting_paths
    )
    monkeypatch.setattr(pelican.utils, "strftime", counting)
    for module in (warm, pelican.contents, pelican.urlwrappers):
        name = "_pelican_slugify" if module is warm else "slugify"
        monkeypatch.setattr(module, name, counting_slugs)
    config = {
        "DEFAULT_DATE_FORMAT": fmt,
        "DATE_FORMATS": {"fr": ("C.UTF-8", "%d/%m/%Y")},
        "ARTICLE_URL": "{date:%Y}/{date:%m}/{slug}/",
        "ARTICLE_SAVE_AS": "{date:%Y}/{date:%m}/{slug}/index.html",
        "AUTHOR": "Default Author",
    }
    serial = build(content, tmp_path / "w1", 1, **config)
    in_main_serial = len(formatted)
    slugs_serial = len(slugified)
    paths_serial = len(relative)
    formatted.clear()
    slugified.clear()
    relative.clear()
    parallel = build(content, tmp_path / "w2", 2, **config)
    # Every story's display date, and its URL's year and month (save_as and
    # url: twice each).
    assert in_main_serial >= 60 * 5
    assert len(formatted) < in_main_serial // 10
    assert slugs_serial >= 60  # every story's default author, for its URL
    assert len(slugified) <= 1
    # Each story's relative path: made, noted by the generator, in its URLs.
    assert paths_serial >= 60 * 3
    assert [path for path in relative if path.endswith(".md")] == []  # static files
    assert tree(parallel.output) == tree(serial.output)
    assert parallel.log() == serial.log()
    assert not warm.installed()
