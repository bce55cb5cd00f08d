"""QR codes (segno), error correction level M as the SMART Health Links spec recommends."""

from __future__ import annotations

import io

import segno

ERROR = "m"
BORDER = 4  # quiet zone, in modules


def make(text: str) -> segno.QRCode:
    return segno.make(text, error=ERROR, micro=False)


def svg(text: str, *, title: str, scale: int = 4) -> str:
    """Inline SVG markup (no XML declaration, no script): safe to put in a page as is."""
    out = io.BytesIO()
    make(text).save(
        out,
        kind="svg",
        scale=scale,
        border=BORDER,
        xmldecl=False,
        svgns=True,
        title=title,
        svgclass="qr",
        lineclass=None,
        dark="#000",
        light="#fff",
    )
    return out.getvalue().decode("utf-8")


def png(text: str, *, scale: int = 6) -> bytes:
    out = io.BytesIO()
    make(text).save(out, kind="png", scale=scale, border=BORDER)
    return out.getvalue()


def terminal(text: str) -> str:
    """The code drawn with block characters, for the CLI."""
    out = io.StringIO()
    make(text).terminal(out=out, compact=True, border=2)
    return out.getvalue()


def dark_runs(text: str) -> tuple[int, list[tuple[int, int, int]]]:
    """(size in modules with the quiet zone, [(row, first column, length)] of dark runs) for vector drawing."""
    matrix = make(text).matrix
    size = len(matrix) + 2 * BORDER
    runs: list[tuple[int, int, int]] = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append((y + BORDER, start + BORDER, x - start))
            else:
                x += 1
    return size, runs
