"""A complementary contract (mutuelle) as the engine reads it.

``carnet.rules.contract`` builds :class:`Contract` values from
``src/carnet/rules/contracts/*.yaml`` (format: ``docs/contracts.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from carnet.services.reimbursement.act import Act


class BrBasis(StrEnum):
    """Whether a « % BR » guarantee includes the Assurance Maladie share."""

    INCLUDING_AMO = "including_amo"  # « 100 % BR » = AMO + mutuelle reach the base
    EXCLUDING_AMO = "excluding_amo"  # « hors RO »: the mutuelle share alone


@dataclass(frozen=True, slots=True)
class Situation:
    """What a guarantee line is matched against (built from an act)."""

    category: str
    kind: str | None
    #: sector 1 or OPTAM (True), non-OPTAM or non-conventionné (False)
    optam: bool
    basket: str | None
    drug_rate: int | None

    @classmethod
    def of(cls, act: Act, kind: str | None = None) -> Situation:
        return cls(
            category=act.category.value,
            kind=kind if kind is not None else act.kind,
            optam=act.moderated_fees,
            basket=None if act.basket is None else act.basket.value,
            drug_rate=act.drug_rate,
        )


@dataclass(frozen=True, slots=True)
class Match:
    """Conditions of a guarantee line; a None condition matches anything."""

    category: str | None = None
    kind: str | None = None
    optam: bool | None = None
    basket: str | None = None
    drug_rate: int | None = None

    def accepts(self, situation: Situation) -> bool:
        return (
            (self.category is None or self.category == situation.category)
            and (self.kind is None or self.kind == situation.kind)
            and (self.optam is None or self.optam == situation.optam)
            and (self.basket is None or self.basket == situation.basket)
            and (self.drug_rate is None or self.drug_rate == situation.drug_rate)
        )

    @property
    def specificity(self) -> int:
        """How many conditions the line sets: the most specific matching line wins."""
        fields = (self.category, self.kind, self.optam, self.basket, self.drug_rate)
        return sum(value is not None for value in fields)


@dataclass(frozen=True, slots=True)
class Guarantee:
    """One line of a guarantee table.

    The offer is ``percent_br`` % of the base (AMO share included or not, per
    ``basis``) plus ``allowance`` euros per unit, or the whole cost left after
    the AMO when ``real_costs`` (« frais réels »). Caps then apply.
    """

    id: str
    label: str
    when: Match
    #: percent of the base as written in tables: 150 for « 150 % BR »
    percent_br: Decimal | None = None
    basis: BrBasis = BrBasis.INCLUDING_AMO
    #: euros per unit (forfait), on top of the percent part
    allowance: Decimal | None = None
    real_costs: bool = False
    #: most the mutuelle pays per unit (item)
    item_cap: Decimal | None = None
    #: most the mutuelle pays on this line per person and calendar year
    year_cap: Decimal | None = None
    #: most units paid on this line per person and calendar year (sessions…)
    year_count: int | None = None
    #: id of a contract-wide yearly cap this line also counts against
    shared_cap: str | None = None
    verified: bool = True
    note: str | None = None


@dataclass(frozen=True, slots=True)
class SharedCap:
    """A yearly euro cap shared by several lines (e.g. all optics)."""

    id: str
    label: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Premium:
    """Yearly premium (cotisation) per adult and per child, to compare contracts."""

    adult: Decimal
    child: Decimal
    #: a person is a « child » for the premium below this age
    child_under_age: int
    source: str
    verified: bool = False


@dataclass(frozen=True, slots=True)
class Contract:
    """A complementary contract: its guarantee lines and its nature."""

    id: str
    name: str
    source: str
    #: contrat responsable: the engine applies the legal ceilings and prohibitions
    responsible: bool
    premium: Premium
    guarantees: tuple[Guarantee, ...]
    shared_caps: Mapping[str, SharedCap]
    #: level for sorting (1 = basic)
    level: int = 1
    #: only a non-responsible contract may cover the hors-parcours increase
    covers_out_of_pathway_increase: bool = False
    verified: bool = True
    note: str | None = None

    def guarantee_for(self, situation: Situation) -> Guarantee | None:
        """The most specific line accepting ``situation`` (the first one on a tie)."""
        best: Guarantee | None = None
        for line in self.guarantees:
            if line.when.accepts(situation) and (
                best is None or line.when.specificity > best.when.specificity
            ):
                best = line
        return best
