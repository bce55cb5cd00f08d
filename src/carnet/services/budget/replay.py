"""Rebuild the engine's inputs (``Act``, ``Beneficiary``) from a stored claim line.

To explain a line without a stored explanation, or to replay a household's
history under another contract, the engine needs what the décompte was made
of. A claim line keeps the price, the base, the quantity, the date, the
category and the act code; the rest is found, in this order:

1. in the rule ids of the line's stored explanation (a package line carries
   the engine's steps): ``equipment.optics.bases.<basket>.<kind>`` gives the
   device kind and basket, ``contract:<id>#<line>`` the guarantee that applied
   (its conditions give kind, basket and OPTAM), ``amo_rates.rates.<cat>.<variant>``
   the pathway or the drug rate, ``tariffs.sector_bases.*`` the sector,
   ``hospital.heavy_act`` the heavy-act fee, ``amo_rates.ald_related`` the ALD;
2. in the line itself: the LPP label (« MONTURE … CLASSE A », « VERRE
   MULTIFOCAL »), the AMO rate (30 % for a doctor: outside the pathway; 100 %
   with an ALD: ALD-related care), an overbilling (sector 2);
3. defaults: sector 1, in the pathway, no ALD-related care.

Each guess is reported as a note, so callers can say what was approximated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from carnet.model import ClaimLine
from carnet.services.budget.categories import engine_category
from carnet.services.budget.lines import Member, carnet_facts
from carnet.services.reimbursement import Act, Basket, Beneficiary, Category, CodeSystem, Contract, Sector

#: act code system URI → engine nomenclature
SYSTEMS: dict[str, CodeSystem] = {
    "https://carnet.example/fhir/CodeSystem/ngap": CodeSystem.NGAP,
    "https://smt.esante.gouv.fr/terminologie-ccam": CodeSystem.CCAM,
    "https://data.esante.gouv.fr/ansm/medicament/CIP13": CodeSystem.CIP13,
    "https://carnet.example/fhir/CodeSystem/nabm": CodeSystem.NABM,
    "https://carnet.example/fhir/CodeSystem/lpp": CodeSystem.LPP,
}
DRUG_RATES = frozenset({100, 65, 30, 15})
DOCTORS = frozenset({Category.GP, Category.SPECIALIST})

#: notes on what was guessed, in French and English
NOTES: dict[str, tuple[str, str]] = {
    "from_explanation": ("Faits relus dans l'explication enregistrée de la ligne.",
                         "Facts read from the line's stored explanation."),
    "kind_from_label": ("Type d'équipement déduit du libellé LPP.", "Device kind taken from the LPP label."),
    "sector_from_overbilling": ("Dépassement : médecin supposé en secteur 2 avec OPTAM.",
                                "Overbilling: the doctor is taken as sector 2 with OPTAM."),
    "sector_assumed": ("Secteur inconnu : secteur 1 supposé.", "Sector unknown: sector 1 assumed."),
    "pathway_from_rate": ("Taux de 30 % : consultation hors parcours de soins.",
                          "30 % rate: consultation outside the coordinated pathway."),
    "ald_from_rate": ("Taux de 100 % avec une ALD : soins liés à l'ALD.",
                      "100 % rate with an ALD: care related to the ALD."),
    "no_pregnancy": ("Grossesse non connue : exonérations de maternité non rejouées.",
                     "Pregnancy unknown: maternity exemptions are not replayed."),
    "caps_fresh": ("Plafonds annuels recomptés à partir de cette seule ligne.",
                   "Yearly caps counted from this line alone."),
}


@dataclass(frozen=True, slots=True)
class Rebuilt:
    """An act rebuilt from a line, or the reason it cannot be."""

    act: Act | None
    notes: tuple[str, ...] = ()
    reason: str | None = None


def beneficiary(member: Member, day: date | None = None) -> Beneficiary:
    """The engine's person: birth date (or age 40 when unknown), ALD, médecin traitant, C2S."""
    if member.birth_date is not None and (day is None or member.birth_date <= day):
        return Beneficiary(birth_date=member.birth_date, ald=member.ald,
                           medecin_traitant=member.medecin_traitant, c2s=member.c2s)
    return Beneficiary(age=40, ald=member.ald, medecin_traitant=member.medecin_traitant, c2s=member.c2s)


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value.amount)


def rule_facts(steps: Sequence[Mapping[str, Any]], contracts: Mapping[str, Contract]) -> dict[str, Any]:
    """What the rule ids of stored steps tell about the act (see the module docstring)."""
    facts: dict[str, Any] = {}
    for step in steps:
        rule = step.get("rule") or step.get("rule_id")
        if not isinstance(rule, str):
            continue
        name = rule.split("@", 1)[0]
        parts = name.split(".")
        if name.startswith("equipment.") and len(parts) >= 5 and parts[2] == "bases":
            if parts[3] != "*":
                facts["basket"] = parts[3]
            if parts[4] not in ("adult", "young"):
                facts["kind"] = parts[4]
        elif name.startswith("contract:") and "#" in name:
            contract_id, line_id = name[len("contract:"):].split("#", 1)
            contract = contracts.get(contract_id)
            line = next((g for g in contract.guarantees if g.id == line_id), None) if contract else None
            if line is not None:
                for key in ("kind", "basket", "optam"):
                    value = getattr(line.when, key)
                    if value is not None and key not in facts:
                        facts[key] = value
        elif name.startswith("amo_rates.rates.") and len(parts) >= 4:
            variant = parts[3]
            if variant == "out_of_pathway":
                facts["in_pathway"] = False
            elif variant.startswith("rate_") and variant[5:].isdigit():
                facts["drug_rate"] = int(variant[5:])
        elif name.startswith("amo_rates.ald_related"):
            facts["ald_related"] = True
        elif name.startswith("tariffs.sector_bases.non_optam"):
            facts["sector"], facts["optam"] = Sector.SECTOR_2, False
        elif name.startswith("tariffs.sector_bases.authority"):
            facts["sector"] = Sector.NON_CONVENTIONNE
        elif name.startswith("tariffs.tariffs[") and "]" in name:
            facts.setdefault("tariff_code", name[len("tariffs.tariffs["):name.index("]")])
        elif name.startswith("hospital.heavy_act"):
            facts["heavy_act"] = True
    return facts


def label_facts(category: Category, label: str | None) -> dict[str, Any]:
    """Device kind and basket from an LPP label (optics and hearing)."""
    text = (label or "").upper()
    facts: dict[str, Any] = {}
    if category is Category.OPTICS:
        if "MONTURE" in text:
            facts["kind"] = "frame"
        elif "VERRE" in text:
            complex_ = any(w in text for w in ("MULTIFOCAL", "PROGRESSIF"))
            facts["kind"] = "lens_complex" if complex_ else "lens_simple"
        if "CLASSE A" in text:
            facts["basket"] = Basket.RAC0.value
        elif "CLASSE B" in text:
            facts["basket"] = Basket.FREE.value
    elif category is Category.HEARING:
        if "CLASSE II" in text:
            facts["basket"] = Basket.FREE.value
        elif "CLASSE I" in text:
            facts["basket"] = Basket.RAC0.value
    return facts


def rebuild_act(line: ClaimLine, member: Member, contracts: Mapping[str, Contract] | None = None) -> Rebuilt:
    """The engine act a French claim line stands for (``reason`` says why not)."""
    category = engine_category(line.category)
    if line.currency != "EUR":
        return Rebuilt(None, reason="currency")
    if category is None:
        return Rebuilt(None, reason="category")
    if line.date is None or line.charged is None:
        return Rebuilt(None, reason="incomplete")
    day = date.fromisoformat(line.date[:10])
    facts_src = carnet_facts(line.explanation)
    steps = facts_src.get("steps")
    notes: list[str] = []
    facts: dict[str, Any] = {}
    if isinstance(steps, list) and steps:
        facts = rule_facts(steps, contracts or {})
        notes.append("from_explanation")
    if category in (Category.OPTICS, Category.HEARING) and not {"kind", "basket"} <= set(facts):
        found = label_facts(category, line.act.display if line.act else None)
        if found:
            notes.append("kind_from_label")
        facts = found | facts
    rate = facts_src.get("rate")
    if category is Category.PHARMACY and "drug_rate" not in facts and rate in DRUG_RATES:
        facts["drug_rate"] = int(rate)
    if category in DOCTORS and rate == 30 and "in_pathway" not in facts:
        facts["in_pathway"] = False
        notes.append("pathway_from_rate")
    if rate == 100 and member.ald and category is not Category.PHARMACY and "ald_related" not in facts:
        facts["ald_related"] = True
        notes.append("ald_from_rate")
    overbilling = _dec(line.overbilling) or Decimal(0)
    if "sector" not in facts and category in (Category.GP, Category.SPECIALIST, Category.IMAGING):
        if overbilling > 0:
            facts["sector"] = Sector.SECTOR_2
            facts.setdefault("optam", True)
            notes.append("sector_from_overbilling")
        elif "from_explanation" not in notes:
            notes.append("sector_assumed")
    code, system = _code(line, facts)
    kind = facts.get("kind")
    if category is Category.HOSPITAL and line.act is not None and line.act.code == "FJ":
        kind = "daily_fee"
    basket = facts.get("basket")
    quantity = int(line.quantity) if line.quantity is not None and line.quantity >= 1 else 1
    act = Act(
        day=day, category=category, charged=Decimal(line.charged.amount), code=code, code_system=system,
        quantity=quantity, base=_dec(line.base), kind=kind,
        sector=facts.get("sector", Sector.SECTOR_1), optam=bool(facts.get("optam", False)),
        in_pathway=facts.get("in_pathway"), drug_rate=facts.get("drug_rate"),
        basket=Basket(basket) if basket in {b.value for b in Basket} else None,
        ald_related=bool(facts.get("ald_related", False)),
        heavy_act=facts.get("heavy_act", False if "from_explanation" in notes else None),
        practitioner=line.provider,
    )
    notes.append("no_pregnancy")
    return Rebuilt(act, tuple(notes))


def _code(line: ClaimLine, facts: Mapping[str, Any]) -> tuple[str | None, CodeSystem]:
    if line.act is not None and line.act.system in SYSTEMS and line.act.code:
        return line.act.code, SYSTEMS[line.act.system]
    tariff = facts.get("tariff_code")
    if isinstance(tariff, str):  # Carnet tariff classes are lower-case names, NGAP letters upper-case
        return tariff, CodeSystem.CARNET if tariff.islower() else CodeSystem.NGAP
    return None, CodeSystem.NONE
