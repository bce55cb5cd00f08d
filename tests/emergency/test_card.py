"""The printable card: French accents, the allergies in the PDF text, a QR code that decodes.

The PDF is made with ``compress=False`` so that its content streams are plain
text: the core font writes Windows-1252 strings that the test reads back. The
QR code is drawn as vector squares; the test redraws those squares into an
image and decodes it with zxing-cpp, as a phone camera would read the print.
"""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageDraw

from carnet.emergency import qr
from carnet.emergency.card import card_pdf, printable
from carnet.services.emergency import Contact, Entered, build_profile, essentials
from carnet.services.emergency.essentials import card_content

from .emergency_helpers import PERSON, TODAY, evidence, household_records, qr_text

ENTERED = Entered(contacts=(Contact("Françoise Dupré", "06 12 34 56 78", "sœur"),), notes="Cœur fragile, à surveiller")


def profile():  # type: ignore[no-untyped-def]
    return build_profile(PERSON, evidence(*household_records()), ENTERED, {}, TODAY)


def pdf_strings(pdf: bytes) -> str:
    """Every ``(…) Tj`` string of the uncompressed PDF, decoded from Windows-1252."""
    found = re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", pdf)
    return "\n".join(re.sub(rb"\\(.)", rb"\1", s).decode("cp1252") for s in found)


def pages(pdf: bytes) -> list[bytes]:
    return re.findall(rb"stream\n(.*?)\nendstream", pdf, re.S)


def qr_from_page(stream: bytes) -> str:
    """Redraw the black squares of a page's content stream and decode the QR code they make."""
    black, squares = False, []
    for line in stream.decode("latin-1").splitlines():
        if line.endswith((" rg", " g")):
            black = line.split()[:-1] in (["0"], ["0", "0", "0"])
        elif line.endswith(" re f") and black:
            x, y, w, h = (float(v) for v in line.split()[:4])
            squares.append((x, y + h, w, -h) if h < 0 else (x, y, w, h))
    assert squares, "no QR code drawn on this page"
    left, bottom = min(s[0] for s in squares), min(s[1] for s in squares)
    right, top = max(s[0] + s[2] for s in squares), max(s[1] + s[3] for s in squares)
    scale, margin = 8, 40
    image = Image.new("L", (int((right - left) * scale) + 2 * margin, int((top - bottom) * scale) + 2 * margin), 255)
    draw = ImageDraw.Draw(image)
    for x, y, w, h in squares:
        x0, y0 = (x - left) * scale + margin, (top - (y + h)) * scale + margin
        draw.rectangle([x0, y0, x0 + w * scale - 1, y0 + h * scale - 1], fill=0)
    return qr_text(image)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_wallet_card_shows_allergies_first_and_fits_85_6_by_54_mm(lang: str) -> None:
    p = profile()
    pdf = card_pdf(card_content(p, lang), essentials(p, lang), "wallet", compress=False)
    assert pdf.startswith(b"%PDF-")
    assert b"/MediaBox [0 0 242.65 153.07]" in pdf  # 85.6 × 54 mm in points
    assert pdf.count(b"/Type /Page\n") == 2
    front = pdf_strings(pages(pdf)[0])
    title = "ALLERGIES ET INTOLÉRANCES" if lang == "fr" else "ALLERGIES AND INTOLERANCES"
    assert front.index(title) < front.index("Metformine 1000 mg")
    assert "• Allergie à la pénicilline (Œdème de Quincke) — " in front and "• Arachide" in front
    assert "A Rh+" in front and "Élise Lefèvre" in front


def test_french_accents_are_written_in_windows_1252() -> None:
    p = profile()
    pdf = card_pdf(card_content(p, "fr"), essentials(p, "fr"), "a4", compress=False)
    assert b"/Encoding /WinAnsiEncoding" in pdf
    text = pdf_strings(pdf)
    for word in ("Françoise Dupré", "sœur", "Cœur fragile, à surveiller", "Problèmes de santé".upper(), "né(e) le"):
        assert word in text, word
    assert "Françoise".encode("cp1252") in pdf and "œ".encode("cp1252") == b"\x9c"
    assert printable("≥ 2 mg · é") == "? 2 mg · é"


@pytest.mark.parametrize("fmt", ["wallet", "a4"])
def test_the_printed_qr_code_decodes_to_the_essentials(fmt: str) -> None:
    p = profile()
    text = essentials(p, "fr")
    pdf = card_pdf(card_content(p, "fr"), text, fmt, compress=False)
    back = pages(pdf)[-1]
    assert qr_from_page(back) == text
    assert "Allergie à la pénicilline" in text and "Françoise Dupré" in text


def test_a_shlink_can_be_the_qr_code_and_segno_png_decodes() -> None:
    link = "https://carnet.example/shl/view#shlink:/eyJ1cmwiOiJodHRwczovL2NhcmVudC5leGFtcGxlL3NobC94In0"
    assert qr_text(Image.open(io.BytesIO(qr.png(link)))) == link
    p = profile()
    pdf = card_pdf(card_content(p, "en"), link, "wallet", compress=False)
    assert qr_from_page(pages(pdf)[-1]) == link
    assert "Scan for the full summary" in pdf_strings(pdf)
