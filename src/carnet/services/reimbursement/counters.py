"""Running per-person counters: what was already charged this calendar year.

Caps (participation forfaitaire and franchises per day and per year, contract
yearly caps) and renewal periods need to know the person's past acts. The
engine reads a :class:`Counters` value and returns an updated copy; it never
changes one in place. Start a person with ``Counters.start(year)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from types import MappingProxyType

ZERO = Decimal("0.00")


def _empty_amounts() -> Mapping[str, Decimal]:
    return MappingProxyType({})


def _empty_counts() -> Mapping[str, int]:
    return MappingProxyType({})


def _empty_dates() -> Mapping[str, date]:
    return MappingProxyType({})


def day_key(day: date, *parts: str) -> str:
    """Key of a per-day counter: ``2025-03-04|box|practitioner``."""
    return "|".join((day.isoformat(), *parts))


@dataclass(frozen=True)
class Counters:
    """Totals of one person for one calendar year (amounts in euros).

    ``pending`` (participations and franchises due but not yet withheld,
    because the act's reimbursement was too small) and ``last_equipment``
    (date of the last covered optics or hearing equipment) carry over to the
    next year; every other counter starts again at zero on 1 January.
    """

    year: int
    #: participation forfaitaire due this year
    pf_total: Decimal = ZERO
    #: franchises médicales due this year (all kinds together)
    franchise_total: Decimal = ZERO
    #: participations counted per ``day|practitioner``
    pf_daily: Mapping[str, int] = field(default_factory=_empty_counts)
    #: franchise euros counted per ``day|kind[|practitioner]``
    franchise_daily: Mapping[str, Decimal] = field(default_factory=_empty_amounts)
    #: mutuelle euros paid per ``contract:line`` or ``contract:cap``
    contract_paid: Mapping[str, Decimal] = field(default_factory=_empty_amounts)
    #: units paid per ``contract:line`` (for per-year counts)
    contract_units: Mapping[str, int] = field(default_factory=_empty_counts)
    pending: Decimal = ZERO
    #: renewal group (``optics``, ``hearing``) → day of the last covered equipment
    last_equipment: Mapping[str, date] = field(default_factory=_empty_dates)

    @classmethod
    def start(cls, year: int) -> Counters:
        """Fresh counters for ``year``."""
        return cls(year=year)

    def for_day(self, day: date) -> Counters:
        """These counters, or the next year's when ``day`` is in a later year.

        Raises ``ValueError`` for a day in an earlier year (acts go in date order).
        """
        if day.year == self.year:
            return self
        if day.year < self.year:
            raise ValueError(f"act of {day.isoformat()} after counters of {self.year}")
        return Counters(
            year=day.year, pending=self.pending, last_equipment=self.last_equipment
        )

    def pf_count(self, key: str) -> int:
        return self.pf_daily.get(key, 0)

    def franchise_on(self, key: str) -> Decimal:
        return self.franchise_daily.get(key, ZERO)

    def paid_on(self, key: str) -> Decimal:
        return self.contract_paid.get(key, ZERO)

    def units_on(self, key: str) -> int:
        return self.contract_units.get(key, 0)

    def with_pf(self, key: str, count: int, amount: Decimal) -> Counters:
        """Add ``count`` participations worth ``amount`` on the day key."""
        if count == 0:
            return self
        daily = dict(self.pf_daily)
        daily[key] = daily.get(key, 0) + count
        return replace(
            self, pf_total=self.pf_total + amount, pf_daily=MappingProxyType(daily)
        )

    def with_franchise(self, key: str | None, amount: Decimal) -> Counters:
        """Add ``amount`` of franchise, on the day key when it has a daily cap."""
        if amount == 0:
            return self
        daily = dict(self.franchise_daily)
        if key is not None:
            daily[key] = daily.get(key, ZERO) + amount
        return replace(
            self,
            franchise_total=self.franchise_total + amount,
            franchise_daily=MappingProxyType(daily),
        )

    def with_contract(self, keys: tuple[str, ...], amount: Decimal, units_key: str,
                      units: int) -> Counters:
        """Add a mutuelle payment to each cap key and its units to the line."""
        paid = dict(self.contract_paid)
        for key in keys:
            paid[key] = paid.get(key, ZERO) + amount
        counted = dict(self.contract_units)
        counted[units_key] = counted.get(units_key, 0) + units
        return replace(
            self, contract_paid=MappingProxyType(paid), contract_units=MappingProxyType(counted)
        )

    def with_pending(self, pending: Decimal) -> Counters:
        return self if pending == self.pending else replace(self, pending=pending)

    def with_equipment(self, group: str, day: date) -> Counters:
        equipment = dict(self.last_equipment)
        equipment[group] = day
        return replace(self, last_equipment=MappingProxyType(equipment))
