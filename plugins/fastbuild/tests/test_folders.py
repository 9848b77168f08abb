"""Folders.makedirs: what os.makedirs does, with one call less per page."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pelican.plugins.fastbuild.folders import Folders


def _tree(root: Path) -> list[tuple[str, bool]]:
    return sorted((str(p.relative_to(root)), p.is_dir()) for p in root.rglob("*"))


def _outcome(call: Any) -> str | None:
    try:
        call()
    except OSError as err:
        return type(err).__name__
    return None


_NAMES = st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3)
_STEPS = st.lists(
    st.tuples(st.sampled_from(["make", "make-strict", "remove", "file"]), _NAMES),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(steps=_STEPS)
def test_same_tree_and_errors_as_os_makedirs(tmp_path_factory: Any, steps: Any) -> None:
    """Random makes (with and without exist_ok), removals of folders and
    files put in a folder's way: every call raises what os.makedirs raises
    and leaves the same tree, although the folders remembered go stale."""
    ours, theirs = tmp_path_factory.mktemp("ours"), tmp_path_factory.mktemp("theirs")
    folders = Folders()
    for action, parts in steps:
        results = []
        for root, make in ((ours, folders.makedirs), (theirs, os.makedirs)):
            path = root.joinpath(*parts)
            if action == "remove":
                shutil.rmtree(path, ignore_errors=True)
                if path.is_file():
                    path.unlink()
                results.append(None)
            elif action == "file":
                results.append(_outcome(lambda p=path: p.write_text("x")))
            else:
                ok = action == "make"
                results.append(
                    _outcome(lambda p=path, m=make, e=ok: m(str(p), 0o777, e))
                )
        assert results[0] == results[1], (action, parts)
        assert _tree(ours) == _tree(theirs)


def test_a_known_parent_is_not_asked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages in sibling folders: the shared parent is looked at once."""
    folders = Folders()
    folders.makedirs(str(tmp_path / "2016" / "03" / "first"), exist_ok=True)
    looked: list[str] = []
    real_stat = os.stat

    def stat(path: Any, *args: Any, **kwargs: Any) -> Any:
        looked.append(os.fspath(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    for slug in ("second", "third", "fourth"):
        folders.makedirs(str(tmp_path / "2016" / "03" / slug), exist_ok=True)
    assert looked == []
    assert sorted(p.name for p in (tmp_path / "2016" / "03").iterdir()) == [
        "first",
        "fourth",
        "second",
        "third",
    ]
    # The same with os.makedirs asks for the parent every time.
    os.makedirs(str(tmp_path / "2016" / "03" / "fifth"), exist_ok=True)
    assert looked == [str(tmp_path / "2016" / "03")]


def test_a_trailing_separator_and_a_relative_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folders = Folders()
    folders.makedirs("x/y/", exist_ok=True)
    folders.makedirs("x/z", exist_ok=True)
    folders.makedirs("x/y", exist_ok=True)
    with pytest.raises(FileExistsError):
        folders.makedirs("x/z")
    assert _tree(tmp_path) == [("x", True), ("x/y", True), ("x/z", True)]
