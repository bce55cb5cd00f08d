"""The explanation JSON of a prestation line: the engine's steps, with the caps applied.

A remembered settlement (:mod:`settlement`) was computed with fresh counters;
it keeps the explanation of its line with no cap reached (UTF-8 JSON), and
that of its forfait journalier's line. Once the running caps (:mod:`caps`) have changed what is due or
withheld, the rows about the participation forfaitaire, the franchise, the
withholding, the AMO payment, a capped mutuelle line and the patient share
are rewritten with the line's amounts; every other row is the engine's own.
Each row is ``{topic, fr, en, rule, verified, amount}``; ``rule`` is the id of
the rule value used (``<file>.<key>@<start>``, or ``contract:<id>#<line>``),
whose source the rule file cites.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import orjson

from carnet.services.reimbursement import Step
from carnet.services.reimbursement.wording import eur_en, eur_fr

Row = dict[str, Any]
_REWRITTEN = frozenset({"withheld", "recovered", "deferred", "amo_paid", "patient_share"})
#: what a line adds to its remembered settlement: PF due, franchise due, PF held,
#: franchise held, recovered, deferred, mutuelle paid (cents)
Amounts = tuple[int, int, int, int, int, int, int]


def _euros(cents: int) -> Decimal:
    return Decimal(cents) / 100


def _row(topic: str, fr: str, en: str, cents: int | None, rule: str | None = None,
         verified: bool = True) -> Row:
    amount = None if cents is None else f"{_euros(cents):.2f}"
    return {"topic": topic, "fr": fr, "en": en, "rule": rule, "verified": verified,
            "amount": amount}


def rows_of(steps: Iterable[Step]) -> list[Row]:
    return [_row(s.topic, s.fr, s.en, None if s.amount is None else int(s.amount * 100),
                 s.rule_id, s.verified) for s in steps]


def split(steps: tuple[Step, ...], daily_fee: int) -> tuple[list[Row], list[Row]]:
    """The act's rows and the forfait journalier's rows (patient share left out of both)."""
    kept = [s for s in steps if s.topic != "patient_share"]
    if daily_fee == 0:
        return rows_of(kept), []
    paid = [i for i, s in enumerate(kept) if s.topic == "complementary"]
    fee = [s for s in kept if s.topic == "daily_fee"]
    if len(paid) < 2:
        return rows_of(s for s in kept if s.topic != "daily_fee"), rows_of(fee)
    act = [s for s in kept[: paid[1]] if s.topic != "daily_fee"]
    return rows_of(act), rows_of(fee + kept[paid[1]:])


def _due(like: Row, due: int, nominal: int, daily_cut: bool) -> Row:
    if like["amount"] in (None, "0.00") or due == nominal:
        return like if due == nominal else _due_row(like, due, ("", ""))
    if daily_cut:
        return _due_row(like, due, (" (plafond journalier atteint)", " (daily cap reached)"))
    return _due_row(like, due, (" (plafond annuel atteint)", " (yearly cap reached)"))


def _due_row(like: Row, due: int, words: tuple[str, str]) -> Row:
    fr, en = (("Participation forfaitaire", "Participation forfaitaire")
              if like["topic"] == "participation_forfaitaire" else ("Franchise médicale", "Franchise"))
    return _row(like["topic"], f"{fr} {eur_fr(_euros(due))} due{words[0]}.",
                f"{en} {eur_en(_euros(due))} due{words[1]}.", due, like["rule"], like["verified"])


def _withholding(pf: int, fr: int, recovered: int, deferred: int, amo: int) -> list[Row]:
    found: list[Row] = []
    if pf:
        found.append(_row("withheld", f"Participation forfaitaire {eur_fr(_euros(pf))} retenue "
                          "sur le remboursement.", f"Participation forfaitaire "
                          f"{eur_en(_euros(pf))} withheld from the reimbursement.", pf))
    if fr:
        found.append(_row("withheld", f"Franchise {eur_fr(_euros(fr))} retenue sur le "
                          "remboursement.", f"Franchise {eur_en(_euros(fr))} withheld from the "
                          "reimbursement.", fr))
    if recovered:
        found.append(_row("recovered", f"{eur_fr(_euros(recovered))} de participations ou "
                          "franchises antérieures récupérés sur ce remboursement.",
                          f"{eur_en(_euros(recovered))} of earlier participations or franchises "
                          "recovered from this reimbursement.", recovered))
    if deferred:
        found.append(_row("deferred", f"{eur_fr(_euros(deferred))} de participation ou "
                          "franchise seront retenus sur un remboursement ultérieur.",
                          f"{eur_en(_euros(deferred))} of participation or franchise will be "
                          "withheld from a later reimbursement.", deferred))
    found.append(_row("amo_paid", f"Versé par l'Assurance Maladie : {eur_fr(_euros(amo))}.",
                      f"Paid by the Assurance Maladie: {eur_en(_euros(amo))}.", amo))
    return found


def _patient(cents: int) -> Row:
    return _row("patient_share", f"Reste à charge : {eur_fr(_euros(cents))}.",
                f"Left to pay: {eur_en(_euros(cents))}.", cents)


def explain(act: list[Row], nominal: tuple[int, int, int, int], amounts: Amounts,
            daily_cut: bool, amc_rows: list[Row] | None) -> bytes:
    """JSON of the act's line. ``nominal``: PF due, franchise due, AMO gross, price."""
    pf_nominal, fr_nominal, gross, charged = nominal
    pf_due, fr_due, pf_held, fr_held, recovered, deferred, amc = amounts
    amo = gross - pf_held - fr_held - recovered
    out: list[Row] = []
    replaced = False
    for row in act:
        topic = row["topic"]
        if topic == "participation_forfaitaire":
            out.append(_due(row, pf_due, pf_nominal, daily_cut))
        elif topic == "franchise":
            out.append(_due(row, fr_due, fr_nominal, daily_cut))
        elif topic in _REWRITTEN:
            if not replaced:
                out.extend(_withholding(pf_held, fr_held, recovered, deferred, amo))
                replaced = True
        elif topic.startswith("complementary") and amc_rows is not None:
            if topic == "complementary":
                out.extend(amc_rows)
        else:
            out.append(row)
    out.append(_patient(charged - amo - amc))
    return orjson.dumps(out)


def explain_daily_fee(fee: list[Row], daily_fee: int, paid: int) -> bytes:
    """JSON of a stay's forfait journalier line."""
    return orjson.dumps([*fee, _patient(daily_fee - paid)])


def act_rows(text: bytes) -> list[Row]:
    """The rows of an explanation without its final patient share, to apply other amounts."""
    rows: list[Row] = orjson.loads(text)
    return rows[:-1]
