"""Hospital and flat charges: forfait journalier, flat fee on heavy acts, urgences."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from carnet.services.reimbursement.act import Act, Category
from carnet.services.reimbursement.beneficiary import Beneficiary
from carnet.services.reimbursement.parameters import FrenchRules
from carnet.services.reimbursement.settlement import Step
from carnet.services.reimbursement.wording import eur_en, eur_fr, since_en, since_fr

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Charge:
    """An amount with the step explaining it (no step when nothing applies)."""

    amount: Decimal
    step: Step | None = None


def _is_heavy(act: Act, unit_tariff: Decimal | None, base: Decimal, rules: FrenchRules) -> bool:
    if act.heavy_act is not None:
        return act.heavy_act
    charges = rules.hospital
    if act.coefficient >= charges.heavy_act_coefficient.value_at(act.day):
        return True
    unit = unit_tariff if unit_tariff is not None else base / act.quantity
    return unit * act.coefficient >= charges.heavy_act_threshold.value_at(act.day)


def flat_fee(act: Act, person: Beneficiary, base: Decimal, unit_tariff: Decimal | None,
             amo_gross: Decimal, rules: FrenchRules) -> Charge:
    """Flat fee replacing the ticket modérateur (heavy act ≥ 120 €, or urgences).

    It never exceeds the ticket modérateur it replaces: the AMO pays at least its rate.
    """
    day = act.day
    ticket = base - amo_gross
    if act.category is Category.EMERGENCY:
        reduced = person.ald or person.in_pregnancy_window(
            day,
            rules.exemptions.pregnancy_months_before_term.value_at(day),
            rules.exemptions.pregnancy_days_after_term.value_at(day),
        )
        timeline = rules.hospital.emergency_fee_reduced if reduced else rules.hospital.emergency_fee
        period = timeline.at(day)
        fee = min(period.value, base)
        return Charge(fee, Step(
            topic="flat_fee",
            fr=f"Forfait patient urgences {eur_fr(fee)}{' (taux réduit)' if reduced else ''} "
            f"à la charge du patient, à la place du ticket modérateur ({since_fr(period.start)}).",
            en=f"Emergency flat fee {eur_en(fee)}{' (reduced rate)' if reduced else ''} left to "
            f"the patient instead of the ticket modérateur ({since_en(period.start)}).",
            rule_id=period.rule_id, source=period.source, verified=period.verified, amount=fee))
    applies = act.category.value in rules.hospital.heavy_act_categories.value_at(day)
    if not applies or ticket <= 0 or not _is_heavy(act, unit_tariff, base, rules):
        return Charge(ZERO)
    period = rules.hospital.heavy_act_fee.at(day)
    fee = min(period.value, ticket)
    return Charge(fee, Step(
        topic="flat_fee",
        fr=f"Acte lourd (tarif ≥ {eur_fr(rules.hospital.heavy_act_threshold.value_at(day))}) : "
        f"forfait {eur_fr(fee)} à la place du ticket modérateur de {eur_fr(ticket)} "
        f"({since_fr(period.start)}).",
        en=f"Heavy act (tariff ≥ {eur_en(rules.hospital.heavy_act_threshold.value_at(day))}): "
        f"flat fee {eur_en(fee)} instead of the ticket modérateur of {eur_en(ticket)} "
        f"({since_en(period.start)}).",
        rule_id=period.rule_id, source=period.source, verified=period.verified, amount=fee))


def _daily_fee_exemption(act: Act, person: Beneficiary, rules: FrenchRules) -> tuple[str, str] | None:
    day = act.day
    ex = rules.exemptions
    months = person.months_old(day)
    if months is not None and months < ex.newborn_months.value_at(day):
        return "nouveau-né de moins d'un mois", "newborn under one month"
    if person.in_pregnancy_window(day, ex.pregnancy_months_before_term.value_at(day),
                                  ex.pregnancy_days_after_term.value_at(day)):
        return "grossesse à partir du 6e mois", "pregnancy from the 6th month"
    if person.c2s:
        return "bénéficiaire de la C2S", "C2S beneficiary"
    return None


def daily_fee(act: Act, person: Beneficiary, rules: FrenchRules) -> Charge:
    """Forfait journalier hospitalier for the days of a stay (billed on top of the price)."""
    if act.category is not Category.HOSPITAL or act.days == 0:
        return Charge(ZERO)
    why = _daily_fee_exemption(act, person, rules)
    if why is not None:
        return Charge(ZERO, Step(topic="daily_fee", fr=f"Pas de forfait journalier : {why[0]}.",
                                 en=f"No daily hospital fee: {why[1]}.", amount=ZERO))
    charges = rules.hospital
    period = (charges.daily_fee_psychiatry if act.psychiatry else charges.daily_fee).at(act.day)
    amount = period.value * act.days
    return Charge(amount, Step(
        topic="daily_fee",
        fr=f"Forfait journalier {eur_fr(period.value)} × {act.days} jour(s) = {eur_fr(amount)}, "
        f"facturé en plus des frais de séjour ({since_fr(period.start)}).",
        en=f"Daily hospital fee {eur_en(period.value)} × {act.days} day(s) = {eur_en(amount)}, "
        f"billed on top of the stay ({since_en(period.start)}).",
        rule_id=period.rule_id, source=period.source, verified=period.verified, amount=amount))
