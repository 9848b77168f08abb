"""Dates before a zone's standard time: offsets of whole minutes in every
output, as RFC 3339 and RFC 5322 require (Asia/Shanghai's local mean time
is +08:05:43 until 1901)."""

from __future__ import annotations

import email
import json
import re
from collections.abc import Callable
from email import policy

import feedparser

from support import Site, story_file

Build = Callable[..., Site]
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
RFC5322_ZONE = re.compile(r" [+-]\d{4}$")


def test_a_story_of_1899_has_valid_dates_everywhere(build_site: Build) -> None:
    site = build_site(
        {"stories/victorian.md": story_file("Victorian story", "1899-12-31 12:00")},
        TIMEZONE="Asia/Shanghai",
    )
    assert site.warnings == []
    stamps = [
        t["datetime"]
        for rel in ("1899/12/31/victorian/", "digest/1899/12/31/")
        for t in site.html(rel).find_all("time")
    ]
    stamps += [
        m["content"]
        for m in site.html("1899/12/31/victorian/").find_all("meta")
        if m.get("property", "").endswith("_time")
    ]
    atom = site.path("feeds/digest.atom.xml").read_text(encoding="utf-8")
    stamps += re.findall(r"<(?:published|updated)>([^<]+)<", atom)
    feed = json.loads(site.path("feeds/digest.json").read_text(encoding="utf-8"))
    stamps += [item["date_published"] for item in feed["items"]]
    sitemap = site.path("sitemap.xml").read_text(encoding="utf-8")
    stamps += re.findall(r"<lastmod>([^<]+)<", sitemap)
    assert len(stamps) >= 8
    for stamp in stamps:
        assert RFC3339.match(stamp), stamp
    assert "1899-12-31T12:00:17+08:06" in stamps  # the same instant
    rss = feedparser.parse(site.path("feeds/digest.rss.xml").read_bytes())
    assert not rss.bozo
    assert RFC5322_ZONE.search(rss.entries[0].published)
    eml = site.path("digest/1899/12/31/email.eml").read_bytes()
    message = email.message_from_bytes(eml, policy=policy.default)
    assert RFC5322_ZONE.search(str(message["Date"]))
    assert message["Date"].datetime.utcoffset().total_seconds() % 60 == 0
