"""Check a complementary contract against the contrat-responsable constraints.

The constraints and their numbers come from ``rules/fr/responsible.yaml``;
this module probes the contract's guarantee lines with typical situations and
reports every constraint a line breaks, as :class:`Breach` values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from carnet.services.reimbursement.guarantee import BrBasis, Contract, Guarantee, Situation
from carnet.services.reimbursement.parameters import FrenchRules
from carnet.services.reimbursement.wording import eur_en, eur_fr

ZERO = Decimal(0)
HUNDRED = Decimal(100)
PHYSICIAN = ("gp", "specialist", "imaging", "hospital")


@dataclass(frozen=True, slots=True)
class Breach:
    """One broken constraint: which, on which guarantee line, and why."""

    constraint: str
    guarantee: str | None
    fr: str
    en: str
    source: str


def _probe(category: str, *, kind: str | None = None, optam: bool = True,
           basket: str | None = None, drug_rate: int | None = None) -> Situation:
    return Situation(category, kind, optam, basket, drug_rate)


#: reimbursed care whose ticket modérateur a responsible contract must cover
TICKET_PROBES = (
    (_probe("gp"), "in_pathway"),
    (_probe("gp", optam=False), "in_pathway"),
    (_probe("specialist"), "in_pathway"),
    (_probe("specialist", optam=False), "in_pathway"),
    (_probe("midwife"), "default"),
    (_probe("auxiliary"), "default"),
    (_probe("dental"), "default"),
    (_probe("dental_prosthesis", basket="libre"), "default"),
    (_probe("biology"), "default"),
    (_probe("imaging"), "default"),
    (_probe("pharmacy", drug_rate=100), "rate_100"),
    (_probe("pharmacy", drug_rate=65), "rate_65"),
    (_probe("pharmacy", drug_rate=30), "rate_30"),
    (_probe("pharmacy", drug_rate=15), "rate_15"),
    (_probe("hospital", kind="stay"), "default"),
    (_probe("emergency"), "default"),
    (_probe("transport"), "default"),
)
BASKET_PROBES = (
    _probe("optics", kind="frame", basket="100_sante"),
    _probe("optics", kind="lens_simple", basket="100_sante"),
    _probe("dental_prosthesis", basket="100_sante"),
    _probe("hearing", basket="100_sante"),
)


def most_paid(line: Guarantee, base: Decimal, rate: Decimal) -> Decimal | None:
    """Most AMO + mutuelle reach on one unit of ``base`` (None: unbounded)."""
    if line.real_costs:
        return line.item_cap + rate * base if line.item_cap is not None else None
    amo = rate * base
    total = amo
    if line.percent_br is not None:
        share = line.percent_br / HUNDRED * base
        total = max(amo, share) if line.basis is BrBasis.INCLUDING_AMO else amo + share
    if line.allowance is not None:
        total += line.allowance
    if line.item_cap is not None:
        total = min(total, amo + line.item_cap)
    return total


class _Checker:
    def __init__(self, contract: Contract, rules: FrenchRules, day: date) -> None:
        self.contract, self.rules, self.day = contract, rules, day
        self.breaches: list[Breach] = []

    def rate(self, category: str, variant: str) -> Decimal:
        return self.rules.amo.rate(category, variant).value_at(self.day)

    def breach(self, cid: str, line: Guarantee | None, fr: str, en: str) -> None:
        constraint = self.rules.responsible.constraints[cid]
        self.breaches.append(Breach(cid, None if line is None else line.id,
                                    f"{constraint.fr} {fr}", f"{constraint.en} {en}",
                                    constraint.source))

    def ticket(self) -> None:
        optional = self.rules.responsible.optional_drug_rates.value_at(self.day)
        for probe, variant in TICKET_PROBES:
            if probe.drug_rate in optional:
                continue
            line = self.contract.guarantee_for(probe)
            rate = self.rate(probe.category, variant)
            reach = None if line is None else most_paid(line, HUNDRED, rate)
            if line is None or (reach is not None and reach < HUNDRED):
                what = _label(probe)
                self.breach("ticket_moderateur", line, f"Poste non couvert : {what}.",
                            f"Item not covered: {what}.")

    def daily_fee(self) -> None:
        line = self.contract.guarantee_for(_probe("hospital", kind="daily_fee"))
        fee = self.rules.hospital.daily_fee.value_at(self.day)
        ok = line is not None and line.year_cap is None and line.year_count is None and (
            line.real_costs or (line.allowance or ZERO) >= fee)
        if not ok:
            self.breach("daily_fee", line, "Forfait journalier non couvert intégralement.",
                        "Daily hospital fee not fully covered.")

    def baskets(self) -> None:
        for probe in BASKET_PROBES:
            line = self.contract.guarantee_for(probe)
            if line is None or not line.real_costs or line.item_cap is not None:
                what = _label(probe)
                self.breach("basket_100_sante", line, f"Poste : {what}.", f"Item: {what}.")

    def pathway(self) -> None:
        if self.contract.covers_out_of_pathway_increase:
            self.breach("no_out_of_pathway_increase", None, "", "")

    def non_optam(self) -> None:
        cap = HUNDRED * (1 + self.rules.responsible.non_optam_overrun_cap.value_at(self.day))
        gap = HUNDRED * self.rules.responsible.optam_gap.value_at(self.day)
        for category in PHYSICIAN:
            variant = "in_pathway" if category in ("gp", "specialist") else "default"
            rate = self.rate(category, variant)
            kind = "fees" if category == "hospital" else None
            free = self.contract.guarantee_for(_probe(category, kind=kind, optam=False))
            moderated = self.contract.guarantee_for(_probe(category, kind=kind))
            if free is None:
                continue
            reach = most_paid(free, HUNDRED, rate)
            if reach is None or reach > cap:
                shown = "frais réels" if reach is None else f"{reach:.0f} %"
                self.breach("non_optam_cap", free, f"({category} : {shown}).",
                            f"({category}: {shown}).")
                continue
            top = None if moderated is None else most_paid(moderated, HUNDRED, rate)
            if reach > HUNDRED and top is not None and reach > top - gap:
                self.breach("optam_gap", free, f"({category} : {reach:.0f} % contre {top:.0f} %).",
                            f"({category}: {reach:.0f} % against {top:.0f} %).")

    def _device(self, kind: str, category: str = "optics") -> tuple[Guarantee | None, Decimal | None]:
        """Line and most the mutuelle pays on one class B item (None: unbounded)."""
        line = self.contract.guarantee_for(_probe(category, kind=kind, basket="libre"))
        if line is None:
            return None, ZERO
        key = (category, "libre", kind) if category == "optics" else (category, "*", "adult")
        timeline = self.rules.equipment.bases.get(key)
        base = ZERO if timeline is None else timeline.value_at(self.day)
        rate = self.rate(category, "default")
        reach = most_paid(line, base, rate)
        return line, None if reach is None else reach - rate * base

    def optics(self) -> None:
        frame_line, frame = self._device("frame")
        frame_cap = self.rules.responsible.optics_frame_cap.value_at(self.day)
        if frame is None or frame > frame_cap:
            self.breach("optics_frame_cap", frame_line, f"(plafond {eur_fr(frame_cap)}).",
                        f"(cap {eur_en(frame_cap)}).")
        for row in self.rules.responsible.optics_grid.value_at(self.day):
            lenses = [self._device(f"lens_{name}") for name in row.lenses]
            amounts = [frame, *(amount for _, amount in lenses)]
            total = None if None in amounts else sum((a for a in amounts if a is not None), ZERO)
            names = " + ".join(row.lenses)
            if total is None or total > row.ceiling or total < row.floor:
                shown = "illimité" if total is None else eur_fr(total)
                self.breach("optics_grid", lenses[0][0] or frame_line,
                            f"({names} : {shown}, attendu entre {eur_fr(row.floor)} et "
                            f"{eur_fr(row.ceiling)}).",
                            f"({names}: {'unlimited' if total is None else eur_en(total)}, "
                            f"expected between {eur_en(row.floor)} and {eur_en(row.ceiling)}).")

    def hearing(self) -> None:
        line, paid = self._device("adult", "hearing")
        cap = self.rules.responsible.hearing_free_total_cap.value_at(self.day)
        base = self.rules.equipment.bases[("hearing", "*", "adult")].value_at(self.day)
        amo = self.rate("hearing", "default") * base
        if paid is None or amo + paid > cap:
            self.breach("hearing_free_cap", line, f"(plafond {eur_fr(cap)}).",
                        f"(cap {eur_en(cap)}).")


def _label(probe: Situation) -> str:
    parts = [probe.category, probe.kind, probe.basket,
             None if probe.drug_rate is None else f"{probe.drug_rate} %",
             None if probe.optam else "non-OPTAM"]
    return " ".join(p for p in parts if p)


def validate(contract: Contract, rules: FrenchRules, day: date) -> tuple[Breach, ...]:
    """Every contrat-responsable constraint ``contract`` breaks on ``day`` (empty: none)."""
    checker = _Checker(contract, rules, day)
    checker.ticket()
    checker.daily_fee()
    checker.baskets()
    checker.pathway()
    checker.non_optam()
    checker.optics()
    checker.hearing()
    return tuple(checker.breaches)
