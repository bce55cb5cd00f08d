"""What the budget services read: household members and their claim lines.

A claim line (:class:`carnet.model.ClaimLine`) is turned into an
:class:`Entry`: the same money breakdown in integer cents, with its budget
post and the payment dates the holder gave. Entries are plain named tuples
so that ten years of a household (tens of thousands of lines) are summed in
a few milliseconds; the store builds them straight from its rows
(``carnet.store.budget``), tests and other callers from claim lines with
:func:`entries_from_claims`.

The French package lines carry Carnet's own facts under the ``carnet`` key of
their explanation (see ``carnet.sources.fhir.claims``): the AMO rate, the
SNDS nature of prestation, the engine's steps, and the payment dates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from carnet.model import ClaimLine, Money
from carnet.services.budget.categories import budget_category

#: key of a claim line's explanation holding Carnet's facts about a French line
CARNET_KEY = "carnet"


@dataclass(frozen=True, slots=True)
class Member:
    """A person of the household, as far as the budget cares."""

    id: int
    name: str
    birth_date: date | None = None
    #: recognised affection de longue durée (from the person's conditions)
    ald: bool = False
    medecin_traitant: bool = True
    c2s: bool = False

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - (0 if (day.month, day.day) >= (born.month, born.day) else 1)


class Entry(NamedTuple):
    """One claim line in cents. ``oop`` (out-of-pocket) is what the person bore.

    ``amo`` is the compulsory insurer (Assurance Maladie, Medicare…), ``amc``
    the complementary one (mutuelle, secondary payer); ``fixed`` the
    participation forfaitaire and franchises withheld; ``overbilling`` the
    fees above the base (dépassements). ``tracked`` is True when the holder
    says when it paid: then a missing payment date means « not paid yet ».
    """

    id: int
    person_id: int
    day: str | None  # ISO date
    category: str  # budget post (categories.CATEGORIES)
    source_category: str | None  # as the line gave it (engine category for French lines)
    provider: str | None
    act: str | None  # label or code of the act
    currency: str
    charged: int
    base: int | None
    amo: int
    amc: int
    fixed: int
    overbilling: int
    oop: int
    tracked: bool = False
    amo_paid_on: str | None = None
    amc_paid_on: str | None = None

    @property
    def month(self) -> str:
        return self.day[:7] if self.day else ""

    @property
    def year(self) -> str:
        return self.day[:4] if self.day else ""


@dataclass(frozen=True, slots=True)
class OwnedLine:
    """A claim line with its id in the vault and the person it is about."""

    id: int
    person_id: int
    line: ClaimLine


def _cents(money: Money | None) -> int | None:
    return None if money is None else money.cents


def carnet_facts(explanation: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """Carnet's facts of a French package line (empty for any other line)."""
    if not explanation:
        return {}
    facts = explanation.get(CARNET_KEY)
    return facts if isinstance(facts, Mapping) else {}


def payment_dates(facts: Mapping[str, Any]) -> tuple[bool, str | None, str | None]:
    """(tracked, AMO payment date, mutuelle payment date) from Carnet's facts."""
    payment = facts.get("payment")
    if not isinstance(payment, Mapping):
        return False, None, None
    primary, complementary = payment.get("primary"), payment.get("complementary")
    return (True, primary if isinstance(primary, str) else None,
            complementary if isinstance(complementary, str) else None)


def out_of_pocket(charged: int, amo: int, amc: int, patient: int | None) -> int:
    """What the person bore: the holder's figure, else the price less what was paid."""
    if patient is not None:
        return patient
    return max(0, charged - amo - amc)


def entry_of(owned: OwnedLine) -> Entry:
    """The budget entry of one claim line."""
    line = owned.line
    charged = _cents(line.charged) or 0
    amo = _cents(line.paid_primary) or 0
    amc = _cents(line.paid_complementary) or 0
    facts = carnet_facts(line.explanation)
    tracked, amo_on, amc_on = payment_dates(facts)
    act = line.act
    label = None if act is None else (act.display or act.code)
    return Entry(
        id=owned.id, person_id=owned.person_id, day=line.date[:10] if line.date else None,
        category=budget_category(line.category, act.system if act else None),
        source_category=line.category, provider=line.provider, act=label, currency=line.currency,
        charged=charged, base=_cents(line.base), amo=amo, amc=amc,
        fixed=_cents(line.fixed_charges) or 0, overbilling=_cents(line.overbilling) or 0,
        oop=out_of_pocket(charged, amo, amc, _cents(line.patient_share)),
        tracked=tracked, amo_paid_on=amo_on, amc_paid_on=amc_on,
    )


def entries_from_claims(lines: Iterable[OwnedLine]) -> list[Entry]:
    """Budget entries of claim lines, in date order (undated last)."""
    return sorted((entry_of(owned) for owned in lines), key=lambda e: (e.day is None, e.day or "", e.id))


def currencies(entries: Iterable[Entry]) -> list[str]:
    """Currencies present, EUR first, then alphabetical."""
    found = {e.currency for e in entries}
    return sorted(found, key=lambda c: (c != "EUR", c))
