"""The French reimbursement parameters the engine reads, as typed values.

Each number is a :class:`~carnet.services.reimbursement.timeline.Timeline`
(dated, cited). ``carnet.rules.loader.load_rules()`` builds a
:class:`FrenchRules` from ``src/carnet/rules/fr/*.yaml``; tests may build
smaller ones by hand. The engine never reads files itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from carnet.services.reimbursement.timeline import Timeline

Rate = Timeline[Decimal]
Amount = Timeline[Decimal]
Count = Timeline[int]
Names = Timeline[frozenset[str]]


class MissingRule(LookupError):
    """The rules have no entry for what an act needs (e.g. an unknown rate variant)."""


@dataclass(frozen=True, slots=True)
class AmoRates:
    """AMO rates by category and variant (``in_pathway``, ``rate_65``, ``default``…)."""

    by_category: Mapping[str, Mapping[str, Rate]]
    #: care related to an ALD: the ticket modérateur is waived (100 % of the base)
    ald_related: Rate
    #: act kinds without any AMO base (``private_room``…), whatever their category
    outside_nomenclature: Names

    def rate(self, category: str, variant: str) -> Rate:
        """The rate timeline of ``category``/``variant``; :class:`MissingRule` when unknown."""
        variants = self.by_category.get(category)
        if variants is None:
            raise MissingRule(f"amo_rates: no rates for category {category!r}")
        found = variants.get(variant)
        if found is None:
            known = ", ".join(sorted(variants))
            raise MissingRule(f"amo_rates: no rate {variant!r} for {category!r} (known: {known})")
        return found

    def has(self, category: str, variant: str) -> bool:
        return variant in self.by_category.get(category, {})


@dataclass(frozen=True, slots=True)
class Participation:
    """Participation forfaitaire: a fixed sum withheld per physician act."""

    amount: Amount
    annual_cap: Amount
    #: at most this many participations per day with the same professional
    daily_max_count: Count
    categories: Names
    #: act kinds exempt from it (e.g. ``prevention``)
    exempt_kinds: Names


@dataclass(frozen=True, slots=True)
class FranchiseKind:
    """One franchise médicale: per box, per paramedical act or per transport."""

    name: str
    category: str
    per_unit: Amount
    daily_cap: Amount | None
    #: the daily cap counts per professional (True) or per day whoever it is (False)
    daily_cap_per_professional: bool
    #: act kinds of the category that are exempt (e.g. emergency transport)
    exempt_kinds: frozenset[str]


@dataclass(frozen=True, slots=True)
class Franchise:
    """Franchises médicales, with one yearly cap across their kinds."""

    by_category: Mapping[str, FranchiseKind]
    annual_cap: Amount


@dataclass(frozen=True, slots=True)
class Exemptions:
    """Who pays no participation forfaitaire, franchise or forfait journalier."""

    #: under this age: no PF, no franchise
    adult_age: Count
    #: pregnancy window: from this many months before the term…
    pregnancy_months_before_term: Count
    #: …to this many days after it
    pregnancy_days_after_term: Count
    #: newborns younger than this many months pay no forfait journalier
    newborn_months: Count


@dataclass(frozen=True, slots=True)
class HospitalCharges:
    """Forfait journalier, flat fee on heavy acts, forfait patient urgences."""

    daily_fee: Amount
    daily_fee_psychiatry: Amount
    heavy_act_threshold: Amount
    heavy_act_coefficient: Timeline[Decimal]
    heavy_act_fee: Amount
    heavy_act_categories: Names
    emergency_fee: Amount
    emergency_fee_reduced: Amount


@dataclass(frozen=True, slots=True)
class Tariff:
    """The conventional price (tarif de convention) of one act code."""

    system: str
    code: str
    label: str
    category: str
    #: a consultation: secteur 2 non-OPTAM and non-conventionné bases replace it
    consultation: bool
    values: Amount
    #: act kind implied by the code when the act gives none (``prevention`` for RDV)
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class Tariffs:
    """Tariffs of common acts and the bases of the sectors."""

    entries: Mapping[tuple[str, str], Tariff]
    #: base of a consultation by a secteur 2 doctor without OPTAM
    non_optam_consultation_base: Amount
    #: tarif d'autorité (non-conventionné) by category (gp, specialist)
    authority: Mapping[str, Amount]

    def find(self, system: str, code: str) -> Tariff | None:
        return self.entries.get((system, code))


@dataclass(frozen=True, slots=True)
class DirectAccess:
    """A specialty one may consult directly without leaving the pathway."""

    specialty: str
    min_age: int | None = None
    max_age: int | None = None

    def allows(self, specialty: str | None, age: int) -> bool:
        if specialty != self.specialty:
            return False
        return (self.min_age is None or age >= self.min_age) and (
            self.max_age is None or age <= self.max_age
        )


@dataclass(frozen=True, slots=True)
class Pathway:
    """Parcours de soins coordonnés (médecin traitant)."""

    #: the médecin traitant rule applies from this age
    from_age: Count
    categories: Names
    direct_access: Timeline[tuple[DirectAccess, ...]]


@dataclass(frozen=True, slots=True)
class RenewalStep:
    """From ``min_age``, cover is renewed at most every ``months`` months."""

    min_age: int
    months: int


@dataclass(frozen=True, slots=True)
class Equipment:
    """Optics and hearing: device bases, price limits, renewal periods."""

    #: category → renewal steps (see :func:`renewal_months`)
    renewal: Mapping[str, Timeline[tuple[RenewalStep, ...]]]
    #: ``(category, basket, kind)`` → base per unit (basket ``*`` = any)
    bases: Mapping[tuple[str, str, str], Amount]
    #: ``(category, basket, kind)`` → prix limite de vente per unit
    price_limits: Mapping[tuple[str, str, str], Amount]
    #: hearing: base and price limits of « adult » apply from this age, « young » before
    hearing_adult_from_age: Count


def renewal_months(steps: tuple[RenewalStep, ...], age: int) -> int:
    """Renewal period for ``age``: the step with the highest ``min_age`` not above it."""
    fitting = [step for step in steps if step.min_age <= age]
    if not fitting:
        raise MissingRule(f"no renewal period for age {age}")
    return max(fitting, key=lambda step: step.min_age).months


@dataclass(frozen=True, slots=True)
class OpticsGridRow:
    """Contrat responsable optics class B: floor and ceiling per equipment."""

    lenses: tuple[str, str]
    floor: Decimal
    ceiling: Decimal


@dataclass(frozen=True, slots=True)
class Constraint:
    """One contrat-responsable constraint, named for validation reports."""

    id: str
    fr: str
    en: str
    source: str
    verified: bool = True


@dataclass(frozen=True, slots=True)
class ResponsibleRules:
    """Contrat responsable (art. L871-1, R871-1/2 CSS): floors, prohibitions, ceilings."""

    non_optam_overrun_cap: Rate
    optam_gap: Rate
    optics_frame_cap: Amount
    optics_grid: Timeline[tuple[OpticsGridRow, ...]]
    hearing_free_total_cap: Amount
    optional_drug_rates: Timeline[frozenset[int]]
    constraints: Mapping[str, Constraint]


@dataclass(frozen=True, slots=True)
class FrenchRules:
    """Every parameter of the French reimbursement, as loaded from the rule files."""

    amo: AmoRates
    participation: Participation
    franchise: Franchise
    exemptions: Exemptions
    hospital: HospitalCharges
    tariffs: Tariffs
    pathway: Pathway
    equipment: Equipment
    responsible: ResponsibleRules
