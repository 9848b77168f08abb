"""The CommonMark reader, ``FASTBUILD_MARKDOWN = "commonmark"``.

:class:`CommonMarkReader` is a subclass of Pelican's ``MarkdownReader`` that
renders with cmark-gfm (:mod:`.cmark_html`) instead of Python-Markdown. It
reads the header Pelican's Markdown reader reads (Python-Markdown's ``meta``
extension, :func:`split_header`) and turns it into metadata with the same
rules (:meth:`CommonMarkReader._parse_metadata`, which other plugins'
``MarkdownReader`` wrappers extend as they extend Pelican's).

:func:`use_commonmark`, connected to ``readers_init``, puts it in place for
the Markdown extensions of a site that asks for it, under any wrapper
another plugin has already made of Pelican's reader.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from pelican.readers import DUPLICATES_DEFINITIONS_ALLOWED, MarkdownReader
from pelican.utils import pelican_open

from . import cmark_html
from .settings import COMMONMARK, markdown_setting

__all__ = ["CommonMarkReader", "split_header", "use_commonmark"]

logger = logging.getLogger("fastbuild")
# Pelican's duplicate-key warning, from Pelican's logger: a build logs what
# it logs with Python-Markdown.
pelican_readers_logger = logging.getLogger("pelican.readers")

# The header Python-Markdown's meta extension reads: an optional first line
# starting with ---; then "Key: value" lines (up to 3 spaces before an ASCII
# key) and continuation lines indented by 4 or more spaces (after tabs are
# expanded to 4 columns), each continuation a further value of the key above;
# ended by a blank line or one starting with --- or ... (both dropped), or by
# the first other line (kept, as the body's first).
_BEGIN = re.compile(r"-{3}(?:\s|$)")
_END = re.compile(r"(?:-{3}|\.{3})(?:\s|$)")
_KEY = re.compile(r" {0,3}([A-Za-z0-9_-]+):\s*(.*)")
_MORE = re.compile(r" {4,}(.*)")
TAB_COLUMNS = 4


def split_header(text: str) -> tuple[dict[str, list[str]], str]:
    """The header's values by lower-cased key, in order, and the body."""
    if not text.strip():  # Python-Markdown reads no header from blank text
        return {}, text
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header: dict[str, list[str]] = {}
    at = 1 if _BEGIN.match(lines[0].expandtabs(TAB_COLUMNS)) else 0
    key = None
    while at < len(lines):
        line = lines[at].expandtabs(TAB_COLUMNS)
        if not line.strip() or _END.match(line):
            at += 1
            break
        if pair := _KEY.match(line):
            key = pair[1].lower()
            header.setdefault(key, []).append(pair[2].strip())
        elif key is not None and (more := _MORE.match(line)):
            header[key].append(more[1].strip())
        else:
            break
        at += 1
    return header, "\n".join(lines[at:])


class CommonMarkReader(MarkdownReader):
    """Pelican's Markdown reader with cmark-gfm as its renderer."""

    enabled = cmark_html.available()

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        self._source_path = source_path
        with pelican_open(source_path) as text:
            header, body = split_header(text)
        return cmark_html.render(body), self._parse_metadata(header)

    def _parse_metadata(self, meta: Mapping[str, list[str]]) -> dict[str, Any]:
        """Metadata from the header as Pelican's Markdown reader makes it:
        ``FORMATTED_FIELDS`` (``Summary``) rendered, their values one text; a
        key Pelican takes once (``DUPLICATES_DEFINITIONS_ALLOWED``) its first
        value, with Pelican's warning when there are more; any other key a
        string, or a list of its values when it has several."""
        formatted = self.settings["FORMATTED_FIELDS"]
        metadata: dict[str, Any] = {}
        for name, values in meta.items():
            key = name.lower()
            value: str | list[str]
            if key in formatted:
                value = cmark_html.render("\n".join(values))
            elif len(values) == 1:
                value = values[0]
            elif DUPLICATES_DEFINITIONS_ALLOWED.get(key, True):
                value = values
            else:
                pelican_readers_logger.warning(
                    "Duplicate definition of `%s` for %s. Using first one.",
                    key,
                    self._source_path,
                )
                value = values[0]
            metadata[key] = self.process_metadata(key, value)
        return metadata

    def disabled_message(self) -> str:
        return f"the CommonMark reader needs cmarkgfm: {cmark_html.INSTALL}"


MARKDOWN_EXTENSIONS = tuple(MarkdownReader.file_extensions)


@cache
def _layered(wrapper: type) -> type:
    """Another plugin's subclass of Pelican's reader over this one: its
    methods first, its ``super()`` calls reaching the CommonMark reader."""
    return type(CommonMarkReader.__name__, (wrapper, CommonMarkReader), {})


def use_commonmark(readers: Any) -> None:
    """``readers_init``: with ``FASTBUILD_MARKDOWN = "commonmark"``, the
    Markdown extensions are read by :class:`CommonMarkReader`.

    Pelican's own reader is replaced; a subclass of it that another plugin
    put there first (such receivers run in no fixed order) is layered over
    the CommonMark reader; a reader of another kind, set by ``READERS`` or
    another plugin, is left in place with a warning, and an extension
    switched off (``READERS = {"md": None}``) stays off."""
    if markdown_setting(readers.settings) != COMMONMARK:
        return
    for ext in MARKDOWN_EXTENSIONS:
        current = readers.reader_classes.get(ext, MarkdownReader)
        if current is None or issubclass(current, CommonMarkReader):
            continue
        if current is MarkdownReader:
            readers.reader_classes[ext] = CommonMarkReader
        elif isinstance(current, type) and issubclass(current, MarkdownReader):
            readers.reader_classes[ext] = _layered(current)
        else:
            logger.warning(
                "fastbuild: FASTBUILD_MARKDOWN = 'commonmark' leaves .%s files "
                "to %s, set by READERS or another plugin",
                ext,
                getattr(current, "__name__", repr(current)),
            )
