"""What the budget pages draw and write: SVG chart geometry, labels, money in the page's language.

Charts are server-rendered SVG (no script, no inline style: the strict CSP
holds); colours come from classes in ``static/budget.css``. Every bar has a
``<title>`` with its figure, and every chart has a table of the same figures
next to it, so nothing is only visual.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache

from babel.dates import format_skeleton

from carnet.rules import load_contracts, load_rules
from carnet.services.budget.money import amount, whole
from carnet.services.budget.track import Row, Totals
from carnet.services.reimbursement import Contract, FrenchRules
from carnet.store.budget import load_delays
from carnet.web.i18n import LANGUAGES, N_, Formats

Gettext = Callable[[str], str]

CATEGORY_LABELS: dict[str, str] = {
    "gp": N_("General practitioner"),
    "specialist": N_("Specialists"),
    "pharmacy": N_("Pharmacy"),
    "dental": N_("Dental"),
    "optics": N_("Optics"),
    "hearing": N_("Hearing"),
    "hospital": N_("Hospital"),
    "biology": N_("Laboratory"),
    "imaging": N_("Imaging"),
    "auxiliary": N_("Nurses, physiotherapists"),
    "transport": N_("Transport"),
    "other": N_("Other care"),
}
#: the three payers of a price, in stacking order: (amount of Totals, CSS class, label)
PAYERS: tuple[tuple[str, str, str], ...] = (
    ("amo", "amo", N_("Assurance Maladie")),
    ("amc", "amc", N_("Mutuelle")),
    ("oop", "oop", N_("Out-of-pocket")),
)
STATUS_LABELS: dict[str, str] = {
    "over": N_("Ceiling already crossed"),
    "expected": N_("Expected to cross the ceiling"),
    "possible": N_("May cross the ceiling"),
    "ok": N_("Below the ceiling"),
}
PART_LABELS: dict[str, str] = {
    "regular": N_("usual care"),
    "recurring": N_("recurring care"),
    "renewal": N_("renewal due"),
    "upcoming": N_("planned care"),
}
SOURCE_LABELS: dict[str, str] = {
    "stored": N_("Explanation given by the insurer with the line"),
    "recomputed": N_("Recomputed by Carnet from the line's facts"),
    "amounts": N_("Only the line's amounts are known"),
}
WHY_LABELS: dict[str, str] = {
    "fixed": N_("Participation forfaitaire and franchises"),
    "overbilling": N_("Fees above the base not covered"),
    "ticket_moderateur": N_("Part of the base not covered"),
    "other": N_("Not covered"),
}


@cache
def rules() -> FrenchRules:
    """The French rules (read once)."""
    return load_rules()


@cache
def shipped_contracts() -> tuple[Contract, ...]:
    """The shipped contracts (read once)."""
    return load_contracts()


def preload() -> None:
    """Read the rules, the shipped contracts, the usual delays and each language's calendar
    (Babel's locale data) now rather than on a first page."""
    rules()
    shipped_contracts()
    load_delays()
    for lang in LANGUAGES:
        fmt = Money(lang)
        fmt.month("2024-01"), fmt.month("2024-01", wide=True)


class Money:
    """Amounts (cents) in the page's language: ``fmt.money(1250, "EUR")`` → ``12,50 €``."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.formats = Formats(lang)
        self.months = self.formats.locale.months["format"]["abbreviated"]
        self._days: dict[str, str] = {}

    def day(self, iso: str | None) -> str:
        """``2025-03-05`` → ``5 mars 2025`` / ``Mar 5, 2025`` (Babel's medium date, without its per-call cost)."""
        if not iso:
            return ""
        found = self._days.get(iso)
        if found is None:
            try:
                year, month, day = int(iso[:4]), int(iso[5:7]), int(iso[8:10])
                name = self.months[month]
            except (ValueError, KeyError):
                return iso
            found = f"{day} {name} {year}" if self.lang == "fr" else f"{name} {day}, {year}"
            self._days[iso] = found
        return found

    def money(self, cents: int | None, currency: str = "EUR") -> str:
        return "" if cents is None else amount(cents, currency, self.lang)

    def round(self, cents: int, currency: str = "EUR") -> str:
        return whole(cents, currency, self.lang)

    def month(self, key: str, wide: bool = False) -> str:
        """``2025-03`` → ``mars 2025`` (or ``mars`` in a chart's axis)."""
        if len(key) != 7:
            return key
        day = dt.date(int(key[:4]), int(key[5:7]), 1)
        return str(format_skeleton("yMMM" if wide else "MMM", day, locale=self.formats.locale))

    def percent(self, value: float) -> str:
        return f"{round(value * 100)} %" if self.lang == "fr" else f"{round(value * 100)}%"


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    #: (x, y, text, anchor) labels
    labels: list[tuple[float, float, str, str]] = field(default_factory=list)
    #: horizontal grid lines (y, text)
    grid: list[tuple[float, str]] = field(default_factory=list)


def _nice(top: int) -> int:
    """A round axis maximum at or above ``top`` (cents)."""
    if top <= 0:
        return 100
    step = 10 ** (len(str(top)) - 1)
    for factor in (1, 2, 2.5, 5, 10):
        if factor * step >= top:
            return int(factor * step)
    return top


def monthly_chart(months: Sequence[str], totals: Sequence[Totals], fmt: Money, tr: Gettext,
                  currency: str) -> Chart:
    """Stacked bars, one per month: AMO, mutuelle, out-of-pocket."""
    width, height, left, bottom, top_pad = 720, 260, 64, 28, 12
    top = _nice(max((t.amo + t.amc + t.oop for t in totals), default=0))
    slot = (width - left - 8) / max(1, len(months))
    scale = (height - bottom - top_pad) / top
    chart = Chart(width, height)
    for i in range(5):
        value = top * i // 4
        chart.grid.append((height - bottom - value * scale, fmt.round(value, currency)))
    for i, (month, t) in enumerate(zip(months, totals, strict=True)):
        x, y = left + i * slot + slot * 0.15, float(height - bottom)
        for name, css, label in PAYERS:
            value = max(0, getattr(t, name))
            h = value * scale
            if h > 0:
                chart.bars.append(Bar(round(x, 1), round(y - h, 1), round(slot * 0.7, 1), round(h, 1), css,
                                      f"{fmt.month(month, True)} · {tr(label)} : {fmt.money(value, currency)}"))
                y -= h
        chart.labels.append((round(left + i * slot + slot / 2, 1), height - 8, fmt.month(month), "middle"))
    return chart


def category_chart(rows: Sequence[Row], fmt: Money, tr: Gettext, currency: str) -> Chart:
    """Horizontal stacked bars, one per post: AMO, mutuelle, out-of-pocket."""
    chosen = [r for r in rows if r.totals.currency == currency]
    row_h, left, right = 30, 190, 110
    width, height = 720, max(60, row_h * len(chosen) + 10)
    top = max((r.totals.amo + r.totals.amc + r.totals.oop for r in chosen), default=0) or 100
    scale = (width - left - right) / top
    chart = Chart(width, height)
    for i, r in enumerate(chosen):
        y, x = 6 + i * row_h, float(left)
        name = tr(CATEGORY_LABELS.get(r.key, r.key))
        chart.labels.append((left - 8, y + row_h / 2 + 4, name, "end"))
        for amount_name, css, label in PAYERS:
            value = max(0, getattr(r.totals, amount_name))
            w = value * scale
            if w > 0:
                chart.bars.append(Bar(round(x, 1), y + 3, round(w, 1), row_h - 10, css,
                                      f"{name} · {tr(label)} : {fmt.money(value, currency)}"))
                x += w
        chart.labels.append((round(x + 6, 1), y + row_h / 2 + 4, fmt.round(r.totals.charged, currency), "start"))
    return chart


def forecast_chart(months: Sequence[str], values: Sequence[int], fmt: Money, currency: str) -> Chart:
    """One bar per forecast month (out-of-pocket expected)."""
    width, height, left, bottom, top_pad = 720, 200, 64, 28, 12
    top = _nice(max(values, default=0))
    slot = (width - left - 8) / max(1, len(months))
    scale = (height - bottom - top_pad) / top
    chart = Chart(width, height)
    for i in range(5):
        value = top * i // 4
        chart.grid.append((height - bottom - value * scale, fmt.round(value, currency)))
    for i, (month, value) in enumerate(zip(months, values, strict=True)):
        h = max(0, value) * scale
        chart.bars.append(Bar(round(left + i * slot + slot * 0.15, 1), round(height - bottom - h, 1),
                              round(slot * 0.7, 1), round(h, 1), "forecast",
                              f"{fmt.month(month, True)} : {fmt.money(value, currency)}"))
        chart.labels.append((round(left + i * slot + slot / 2, 1), height - 8, fmt.month(month), "middle"))
    return chart
