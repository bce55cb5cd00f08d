"""Amounts in cents, written for people (French, English) and for JSON.

The budget works in integer cents with the currency beside them. These
helpers write them: ``1 234,50 €`` in French, ``€1,234.50`` in English,
``"1234.50"`` in JSON (a string, so no floating point creeps in).
"""

from __future__ import annotations

from decimal import Decimal

SYMBOLS_EN: dict[str, str] = {"EUR": "€", "USD": "$", "GBP": "£"}


def to_decimal(cents: int) -> Decimal:
    """Cents as euros (or dollars): ``1250`` → ``Decimal('12.50')``."""
    return Decimal(cents).scaleb(-2)


def from_decimal(amount: Decimal) -> int:
    """Euros (or dollars) as cents, rounded half up."""
    return int((amount * 100).quantize(Decimal(1), rounding="ROUND_HALF_UP"))


def json_amount(cents: int | None) -> str | None:
    """``"12.50"`` (a string: exact)."""
    if cents is None:
        return None
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"


def _grouped(cents: int, sep: str, point: str) -> str:
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole:,}".replace(",", sep) + f"{point}{part:02d}"


def amount_fr(cents: int, currency: str = "EUR") -> str:
    """``1 234,50 €`` (a narrow no-break space groups thousands), ``12,00 USD``."""
    text = _grouped(cents, "\u202f", ",")
    return f"{text}\u00a0€" if currency == "EUR" else f"{text}\u00a0{currency}"


def amount_en(cents: int, currency: str = "EUR") -> str:
    """``€1,234.50``, ``$12.00``, ``12.00 XXX``."""
    text = _grouped(cents, ",", ".")
    symbol = SYMBOLS_EN.get(currency)
    if symbol is None:
        return f"{text} {currency}"
    return f"-{symbol}{text[1:]}" if text.startswith("-") else f"{symbol}{text}"


def amount(cents: int, currency: str, language: str) -> str:
    return amount_fr(cents, currency) if language == "fr" else amount_en(cents, currency)


def whole(cents: int, currency: str, language: str) -> str:
    """Rounded to the unit, for charts and forecasts: ``1 235 €``, ``€1,235``."""
    units = (abs(cents) + 50) // 100 * (1 if cents >= 0 else -1)
    if language == "fr":
        text = f"{units:,}".replace(",", "\u202f")
        return f"{text}\u00a0€" if currency == "EUR" else f"{text}\u00a0{currency}"
    symbol = SYMBOLS_EN.get(currency)
    return f"{symbol}{units:,}" if symbol else f"{units:,} {currency}"
