"""``map_in_workers``: the serial loop's results and log, from workers."""

from __future__ import annotations

import logging
import os
import signal
from typing import Any

import pytest

from pbuild import child_pids, no_children_left
from pelican.plugins.fastbuild import map_in_workers
from pelican.plugins.fastbuild.mapping import MIN_SHARE

ITEMS = list(range(5 * MIN_SHARE + 3))  # shares of different sizes
log = logging.getLogger("mapping_test")


def settings(workers: int) -> dict[str, Any]:
    return {"FASTBUILD_WORKERS": workers}


def square_in_child(item: int) -> tuple[int, int]:
    """The square, and the process that computed it."""
    return item * item, os.getpid()


def logging_square(run: str) -> Any:
    """Squares, logging each multiple of seven (``run`` names the run:
    Pelican's LimitFilter drops a message this process logged before)."""

    def function(item: int) -> int:
        if item % 7 == 0:
            log.warning("%s: item %d is a multiple of seven", run, item)
        return item * item

    return function


class Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def messages(self, name: str) -> list[str]:
        return [r.getMessage() for r in self.records if r.name == name]


@pytest.fixture
def kept() -> Any:
    handler = Kept()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


@pytest.mark.parametrize("workers", [2, 3, 16])
def test_results_in_order_computed_elsewhere(workers: int) -> None:
    results = map_in_workers(square_in_child, ITEMS, settings(workers))
    assert [square for square, _ in results] == [i * i for i in ITEMS]
    computed_by = {pid for _, pid in results}
    assert os.getpid() not in computed_by
    assert len(computed_by) == min(workers, len(ITEMS) // MIN_SHARE)


def test_serial_at_one_worker_and_for_few_items() -> None:
    for items, workers in ((ITEMS, 1), (ITEMS[: 2 * MIN_SHARE - 1], 4)):
        results = map_in_workers(square_in_child, items, settings(workers))
        assert {pid for _, pid in results} == {os.getpid()}


def test_log_records_in_item_order(kept: Kept) -> None:
    serial = map_in_workers(logging_square("run"), ITEMS, settings(1))
    expected = [m.replace("run:", "parallel run:") for m in kept.messages(log.name)]
    kept.records.clear()
    parallel = map_in_workers(logging_square("parallel run"), ITEMS, settings(3))
    assert parallel == serial
    assert kept.messages(log.name) == expected
    assert len(expected) == len([i for i in ITEMS if i % 7 == 0])


def test_an_item_that_raises_raises_here() -> None:
    bad = ITEMS[-MIN_SHARE]  # in the last worker's share

    def function(item: int) -> tuple[int, int]:
        if item == bad:
            raise ValueError(f"bad item {item}")
        return square_in_child(item)

    with pytest.raises(ValueError, match=f"bad item {bad}"):
        map_in_workers(function, ITEMS, settings(3))


def test_an_item_that_raises_only_in_a_worker_is_computed_here() -> None:
    parent = os.getpid()

    def function(item: int) -> int:
        if item == 3 and os.getpid() != parent:
            raise OSError("only in the worker")
        return item * item

    assert map_in_workers(function, ITEMS, settings(2)) == [i * i for i in ITEMS]


def test_a_killed_worker_is_reported_and_its_share_computed_here(kept: Kept) -> None:
    parent = os.getpid()
    victim = ITEMS[len(ITEMS) // 2 + 5]  # the second worker's share, mid-way

    def function(item: int) -> tuple[int, int]:
        if item == victim and os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return square_in_child(item)

    results = map_in_workers(function, ITEMS, settings(2))
    assert [square for square, _ in results] == [i * i for i in ITEMS]
    assert results[victim][1] == parent  # computed here
    assert results[0][1] != parent
    warnings = kept.messages("fastbuild")
    assert len(warnings) == 1
    assert f"a worker died at item {victim} of {len(ITEMS)}" in warnings[0]
    assert "exit status -9" in warnings[0]


def test_no_worker_left_behind() -> None:
    before = child_pids()
    results = map_in_workers(square_in_child, ITEMS, settings(4))
    workers = {pid for _, pid in results}
    assert len(workers) == 4
    assert not workers & child_pids()  # reaped: not even zombies
    assert no_children_left(before)


def test_a_worker_maps_serially() -> None:
    def nested(item: int) -> set[int]:
        inner = map_in_workers(square_in_child, ITEMS, settings(2))
        return {pid for _, pid in inner} | {-item - 1}

    for pids in map_in_workers(nested, ITEMS, settings(2)):
        (worker,) = pids - {p for p in pids if p < 0}
        assert worker != os.getpid()
