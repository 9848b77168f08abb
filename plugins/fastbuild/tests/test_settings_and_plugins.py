"""FASTBUILD_WORKERS, serial mode, hosts without fork, another real plugin."""

from __future__ import annotations

import os
import threading
import warnings
from pathlib import Path
from typing import Any

import pytest
from pelican.writers import Writer

from pbuild import build, child_pids, listening, no_children_left, tree
from pelican.plugins.fastbuild import (
    WORKERS_SETTING,
    ParallelWriter,
    WorkersSettingError,
    default_workers,
    validate_workers,
    workers_setting,
)


def test_default_is_the_usable_cpu_count() -> None:
    assert default_workers() == len(os.sched_getaffinity(0))
    assert workers_setting({}) == default_workers()
    assert workers_setting({WORKERS_SETTING: 3}) == 3
    assert WORKERS_SETTING == "FASTBUILD_WORKERS"


def test_default_without_sched_getaffinity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "sched_getaffinity")
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert default_workers() == 6


@pytest.mark.parametrize("value", ["x", "2", 0, -1, True, False, 2.0, None, [2]])
def test_bad_values_are_refused(value: Any) -> None:
    with pytest.raises(WorkersSettingError) as caught:
        validate_workers(value)
    assert str(caught.value) == (
        f"fastbuild: setting FASTBUILD_WORKERS = {value!r} is invalid: "
        "expected an integer >= 1"
    )
    assert isinstance(caught.value, ValueError)


def test_a_bad_value_stops_the_build(content60: Path, tmp_path: Path) -> None:
    with pytest.raises(WorkersSettingError, match="FASTBUILD_WORKERS = 'x'"):
        build(content60, tmp_path / "out", "x")  # type: ignore[arg-type]
    assert not (tmp_path / "out").exists()


def test_one_worker_is_pelicans_serial_build(
    content60: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forks: list[int] = []
    writers: list[type] = []
    hooked: list[bool] = []

    def refuse_fork() -> int:
        forks.append(1)
        raise AssertionError("forked")

    def check_writer(generator: Any, writer: Any) -> None:
        writers.append(type(writer))
        hooked.append("get_cached_data" in vars(generator.readers))

    monkeypatch.setattr(os, "fork", refuse_fork)
    with listening("article_writer_finalized", check_writer):
        built = build(content60, tmp_path / "w1", 1)
    assert forks == []
    assert writers == [Writer]
    assert hooked == [False]
    assert len(tree(built.output)) > 100


def test_builds_serially_without_fork(
    content60: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = tree(build(content60, tmp_path / "w1", 1).output)
    monkeypatch.delattr(os, "fork")
    writers: list[type] = []

    def check_writer(generator: Any, writer: Any) -> None:
        writers.append(type(writer))

    with listening("article_writer_finalized", check_writer):
        built = build(content60, tmp_path / "w2", 2)
    assert writers == [Writer]
    assert tree(built.output) == serial


def test_parallel_build_reports_its_workers(content60: Path, tmp_path: Path) -> None:
    writers: list[Any] = []
    before = child_pids()

    def keep_writer(generator: Any, writer: Any) -> None:
        writers.append(writer)

    with listening("article_writer_finalized", keep_writer):
        build(content60, tmp_path / "w2", 2)
    (writer,) = writers
    assert isinstance(writer, ParallelWriter)
    assert writer.workers_forked == 2
    assert 0 < writer.worker_max_rss_kb <= writer.worker_peak_rss_kb
    assert no_children_left(before)  # every worker was reaped


def test_with_pelican_sitemap(content60: Path, tmp_path: Path) -> None:
    plugins = {
        "PLUGINS": ["fastbuild", "sitemap"],
        "SITEURL": "https://x.test",
    }
    serial = tree(build(content60, tmp_path / "w1", 1, **plugins).output)
    parallel = tree(build(content60, tmp_path / "w2", 2, **plugins).output)
    sitemap = serial["sitemap.xml"].decode()
    assert sitemap.count("<url>") > 100
    assert "<loc>https://x.test/bahu-000017.html</loc>" in sitemap
    assert parallel["sitemap.xml"] == serial["sitemap.xml"]
    assert parallel == serial


def test_no_fork_warning_with_another_thread_running(
    content60: Path, tmp_path: Path
) -> None:
    """``pelican`` runs a status spinner thread during the build; Python 3.12+
    warns about forking a multi-threaded process (DeprecationWarning)."""
    stop = threading.Event()
    spinner = threading.Thread(target=stop.wait)
    spinner.start()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            serial = tree(build(content60, tmp_path / "w1", 1).output)
            parallel = tree(build(content60, tmp_path / "w2", 2).output)
    finally:
        stop.set()
        spinner.join()
    assert [str(w.message) for w in caught if "fork" in str(w.message)] == []
    assert parallel == serial
