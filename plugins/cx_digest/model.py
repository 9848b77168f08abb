"""Small frozen value objects the digest is made of. No Pelican import here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
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


@dataclass(frozen=True, slots=True)
class Story:
    """One story as the digest needs it."""

    slug: str
    title: str
    url: str  # site path of the story page
    date: datetime  # aware
    category: str
    category_url: str
    source: str  # path relative to content/, for messages
    # The summary as given; see ``summary``. Links are site-root relative
    # ("/images/x.jpg").
    summary_html: str = ""
    tags: tuple[Link, ...] = ()
    kicker: str = ""
    image: Image | None = None
    role: Role = Role.STORY
    section: str = ""  # section key, resolved by the adapter
    order: int | None = None
    related: tuple[Link, ...] = ()
    link: str = ""  # external URL the digest headline points to
    subscribers_only: bool = False
    # A summary made on demand from ``origin`` (the adapter's article), not
    # held for the whole build: ``summary_from(story)``.
    summary_from: Callable[[Story], str] | None = field(
        default=None, compare=False, repr=False
    )
    origin: object = field(default=None, compare=False, repr=False)

    @property
    def summary(self) -> str:
        """The summary HTML: ``summary_html``, or made by ``summary_from``."""
        if self.summary_from is not None:
            return self.summary_from(self)
        return self.summary_html

    @property
    def href(self) -> str:
        """Where the digest headline points: ``Link`` if set, else the page."""
        return self.link or self.url

    @property
    def headline(self) -> str:
        return f"{self.kicker}: {self.title}" if self.kicker else self.title


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

    @property
    def stories(self) -> tuple[Story, ...]:
        """Every story of the edition in reading order (lead first)."""
        return self.all_stories

    @property
    def ref(self) -> EditionRef:
        return EditionRef(self.day, self.title, self.url)
