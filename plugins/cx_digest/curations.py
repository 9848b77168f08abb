"""Edition files (``content/digests/YYYY-MM-DD.md``): what an editor curates.

Each file is read with Pelican's Markdown reader, its metadata kept as
written (a repeated key is reported, not silently dropped), its note
cleaned by the one HTML policy with its intrasite links resolved.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from pelican.readers import MarkdownReader
from pelican.utils import get_date

from .adapters import first_value, source_of, values_of
from .editions import edition_day, local_time
from .markup import clean
from .model import Curation, Link
from .report import Report
from .settings import DigestSettings
from .text import INTRASITE_FILE, is_web_url, split_label_url, xml_safe

_EDITION_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MARKDOWN = (".md", ".markdown", ".mkd", ".mdown")
_PATH_PART = re.compile(r"[^?#]*")


class _RawMarkdownReader(MarkdownReader):
    """Pelican's Markdown reader, with metadata left as written."""

    def process_metadata(self, name: str, value: Any) -> Any:
        return value

    def _parse_metadata(self, meta: Mapping[str, list[str]]) -> dict[str, Any]:
        # Every key as written: a repeated key stays a list (Pelican would
        # silently keep the first Date), so the curation can report it.
        self._md.preprocessors.deregister("meta")
        return {
            name.lower(): value if len(value) > 1 else value[0]
            for name, value in meta.items()
        }


def read_curations(
    settings: DigestSettings,
    pelican_settings: Mapping[str, Any],
    content_path: str,
    tag_links: Mapping[str, Link],
    story_urls: Mapping[str, str],
    report: Report,
) -> dict[date, Curation]:
    """Every edition file under ``content/<CX_DIGEST_EDITIONS_PATH>/``.

    ``story_urls`` maps each published story's source (relative to
    ``content/``) to its URL, for ``{filename}`` links in the notes.
    """
    folder = Path(content_path, settings.editions_path)
    if not settings.editions_path or not folder.is_dir():
        return {}
    reader = _RawMarkdownReader(pelican_settings)
    found: dict[date, Curation] = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        source = source_of(str(path), content_path)
        match = _EDITION_NAME.match(path.stem)
        try:
            day = date(*map(int, match.groups())) if match else None
        except ValueError:
            day = None
        if path.suffix.lower() not in _MARKDOWN:
            problem = "edition files are Markdown (.md)"
        elif day is None:
            problem = "edition files are named YYYY-MM-DD.md"
        else:
            try:
                body, meta = reader.read(str(path))
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                problem = f"unreadable: {exc}"
            else:
                links = _NoteLinks(
                    source, content_path, story_urls, report, settings.absolute
                )
                found[day] = _curation(
                    day,
                    source,
                    xml_safe(body),
                    _xml_safe_values(meta),
                    settings,
                    tag_links,
                    report,
                    links,
                )
                continue
        report.warn(source, "file", path.name, problem, "ignored")
    return found


def _xml_safe_values(meta: Mapping[str, Any]) -> dict[str, Any]:
    """The file's metadata without characters XML cannot carry."""
    return {
        key: [xml_safe(str(v)) for v in value]
        if isinstance(value, list)
        else xml_safe(str(value))
        for key, value in meta.items()
    }


class _NoteLinks:
    """Resolves a note's ``{filename}``, ``{static}`` and ``{attach}`` links
    as Pelican does in a story: relative to the edition file, or to
    ``content/`` with a leading ``/``. ``{filename}`` points at a published
    story (its page) or any file under ``content/``, the others at a file.
    A missing target is reported and its link dropped (shown as text)."""

    def __init__(
        self,
        source: str,
        content_path: str,
        story_urls: Mapping[str, str],
        report: Report,
        absolute: Callable[[str], str],
    ) -> None:
        self.source = source
        self.folder = posixpath.dirname(source)
        self.content_path = content_path
        self.story_urls = story_urls
        self.report = report
        self.absolute = absolute

    def __call__(self, element: str, attribute: str, value: str) -> str | None:
        match = INTRASITE_FILE.match(value)
        if match is None:
            return value
        target = value[match.end() :]
        cut = len(_PATH_PART.match(target).group(0))  # type: ignore[union-attr]
        path, rest = target[:cut], target[cut:]
        if path.startswith("/"):
            rel = path.lstrip("/")
        else:
            rel = posixpath.normpath(posixpath.join(self.folder, path))
        rel = unquote(rel)
        if match.group(1) == "filename" and rel in self.story_urls:
            return self.absolute(self.story_urls[rel]) + rest
        inside = rel != ".." and not rel.startswith("../")
        if inside and os.path.isfile(os.path.join(self.content_path, rel)):
            return self.absolute(quote(rel)) + rest
        self.report.warn(
            self.source,
            "note link",
            value,
            "no published story or file at this path under content/",
            "shown as plain text",
        )
        return None


def _curation(
    day: date,
    source: str,
    body: str,
    meta: Mapping[str, Any],
    settings: DigestSettings,
    tag_links: Mapping[str, Link],
    report: Report,
    links: _NoteLinks,
) -> Curation:
    def one(key: str, label: str) -> str:
        return first_value(meta, key, source, label, report)

    stamp: datetime | None = None
    raw_date = one("date", "Date")
    if raw_date:
        try:
            stamp = local_time(get_date(raw_date), settings.timezone)
        except (ValueError, OverflowError):
            report.warn(
                source,
                "Date",
                raw_date,
                "not a date and time",
                "using the latest story time",
            )
        if stamp is not None and (
            edition_day(stamp, settings.timezone, settings.day_starts) != day
        ):
            report.warn(
                source,
                "Date",
                raw_date,
                f"falls outside the {day.isoformat()} edition named by the file",
                "using the latest story time",
            )
            stamp = None

    hot: list[Link] = []
    for value in values_of(meta, "hot_topics"):
        if not value:
            continue
        if "<" in value or ">" in value or "://" in value:
            pair = split_label_url(value)
            if pair is None or not pair[0] or not is_web_url(pair[1]):
                report.warn(
                    source,
                    "Hot_topics",
                    value,
                    "expected a tag name or 'Label <https://...>'",
                    "left out",
                )
            else:
                hot.append(Link(pair[0], pair[1], external=True))
            continue
        tag = tag_links.get(value.casefold())
        if tag is None:
            report.warn(
                source,
                "Hot_topics",
                value,
                "no published story has this tag",
                "left out",
            )
        elif tag not in hot:  # "Floods" and "floods" name one tag: listed once
            hot.append(tag)

    page = settings.absolute(settings.url.format(date=day))
    return Curation(
        day=day,
        source=source,
        stamp=stamp,
        title=one("title", "Title"),
        lead=one("lead", "Lead"),
        hot_topics=tuple(hot),
        note_html=clean(body, page, links),
    )
