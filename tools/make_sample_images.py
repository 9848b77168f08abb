"""Draw the sample site's illustrations: original, deterministic newsroom art.

Every picture is drawn from simple shapes (gradients, silhouettes, charts,
waves, circuit traces) with a seeded random generator, so a rerun writes
byte-identical files. No fonts, no downloads.

Usage::

    python tools/make_sample_images.py            # writes content/images/
    python tools/make_sample_images.py --out DIR  # writes elsewhere

Needs Pillow.
"""

from __future__ import annotations

import argparse
import math
import random
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

from PIL import Image, ImageDraw

W, H = 1200, 675  # output size of every story picture (16:9)
S = 2  # supersampling factor: draw at 2x, then downscale for smooth edges
JPEG_QUALITY = 72
MAX_JPEG_BYTES = 90_000

RGB = tuple[int, int, int]
RGBA = tuple[int, int, int, int]
Color = RGB | RGBA
Point = tuple[float, float]

CX_RED: RGB = (200, 30, 45)
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "content" / "images"


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """Linear blend of two colours, t in [0, 1]."""
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


class Canvas:
    """A supersampled drawing surface working in 1200x675 coordinates."""

    def __init__(self, top: RGB, bottom: RGB, horizon: float = 1.0) -> None:
        self.img = Image.new("RGB", (W * S, H * S), top)
        self.d = ImageDraw.Draw(self.img, "RGBA")
        self.gradient(0, H * horizon, top, bottom)
        if horizon < 1.0:
            self.d.rectangle([0, H * horizon * S, W * S, H * S], fill=bottom)

    @staticmethod
    def _pts(pts: Sequence[Point]) -> list[tuple[float, float]]:
        return [(x * S, y * S) for x, y in pts]

    def gradient(
        self, y0: float, y1: float, c0: RGB, c1: RGB, x0: float = 0, x1: float = W
    ) -> None:
        span = max(1, round((y1 - y0) * S))
        for i in range(span):
            y = y0 * S + i
            self.d.line([(x0 * S, y), (x1 * S, y)], fill=mix(c0, c1, i / span))

    def rect(self, x0: float, y0: float, x1: float, y1: float, fill: Color) -> None:
        self.d.rectangle([x0 * S, y0 * S, x1 * S, y1 * S], fill=fill)

    def rrect(
        self, x0: float, y0: float, x1: float, y1: float, r: float, fill: Color
    ) -> None:
        self.d.rounded_rectangle(
            [x0 * S, y0 * S, x1 * S, y1 * S], radius=r * S, fill=fill
        )

    def poly(self, pts: Sequence[Point], fill: Color) -> None:
        self.d.polygon(self._pts(pts), fill=fill)

    def ellipse(
        self,
        x0: float,
        y0: float,
        x1: float,
        y1: float,
        fill: Color | None = None,
        outline: Color | None = None,
        width: float = 1,
    ) -> None:
        self.d.ellipse(
            [x0 * S, y0 * S, x1 * S, y1 * S],
            fill=fill,
            outline=outline,
            width=max(1, round(width * S)),
        )

    def circle(
        self,
        cx: float,
        cy: float,
        r: float,
        fill: Color | None = None,
        outline: Color | None = None,
        width: float = 1,
    ) -> None:
        self.ellipse(
            cx - r, cy - r, cx + r, cy + r, fill=fill, outline=outline, width=width
        )

    def line(self, pts: Sequence[Point], fill: Color, width: float = 1) -> None:
        self.d.line(
            self._pts(pts), fill=fill, width=max(1, round(width * S)), joint="curve"
        )

    def arc(
        self,
        box: tuple[float, float, float, float],
        start: float,
        end: float,
        fill: Color,
        width: float,
    ) -> None:
        self.d.arc(
            [v * S for v in box], start, end, fill=fill, width=max(1, round(width * S))
        )

    def brand(self) -> None:
        """The small newsroom tab in the lower-left corner of every picture."""
        self.rect(0, H - 10, 180, H, CX_RED)

    def finish(self) -> Image.Image:
        self.brand()
        return self.img.resize((W, H), Image.Resampling.LANCZOS)


# --------------------------------------------------------------------------- motifs


def skyline(
    c: Canvas,
    rng: random.Random,
    base: float,
    color: Color,
    hmin: float,
    hmax: float,
    lit: Color | None = None,
) -> None:
    x = -10.0
    while x < W:
        bw = rng.uniform(40, 110)
        bh = rng.uniform(hmin, hmax)
        c.rect(x, base - bh, x + bw, base, color)
        if rng.random() < 0.25:  # a spire or a stepped top
            c.rect(x + bw * 0.3, base - bh - bh * 0.12, x + bw * 0.7, base - bh, color)
        if lit is not None:
            for wy in range(int(base - bh + 12), int(base - 8), 16):
                for wx in range(int(x + 8), int(x + bw - 10), 14):
                    if rng.random() < 0.35:
                        c.rect(wx, wy, wx + 6, wy + 8, lit)
        x += bw + rng.uniform(2, 14)


def waves(
    c: Canvas,
    y: float,
    amp: float,
    period: float,
    color: Color,
    phase: float,
    width: float = 3,
) -> None:
    pts = [(x, y + amp * math.sin(x / period + phase)) for x in range(0, W + 20, 12)]
    c.line(pts, color, width)


def water(
    c: Canvas, rng: random.Random, top: float, c0: RGB, c1: RGB, crest: Color
) -> None:
    c.gradient(top, H, c0, c1)
    y = top + 14
    while y < H:
        waves(
            c, y, rng.uniform(2, 6), rng.uniform(18, 40), crest, rng.uniform(0, 6.28), 2
        )
        y += rng.uniform(18, 34)


def house_top(
    c: Canvas, x: float, y: float, w: float, roof: Color, wall: Color
) -> None:
    c.rect(x + w * 0.1, y, x + w * 0.9, y + w * 0.35, wall)
    c.poly([(x, y + 2), (x + w / 2, y - w * 0.42), (x + w, y + 2)], roof)


def car_side(
    c: Canvas, x: float, y: float, length: float, body: Color, glass: Color
) -> None:
    """A saloon in profile; (x, y) is the left end of the ground line."""
    h = length * 0.28
    c.poly(
        [
            (x, y - h * 0.25),
            (x + length * 0.04, y - h * 0.62),
            (x + length * 0.28, y - h * 0.7),
            (x + length * 0.42, y - h * 1.12),
            (x + length * 0.72, y - h * 1.1),
            (x + length * 0.88, y - h * 0.68),
            (x + length, y - h * 0.55),
            (x + length, y - h * 0.2),
        ],
        body,
    )
    c.poly(
        [
            (x + length * 0.33, y - h * 0.72),
            (x + length * 0.44, y - h * 1.02),
            (x + length * 0.7, y - h * 1.0),
            (x + length * 0.82, y - h * 0.72),
        ],
        glass,
    )
    for wx in (0.2, 0.8):
        cx = x + length * wx
        c.circle(cx, y - h * 0.18, h * 0.3, fill=(25, 25, 30))
        c.circle(cx, y - h * 0.18, h * 0.13, fill=(170, 170, 178))


def turbine(
    c: Canvas, x: float, base: float, height: float, angle: float, color: Color
) -> None:
    c.poly(
        [(x - 5, base), (x - 2, base - height), (x + 2, base - height), (x + 5, base)],
        color,
    )
    hub = (x, base - height)
    blade = height * 0.55
    for k in range(3):
        a = angle + k * 2 * math.pi / 3
        tip = (hub[0] + blade * math.cos(a), hub[1] + blade * math.sin(a))
        side = (hub[0] + 9 * math.cos(a + 1.4), hub[1] + 9 * math.sin(a + 1.4))
        c.poly([hub, side, tip], color)
    c.circle(hub[0], hub[1], 6, fill=color)


def crane(
    c: Canvas,
    x: float,
    base: float,
    height: float,
    jib: float,
    color: Color,
    hook: float = 0.6,
) -> None:
    top = base - height
    c.line([(x - 6, base), (x - 6, top)], color, 3)
    c.line([(x + 6, base), (x + 6, top)], color, 3)
    y = base
    while y > top + 14:
        c.line([(x - 6, y), (x + 6, y - 14)], color, 1.5)
        y -= 14
    c.line([(x - jib * 0.3, top), (x + jib, top)], color, 4)
    c.line([(x, top - 26), (x + jib * 0.8, top)], color, 1.5)
    c.line([(x, top - 26), (x - jib * 0.3, top)], color, 1.5)
    c.rect(x - jib * 0.3, top, x - jib * 0.2, top + 16, color)
    hx = x + jib * hook
    c.line([(hx, top), (hx, top + height * 0.3)], color, 1)


def bars(
    c: Canvas,
    rng: random.Random,
    x0: float,
    x1: float,
    base: float,
    n: int,
    hmax: float,
    color: Color,
) -> None:
    step = (x1 - x0) / n
    for i in range(n):
        h = rng.uniform(0.2, 1.0) * hmax
        c.rect(
            x0 + i * step + step * 0.15,
            base - h,
            x0 + (i + 1) * step - step * 0.15,
            base,
            color,
        )


def grid(
    c: Canvas,
    x0: float,
    y0: float,
    x1: float,
    y1: float,
    dx: float,
    dy: float,
    color: Color,
) -> None:
    x = x0
    while x <= x1:
        c.line([(x, y0), (x, y1)], color, 1)
        x += dx
    y = y0
    while y <= y1:
        c.line([(x0, y), (x1, y)], color, 1)
        y += dy


def walk(
    rng: random.Random, n: int, start: float, drift: float, vol: float
) -> list[float]:
    v = start
    out = []
    for _ in range(n):
        v += drift + rng.uniform(-vol, vol)
        out.append(v)
    return out


# --------------------------------------------------------------------------- scenes


def floods_delta_aerial(rng: random.Random) -> Canvas:
    c = Canvas((150, 160, 170), (190, 195, 198), 0.32)
    c.rect(0, H * 0.30, W, H * 0.34, (110, 120, 100))
    water(c, rng, H * 0.34, (120, 110, 85), (80, 72, 55), (160, 150, 120, 150))
    for _ in range(22):
        x = rng.uniform(20, W - 60)
        y = rng.uniform(H * 0.42, H * 0.92)
        w = rng.uniform(30, 70) * (0.6 + y / H)
        house_top(
            c,
            x,
            y,
            w,
            rng.choice([(150, 60, 50), (90, 90, 100), (170, 120, 70)]),
            (200, 195, 185),
        )
    for _ in range(14):
        x, y = rng.uniform(0, W), rng.uniform(H * 0.38, H * 0.9)
        r = rng.uniform(14, 30)
        c.ellipse(x - r, y - r * 0.7, x + r, y + r * 0.5, fill=(60, 90, 55))
    return c


def floods_levee(rng: random.Random) -> Canvas:
    c = Canvas((110, 118, 130), (175, 178, 182), 0.55)
    water(c, rng, H * 0.5, (105, 100, 80), (70, 66, 50), (150, 140, 110, 160))
    c.poly([(420, H), (560, H * 0.46), (W, H * 0.46), (W, H)], (120, 100, 70))
    for row in range(5):
        y = H * 0.46 - row * 18
        x = 560 + row * 10
        while x < W:
            c.rrect(
                x,
                y - 18,
                x + 46,
                y,
                8,
                (196, 176, 120) if (row + int(x)) % 2 else (180, 160, 105),
            )
            x += 50
    for k in range(6):
        x = 640 + k * 90
        c.rect(x, H * 0.46 - 150, x + 14, H * 0.46 - 96, (240, 120, 20))
        c.circle(x + 7, H * 0.46 - 160, 10, fill=(235, 200, 160))
    return c


def floods_relief(rng: random.Random) -> Canvas:
    c = Canvas((200, 190, 170), (230, 220, 200), 0.28)
    skyline(c, rng, H * 0.3, (150, 140, 130), 20, 70)
    water(c, rng, H * 0.3, (140, 125, 95), (95, 85, 60), (180, 165, 130, 150))
    for hx in range(40, W, 170):
        house_top(
            c,
            hx + rng.uniform(-20, 20),
            H * 0.36 + rng.uniform(0, 40),
            80,
            (140, 70, 60),
            (210, 200, 190),
        )
    for k in range(4):
        x = 120 + k * 270 + rng.uniform(-30, 30)
        y = H * 0.62 + rng.uniform(0, 140)
        c.poly(
            [(x, y), (x + 190, y), (x + 165, y + 28), (x + 22, y + 28)], (230, 120, 40)
        )
        for p in range(3):
            px = x + 45 + p * 45
            c.rect(px - 9, y - 34, px + 9, y, (40, 60, 120))
            c.circle(px, y - 44, 10, fill=(220, 190, 150))
        c.line([(x + 170, y - 5), (x + 230, y + 60)], (90, 70, 40), 4)
    return c


def chips_circuit(rng: random.Random) -> Canvas:
    c = Canvas((8, 40, 35), (5, 20, 30))
    trace = (60, 190, 150)
    for _ in range(70):
        x, y = rng.randrange(0, W, 20), rng.randrange(0, H, 20)
        pts: list[Point] = [(x, y)]
        for _ in range(rng.randint(2, 5)):
            if rng.random() < 0.5:
                x += rng.choice([-1, 1]) * rng.randrange(40, 200, 20)
            else:
                y += rng.choice([-1, 1]) * rng.randrange(40, 160, 20)
            pts.append((x, y))
        c.line(pts, (*trace, 170), 3)
        c.circle(pts[-1][0], pts[-1][1], 6, fill=(200, 230, 120))
    c.rrect(470, 200, 730, 460, 12, (25, 30, 35))
    c.rrect(500, 230, 700, 430, 8, (55, 65, 75))
    for k in range(10):
        off = 215 + k * 25
        for a, b in ((455, 470), (730, 745)):
            c.rect(a, off, b, off + 10, (200, 200, 190))
        c.rect(off + 257, 185, off + 267, 200, (200, 200, 190))
        c.rect(off + 257, 460, off + 267, 475, (200, 200, 190))
    return c


def chips_wafer(rng: random.Random) -> Canvas:
    c = Canvas((20, 20, 40), (50, 30, 70))
    cx, cy, r = 600, 338, 290
    c.circle(cx, cy, r + 8, fill=(120, 120, 140))
    c.circle(cx, cy, r, fill=(70, 80, 120))
    size = 34
    for i in range(-9, 9):
        for j in range(-9, 9):
            x0, y0 = cx + i * size, cy + j * size
            corners = [
                (x0, y0),
                (x0 + size, y0),
                (x0, y0 + size),
                (x0 + size, y0 + size),
            ]
            if all(math.hypot(px - cx, py - cy) < r - 6 for px, py in corners):
                tint = rng.choice(
                    [(110, 140, 200), (150, 110, 190), (90, 170, 190), (120, 120, 170)]
                )
                c.rect(x0 + 2, y0 + 2, x0 + size - 2, y0 + size - 2, tint)
    c.ellipse(
        cx - r * 0.9,
        cy - r * 0.95,
        cx + r * 0.2,
        cy - r * 0.1,
        fill=(255, 255, 255, 45),
    )
    c.poly(
        [(cx - 20, cy + r - 2), (cx + 20, cy + r - 2), (cx, cy + r + 10)], (20, 20, 40)
    )
    return c


def property_skyline(rng: random.Random) -> Canvas:
    c = Canvas((250, 170, 120), (120, 80, 120), 0.85)
    c.circle(880, 330, 70, fill=(255, 220, 170))
    skyline(c, rng, H * 0.86, (150, 100, 130), 120, 300)
    skyline(c, rng, H * 0.9, (90, 60, 95), 80, 260, lit=(250, 210, 140))
    crane(c, 300, H * 0.9 - 180, 200, 220, (60, 40, 70))
    crane(c, 960, H * 0.9 - 220, 170, 180, (60, 40, 70))
    c.rect(0, H * 0.9, W, H, (50, 35, 60))
    return c


def property_cranes(rng: random.Random) -> Canvas:
    c = Canvas((170, 185, 200), (215, 220, 222), 0.86)
    c.rect(0, H * 0.86, W, H, (140, 130, 115))
    for k in range(5):
        x = 60 + k * 230 + rng.uniform(-20, 20)
        floors = rng.randint(14, 24)
        fw = rng.uniform(140, 180)
        for f in range(floors):
            y = H * 0.86 - f * 22
            c.rect(x, y - 4, x + fw, y, (120, 120, 125))
            if f < floors - rng.randint(2, 5):
                c.rect(x + 4, y - 22, x + fw - 4, y - 4, (175, 170, 160))
                for wx in range(int(x + 10), int(x + fw - 20), 26):
                    c.rect(wx, y - 18, wx + 16, y - 8, (95, 105, 115))
        for px in (x, x + fw / 2, x + fw - 6):
            c.rect(px, H * 0.86 - floors * 22, px + 6, H * 0.86, (110, 110, 115))
    crane(c, 330, H * 0.86, 520, 260, (215, 150, 30))
    crane(c, 880, H * 0.86, 470, 230, (215, 150, 30))
    return c


def property_showflat(rng: random.Random) -> Canvas:
    c = Canvas((180, 205, 225), (120, 150, 180))
    for col in range(9):
        for row in range(6):
            x0, y0 = col * 140 - 20, row * 120 - 30
            t = (col + row) / 14
            c.poly(
                [(x0, y0), (x0 + 130, y0 + 8), (x0 + 130, y0 + 118), (x0, y0 + 110)],
                (*mix((110, 150, 190), (230, 200, 170), t), 255),
            )
            if rng.random() < 0.4:
                c.poly(
                    [
                        (x0 + 20, y0 + 100),
                        (x0 + 100, y0 + 20),
                        (x0 + 118, y0 + 30),
                        (x0 + 38, y0 + 108),
                    ],
                    (255, 255, 255, 60),
                )
    grid(c, -20, -30, W + 140, H + 120, 140, 120, (60, 70, 80))
    c.rect(0, H * 0.78, W, H, (70, 60, 55))
    for k in range(6):
        x = 90 + k * 200
        c.rect(x, H * 0.45, x + 4, H * 0.78, (80, 80, 80))
        c.rect(
            x + 4, H * 0.45, x + 60, H * 0.45 + 120, CX_RED if k % 2 else (230, 180, 40)
        )
    return c


def housing_estate(rng: random.Random) -> Canvas:
    c = Canvas((190, 215, 235), (225, 235, 240), 0.6)
    c.rect(0, H * 0.6, W, H, (120, 160, 100))
    for row, (scale, y) in enumerate(((0.55, 0.6), (0.8, 0.8), (1.1, 1.02))):
        x = -40.0 + row * 30
        while x < W:
            bw, bh = 150 * scale, 260 * scale
            base = H * y
            col = mix((225, 215, 200), (190, 180, 170), row / 3)
            c.rect(x, base - bh, x + bw, base, col)
            c.rect(x, base - bh - 8 * scale, x + bw, base - bh, (150, 90, 70))
            for wy in range(
                int(base - bh + 14 * scale),
                int(base - 12 * scale),
                max(8, int(24 * scale)),
            ):
                for wx in range(
                    int(x + 12 * scale),
                    int(x + bw - 16 * scale),
                    max(8, int(28 * scale)),
                ):
                    c.rect(wx, wy, wx + 14 * scale, wy + 12 * scale, (110, 130, 150))
            x += bw + 60 * scale
        for _ in range(10):
            tx = rng.uniform(0, W)
            r = 22 * scale
            c.circle(tx, H * y - r * 0.6, r, fill=(70, 120, 70))
    return c


def ev_showroom(rng: random.Random) -> Canvas:
    c = Canvas((235, 236, 240), (200, 204, 210), 0.6)
    c.gradient(H * 0.6, H, (190, 195, 205), (150, 155, 168))
    for k in range(7):
        c.ellipse(60 + k * 170, 30, 160 + k * 170, 52, fill=(255, 255, 240))
    colors = [(200, 30, 45), (30, 60, 120), (235, 235, 235)]
    for k, body in enumerate(colors):
        x = 60 + k * 380
        car_side(c, x, H * 0.8, 340, body, (60, 80, 100))
        c.poly(
            [
                (x + 20, H * 0.8),
                (x + 320, H * 0.8),
                (x + 300, H * 0.86),
                (x + 40, H * 0.86),
            ],
            (*body[:3], 60),
        )
        c.rect(x + 130, H * 0.88, x + 210, H * 0.94, (250, 210, 40))
    c.rect(0, H * 0.32, W, H * 0.36, (120, 125, 135))
    return c


def ev_charging(rng: random.Random) -> Canvas:
    c = Canvas((30, 50, 90), (80, 130, 170), 0.72)
    c.rect(0, H * 0.72, W, H, (60, 62, 70))
    for k in range(4):
        x = 120 + k * 270
        c.rrect(x, H * 0.3, x + 70, H * 0.72, 10, (230, 235, 240))
        c.rect(x + 12, H * 0.34, x + 58, H * 0.42, (40, 200, 140))
        c.poly(
            [
                (x + 38, H * 0.46),
                (x + 24, H * 0.55),
                (x + 36, H * 0.55),
                (x + 30, H * 0.62),
                (x + 48, H * 0.5),
                (x + 36, H * 0.5),
            ],
            (40, 200, 140),
        )
    car_side(c, 380, H * 0.92, 420, (240, 240, 245), (50, 70, 90))
    c.line(
        [(460, H * 0.5), (470, H * 0.7), (520, H * 0.82), (600, H * 0.8)],
        (20, 20, 25),
        5,
    )
    for x in range(0, W, 60):
        c.rect(x, H * 0.96, x + 30, H * 0.97, (230, 200, 60))
    return c


def ev_lot(rng: random.Random) -> Canvas:
    c = Canvas((85, 88, 95), (70, 72, 80))
    palette = [
        (235, 235, 235),
        (30, 30, 35),
        (200, 30, 45),
        (40, 80, 150),
        (150, 155, 160),
        (60, 140, 120),
    ]
    for row in range(4):
        y = 40 + row * 160
        for k in range(15):
            x = 20 + k * 78
            c.rect(x - 4, y - 6, x - 1, y + 130, (235, 235, 220))
            if rng.random() < 0.88:
                body = rng.choice(palette)
                c.rrect(x + 6, y + 4, x + 66, y + 122, 18, body)
                c.rrect(x + 14, y + 30, x + 58, y + 56, 6, (40, 55, 70))
                c.rrect(x + 14, y + 82, x + 58, y + 100, 6, (40, 55, 70))
    c.rect(0, 0, W, 12, (230, 200, 60))
    return c


def factory_line(rng: random.Random) -> Canvas:
    c = Canvas((200, 205, 210), (160, 165, 172), 0.7)
    c.rect(0, H * 0.7, W, H, (90, 95, 100))
    c.rect(0, H * 0.66, W, H * 0.7, (50, 55, 60))
    for x in range(0, W, 30):
        c.circle(x + 15, H * 0.68, 6, fill=(130, 130, 135))
    for k in range(4):
        x = 60 + k * 300
        c.poly(
            [
                (x, H * 0.66),
                (x + 20, H * 0.56),
                (x + 90, H * 0.5),
                (x + 180, H * 0.5),
                (x + 220, H * 0.58),
                (x + 240, H * 0.66),
            ],
            (170, 175, 185),
        )
        arm_x = x + 260
        shoulder = (arm_x, H * 0.3)
        elbow = (arm_x - 60 + rng.uniform(-20, 20), H * 0.38)
        hand = (arm_x - 110, H * 0.48)
        c.rect(arm_x - 20, H * 0.3, arm_x + 20, H * 0.66, (235, 150, 30))
        c.line([shoulder, elbow, hand], (235, 150, 30), 16)
        for p in (shoulder, elbow, hand):
            c.circle(p[0], p[1], 12, fill=(60, 60, 65))
    for x in range(0, W, 200):
        c.rect(x, 0, x + 120, 24, (255, 255, 230))
    return c


def rates_chart(rng: random.Random) -> Canvas:
    c = Canvas((245, 240, 232), (232, 226, 216))
    grid(c, 80, 60, 1140, 600, 106, 90, (210, 200, 190))
    values = walk(rng, 40, 170, 9, 14)  # yields fall: the line drifts down
    pts = [(80 + i * (1060 / 39), max(100, min(580, v))) for i, v in enumerate(values)]
    area = [(80, 600), *pts, (1140, 600)]
    c.poly(area, (*CX_RED, 45))
    c.line(pts, CX_RED, 5)
    c.circle(pts[-1][0], pts[-1][1], 10, fill=CX_RED)
    bars(c, rng, 80, 1140, 600, 20, 80, (40, 60, 90, 120))
    c.line([(80, 600), (1140, 600)], (60, 60, 60), 2)
    return c


def markets_bars(rng: random.Random) -> Canvas:
    c = Canvas((14, 20, 32), (24, 32, 48))
    grid(c, 40, 40, 1160, 560, 80, 65, (40, 50, 70))
    price = 330.0
    for i in range(34):
        o = price
        cl = o + rng.uniform(-40, 40) - 2
        hi, lo = max(o, cl) + rng.uniform(5, 25), min(o, cl) - rng.uniform(5, 25)
        x = 60 + i * 32
        col = (220, 60, 70) if cl < o else (60, 200, 120)  # red falls, green rises
        c.line([(x + 10, hi), (x + 10, lo)], col, 2)
        c.rect(x + 2, min(o, cl), x + 18, max(o, cl) + 2, col)
        price = max(120, min(520, cl))
    bars(c, rng, 50, 1150, 650, 34, 70, (120, 130, 160, 140))
    return c


def markets_tickers(rng: random.Random) -> Canvas:
    c = Canvas((10, 25, 45), (30, 55, 90))
    grid(c, 0, 0, W, H, 100, 75, (45, 70, 100))
    for col, start, drift in (
        ((250, 190, 60), 400, -3),
        ((90, 200, 250), 300, 2),
        ((240, 90, 100), 500, -5),
    ):
        vals = walk(rng, 60, start, drift, 18)
        pts = [(i * (W / 59), max(40, min(640, v))) for i, v in enumerate(vals)]
        c.line(pts, (*col, 90), 12)
        c.line(pts, col, 4)
        c.circle(pts[-1][0] - 4, pts[-1][1], 9, fill=col)
    return c


def bank_facade(rng: random.Random) -> Canvas:
    c = Canvas((190, 205, 220), (235, 238, 240), 0.9)
    stone, shade = (225, 218, 200), (190, 180, 160)
    c.poly([(200, 210), (600, 60), (1000, 210)], stone)
    c.poly([(250, 195), (600, 85), (950, 195)], shade)
    c.rect(190, 210, 1010, 245, stone)
    for k in range(8):
        x = 230 + k * 100
        c.rect(x, 245, x + 46, 560, stone)
        for f in range(4):
            c.rect(x + 6 + f * 10, 255, x + 9 + f * 10, 550, shade)
        c.rect(x - 8, 550, x + 54, 570, stone)
    c.rect(190, 245, 1010, 560, (150, 140, 125, 60))
    for s in range(5):
        c.rect(
            150 - s * 20,
            570 + s * 20,
            1050 + s * 20,
            590 + s * 20,
            mix(stone, shade, s / 5),
        )
    c.rect(560, 380, 640, 560, (90, 70, 50))
    return c


def ai_network(rng: random.Random) -> Canvas:
    c = Canvas((25, 12, 45), (60, 25, 80))
    nodes = [(rng.uniform(40, W - 40), rng.uniform(40, H - 40)) for _ in range(48)]
    for a in nodes:
        near = sorted(nodes, key=lambda b: math.dist(a, b))[1:4]
        for b in near:
            c.line([a, b], (180, 120, 255, 110), 2)
    for i, (x, y) in enumerate(nodes):
        r = 6 + (i % 4) * 3
        c.circle(x, y, r + 8, fill=(200, 150, 255, 50))
        c.circle(x, y, r, fill=(235, 210, 255))
    return c


def data_center(rng: random.Random) -> Canvas:
    c = Canvas((15, 18, 25), (35, 40, 55))
    vx, vy = 600, 300
    for side in (-1, 1):
        for k in range(6):
            near = 600 + side * (560 - k * 80)
            far = 600 + side * (500 - k * 80)
            top_n, bot_n = 40 + k * 30, 640 - k * 30
            c.poly(
                [(near, top_n), (far, top_n + 30), (far, bot_n - 30), (near, bot_n)],
                (30 + k * 8, 35 + k * 8, 48 + k * 8),
            )
            for led in range(14):
                y = top_n + 30 + led * (bot_n - top_n - 60) / 14
                if rng.random() < 0.7:
                    col = rng.choice([(60, 220, 140), (80, 160, 255), (250, 180, 40)])
                    lx = near + (far - near) * rng.uniform(0.2, 0.8)
                    c.rect(lx, y, lx + 5, y + 3, col)
    c.poly([(520, 675), (680, 675), (vx + 10, vy), (vx - 10, vy)], (60, 70, 95))
    for k in range(5):
        c.rect(560, 40 + k * 40, 640, 44 + k * 40, (200, 220, 255, 90))
    return c


def port_containers(rng: random.Random) -> Canvas:
    c = Canvas((12, 18, 40), (40, 50, 85), 0.72)
    water(c, rng, H * 0.82, (20, 30, 55), (10, 15, 30), (90, 110, 160, 120))
    c.rect(0, H * 0.72, W, H * 0.82, (45, 45, 55))
    palette = [
        (200, 60, 50),
        (40, 110, 170),
        (220, 160, 40),
        (60, 140, 90),
        (150, 150, 160),
    ]
    for stack in range(16):
        x = 10 + stack * 74
        height = rng.randint(2, 6)
        for lvl in range(height):
            y = H * 0.72 - (lvl + 1) * 34
            c.rect(x, y, x + 70, y + 32, rng.choice(palette))
            for rib in range(6):
                c.rect(x + 6 + rib * 11, y + 4, x + 8 + rib * 11, y + 28, (0, 0, 0, 50))
    for gx in (260, 820):
        c.rect(gx, 80, gx + 16, H * 0.72, (220, 80, 40))
        c.rect(gx + 170, 80, gx + 186, H * 0.72, (220, 80, 40))
        c.rect(gx - 120, 70, gx + 320, 92, (220, 80, 40))
        c.rect(gx + 60, 92, gx + 120, 120, (230, 230, 230))
    for _ in range(30):
        c.circle(rng.uniform(0, W), rng.uniform(10, 60), 1.5, fill=(255, 255, 220))
    return c


def wind_turbines(rng: random.Random) -> Canvas:
    c = Canvas((110, 160, 215), (215, 230, 240), 0.7)
    c.poly(
        [
            (0, H * 0.68),
            (300, H * 0.6),
            (700, H * 0.66),
            (1000, H * 0.58),
            (W, H * 0.62),
            (W, H),
            (0, H),
        ],
        (120, 160, 110),
    )
    c.poly(
        [(0, H * 0.82), (400, H * 0.74), (800, H * 0.8), (W, H * 0.76), (W, H), (0, H)],
        (90, 135, 85),
    )
    for k, (x, base, height) in enumerate(
        (
            (150, 0.66, 300),
            (420, 0.64, 360),
            (720, 0.64, 250),
            (1000, 0.6, 330),
            (1120, 0.62, 180),
        )
    ):
        turbine(c, x, H * base, height, 0.35 + k * 0.9, (245, 247, 250))
    for k in range(3):
        c.ellipse(
            100 + k * 380,
            60 + k * 20,
            320 + k * 380,
            110 + k * 20,
            fill=(255, 255, 255, 150),
        )
    return c


def solar_field(rng: random.Random) -> Canvas:
    c = Canvas((120, 180, 230), (230, 225, 200), 0.42)
    c.rect(0, H * 0.42, W, H, (200, 185, 140))
    for row in range(7):
        y = H * 0.45 + row * row * 7 + row * 18
        depth = 0.4 + row * 0.12
        ph = 30 * depth
        x = -50.0
        while x < W:
            pw = 120 * depth
            c.poly(
                [(x, y + ph), (x + pw * 0.2, y), (x + pw * 1.2, y), (x + pw, y + ph)],
                (30, 50, 100),
            )
            for k in range(1, 4):
                fx = k / 4
                c.line(
                    [(x + pw * fx, y + ph), (x + pw * 0.2 + pw * fx, y)],
                    (90, 120, 170),
                    1,
                )
            c.line(
                [(x + pw * 0.1, y + ph / 2), (x + pw * 1.1, y + ph / 2)],
                (90, 120, 170),
                1,
            )
            x += pw * 1.15
    c.circle(1030, 90, 46, fill=(255, 240, 190))
    return c


def climate_summit(rng: random.Random) -> Canvas:
    c = Canvas((10, 60, 70), (20, 110, 110))
    cx, cy, r = 600, 300, 200
    c.circle(cx, cy, r, fill=(40, 140, 170))
    for k in range(1, 6):
        w = r * math.cos(k * math.pi / 12) if k < 6 else 0
        c.ellipse(cx - w, cy - r, cx + w, cy + r, outline=(200, 240, 230, 160), width=2)
    for k in range(-3, 4):
        y = cy + k * r / 4
        half = math.sqrt(max(0.0, r * r - (y - cy) ** 2))
        c.line([(cx - half, y), (cx + half, y)], (200, 240, 230, 160), 2)
    for _ in range(7):
        x, y = cx + rng.uniform(-150, 150), cy + rng.uniform(-140, 140)
        c.ellipse(x - 50, y - 25, x + 50, y + 25, fill=(90, 180, 100, 200))
    for row in range(4):
        box = (cx - 420 - row * 70, 480 - row * 10, cx + 420 + row * 70, 760 + row * 70)
        c.arc(box, 190, 350, (220, 200, 150), 16)
    return c


def smokestacks(rng: random.Random) -> Canvas:
    c = Canvas((200, 140, 90), (230, 200, 160), 0.78)
    c.rect(0, H * 0.78, W, H, (70, 60, 60))
    for k in range(5):
        x = 120 + k * 220
        c.poly(
            [
                (x, H * 0.78),
                (x + 14, H * 0.2 + k * 20),
                (x + 46, H * 0.2 + k * 20),
                (x + 60, H * 0.78),
            ],
            (90, 80, 80),
        )
        c.rect(x + 14, H * 0.26 + k * 20, x + 46, H * 0.26 + k * 20 + 10, (200, 60, 50))
        for p in range(6):
            sx = x + 30 + p * 40 + rng.uniform(-10, 10)
            sy = H * 0.2 + k * 20 - 30 - p * 28
            r = 30 + p * 12
            c.ellipse(
                sx - r, sy - r * 0.6, sx + r, sy + r * 0.6, fill=(110, 100, 100, 70)
            )
    skyline(c, rng, H * 0.8, (60, 50, 55), 30, 110)
    return c


def river_cleanup(rng: random.Random) -> Canvas:
    c = Canvas((180, 200, 205), (215, 225, 220), 0.35)
    c.poly([(0, H * 0.35), (W, H * 0.3), (W, H * 0.42), (0, H * 0.45)], (110, 140, 100))
    water(c, rng, H * 0.42, (90, 120, 120), (50, 80, 85), (160, 190, 185, 130))
    c.poly(
        [(0, H * 0.42), (W, H * 0.42), (W, H * 0.44), (0, H * 0.45)], (150, 170, 130)
    )
    debris = [
        (240, 240, 240),
        (230, 80, 60),
        (60, 130, 200),
        (250, 220, 70),
        (200, 200, 190),
    ]
    for _ in range(60):
        x, y = rng.uniform(0, W), rng.uniform(H * 0.48, H * 0.95)
        w = rng.uniform(6, 18)
        c.rrect(x, y, x + w, y + w * 0.5, 3, rng.choice(debris))
    c.line(
        [(120, H * 0.6), (420, H * 0.72), (760, H * 0.66), (1080, H * 0.78)],
        (240, 150, 40),
        5,
    )
    c.poly([(700, 560), (900, 560), (880, 600), (720, 600)], (235, 235, 230))
    c.rect(760, 520, 780, 560, (60, 80, 140))
    c.circle(770, 508, 10, fill=(220, 190, 150))
    return c


def rail_freight(rng: random.Random) -> Canvas:
    c = Canvas((150, 190, 225), (220, 225, 220), 0.62)
    c.poly(
        [(0, H * 0.62), (500, H * 0.52), (900, H * 0.6), (W, H * 0.55), (W, H), (0, H)],
        (120, 150, 110),
    )
    c.rect(0, H * 0.78, W, H * 0.8, (90, 80, 70))
    c.rect(0, H * 0.8, W, H * 0.82, (140, 140, 145))
    for x in range(0, W, 160):
        c.rect(x + 40, H * 0.25, x + 46, H * 0.78, (90, 90, 95))
        c.line([(x + 43, H * 0.28), (x + 203, H * 0.28)], (70, 70, 75), 2)
    c.rrect(40, H * 0.58, 260, H * 0.78, 10, CX_RED)
    c.rect(70, H * 0.6, 140, H * 0.66, (60, 80, 100))
    palette = [(40, 80, 140), (160, 90, 40), (70, 120, 80), (120, 120, 130)]
    x = 270
    while x < W:
        c.rect(x, H * 0.6, x + 150, H * 0.76, rng.choice(palette))
        for w in (20, 120):
            c.circle(x + w, H * 0.775, 10, fill=(30, 30, 30))
        x += 160
    return c


def harvest_fields(rng: random.Random) -> Canvas:
    c = Canvas((240, 160, 90), (250, 220, 160), 0.45)
    c.circle(600, H * 0.45, 80, fill=(255, 235, 190))
    vx = 600
    strips = [(215, 170, 70), (190, 150, 60), (225, 185, 90), (170, 140, 60)]
    edges = list(range(-2400, 3600, 300))
    for i in range(len(edges) - 1):
        c.poly(
            [(vx, H * 0.45), (edges[i], H), (edges[i + 1], H)], strips[i % len(strips)]
        )
    c.rect(0, H * 0.44, W, H * 0.46, (150, 110, 60))
    for _ in range(9):
        x, y = rng.uniform(40, W - 40), rng.uniform(H * 0.6, H * 0.95)
        r = 12 + (y - H * 0.5) / 10
        c.circle(x, y, r, fill=(200, 160, 70))
        c.circle(x, y, r * 0.5, outline=(160, 120, 50), width=2)
    c.rect(820, 330, 980, 390, (60, 120, 60))
    c.rect(860, 300, 930, 330, (60, 120, 60))
    c.rect(760, 350, 820, 370, (60, 120, 60))
    for w in (850, 950):
        c.circle(w, 395, 22, fill=(30, 30, 30))
    return c


def steel_coils(rng: random.Random) -> Canvas:
    c = Canvas((70, 80, 95), (120, 128, 140), 0.55)
    c.rect(0, H * 0.55, W, H, (95, 98, 105))
    for px in range(0, W, 150):
        c.rect(px, 0, px + 18, H * 0.55, (55, 60, 72))
    c.rect(0, 40, W, 62, (230, 170, 40))
    for row, (y, r) in enumerate(((H * 0.62, 70.0), (H * 0.78, 92.0))):
        x = 60.0 + row * 40
        while x < W + r:
            depth = r * 0.55
            body = mix((150, 158, 170), (190, 196, 205), rng.random())
            c.rect(x - depth, y - r, x, y + r, mix(body, (60, 65, 75), 0.35))
            c.ellipse(
                x - depth - r * 0.45,
                y - r,
                x - depth + r * 0.45,
                y + r,
                fill=mix(body, (60, 65, 75), 0.35),
            )
            c.ellipse(x - r * 0.45, y - r, x + r * 0.45, y + r, fill=body)
            for ring in range(1, 6):
                k = 1 - ring * 0.14
                c.ellipse(
                    x - r * 0.45 * k,
                    y - r * k,
                    x + r * 0.45 * k,
                    y + r * k,
                    outline=(110, 116, 128),
                    width=1.5,
                )
            c.ellipse(
                x - r * 0.12,
                y - r * 0.28,
                x + r * 0.12,
                y + r * 0.28,
                fill=(40, 42, 50),
            )
            x += r * 1.9
    return c


SCENES: dict[str, Callable[[random.Random], Canvas]] = {
    "floods-delta-aerial": floods_delta_aerial,
    "floods-levee": floods_levee,
    "floods-relief": floods_relief,
    "chips-circuit": chips_circuit,
    "chips-wafer": chips_wafer,
    "property-skyline": property_skyline,
    "property-cranes": property_cranes,
    "property-showflat": property_showflat,
    "housing-estate": housing_estate,
    "ev-showroom": ev_showroom,
    "ev-charging": ev_charging,
    "ev-lot": ev_lot,
    "factory-line": factory_line,
    "rates-chart": rates_chart,
    "markets-bars": markets_bars,
    "markets-tickers": markets_tickers,
    "bank-facade": bank_facade,
    "ai-network": ai_network,
    "data-center": data_center,
    "port-containers": port_containers,
    "wind-turbines": wind_turbines,
    "solar-field": solar_field,
    "climate-summit": climate_summit,
    "smokestacks": smokestacks,
    "river-cleanup": river_cleanup,
    "rail-freight": rail_freight,
    "harvest-fields": harvest_fields,
    "steel-coils": steel_coils,
}


# --------------------------------------------------------------------------- logo


def draw_logo(size: int = 256) -> Image.Image:
    """A red tile with 'CX' built from blocks; no font involved."""
    k = 4  # supersample
    n = size * k
    img = Image.new("RGBA", (n, n), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    u = n / 256  # design grid is 256 units

    def box(x0: float, y0: float, x1: float, y1: float, fill: RGB) -> None:
        d.rectangle([x0 * u, y0 * u, x1 * u, y1 * u], fill=fill)

    d.rounded_rectangle([0, 0, n - 1, n - 1], radius=36 * u, fill=CX_RED)
    white: RGB = (255, 255, 255)
    # C: a squared ring open on the right
    box(28, 68, 120, 188, white)
    box(58, 96, 130, 160, CX_RED)
    # X: two thick diagonal bars
    d.polygon(
        [(p[0] * u, p[1] * u) for p in ((134, 68), (166, 68), (228, 188), (196, 188))],
        fill=white,
    )
    d.polygon(
        [(p[0] * u, p[1] * u) for p in ((196, 68), (228, 68), (166, 188), (134, 188))],
        fill=white,
    )
    return img.resize((size, size), Image.Resampling.LANCZOS)


# --------------------------------------------------------------------------- main


def seed_for(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))


def write_jpeg(img: Image.Image, path: Path) -> int:
    img.save(path, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    size = path.stat().st_size
    if size > MAX_JPEG_BYTES:
        raise SystemExit(
            f"{path.name} is {size} bytes, over the {MAX_JPEG_BYTES} byte budget"
        )
    return size


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="output folder (default: content/images)",
    )
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    total = 0
    for name, scene in SCENES.items():
        img = scene(random.Random(seed_for(name))).finish()
        size = write_jpeg(img, out / f"{name}.jpg")
        total += size
        print(f"{name}.jpg {size:>7,} bytes")

    logo = draw_logo(256)
    logo.save(out / "cx-logo.png", optimize=True)
    draw_logo(64).save(out / "favicon.png", optimize=True)
    total += (out / "cx-logo.png").stat().st_size + (out / "favicon.png").stat().st_size
    print(f"cx-logo.png, favicon.png; total {total:,} bytes in {len(SCENES) + 2} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
