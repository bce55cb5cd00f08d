"""The readable reimbursement statement of a Carnet package (``releve.csv``).

A member who kept only the CSV of their package still gets their claims with
the full breakdown. The file is the one ``carnet restitute`` writes: ``;``
separated, decimal commas, ``JJ/MM/AAAA`` dates, UTF-8 with a BOM. Its
reference columns give the same natural keys as the package's FHIR files, so
importing both adds each claim once: a statement never supersedes the richer
FHIR version of the same claim (see ``carnet.store.writer``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from carnet.errors import RejectedFile
from carnet.model import ClaimLine, Code, Extracted, Kind, Money, Person, Problem, Provenance, Record

HEADER = (
    "Date des soins",
    "Bénéficiaire",
    "Acte",
    "Code",
    "Montant payé",
    "Base de remboursement",
    "Taux (%)",
    "Remboursement Assurance Maladie",
    "Participation forfaitaire / franchise",
    "Remboursement mutuelle",
    "Reste à charge",
    "N° de décompte",
    "Réf. bénéficiaire",
    "Réf. soin",
)
#: meta.tag of the FHIR resources built from a statement (less detailed than the package's own)
STATEMENT_TAG = {"system": "https://carnet.example/fhir/CodeSystem/tags", "code": "from-statement"}
CIP13 = "https://data.esante.gouv.fr/ansm/medicament/CIP13"
CCAM = "https://smt.esante.gouv.fr/terminologie-ccam"
NGAP = "https://carnet.example/fhir/CodeSystem/ngap"
NABM = "https://carnet.example/fhir/CodeSystem/nabm"
_CCAM = re.compile(r"^[A-Z]{4}\d{3}$")


def _system_and_category(code: str) -> tuple[str, str]:
    if code.isdigit() and len(code) == 13:
        return CIP13, "pharmacy"
    if _CCAM.match(code):
        return CCAM, "specialist"
    if code.isdigit():
        return NABM, "biology"
    return NGAP, "gp" if code.startswith("G") else "specialist"


def _euros(text: str, where: str, file: str) -> Money:
    try:
        return Money(Decimal(text.replace(",", ".")) if text else Decimal(0), "EUR")
    except InvalidOperation:
        raise RejectedFile(file, where, f"not an amount: {text[:40]!r}") from None


def _date(text: str, where: str, file: str) -> str:
    day, _, rest = text.partition("/")
    month, _, year = rest.partition("/")
    if not (day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4):
        raise RejectedFile(file, where, f"not a date (JJ/MM/AAAA): {text[:20]!r}")
    return f"{year}-{int(month):02d}-{int(day):02d}"


@dataclass
class _Claim:
    key: str
    person_key: str
    date: str
    decompte: str
    lines: list[ClaimLine]
    pointer: str


def _resource(claim: _Claim) -> dict[str, Any]:
    """A minimal ExplanationOfBenefit, so that a statement-only vault still exports its claims."""

    def adj(code: str, m: Money | None) -> dict[str, Any]:
        value = m.amount if m else Decimal(0)
        return {"category": {"coding": [{"code": code}]}, "amount": {"value": float(value), "currency": "EUR"}}

    return {
        "resourceType": "ExplanationOfBenefit",
        "id": claim.key.split("/", 1)[1],
        "meta": {"tag": [STATEMENT_TAG]},
        "status": "active",
        "outcome": "complete",
        "patient": {"reference": claim.person_key},
        "identifier": [{"system": "https://carnet.example/fhir/NamingSystem/snds-decompte", "value": claim.decompte}],
        "billablePeriod": {"start": claim.date, "end": claim.date},
        "item": [
            {
                "sequence": line.line_no,
                "servicedDate": claim.date,
                "productOrService": {
                    "coding": [{"system": line.act.system, "code": line.act.code, "display": line.act.display}]
                }
                if line.act
                else {},
                "adjudication": [
                    adj("submitted", line.charged),
                    adj("eligible", line.base),
                    adj("benefit", line.paid_primary),
                ],
            }
            for line in claim.lines
        ],
    }


class StatementImporter:
    """``releve.csv`` of a Carnet package → claims with their breakdown."""

    name = "statement"

    def identify(self, file: Any) -> bool:
        head = bytes(file.head(600)).removeprefix(b"\xef\xbb\xbf")
        return head.startswith("Date des soins;Bénéficiaire;Acte;".encode())

    def extract(self, file: Any) -> Extracted:
        try:
            text = bytes(file.data).decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise RejectedFile(file.name, f"byte {err.start}", "not UTF-8 text") from None
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=";")
        header = next(rows, None)
        if header is None or tuple(header[: len(HEADER)]) != HEADER:
            raise RejectedFile(file.name, "line 1", "not a Carnet reimbursement statement (unexpected columns)")
        extracted = Extracted(source_name="Mutuelle (relevé de remboursements)")
        extracted.records = list(self._records(file, rows, extracted))
        return extracted

    def _records(self, file: Any, rows: Iterator[list[str]], extracted: Extracted) -> Iterator[Record]:
        claims: dict[str, _Claim] = {}
        persons: dict[str, Person] = {}
        for n, row in enumerate(rows, start=2):
            where = f"line {n}"
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < len(HEADER):
                extracted.problems.append(Problem(file.name, where, f"{len(row)} cells, {len(HEADER)} expected"))
                continue
            cells = dict(zip(HEADER, row, strict=False))
            person_key = f"Patient/{cells['Réf. bénéficiaire']}"
            if person_key not in persons:
                given, _, family = cells["Bénéficiaire"].partition(" ")
                persons[person_key] = Person(person_key, given or None, family or None)
            date = _date(cells["Date des soins"], where, file.name)
            key = f"ExplanationOfBenefit/{cells['Réf. soin']}"
            claim = claims.setdefault(key, _Claim(key, person_key, date, cells["N° de décompte"], [], where))
            system, category = _system_and_category(cells["Code"])
            fixed = _euros(cells["Participation forfaitaire / franchise"], where, file.name)
            claim.lines.append(
                ClaimLine(
                    line_no=len(claim.lines) + 1,
                    date=date,
                    category=category,
                    provider=None,
                    act=Code(system, cells["Code"], cells["Acte"]),
                    quantity=None,
                    currency="EUR",
                    charged=_euros(cells["Montant payé"], where, file.name),
                    base=_euros(cells["Base de remboursement"], where, file.name),
                    paid_primary=_euros(cells["Remboursement Assurance Maladie"], where, file.name),
                    paid_complementary=_euros(cells["Remboursement mutuelle"], where, file.name),
                    fixed_charges=fixed,
                    patient_share=_euros(cells["Reste à charge"], where, file.name),
                    primary_payer="Assurance Maladie",
                    complementary_payer="Mutuelle",
                    explanation={"rate": cells["Taux (%)"], "source": "statement"},
                )
            )
        extracted.persons.extend(persons.values())
        extracted.read = len(claims) + len(extracted.problems)  # a claim is a record; bad rows are rejected
        for claim in claims.values():
            yield Record(
                kind=Kind.CLAIM,
                natural_key=claim.key,
                person_key=claim.person_key,
                provenance=Provenance(self.name, file.sha256, claim.pointer),
                resource_type="ExplanationOfBenefit",
                date=claim.date,
                end=claim.date,
                status="active",
                text=claim.lines[0].act.display if claim.lines[0].act else None,
                claim_lines=tuple(claim.lines),
                resource=_resource(claim),
            )
