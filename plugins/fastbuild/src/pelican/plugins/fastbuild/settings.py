"""The settings of pelican-fastbuild: ``FASTBUILD_WORKERS``, how many
processes a build may use, and ``FASTBUILD_MARKDOWN``, which reader reads
Markdown.

Public (exported by the package) so that a plugin building on the engine can
check or document the setting the same way::

    from pelican.plugins.fastbuild import WORKERS_SETTING, validate_workers

``workers_setting(settings)`` and ``markdown_setting(settings)`` read the
value from a Pelican settings mapping (the default when the key is absent)
and validate it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from . import cmark_html

__all__ = [
    "COMMONMARK",
    "MARKDOWN_CHOICES",
    "MARKDOWN_SETTING",
    "PYTHON_MARKDOWN",
    "WORKERS_SETTING",
    "MarkdownSettingError",
    "WorkersSettingError",
    "default_workers",
    "markdown_setting",
    "validate_workers",
    "workers_setting",
]

WORKERS_SETTING = "FASTBUILD_WORKERS"


class WorkersSettingError(ValueError):
    """``FASTBUILD_WORKERS`` has a value that is not an integer >= 1."""


def default_workers() -> int:
    """The number of CPUs this process may run on (at least 1).

    ``os.sched_getaffinity`` honours CPU pinning (taskset, cgroups cpusets);
    where it does not exist, ``os.cpu_count()`` is the best guess.
    """
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        count = os.cpu_count() or 1
    return max(1, count)


def validate_workers(value: Any) -> int:
    """Return ``value`` if it is an int >= 1 (a bool is not), else raise.

    :raises WorkersSettingError: naming the setting and the value.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    raise WorkersSettingError(
        f"fastbuild: setting {WORKERS_SETTING} = {value!r} is invalid: "
        "expected an integer >= 1"
    )


def workers_setting(settings: Mapping[str, Any]) -> int:
    """The validated worker count of a build (the CPU count when unset)."""
    if WORKERS_SETTING not in settings:
        return default_workers()
    return validate_workers(settings[WORKERS_SETTING])


MARKDOWN_SETTING = "FASTBUILD_MARKDOWN"
PYTHON_MARKDOWN = "markdown"
COMMONMARK = "commonmark"
MARKDOWN_CHOICES = (PYTHON_MARKDOWN, COMMONMARK)


class MarkdownSettingError(ValueError):
    """``FASTBUILD_MARKDOWN`` names no reader, or one that is not installed."""


def markdown_setting(settings: Mapping[str, Any]) -> str:
    """The validated Markdown reader of a build: ``"markdown"`` (Pelican's
    own, the default) or ``"commonmark"`` (needs the ``commonmark`` extra).

    :raises MarkdownSettingError: naming the setting and the value.
    """
    value = settings.get(MARKDOWN_SETTING, PYTHON_MARKDOWN)
    if value not in MARKDOWN_CHOICES:
        raise MarkdownSettingError(
            f"fastbuild: setting {MARKDOWN_SETTING} = {value!r} is invalid: "
            f"expected one of {', '.join(map(repr, MARKDOWN_CHOICES))}"
        )
    if value == COMMONMARK and not cmark_html.available():
        raise MarkdownSettingError(
            f"fastbuild: setting {MARKDOWN_SETTING} = {value!r} needs cmarkgfm: "
            f"{cmark_html.INSTALL}"
        )
    return value
