"""Nothing lost: properties of grouping, ordering and hot topics (hypothesis).

The day a story belongs to is checked against an independent computation:
python-dateutil's own reading of the zone files, then the wall clock shifted
back by ``DAY_STARTS`` by hand.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from dateutil import tz as dateutil_tz
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cx_digest.editions import build_editions, edition_day, story_order
from cx_digest.hot_topics import trailing_hot_topics
from cx_digest.model import Curation, Edition, Link, Role, Story
from cx_digest.report import Report
from cx_digest.settings import DigestSettings, load
from support import make_story

settings.register_profile(
    "cx_digest",
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile("cx_digest")

ZONES = [
    "America/New_York",
    "Europe/London",
    "Asia/Shanghai",
    "Australia/Lord_Howe",  # DST shifts by 30 minutes
    "UTC",
    "Asia/Kolkata",
    "Pacific/Chatham",  # +12:45 / +13:45
    "America/St_Johns",  # -03:30 with DST
]
CATEGORIES = ["Economy", "Markets", "Companies", "Technology", "Sport"]
TAGS = ["Floods", "floods", "Sugar", "Rates", "Chips", "Elections"]

# Instants from 2024 to 2027 (several DST switches in every zone).
START = datetime(2024, 1, 1, tzinfo=UTC)
SPAN_MINUTES = 4 * 366 * 24 * 60

instants = st.integers(0, SPAN_MINUTES).map(lambda m: START + timedelta(minutes=m))
day_starts = st.builds(time, st.integers(0, 23), st.integers(0, 59))
zones = st.sampled_from(ZONES)


def written(moment: datetime, how: int, offset: int, zone: str) -> datetime:
    """The same instant as an editor may have written it."""
    if how == 0:  # naive in the site TIMEZONE, as Pelican localises it
        return moment.astimezone(ZoneInfo(zone))
    if how == 1:  # with an explicit offset, e.g. "+05:45"
        return moment.astimezone(timezone(timedelta(minutes=offset)))
    return moment  # UTC


def reference_day(moment: datetime, zone: str, starts: time) -> date:
    """The edition day, computed without cx_digest or zoneinfo."""
    local = moment.astimezone(UTC).astimezone(dateutil_tz.gettz(zone))
    wall = local.replace(tzinfo=None)
    return (wall - timedelta(hours=starts.hour, minutes=starts.minute)).date()


@given(
    moment=instants,
    how=st.integers(0, 2),
    offset=st.integers(-14 * 4, 14 * 4).map(lambda q: q * 15),
    zone=zones,
    starts=day_starts,
)
@settings(PROFILE, max_examples=1000)
def test_edition_day_agrees_with_an_independent_computation(
    moment: datetime, how: int, offset: int, zone: str, starts: time
) -> None:
    as_written = written(moment, how, offset, zone)
    expected = reference_day(moment, zone, starts)
    assert edition_day(as_written, ZoneInfo(zone), starts) == expected


@given(
    zone=zones,
    day=st.dates(date(2024, 1, 1), date(2027, 12, 31)),
    starts=day_starts,
)
@settings(PROFILE, max_examples=60)
def test_an_edition_day_is_exactly_one_contiguous_window(
    zone: str, day: date, starts: time
) -> None:
    """Brute force over a day's minutes: the edition changes exactly where
    the local wall clock passes DAY_STARTS (so DST never drops a story)."""
    tzinfo = ZoneInfo(zone)
    noon = datetime.combine(day, time(12), tzinfo=tzinfo).astimezone(UTC)
    for step in range(0, 48 * 60, 11):
        moment = noon - timedelta(hours=24) + timedelta(minutes=step)
        assert edition_day(moment, tzinfo, starts) == reference_day(
            moment, zone, starts
        )


@dataclass(frozen=True)
class World:
    settings: DigestSettings
    stories: list[Story]
    curations: dict[date, Curation]
    zone: str


def section_lists(draw: st.DrawFn) -> list[dict[str, object]]:
    count = draw(st.integers(1, 3))
    cats = draw(st.permutations(CATEGORIES))
    cut = sorted(draw(st.lists(st.integers(0, 5), min_size=count, max_size=count)))
    return [
        {"key": f"s{i}", "title": f"Section {i}", "categories": list(cats[a:b])}
        for i, (a, b) in enumerate(zip(cut, [*cut[1:], 5], strict=True))
    ]


@st.composite
def worlds(draw: st.DrawFn, max_stories: int = 24) -> World:
    zone = draw(zones)
    starts = draw(day_starts)
    sections = section_lists(draw)
    digest = load(
        {
            "SITEURL": "https://news.example",
            "TIMEZONE": zone,
            "CX_DIGEST_DAY_STARTS": f"{starts:%H:%M}",
            "CX_DIGEST_SECTIONS": sections,
            "CX_DIGEST_HOT_TOPICS_DAYS": draw(st.integers(1, 4)),
            "CX_DIGEST_HOT_TOPICS_COUNT": draw(st.integers(0, 3)),
            "CX_DIGEST_HOT_TOPICS_MIN_STORIES": draw(st.integers(1, 3)),
        }
    )
    keys = [s.key for s in digest.sections] + ["not-a-section"]
    # A few days only, so that days hold several stories and ties happen.
    base = draw(instants)
    n = draw(st.integers(0, max_stories))
    stories: list[Story] = []
    for i in range(n):
        moment = base + timedelta(
            minutes=draw(st.sampled_from([0, 1, 60, 600, 1439, 1440, 1441, 2880]))
            + draw(st.integers(0, 3)) * 720
        )
        how = draw(st.integers(0, 2))
        offset = draw(st.integers(-14 * 4, 14 * 4)) * 15
        stories.append(
            make_story(
                f"story-{i:03d}",
                date=written(moment, how, offset, zone),
                category=draw(st.sampled_from(CATEGORIES)),
                role=draw(st.sampled_from(list(Role))),
                section=draw(st.sampled_from(keys)),
                order=draw(st.none() | st.integers(0, 3)),
                tags=draw(st.lists(st.sampled_from(TAGS), max_size=3, unique=True)),
            )
        )
    days = sorted(
        {edition_day(s.date, digest.timezone, digest.day_starts) for s in stories}
        | {base.date()}
    )
    curations: dict[date, Curation] = {}
    for day in draw(st.lists(st.sampled_from(days), unique=True, max_size=3)):
        lead = draw(st.sampled_from(["", "missing", *(s.slug for s in stories)]))
        curations[day] = Curation(day=day, source=f"digests/{day}.md", lead=lead)
    return World(digest, stories, curations, zone)


def build(world: World, stories: list[Story] | None = None) -> list[Edition]:
    return build_editions(
        world.stories if stories is None else stories,
        world.curations,
        world.settings,
        Report(),
    )


@given(world=worlds())
@settings(PROFILE)
def test_every_published_story_lands_in_exactly_one_edition(world: World) -> None:
    editions = build(world)
    placed = Counter(s.slug for e in editions for s in e.stories)
    starts = world.settings.day_starts
    for story in world.stories:
        if story.role is Role.NONE:
            assert placed[story.slug] == 0, story.slug
            continue
        assert placed[story.slug] == 1, story.slug
        (home,) = [e for e in editions if story.slug in {s.slug for s in e.stories}]
        assert home.day == reference_day(story.date, world.zone, starts)
    assert set(placed) <= {s.slug for s in world.stories}
    assert_blocks_partition_the_reading_order(world, editions)


def assert_blocks_partition_the_reading_order(
    world: World, editions: list[Edition]
) -> None:
    days = [e.day for e in editions]
    assert days == sorted(set(days))  # oldest first, one edition per day
    keys = [s.key for s in world.settings.sections]
    for i, edition in enumerate(editions):
        assert edition.stories, edition.day  # no empty edition
        blocks: list[Story] = [edition.lead] if edition.lead else []
        for section in edition.sections:
            assert section.stories or section.quick_hits
            assert all(s.role is Role.QUICK_HIT for s in section.quick_hits)
            blocks += [*section.stories, *section.quick_hits]
        blocks += edition.photos
        assert list(edition.stories) == blocks
        assert [s.key for s in edition.sections] == [
            k for k in keys if k in {s.key for s in edition.sections}
        ]
        assert (edition.previous is None) == (i == 0)
        assert (edition.next is None) == (i == len(editions) - 1)
        if edition.lead is None:
            assert not any(s.role in (Role.LEAD, Role.STORY) for s in edition.stories)


@given(world=worlds(), seed=st.integers(0, 2**32 - 1))
@settings(PROFILE, max_examples=120)
def test_input_order_never_changes_anything(world: World, seed: int) -> None:
    shuffled = list(world.stories)
    random.Random(seed).shuffle(shuffled)
    first, second = Report(), Report()
    a = build_editions(world.stories, world.curations, world.settings, first)
    b = build_editions(shuffled, world.curations, world.settings, second)
    assert a == b
    assert sorted(map(str, first.problems)) == sorted(map(str, second.problems))
    # story_order is a total order: no ties, so any input order sorts the same
    index = {s.key: i for i, s in enumerate(world.settings.sections)}
    key = story_order(index)
    keys = [key(s) for s in world.stories]
    assert len(set(keys)) == len(keys)  # no two stories compare equal
    assert sorted(shuffled, key=key) == sorted(world.stories, key=key)
    ordered = sorted(world.stories, key=key)
    for before, after in itertools.pairwise(ordered):
        if before.section == after.section:
            # Digest_order first (unset last), then time, then slug
            assert (before.order is None, before.order or 0, before.date) <= (
                after.order is None,
                after.order or 0,
                after.date,
            )


def brute_force_hot_topics(
    days: list[tuple[date, list[Story]]], window: int, count: int, minimum: int
) -> dict[date, tuple[Link, ...]]:
    """The documented ranking, recounted from scratch for every day."""
    names: dict[str, Link] = {}
    result: dict[date, tuple[Link, ...]] = {}
    for day, stories in days:
        for story in stories:
            for tag in story.tags:
                names.setdefault(tag.label.casefold(), tag)
        uses = [
            (tag.label.casefold(), story.date)
            for d, group in days
            if day - timedelta(days=window - 1) <= d <= day
            for story in group
            for tag in story.tags
        ]
        counts = Counter(key for key, _ in uses)
        latest = {key: max(when for k, when in uses if k == key) for key in counts}
        ranked = sorted(
            (key for key, n in counts.items() if n >= minimum),
            key=lambda k: (-counts[k], -latest[k].timestamp(), k, names[k].label),
        )
        result[day] = tuple(names[key] for key in ranked[:count])
    return result


@given(
    world=worlds(),
    window=st.integers(1, 5),
    count=st.integers(0, 4),
    minimum=st.integers(1, 3),
)
@settings(PROFILE, max_examples=100)
def test_hot_topics_match_a_brute_force_recount(
    world: World, window: int, count: int, minimum: int
) -> None:
    tz, starts = world.settings.timezone, world.settings.day_starts
    grouped: dict[date, list[Story]] = {}
    for story in world.stories:
        grouped.setdefault(edition_day(story.date, tz, starts), []).append(story)
    days = sorted(grouped.items())
    assert trailing_hot_topics(days, window, count, minimum) == brute_force_hot_topics(
        days, window, count, minimum
    )
