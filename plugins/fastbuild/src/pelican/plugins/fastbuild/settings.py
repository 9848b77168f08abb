"""The ``FASTBUILD_WORKERS`` setting: how many processes a build may use.

Public (exported by the package) so that a plugin building on the engine can
check or document the setting the same way::

    from pelican.plugins.fastbuild import WORKERS_SETTING, validate_workers

``workers_setting(settings)`` reads the value from a Pelican settings mapping
(the default when the key is absent) and validates it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

__all__ = [
    "WORKERS_SETTING",
    "WorkersSettingError",
    "default_workers",
    "validate_workers",
    "workers_setting",
]

WORKERS_SETTING = "FASTBUILD_WORKERS"


class WorkersSettingError(ValueError):
    """``FASTBUILD_WORKERS`` has a value that is not an integer >= 1."""


def default_workers() -> int:
    """The number of CPUs this process may run on (at least 1).

    ``os.sched_getaffinity`` honours CPU pinning (taskset, cgroups cpusets);
    where it does not exist, ``os.cpu_count()`` is the best guess.
    """
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        count = os.cpu_count() or 1
    return max(1, count)


def validate_workers(value: Any) -> int:
    """Return ``value`` if it is an int >= 1 (a bool is not), else raise.

    :raises WorkersSettingError: naming the setting and the value.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    raise WorkersSettingError(
        f"fastbuild: setting {WORKERS_SETTING} = {value!r} is invalid: "
        "expected an integer >= 1"
    )


def workers_setting(settings: Mapping[str, Any]) -> int:
    """The validated worker count of a build (the CPU count when unset)."""
    if WORKERS_SETTING not in settings:
        return default_workers()
    return validate_workers(settings[WORKERS_SETTING])
