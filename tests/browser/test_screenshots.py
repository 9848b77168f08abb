"""Full-page screenshots of every page type on a phone and a desktop, written
to tests/artifacts/ (ignored by git) for people to look at.

``make screenshots`` runs only these; with CX_SCREENSHOTS=1 (which it sets)
the tablet width and the dark colour scheme are captured too.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable
from pathlib import Path

import pytest

from browsing import PAGE_KINDS, Visit

EXTRA = os.environ.get("CX_SCREENSHOTS") == "1"
SHOTS = [(375, "light"), (1280, "light")]
if EXTRA:
    SHOTS += [(768, "light"), (375, "dark"), (1280, "dark")]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize(("width", "scheme"), SHOTS, ids=lambda v: str(v))
@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_screenshot(
    open_page: Callable[..., Visit],
    artifacts: Path,
    kind: str,
    width: int,
    scheme: str,
) -> None:
    visit = open_page(kind, width=width, color_scheme=scheme)
    visit.load_all_images()
    suffix = "" if scheme == "light" else "-dark"
    target = artifacts / f"{kind}-{width}{suffix}.png"
    target.unlink(missing_ok=True)
    visit.page.screenshot(path=target, full_page=True, animations="disabled")
    shot_width, shot_height = png_size(target.read_bytes())
    assert shot_width == width  # nothing wider than the screen
    assert shot_height >= 900
