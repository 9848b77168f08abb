import re

import pytest
import zxingcpp
from bs4 import BeautifulSoup
from PIL import Image, ImageDraw

from cx_digest import qr

_RUN = re.compile(r"M(\d+) (\d+)h(\d+)v(\d+)h-\d+z")


def rasterize(svg: str) -> Image.Image:
    """Draw the SVG's rectangles (all this module writes) on a white image."""
    root = BeautifulSoup(svg, "html.parser").svg
    size = int(root["width"])
    image = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(image)
    dark = root.find_all("path")[1]["d"]
    assert _RUN.sub("", dark) == ""  # nothing but rectangles
    for x, y, w, h in _RUN.findall(dark):
        x0, y0 = int(x), int(y)
        draw.rectangle((x0, y0, x0 + int(w) - 1, y0 + int(h) - 1), fill=0)
    return image.resize((size * 2, size * 2), Image.NEAREST)


@pytest.mark.parametrize(
    "text",
    [
        "https://daily.cx-newsroom.example/digest/2026/11/18/",
        "https://daily.cx-newsroom.example/digest/2026/11/18/?utm_source=qr&x=1",
        "https://例子.example/新闻/2026/11/18/",
        "https://daily.cx-newsroom.example/" + "long-path/" * 30,
    ],
)
def test_svg_decodes_back_to_the_text(text: str) -> None:
    svg = qr.svg(text, title="QR", scale=3, border=2)
    found = zxingcpp.read_barcode(rasterize(svg))
    assert found is not None
    assert found.valid
    assert found.format == zxingcpp.BarcodeFormat.QRCode
    assert found.text == text


def test_svg_shape() -> None:
    svg = qr.svg(
        "https://daily.cx-newsroom.example/",
        title='Edition <QR> & "more"',
        css_class="cx-qr",
        scale=4,
        border=3,
    )
    root = BeautifulSoup(svg, "html.parser").svg
    modules = len(qr.matrix("https://daily.cx-newsroom.example/"))
    size = (modules + 6) * 4
    assert root["width"] == root["height"] == str(size)
    assert root["viewbox"] == f"0 0 {size} {size}"
    assert root["class"] == ["cx-qr"]
    assert root.title.get_text() == 'Edition <QR> & "more"'
    assert "<QR>" not in svg  # the title is escaped
    # the light background covers the quiet zone
    assert root.find("path")["d"] == f"M0 0h{size}v{size}h-{size}z"


def test_matrix_is_square_and_has_finder_patterns() -> None:
    rows = qr.matrix("https://daily.cx-newsroom.example/digest/2026/11/18/")
    assert len(rows) in range(21, 178, 4)  # a QR version's side
    assert all(len(row) == len(rows) for row in rows)
    top = rows[0]
    assert top[:7] == [True] * 7
    assert top[-7:] == [True] * 7
    assert rows[-1][:7] == [True] * 7
    assert rows[1][1:6] == [False] * 5  # inside the finder ring
