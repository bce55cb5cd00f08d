"""The explanation JSON of a prestation line: the engine's steps, with the caps applied.

The remembered settlement (:mod:`settlement`) was computed with fresh
counters; once the running caps have changed what is due or withheld
(:mod:`caps`), the steps about the participation forfaitaire, the franchise,
the withholding, the AMO payment, a capped mutuelle line and the patient share
are rewritten with the row's amounts; every other step is the engine's own.
A stay's forfait journalier is its own line, with its own steps.
Each step is ``{topic, fr, en, rule, verified, amount}``; ``rule`` is the id of the
rule value used (``<file>.<key>@<start>``, or ``contract:<id>#<line>``), whose
source is cited in the rule file.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson

from carnet.restitution.synth.settlement import Nominal
from carnet.services.reimbursement import Step
from carnet.services.reimbursement.wording import eur_en, eur_fr

_REWRITTEN = frozenset({"withheld", "recovered", "deferred", "amo_paid", "patient_share"})
#: what a row adds to its remembered settlement: PF due, franchise due, PF held,
#: franchise held, recovered, deferred, mutuelle paid (cents)
Amounts = tuple[int, int, int, int, int, int, int]


def _euros(cents: int) -> Decimal:
    return Decimal(cents) / 100


def _step(topic: str, fr: str, en: str, cents: int, like: Step | None = None) -> Step:
    return Step(topic=topic, fr=fr, en=en, amount=_euros(cents),
                rule_id=None if like is None else like.rule_id,
                source=None if like is None else like.source,
                verified=True if like is None else like.verified)


def _due(like: Step, due: int, nominal: int, daily_cut: bool) -> Step:
    if like.amount is None or like.amount == 0 or due == nominal:
        words = ("", "")
    elif daily_cut:
        words = (" (plafond journalier atteint)", " (daily cap reached)")
    else:
        words = (" (plafond annuel atteint)", " (yearly cap reached)")
    if like.topic == "participation_forfaitaire":
        fr, en = "Participation forfaitaire", "Participation forfaitaire"
    else:
        fr, en = "Franchise médicale", "Franchise"
    if like.amount == 0 and due == 0:
        return like
    return _step(like.topic, f"{fr} {eur_fr(_euros(due))} due{words[0]}.",
                 f"{en} {eur_en(_euros(due))} due{words[1]}.", due, like)


def _withholding(pf: int, fr: int, recovered: int, deferred: int, amo: int) -> list[Step]:
    found: list[Step] = []
    if pf:
        found.append(_step("withheld", f"Participation forfaitaire {eur_fr(_euros(pf))} retenue "
                           "sur le remboursement.", f"Participation forfaitaire "
                           f"{eur_en(_euros(pf))} withheld from the reimbursement.", pf))
    if fr:
        found.append(_step("withheld", f"Franchise {eur_fr(_euros(fr))} retenue sur le "
                           "remboursement.", f"Franchise {eur_en(_euros(fr))} withheld from the "
                           "reimbursement.", fr))
    if recovered:
        found.append(_step("recovered", f"{eur_fr(_euros(recovered))} de participations ou "
                           "franchises antérieures récupérés sur ce remboursement.",
                           f"{eur_en(_euros(recovered))} of earlier participations or franchises "
                           "recovered from this reimbursement.", recovered))
    if deferred:
        found.append(_step("deferred", f"{eur_fr(_euros(deferred))} de participation ou "
                           "franchise seront retenus sur un remboursement ultérieur.",
                           f"{eur_en(_euros(deferred))} of participation or franchise will be "
                           "withheld from a later reimbursement.", deferred))
    found.append(_step("amo_paid", f"Versé par l'Assurance Maladie : {eur_fr(_euros(amo))}.",
                       f"Paid by the Assurance Maladie: {eur_en(_euros(amo))}.", amo))
    return found


def _patient(cents: int) -> Step:
    return _step("patient_share", f"Reste à charge : {eur_fr(_euros(cents))}.",
                 f"Left to pay: {eur_en(_euros(cents))}.", cents)


def _parts(entry: Nominal) -> tuple[list[Step], list[Step]]:
    """The act's steps and the forfait journalier's steps (empty without one)."""
    steps = [s for s in entry.steps if s.topic != "patient_share"]
    if entry.daily_fee == 0:
        return steps, []
    paid = [i for i, s in enumerate(steps) if s.topic == "complementary"]
    fee = [s for s in steps if s.topic == "daily_fee"]
    if len(paid) < 2:
        return [s for s in steps if s.topic != "daily_fee"], fee
    act = [s for s in steps[: paid[1]] if s.topic != "daily_fee"]
    return act, fee + steps[paid[1]:]


def explain(entry: Nominal, amounts: Amounts, daily_cut: bool,
            amc_steps: tuple[Step, ...] | None) -> str:
    """JSON steps of the act's line, the row's amounts applied."""
    pf_due, fr_due, pf_held, fr_held, recovered, deferred, amc = amounts
    act, _ = _parts(entry)
    out: list[Step] = []
    replaced = False
    for step in act:
        if step.topic == "participation_forfaitaire":
            out.append(_due(step, pf_due, entry.pf_due, daily_cut))
        elif step.topic == "franchise":
            out.append(_due(step, fr_due, entry.fr_due, daily_cut))
        elif step.topic in _REWRITTEN:
            if not replaced:
                amo = entry.amo_gross - pf_held - fr_held - recovered
                out.extend(_withholding(pf_held, fr_held, recovered, deferred, amo))
                replaced = True
        elif step.topic.startswith("complementary") and amc_steps is not None:
            if step.topic == "complementary":
                out.extend(amc_steps)
        else:
            out.append(step)
    amo = entry.amo_gross - pf_held - fr_held - recovered
    out.append(_patient(entry.charged - amo - amc))
    return dumps(out)


def explain_daily_fee(entry: Nominal) -> str:
    """JSON steps of a stay's forfait journalier line."""
    _, fee = _parts(entry)
    return dumps([*fee, _patient(entry.daily_fee - entry.amc_fee)])


def dumps(steps: list[Step]) -> str:
    rows: list[dict[str, Any]] = [
        {"topic": s.topic, "fr": s.fr, "en": s.en, "rule": s.rule_id, "verified": s.verified,
         "amount": None if s.amount is None else f"{s.amount:.2f}"}
        for s in steps]
    return orjson.dumps(rows).decode("utf-8")
