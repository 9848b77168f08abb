"""Small frozen value objects the digest is made of: plain data, computed
once, that never call back into Pelican. No Pelican import here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum


class Role(StrEnum):
    """A story's place in its day's edition (the ``Digest`` key)."""

    LEAD = "lead"
    STORY = "story"
    QUICK_HIT = "quick-hit"
    PHOTO = "photo"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Link:
    """A labelled link: a related headline, a hot topic, a tag."""

    label: str
    url: str  # site path ("tag/floods/") or absolute http(s) URL
    external: bool = False


@dataclass(frozen=True, slots=True)
class Image:
    src: str  # site path ("images/x.jpg") or absolute https URL
    alt: str
    caption: str
    credit: str
    width: int | None = None
    height: int | None = None

    @property
    def remote(self) -> bool:
        return self.src.startswith(("http://", "https://"))


def headline_of(kicker: str, title: str) -> str:
    """The one "Kicker: Title" rule (a story without a kicker: its title)."""
    return f"{kicker}: {title}" if kicker else title


def updated_of(published: datetime, modified: datetime | None) -> datetime:
    """The one "last changed" rule: ``Modified`` when it is later than
    ``Date``, else ``Date``."""
    return modified if modified is not None and modified > published else published


@dataclass(frozen=True, slots=True)
class Story:
    """One published story as the digest needs it: every fact the pages,
    feeds, email, metadata and sitemaps show about it, computed once."""

    slug: str
    title: str
    url: str  # site path of the story page
    date: datetime  # aware
    category: str
    category_url: str
    source: str  # path relative to content/, for messages
    category_slug: str = ""
    # The summary as clean HTML with absolute URLs, as one line of plain
    # text (descriptions, feeds) and as the email's wrapped text twin:
    # :meth:`cx_digest.stories.StoryTexts.summaries`.
    summary: str = ""
    summary_text: str = ""
    summary_email_text: str = ""
    tags: tuple[Link, ...] = ()
    kicker: str = ""
    image: Image | None = None
    role: Role = Role.STORY
    section: str = ""  # section key, resolved by the adapter
    order: int | None = None
    related: tuple[Link, ...] = ()
    link: str = ""  # external URL the digest headline points to
    subscribers_only: bool = False
    modified: datetime | None = None  # aware, the ``Modified`` key
    authors: tuple[str, ...] = ()

    @property
    def updated(self) -> datetime:
        """The ``Modified`` time when it is later than ``Date``."""
        return updated_of(self.date, self.modified)

    @property
    def href(self) -> str:
        """Where the digest headline points: ``Link`` if set, else the page."""
        return self.link or self.url

    @property
    def headline(self) -> str:
        return headline_of(self.kicker, self.title)


@dataclass(frozen=True)
class Curation:
    """What an edition file (``content/digests/YYYY-MM-DD.md``) says."""

    day: date
    source: str
    stamp: datetime | None = None
    title: str = ""
    lead: str = ""  # slug
    hot_topics: tuple[Link, ...] = ()
    note_html: str = ""


@dataclass(frozen=True)
class EditionSection:
    """A section of an edition: its stories, then its Quick hits."""

    key: str
    title: str
    stories: tuple[Story, ...]
    quick_hits: tuple[Story, ...]


@dataclass(frozen=True)
class EditionRef:
    """A pointer to an edition: for previous/next links and story backlinks."""

    day: date
    title: str
    url: str


@dataclass(frozen=True)
class Edition:
    """One day's edition, in reading order."""

    day: date
    stamp: datetime
    title: str
    url: str
    save_as: str
    lead: Story | None
    sections: tuple[EditionSection, ...]
    hot_topics: tuple[Link, ...]
    photos: tuple[Story, ...]
    note_html: str = ""
    previous: EditionRef | None = None
    next: EditionRef | None = None
    all_stories: tuple[Story, ...] = field(default=(), repr=False)

    def __hash__(self) -> int:
        # Its day and URL: equal editions have them equal, and hashing every
        # story of the edition (the generated hash) is what an edition's
        # email files, kept by edition, paid three times each.
        return hash((self.day, self.url))

    @property
    def stories(self) -> tuple[Story, ...]:
        """Every story of the edition in reading order (lead first)."""
        return self.all_stories

    @property
    def ref(self) -> EditionRef:
        return EditionRef(self.day, self.title, self.url)


def days_before(day: date, days: int) -> date:
    """The day ``days`` before ``day``, or the first day there is (a
    placeholder date of year 1, as some CMS exports write, has none)."""
    try:
        return day - timedelta(days=days)
    except OverflowError:
        return date.min
