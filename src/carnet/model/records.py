"""The normalised records a vault holds.

A ``Record`` is one clinical or administrative fact about a person, with the
original FHIR resource kept beside the normalised fields so nothing is lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from carnet.model.values import Code, Money, Problem, Provenance, Quantity


class Kind(StrEnum):
    """Normalised kinds the services read."""

    DEMOGRAPHICS = "demographics"
    COVERAGE = "coverage"
    CLAIM = "claim"  # a claim or EOB as a whole; its lines are ClaimLine
    ENCOUNTER = "encounter"
    CONDITION = "condition"
    OBSERVATION = "observation"
    MEDICATION_REQUEST = "medication_request"
    MEDICATION_DISPENSE = "medication_dispense"
    MEDICATION_STATEMENT = "medication_statement"
    MEDICATION_ADMINISTRATION = "medication_administration"
    IMMUNIZATION = "immunization"
    PROCEDURE = "procedure"
    ALLERGY = "allergy"
    DEVICE = "device"
    DIAGNOSTIC_REPORT = "diagnostic_report"
    DOCUMENT = "document"
    CARE_PLAN = "care_plan"
    GOAL = "goal"
    CARE_TEAM = "care_team"
    IMAGING_STUDY = "imaging_study"
    #: not about one person: organisations, practitioners, locations, medications…
    REFERENCE = "reference"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Person:
    """Someone of the household, as a source described them."""

    natural_key: str  # e.g. "Patient/123" from the source
    given: str | None = None
    family: str | None = None
    birth_date: str | None = None  # ISO date
    sex: str | None = None  # FHIR administrative gender
    deceased: str | None = None
    identifiers: tuple[Code, ...] = ()
    resource: Mapping[str, Any] | None = None
    provenance: Provenance | None = None

    @property
    def display_name(self) -> str:
        parts = [p for p in (self.given, self.family) if p]
        return " ".join(parts) or self.natural_key


@dataclass(frozen=True, slots=True)
class ClaimLine:
    """One act of a claim with its full money breakdown.

    ``paid_primary`` is the compulsory insurer (Assurance Maladie, Medicare…),
    ``paid_complementary`` the mutuelle or other secondary payer. All amounts
    share ``currency``: charged = paid_primary + paid_complementary + patient_share.
    ``fixed_charges`` (participation forfaitaire, franchises) are part of the
    patient share; ``overbilling`` (dépassement) is the part above the base.
    """

    line_no: int
    date: str | None
    category: str | None
    provider: str | None
    act: Code | None
    quantity: Decimal | None
    currency: str
    charged: Money | None
    base: Money | None = None
    paid_primary: Money | None = None
    paid_complementary: Money | None = None
    fixed_charges: Money | None = None
    overbilling: Money | None = None
    patient_share: Money | None = None
    primary_payer: str | None = None
    complementary_payer: str | None = None
    explanation: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Record:
    """One normalised fact, with its original resource and provenance."""

    kind: Kind
    natural_key: str  # stable id from the source: "Observation/abc" or "sha256:…"
    person_key: str | None  # natural key of the Person it is about, None for reference data
    provenance: Provenance
    resource_type: str | None = None
    date: str | None = None  # ISO date or dateTime
    end: str | None = None
    code: Code | None = None
    codes: tuple[Code, ...] = ()
    status: str | None = None
    text: str | None = None  # human label when no code display
    value: Quantity | None = None
    value_text: str | None = None
    reference_range: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    claim_lines: tuple[ClaimLine, ...] = ()
    resource: Mapping[str, Any] | None = None  # the FHIR resource as imported
    #: its canonical JSON as the vault stores it, when the importer made it (references rewritten)
    resource_json: bytes | None = None


@dataclass(slots=True)
class Extracted:
    """What an importer got out of one file: persons, records and problems.

    ``records`` may be a list or a one-shot lazy iterator, so that a large file
    is read a few records at a time and stays in bounded memory (the FHIR
    importer streams NDJSON this way). Iterating may then raise
    :class:`carnet.errors.RejectedFile` at any point, which refuses the whole
    file; ``problems``, ``persons`` and ``read`` keep growing while iterating and
    are complete only once ``records`` has been read to the end.
    """

    persons: list[Person] = field(default_factory=list)
    records: Iterable[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    source_name: str | None = None  # the data holder, e.g. "Synthea", "CMS Blue Button"
    read: int = 0  # items read from the file (for read = imported + duplicate + rejected)
