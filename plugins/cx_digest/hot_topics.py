"""Hot Topics: the most-used tags of the trailing days, in one linear pass.

Ranking (documented in the plugin README): more stories first; on a tie,
the tag used most recently first; then the tag name, case-folded, A to Z;
then the name as written. Only tags carried by at least ``min_stories``
stories of the window count.
"""

from __future__ import annotations

import heapq
from collections import Counter, deque
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta

from .model import Link, Story, days_before


def rank(
    counts: Mapping[str, int],
    latest: Mapping[str, datetime],
    names: Mapping[str, Link],
    count: int,
    min_stories: int,
) -> tuple[Link, ...]:
    """The top ``count`` tags by the documented order."""
    eligible = (key for key, n in counts.items() if n >= min_stories)
    top = heapq.nsmallest(
        count,
        eligible,
        key=lambda key: (
            -counts[key],
            -latest[key].timestamp(),
            key,
            names[key].label,
        ),
    )
    return tuple(names[key] for key in top)


def trailing_hot_topics(
    days: Sequence[tuple[date, Iterable[Story]]],
    window_days: int,
    count: int,
    min_stories: int,
) -> dict[date, tuple[Link, ...]]:
    """Hot topics for each day, from the ``window_days`` calendar days ending it.

    ``days`` must be sorted by day. Counts slide with the window, so the
    whole archive costs one pass plus a small ranking per day.
    """
    result: dict[date, tuple[Link, ...]] = {}
    counts: Counter[str] = Counter()
    latest: dict[str, datetime] = {}
    names: dict[str, Link] = {}
    window: deque[tuple[date, list[tuple[str, datetime]]]] = deque()
    span = timedelta(days=window_days - 1)
    for day, stories in days:
        uses: list[tuple[str, datetime]] = []
        for story in stories:
            for tag in story.tags:
                key = tag.label.casefold()
                names.setdefault(key, tag)
                uses.append((key, story.date))
        window.append((day, uses))
        for key, when in uses:
            counts[key] += 1
            if key not in latest or when > latest[key]:
                latest[key] = when
        while window and window[0][0] < days_before(day, span.days):
            _, old = window.popleft()
            for key, _when in old:
                counts[key] -= 1
                if counts[key] == 0:
                    del counts[key]
                    del latest[key]
        result[day] = rank(counts, latest, names, count, min_stories)
    return result
