"""Pelican's functions replaced while the engine is on, and only then.

The engine's replacements (:mod:`.urls`, :mod:`.warm`,
:mod:`.translations`) install and uninstall themselves through
:func:`swap`, which sets a module's function or a class's method only while
it is the one expected: a replacement another plugin made in between stays
as it is, and a second install or uninstall changes nothing.
"""

from __future__ import annotations

from typing import Any

__all__ = ["swap"]


def swap(owner: Any, name: str, expected: Any, new: Any) -> None:
    """``owner.name = new``, when ``owner.name`` is ``expected``."""
    if getattr(owner, name) is expected:
        setattr(owner, name, new)
