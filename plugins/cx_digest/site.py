"""What the generator hands to the outputs (feeds, email, metadata).

Plain data and three functions: feeds, email and metadata never see the
generator (nothing imports it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .model import Edition, Story
from .settings import DigestSettings


@dataclass(frozen=True)
class DigestSite:
    settings: DigestSettings
    editions: tuple[Edition, ...]  # oldest first
    stories: tuple[Story, ...]  # every published story, newest first
    # Renders a template by name (the theme's first) with the build's
    # context plus ``extra``; returns the text.
    render: Callable[[str, Mapping[str, Any]], str]
    # The pixel size of a file of the site (``images/x.jpg``), or None.
    image_size: Callable[[str], tuple[int, int] | None]
    # A story's whole body as clean HTML with absolute URLs (story feeds).
    story_body: Callable[[Story], str]

    def __fastbuild_fingerprint__(self) -> object:
        """What an incremental build compares (pelican-fastbuild): the data.
        ``render`` reads the build's context, where the engine records each
        name a template looks up; ``image_size`` declares the files it reads,
        ``story_body`` the bodies."""
        return (self.settings, self.editions, self.stories)

    def edition_html(self, edition: Edition) -> str:
        """An edition's content (the page's middle) with absolute URLs."""
        return self.render(
            "digest/_edition.html",
            {"edition": edition, "SITEURL": self.settings.public_url},
        )
