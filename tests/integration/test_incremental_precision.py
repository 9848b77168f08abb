"""An incremental build re-renders the pages that show what changed, not the
archive: a correction anywhere in one story, its first paragraph (which is
its summary on edition pages, in feeds and emails) included."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from incremental_site import DAYS, Site, story

from pbuild import rendered_calls, tree
from pelican.plugins.fastbuild.mapping import MIN_SHARE
from support import ROOT

STORIES_A_DAY = 8


def archive(root: Path, per_day: int = STORIES_A_DAY) -> Site:
    shutil.copytree(ROOT / "theme", root / "theme")
    site = Site(root)
    site.files = {
        f"stories/{day}-{n}.md": story(n, day, digest="lead" if n == 0 else None)
        for day in DAYS
        for n in range(per_day)
    }
    # A hidden story and a draft: their pages list their tags too.
    site.files["stories/hidden.md"] = story(90, DAYS[0], status="hidden")
    site.files["stories/draft.md"] = story(91, DAYS[1], status="draft")
    site.write()
    return site


def counts(log: list[str]) -> tuple[int, int]:
    """(pages rendered, pages reused) from the build's summary line."""
    line = next(m for m in log if "pages rendered" in m)
    found = re.search(r"(\d+) pages rendered.* (\d+) pages reused", line)
    assert found, line
    return int(found[1]), int(found[2])


@pytest.mark.parametrize("where", ["first paragraph", "last paragraph"])
def test_a_correction_renders_its_pages_not_the_archive(
    tmp_path: Path, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = archive(tmp_path)
    # One worker (the same settings in both builds): the reuse of every page
    # is decided in this process, where the test sees it.
    site.build_log("inc", incremental=True, workers=1)
    path = f"stories/{DAYS[1]}-3.md"
    old = "Body of story 3." if where == "first paragraph" else "More about story 3."
    site.files[path] = str(site.files[path]).replace(old, old[:-1] + " (corrected).")
    site.write()
    rendered = rendered_calls(monkeypatch)
    counted, reused = counts(site.build_log("inc", incremental=True, workers=1))
    assert counted == len(rendered) > 0
    story_pages = [p for p in rendered if re.search(r"/20\d\d-\d\d-\d\d-\d/", p)]
    if where == "first paragraph":
        # Its summary changed: the pages of its edition's stories say which
        # edition they are in, and read the edition.
        assert {p.split("/")[2] for p in story_pages} == {DAYS[1].split("-")[2]}
    else:
        assert story_pages == [f"2026/11/17/{DAYS[1]}-3/index.html"]
    # Its own tag's and category's pages, its edition's: not the others.
    lists = {p for p in rendered if re.match(r"(tag|category)/[a-z]+/", p)}
    assert lists <= {"tag/trade/index.html", "category/economy/index.html"}
    editions = {p.split("/")[3] for p in rendered if p.startswith("digest/20")}
    assert editions <= {DAYS[1].split("-")[2]}
    assert len(rendered) <= reused // 2, "\n".join(rendered)
    assert tree(tmp_path / "inc") == tree(site.build("full", incremental=False))
    page = tmp_path / "inc" / "2026/11/17" / f"{DAYS[1]}-3" / "index.html"
    assert "story 3 (corrected)" in page.read_text(encoding="utf-8")


def test_two_workers_render_the_pages_one_does(tmp_path: Path) -> None:
    """At two workers, the objects a batch's pages share (its stories, the
    editions) are fingerprinted once, shared out among the workers, before
    the pages are compared: a correction renders the very pages it renders
    at one worker, and the tree is a full build's."""
    found = {}
    for workers in (1, 2):
        root = tmp_path / f"w{workers}"
        root.mkdir()
        # Enough stories for the workers to share them out (MIN_SHARE each).
        site = archive(root, per_day=2 * MIN_SHARE // len(DAYS) + 1)
        site.build_log("inc", incremental=True, workers=workers)
        path = f"stories/{DAYS[1]}-3.md"
        site.files[path] = str(site.files[path]).replace(
            "Body of story 3.", "Body of story 3 (corrected)."
        )
        site.write()
        found[workers] = counts(
            site.build_log("inc", incremental=True, workers=workers)
        )
        assert tree(root / "inc") == tree(site.build("full", incremental=False))
    assert found[2] == found[1]
    assert 0 < found[2][0] <= found[2][1] // 2
