"""Linear-time translation grouping: Pelican's own function, one group at a time.

``ArticlesGenerator.generate_context`` (and ``PagesGenerator``'s) hands every
published story, then every hidden one and every draft, to Pelican's
``process_translations``. It sorts them by ``ARTICLE_TRANSLATION_ID`` (the
slug), picks the originals of each group of equal ids, and ends with one
filter over the whole build::

    translations = [x for x in content_list if x not in index]

where ``index`` is the plain list of every original: a list scan for every
story, O(N^2). Profiled in the main process of a full cx build, it took 12.6
of the 31 CPU-seconds of reading at 40,000 stories and most of the 400 at
100,000 (the scans stop fitting in the CPU caches).

Groups are independent: an item is an original or a translation only
relative to the items with the same id. :func:`process_translations_by_group`
sorts the list as Pelican does, then calls Pelican's own
``process_translations`` once per group and joins the results. The two lists
come out in the same order, every ``translations`` attribute is the same,
the list passed in is left sorted as Pelican leaves it, and the warnings are
Pelican's, logged in the same order. It calls Pelican's function as it is
whenever its shortcut does not hold: ``translation_id`` falsy, an item whose
class defines its own ``__eq__`` (``not in`` could then match across groups),
or a sort that fails (Pelican raises its own error).

:func:`install` makes ``pelican.generators`` use it while the engine is on
for a build: the name that module imported from ``pelican.utils`` is
rebound, and only while it is still Pelican's own function;
:func:`uninstall` binds Pelican's function again, and only while the name is
still this one. Tested with Pelican 4.12.0.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby
from operator import attrgetter
from typing import Any

import pelican.generators
from pelican.utils import process_translations as _pelican_process_translations

from .replacing import swap
from .taxonomy import by_identity

__all__ = ["install", "installed", "process_translations_by_group", "uninstall"]


def process_translations_by_group(
    content_list: list[Any], translation_id: str | Iterable[str] | None = "slug"
) -> tuple[list[Any], list[Any]]:
    """``pelican.utils.process_translations``, in O(N log N)."""
    if not translation_id or not all(by_identity(item) for item in content_list):
        return _pelican_process_translations(content_list, translation_id)
    try:
        names = (
            (translation_id,)
            if isinstance(translation_id, str)
            else tuple(translation_id)
        )
        key = attrgetter(*names)
        content_list.sort(key=key)
    except (TypeError, AttributeError):
        # Pelican sorts the same way and raises its own, clearer error.
        return _pelican_process_translations(content_list, translation_id)
    index: list[Any] = []
    translations: list[Any] = []
    for _, group in groupby(content_list, key):
        originals, others = _pelican_process_translations(list(group), translation_id)
        index.extend(originals)
        translations.extend(others)
    return index, translations


def install() -> None:
    """Have Pelican's generators group translations with the linear function."""
    swap(
        pelican.generators,
        "process_translations",
        _pelican_process_translations,
        process_translations_by_group,
    )


def uninstall() -> None:
    """Pelican's generators group translations with Pelican's function again."""
    swap(
        pelican.generators,
        "process_translations",
        process_translations_by_group,
        _pelican_process_translations,
    )


def installed() -> bool:
    return pelican.generators.process_translations is process_translations_by_group
