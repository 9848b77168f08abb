from datetime import date, datetime, timedelta

from cx_digest.hot_topics import trailing_hot_topics
from cx_digest.model import Link
from support import SHANGHAI, make_story


def day(n: int) -> date:
    return date(2026, 11, 1) + timedelta(days=n)


def story(n: int, hour: int, *tags: str):
    when = datetime(2026, 11, 1, hour, tzinfo=SHANGHAI) + timedelta(days=n)
    return make_story(f"s{n}-{hour}-{'-'.join(tags)}", date=when, tags=list(tags))


def labels(result: tuple[Link, ...]) -> list[str]:
    return [link.label for link in result]


def test_counts_the_trailing_window_only() -> None:
    days = [
        (day(0), [story(0, 9, "old"), story(0, 10, "old"), story(0, 11, "old")]),
        (day(7), [story(7, 9, "fresh"), story(7, 10, "fresh")]),
    ]
    result = trailing_hot_topics(days, window_days=7, count=3, min_stories=2)
    assert labels(result[day(0)]) == ["old"]
    # day 0 is outside the 7 days ending on day 7 (days 1..7)
    assert labels(result[day(7)]) == ["fresh"]


def test_ties_break_by_recency_then_name() -> None:
    days = [
        (
            day(0),
            [
                story(0, 8, "beta", "alpha", "gamma"),
                story(0, 9, "beta", "alpha"),
                story(0, 12, "gamma"),
            ],
        )
    ]
    result = trailing_hot_topics(days, window_days=7, count=3, min_stories=2)
    # all three have 2 stories; gamma used last (12:00); alpha < beta by name.
    assert labels(result[day(0)]) == ["gamma", "alpha", "beta"]


def test_case_insensitive_and_min_stories() -> None:
    days = [(day(0), [story(0, 8, "Floods"), story(0, 9, "floods"), story(0, 10, "x")])]
    result = trailing_hot_topics(days, window_days=7, count=3, min_stories=2)
    assert labels(result[day(0)]) == ["Floods"]
    result = trailing_hot_topics(days, window_days=7, count=3, min_stories=1)
    assert labels(result[day(0)]) == ["Floods", "x"]


def test_count_limits_and_zero() -> None:
    days = [(day(0), [story(0, h, f"t{h}") for h in range(8, 14)])]
    assert len(trailing_hot_topics(days, 7, 3, 1)[day(0)]) == 3
    assert trailing_hot_topics(days, 7, 0, 1)[day(0)] == ()


def test_sliding_matches_recount() -> None:
    import random

    rng = random.Random(7)
    tags = ["a", "b", "c", "d", "e"]
    days = [
        (
            day(n),
            [
                story(n, h, *rng.sample(tags, rng.randint(0, 2)))
                for h in range(8, 8 + rng.randint(0, 5))
            ],
        )
        for n in range(0, 40, rng.choice([1, 1, 2]))
    ]
    result = trailing_hot_topics(days, 5, 3, 1)
    for current, _ in days:
        window = [
            s
            for d, ss in days
            if current - timedelta(days=4) <= d <= current
            for s in ss
        ]
        fresh = trailing_hot_topics([(current, window)], 5, 3, 1)[current]
        assert result[current] == fresh
