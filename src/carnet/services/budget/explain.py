"""Explain: why did I pay this much on this line?

Three sources, best first, and the answer always says which one it used:

- ``stored``: the line carries the engine's explanation (a French package
  line): its steps, with the rules they cite, are shown as they were;
- ``recomputed``: no stored explanation, but the line says enough (a French
  category, a price, a base) to settle it again with the engine under the
  person's contract; what differs from the stored amounts is listed;
- ``amounts``: neither (a US line, or an incomplete one): the line's own
  amounts are laid out.

In every case ``why`` splits the out-of-pocket into fixed charges, the part of
the overbilling and of the ticket modérateur nobody covered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from carnet.services.budget.lines import Entry, Member, OwnedLine, carnet_facts, entry_of
from carnet.services.budget.money import amount_en, amount_fr
from carnet.services.budget.replay import NOTES, beneficiary, rebuild_act
from carnet.services.reimbursement import Contract, Counters, FrenchRules, Settlement, settle


@dataclass(frozen=True, slots=True)
class ExplainStep:
    """One line of an explanation, in French and English, with its rule."""

    topic: str
    fr: str
    en: str
    rule: str | None = None
    verified: bool = True
    amount: int | None = None  # cents


@dataclass(frozen=True, slots=True)
class Explanation:
    """The breakdown of one line and where it comes from."""

    entry: Entry
    source: str  # stored, recomputed or amounts
    steps: tuple[ExplainStep, ...]
    #: AMO rate in percent, when known
    rate: int | None
    #: the contract guarantee that applied (``contract:<id>#<line>``), when known
    contract_rule: str | None
    #: (topic, cents) parts of the out-of-pocket: fixed, overbilling, ticket_moderateur, other
    why: tuple[tuple[str, int], ...]
    #: replay notes (codes of ``replay.NOTES``) when recomputed
    notes: tuple[str, ...] = ()
    #: (amount name, stored cents, recomputed cents) where they differ
    differences: tuple[tuple[str, int, int], ...] = ()
    #: why it could not be recomputed (``currency``, ``category``, ``incomplete``, ``rules``)
    reason: str | None = None

    def note_texts(self, language: str = "fr") -> list[str]:
        return [NOTES[n][0 if language == "fr" else 1] for n in self.notes if n in NOTES]


def _cents(value: Any) -> int | None:
    if value is None:
        return None
    try:
        return int((Decimal(str(value)) * 100).to_integral_value())
    except ArithmeticError:
        return None


def why_parts(e: Entry) -> tuple[tuple[str, int], ...]:
    """Out-of-pocket split: fixed charges, then uncovered overbilling, then the rest of the base."""
    left = e.oop
    parts: list[tuple[str, int]] = []
    fixed = min(e.fixed, left)
    if fixed:
        parts.append(("fixed", fixed))
        left -= fixed
    over = min(e.overbilling, left)
    if over:
        parts.append(("overbilling", over))
        left -= over
    if left:
        parts.append(("ticket_moderateur" if e.base else "other", left))
    return tuple(parts)


def _stored(steps: Sequence[Mapping[str, Any]]) -> tuple[ExplainStep, ...]:
    out = []
    for s in steps:
        rule = s.get("rule") or s.get("rule_id")
        out.append(ExplainStep(str(s.get("topic", "")), str(s.get("fr", "")), str(s.get("en", "")),
                               rule if isinstance(rule, str) else None, bool(s.get("verified", True)),
                               _cents(s.get("amount"))))
    return tuple(out)


def _contract_rule(steps: Sequence[ExplainStep]) -> str | None:
    return next((s.rule for s in steps if s.rule and s.rule.startswith("contract:")), None)


def _amount_steps(e: Entry) -> tuple[ExplainStep, ...]:
    cur = e.currency
    rows = [("charged", "Prix facturé", "Price charged", e.charged)]
    if e.base is not None:
        rows.append(("base", "Base de remboursement", "Allowed base", e.base))
    rows += [("amo_paid", "Payé par l'assurance obligatoire", "Paid by the primary insurer", e.amo),
             ("complementary", "Payé par la complémentaire", "Paid by the complementary insurer", e.amc)]
    if e.fixed:
        rows.append(("withheld", "Participations et franchises retenues", "Fixed charges withheld", e.fixed))
    if e.overbilling:
        rows.append(("overbilling", "Dépassement", "Fees above the base", e.overbilling))
    rows.append(("patient_share", "Reste à charge", "Left to pay", e.oop))
    return tuple(ExplainStep(t, f"{fr} : {amount_fr(c, cur)}.", f"{en}: {amount_en(c, cur)}.", amount=c)
                 for t, fr, en, c in rows)


def _differences(e: Entry, s: Settlement) -> tuple[tuple[str, int, int], ...]:
    pairs = (("charged", e.charged, s.charged), ("amo", e.amo, s.amo_paid),
             ("amc", e.amc, s.complementary_paid), ("oop", e.oop, s.patient_share))
    out = []
    for name, stored, again in pairs:
        cents = int(again * 100)
        if cents != stored:
            out.append((name, stored, cents))
    return tuple(out)


def explain(owned: OwnedLine, member: Member, rules: FrenchRules | None = None,
            contract: Contract | None = None, contracts: Mapping[str, Contract] | None = None) -> Explanation:
    """Explain one line (see the module docstring). ``contract`` is the person's current one."""
    e = entry_of(owned)
    facts = carnet_facts(owned.line.explanation)
    raw_rate = facts.get("rate")
    rate = int(raw_rate) if isinstance(raw_rate, int | float) else None
    stored = facts.get("steps")
    if isinstance(stored, list) and stored:
        steps = _stored(stored)
        return Explanation(e, "stored", steps, rate, _contract_rule(steps), why_parts(e))
    rebuilt = rebuild_act(owned.line, member, contracts)
    if rebuilt.act is None or rules is None:
        reason = rebuilt.reason or "rules"
        return Explanation(e, "amounts", _amount_steps(e), rate, None, why_parts(e), reason=reason)
    try:
        settlement, _ = settle(rebuilt.act, beneficiary(member, rebuilt.act.day),
                               Counters.start(rebuilt.act.day.year), rules, contract)
    except (LookupError, ValueError):  # a rule not in force that day, an unknown variant
        return Explanation(e, "amounts", _amount_steps(e), rate, None, why_parts(e), reason="rules")
    steps = tuple(ExplainStep(s.topic, s.fr, s.en, s.rule_id, s.verified,
                              None if s.amount is None else int(s.amount * 100)) for s in settlement.steps)
    rate = rate if rate is not None else int(settlement.amo_rate * 100)
    rule = _contract_rule(steps)
    if rule is None and contract is not None:
        rule = f"contract:{contract.id}"
    return Explanation(e, "recomputed", steps, rate, rule, why_parts(e),
                       notes=(*rebuilt.notes, "caps_fresh"), differences=_differences(e, settlement))
