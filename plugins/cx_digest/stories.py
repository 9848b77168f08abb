"""A story's summary and body as clean HTML with absolute URLs.

Made once every generator has read its content (``{static}`` and
``{filename}`` links then resolve), through the one policy of
:mod:`cx_digest.markup`:

- the summary of every published story once, as data of its
  :class:`cx_digest.model.Story` (:meth:`StoryTexts.summaries`, computed in
  pelican-fastbuild's workers by the generator);
- the summary text of a hidden story or a draft, for its own page's
  description (:meth:`StoryTexts.article_summary_text`);
- a story's whole body for the story feeds (:meth:`StoryTexts.body`), kept
  for the stories asked for most recently: each story feed asks for the
  same ones.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pelican.plugins.fastbuild import depends_on_content

from .mailtext import summary_texts
from .markup import clean, summary_of

KEPT_BODIES = 256


class StoryTexts:
    """The summaries and bodies of the stories Pelican read."""

    def __init__(self, public_url: str, absolute: Any) -> None:
        self.public_url = public_url
        self.absolute = absolute
        self._bodies = lru_cache(maxsize=KEPT_BODIES)(self._body)

    def summaries(self, article: Any, url: str) -> tuple[str, str, str]:
        """The summary as clean HTML, as one line of plain text and as the
        email's wrapped text (the two texts from one parse of the HTML): the
        ``Summary`` key, else the body above ``<!-- more -->``, else its first
        paragraph; links resolved by Pelican as in the story. A pure function
        of the article once the content is read (its caller holds the result
        as data, which is what an incremental build compares)."""
        given = str(article.metadata.get("summary") or "")
        if given.strip():
            fragment = given
        else:  # no Summary, or "Summary:" with nothing after it
            # Cut from the body as read, then resolve the cut part only:
            # article.get_content() would keep a second copy of every body.
            raw = getattr(article, "_content", None) or ""
            fragment = summary_of(raw)
        # Pelican's own resolution of {filename}, {static}, {tag}... links.
        resolved = article._update_content(fragment, self.public_url)
        html = clean(resolved, self.absolute(url))
        return (html, *summary_texts(html))

    def article_summary_text(self, article: Any, url: str) -> str:
        """The plain-text summary of a story page with no story (a hidden
        story, a draft), declared as read from its body."""
        depends_on_content(article)
        return self.summaries(article, url)[1]

    def body(self, article: Any, url: str) -> str:
        """The whole story as clean HTML with absolute URLs, declared as read
        from its body."""
        depends_on_content(article)
        return self._bodies(article, url)

    def _body(self, article: Any, url: str) -> str:
        return clean(article.get_content(self.public_url), self.absolute(url))
