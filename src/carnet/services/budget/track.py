"""Track: what care cost, who paid it, by year, month, post, provider or person.

Every total is per currency: a household with French (EUR) and US (USD) lines
gets one total per currency, never one mixed figure. Amounts are cents.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from carnet.services.budget.categories import CATEGORIES
from carnet.services.budget.lines import Entry


class By(StrEnum):
    """How rows are grouped."""

    YEAR = "year"
    MONTH = "month"
    CATEGORY = "category"
    PROVIDER = "provider"
    PERSON = "person"


#: the amounts a total holds, in display order
AMOUNTS: tuple[str, ...] = ("charged", "amo", "amc", "fixed", "overbilling", "oop")


@dataclass(frozen=True, slots=True)
class Totals:
    """Sums of lines in one currency (cents)."""

    currency: str
    lines: int = 0
    charged: int = 0
    amo: int = 0
    amc: int = 0
    fixed: int = 0
    overbilling: int = 0
    oop: int = 0

    def share(self, amount: str) -> float:
        """Part of the price ``amount`` stands for (0 when nothing was charged)."""
        value: int = getattr(self, amount)
        return value / self.charged if self.charged else 0.0


@dataclass(frozen=True, slots=True)
class Row:
    """The totals of one group (``key``) in one currency."""

    key: str
    totals: Totals


@dataclass(frozen=True, slots=True)
class Summary:
    """Rows grouped ``by`` one dimension, and the grand totals, per currency."""

    by: By
    year: str | None
    rows: tuple[Row, ...]
    totals: tuple[Totals, ...]

    def total(self, currency: str) -> Totals:
        return next((t for t in self.totals if t.currency == currency), Totals(currency))


def _key(entry: Entry, by: By) -> str:
    if by is By.YEAR:
        return entry.year or "?"
    if by is By.MONTH:
        return entry.month or "?"
    if by is By.CATEGORY:
        return entry.category
    if by is By.PROVIDER:
        return entry.provider or ""
    return str(entry.person_id)


def _freeze(currency: str, acc: list[int]) -> Totals:
    return Totals(currency, *acc)


def add_up(entries: Iterable[Entry], by: By) -> dict[tuple[str, str], list[int]]:
    """``(key, currency) → [lines, charged, amo, amc, fixed, overbilling, oop]``."""
    groups: dict[tuple[str, str], list[int]] = {}
    for e in entries:
        k = (_key(e, by), e.currency)
        acc = groups.get(k)
        if acc is None:
            groups[k] = [1, e.charged, e.amo, e.amc, e.fixed, e.overbilling, e.oop]
        else:
            acc[0] += 1
            acc[1] += e.charged
            acc[2] += e.amo
            acc[3] += e.amc
            acc[4] += e.fixed
            acc[5] += e.overbilling
            acc[6] += e.oop
    return groups


def _order(by: By, key: str) -> tuple[int, str]:
    if by is By.CATEGORY:
        return (CATEGORIES.index(key) if key in CATEGORIES else len(CATEGORIES), key)
    return (0, key.casefold())


def in_year(entries: Iterable[Entry], year: str | None) -> list[Entry]:
    """The entries of ``year`` (``"2025"``), or all of them."""
    if not year:
        return list(entries)
    return [e for e in entries if e.day is not None and e.day.startswith(year)]


def summarize(entries: Iterable[Entry], by: By | str = By.MONTH, year: str | None = None) -> Summary:
    """Totals per group and per currency; groups in a natural order (months ascending,
    posts in the order of ``CATEGORIES``, providers and people by name or id)."""
    by = By(by)
    chosen = in_year(entries, year)
    groups = add_up(chosen, by)
    rows = sorted((Row(key, _freeze(cur, acc)) for (key, cur), acc in groups.items()),
                  key=lambda r: (_order(by, r.key), r.totals.currency != "EUR", r.totals.currency))
    totals: dict[str, list[int]] = {}
    for (_, cur), acc in groups.items():
        sums = totals.setdefault(cur, [0] * 7)
        for i, value in enumerate(acc):
            sums[i] += value
    grand = tuple(_freeze(cur, acc) for cur, acc in sorted(totals.items(), key=lambda kv: (kv[0] != "EUR", kv[0])))
    return Summary(by=by, year=year, rows=tuple(rows), totals=grand)


def years(entries: Iterable[Entry]) -> list[str]:
    """Years with at least one dated line, newest first."""
    return sorted({e.year for e in entries if e.day}, reverse=True)


def months_of(year: str) -> list[str]:
    """The twelve months of ``year`` (``2025-01`` … ``2025-12``)."""
    return [f"{year}-{m:02d}" for m in range(1, 13)]


def monthly(entries: Iterable[Entry], year: str, currency: str) -> list[Totals]:
    """Twelve totals, January to December of ``year``, in ``currency`` (for charts)."""
    groups = add_up((e for e in entries if e.currency == currency and e.day and e.day.startswith(year)), By.MONTH)
    return [_freeze(currency, groups.get((m, currency), [0] * 7)) for m in months_of(year)]
