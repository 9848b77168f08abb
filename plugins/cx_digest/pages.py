"""The page objects the generator hands to Pelican's writer.

Pelican's writer calls ``render(context)`` on what it is given as a
template. :class:`DigestPage` wraps the plugin's page templates so that
their head tags reach the page whatever blocks the theme's ``base.html``
has; :class:`FileCopy` writes one of the plugin's static files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Template

_HEAD_END = re.compile(r"</head\s*>|<body[\s>]", re.IGNORECASE)
STATIC = Path(__file__).parent / "static"


class DigestPage:
    """A page template whose ``cx_head`` block (metadata, stylesheet, feed
    links) the theme places with its ``head`` block; a theme without one
    gets the block before ``</head>`` instead."""

    def __init__(self, template: Template) -> None:
        self.template = template

    def render(self, context: Mapping[str, Any]) -> str:
        page = self.template.render(context)
        block = self.template.blocks.get("cx_head")
        if block is None:
            return page
        head = "".join(block(self.template.new_context(dict(context)))).strip()
        if not head or head in page:
            return page
        end = _HEAD_END.search(page)
        at = end.start() if end else 0
        return f"{page[:at]}{head}\n{page[at:]}"


class FileCopy:
    """One of the plugin's static files, written as it is."""

    def __init__(self, name: str) -> None:
        self.path = STATIC / name

    def render(self, context: Mapping[str, Any] | None = None) -> str:
        return self.path.read_text(encoding="utf-8")
