"""Grouping stories into daily editions, ordering them and choosing the lead.

Pure functions over :mod:`cx_digest.model` objects: no Pelican import.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from .hot_topics import trailing_hot_topics
from .model import (
    Curation,
    Edition,
    EditionRef,
    EditionSection,
    Role,
    Story,
    days_before,
)
from .report import Report
from .settings import DigestSettings
from .text import headline_caps


def local_time(moment: datetime, tz: ZoneInfo) -> datetime:
    """``moment`` in the site's time zone (a naive time is taken to be in it),
    with an offset of whole minutes (:func:`whole_minutes`)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return whole_minutes(_in_zone(moment, tz))


def _in_zone(moment: datetime, tz: ZoneInfo) -> datetime:
    """``moment.astimezone(tz)``; about year 1 or 9999, where the way
    through UTC leaves the calendar, ``moment`` as given."""
    try:
        return moment.astimezone(tz)
    except OverflowError:
        return moment


_MINUTE = timedelta(minutes=1)


def whole_minutes(moment: datetime) -> datetime:
    """The same instant with its UTC offset rounded to the minute, when the
    zone gives it seconds: a local mean time, before the zone's standard
    time (Asia/Shanghai's +08:05:43 until 1901, Africa/Monrovia's -00:44:30
    until 1972). RFC 3339 (Atom, JSON Feed, sitemaps, HTML) and RFC 5322
    (RSS, email) offsets have hours and minutes only."""
    offset = moment.utcoffset()
    if offset is None or not offset % _MINUTE:
        return moment
    zone = timezone(timedelta(minutes=round(offset / _MINUTE)))
    try:
        return moment.astimezone(zone)
    except OverflowError:
        pass
    # About year 1 (a placeholder date), where the conversion's way through
    # UTC leaves the calendar: the same instant, its wall time moved by the
    # seconds the offset gains (rounding up, or down near year 9999).
    for minutes in (-(-offset // _MINUTE), offset // _MINUTE):
        zone_offset = minutes * _MINUTE
        try:
            wall = moment.replace(tzinfo=None) + (zone_offset - offset)
        except OverflowError:
            continue
        return wall.replace(tzinfo=timezone(zone_offset))
    return moment


def edition_day(moment: datetime, tz: ZoneInfo, day_starts: time) -> date:
    """The edition a story published at ``moment`` belongs to.

    The local calendar date in ``tz``; before ``day_starts`` it is the
    previous day's edition.
    """
    local = _in_zone(moment, tz)
    if local.time().replace(tzinfo=None) < day_starts:
        return days_before(local.date(), 1)
    return local.date()


def story_order(section_index: Mapping[str, int]) -> Callable[[Story], tuple]:
    """Sort key: section order, then ``Digest_order`` (unset last), time, slug."""

    def key(story: Story) -> tuple:
        return (
            section_index.get(story.section, len(section_index)),
            story.order is None,
            story.order or 0,
            story.date.timestamp(),
            story.slug,
        )

    return key


def choose_lead(
    day: date,
    ordered: Sequence[Story],
    curation: Curation | None,
    elsewhere: Mapping[str, date],
    report: Report,
) -> Story | None:
    """Edition file ``Lead``, else the first ``Digest: lead``, else first story."""
    if curation and curation.lead:
        for story in ordered:
            if story.slug == curation.lead:
                return story
        other = elsewhere.get(curation.lead)
        if other == day:
            reason = "that story is marked 'Digest: none'"
        elif other:
            reason = f"that story belongs to the {other.isoformat()} edition"
        else:
            reason = "no published story has this slug"
        report.warn(curation.source, "Lead", curation.lead, reason, _LEAD_FALLBACK)
    leads = [s for s in ordered if s.role is Role.LEAD]
    for extra in leads[1:]:
        report.warn(
            extra.source,
            "Digest",
            "lead",
            f"{leads[0].source} already leads the {day.isoformat()} edition",
            "shown as a regular story",
        )
    if leads:
        return leads[0]
    return next((s for s in ordered if s.role is Role.STORY), None)


_LEAD_FALLBACK = "using the story marked 'Digest: lead', else the first story"


def edition_title(
    settings: DigestSettings,
    day: date,
    lead: Story | None,
    ordered: Sequence[Story],
    curation: Curation | None,
) -> str:
    if curation and curation.title:
        return curation.title
    headline_source = lead or (ordered[0] if ordered else None)
    lead_title = headline_caps(headline_source.title) if headline_source else ""
    return settings.title_format.format(
        name=settings.name, lead_title=lead_title, date=day
    )


def build_editions(
    stories: Iterable[Story],
    curations: Mapping[date, Curation],
    settings: DigestSettings,
    report: Report,
) -> list[Edition]:
    """All editions, oldest first, with previous/next links filled in."""
    section_index = {s.key: i for i, s in enumerate(settings.sections)}
    by_day: dict[date, list[Story]] = defaultdict(list)
    slug_day: dict[str, date] = {}
    for story in stories:
        day = edition_day(story.date, settings.timezone, settings.day_starts)
        slug_day[story.slug] = day
        if story.role is not Role.NONE:
            if story.section not in section_index:
                # Never lose a story: an unknown section key means the first.
                story = replace(story, section=settings.sections[0].key)
            by_day[day].append(story)

    for day in sorted(set(curations) - set(by_day)):
        report.warn(
            curations[day].source,
            "Date",
            day.isoformat(),
            "no published story belongs to this day's edition",
            "the edition file is ignored",
        )

    key = story_order(section_index)
    days = sorted(by_day)
    for day in days:
        by_day[day].sort(key=key)

    hot = trailing_hot_topics(
        [(day, by_day[day]) for day in days],
        settings.hot_topics_days,
        settings.hot_topics_count,
        settings.hot_topics_min_stories,
    )

    editions: list[Edition] = []
    for day in days:
        ordered = by_day[day]
        curation = curations.get(day)
        lead = choose_lead(day, ordered, curation, slug_day, report)
        sections: list[EditionSection] = []
        for section in settings.sections:
            in_section = [s for s in ordered if s.section == section.key]
            main = tuple(
                s
                for s in in_section
                if s is not lead and s.role in (Role.STORY, Role.LEAD)
            )
            quick = tuple(
                s for s in in_section if s is not lead and s.role is Role.QUICK_HIT
            )
            if main or quick:
                sections.append(EditionSection(section.key, section.title, main, quick))
        photos = tuple(s for s in ordered if s is not lead and s.role is Role.PHOTO)
        reading: list[Story] = [lead] if lead else []
        for block in sections:
            reading.extend(block.stories)
            reading.extend(block.quick_hits)
        reading.extend(photos)
        stamp = local_time(
            curation.stamp
            if curation and curation.stamp
            else max(s.date for s in ordered),
            settings.timezone,
        )
        curated = curation.hot_topics if curation and curation.hot_topics else ()
        editions.append(
            Edition(
                day=day,
                stamp=stamp,
                title=edition_title(settings, day, lead, reading, curation),
                url=settings.url.format(date=day),
                save_as=settings.save_as.format(date=day),
                lead=lead,
                sections=tuple(sections),
                hot_topics=curated or hot[day],
                photos=photos,
                note_html=curation.note_html if curation else "",
                all_stories=tuple(reading),
            )
        )
    return link_neighbours(editions)


def link_neighbours(editions: Sequence[Edition]) -> list[Edition]:
    """Fill in ``previous`` and ``next`` (editions sorted oldest first)."""
    refs = [EditionRef(e.day, e.title, e.url) for e in editions]
    return [
        replace(
            edition,
            previous=refs[i - 1] if i > 0 else None,
            next=refs[i + 1] if i + 1 < len(refs) else None,
        )
        for i, edition in enumerate(editions)
    ]
