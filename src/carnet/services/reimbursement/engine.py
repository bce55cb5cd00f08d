"""Settle an act: base, rate, AMO share, fixed charges, mutuelle, patient share.

``settle`` reads as the list of steps a décompte follows. It is a pure
function: the rules, the contract and the person's running counters come in
as arguments, and updated counters come out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import MINYEAR
from decimal import Decimal
from itertools import pairwise

from carnet.services.reimbursement.act import Act
from carnet.services.reimbursement.base import effective_kind, find_base
from carnet.services.reimbursement.beneficiary import Beneficiary
from carnet.services.reimbursement.complementary import Component, pay
from carnet.services.reimbursement.counters import Counters
from carnet.services.reimbursement.equipment import check_renewal
from carnet.services.reimbursement.franchise import franchise_due, participation_due
from carnet.services.reimbursement.guarantee import Contract, Situation
from carnet.services.reimbursement.hospital import daily_fee, flat_fee
from carnet.services.reimbursement.parameters import FrenchRules
from carnet.services.reimbursement.rate import find_rate
from carnet.services.reimbursement.settlement import Settlement, Step
from carnet.services.reimbursement.wording import cents, eur_en, eur_fr, pct, pct_fr

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Withheld:
    """Fixed charges taken from the AMO payment, and what is left for later."""

    participation: Decimal
    franchise: Decimal
    recovered: Decimal
    deferred: Decimal
    pending: Decimal


def withhold(amo_gross: Decimal, participation: Decimal, franchise: Decimal,
             pending: Decimal) -> Withheld:
    """Take this act's charges, then earlier ones still due, from ``amo_gross``."""
    room = amo_gross
    pf = min(participation, room)
    room -= pf
    fr = min(franchise, room)
    room -= fr
    recovered = min(pending, room)
    deferred = participation - pf + franchise - fr
    return Withheld(pf, fr, recovered, deferred, pending - recovered + deferred)


def _step(topic: str, fr: str, en: str, amount: Decimal) -> Step:
    return Step(topic=topic, fr=fr, en=en, amount=amount)


def settle(act: Act, person: Beneficiary, counters: Counters, rules: FrenchRules,
           contract: Contract | None = None) -> tuple[Settlement, Counters]:
    """Settle ``act`` for ``person``; return the settlement and the updated counters."""
    counters = counters.for_day(act.day)
    charged = cents(act.charged)
    kind = effective_kind(act, rules)
    steps: list[Step] = [_step("charged", f"Prix facturé : {eur_fr(charged)}.",
                               f"Price charged: {eur_en(charged)}.", charged)]

    renewal = check_renewal(act, person, counters, rules)
    if not renewal.covered:
        assert renewal.step is not None
        return _uncovered(act, charged, [*steps, renewal.step]), counters
    if renewal.group is not None:
        counters = counters.with_equipment(renewal.group, act.day)

    base = find_base(act, person, rules, kind)
    steps += base.steps
    rate = find_rate(act, person, rules, kind)
    steps.append(rate.step)
    amo_gross = cents(rate.value * base.amount)
    fee = flat_fee(act, person, base.amount, base.unit_tariff, amo_gross, rules)
    if fee.step is not None:
        steps.append(fee.step)
        amo_gross = base.amount - fee.amount
    steps.append(_step("amo_gross",
                       f"Part de l'Assurance Maladie avant retenues : {eur_fr(amo_gross)} "
                       f"({pct_fr(rate.value)} de {eur_fr(base.amount)}).",
                       f"Assurance Maladie share before deductions: {eur_en(amo_gross)} "
                       f"({pct(rate.value)} of {eur_en(base.amount)}).", amo_gross))
    stay = daily_fee(act, person, rules)
    if stay.step is not None:
        steps.append(stay.step)

    pf = participation_due(act, kind, person, counters, rules)
    franchise = franchise_due(act, kind, person, pf.counters, rules)
    counters = franchise.counters
    steps += [*pf.steps, *franchise.steps]
    held = withhold(amo_gross, pf.amount, franchise.amount, counters.pending)
    counters = counters.with_pending(held.pending)
    amo_paid = amo_gross - held.participation - held.franchise - held.recovered
    steps += _withholding_steps(held)
    steps.append(_step("amo_paid", f"Versé par l'Assurance Maladie : {eur_fr(amo_paid)}.",
                       f"Paid by the Assurance Maladie: {eur_en(amo_paid)}.", amo_paid))

    overbilling = max(ZERO, charged - base.amount)
    if overbilling > 0:
        steps.append(_step("overbilling",
                           f"Dépassement {eur_fr(overbilling)} (prix au-delà de la base), "
                           "jamais remboursé par l'Assurance Maladie.",
                           f"Overbilling {eur_en(overbilling)} (price above the base), never paid "
                           "by the Assurance Maladie.", overbilling))

    mutuelle = ZERO
    if contract is not None:
        parts = [Component(Situation.of(act, kind), charged, base.amount, amo_gross, act.quantity,
                           cents(rate.standard * base.amount), rate.out_of_pathway, act.physician)]
        if stay.amount > 0:
            parts.append(Component(Situation.of(act, "daily_fee"), stay.amount, ZERO, ZERO,
                                   act.days, ZERO, False, False))
        for part in parts:
            payment = pay(part, contract, rules, act.day, counters)
            mutuelle += payment.amount
            counters = payment.counters
            steps += payment.steps

    total = charged + stay.amount
    patient = total - amo_paid - mutuelle
    steps.append(_step("patient_share", f"Reste à charge : {eur_fr(patient)}.",
                       f"Left to pay: {eur_en(patient)}.", patient))
    settlement = Settlement(
        day=act.day, category=act.category, code=act.code, charged=cents(total),
        base=cents(base.amount), amo_rate=rate.value, amo_gross=cents(amo_gross),
        participation_forfaitaire=cents(held.participation), franchise=cents(held.franchise),
        recovered=cents(held.recovered), deferred=cents(held.deferred),
        amo_paid=cents(amo_paid), flat_fee=cents(fee.amount), daily_fee=cents(stay.amount),
        complementary_paid=cents(mutuelle), overbilling=cents(overbilling),
        patient_share=cents(patient), steps=tuple(steps),
        contract_id=None if contract is None else contract.id)
    return settlement, counters


def _withholding_steps(held: Withheld) -> list[Step]:
    steps: list[Step] = []
    if held.participation:
        steps.append(_step("withheld", f"Participation forfaitaire {eur_fr(held.participation)} "
                           "retenue sur le remboursement.",
                           f"Participation forfaitaire {eur_en(held.participation)} withheld "
                           "from the reimbursement.", held.participation))
    if held.franchise:
        steps.append(_step("withheld", f"Franchise {eur_fr(held.franchise)} retenue sur le "
                           "remboursement.", f"Franchise {eur_en(held.franchise)} withheld from "
                           "the reimbursement.", held.franchise))
    if held.recovered:
        steps.append(_step("recovered", f"{eur_fr(held.recovered)} de participations ou "
                           "franchises antérieures récupérés sur ce remboursement.",
                           f"{eur_en(held.recovered)} of earlier participations or franchises "
                           "recovered from this reimbursement.", held.recovered))
    if held.deferred:
        steps.append(_step("deferred", f"{eur_fr(held.deferred)} de participation ou franchise "
                           "seront retenus sur un remboursement ultérieur.",
                           f"{eur_en(held.deferred)} of participation or franchise will be "
                           "withheld from a later reimbursement.", held.deferred))
    return steps


def _uncovered(act: Act, charged: Decimal, steps: list[Step]) -> Settlement:
    steps.append(_step("patient_share", f"Reste à charge : {eur_fr(charged)}.",
                       f"Left to pay: {eur_en(charged)}.", charged))
    return Settlement(
        day=act.day, category=act.category, code=act.code, charged=charged, base=ZERO,
        amo_rate=ZERO, amo_gross=ZERO, participation_forfaitaire=ZERO, franchise=ZERO,
        recovered=ZERO, deferred=ZERO, amo_paid=ZERO, flat_fee=ZERO, daily_fee=ZERO,
        complementary_paid=ZERO, overbilling=ZERO, patient_share=charged, steps=tuple(steps))


def settle_all(acts: Iterable[Act], person: Beneficiary, rules: FrenchRules,
               contract: Contract | None = None,
               counters: Counters | None = None) -> tuple[tuple[Settlement, ...], Counters]:
    """Settle a person's acts in date order (a year or more); counters roll over each 1 January.

    Raises ``ValueError`` when the acts are not in chronological order.
    """
    ordered = list(acts)
    for before, after in pairwise(ordered):
        if after.day < before.day:
            raise ValueError(f"acts out of order: {after.day} after {before.day}")
    current = counters
    if current is None:
        current = Counters.start(ordered[0].day.year if ordered else MINYEAR)
    settlements = []
    for act in ordered:
        settlement, current = settle(act, person, current, rules, contract)
        settlements.append(settlement)
    return tuple(settlements), current
