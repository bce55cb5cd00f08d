"""The Assurance Maladie rate of an act: category, pathway, drug rate, ALD."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from carnet.services.reimbursement.act import Act, Category
from carnet.services.reimbursement.beneficiary import Beneficiary
from carnet.services.reimbursement.parameters import FrenchRules
from carnet.services.reimbursement.settlement import Step
from carnet.services.reimbursement.timeline import Period
from carnet.services.reimbursement.wording import pct, pct_fr

IN_PATHWAY = "in_pathway"
OUT_OF_PATHWAY = "out_of_pathway"


@dataclass(frozen=True, slots=True)
class Rate:
    """The rate retained, whether the act is out of the pathway, and the standard rate."""

    value: Decimal
    out_of_pathway: bool
    #: the in-pathway rate when the act is out of it (the majoration is the difference)
    standard: Decimal
    step: Step


def out_of_pathway(act: Act, person: Beneficiary, rules: FrenchRules) -> bool:
    """True when the act falls outside the parcours de soins coordonnés."""
    pathway = rules.pathway
    if act.category.value not in pathway.categories.value_at(act.day):
        return False
    if act.in_pathway is not None:
        return not act.in_pathway
    if person.medecin_traitant:
        return False
    age = person.age_on(act.day)
    if age < pathway.from_age.value_at(act.day):
        return False
    direct = pathway.direct_access.value_at(act.day)
    return not any(access.allows(act.specialty, age) for access in direct)


def _variant(act: Act, kind: str | None, rules: FrenchRules, outside: bool) -> tuple[str, str, str]:
    """Rate variant and its French/English reason."""
    category = act.category.value
    if kind is not None and rules.amo.has(category, kind):
        return kind, kind, kind
    if act.category is Category.PHARMACY:
        if act.drug_rate is None:
            return "default", "taux du médicament inconnu", "drug rate unknown"
        return (f"rate_{act.drug_rate}", f"médicament à {act.drug_rate} %",
                f"drug at {act.drug_rate} %")
    if rules.amo.has(category, IN_PATHWAY):
        if outside:
            return OUT_OF_PATHWAY, "hors parcours de soins", "outside the coordinated pathway"
        return IN_PATHWAY, "dans le parcours de soins", "within the coordinated pathway"
    return "default", category, category


def find_rate(act: Act, person: Beneficiary, rules: FrenchRules, kind: str | None) -> Rate:
    """The AMO rate in force on the care date, with its explanation."""
    outside = out_of_pathway(act, person, rules)
    variant, why_fr, why_en = _variant(act, kind, rules, outside)
    period: Period[Decimal] = rules.amo.rate(act.category.value, variant).at(act.day)
    standard = period.value
    if outside:
        standard = rules.amo.rate(act.category.value, IN_PATHWAY).value_at(act.day)
    if act.ald_related and person.ald:
        ald = rules.amo.ald_related.at(act.day)
        if ald.value > period.value:
            period, why_fr, why_en = ald, "soins liés à l'ALD", "care related to the ALD"
            outside, standard = False, ald.value
    step = Step(
        topic="rate",
        fr=f"Taux de remboursement de l'Assurance Maladie : {pct_fr(period.value)} ({why_fr}).",
        en=f"Assurance Maladie rate: {pct(period.value)} ({why_en}).",
        rule_id=period.rule_id,
        source=period.source,
        verified=period.verified,
    )
    return Rate(period.value, outside, standard, step)
