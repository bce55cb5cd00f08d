"""The clinical side of the demo family, as a doctor's or a lab's FHIR export would bring it.

The claims (visits, drugs, vaccines, ALD) come from the mutuelle's packages; this
adds what claims cannot say: allergies, measurements, lab results, blood group,
conditions. Deterministic for the people given; fully synthetic.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import uuid
from dataclasses import dataclass
from typing import Any

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
CIM10 = "https://smt.esante.gouv.fr/terminologie-cim-10"
UCUM = "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
TODAY = dt.date(2026, 11, 1)
BLOOD_GROUPS = (
    ("278149003", "Groupe A, Rhésus positif"),
    ("278152006", "Groupe O, Rhésus positif"),
    ("278150003", "Groupe B, Rhésus positif"),
    ("278153001", "Groupe O, Rhésus négatif"),
)
ALLERGIES = (
    ("91936005", "Allergie à la pénicilline", "high"),
    ("300916003", "Allergie au latex", "low"),
    ("91935009", "Allergie à l'arachide", "high"),
)


@dataclass(frozen=True)
class DemoPerson:
    """Someone of the family, as their mutuelle package names them."""

    patient_id: str
    given: str
    family: str
    sex: str
    birth_date: str

    def age(self, on: dt.date = TODAY) -> int:
        born = dt.date.fromisoformat(self.birth_date)
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class _Ids:
    def __init__(self, seed: str) -> None:
        self.rng = random.Random(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big"))

    def __call__(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


def _concept(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


def _quantity(value: float, unit: str, code: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": code}


def _observation(ids: _Ids, ref: str, when: str, code: tuple[str, str], category: str, **value: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": ids(),
        "status": "final",
        "category": [_concept(CATEGORY, category, category.replace("-", " ").capitalize())],
        "code": _concept(LOINC, *code),
        "subject": {"reference": ref},
        "effectiveDateTime": when,
        **value,
    }


def _measurements(p: DemoPerson, ref: str, ids: _Ids) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    adult = p.age() >= 18
    for months_ago in range(0, 36, 6):
        day = TODAY - dt.timedelta(days=30 * months_ago)
        when = day.isoformat()
        age = max(p.age(day), 1)
        weight = 62 + ids.rng.random() * 18 if adult else 3.5 + age * 2.6 + ids.rng.random()
        out.append(
            _observation(
                ids,
                ref,
                when,
                ("29463-7", "Poids"),
                "vital-signs",
                valueQuantity=_quantity(round(weight, 1), "kg", "kg"),
            )
        )
        if adult and p.age() >= 40:
            out.append(
                _observation(
                    ids,
                    ref,
                    when,
                    ("85354-9", "Pression artérielle"),
                    "vital-signs",
                    component=[
                        {
                            "code": _concept(LOINC, "8480-6", "Systolique"),
                            "valueQuantity": _quantity(126 + ids.rng.randint(0, 22), "mmHg", "mm[Hg]"),
                        },
                        {
                            "code": _concept(LOINC, "8462-4", "Diastolique"),
                            "valueQuantity": _quantity(76 + ids.rng.randint(0, 14), "mmHg", "mm[Hg]"),
                        },
                    ],
                )
            )
            out.append(
                _observation(
                    ids,
                    ref,
                    when,
                    ("4548-4", "Hémoglobine glyquée (HbA1c)"),
                    "laboratory",
                    valueQuantity=_quantity(round(6.1 + ids.rng.random() * 1.6, 1), "%", "%"),
                    referenceRange=[{"high": _quantity(7.0, "%", "%")}],
                )
            )
    return out


def _clinical(p: DemoPerson, rank: int, ref: str, ids: _Ids) -> list[dict[str, Any]]:
    group = BLOOD_GROUPS[rank % len(BLOOD_GROUPS)]
    out: list[dict[str, Any]] = [
        _observation(
            ids,
            ref,
            "2019-03-12",
            ("882-1", "Groupe sanguin ABO et Rhésus"),
            "laboratory",
            valueCodeableConcept=_concept(SNOMED, *group),
        )
    ]
    if rank < len(ALLERGIES) and rank != 1:
        code, label, criticality = ALLERGIES[rank]
        out.append(
            {
                "resourceType": "AllergyIntolerance",
                "id": ids(),
                "patient": {"reference": ref},
                "clinicalStatus": _concept(ALLERGY_CLINICAL, "active", "Active"),
                "criticality": criticality,
                "code": _concept(SNOMED, code, label),
                "recordedDate": "2018-05-04",
            }
        )
    if p.age() < 18 and rank >= 2:
        out.append(
            {
                "resourceType": "Condition",
                "id": ids(),
                "subject": {"reference": ref},
                "clinicalStatus": _concept(CLINICAL, "active", "Active"),
                "code": {
                    "coding": [
                        {"system": SNOMED, "code": "195967001", "display": "Asthme"},
                        {"system": CIM10, "code": "J45", "display": "Asthme"},
                    ],
                    "text": "Asthme",
                },
                "onsetDateTime": "2021-09-15",
            }
        )
    return out


def household_bundles(people: list[DemoPerson]) -> list[tuple[str, dict[str, Any]]]:
    """One ``collection`` Bundle per person, about the Patient their package already brought."""
    bundles: list[tuple[str, dict[str, Any]]] = []
    for rank, person in enumerate(sorted(people, key=lambda p: (p.birth_date, p.patient_id))):
        ids = _Ids(f"carnet-demo/{person.patient_id}")
        ref = f"Patient/{person.patient_id}"
        resources = [*_clinical(person, rank, ref, ids), *_measurements(person, ref, ids)]
        bundle = {
            "resourceType": "Bundle",
            "id": ids(),
            "type": "collection",
            "meta": {"tag": [{"system": "https://carnet.example/tags", "code": "demo"}]},
            "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
        }
        bundles.append((f"dossier-medical-{person.given.lower() or rank}.json", bundle))
    return bundles
