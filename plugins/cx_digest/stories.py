"""A story's summary and body as clean HTML with absolute URLs.

Made when a page, feed or email first asks (by then every generator has
read its content, so ``{static}`` and ``{filename}`` links resolve), through
the one policy of :mod:`cx_digest.markup`, and kept for the few thousand
stories asked for most recently: an edition's page and its email ask for
the same summaries one after the other.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pelican.plugins.fastbuild import depends_on_content

from .markup import clean, plain_text, summary_of
from .model import Story

KEPT = 4096


class StoryTexts:
    """:class:`cx_digest.model.StoryText` for stories read by Pelican."""

    def __init__(self, public_url: str, absolute: Any) -> None:
        self.public_url = public_url
        self.absolute = absolute
        self._summaries = lru_cache(maxsize=KEPT)(self._summary)
        self._summary_texts = lru_cache(maxsize=KEPT)(self._summary_text)
        self._bodies = lru_cache(maxsize=256)(self._body)

    # Each read declares the story's body to pelican-fastbuild, cached or not:
    # an incremental build renders the page again when that body changes.

    def article_summary(self, article: Any, url: str) -> str:
        depends_on_content(article)
        return self._summaries(article, url)

    def article_summary_text(self, article: Any, url: str) -> str:
        depends_on_content(article)
        return self._summary_texts(article, url)

    def article_body(self, article: Any, url: str) -> str:
        depends_on_content(article)
        return self._bodies(article, url)

    def summary(self, story: Story) -> str:
        return self.article_summary(story.origin, story.url)

    def summary_text(self, story: Story) -> str:
        return self.article_summary_text(story.origin, story.url)

    def body(self, story: Story) -> str:
        return self.article_body(story.origin, story.url)

    def _summary_text(self, article: Any, url: str) -> str:
        return plain_text(self._summaries(article, url))

    def _summary(self, article: Any, url: str) -> str:
        """The ``Summary`` key, else the body above ``<!-- more -->``, else
        its first paragraph; links resolved by Pelican as in the story."""
        if "summary" in article.metadata:
            fragment = str(article.metadata["summary"])
        else:
            # Cut from the body as read, then resolve the cut part only:
            # article.get_content() would keep a second copy of every body.
            raw = getattr(article, "_content", None) or ""
            fragment = summary_of(raw)
        # Pelican's own resolution of {filename}, {static}, {tag}... links.
        resolved = article._update_content(fragment, self.public_url)
        return clean(resolved, self.absolute(url))

    def _body(self, article: Any, url: str) -> str:
        return clean(article.get_content(self.public_url), self.absolute(url))
