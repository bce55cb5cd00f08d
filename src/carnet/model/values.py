"""Small immutable values shared by every record."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum

#: Code systems Carnet knows by name. Keys are canonical URIs, values short labels.
CODE_SYSTEMS: dict[str, str] = {
    "http://snomed.info/sct": "SNOMED CT",
    "http://loinc.org": "LOINC",
    "http://www.nlm.nih.gov/research/umls/rxnorm": "RxNorm",
    "http://hl7.org/fhir/sid/cvx": "CVX",
    "http://www.whocc.no/atc": "ATC",
    "http://hl7.org/fhir/sid/icd-10": "ICD-10",
    "http://hl7.org/fhir/sid/icd-10-cm": "ICD-10-CM",
    "http://hl7.org/fhir/sid/ndc": "NDC",
    "http://unitsofmeasure.org": "UCUM",
    "https://smt.esante.gouv.fr/terminologie-cim-10": "CIM-10",
    "https://data.esante.gouv.fr/ansm/medicament/CIP13": "CIP13",
    "https://smt.esante.gouv.fr/terminologie-ccam": "CCAM",
    "https://carnet.example/fhir/CodeSystem/ngap": "NGAP",
    "https://carnet.example/fhir/CodeSystem/nabm": "NABM",
    "https://carnet.example/fhir/CodeSystem/lpp": "LPP",
    "https://carnet.example/fhir/CodeSystem/snds-prs-nat": "Nature de prestation (SNDS)",
    "https://carnet.example/fhir/CodeSystem/adjudication": "Carnet adjudication",
    "https://carnet.example/fhir/CodeSystem/care-category": "Carnet care category",
}


@dataclass(frozen=True, slots=True)
class Code:
    """A coded concept: the system keeps its URI, never dropped."""

    system: str | None
    code: str | None
    display: str | None = None

    @property
    def system_label(self) -> str:
        """Short human name of the system (``LOINC``) or the URI itself."""
        if self.system is None:
            return ""
        return CODE_SYSTEMS.get(self.system, self.system)


@dataclass(frozen=True, slots=True)
class Quantity:
    """A measured value with its UCUM unit (``unit_code``) and printed unit."""

    value: Decimal
    unit: str | None = None
    unit_code: str | None = None


CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in one currency. Totals never mix currencies."""

    amount: Decimal
    currency: str = "EUR"

    @property
    def cents(self) -> int:
        """Amount in minor units, rounded half-even."""
        return int((self.amount.quantize(CENT, rounding=ROUND_HALF_EVEN) * 100).to_integral_value())

    @classmethod
    def from_cents(cls, cents: int, currency: str = "EUR") -> Money:
        return cls(Decimal(cents) / 100, currency)


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a record came from: importer, original file (SHA-256), position in it."""

    importer: str
    file_sha256: str
    pointer: str  # JSON pointer ("/entry/3/resource") or "line 12"


class Severity(StrEnum):
    """A rejected item is not stored; a warning is stored with a note."""

    REJECTED = "rejected"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """A data problem, shown to the person: file, position and reason."""

    file: str
    position: str
    reason: str
    severity: Severity = Severity.REJECTED

    def __str__(self) -> str:
        where = f"{self.file}:{self.position}" if self.position else self.file
        return f"{where}: {self.reason}"
