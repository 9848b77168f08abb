"""The saved state: updated in place, and a save killed half-way leaves the
last state, marked as not finished."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from pelican.plugins.fastbuild import state


def _state(world: str, reads: dict[str, str]) -> state.State:
    return state.State(world=world, clean=True, snapshot="s", reads=reads)


def _reads(cache: Path) -> dict[str, tuple[str, str, str] | None]:
    rows = state.ReadRows(str(cache))
    try:
        return {p: rows.get(p) for p in ("a.md", "b.md", "c.md", "d.md")}
    finally:
        rows.close()


def test_a_save_keeps_and_replaces_parsed_files(tmp_path: Path) -> None:
    cache, out = tmp_path / "cache", tmp_path / "out"
    first = {
        p: (f"h-{p}", f"<p>{p}</p>", "{}", "[]", "[]") for p in ("a.md", "b.md", "c.md")
    }
    state.save(str(cache), str(out), _state("w1", {}), new_reads=first)
    second = {
        "b.md": ("h-b2", "<p>b, corrected</p>", "{}", "[]", "[]"),
        "d.md": ("h-d", "<p>d</p>", "{}", "[]", '[["/site/shared.txt", "ab"]]'),
    }
    # a.md kept; b.md kept by the caller's old list but parsed again; c.md gone.
    state.save(str(cache), str(out), _state("w1", {}), {"a.md", "b.md"}, second)
    loaded, why = state.load(str(cache), str(out))
    assert why is None
    assert loaded.reads == {"a.md": "h-a.md", "b.md": "h-b2", "d.md": "h-d"}
    # The other files a reader opened, with their digests then.
    assert loaded.opened == {"d.md": [("/site/shared.txt", "ab")]}
    assert _reads(cache) == {
        "a.md": ("<p>a.md</p>", "{}", "[]"),
        "b.md": ("<p>b, corrected</p>", "{}", "[]"),
        "c.md": None,
        "d.md": ("<p>d</p>", "{}", "[]"),
    }


def test_a_state_of_another_output_folder_is_replaced(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    reads = {"a.md": ("h-a", "<p>a</p>", "{}", "[]", "[]")}
    state.save(str(cache), str(tmp_path / "one"), _state("w1", {}), new_reads=reads)
    state.save(str(cache), str(tmp_path / "two"), _state("w2", {}), {"a.md"}, {})
    loaded, why = state.load(str(cache), str(tmp_path / "two"))
    assert why is None
    assert loaded.world == "w2"
    assert loaded.reads == {}  # nothing of the other folder's state is kept


_KILLED_SAVE = """
import os, signal, sys
from pelican.plugins.fastbuild import state
real = state._write_rows
def write_then_die(connection, *args):
    real(connection, *args)  # every row written, not yet committed
    os.kill(os.getpid(), signal.SIGKILL)
state._write_rows = write_then_die
cache, out = sys.argv[1], sys.argv[2]
state.mark_dirty(cache)
state.save(cache, out, state.State(world="w2", clean=True), set(),
           {"d.md": ("h-d", "<p>d</p>", "{}", "[]", "[]")})
"""


def test_a_save_killed_half_way_leaves_the_last_state(tmp_path: Path) -> None:
    cache, out = tmp_path / "cache", tmp_path / "out"
    reads = {p: (f"h-{p}", f"<p>{p}</p>", "{}", "[]", "[]") for p in ("a.md", "b.md")}
    state.save(str(cache), str(out), _state("w1", {}), new_reads=reads)
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_SAVE, str(cache), str(out)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL
    assert (cache / (state.STATE_FILE + "-journal")).exists()  # a save cut short
    loaded, why = state.load(str(cache), str(out))
    assert why == "the last build did not finish"
    assert loaded.world == "w1"
    assert loaded.reads == {"a.md": "h-a.md", "b.md": "h-b.md"}
    assert _reads(cache)["a.md"] == ("<p>a.md</p>", "{}", "[]")
    # The next build's save goes through.
    state.save(str(cache), str(out), _state("w3", {}), {"a.md"}, {})
    loaded, why = state.load(str(cache), str(out))
    assert why is None
    assert loaded.world == "w3"
    assert loaded.reads == {"a.md": "h-a.md"}
