"""Participation forfaitaire and franchises médicales due on an act, within their caps."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from carnet.services.reimbursement.act import Act
from carnet.services.reimbursement.beneficiary import Beneficiary
from carnet.services.reimbursement.counters import Counters, day_key
from carnet.services.reimbursement.parameters import FrenchRules
from carnet.services.reimbursement.settlement import Step
from carnet.services.reimbursement.wording import eur_en, eur_fr

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Due:
    """A fixed charge due on the act (before it is withheld from the payment)."""

    amount: Decimal
    steps: tuple[Step, ...]
    counters: Counters


def exemption(person: Beneficiary, act: Act, rules: FrenchRules) -> tuple[str, str] | None:
    """Why the person pays no PF or franchise on this day (French, English), or None."""
    ex = rules.exemptions
    day = act.day
    if person.age_on(day) < ex.adult_age.value_at(day):
        age = ex.adult_age.value_at(day)
        return f"moins de {age} ans", f"under {age}"
    months = ex.pregnancy_months_before_term.value_at(day)
    after = ex.pregnancy_days_after_term.value_at(day)
    if person.in_pregnancy_window(day, months, after):
        return "grossesse à partir du 6e mois", "pregnancy from the 6th month"
    if person.c2s:
        return "bénéficiaire de la C2S", "C2S beneficiary"
    return None


def _exempt_step(topic: str, label_fr: str, label_en: str, why: tuple[str, str]) -> Step:
    return Step(topic=topic, fr=f"Pas de {label_fr} : {why[0]}.", en=f"No {label_en}: {why[1]}.",
                amount=ZERO)


def participation_due(act: Act, kind: str | None, person: Beneficiary, counters: Counters,
                      rules: FrenchRules) -> Due:
    """Participation forfaitaire: one per unit, at most N a day per professional, 50 €/year."""
    pf = rules.participation
    day = act.day
    if act.category.value not in pf.categories.value_at(day) or (
        kind is not None and kind in pf.exempt_kinds.value_at(day)
    ):
        return Due(ZERO, (), counters)
    why = exemption(person, act, rules)
    if why is not None:
        return Due(ZERO, (_exempt_step("participation_forfaitaire", "participation forfaitaire",
                                       "participation forfaitaire", why),), counters)
    amount = pf.amount.at(day)
    cap = pf.annual_cap.at(day)
    key = day_key(day, act.practitioner or "-")
    count = min(act.quantity, max(0, pf.daily_max_count.value_at(day) - counters.pf_count(key)))
    due = min(amount.value * count, max(ZERO, cap.value - counters.pf_total))
    total = counters.pf_total + due
    if due == amount.value * act.quantity:
        limit_fr = limit_en = ""
    else:
        limit_fr = " (plafond journalier ou annuel atteint)"
        limit_en = " (daily or yearly cap reached)"
    step = Step(
        topic="participation_forfaitaire",
        fr=f"Participation forfaitaire {eur_fr(due)} due{limit_fr} ; {eur_fr(total)} sur "
        f"{eur_fr(cap.value)} cette année.",
        en=f"Participation forfaitaire {eur_en(due)} due{limit_en}; {eur_en(total)} of "
        f"{eur_en(cap.value)} this year.",
        rule_id=amount.rule_id,
        source=amount.source,
        verified=amount.verified,
        amount=due,
    )
    return Due(due, (step,), counters.with_pf(key, count, due))


def franchise_due(act: Act, kind: str | None, person: Beneficiary, counters: Counters,
                  rules: FrenchRules) -> Due:
    """Franchise médicale: per box, paramedical act or transport, within daily and yearly caps."""
    franchise = rules.franchise.by_category.get(act.category.value)
    day = act.day
    if franchise is None or (kind is not None and kind in franchise.exempt_kinds):
        return Due(ZERO, (), counters)
    why = exemption(person, act, rules)
    if why is not None:
        return Due(ZERO, (_exempt_step("franchise", "franchise médicale", "franchise", why),),
                   counters)
    unit = franchise.per_unit.at(day)
    cap = rules.franchise.annual_cap.at(day)
    wanted = unit.value * act.quantity
    due = min(wanted, max(ZERO, cap.value - counters.franchise_total))
    key: str | None = None
    if franchise.daily_cap is not None:
        parts = [franchise.name]
        if franchise.daily_cap_per_professional:
            parts.append(act.practitioner or "-")
        key = day_key(day, *parts)
        daily = franchise.daily_cap.value_at(day)
        due = min(due, max(ZERO, daily - counters.franchise_on(key)))
    total = counters.franchise_total + due
    limit_fr = "" if due == wanted else " (plafond journalier ou annuel atteint)"
    limit_en = "" if due == wanted else " (daily or yearly cap reached)"
    step = Step(
        topic="franchise",
        fr=f"Franchise médicale {eur_fr(due)} due ({franchise.name}, {eur_fr(unit.value)} "
        f"× {act.quantity}){limit_fr} ; {eur_fr(total)} sur {eur_fr(cap.value)} cette année.",
        en=f"Franchise {eur_en(due)} due ({franchise.name}, {eur_en(unit.value)} "
        f"× {act.quantity}){limit_en}; {eur_en(total)} of {eur_en(cap.value)} this year.",
        rule_id=unit.rule_id,
        source=unit.source,
        verified=unit.verified,
        amount=due,
    )
    return Due(due, (step,), counters.with_franchise(key, due))
