from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from cx_digest.editions import build_editions, choose_lead, edition_day, story_order
from cx_digest.model import Curation, Link, Role
from cx_digest.report import Report, StrictModeError
from cx_digest.settings import load
from support import SHANGHAI, make_story

SETTINGS = load(
    {
        "SITEURL": "https://news.example",
        "TIMEZONE": "Asia/Shanghai",
        "CX_DIGEST_SECTIONS": [
            {"key": "policy", "title": "Policy", "categories": ["Economy"]},
            {"key": "business", "title": "Business", "categories": ["Companies"]},
        ],
    }
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


class TestEditionDay:
    def test_local_calendar_day(self) -> None:
        assert edition_day(at(18, 0, 0), SHANGHAI, time(0)) == date(2026, 11, 18)
        assert edition_day(at(18, 23, 59), SHANGHAI, time(0)) == date(2026, 11, 18)

    def test_offset_is_converted_before_taking_the_day(self) -> None:
        # 23:30 UTC on the 17th is 07:30 on the 18th in Shanghai.
        moment = datetime(2026, 11, 17, 23, 30, tzinfo=UTC)
        assert edition_day(moment, SHANGHAI, time(0)) == date(2026, 11, 18)
        minus5 = datetime(2026, 11, 18, 20, 0, tzinfo=timezone(timedelta(hours=-5)))
        assert edition_day(minus5, SHANGHAI, time(0)) == date(2026, 11, 19)

    def test_day_starts_shifts_early_stories_to_previous_edition(self) -> None:
        six = time(6, 0)
        assert edition_day(at(18, 5, 59), SHANGHAI, six) == date(2026, 11, 17)
        assert edition_day(at(18, 6, 0), SHANGHAI, six) == date(2026, 11, 18)

    @pytest.mark.parametrize(
        ("utc", "expected"),
        [
            # New York, DST ends 2026-11-01 at 02:00 local (06:00 UTC).
            (datetime(2026, 11, 1, 5, 30, tzinfo=UTC), date(2026, 11, 1)),
            (datetime(2026, 11, 1, 3, 59, tzinfo=UTC), date(2026, 10, 31)),
            (datetime(2026, 3, 8, 7, 0, tzinfo=UTC), date(2026, 3, 8)),
        ],
    )
    def test_dst_zone(self, utc: datetime, expected: date) -> None:
        assert edition_day(utc, ZoneInfo("America/New_York"), time(0)) == expected


class TestOrdering:
    def test_section_then_order_then_time_then_slug(self) -> None:
        index = {"policy": 0, "business": 1}
        stories = [
            make_story("b-late", section="business", date=at(18, 7)),
            make_story("p-noorder-early", section="policy", date=at(18, 6)),
            make_story("p-order-2", section="policy", order=2, date=at(18, 5)),
            make_story("p-order-1", section="policy", order=1, date=at(18, 9)),
            make_story("p-tie-b", section="policy", date=at(18, 8)),
            make_story("p-tie-a", section="policy", date=at(18, 8)),
        ]
        ordered = sorted(stories, key=story_order(index))
        assert [s.slug for s in ordered] == [
            "p-order-1",
            "p-order-2",
            "p-noorder-early",
            "p-tie-a",
            "p-tie-b",
            "b-late",
        ]


class TestLead:
    def test_curated_lead_wins(self) -> None:
        marked = make_story("marked", role=Role.LEAD)
        chosen = make_story("chosen")
        cur = Curation(date(2026, 11, 18), "digests/2026-11-18.md", lead="chosen")
        report = Report()
        assert (
            choose_lead(date(2026, 11, 18), [marked, chosen], cur, {}, report) is chosen
        )
        assert report.problems == []

    def test_marked_lead_else_first_story(self) -> None:
        first = make_story("first")
        marked = make_story("marked", role=Role.LEAD)
        quick = make_story("quick", role=Role.QUICK_HIT)
        report = Report()
        assert (
            choose_lead(date(2026, 11, 18), [first, marked], None, {}, report) is marked
        )
        assert (
            choose_lead(date(2026, 11, 18), [quick, first], None, {}, report) is first
        )
        assert choose_lead(date(2026, 11, 18), [quick], None, {}, report) is None

    def test_two_marked_leads_warn_once_naming_the_second(self) -> None:
        a = make_story("a", role=Role.LEAD)
        b = make_story("b", role=Role.LEAD)
        report = Report()
        assert choose_lead(date(2026, 11, 18), [a, b], None, {}, report) is a
        assert [(p.source, p.key, p.value) for p in report.problems] == [
            ("stories/b.md", "Digest", "lead")
        ]

    def test_lead_from_another_day_warns(self) -> None:
        a = make_story("a")
        cur = Curation(date(2026, 11, 18), "digests/2026-11-18.md", lead="old")
        report = Report()
        lead = choose_lead(
            date(2026, 11, 18), [a], cur, {"old": date(2026, 11, 17)}, report
        )
        assert lead is a
        (problem,) = report.problems
        assert problem.key == "Lead"
        assert problem.value == "old"
        assert "2026-11-17" in problem.reason


class TestBuild:
    def test_groups_orders_and_links_neighbours(self) -> None:
        stories = [
            make_story("d1-a", date=at(17, 9), section="policy"),
            make_story("d2-lead", date=at(18, 8), role=Role.LEAD, section="policy"),
            make_story(
                "d2-b", date=at(18, 7), category="Companies", section="business"
            ),
            make_story("d2-q", date=at(18, 10), role=Role.QUICK_HIT, section="policy"),
            make_story("d2-photo", date=at(18, 11), role=Role.PHOTO, section="policy"),
            make_story("d2-none", date=at(18, 23), role=Role.NONE, section="policy"),
        ]
        editions = build_editions(stories, {}, SETTINGS, Report())
        assert [e.day for e in editions] == [date(2026, 11, 17), date(2026, 11, 18)]
        first, second = editions
        assert first.next is not None
        assert first.next.url == "digest/2026/11/18/"
        assert second.previous is not None
        assert second.previous.day == date(2026, 11, 17)
        assert second.lead is not None
        assert second.lead.slug == "d2-lead"
        assert second.title == "CX Daily: D2 Lead"
        assert [s.slug for s in second.stories] == [
            "d2-lead",
            "d2-q",
            "d2-b",
            "d2-photo",
        ]
        assert [sec.key for sec in second.sections] == ["policy", "business"]
        assert [s.slug for s in second.sections[0].quick_hits] == ["d2-q"]
        # Digest: none is left out, and so does not set the stamp either.
        assert second.stamp == at(18, 11)

    def test_curation_stamp_title_and_hot_topics(self) -> None:
        stories = [make_story("a", section="policy")]
        cur = Curation(
            date(2026, 11, 18),
            "digests/2026-11-18.md",
            stamp=at(18, 10, 20),
            title="Special edition",
            hot_topics=(Link("Floods", "tag/floods/"),),
            note_html="<p>Note</p>",
        )
        (edition,) = build_editions(stories, {cur.day: cur}, SETTINGS, Report())
        assert edition.title == "Special edition"
        assert edition.stamp == at(18, 10, 20)
        assert edition.hot_topics == (Link("Floods", "tag/floods/"),)
        assert edition.note_html == "<p>Note</p>"

    def test_edition_file_without_stories_warns(self) -> None:
        cur = Curation(date(2026, 11, 20), "digests/2026-11-20.md")
        report = Report()
        editions = build_editions(
            [make_story("a", section="policy")], {cur.day: cur}, SETTINGS, report
        )
        assert len(editions) == 1
        assert [(p.source, p.key, p.value) for p in report.problems] == [
            ("digests/2026-11-20.md", "Date", "2026-11-20")
        ]
        with pytest.raises(StrictModeError, match="2026-11-20"):
            report.raise_if_strict(True)

    def test_only_quick_hits_title_uses_first_headline(self) -> None:
        stories = [make_story("quick-one", role=Role.QUICK_HIT, section="policy")]
        (edition,) = build_editions(stories, {}, SETTINGS, Report())
        assert edition.lead is None
        assert edition.title == "CX Daily: Quick One"
        assert [s.slug for s in edition.stories] == ["quick-one"]

    def test_empty(self) -> None:
        assert build_editions([], {}, SETTINGS, Report()) == []
