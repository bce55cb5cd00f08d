"""The reimbursement engine, run once per distinct event key and remembered.

For a key (see :mod:`pricing`) this module rebuilds the act and the person as
the engine reads them, settles the act with fresh counters and keeps what the
running caps need: the nominal participation forfaitaire and franchise, the
AMO share before deductions, the mutuelle's payment on the act and on the
forfait journalier, the cap parameters in force and the explanation steps.
Amounts are kept in cents.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np

from carnet.restitution.synth import explanation
from carnet.restitution.synth.arrays import IntArray
from carnet.restitution.synth.catalogue import (
    CCAM,
    DRUG,
    GIVEN,
    LPP,
    NABM,
    NONE,
    TARIFF,
    Catalogue,
)
from carnet.restitution.synth.dates import to_date
from carnet.restitution.synth.periods import (
    FLAG_ALD,
    FLAG_ALD_RELATED,
    FLAG_C2S,
    FLAG_NEWBORN,
    FLAG_PREGNANT,
    FLAG_TREATING,
    Calendar,
)
from carnet.restitution.synth.pricing import RATES, unpack
from carnet.services.reimbursement import (
    Act,
    Beneficiary,
    Contract,
    Counters,
    FrenchRules,
    Sector,
    Settlement,
    settle,
)
from carnet.services.reimbursement.base import effective_kind
from carnet.services.reimbursement.beneficiary import add_months
from carnet.services.reimbursement.complementary import Component
from carnet.services.reimbursement.guarantee import Situation
from carnet.services.reimbursement.rate import find_rate
from carnet.services.reimbursement.wording import cents

_SECTORS = ((Sector.SECTOR_1, False), (Sector.SECTOR_2, True), (Sector.SECTOR_2, False),
            (Sector.NON_CONVENTIONNE, False))
NO_CAP = 10**12
#: explanation texts of capped lines kept between chunks
TEXTS_KEPT = 50_000


def _c(amount: Decimal) -> int:
    return int(cents(amount) * 100)


@dataclass(frozen=True)
class Nominal:
    """One settlement with fresh counters, in cents, and the caps in force that day."""

    charged: int  #: price of the act (without the forfait journalier)
    daily_fee: int
    base: int
    rate: int  #: AMO rate, percent
    amo_gross: int
    pf_due: int
    pf_unit: int
    pf_daily_max: int
    pf_cap: int
    fr_due: int
    fr_kind: int  #: franchise kind (−1: none)
    fr_daily_cap: int
    fr_per_professional: bool
    fr_cap: int
    flat_fee: int
    overbilling: int
    amc_act: int
    amc_fee: int
    #: the mutuelle's line has yearly caps: its payment is settled in order (see caps)
    sequential: bool
    component: Component | None
    contract: Contract
    day: date
    #: explanation (UTF-8 JSON) of the line with no cap reached, the usual case
    text: bytes
    #: explanation of the forfait journalier's line (empty without one)
    fee_text: bytes

    def defaults(self) -> tuple[int, int, int, int, int, int, int]:
        """The line amounts when no running cap or earlier charge applies."""
        pf_held = min(self.pf_due, self.amo_gross)
        fr_held = min(self.fr_due, self.amo_gross - pf_held)
        deferred = self.pf_due - pf_held + self.fr_due - fr_held
        return (self.pf_due, self.fr_due, pf_held, fr_held, 0, deferred, self.amc_act)


class SettlementMemo:
    """Settlements by key; :meth:`lookup` settles the keys it has not seen yet."""

    def __init__(self, rules: FrenchRules, catalogue: Catalogue, calendar: Calendar,
                 contracts: tuple[Contract, ...]) -> None:
        self.rules = rules
        self.catalogue = catalogue
        self.calendar = calendar
        self.contracts = contracts
        self.entries: list[Nominal] = []
        self._index: dict[int, int] = {}
        self._columns: dict[str, np.ndarray] = {}
        #: explanation texts of lines with caps applied, by memo entry and amounts
        self.texts: OrderedDict[tuple[int, ...], bytes] = OrderedDict()
        self.kinds = tuple(sorted(k.name for k in rules.franchise.by_category.values()))

    def lookup(self, keys: IntArray) -> IntArray:
        unique, inverse = np.unique(keys, return_inverse=True)
        ids = np.empty(unique.size, dtype=np.int64)
        for i, key in enumerate(unique.tolist()):
            found = self._index.get(key)
            if found is None:
                found = len(self.entries)
                self.entries.append(self._settle(key))
                self._index[key] = found
            ids[i] = found
        result: IntArray = ids[inverse.ravel()]
        return result

    def recall(self, key: tuple[int, ...]) -> bytes | None:
        """An explanation text kept by :meth:`remember` (and keep it longer)."""
        text = self.texts.get(key)
        if text is not None:
            self.texts.move_to_end(key)
        return text

    def remember(self, key: tuple[int, ...], text: bytes) -> None:
        """Keep an explanation text; the oldest go beyond :data:`TEXTS_KEPT`."""
        self.texts[key] = text
        if len(self.texts) > TEXTS_KEPT:
            self.texts.popitem(last=False)

    def column(self, name: str) -> np.ndarray:
        """One field of every entry as an array (rebuilt when entries were added)."""
        cached = self._columns.get(name, np.zeros(0, dtype=np.int64))
        if len(cached) < len(self.entries):
            added = np.array([getattr(e, name) for e in self.entries[len(cached):]])
            cached = np.concatenate([cached, added]) if len(cached) else added
            self._columns[name] = cached
        return cached

    def _act(self, fields: dict[str, int], day: date) -> Act:
        cat = self.catalogue
        a, quantity = fields["act"], fields["quantity"]
        profile = cat.practitioners[int(cat.practitioner[a])]
        sector, optam = _SECTORS[fields["sector"]]
        fractions, _ = profile.overbilling[fields["sector"]]
        over = 0.0 if fields["sector"] == 0 else float(fractions[fields["over"]])
        option = int(cat.options[a][0][fields["option"]])
        price = int(cat.price[a])
        base: int | None = None
        if price == TARIFF:
            unit = Decimal(0)
            for part in cat.code[a].split("+"):
                tariff = self.rules.tariffs.find(cat.system[a].value, part)
                assert tariff is not None, f"no tariff {part}"
                unit += tariff.values.value_at(day)
            charged = round(_c(unit) * (1 + over)) * quantity
        elif price == CCAM:
            moderated = fields["sector"] < 2
            base = int(cat.base[a] if moderated else cat.base_other[a]) * quantity
            charged = (option or round(int(cat.base[a]) * (1 + over))) * quantity
        elif price in (NABM, DRUG):
            charged = int(cat.base[a]) * quantity
            base = charged if price == NABM else None
        elif price == LPP:
            charged = option * quantity
        elif price == GIVEN:
            base = option * quantity
            charged = round(base * (1 + over))
        else:
            assert price == NONE
            base, charged = 0, option * quantity
        kind = cat.kind[a] or ("prevention" if cat.prevention[a] else None)
        rate = RATES[fields["rate"]] or int(cat.drug_rate[a]) or None
        return Act(day=day, category=cat.category[a], charged=Decimal(charged) / 100,
                   code=cat.code[a], code_system=cat.system[a], quantity=quantity,
                   base=None if base is None else Decimal(base) / 100, kind=kind,
                   sector=sector, optam=optam, specialty=profile.engine_specialty,
                   drug_rate=rate, basket=cat.basket[a],
                   ald_related=bool(fields["flags"] & FLAG_ALD_RELATED), days=fields["days"])

    def _person(self, fields: dict[str, int], day: date) -> Beneficiary:
        flags = fields["flags"]
        age = int(self.calendar.band_starts[fields["band"]])
        if flags & FLAG_NEWBORN:
            birth = date.fromordinal(day.toordinal() - 10)
        else:
            birth = date.fromordinal(add_months(day, -12 * age).toordinal() - (0 if age else 300))
        return Beneficiary(
            birth_date=birth, ald=bool(flags & (FLAG_ALD | FLAG_ALD_RELATED)),
            medecin_traitant=bool(flags & FLAG_TREATING),
            pregnancy_term=add_months(day, 1) if flags & FLAG_PREGNANT else None,
            c2s=bool(flags & FLAG_C2S))

    def _settle(self, key: int) -> Nominal:
        fields = unpack(key)
        day = to_date(int(self.calendar.epoch_starts[fields["epoch"]]))
        act, person = self._act(fields, day), self._person(fields, day)
        contract = self.contracts[fields["contract"]]
        done, _ = settle(act, person, Counters.start(day.year), self.rules, contract)
        return self._nominal(act, person, contract, done)

    def _nominal(self, act: Act, person: Beneficiary, contract: Contract,
                 done: Settlement) -> Nominal:
        rules, day = self.rules, act.day
        steps = done.steps
        paid = [s.amount or Decimal(0) for s in steps if s.topic == "complementary"]
        kind_of = rules.franchise.by_category.get(act.category.value)
        kind = effective_kind(act, rules)
        line = contract.guarantee_for(Situation.of(act, kind))
        sequential = line is not None and (line.year_count is not None or line.year_cap
                                           is not None or line.shared_cap is not None)
        component = None
        if sequential:
            rate = find_rate(act, person, rules, kind)
            component = Component(Situation.of(act, kind), cents(act.charged), done.base,
                                  done.amo_gross, act.quantity, cents(rate.standard * done.base),
                                  rate.out_of_pathway, act.physician)
        daily_cap = None if kind_of is None or kind_of.daily_cap is None else (
            kind_of.daily_cap.value_at(day))
        act_rows, fee_rows = explanation.split(steps, _c(done.daily_fee))
        pf_due = sum(_c(s.amount or Decimal(0)) for s in steps
                     if s.topic == "participation_forfaitaire")
        fr_due = sum(_c(s.amount or Decimal(0)) for s in steps if s.topic == "franchise")
        charged = _c(done.charged - done.daily_fee)
        amc_act = _c(paid[0]) if paid else 0
        amc_fee = _c(paid[1]) if len(paid) > 1 else 0
        gross = _c(done.amo_gross)
        pf_held = min(pf_due, gross)
        fr_held = min(fr_due, gross - pf_held)
        text = explanation.explain(
            act_rows, (pf_due, fr_due, gross, charged),
            (pf_due, fr_due, pf_held, fr_held, 0, pf_due - pf_held + fr_due - fr_held, amc_act),
            False, None)
        fee_text = explanation.explain_daily_fee(fee_rows, _c(done.daily_fee), amc_fee)
        return Nominal(
            charged=charged, daily_fee=_c(done.daily_fee),
            base=_c(done.base), rate=int(done.amo_rate * 100), amo_gross=gross,
            pf_due=pf_due,
            pf_unit=_c(rules.participation.amount.value_at(day)),
            pf_daily_max=int(rules.participation.daily_max_count.value_at(day)),
            pf_cap=_c(rules.participation.annual_cap.value_at(day)),
            fr_due=fr_due,
            fr_kind=-1 if kind_of is None else self.kinds.index(kind_of.name),
            fr_daily_cap=NO_CAP if daily_cap is None else _c(daily_cap),
            fr_per_professional=kind_of is not None and kind_of.daily_cap_per_professional,
            fr_cap=_c(rules.franchise.annual_cap.value_at(day)),
            flat_fee=_c(done.flat_fee), overbilling=_c(done.overbilling),
            amc_act=amc_act, amc_fee=amc_fee,
            sequential=sequential, component=component, contract=contract, day=day,
            text=text, fee_text=fee_text if done.daily_fee else b"")
