"""The edition's QR code, photographed from Chromium's screen and decoded:
a phone camera pointed at the page (light or dark mode, or at a printout)
opens the edition's public address."""

from __future__ import annotations

import io
from collections.abc import Callable
from urllib.parse import urljoin

import pytest
import zxingcpp
from PIL import Image

from browsing import PUBLIC_URL, SampleSite, Visit


@pytest.mark.parametrize(
    ("kind", "media", "scheme"),
    [
        ("edition", "screen", "light"),
        ("edition", "screen", "dark"),
        ("edition", "print", "light"),
        ("home", "screen", "light"),
    ],
)
def test_qr_code_scans_to_the_edition_url(
    open_page: Callable[..., Visit],
    sample: SampleSite,
    kind: str,
    media: str,
    scheme: str,
) -> None:
    visit = open_page(kind, width=375, color_scheme=scheme)
    page = visit.page
    page.emulate_media(media=media)  # type: ignore[arg-type]
    code = page.locator("#cx-qr svg")
    assert code.count() == 1
    shot = Image.open(io.BytesIO(code.screenshot()))
    found = zxingcpp.read_barcode(shot)
    assert found is not None, "Chromium's QR code does not scan"
    assert found.valid
    assert found.format == zxingcpp.BarcodeFormat.QRCode
    # The edition page's code holds its own public address; the home page
    # shows the latest edition, the first one in the archive.
    if kind == "edition":
        path = sample.path("edition")
    else:
        newest = sample.site.html("digest/").select_one(".cx-archive-title a")
        assert newest is not None
        path = urljoin("/digest/", str(newest["href"]))
    assert found.text == urljoin(PUBLIC_URL, path)
