"""Small inline records, a seeded vault and a served app for the emergency tests.

Imported by module name (``from .emergency_helpers import …``), never through
``conftest``: several conftest.py files exist in this repository.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import zxingcpp
from PIL import Image

import live_server
from carnet.model import Code, Extracted, Kind, Person, Provenance, Quantity, Record
from carnet.services.emergency import Evidence
from carnet.sources.base import InputFile
from carnet.store import Vault
from carnet.store.writer import write_extracted

TODAY = dt.date(2026, 11, 28)
PATIENT = "Patient/p1"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
CIP13 = "https://data.esante.gouv.fr/ansm/medicament/CIP13"
CIM10 = "https://smt.esante.gouv.fr/terminologie-cim-10"
PERSON = Person(PATIENT, given="Élise", family="Lefèvre", birth_date="1980-02-29", sex="female")
PASSCODE = "4321"


def days_ago(n: int) -> str:
    return (TODAY - dt.timedelta(days=n)).isoformat()


def concept(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


def record(
    kind: Kind,
    n: int,
    resource: dict[str, Any],
    *,
    date: str | None = None,
    status: str | None = None,
    code: Code | None = None,
    value: Quantity | None = None,
    value_text: str | None = None,
) -> Record:
    rtype = resource["resourceType"]
    return Record(
        kind=kind,
        natural_key=f"{rtype}/{n}",
        person_key=PATIENT,
        provenance=Provenance("test", "0" * 64, f"/entry/{n}/resource"),
        resource_type=rtype,
        date=date,
        code=code,
        status=status,
        value=value,
        value_text=value_text,
        resource={"id": str(n)} | resource,
    )


def dispense(n: int, cip: str, label: str, when: str, *, days: int | None = 30, boxes: int | None = None) -> Record:
    res: dict[str, Any] = {
        "resourceType": "MedicationDispense",
        "status": "completed",
        "medicationCodeableConcept": concept(CIP13, cip, label),
        "whenHandedOver": when,
    }
    if days is not None:
        res["daysSupply"] = {"value": days, "unit": "d"}
    if boxes is not None:
        res["quantity"] = {"value": boxes, "unit": "boîte"}
    return record(Kind.MEDICATION_DISPENSE, n, res, date=when, status="completed", code=Code(CIP13, cip, label))


def allergy(
    n: int,
    label: str,
    *,
    code: str = "91936005",
    criticality: str | None = "high",
    clinical: str = "active",
    verification: str | None = None,
    reaction: str | None = None,
) -> Record:
    res: dict[str, Any] = {
        "resourceType": "AllergyIntolerance",
        "clinicalStatus": concept(
            "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", clinical, clinical
        ),
        "code": concept(SNOMED, code, label),
    }
    if criticality:
        res["criticality"] = criticality
    if verification:
        res["verificationStatus"] = concept(
            "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", verification, verification
        )
    if reaction:
        res["reaction"] = [{"manifestation": [{"text": reaction}]}]
    return record(Kind.ALLERGY, n, res, date=days_ago(2000), status=clinical, code=Code(SNOMED, code, label))


def condition(
    n: int, label: str, *, codes: Sequence[tuple[str, str]] = (), clinical: str = "active", ald_end: str | None = None
) -> Record:
    res: dict[str, Any] = {
        "resourceType": "Condition",
        "clinicalStatus": concept("http://terminology.hl7.org/CodeSystem/condition-clinical", clinical, clinical),
        "code": {"coding": [{"system": s, "code": c, "display": label} for s, c in codes], "text": label},
    }
    if ald_end is not None or (codes and codes[0][0] == CIM10):
        period = {"start": "2020-01-01"} | ({"end": ald_end} if ald_end else {})
        res["extension"] = [
            {
                "url": "https://carnet.example/fhir/StructureDefinition/ald-exoneration",
                "extension": [{"url": "period", "valuePeriod": period}],
            }
        ]
    first = Code(codes[0][0], codes[0][1], label) if codes else None
    return record(Kind.CONDITION, n, res, date="2020-01-01", status=clinical, code=first)


def observation(
    n: int,
    loinc: str,
    label: str,
    when: str,
    *,
    value: float | None = None,
    unit: str = "",
    coded: tuple[str, str, str] | None = None,
) -> Record:
    res: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "code": concept(LOINC, loinc, label),
        "effectiveDateTime": when,
    }
    quantity = None
    if value is not None:
        res["valueQuantity"] = {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit}
        quantity = Quantity(Decimal(str(value)), unit, unit)
    if coded is not None:
        res["valueCodeableConcept"] = concept(*coded)
    return record(
        Kind.OBSERVATION,
        n,
        res,
        date=when,
        status="final",
        code=Code(LOINC, loinc, label),
        value=quantity,
        value_text=coded[2] if coded else None,
    )


def evidence(*records: Record, source: str = "Test holder") -> list[Evidence]:
    return [Evidence(i + 1, rec, source) for i, rec in enumerate(records)]


def household_records() -> list[Record]:
    """One person with a bit of everything a first responder needs."""
    return [
        allergy(1, "Allergie à la pénicilline", reaction="Œdème de Quincke"),
        allergy(2, "Arachide", code="91935009", criticality="low"),
        condition(3, "Diabète de type 2", codes=[(CIM10, "E11")]),
        condition(4, "Hypertension artérielle", codes=[(SNOMED, "38341003")]),
        dispense(5, "3400930236154", "Metformine 1000 mg", days_ago(10)),
        dispense(6, "3400937334471", "Ramipril 5 mg", days_ago(400)),
        observation(7, "882-1", "ABO et Rh", days_ago(900), coded=(SNOMED, "278149003", "A Rh+")),
        observation(8, "4548-4", "HbA1c", days_ago(20), value=7.1, unit="%"),
    ]


def seed(vault: Vault, records: Sequence[Record], *, name: str = "seed.json", person: Person = PERSON) -> None:
    """One person and ``records``, written straight through the store."""
    file = InputFile(name, name.encode() + b"-" + str(len(records)).encode())
    with vault.writing() as conn:
        write_extracted(conn, file, "test", Extracted([person], list(records), source_name="Test holder"))


@contextmanager
def served(app: Any, port: int | None = None) -> Iterator[str]:
    """``app`` served on 127.0.0.1 with uvicorn's debug log (the log tests read it); yields its base URL."""
    with live_server.served(app, port, log_level="debug") as base:
        yield base


def qr_text(image: Image.Image) -> str:
    """The text of the one QR code in ``image``.

    The decoder may report the same symbol more than once (it also scans
    downscaled and inverted copies of the image); several different texts
    would be a real failure.
    """
    texts = {code.text for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)}
    assert len(texts) == 1, texts
    return texts.pop()
