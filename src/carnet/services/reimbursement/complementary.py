"""What the complementary contract (mutuelle) pays on one part of a bill.

The offer of the matching guarantee line is limited, in this order, by the
cost left after the Assurance Maladie, by the law (hors-parcours increase;
for a contrat responsable: non-OPTAM overbilling, class B frame, class II
hearing aid), then by the line's caps (per item, units per year, euros per
year, shared yearly cap). Participation forfaitaire and franchises are never
paid: the offer is measured against the AMO share *before* they are withheld.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

from carnet.services.reimbursement.counters import Counters
from carnet.services.reimbursement.guarantee import BrBasis, Contract, Guarantee, Situation
from carnet.services.reimbursement.parameters import FrenchRules
from carnet.services.reimbursement.settlement import Step
from carnet.services.reimbursement.wording import cents, eur_en, eur_fr

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class Component:
    """A part of the bill a guarantee line pays on (the act itself, or the forfait journalier)."""

    situation: Situation
    charged: Decimal
    base: Decimal
    amo_gross: Decimal
    quantity: int
    #: AMO share at the in-pathway rate (equals ``amo_gross`` within the pathway)
    standard_amo: Decimal
    out_of_pathway: bool
    physician: bool


@dataclass(frozen=True, slots=True)
class Payment:
    amount: Decimal
    steps: tuple[Step, ...]
    counters: Counters


def _offer(line: Guarantee, part: Component) -> tuple[Decimal, str, str]:
    """Raw offer of the line, with its wording (French, English)."""
    need = max(ZERO, part.charged - part.amo_gross)
    if line.real_costs:
        return need, "frais réels", "actual costs"
    offer = ZERO
    words_fr, words_en = [], []
    if line.percent_br is not None:
        share = cents(line.percent_br / HUNDRED * part.base)
        if line.basis is BrBasis.INCLUDING_AMO:
            offer += max(ZERO, share - part.amo_gross)
            words_fr.append(f"{line.percent_br} % BR, AMO comprise")
            words_en.append(f"{line.percent_br} % of the base, AMO included")
        else:
            offer += share
            words_fr.append(f"{line.percent_br} % BR en plus de l'AMO")
            words_en.append(f"{line.percent_br} % of the base on top of the AMO")
    if line.allowance is not None:
        offer += line.allowance * part.quantity
        words_fr.append(f"forfait {eur_fr(line.allowance)} par unité")
        words_en.append(f"allowance {eur_en(line.allowance)} per unit")
    return cents(offer), " + ".join(words_fr), " + ".join(words_en)


def _law_ceilings(contract: Contract, part: Component, rules: FrenchRules,
                  day: date) -> list[tuple[Decimal, str, str, str | None]]:
    """Legal ceilings on the payment: (ceiling, French, English, rule id)."""
    found: list[tuple[Decimal, str, str, str | None]] = []
    resp = rules.responsible
    if part.out_of_pathway and not contract.covers_out_of_pathway_increase:
        found.append((max(ZERO, part.base - part.standard_amo),
                      "majoration hors parcours et dépassements non couverts",
                      "out-of-pathway increase and overbilling not covered",
                      "responsible.constraints.no_out_of_pathway_increase"))
    if not contract.responsible:
        return found
    kind, basket = part.situation.kind, part.situation.basket
    if part.physician and not part.situation.optam:
        cap = resp.non_optam_overrun_cap.at(day)
        ceiling = cents((1 + cap.value) * part.base) - part.amo_gross
        found.append((max(ZERO, ceiling), "dépassement non-OPTAM limité à 100 % BR",
                      "non-OPTAM overbilling capped at 100 % of the base", cap.rule_id))
    if part.situation.category == "optics" and kind == "frame" and basket == "libre":
        frame = resp.optics_frame_cap.at(day)
        found.append((frame.value * part.quantity, "monture de classe B plafonnée",
                      "class B frame cap", frame.rule_id))
    if part.situation.category == "hearing" and basket == "libre":
        hearing = resp.hearing_free_total_cap.at(day)
        found.append((max(ZERO, hearing.value * part.quantity - part.amo_gross),
                      "aide auditive de classe II plafonnée (AMO comprise)",
                      "class II hearing aid cap (AMO included)", hearing.rule_id))
    return found


def _line_caps(contract: Contract, line: Guarantee, part: Component, counters: Counters,
               offer: Decimal) -> tuple[list[tuple[Decimal, str, str]], int]:
    """Caps of the line: (ceiling, French, English) and the units it may still pay."""
    found: list[tuple[Decimal, str, str]] = []
    units = part.quantity
    key = f"{contract.id}:{line.id}"
    if line.item_cap is not None:
        found.append((line.item_cap * part.quantity, "plafond par unité", "per-unit cap"))
    if line.year_count is not None:
        units = max(0, min(units, line.year_count - counters.units_on(key)))
        scaled = (offer * units / part.quantity).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        found.append((scaled, f"{line.year_count} unité(s) par an", f"{line.year_count} unit(s) a year"))
    if line.year_cap is not None:
        found.append((max(ZERO, line.year_cap - counters.paid_on(key)),
                      f"plafond annuel {eur_fr(line.year_cap)}", f"yearly cap {eur_en(line.year_cap)}"))
    if line.shared_cap is not None:
        shared = contract.shared_caps[line.shared_cap]
        used = counters.paid_on(f"{contract.id}:cap:{shared.id}")
        found.append((max(ZERO, shared.amount - used), f"plafond annuel « {shared.label} »",
                      f"yearly cap « {shared.label} »"))
    return found, units


def pay(part: Component, contract: Contract, rules: FrenchRules, day: date,
        counters: Counters) -> Payment:
    """The mutuelle's payment on ``part`` and the updated counters."""
    line = contract.guarantee_for(part.situation)
    if line is None:
        return Payment(ZERO, (Step(
            topic="complementary",
            fr=f"Le contrat « {contract.name} » ne prévoit rien pour ce poste.",
            en=f"The contract « {contract.name} » has no guarantee for this item.",
            rule_id=f"contract:{contract.id}", source=contract.source, amount=ZERO),), counters)
    offer, how_fr, how_en = _offer(line, part)
    need = max(ZERO, part.charged - part.amo_gross)
    steps: list[Step] = []
    limits = [(need, "reste après l'AMO", "left after the AMO", None),
              *_law_ceilings(contract, part, rules, day)]
    line_caps, units = _line_caps(contract, line, part, counters, offer)
    limits += [(c, fr, en, None) for c, fr, en in line_caps]
    for ceiling, why_fr, why_en, rule_id in limits:
        if ceiling < offer:
            offer = ceiling
            steps.append(Step(topic="complementary_limit",
                              fr=f"Limité à {eur_fr(offer)} : {why_fr}.",
                              en=f"Limited to {eur_en(offer)}: {why_en}.",
                              rule_id=rule_id or f"contract:{contract.id}#{line.id}",
                              amount=offer))
    steps.insert(0, Step(
        topic="complementary",
        fr=f"Mutuelle « {contract.name} », garantie « {line.label} » ({how_fr}) : {eur_fr(offer)}.",
        en=f"Mutuelle « {contract.name} », guarantee « {line.label} » ({how_en}): "
        f"{eur_en(offer)}.",
        rule_id=f"contract:{contract.id}#{line.id}", source=contract.source,
        verified=line.verified and contract.verified, amount=offer))
    keys = [f"{contract.id}:{line.id}"]
    if line.shared_cap is not None:
        keys.append(f"{contract.id}:cap:{line.shared_cap}")
    paid_units = units if offer > 0 else 0
    return Payment(offer, tuple(steps),
                   counters.with_contract(tuple(keys), offer, keys[0], paid_units))
