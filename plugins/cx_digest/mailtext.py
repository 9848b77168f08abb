"""The email's plain-text twin: HTML to wrapped text, and line wrapping.

Cleaned HTML (:func:`cx_digest.markup.clean`) is read with lxml: paragraphs
become blank-line separated blocks, list items ``- `` lines with a hanging
indent, links ``text <url>`` (the bare URL when the text is the URL), images
``[alt]``. Lines are filled greedily by :func:`wrap`, which never breaks a
word, so no URL is broken either.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from .markup import BLOCKS, SKIPPED, line_of, parse, text_nodes

TEXT_WIDTH = 72


def wrap(
    text: str, width: int = TEXT_WIDTH, indent: str = "", rest: str | None = None
) -> str:
    """One paragraph filled into lines of at most ``width`` characters: the
    first line starts with ``indent``, the others with ``rest`` (``indent``
    when None); words are separated by one space and each line takes as many
    words as fit. A word too long for any line (a URL) has a line of its
    own and stays whole. Empty (no indent) for text with no words."""
    words = text.split()
    if not words:
        return ""
    rest = indent if rest is None else rest
    lines: list[str] = []
    line: list[str] = [indent, words[0]]
    used = len(indent) + len(words[0])
    for word in words[1:]:
        if used + 1 + len(word) <= width:
            line += (" ", word)
            used += 1 + len(word)
        else:
            lines.append("".join(line))
            line = [rest, word]
            used = len(rest) + len(word)
    lines.append("".join(line))
    return "\n".join(lines)


@dataclass
class _Block:
    item: bool  # a list item
    lines: list[list[str]] = field(default_factory=lambda: [[]])


class _Text:
    """Blocks of text lines, filled in document order."""

    def __init__(self) -> None:
        self.blocks: list[_Block] = []

    def start(self, item: bool = False) -> None:
        self.blocks.append(_Block(item))

    def add(self, text: str) -> None:
        if not self.blocks:
            self.start()
        self.blocks[-1].lines[-1].append(text)

    def line_break(self) -> None:
        self.add("")
        self.blocks[-1].lines.append([])

    def walk(self, element: etree._Element, in_item: bool) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag and tag not in SKIPPED:
            if tag == "a":
                self.add(_link(element))
            elif tag == "img":
                self.add("".join(text_nodes(element)).strip())
            elif tag == "br":
                self.line_break()
            elif tag == "li":
                self.start(item=True)
                self.children(element, in_item=True)
                self.start()
            elif tag in BLOCKS and not (tag == "p" and in_item):
                self.start()
                self.children(element, in_item)
                self.start()
            else:
                self.children(element, in_item)
        if element.tail:
            self.add(element.tail)

    def children(self, element: etree._Element, in_item: bool) -> None:
        if element.text and isinstance(element.tag, str):
            self.add(element.text)
        for child in element:
            self.walk(child, in_item)

    def fill(self, width: int, indent: str) -> str:
        pieces: list[str] = []
        previous_item = False
        for block in self.blocks:
            lines = [" ".join("".join(line).split()) for line in block.lines]
            lines = [line for line in lines if line]
            if not lines:
                continue
            if block.item:
                first, rest = indent + "- ", indent + "  "
                text = "\n".join(
                    wrap(line, width, first if n == 0 else rest, rest)
                    for n, line in enumerate(lines)
                )
            else:
                text = "\n".join(wrap(line, width, indent) for line in lines)
            if pieces:
                # The items of a list stay on adjacent lines; other blocks
                # are set apart by a blank line.
                pieces.append("\n" if block.item and previous_item else "\n\n")
            pieces.append(text)
            previous_item = block.item
        return "".join(pieces)


def _link(element: etree._Element) -> str:
    label = " ".join("".join(text_nodes(element)).split())
    href = (element.get("href") or "").strip()
    if href and not href.startswith("#"):
        return f"<{href}>" if label in ("", href) else f"{label} <{href}>"
    return label


def html_to_text(fragment: str, width: int = TEXT_WIDTH, indent: str = "") -> str:
    """An HTML fragment as wrapped plain-text paragraphs."""
    if not fragment or not fragment.strip():
        return ""
    return tree_to_text(parse(fragment), width, indent)


def tree_to_text(
    container: etree._Element, width: int = TEXT_WIDTH, indent: str = ""
) -> str:
    """A parsed fragment (:func:`cx_digest.markup.parse`) as wrapped
    plain-text paragraphs."""
    text = _Text()
    text.children(container, in_item=False)
    return text.fill(width, indent)


def summary_texts(fragment: str) -> tuple[str, str]:
    """A cleaned summary's texts from one parse: one line of plain text
    (descriptions, feeds, the preheader) and the email's wrapped text twin
    (what :func:`html_to_text` makes of it)."""
    if not fragment or not fragment.strip():
        return "", ""
    container = parse(fragment)
    return line_of(container), tree_to_text(container)
