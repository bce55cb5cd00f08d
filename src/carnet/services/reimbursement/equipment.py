"""Renewal periods of optics and hearing equipment (one cover per period)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from carnet.services.reimbursement.act import Act, Category
from carnet.services.reimbursement.beneficiary import Beneficiary, add_months
from carnet.services.reimbursement.counters import Counters
from carnet.services.reimbursement.parameters import FrenchRules, renewal_months
from carnet.services.reimbursement.settlement import Step
from carnet.services.reimbursement.wording import day_en, day_fr

GROUPS = {Category.OPTICS: "optics", Category.HEARING: "hearing"}


@dataclass(frozen=True, slots=True)
class Renewal:
    """Whether the equipment may be covered on this day."""

    covered: bool
    group: str | None = None
    step: Step | None = None


def check_renewal(act: Act, person: Beneficiary, counters: Counters,
                  rules: FrenchRules) -> Renewal:
    """Covered unless an earlier equipment of the same group is within its renewal period.

    Items bought on the same day (a frame and its lenses, two ears) form one equipment.
    """
    group = GROUPS.get(act.category)
    if group is None:
        return Renewal(True)
    last: date | None = counters.last_equipment.get(group)
    if last is None or last == act.day:
        return Renewal(True, group)
    period = rules.equipment.renewal[group].at(act.day)
    months = renewal_months(period.value, person.age_on(act.day))
    next_day = add_months(last, months)
    if act.day >= next_day:
        return Renewal(True, group)
    return Renewal(False, group, Step(
        topic="renewal",
        fr=f"Renouvellement trop tôt : équipement déjà pris en charge le {day_fr(last)}, "
        f"nouvelle prise en charge possible à partir du {day_fr(next_day)} "
        f"({months} mois). Ni l'Assurance Maladie ni la mutuelle ne remboursent.",
        en=f"Renewal too early: equipment already covered on {day_en(last)}, next cover from "
        f"{day_en(next_day)} ({months} months). Neither the Assurance Maladie nor the "
        "mutuelle pays.",
        rule_id=period.rule_id, source=period.source, verified=period.verified))
