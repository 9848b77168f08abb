import re

import pytest
import zxingcpp
from bs4 import BeautifulSoup
from PIL import Image, ImageDraw

from cx_digest import qr

_STEP = re.compile(r"([Mm])(\d+) (\d+(?:\.5)?)h(\d+)")


def rasterize(svg: str) -> Image.Image:
    """Draw the SVG's strokes (all this module writes) on a white image."""
    root = BeautifulSoup(svg, "html.parser").svg
    size = int(root["width"])
    dark = root.find_all("path")[1]
    scale = int(re.fullmatch(r"scale\((\d+)\)", dark["transform"]).group(1))
    assert _STEP.sub("", dark["d"]) == ""  # nothing but moves and strokes
    image = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(image)
    x = y = 0.0
    for move, dx, dy, length in _STEP.findall(dark["d"]):
        if move == "M":
            x, y = float(dx), float(dy)
        else:
            x, y = x + float(dx), y + float(dy)
        # a stroke one module wide, centred on the line
        box = (x * scale, (y - 0.5) * scale, (x + int(length)) * scale - 1)
        draw.rectangle((box[0], box[1], box[2], box[1] + scale - 1), fill=0)
        x += int(length)
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
