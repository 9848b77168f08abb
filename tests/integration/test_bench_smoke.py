"""The benchmark runner works end to end on a small corpus (no timing checks)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT

RUNNER = ROOT / "bench" / "run.py"


def test_generator_is_deterministic(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(ROOT / "bench"))
    first = generate(60, seed=3, out=tmp_path / "a")
    second = generate(60, seed=3, out=tmp_path / "b")
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(
        p.relative_to(second) for p in second.rglob("*") if p.is_file()
    )
    stories = [f for f in files if f.parts[0] == "stories"]
    assert len(stories) == 60
    assert any(f.parts[0] == "digests" for f in files)
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    text = "\n".join((first / f).read_text(encoding="utf-8") for f in stories)
    for key in ("Kicker:", "Image_alt:", "Digest: quick-hit", "Related:", "Tags:"):
        assert key in text


@pytest.mark.slow  # five builds and the in-process timings: CI runs it
def test_runner_prints_the_table_and_ratios() -> None:
    result = subprocess.run(
        [sys.executable, str(RUNNER), "--stories", "300", "--repeat", "1"],
        capture_output=True,
        encoding="utf-8",
        timeout=240,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert (
        "| config | wall s | CPU s | main CPU s | main CPU ms/story | main RSS MB "
        "| workers RSS MB |"
    ) in out
    rows = {
        m.group(1): m.group(0)
        for m in re.finditer(r"^\| (plain|peer|cx|cx-warm) \|.*\|$", out, re.M)
    }
    assert set(rows) == {"plain", "peer", "cx", "cx-warm"}
    number = r"\d+\.\d+ \(\d+\.\d+-\d+\.\d+\)"
    for row in rows.values():
        assert len(re.findall(number, row)) >= 5, row
    ratios = re.search(r"^Ratios of the medians: (.*)$", out, re.M)
    assert ratios is not None
    for label in ("cx/plain wall", "cx/peer wall", "cx-warm/plain wall"):
        assert re.search(re.escape(label) + r" \d+\.\d{3}", ratios.group(1)), label
    rounds = re.search(r"^Round by round: (.*)$", out, re.M)
    assert rounds is not None
    assert re.search(r"cx/plain wall \d+\.\d{3} \(median \d+\.\d{3}\)", rounds.group(1))
    assert re.search(r"^\(\d+ stories, \d+ editions\)$", out, re.M)
    assert re.search(
        r"^Story-body policy \(CommonMarkReader bodies\): \d+\.\d+ CPU-s "
        r"for 300 stories \(\d+ us a story\), "
        r"\d+\.\d+% of the cx build's CPU",
        out,
        re.M,
    ), out[-600:]
