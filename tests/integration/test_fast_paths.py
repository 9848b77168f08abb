"""The shortcuts taken for speed (issue 7) give what the slow paths gave.

Repeated keys: only the files Pelican flagged while reading are re-read,
also in a build from Pelican's content cache. Page metadata: the tags
``Meta.head_html`` prints are those the Jinja partial used to print.
Share links: each value quoted once, same query strings as ``urlencode``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment
from markupsafe import Markup

from cx_digest import adapters, seo
from support import run_pelican, story_file

DAY = "2026-11-18"


def _files() -> dict[str, str]:
    return {
        "stories/lead.md": story_file(
            "Lead of the day", f"{DAY} 08:00", "Economy", digest="lead"
        ),
        "stories/clean.md": story_file("A clean story", f"{DAY} 09:00"),
        "stories/twice.md": (
            f"Title: Dated twice\nDate: {DAY} 10:00\nDate: 2026-11-19 10:00\n"
            "Category: Economy\n\nBody.\n"
        ),
    }


def _checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every file the adapter re-reads for repeated keys."""
    seen: list[str] = []
    original = adapters.repeated_pelican_keys

    def spy(path: str) -> dict[str, list[str]]:
        seen.append(Path(path).name)
        return original(path)

    monkeypatch.setattr(adapters, "repeated_pelican_keys", spy)
    return seen


def _repeat_warnings(site: Any) -> list[str]:
    return [w for w in site.warnings if "given more than once" in w]


def test_only_flagged_files_are_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _checked(monkeypatch)
    site = run_pelican(tmp_path / "site", _files())
    assert seen == ["twice.md"]
    assert _repeat_warnings(site) == [
        f"cx_digest: stories/twice.md: Date '{DAY} 10:00 | 2026-11-19 10:00': "
        "given more than once; using the first value"
    ]


def test_repeated_key_still_reported_from_the_content_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "site"
    cache = {
        "CACHE_CONTENT": True,
        "LOAD_CONTENT_CACHE": True,
        "CACHE_PATH": str(root / "cache"),
    }
    first = run_pelican(root, _files(), **cache)
    assert len(_repeat_warnings(first)) == 1
    seen = _checked(monkeypatch)
    # Nothing changed: Pelican reads every story from its cache and logs
    # nothing, the repeat is still reported (the file flagged last time).
    warm = run_pelican(root, {}, **cache)
    assert _repeat_warnings(warm) == _repeat_warnings(first)
    assert seen == ["twice.md"]
    # Fixed: Pelican reads the file again, nothing is reported any more.
    twice = root / "content" / "stories" / "twice.md"
    stat = twice.stat()
    twice.write_text(
        f"Title: Dated twice\nDate: {DAY} 10:00\nCategory: Economy\n\nBody.\n",
        encoding="utf-8",
    )
    os.utime(twice, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    fixed = run_pelican(root, {}, **cache)
    assert _repeat_warnings(fixed) == []
    # and the next warm build does not bring it back
    assert _repeat_warnings(run_pelican(root, {}, **cache)) == []


def test_without_the_watch_every_file_is_checked(tmp_path: Path) -> None:
    """The adapter alone (no flagged set) still finds repeats in any file."""
    content = tmp_path / "content"
    (content / "stories").mkdir(parents=True)
    path = content / "stories" / "x.md"
    path.write_text(_files()["stories/twice.md"], encoding="utf-8")
    assert adapters.repeated_pelican_keys(str(path)) == {
        "date": [f"{DAY} 10:00", "2026-11-19 10:00"]
    }


# -- page metadata -------------------------------------------------------------

# The partial as it was before Meta.head_html(), kept as the reference.
_OLD_META_HTML = """{% if meta %}
  <link rel="canonical" href="{{ meta.canonical|e }}">
  <meta name="description" content="{{ meta.description|e }}">
  <meta property="og:site_name" content="{{ meta.site_name|e }}">
  <meta property="og:locale" content="{{ meta.locale|e }}">
  <meta property="og:type" content="{{ meta.og_type|e }}">
  <meta property="og:title" content="{{ meta.title|e }}">
  <meta property="og:description" content="{{ meta.description|e }}">
  <meta property="og:url" content="{{ meta.canonical|e }}">
  {% if meta.image %}
  <meta property="og:image" content="{{ meta.image.url|e }}">
  {% if meta.image.type %}
  <meta property="og:image:type" content="{{ meta.image.type|e }}">
  {% endif %}
  {% if meta.image.width and meta.image.height %}
  <meta property="og:image:width" content="{{ meta.image.width }}">
  <meta property="og:image:height" content="{{ meta.image.height }}">
  {% endif %}
  <meta property="og:image:alt" content="{{ meta.image.alt|e }}">
  {% endif %}
  {% if meta.published %}
  <meta property="article:published_time" content="{{ meta.published|e }}">
  {% endif %}
  {% if meta.modified %}
  <meta property="article:modified_time" content="{{ meta.modified|e }}">
  {% endif %}
  {% if meta.section %}
  <meta property="article:section" content="{{ meta.section|e }}">
  {% endif %}
  {% for tag in meta.tags %}
  <meta property="article:tag" content="{{ tag|e }}">
  {% endfor %}
  <meta name="twitter:card" content="{{ meta.twitter_card|e }}">
  <meta name="twitter:title" content="{{ meta.title|e }}">
  <meta name="twitter:description" content="{{ meta.description|e }}">
  {% if meta.image %}
  <meta name="twitter:image" content="{{ meta.image.url|e }}">
  <meta name="twitter:image:alt" content="{{ meta.image.alt|e }}">
  {% endif %}
  {{ meta.json_ld }}
{% endif %}
"""

_NEW_META_HTML = (
    Path(__file__).resolve().parents[2] / "theme/templates/partials/meta.html"
).read_text(encoding="utf-8")

_HOSTILE = "Fish & \"chips\" <b>'n'</b> </script><!-- \u2028"


@pytest.mark.parametrize(
    "meta",
    [
        seo.Meta("T", "D", "https://x.example/", "website", "S", "en_US"),
        seo.Meta(
            _HOSTILE,
            _HOSTILE,
            "https://x.example/a?b=1&c=<2>",
            "article",
            _HOSTILE,
            "zh_CN",
            image=seo.MetaImage("https://x.example/i.jpg?a&b", _HOSTILE, 640, 480),
            published="2026-11-18T08:00:00+08:00",
            modified="2026-11-18T09:00:00+08:00",
            section=_HOSTILE,
            tags=("Floods", _HOSTILE, "Sugar & salt"),
            twitter_card="summary_large_image",
            json_ld=seo.json_ld({"headline": _HOSTILE}),
        ),
        seo.Meta(
            "T",
            "D",
            "https://x.example/",
            "article",
            "S",
            "en",
            image=seo.MetaImage(
                "https://x.example/i.png", "alt", None, 10, "image/png"
            ),
            published="2026-11-18T08:00:00+08:00",
        ),
    ],
)
def test_meta_partial_prints_what_the_jinja_partial_printed(meta: seo.Meta) -> None:
    env = Environment(trim_blocks=True, lstrip_blocks=True)
    old = env.from_string(_OLD_META_HTML).render(meta=meta)
    new = env.from_string(_NEW_META_HTML).render(meta=meta)
    assert new == old
    assert "<b>" not in new.replace(str(meta.json_ld), "")
    assert env.from_string(_NEW_META_HTML).render(meta=None) == ""
    assert isinstance(meta.head_html(), Markup)


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("https://x.example/2026/11/18/a/", "Plain title"),
        ("https://x.example/a?b=1&c=d#e", _HOSTILE + "  \t 中文 / ?&=+%"),
        ("https://x.example/", ""),
    ],
)
def test_share_links_quote_as_urlencode(url: str, title: str) -> None:
    one = seo._one_line(title)
    expected = [
        "mailto:?" + seo._query({"subject": one, "body": f"{one}\r\n{url}"}),
        "https://twitter.com/intent/tweet?" + seo._query({"text": one, "url": url}),
        "https://www.linkedin.com/sharing/share-offsite/?" + seo._query({"url": url}),
        "https://service.weibo.com/share/share.php?"
        + seo._query({"url": url, "title": one}),
    ]
    assert [link.href for link in seo.share_links(url, title)] == expected
