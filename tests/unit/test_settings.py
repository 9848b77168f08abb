from collections import Counter
from datetime import time
from typing import Any

import pytest

from cx_digest.settings import SettingsError, load

BASE = {"SITEURL": "https://news.example", "TIMEZONE": "Asia/Shanghai"}


def test_defaults_load() -> None:
    s = load(BASE)
    assert s.day_starts == time(0, 0)
    assert s.public_url == "https://news.example"
    assert s.sections[0].key == "main"
    assert s.url.format(date=__import__("datetime").date(2021, 7, 29)) == (
        "digest/2021/07/29/"
    )


def test_public_url_prefers_explicit_setting() -> None:
    s = load({**BASE, "SITEURL": "", "CX_DIGEST_PUBLIC_URL": "https://x.example/"})
    assert s.public_url == "https://x.example"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("CX_DIGEST_DAY_STARTS", "6am"),
        ("CX_DIGEST_DAY_STARTS", "24:00"),
        ("CX_DIGEST_SECTIONS", []),
        ("CX_DIGEST_SECTIONS", [{"key": "a b"}]),
        ("CX_DIGEST_SECTIONS", [{"key": "a"}, {"key": "A"}]),
        ("CX_DIGEST_SECTIONS", [{"key": "a", "categories": "Economy"}]),
        ("CX_DIGEST_HOT_TOPICS_DAYS", 0),
        ("CX_DIGEST_HOT_TOPICS_COUNT", "3"),
        ("CX_DIGEST_STRICT", "yes"),
        ("CX_DIGEST_URL", "digest/{day}/"),
        ("CX_DIGEST_URL", "/digest/{date:%Y}/"),
        ("CX_DIGEST_TITLE", "{name}: {headline}"),
        ("CX_DIGEST_SUBSCRIBE_URL", "javascript:alert(1)"),
        ("CX_DIGEST_ARCHIVE_PER_PAGE", 0),
        ("CX_DIGEST_TYPO_KEY", 1),
    ],
)
def test_bad_values_name_the_setting(key: str, value: object) -> None:
    with pytest.raises(SettingsError, match=key):
        load({**BASE, key: value})


def test_missing_public_url_is_explained() -> None:
    with pytest.raises(SettingsError, match="CX_DIGEST_PUBLIC_URL"):
        load({"SITEURL": "", "TIMEZONE": "UTC"})


def test_section_lookup() -> None:
    s = load(
        {
            **BASE,
            "CX_DIGEST_SECTIONS": [
                {"key": "policy", "title": "Policy", "categories": ["Economy"]},
                {"key": "biz", "categories": ["Companies"]},
            ],
        }
    )
    assert s.section_for_category("economy").key == "policy"
    assert s.section_for_category("Companies").key == "biz"
    assert s.section_for_category("Sport").key == "policy"
    assert s.section_by_key(" BIZ ").key == "biz"
    assert s.section_by_key("nope") is None


def test_stamp_format_refuses_the_locales_own_formats() -> None:
    for fmt in ("%c", "%x", "%b %X"):
        with pytest.raises(SettingsError, match="CX_DIGEST_STAMP_FORMAT"):
            load({**BASE, "CX_DIGEST_STAMP_FORMAT": fmt})
    assert load({**BASE, "CX_DIGEST_STAMP_FORMAT": "100%% %b"}).stamp_format == (
        "100%% %b"
    )


class Counting(dict[str, Any]):
    """A settings mapping that counts the look-ups of each key."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.reads: Counter[str] = Counter()

    def __getitem__(self, key: str) -> Any:
        self.reads[key] += 1
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.reads[key] += 1
        return super().get(key, default)


def test_pelican_values_are_read_once() -> None:
    pelican_keys = {"SITENAME", "AUTHOR", "DEFAULT_LANG", "SITESUBTITLE", "TIMEZONE"}
    settings = Counting(
        {**BASE, "SITENAME": "Site\x01", "AUTHOR": "Desk", "DEFAULT_LANG": "zh"}
    )
    s = load(settings)
    assert {k: n for k, n in settings.reads.items() if n > 1} == {}
    assert pelican_keys <= set(settings.reads)
    assert (s.site_name, s.author, s.language, s.host) == (
        "Site",
        "Desk",
        "zh",
        "news.example",
    )
    assert s.absolute("tag/中/") == "https://news.example/tag/%E4%B8%AD/"
