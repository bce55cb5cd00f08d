"""Quote check: what will the AMO, the mutuelle and I pay on this quote (devis)?

A quote for glasses, a dental crown, hearing aids or any act is turned into
the engine's acts and settled under the household's current contract:

- **glasses**: the frame (``frame`` euros of the fee; when the quote does not
  split it, 30 % of the fee and at most 100 €, a rough split) and two lenses
  (``lenses``: simple, complex, very complex) share the rest; the device bases
  come from the rules; ``basket`` 100_sante for a class A offer;
- **crown**: a dental prosthesis on the fee, with the base the caller gives
  (the CCAM tariff of its code; 120 € for the usual crowns);
- **hearing**: ``ears`` hearing aids for the fee (class I is ``100_sante``);
- **act**: a consultation or technical act of a category, with its code,
  the practitioner's sector and OPTAM.

When the person's last equipment (glasses, hearing aids) is given, the engine
checks the renewal period too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from carnet.services.budget.lines import Member
from carnet.services.budget.replay import beneficiary
from carnet.services.reimbursement import (
    Act,
    Basket,
    Category,
    CodeSystem,
    Contract,
    Counters,
    FrenchRules,
    Sector,
    Settlement,
    settle,
)

#: share of a glasses quote taken as the frame when the quote does not split it
FRAME_SHARE = Decimal("0.30")
FRAME_MAX = Decimal("100.00")


class QuoteKind(StrEnum):
    GLASSES = "glasses"
    CROWN = "crown"
    HEARING = "hearing"
    ACT = "act"


class QuoteError(ValueError):
    """A quote that cannot be settled (its message says why)."""


@dataclass(frozen=True, slots=True)
class Quote:
    """What a practitioner quoted (euros)."""

    kind: QuoteKind
    fee: Decimal
    day: date
    sector: Sector = Sector.SECTOR_1
    optam: bool = False
    basket: Basket | None = None
    frame: Decimal | None = None
    lenses: str = "lens_simple"
    ears: int = 1
    category: Category = Category.SPECIALIST
    code: str | None = None
    code_system: CodeSystem = CodeSystem.NONE
    base: Decimal | None = None
    #: last covered equipment of this kind (for the renewal period)
    last_equipment: date | None = None


@dataclass(frozen=True, slots=True)
class QuoteResult:
    quote: Quote
    contract_id: str | None
    settlements: tuple[tuple[str, Settlement], ...]

    @property
    def charged(self) -> int:
        return sum(int(s.charged * 100) for _, s in self.settlements)

    @property
    def amo(self) -> int:
        return sum(int(s.amo_paid * 100) for _, s in self.settlements)

    @property
    def amc(self) -> int:
        return sum(int(s.complementary_paid * 100) for _, s in self.settlements)

    @property
    def oop(self) -> int:
        return sum(int(s.patient_share * 100) for _, s in self.settlements)


#: the usual consultation of a category, when a quoted act names no code
USUAL_CODES: dict[Category, tuple[str, CodeSystem]] = {
    Category.GP: ("G", CodeSystem.NGAP),
    Category.SPECIALIST: ("specialiste", CodeSystem.CARNET),
}


def act_code(category: Category, code: str | None) -> tuple[str | None, CodeSystem]:
    """A quoted act's code and nomenclature: CCAM (``HBLD634``), a Carnet tariff class (lower
    case, ``specialiste``) or NGAP (``G``, ``APC``); without a code, the category's usual consultation."""
    if not code:
        return USUAL_CODES.get(category, (None, CodeSystem.NONE))
    if len(code) == 7 and code[:4].isalpha() and code[:4].isupper() and code[4:].isdigit():
        return code, CodeSystem.CCAM
    return code, CodeSystem.CARNET if code.islower() else CodeSystem.NGAP


def acts_of(quote: Quote) -> list[tuple[str, Act]]:
    """The engine acts of a quote, each with its name (frame, lenses, crown…)."""
    if quote.fee < 0:
        raise QuoteError("the fee must not be negative")
    day = quote.day
    if quote.kind is QuoteKind.GLASSES:
        frame = quote.frame if quote.frame is not None else min(quote.fee * FRAME_SHARE, FRAME_MAX)
        if frame > quote.fee:
            raise QuoteError("the frame costs more than the whole quote")
        basket = quote.basket or Basket.FREE
        return [("frame", Act(day=day, category=Category.OPTICS, charged=frame.quantize(Decimal("0.01")),
                              kind="frame", basket=basket)),
                ("lenses", Act(day=day, category=Category.OPTICS, quantity=2, kind=quote.lenses, basket=basket,
                               charged=(quote.fee - frame).quantize(Decimal("0.01"))))]
    if quote.kind is QuoteKind.HEARING:
        if quote.ears not in (1, 2):
            raise QuoteError("hearing aids are for one or two ears")
        return [("hearing", Act(day=day, category=Category.HEARING, charged=quote.fee, quantity=quote.ears,
                                basket=quote.basket or Basket.FREE))]
    if quote.kind is QuoteKind.CROWN:
        if quote.base is None:
            raise QuoteError("a crown needs its base (the CCAM tariff of its code)")
        return [("crown", Act(day=day, category=Category.DENTAL_PROSTHESIS, charged=quote.fee, base=quote.base,
                              code=quote.code, code_system=quote.code_system, basket=quote.basket or Basket.FREE))]
    return [("act", Act(day=day, category=quote.category, charged=quote.fee, code=quote.code,
                        code_system=quote.code_system, base=quote.base, sector=quote.sector, optam=quote.optam))]


def check_quote(quote: Quote, member: Member, rules: FrenchRules, contract: Contract | None) -> QuoteResult:
    """Settle the quote for ``member`` under ``contract``."""
    counters = Counters.start(quote.day.year)
    if quote.last_equipment is not None and quote.kind in (QuoteKind.GLASSES, QuoteKind.HEARING):
        group = "optics" if quote.kind is QuoteKind.GLASSES else "hearing"
        counters = counters.with_equipment(group, quote.last_equipment)
    person = beneficiary(member, quote.day)
    done = []
    for name, act in acts_of(quote):
        try:
            settlement, counters = settle(act, person, counters, rules, contract)
        except LookupError as exc:
            raise QuoteError(f"the rules cannot settle this quote: {exc}") from None
        done.append((name, settlement))
    return QuoteResult(quote, None if contract is None else contract.id, tuple(done))
