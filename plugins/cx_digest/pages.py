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

from pelican.plugins.fastbuild import depends_on_file

HEAD_KEY = "cx_head_html"
_HEAD_END = re.compile(r"</head\s*>|<body[\s>]", re.IGNORECASE)
STATIC = Path(__file__).parent / "static"


class DigestPage:
    """A page template whose ``cx_head`` block (metadata, stylesheet, feed
    links) the theme places with its ``head`` block; a theme without one
    gets the block before ``</head>`` instead."""

    def __init__(self, template: Template) -> None:
        self.template = template

    def render(self, context: Mapping[str, Any]) -> str:
        block = self.template.blocks.get("cx_head")
        if block is None:
            return self.template.render(context)
        # Rendered once; digest/_layout.html places it in the theme's head.
        rendered = "".join(block(self.template.new_context(dict(context))))
        page = self.template.render({**context, HEAD_KEY: rendered})
        head = rendered.strip()
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
        depends_on_file(self.path)
        return self.path.read_text(encoding="utf-8")
