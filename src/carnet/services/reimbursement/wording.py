"""Money, rates and dates written for people, in French and in English."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def cents(amount: Decimal) -> Decimal:
    """``amount`` rounded to the cent, half up (the usual commercial rounding)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _grouped(amount: Decimal) -> tuple[str, str]:
    text = f"{cents(amount):,.2f}"
    whole, _, decimals = text.partition(".")
    return whole, decimals


def eur_fr(amount: Decimal) -> str:
    """``1 234,50 €``."""
    whole, decimals = _grouped(amount)
    return f"{whole.replace(',', ' ')},{decimals} €"


def eur_en(amount: Decimal) -> str:
    """``€1,234.50``."""
    whole, decimals = _grouped(amount)
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}€{whole.lstrip('-')}.{decimals}"


def pct(rate: Decimal) -> str:
    """A fraction as a percent: ``0.70`` → ``70 %``, ``0.125`` → ``12.5 %``."""
    value = (rate * 100).normalize()
    text = f"{value:f}"
    return f"{text} %"


def pct_fr(rate: Decimal) -> str:
    return pct(rate).replace(".", ",")


def day_fr(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def day_en(day: date) -> str:
    return day.isoformat()


def since_fr(start: date | None) -> str:
    return f"en vigueur depuis le {day_fr(start)}" if start else "en vigueur"


def since_en(start: date | None) -> str:
    return f"in force since {day_en(start)}" if start else "in force"
