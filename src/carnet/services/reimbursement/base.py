"""The base de remboursement (BR) of an act: given, from a tariff, or from a device table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from carnet.services.reimbursement.act import Act, Category, CodeSystem, Sector
from carnet.services.reimbursement.beneficiary import Beneficiary
from carnet.services.reimbursement.parameters import FrenchRules, MissingRule, Tariff
from carnet.services.reimbursement.settlement import Step
from carnet.services.reimbursement.timeline import Period
from carnet.services.reimbursement.wording import cents, eur_en, eur_fr, since_en, since_fr

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Base:
    """The base retained for the act and the steps that explain it."""

    amount: Decimal
    steps: tuple[Step, ...]
    #: unit tariff of the main code (for the heavy-act threshold), when known
    unit_tariff: Decimal | None = None
    #: the act's code is a consultation (sector bases apply)
    consultation: bool = False


def tariffs_of(act: Act, rules: FrenchRules) -> tuple[Tariff, ...] | None:
    """Tariffs of the act code (``G+MEG`` → G and MEG); None when any part is unknown."""
    if act.code is None or act.code_system not in (CodeSystem.NGAP, CodeSystem.CARNET):
        return None
    found = []
    for part in act.code.split("+"):
        tariff = rules.tariffs.find(act.code_system.value, part.strip())
        if tariff is None:
            return None
        found.append(tariff)
    return tuple(found)


def effective_kind(act: Act, rules: FrenchRules) -> str | None:
    """The act kind, or the one implied by its tariff (``RDV`` → ``prevention``)."""
    if act.kind is not None:
        return act.kind
    tariffs = tariffs_of(act, rules)
    if tariffs and tariffs[0].kind is not None:
        return tariffs[0].kind
    if act.category is Category.HOSPITAL:
        return "stay"
    return None


def _step(text_fr: str, text_en: str, period: Period[Decimal] | None, amount: Decimal) -> Step:
    return Step(
        topic="base",
        fr=text_fr,
        en=text_en,
        rule_id=None if period is None else period.rule_id,
        source=None if period is None else period.source,
        verified=True if period is None else period.verified,
        amount=amount,
    )


def _from_tariffs(act: Act, tariffs: tuple[Tariff, ...]) -> Base:
    periods = [t.values.at(act.day) for t in tariffs]
    unit = sum((p.value for p in periods), ZERO)
    amount = cents(unit * act.coefficient * act.quantity)
    names = "+".join(t.code for t in tariffs)
    newest = max(periods, key=lambda p: p.start or date.min)
    times = f" × {act.quantity}" if act.quantity > 1 else ""
    step = _step(
        f"Base de remboursement {eur_fr(amount)} (tarif {names} {eur_fr(unit)}{times}, "
        f"{since_fr(newest.start)}).",
        f"Reimbursement base {eur_en(amount)} (tariff {names} {eur_en(unit)}{times}, "
        f"{since_en(newest.start)}).",
        newest,
        amount,
    )
    return Base(amount, (step,), unit_tariff=unit, consultation=tariffs[0].consultation)


def _sector_base(act: Act, rules: FrenchRules, found: Base) -> Base:
    """Secteur 2 non-OPTAM and non-conventionné consultations have their own base."""
    if act.sector is Sector.SECTOR_2 and not act.optam:
        period = rules.tariffs.non_optam_consultation_base.at(act.day)
        what_fr, what_en = "médecin secteur 2 non-OPTAM", "sector 2 doctor without OPTAM"
    elif act.sector is Sector.NON_CONVENTIONNE:
        table = rules.tariffs.authority
        if act.category.value not in table:
            raise MissingRule(f"tariffs: no tarif d'autorité for {act.category.value!r}")
        period = table[act.category.value].at(act.day)
        what_fr, what_en = "médecin non conventionné (tarif d'autorité)", "non-contracted doctor"
    else:
        return found
    amount = cents(period.value * act.quantity)
    step = _step(
        f"Base de remboursement {eur_fr(amount)} ({what_fr}, {since_fr(period.start)}).",
        f"Reimbursement base {eur_en(amount)} ({what_en}, {since_en(period.start)}).",
        period,
        amount,
    )
    return Base(amount, (step,), unit_tariff=found.unit_tariff, consultation=True)


def _device_base(act: Act, person: Beneficiary, rules: FrenchRules, kind: str | None) -> Base | None:
    if act.category is Category.HEARING:
        adult = person.age_on(act.day) >= rules.equipment.hearing_adult_from_age.value_at(act.day)
        kind = "adult" if adult else "young"
    if act.category not in (Category.OPTICS, Category.HEARING) or kind is None:
        return None
    basket = "*" if act.basket is None else act.basket.value
    table = rules.equipment.bases
    timeline = table.get((act.category.value, basket, kind)) or table.get(
        (act.category.value, "*", kind)
    )
    if timeline is None:
        return None
    period = timeline.at(act.day)
    amount = cents(period.value * act.quantity)
    step = _step(
        f"Base de remboursement {eur_fr(amount)} (tarif LPP {kind} {eur_fr(period.value)} "
        f"× {act.quantity}, {since_fr(period.start)}).",
        f"Reimbursement base {eur_en(amount)} (LPP tariff {kind} {eur_en(period.value)} "
        f"× {act.quantity}, {since_en(period.start)}).",
        period,
        amount,
    )
    return Base(amount, (step,))


def find_base(act: Act, person: Beneficiary, rules: FrenchRules, kind: str | None) -> Base:
    """The base of ``act``, capped at the price charged."""
    found = _raw_base(act, person, rules, kind)
    if found.amount <= act.charged:
        return found
    capped = cents(act.charged)
    step = Step(
        topic="base",
        fr=f"Base ramenée au prix payé, {eur_fr(capped)}.",
        en=f"Base limited to the price paid, {eur_en(capped)}.",
        amount=capped,
    )
    return Base(capped, (*found.steps, step), found.unit_tariff, found.consultation)


def _raw_base(act: Act, person: Beneficiary, rules: FrenchRules, kind: str | None) -> Base:
    if act.base is not None:
        amount = cents(act.base)
        tariffs = tariffs_of(act, rules)
        unit = tariffs[0].values.value_at(act.day) if tariffs else None
        return Base(
            amount,
            (_step(f"Base de remboursement {eur_fr(amount)} (fournie avec l'acte).",
                   f"Reimbursement base {eur_en(amount)} (given with the act).", None, amount),),
            unit_tariff=unit,
        )
    outside = rules.amo.outside_nomenclature.value_at(act.day)
    if act.category is Category.OTHER or (kind is not None and kind in outside):
        return Base(ZERO, (_step("Acte hors nomenclature : pas de base de remboursement.",
                                 "Act outside the nomenclatures: no reimbursement base.",
                                 None, ZERO),))
    tariffs = tariffs_of(act, rules)
    if tariffs is not None:
        found = _from_tariffs(act, tariffs)
        return _sector_base(act, rules, found) if found.consultation else found
    device = _device_base(act, person, rules, kind)
    if device is not None:
        return device
    if act.sector is Sector.NON_CONVENTIONNE and act.category in (Category.GP, Category.SPECIALIST):
        return _sector_base(act, rules, Base(ZERO, ()))
    amount = cents(act.charged)
    step = Step(
        topic="base",
        fr=f"Base de remboursement prise égale au prix, {eur_fr(amount)} (aucun tarif connu).",
        en=f"Reimbursement base taken as the price, {eur_en(amount)} (no known tariff).",
        verified=act.category is Category.PHARMACY,
        amount=amount,
    )
    return Base(amount, (step,))
