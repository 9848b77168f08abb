"""Incremental builds equal full builds, file for file and byte for byte.

Random sequences of edits (hypothesis) to a small digest site that uses
every story key and edition-file feature of the content model, and its
images, a template and a setting: after each edit an incremental build
(``FASTBUILD_INCREMENTAL``, state kept in its ``CACHE_PATH``) must leave
exactly the tree a fresh full build writes. Also with pelican-sitemap.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from incremental_site import CATEGORIES, DAYS, ROLES, TAGS, Site, story

from pbuild import tree
from support import ROOT

# -- edits -----------------------------------------------------------------------


def _stories(site: Site) -> list[str]:
    return sorted(p for p in site.files if p.startswith("stories/"))


def _set_key(text: str, key: str, value: str | None) -> str:
    head, _, body = text.partition("\n\n")
    lines = [line for line in head.splitlines() if not line.startswith(f"{key}:")]
    if value is not None:
        lines.append(f"{key}: {value}")
    return "\n".join(lines) + "\n\n" + body


def _key(text: str, key: str) -> str | None:
    for line in text.partition("\n\n")[0].splitlines():
        if line.startswith(f"{key}:"):
            return line.split(":", 1)[1].strip()
    return None


def _edit_story(
    site: Site, draw: Callable[..., Any], change: Callable[[str], str]
) -> str:
    stories = _stories(site)
    if not stories:
        return _add(site, draw)
    path = draw(st.sampled_from(stories))
    site.files[path] = change(str(site.files[path]))
    return path


def _body(site: Site, draw: Callable[..., Any]) -> str:
    word = draw(st.sampled_from(["corrected", "updated", "revised"]))
    site.counter += 1
    return "body " + _edit_story(
        site, draw, lambda t: t.rstrip("\n") + f" {word} {site.counter}.\n"
    )


def _title(site: Site, draw: Callable[..., Any]) -> str:
    site.counter += 1
    n = site.counter
    return "title " + _edit_story(
        site, draw, lambda t: _set_key(t, "Title", f"Retitled {n}")
    )


def _tags(site: Site, draw: Callable[..., Any]) -> str:
    tags = draw(st.lists(st.sampled_from(TAGS), max_size=3, unique=True))
    value = ", ".join(tags) or None
    return "tags " + _edit_story(site, draw, lambda t: _set_key(t, "Tags", value))


def _category(site: Site, draw: Callable[..., Any]) -> str:
    value = draw(st.sampled_from(CATEGORIES))
    return "category " + _edit_story(
        site, draw, lambda t: _set_key(t, "Category", value)
    )


def _role(site: Site, draw: Callable[..., Any]) -> str:
    value = draw(st.sampled_from(ROLES))
    return f"role {value} " + _edit_story(
        site, draw, lambda t: _set_key(t, "Digest", value)
    )


def _move_day(site: Site, draw: Callable[..., Any]) -> str:
    day = draw(st.sampled_from(DAYS))

    def change(text: str) -> str:
        old = _key(text, "Date") or f"{DAYS[0]} 09:00"
        return _set_key(text, "Date", f"{day} {old.split(' ', 1)[-1]}")

    return f"date {day} " + _edit_story(site, draw, change)


def _status(site: Site, draw: Callable[..., Any]) -> str:
    value = draw(st.sampled_from(["draft", "hidden", "published", None]))
    return f"status {value} " + _edit_story(
        site, draw, lambda t: _set_key(t, "Status", value)
    )


def _summary(site: Site, draw: Callable[..., Any]) -> str:
    value = draw(st.sampled_from(["A new *summary*.", None]))
    return "summary " + _edit_story(site, draw, lambda t: _set_key(t, "Summary", value))


def _image_key(site: Site, draw: Callable[..., Any]) -> str:
    value = draw(st.sampled_from(["images/fixture.jpg", "images/logo.png", None]))
    return "image " + _edit_story(site, draw, lambda t: _set_key(t, "Image", value))


def _image_bytes(site: Site, draw: Callable[..., Any]) -> str:
    """One image file's bytes replaced by the other's (its size changes)."""
    a, b = site.files["images/fixture.jpg"], site.files["images/logo.png"]
    site.files["images/fixture.jpg"], site.files["images/logo.png"] = b, a
    return "swap image bytes"


def _add(site: Site, draw: Callable[..., Any]) -> str:
    site.counter += 1
    n = 100 + site.counter
    day = draw(st.sampled_from(DAYS))
    role = draw(st.sampled_from(ROLES))
    site.files[f"stories/new-{n}.md"] = story(n, day, digest=role)
    return f"add new-{n}"


def _delete(site: Site, draw: Callable[..., Any]) -> str:
    stories = _stories(site)
    if not stories:
        return _add(site, draw)
    path = draw(st.sampled_from(stories))
    del site.files[path]
    return f"delete {path}"


def _rename(site: Site, draw: Callable[..., Any]) -> str:
    stories = _stories(site)
    if not stories:
        return _add(site, draw)
    path = draw(st.sampled_from(stories))
    site.counter += 1
    new = f"stories/renamed-{site.counter}.md"
    site.files[new] = site.files.pop(path)
    return f"rename {path} {new}"


def _edition(site: Site, draw: Callable[..., Any]) -> str:
    day = draw(st.sampled_from(DAYS))
    path = f"digests/{day}.md"
    action = draw(st.sampled_from(["title", "lead", "hot", "note", "delete"]))
    text = str(site.files.get(path, f"Date: {day} 18:00\n\n"))
    site.counter += 1
    if action == "delete":
        site.files.pop(path, None)
    elif action == "title":
        site.files[path] = _set_key(text, "Title", f"Edition title {site.counter}")
    elif action == "lead":
        stories = _stories(site)
        lead = Path(draw(st.sampled_from(stories))).stem if stories else "s1"
        site.files[path] = _set_key(text, "Lead", lead)
    elif action == "hot":
        site.files[path] = _set_key(text, "Hot_topics", draw(st.sampled_from(TAGS)))
    else:
        site.files[path] = text.partition("\n\n")[0] + f"\n\nNote {site.counter}.\n"
    return f"edition {action} {day}"


def _template(site: Site, draw: Callable[..., Any]) -> str:
    site.counter += 1
    target = site.root / "theme" / "templates" / "base.html"
    text = target.read_text(encoding="utf-8")
    target.write_text(
        text + f"\n<!-- template edit {site.counter} -->\n", encoding="utf-8"
    )
    return "template base.html"


def _setting(site: Site, draw: Callable[..., Any]) -> str:
    value = draw(st.sampled_from(["Money, markets, more", "The day's business news"]))
    site.settings["SITESUBTITLE"] = value
    return f"setting SITESUBTITLE {value!r}"


def _nothing(site: Site, draw: Callable[..., Any]) -> str:
    return "nothing (every file written again, the same bytes)"


EDITS = [
    _nothing,
    _body,
    _title,
    _tags,
    _category,
    _role,
    _move_day,
    _status,
    _summary,
    _image_key,
    _image_bytes,
    _add,
    _delete,
    _rename,
    _edition,
    _template,
    _setting,
]


def _differences(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    return sorted(
        [f"only incremental: {p}" for p in a.keys() - b.keys()]
        + [f"only full: {p}" for p in b.keys() - a.keys()]
        + [f"differs: {p}" for p in a.keys() & b.keys() if a[p] != b[p]]
    )


def check_sequence(
    draw: Callable[..., Any], steps: int, plugins: tuple[str, ...] = ("cx_digest",)
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        shutil.copytree(ROOT / "theme", root / "theme")
        site = Site(root, plugins=plugins)
        if "sitemap" in plugins:
            site.settings["SITEMAP"] = {"format": "xml"}
        site.write()
        site.build("inc", incremental=True, workers=draw(st.sampled_from([1, 2])))
        done = []
        for _ in range(steps):
            edit = draw(st.sampled_from(EDITS))
            done.append(edit(site, draw))
            site.write()
            incremental = tree(
                site.build("inc", True, workers=draw(st.sampled_from([1, 2])))
            )
            full = tree(site.build("full", False, workers=1))
            assert not _differences(incremental, full), (
                done,
                _differences(incremental, full),
            )


@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.data())
def test_incremental_equals_full_after_random_edits(data: st.DataObject) -> None:
    check_sequence(data.draw, steps=3)


@pytest.mark.slow
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.data())
def test_incremental_equals_full_long_sequences(data: st.DataObject) -> None:
    check_sequence(data.draw, steps=6)


@settings(
    max_examples=1,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.data())
def test_incremental_equals_full_with_pelican_sitemap(data: st.DataObject) -> None:
    check_sequence(data.draw, steps=3, plugins=("cx_digest", "sitemap"))
