"""Every HTML page the site builds is valid HTML for the Nu Html Checker
(vnu.jar, the W3C's validator), the email editions aside (email clients
need their table-and-attribute HTML and ``mso-`` styles).

``make test`` installs vnu.jar (npm's ``vnu-jar``, pinned in the Makefile)
under ``.venv/vnu-<version>/``; it runs on Java. Locally the tests skip with a clear
message when either is missing; with ``CX_REQUIRE_VNU=1`` (set by .ci/run)
that is a failure, so CI never passes without validating.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from hostile import ATTACKS
from support import ROOT, Site, run_pelican, story_file

sys.path.insert(0, str(ROOT / "bench"))
from generate import generate

# make test names it; run directly, pytest finds the newest under .venv/.
VNU_JAR = Path(
    os.environ.get("CX_VNU_JAR")
    or max(
        ROOT.glob(".venv/vnu-*/node_modules/vnu-jar/build/dist/vnu.jar"),
        default=ROOT / ".venv/vnu-<version>/node_modules/vnu-jar/build/dist/vnu.jar",
    )
)
DAY = "2026-11-18"
Check = Callable[[list[Path]], list[str]]


@pytest.fixture(scope="module")
def vnu() -> Check:
    java = shutil.which("java")
    if java is None or not VNU_JAR.is_file():
        message = f"the HTML validity tests need Java and {VNU_JAR}"
        if os.environ.get("CX_REQUIRE_VNU") == "1":
            pytest.fail(message + " (CX_REQUIRE_VNU=1)")
        pytest.skip(message + " (make test installs vnu.jar when npm is there)")

    def check(folders: list[Path]) -> list[str]:
        """The errors in every page under ``folders``, one line each."""
        pages = sorted(
            str(page)
            for folder in folders
            for page in folder.rglob("*.html")
            if page.name != "email.html"
        )
        assert pages, folders
        done = subprocess.run(
            [
                java,
                "-jar",
                str(VNU_JAR),
                "--errors-only",
                "--format",
                "json",
                "--stdout",
                *pages,
            ],
            capture_output=True,
            encoding="utf-8",
            check=False,
        )
        report = json.loads(done.stdout)
        return [
            f"{m.get('url', '?')}:{m.get('lastLine', '?')}: {m['message']}"
            for m in report["messages"]
            if m.get("type") in {"error", "non-document-error"}
        ]

    return check


def test_the_checker_reports_invalid_html(vnu: Check, tmp_path: Path) -> None:
    (tmp_path / "bad.html").write_text(
        "<!DOCTYPE html><html lang=en><head><title>t</title></head>"
        '<body><p><div>x</div></p><img src="a.jpg">'
        "</body></html>",
        encoding="utf-8",
    )
    errors = vnu([tmp_path])
    assert any("“alt”" in e for e in errors), errors
    assert any("“p”" in e for e in errors), errors


def fixture_site(root: Path) -> Site:
    """Every kind of pasted markup, allowed embeds, bad values, and a
    generated corpus of 60 stories with every content-model key."""
    content = generate(60, seed=7, out=root / "generated")
    files: dict[str, str] = {
        str(path.relative_to(content)): path.read_text("utf-8")
        for path in content.rglob("*.md")
    }
    for n, attack in enumerate(ATTACKS):
        files[f"stories/hostile/a{n}.md"] = story_file(
            f"Hostile {n}",
            f"{DAY} {8 + n // 60:02d}:{n % 60:02d}",
            "Markets",
            body=f"<p>Before.</p>\n\n{attack}\n\n<!-- more -->\n\nAfter.",
            summary=attack.replace("\n", " ") if n % 2 else "A summary.",
        )
    files["stories/hostile/embeds.md"] = story_file(
        "Embeds",
        f"{DAY} 11:00",
        body=(
            '<iframe width="560" height="315" '
            'src="https://www.youtube.com/embed/x" frameborder="0" '
            "allowfullscreen></iframe>\n\n"
            '<iframe src="https://evil.example/x"></iframe>\n\n'
            '<video controls src="https://cdn.example/v.mp4"></video>\n\n'
            "| a | b |\n|:--|--:|\n| 1 | 2 |\n"
        ),
        digest="lead",
    )
    files[f"digests/{DAY}.md"] = (
        f"Date: {DAY} 10:20\n\n" + "\n\n".join(ATTACKS[:10]) + "\n"
    )
    return run_pelican(root / "site", files)


@pytest.mark.slow  # the Nu checker on every page: CI runs it (make test-slow)
def test_every_page_is_valid_html(
    vnu: Check, sample_site: Site, tmp_path: Path
) -> None:
    fixture = fixture_site(tmp_path)
    errors = vnu([sample_site.output, fixture.output])
    assert errors == [], "\n".join(errors[:40])
