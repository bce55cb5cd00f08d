"""The result of settling one act: who pays what, and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from carnet.services.reimbursement.act import Category


@dataclass(frozen=True, slots=True)
class Step:
    """One line of the explanation, in French and in English, with its rule."""

    #: what the step is about: ``base``, ``rate``, ``amo``, ``participation_forfaitaire``…
    topic: str
    fr: str
    en: str
    rule_id: str | None = None
    source: str | None = None
    #: False when the rule used is marked unverified in the fact sheet
    verified: bool = True
    amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Settlement:
    """Who pays what for one act; every amount in euros, rounded to the cent.

    Invariant: ``charged == amo_paid + complementary_paid + patient_share``.
    ``charged`` is the act's price plus the forfait journalier (``daily_fee``)
    billed for a hospital stay. ``amo_gross`` is the Assurance Maladie's share
    before the fixed charges; ``amo_paid`` is what it pays once the
    participation forfaitaire, the franchise and any earlier charges still due
    (``recovered``) are withheld. Charges that this payment was too small to
    withhold are ``deferred``: they will be withheld from later payments.
    """

    day: date
    category: Category
    code: str | None
    charged: Decimal
    base: Decimal
    amo_rate: Decimal
    amo_gross: Decimal
    participation_forfaitaire: Decimal
    franchise: Decimal
    recovered: Decimal
    deferred: Decimal
    amo_paid: Decimal
    #: flat fee left to the person instead of the ticket modérateur (heavy act, urgences)
    flat_fee: Decimal
    daily_fee: Decimal
    complementary_paid: Decimal
    #: dépassement: price above the base
    overbilling: Decimal
    patient_share: Decimal
    steps: tuple[Step, ...]
    #: id of the complementary contract applied (None without one)
    contract_id: str | None = None

    @property
    def ticket_moderateur(self) -> Decimal:
        """Part of the base the AMO does not pay (before fixed charges)."""
        return self.base - self.amo_gross

    @property
    def fixed_charges(self) -> Decimal:
        """Participation forfaitaire, franchise and earlier charges withheld on this payment."""
        return self.participation_forfaitaire + self.franchise + self.recovered

    def explanation(self, language: str = "fr") -> str:
        """The steps as text, one per line (``fr`` or ``en``)."""
        return "\n".join(step.fr if language == "fr" else step.en for step in self.steps)
