"""A small synthetic French household as FHIR R4 bundles (no real person).

Deterministic for a seed: the same seed always gives byte-identical bundles.
Used by ``carnet demo`` and by tests that need a realistic family quickly.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from typing import Any

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
CIP13 = "https://data.esante.gouv.fr/ansm/medicament/CIP13"
ATC = "http://www.whocc.no/atc"
CIM10 = "https://smt.esante.gouv.fr/terminologie-cim-10"
UCUM = "http://unitsofmeasure.org"


@dataclass(frozen=True)
class Member:
    key: str
    given: str
    family: str
    sex: str
    birth: dt.date
    conditions: tuple[tuple[str, str, str], ...] = ()  # (SNOMED, CIM-10, label)
    allergies: tuple[tuple[str, str], ...] = ()  # (SNOMED, label)
    drugs: tuple[tuple[str, str, str], ...] = ()  # (CIP13, ATC, label)


MEMBERS = (
    Member(
        "camille",
        "Camille",
        "Martin",
        "female",
        dt.date(1984, 3, 14),
        allergies=(("91936005", "Allergie à la pénicilline"),),
    ),
    Member(
        "julien",
        "Julien",
        "Martin",
        "male",
        dt.date(1979, 11, 2),
        conditions=(("38341003", "I10", "Hypertension artérielle"), ("44054006", "E11", "Diabète de type 2")),
        drugs=(
            ("3400937334471", "C09AA05", "Ramipril Almus 5 mg, comprimé sécable"),
            ("3400930236154", "A10BA02", "Metformine Accord 1000 mg, comprimé pelliculé"),
        ),
    ),
    Member(
        "lea",
        "Léa",
        "Martin",
        "female",
        dt.date(2012, 6, 21),
        conditions=(("195967001", "J45", "Asthme"),),
        drugs=(("3400935842664", "R03AC02", "Salbutamol Teva 100 µg/dose, inhalation"),),
    ),
    Member("hugo", "Hugo", "Martin", "male", dt.date(2019, 9, 5)),
)


class _Ids:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


def _coding(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


def _patient(m: Member, pid: str) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": pid,
        "identifier": [{"system": "https://carnet.example/demo/member", "value": m.key}],
        "name": [{"family": m.family, "given": [m.given]}],
        "gender": m.sex,
        "birthDate": m.birth.isoformat(),
        "address": [{"city": "Lyon", "postalCode": "69003", "country": "FR"}],
    }


def _observations(m: Member, ref: str, today: dt.date, ids: _Ids, rng: random.Random) -> list[dict[str, Any]]:
    obs: list[dict[str, Any]] = []
    for months_ago in range(0, 36, 3):
        when = (today - dt.timedelta(days=30 * months_ago)).isoformat()
        weight = 18 + (today.year - m.birth.year) * 3.0 if today.year - m.birth.year < 16 else 62 + rng.random() * 20
        obs.append(
            {
                "resourceType": "Observation",
                "id": ids(),
                "status": "final",
                "category": [
                    _coding("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs", "Vital signs")
                ],
                "code": _coding(LOINC, "29463-7", "Poids"),
                "subject": {"reference": ref},
                "effectiveDateTime": when,
                "valueQuantity": {"value": round(weight, 1), "unit": "kg", "system": UCUM, "code": "kg"},
            }
        )
        if any(c[1] == "I10" for c in m.conditions):
            obs.append(
                {
                    "resourceType": "Observation",
                    "id": ids(),
                    "status": "final",
                    "code": _coding(LOINC, "85354-9", "Pression artérielle"),
                    "subject": {"reference": ref},
                    "effectiveDateTime": when,
                    "component": [
                        {
                            "code": _coding(LOINC, "8480-6", "Systolique"),
                            "valueQuantity": {
                                "value": 128 + rng.randint(0, 18),
                                "unit": "mmHg",
                                "system": UCUM,
                                "code": "mm[Hg]",
                            },
                        },
                        {
                            "code": _coding(LOINC, "8462-4", "Diastolique"),
                            "valueQuantity": {
                                "value": 78 + rng.randint(0, 12),
                                "unit": "mmHg",
                                "system": UCUM,
                                "code": "mm[Hg]",
                            },
                        },
                    ],
                }
            )
        if any(c[1] == "E11" for c in m.conditions):
            obs.append(
                {
                    "resourceType": "Observation",
                    "id": ids(),
                    "status": "final",
                    "category": [
                        _coding(
                            "http://terminology.hl7.org/CodeSystem/observation-category", "laboratory", "Laboratory"
                        )
                    ],
                    "code": _coding(LOINC, "4548-4", "HbA1c"),
                    "subject": {"reference": ref},
                    "effectiveDateTime": when,
                    "valueQuantity": {
                        "value": round(6.4 + rng.random() * 1.4, 1),
                        "unit": "%",
                        "system": UCUM,
                        "code": "%",
                    },
                    "referenceRange": [{"high": {"value": 7.0, "unit": "%", "system": UCUM, "code": "%"}}],
                }
            )
    return obs


def _clinical(m: Member, ref: str, today: dt.date, ids: _Ids) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for snomed, cim, label in m.conditions:
        out.append(
            {
                "resourceType": "Condition",
                "id": ids(),
                "subject": {"reference": ref},
                "clinicalStatus": _coding(
                    "http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active"
                ),
                "code": {
                    "coding": [
                        {"system": SNOMED, "code": snomed, "display": label},
                        {"system": CIM10, "code": cim, "display": label},
                    ],
                    "text": label,
                },
                "onsetDateTime": (today - dt.timedelta(days=5 * 365)).isoformat(),
            }
        )
    for snomed, label in m.allergies:
        out.append(
            {
                "resourceType": "AllergyIntolerance",
                "id": ids(),
                "patient": {"reference": ref},
                "clinicalStatus": _coding(
                    "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "Active"
                ),
                "criticality": "high",
                "code": _coding(SNOMED, snomed, label),
                "recordedDate": (today - dt.timedelta(days=3000)).isoformat(),
            }
        )
    for cip, atc, label in m.drugs:
        for months_ago in range(0, 12):
            out.append(
                {
                    "resourceType": "MedicationDispense",
                    "id": ids(),
                    "status": "completed",
                    "subject": {"reference": ref},
                    "medicationCodeableConcept": {
                        "coding": [{"system": CIP13, "code": cip, "display": label}, {"system": ATC, "code": atc}],
                        "text": label,
                    },
                    "quantity": {"value": 1, "unit": "boîte"},
                    "daysSupply": {"value": 30, "unit": "d"},
                    "whenHandedOver": (today - dt.timedelta(days=30 * months_ago + 3)).isoformat(),
                }
            )
    vaccines = (
        ("836380007", "Hexavalent (DTCaP-Hib-HepB-Polio)", 2),
        ("871866001", "ROR (rougeole-oreillons-rubéole)", 12),
        ("1119349007", "Grippe saisonnière", 12 * 30),
    )
    for code, label, months in vaccines:
        when = m.birth + dt.timedelta(days=30 * months)
        if when <= today:
            out.append(
                {
                    "resourceType": "Immunization",
                    "id": ids(),
                    "status": "completed",
                    "patient": {"reference": ref},
                    "vaccineCode": _coding(SNOMED, code, label),
                    "occurrenceDateTime": when.isoformat(),
                }
            )
    return out


def household_bundles(seed: int = 7, today: dt.date | None = None) -> list[tuple[str, dict[str, Any]]]:
    """One ``collection`` Bundle per member: (file name, bundle)."""
    rng = random.Random(seed)
    ids = _Ids(rng)
    today = today or dt.date(2026, 11, 1)
    bundles: list[tuple[str, dict[str, Any]]] = []
    for m in MEMBERS:
        pid = ids()
        ref = f"Patient/{pid}"
        resources = [_patient(m, pid), *_clinical(m, ref, today, ids), *_observations(m, ref, today, ids, rng)]
        bundle = {
            "resourceType": "Bundle",
            "id": ids(),
            "type": "collection",
            "meta": {"tag": [{"system": "https://carnet.example/tags", "code": "demo"}]},
            "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
        }
        bundles.append((f"{m.key}.json", bundle))
    return bundles
