"""The printable emergency card (PDF, fpdf2): wallet size (85.6 × 54 mm, two sides) or A4.

Readable in ten seconds: allergies first, in red, then blood group,
pregnancy, conditions, medications and devices; on the back, whom to call,
the directives and a QR code. The QR holds the same essentials in clear
text (it works with no network), or a SMART Health Link when one is given.
The A4 page carries both sides of the card, 2.2 times larger, with cut lines.

The text uses the PDF core font Helvetica in the Windows-1252 encoding, which
covers French (é è à ç œ « » …): fpdf2 ships no TrueType font and none is
guaranteed on the machine. A character outside Windows-1252 prints as ``?``.
"""

from __future__ import annotations

from fpdf import FPDF

from carnet.emergency import qr
from carnet.services.emergency.essentials import CardContent
from carnet.services.emergency.wording import words

WALLET = (85.6, 54.0)
A4 = (210.0, 297.0)
A4_SCALE = 2.2
FORMATS = ("wallet", "a4")
RED = (176, 0, 32)
INK = (20, 24, 32)
GREY = (90, 98, 110)
WHITE = (255, 255, 255)
FONT = "Helvetica"
ENCODING = "windows-1252"
PT = 0.3528  # millimetres per point
Color = tuple[int, int, int]


def printable(text: str) -> str:
    """``text`` as the core fonts can print it: Windows-1252, anything else as ``?``."""
    return text.encode(ENCODING, "replace").decode(ENCODING)


class _Card(FPDF):
    """A PDF that draws one side of the card at (``ox``, ``oy``), ``scale`` times the wallet size."""

    def __init__(self, size: tuple[float, float]) -> None:
        super().__init__(unit="mm", format=size)
        self.core_fonts_encoding = ENCODING
        self.set_auto_page_break(False)
        self.set_creator("Carnet")
        self.set_margins(0, 0, 0)
        self.ox = self.oy = 0.0
        self.scale = 1.0

    def side(self, ox: float, oy: float, scale: float) -> None:
        self.ox, self.oy, self.scale = ox, oy, scale

    def fit(self, text: str, width: float) -> str:
        """``text`` cut with an ellipsis to fit ``width`` at the current font."""
        text = printable(" ".join(text.split()))
        if self.get_string_width(text) <= width:
            return text
        while text and self.get_string_width(text + "…") > width:
            text = text[:-1]
        return text.rstrip() + "…"

    def text_line(
        self, x: float, y: float, width: float, text: str, size: float, *, bold: bool = False, color: Color = INK
    ) -> float:
        """One line in card units (mm on the wallet card); returns the next y."""
        k = self.scale
        self.set_font(FONT, "B" if bold else "", size * k)
        self.set_text_color(*color)
        height = size * PT * 1.25
        self.set_xy(self.ox + x * k, self.oy + y * k)
        self.cell(width * k, height * k, self.fit(text, width * k))
        return y + height

    def wrapped(self, text: str, width: float, lines: int) -> list[str]:
        """``text`` on at most ``lines`` lines of ``width`` (card units), the last one cut if need be."""
        words_left = printable(text).split()
        found: list[str] = []
        limit = width * self.scale
        while words_left and len(found) < lines - 1:
            line = words_left.pop(0)
            while words_left and self.get_string_width(f"{line} {words_left[0]}") <= limit:
                line += " " + words_left.pop(0)
            found.append(line)
        if words_left:
            found.append(" ".join(words_left))
        return found

    def block(
        self,
        x: float,
        y: float,
        width: float,
        title: str,
        items: list[str],
        size: float,
        *,
        max_lines: int,
        more: str,
        color: Color = INK,
        wrap: int = 1,
    ) -> float:
        """A titled list, at most ``max_lines`` items (the rest counted as "+N more"), each on ``wrap`` lines."""
        y = self.text_line(x, y, width, title.upper(), size * 0.85, bold=True, color=color)
        shown = items if len(items) <= max_lines else [*items[: max_lines - 1], f"+{len(items) - max_lines + 1} {more}"]
        bold = color == RED
        for text in shown:
            self.set_font(FONT, "B" if bold else "", size * self.scale)
            for i, part in enumerate(self.wrapped(text, width - 3, wrap)):
                y = self.text_line(
                    x + 1, y, width - 1, ("• " if i == 0 else "   ") + part, size, bold=bold, color=color
                )
        return y + 0.6

    def box(self, x: float, y: float, w: float, h: float, color: Color) -> None:
        k = self.scale
        self.set_fill_color(*color)
        self.rect(self.ox + x * k, self.oy + y * k, w * k, h * k, style="F")

    def frame(self) -> None:
        """A thin grey cut line around the side."""
        self.set_draw_color(*GREY)
        self.set_line_width(0.2)
        self.rect(self.ox, self.oy, WALLET[0] * self.scale, WALLET[1] * self.scale)

    def qr_code(self, text: str, x: float, y: float, side: float) -> None:
        """The QR as vector squares (crisp at any print size)."""
        size, runs = qr.dark_runs(text)
        module = side / size
        self.box(x, y, side, side, WHITE)
        for row, col, length in runs:
            self.box(x + col * module, y + row * module, length * module + 0.01, module + 0.01, (0, 0, 0))


def _front(pdf: _Card, card: CardContent, w: dict[str, str]) -> None:
    """Who, and what changes the care: allergies, blood group, pregnancy, conditions, drugs, devices."""
    width, margin = WALLET[0], 3.0
    column = width - 2 * margin
    pdf.box(0, 0, width, 7, RED)
    pdf.text_line(margin, 1.3, column, f"{w['emergency']} · {card.title}", 9, bold=True, color=WHITE)
    y = pdf.text_line(margin, 8, column - 26, card.name, 10, bold=True)
    if card.born:
        y = pdf.text_line(margin, y, column - 26, f"{w['born']} {card.born}", 7, color=GREY)
    if card.blood_group:
        pdf.text_line(width - 28, 8, 25, w["blood_group"], 5.5, color=GREY)
        pdf.text_line(width - 28, 10.6, 25, card.blood_group, 9, bold=True, color=RED)
    y += 0.8
    allergies = card.allergies or [w["not_recorded"]]
    y = pdf.block(margin, y, column, w["allergies"], allergies, 7, max_lines=3, more=w["more"], color=RED)
    if card.pregnancy:
        y = pdf.text_line(
            margin, y, column, f"{w['pregnancy'].upper()}{w['colon']} {card.pregnancy}", 7, bold=True, color=RED
        )
    for key, items, lines in (
        ("conditions", card.conditions, 3),
        ("medications", card.medications, 4),
        ("devices", card.devices, 2),
    ):
        if items and y < WALLET[1] - 6:
            y = pdf.block(margin, y, column, w[key], items, 6.5, max_lines=lines, more=w["more"])


def _back(pdf: _Card, card: CardContent, qr_text: str, w: dict[str, str]) -> None:
    """Whom to call and what the person wants, beside the QR code."""
    width, margin, side = WALLET[0], 3.0, 31.0
    pdf.qr_code(qr_text, width - side - margin + 1.5, margin - 1.5, side)
    caption = w["scan"] if qr_text.startswith(("http", "shlink:")) else w["scan_text"]
    pdf.text_line(width - side - margin + 1.5, margin + side - 1.5, side, caption, 5, color=GREY)
    column = width - side - 2.5 * margin
    y = pdf.text_line(margin, margin, column, card.name, 8, bold=True)
    people = [*card.contacts]
    if card.trusted_person:
        people.append(f"{w['trusted_person']}{w['colon']} {card.trusted_person}")
    if card.doctor:
        people.append(f"{w['doctor']}{w['colon']} {card.doctor}")
    if people:
        y = pdf.block(margin, y, column, w["contacts"], people, 6.5, max_lines=4, more=w["more"], wrap=2)
    for key, value in (
        ("directives", card.directives),
        ("organ_donation", card.organ_donation),
        ("alerts", card.notes),
    ):
        if value and y < WALLET[1] - 8:
            y = pdf.block(margin, y, column, w[key], [value], 6.5, max_lines=1, more=w["more"], wrap=2)
    pdf.text_line(margin, WALLET[1] - 5, column, f"{w['made_on']} {card.made_on} · Carnet", 5, color=GREY)


def card_pdf(card: CardContent, qr_text: str, fmt: str = "wallet", *, compress: bool = True) -> bytes:
    """The card as PDF bytes: ``wallet`` (front and back pages) or ``a4`` (both sides on one page)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown card format {fmt!r}: use wallet or a4")
    w = words(card.lang)
    pdf = _Card(WALLET if fmt == "wallet" else A4)
    pdf.compress = compress
    pdf.set_title(printable(f"{card.title} — {card.name}"))
    pdf.add_page()
    if fmt == "wallet":
        _front(pdf, card, w)
        pdf.add_page()
        _back(pdf, card, qr_text, w)
    else:
        left = (A4[0] - WALLET[0] * A4_SCALE) / 2
        pdf.side(left, 15, A4_SCALE)
        _front(pdf, card, w)
        pdf.frame()
        pdf.side(left, 15 + WALLET[1] * A4_SCALE + 12, A4_SCALE)
        _back(pdf, card, qr_text, w)
        pdf.frame()
    return bytes(pdf.output())
