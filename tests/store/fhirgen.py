"""Small FHIR R4 fixtures built in the test, never read from disk.

``household`` gives a patient with resources of 14 types that refer to each
other (Encounter → Practitioner/Organization/Location, DiagnosticReport →
Observation, MedicationRequest → Medication, CarePlan → Condition…). Free-text
fields, names, an identifier and a code take strings from a caller's pool
(canaries, hostile CSV values…).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

Resource = dict[str, Any]

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
RESOURCE_TYPES = (
    "AllergyIntolerance", "CarePlan", "Condition", "DiagnosticReport", "Encounter", "Immunization",
    "Location", "Medication", "MedicationRequest", "Observation", "Organization", "Patient",
    "Practitioner", "Procedure",
)


def ref(resource: Resource) -> dict[str, str]:
    return {"reference": f"{resource['resourceType']}/{resource['id']}"}


def patient(pid: str, given: str = "Alice", family: str = "Martin", birth: str = "1980-02-29") -> Resource:
    return {
        "resourceType": "Patient",
        "id": pid,
        "identifier": [{"system": "urn:oid:1.2.250.1.213.1.4.8", "value": f"NIR-{pid}"}],
        "name": [{"family": family, "given": [given]}],
        "gender": "female",
        "birthDate": birth,
    }


def observation(oid: str, subject: Resource, value: float, *, code: str = "8867-4", day: int = 1,
                note: str | None = None, display: str = "Heart rate") -> Resource:
    obs: Resource = {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": code, "display": display}]},
        "subject": ref(subject),
        "effectiveDateTime": f"2024-01-{1 + day % 28:02d}T08:{day % 60:02d}:00+01:00",
        "valueQuantity": {"value": value, "unit": "/min", "system": "http://unitsofmeasure.org", "code": "/min"},
    }
    if note is not None:
        obs["note"] = [{"text": note}]
    return obs


def household(pid: str, texts: Iterator[str], n_obs: int = 3) -> list[Resource]:
    """One patient and resources of 14 types with references between them."""
    pat = patient(pid, next(texts), next(texts))
    pat["identifier"][0]["value"] = next(texts)
    org = {"resourceType": "Organization", "id": f"org-{pid}", "name": next(texts)}
    doc = {"resourceType": "Practitioner", "id": f"prac-{pid}",
           "name": [{"family": next(texts), "given": [next(texts)]}]}
    loc = {"resourceType": "Location", "id": f"loc-{pid}", "name": next(texts), "managingOrganization": ref(org)}
    enc = {
        "resourceType": "Encounter", "id": f"enc-{pid}", "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
        "subject": ref(pat), "participant": [{"individual": ref(doc)}],
        "period": {"start": "2024-01-02T09:00:00+01:00", "end": "2024-01-02T09:30:00+01:00"},
        "serviceProvider": ref(org), "location": [{"location": ref(loc)}],
    }
    cond = {
        "resourceType": "Condition", "id": f"cond-{pid}",
        "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                       "code": "active"}]},
        "code": {"coding": [{"system": SNOMED, "code": "44054006", "display": next(texts)}], "text": next(texts)},
        "subject": ref(pat), "encounter": ref(enc), "onsetDateTime": "2019-05-01",
        "note": [{"text": next(texts)}],
    }
    observations = [
        observation(f"obs-{pid}-{i}", pat, 60 + i, day=i, note=next(texts)) | {"encounter": ref(enc)}
        for i in range(n_obs)
    ]
    report = {
        "resourceType": "DiagnosticReport", "id": f"rep-{pid}", "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "24331-1", "display": "Lipid panel"}], "text": next(texts)},
        "subject": ref(pat), "encounter": ref(enc), "effectiveDateTime": "2024-01-02",
        "result": [ref(o) for o in observations], "conclusion": next(texts),
    }
    med = {"resourceType": "Medication", "id": f"med-{pid}",
           "code": {"coding": [{"system": "http://www.whocc.no/atc", "code": "A10BA02", "display": next(texts)}]}}
    mreq = {
        "resourceType": "MedicationRequest", "id": f"mreq-{pid}", "status": "active", "intent": "order",
        "medicationReference": ref(med), "subject": ref(pat), "encounter": ref(enc),
        "authoredOn": "2024-01-02", "requester": ref(doc), "reasonReference": [ref(cond)],
        "dosageInstruction": [{"text": next(texts)}],
    }
    imm = {
        "resourceType": "Immunization", "id": f"imm-{pid}", "status": "completed",
        "vaccineCode": {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "140"}], "text": next(texts)},
        "patient": ref(pat), "occurrenceDateTime": "2023-10-15", "note": [{"text": next(texts)}],
    }
    allergy = {
        "resourceType": "AllergyIntolerance", "id": f"all-{pid}", "patient": ref(pat),
        "code": {"coding": [{"system": SNOMED, "code": next(texts)}], "text": next(texts)},
        "note": [{"text": next(texts)}],
    }
    proc = {
        "resourceType": "Procedure", "id": f"proc-{pid}", "status": "completed",
        "code": {"coding": [{"system": SNOMED, "code": "73761001", "display": next(texts)}]},
        "subject": ref(pat), "encounter": ref(enc), "performedDateTime": "2024-01-02",
        "note": [{"text": next(texts)}],
    }
    plan = {
        "resourceType": "CarePlan", "id": f"plan-{pid}", "status": "active", "intent": "plan",
        "subject": ref(pat), "addresses": [ref(cond)], "description": next(texts),
    }
    return [pat, org, doc, loc, enc, cond, *observations, report, med, mreq, imm, allergy, proc, plan]


def bundle(resources: Iterable[Resource], bundle_type: str = "collection") -> Resource:
    return {
        "resourceType": "Bundle",
        "type": bundle_type,
        "entry": [
            {"fullUrl": f"https://example.org/fhir/{r['resourceType']}/{r['id']}", "resource": r}
            for r in resources
        ],
    }


def ndjson(resources: Iterable[Resource]) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n" for r in resources)


def write_json(path: Path, value: Resource) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def write_ndjson(path: Path, resources: Iterable[Resource]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(ndjson(resources))
    return path


def words(seed: int) -> Iterator[str]:
    """An endless supply of plain, readable French-ish labels."""
    rng = random.Random(seed)
    pool = ("Dupont", "Lefèvre", "Chloé", "Élise", "Saint-Étienne", "Hôpital Nord", "Dr Moreau", "note",
            "bilan", "suivi", "vaccin", "tension", "allergie aux arachides", "Œdème")
    while True:
        yield f"{rng.choice(pool)} {rng.randrange(1000)}"


def person_file(folder: Path, i: int, per_file: int, rng: random.Random) -> Path:
    """File ``i``: a patient and ``per_file`` observations, NDJSON for even ``i``, a Bundle for odd ``i``."""
    pat = patient(f"p{i:03d}", f"Given{i}", f"Family{i}")
    obs = [observation(f"o{i:03d}-{j:04d}", pat, rng.randrange(40, 140), day=j, note=f"n{rng.random()}")
           for j in range(per_file)]
    if i % 2:
        return write_json(folder / f"f{i:03d}.json", bundle([pat, *obs]))
    return write_ndjson(folder / f"f{i:03d}.ndjson", [pat, *obs])


def person_files(folder: Path, n_files: int, per_file: int, seed: int = 0) -> list[Path]:
    rng = random.Random(seed)
    return [person_file(folder, i, per_file, rng) for i in range(n_files)]
