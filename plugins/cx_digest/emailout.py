"""The email edition: ``email.html``, ``email.txt`` and ``email.eml``.

For every edition, next to its page:

- ``email.html``: the edition laid out for email clients (nested
  ``role="presentation"`` tables about 600 px wide), rendered from the
  ``email/edition.html`` template, then every CSS rule of its ``<style>``
  block inlined into ``style`` attributes with css-inline; only the
  ``@media`` rules for phones stay in a ``<style>`` element.
- ``email.txt``: its plain-text twin, from ``email/edition.txt``.
- ``email.eml``: a ``multipart/alternative`` message holding both
  (:mod:`cx_digest.mime`).

Templates are looked up theme first: a theme overrides them by shipping
``templates/email/<same name>``. The three files of an edition are rendered
together: an :class:`EmailFile` asks its :class:`EmailRenderer` for the
edition's parts, made once per edition in a process whichever file asks
first (a few editions are kept), and the edition's first file alone checks
the size, so the build says the same whichever process writes which file
in which order.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import css_inline

from .mailtext import TEXT_WIDTH, html_to_text, tree_to_text, wrap
from .markup import parse, serialize
from .mime import message
from .model import Edition, Image, Story
from .report import Report
from .site import DigestSite

logger = logging.getLogger("cx_digest")

# Width of the email's content column (600 px container minus 2 x 24 px).
CONTENT_WIDTH = 552
# Assumed shape of an image whose size the build cannot read (a remote URL):
# its width/height attributes use 3:2; the inline ``height:auto`` lets
# clients that honour CSS (nearly all) keep the real aspect ratio.
UNKNOWN_RATIO = (3, 2)
PREHEADER_CHARS = 140
# Zero-width filler after the preheader, so clients do not pull the start of
# the body into the inbox preview line.
PREHEADER_PADDING = "\u034f\u200c\u00a0" * 90


@dataclass(frozen=True)
class EmailImage:
    """An image as the email shows it: absolute src and display size."""

    src: str
    alt: str
    width: int
    height: int


def display_size(width: int | None, height: int | None) -> tuple[int, int]:
    """Width/height attributes for an image in the content column."""
    if not width or not height:
        w, h = UNKNOWN_RATIO
        return CONTENT_WIDTH, round(CONTENT_WIDTH * h / w)
    shown = min(width, CONTENT_WIDTH)
    return shown, max(1, round(height * shown / width))


@dataclass(frozen=True)
class EmailFragment:
    """A cleaned fragment as the email shows it: HTML with sized images and
    its plain-text twin, both from one parse."""

    html: str
    text: str


def email_fragment(
    fragment: str,
    public_url: str,
    size_of: Callable[[str], tuple[int, int] | None],
) -> EmailFragment:
    """A cleaned fragment with ``width``, ``height`` and ``alt`` on every image
    (local images at their real shape, scaled to the column), and its text."""
    if not fragment or not fragment.strip():
        return EmailFragment("", "")
    container = parse(fragment)
    images = list(container.iter("img"))
    for img in images:
        src = img.get("src") or ""
        local = None
        if src.startswith(public_url + "/"):
            local = size_of(unquote(src[len(public_url) + 1 :].split("?")[0]))
        width, height = display_size(*(local or (None, None)))
        img.set("width", str(width))
        img.set("height", str(height))
        img.set("alt", img.get("alt") or "")
    html = serialize(container) if images else fragment
    return EmailFragment(html, tree_to_text(container))


def email_html(
    fragment: str,
    public_url: str,
    size_of: Callable[[str], tuple[int, int] | None],
) -> str:
    """The HTML of :func:`email_fragment`, for a fragment whose text is made
    already (a story's summary: :attr:`Story.summary_email_text`). Sizing
    images is all it changes, so a fragment with no ``<img`` tag (cleaned
    HTML: nh3 writes tag names in lower case) is used as it is, unparsed."""
    if "<img" not in fragment:
        return fragment
    return email_fragment(fragment, public_url, size_of).html


def preheader(edition: Edition) -> str:
    """The inbox preview: the lead headline and the start of its summary."""
    lead = edition.lead
    if lead is None:
        return edition.title
    summary = lead.summary_text
    full = lead.headline
    if summary:
        stop = "" if full.endswith((".", "?", "!", "…")) else "."
        full = f"{full}{stop} {summary}"
    if len(full) <= PREHEADER_CHARS:
        return full
    return full[:PREHEADER_CHARS].rsplit(" ", 1)[0].rstrip(",;:.–— ") + "…"


# css-inline's defaults inline <style> rules and drop the element; the
# @media rules stay (they cannot be inlined) and nothing is fetched.
_INLINER = css_inline.CSSInliner(
    keep_at_rules=True, minify_css=True, load_remote_stylesheets=False
)
_KEPT_STYLE = re.compile(
    r"<head>\s*(?P<style><style>.*?</style>)(?P<rest>.*?)</head>", re.DOTALL
)


def inline_css(document: str) -> str:
    """Inline the ``<style>`` rules into ``style`` attributes; keep ``@media``.

    css-inline puts the kept ``@media`` rules first in ``<head>``; they move
    to its end so ``<meta charset>`` stays the first element.
    """
    inlined = _INLINER.inline(document)
    return _KEPT_STYLE.sub(
        lambda m: f"<head>{m.group('rest').rstrip()}\n{m.group('style')}\n</head>",
        inlined,
        count=1,
    )


def tidy_text(rendered: str) -> str:
    """Trailing spaces stripped and runs of blank lines collapsed."""
    lines = [line.rstrip() for line in rendered.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"


@dataclass(frozen=True)
class EmailParts:
    html: str
    text: str
    eml: str


class EmailRenderer:
    """Renders an edition's email files with the site's templates."""

    def __init__(self, site: DigestSite, report: Report) -> None:
        self.site = site
        self.settings = site.settings
        self.report = report
        # Keyed by the edition (a frozen value): the files of an edition are
        # written one after another, so a few are enough.
        self.parts = functools.lru_cache(maxsize=4)(self._parts)

    def __fastbuild_fingerprint__(self) -> object:
        """What an incremental build compares (pelican-fastbuild): the
        settings. An email reads its edition (the page's own argument), the
        templates through the site's ``render`` (whose names the engine
        records) and image sizes (declared); the report and the parts kept
        are not inputs."""
        return self.settings

    def image(self, image: Image | None) -> EmailImage | None:
        if image is None:
            return None
        width, height = display_size(image.width, image.height)
        alt = image.alt or image.caption
        return EmailImage(self.settings.absolute(image.src), alt, width, height)

    def fragment(self, html: str) -> EmailFragment:
        return email_fragment(html, self.settings.public_url, self.site.image_size)

    def context(self, edition: Edition) -> dict[str, Any]:
        settings = self.settings
        archive = settings.absolute(settings.archive_url)
        # A summary's text comes with its story; its HTML is sized once for
        # the edition (parsed only when it holds an image).
        summaries: dict[str, str] = {}

        def summary(story: Story) -> str:
            if story.slug not in summaries:
                summaries[story.slug] = email_html(
                    story.summary, settings.public_url, self.site.image_size
                )
            return summaries[story.slug]

        note = self.fragment(edition.note_html)
        return {
            "SITEURL": settings.public_url,
            "edition": edition,
            "edition_url": settings.absolute(edition.url),
            "archive_url": archive if settings.archive_save_as else "",
            "email_preheader": preheader(edition),
            "email_preheader_padding": PREHEADER_PADDING,
            "email_image": self.image,
            "email_summary": summary,
            "email_summary_text": lambda story: story.summary_email_text,
            "email_note": note.html,
            "email_note_text": note.text,
            "email_text": html_to_text,
            "email_wrap": wrap,
            "email_unsubscribe_url": settings.email.unsubscribe_url,
            "email_settings": settings.email,
            "email_rule": "=" * TEXT_WIDTH,
            "email_thin_rule": "-" * TEXT_WIDTH,
        }

    def _parts(self, edition: Edition) -> EmailParts:
        """The edition's three files (:attr:`parts`, kept)."""
        context = self.context(edition)
        html = inline_css(self.site.render("email/edition.html", context))
        html = html.rstrip("\n") + "\n"
        text = tidy_text(self.site.render("email/edition.txt", context))
        email = self.settings.email
        eml = (
            message(email, self.settings.host, edition, text, html) if email.eml else ""
        )
        return EmailParts(html, text, eml)

    def check_size(self, edition: Edition, html: str) -> None:
        """Warn when the edition's ``email.html`` is over the size limit."""
        limit = self.settings.email.max_bytes
        size = len(html.encode("utf-8"))
        if limit and size > limit:
            self.report.warn(
                f"edition {edition.day.isoformat()}",
                "email.html size",
                f"{size} bytes",
                f"over CX_DIGEST_EMAIL_MAX_BYTES ({limit}); Gmail clips "
                "messages over about 102 KB",
                "written anyway",
            )
            self.report.raise_if_strict(self.settings.strict)

    def files(self, edition: Edition) -> list[tuple[str, EmailFile]]:
        """``(save_as, page)`` of the edition's email files that are on; the
        first of them checks the size of the HTML."""
        email = self.settings.email
        wanted = [
            (kind, pattern)
            for kind, on, pattern in (
                ("html", email.html, email.html_save_as),
                ("text", email.text, email.text_save_as),
                ("eml", email.eml, email.eml_save_as),
            )
            if on
        ]
        return [
            (pattern.format(date=edition.day), EmailFile(self, kind, checks=i == 0))
            for i, (kind, pattern) in enumerate(wanted)
        ]


class EmailFile:
    """One email file, handed to Pelican's writer in place of a template:
    its ``render`` depends only on the edition in the context, whichever
    process calls it, in whatever order."""

    def __init__(self, renderer: EmailRenderer, kind: str, checks: bool) -> None:
        self.renderer = renderer
        self.kind = kind
        self.checks = checks  # the edition's first file: checks the HTML's size

    def render(self, context: Mapping[str, Any]) -> str:
        edition = context["edition"]
        parts = self.renderer.parts(edition)
        if self.checks:
            self.renderer.check_size(edition, parts.html)
        return str(getattr(parts, self.kind))
