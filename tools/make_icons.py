#!/usr/bin/env python3
"""Draws the app's home-screen icons (two figures side by side, 寄り添い) as PNG files.

Run once after changing the design: python3 tools/make_icons.py. Pure standard library.
"""
import math
import struct
import zlib
from pathlib import Path

TEAL = (31, 95, 91)
CREAM = (247, 245, 240)
SAND = (232, 196, 140)


def shapes(size, inset):
    """Circles and capsules in unit coordinates, scaled into the safe area."""
    s = size * (1 - 2 * inset)
    o = size * inset

    def p(x, y):
        return (o + x * s, o + y * s)

    return [
        ("circle", p(0.38, 0.33), 0.11 * s, CREAM),
        ("capsule", p(0.38, 0.58), p(0.38, 0.78), 0.15 * s, CREAM),
        ("circle", p(0.63, 0.38), 0.095 * s, SAND),
        ("capsule", p(0.63, 0.62), p(0.63, 0.78), 0.13 * s, SAND),
    ]


def coverage(distance):
    return max(0.0, min(1.0, 0.5 - distance))


def draw(size, rounded, inset):
    radius = size * 0.22 if rounded else 0
    items = shapes(size, inset)
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            px, py = x + 0.5, y + 0.5
            # Background: a rounded square (or the full square for maskable icons).
            dx = max(radius - px, 0, px - (size - radius))
            dy = max(radius - py, 0, py - (size - radius))
            bg = coverage(math.hypot(dx, dy) - radius) if radius else 1.0
            color = list(TEAL)
            for item in items:
                if item[0] == "circle":
                    (cx, cy), r, c = item[1], item[2], item[3]
                    d = math.hypot(px - cx, py - cy) - r
                else:
                    (ax, ay), (bx, by), r, c = item[1], item[2], item[3], item[4]
                    t = max(0.0, min(1.0, (py - ay) / (by - ay)))
                    d = math.hypot(px - ax, py - (ay + t * (by - ay))) - r
                a = coverage(d)
                if a:
                    color = [round(color[i] * (1 - a) + c[i] * a) for i in range(3)]
            row += bytes(color) + bytes([round(255 * bg)])
        rows.append(bytes(row))
    return png(size, size, b"".join(rows))


def png(width, height, raw):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    out = Path(__file__).resolve().parent.parent / "app" / "public" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    (out / "icon-192.png").write_bytes(draw(192, True, 0.08))
    (out / "icon-512.png").write_bytes(draw(512, True, 0.08))
    # Maskable icons are cropped to a circle by some launchers: keep the figures in the middle.
    (out / "icon-maskable-512.png").write_bytes(draw(512, False, 0.2))
