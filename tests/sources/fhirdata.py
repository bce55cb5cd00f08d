"""Small hand-made FHIR R4 fixtures, written here (not copied from any sample)."""

from __future__ import annotations

from typing import Any

import orjson

from carnet.model import Extracted, Record, Severity
from carnet.sources.base import InputFile
from carnet.sources.fhir import FhirImporter

PATIENT_ID = "b6d6c1e2-5f0a-4c2e-9a55-1d0f7e3a9c01"
PATIENT_URN = f"urn:uuid:{PATIENT_ID}"


def patient(pid: str = PATIENT_ID, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": pid,
        "name": [{"use": "official", "family": "Martin", "given": ["Léa", "Anne"]}],
        "gender": "female",
        "birthDate": "1984-03-09",
        "identifier": [{"system": "urn:oid:1.2.250.1.213.1.4.8", "value": "284037512345678",
                        "type": {"text": "NIR"}}],
        **extra,
    }


def observation(oid: str = "obs-1", subject: str = PATIENT_URN, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2339-0", "display": "Glucose"}]},
        "subject": {"reference": subject},
        "effectiveDateTime": "2024-02-01T08:30:00+01:00",
        "valueQuantity": {"value": 5.4, "unit": "mmol/L", "system": "http://unitsofmeasure.org", "code": "mmol/L"},
        **extra,
    }


def bundle(kind: str, resources: list[dict[str, Any]], full_urls: list[str] | None = None,
           **extra: Any) -> dict[str, Any]:
    entries = []
    for i, res in enumerate(resources):
        entry: dict[str, Any] = {"resource": res}
        if full_urls is not None:
            entry["fullUrl"] = full_urls[i]
        if kind in ("transaction", "batch"):
            entry["request"] = {"method": "POST", "url": res["resourceType"]}
        entries.append(entry)
    return {"resourceType": "Bundle", "type": kind, "entry": entries, **extra}


def as_file(doc: Any, name: str = "bundle.json") -> InputFile:
    return InputFile(name, orjson.dumps(doc))


def ndjson(resources: list[dict[str, Any]], name: str = "Observation.000.ndjson") -> InputFile:
    return InputFile(name, b"\n".join(orjson.dumps(r) for r in resources) + b"\n")


def read_all(ex: Extracted) -> Extracted:
    """The extraction with its records read to the end and kept in a list.

    NDJSON records are streamed (a one-shot iterator, which may raise
    ``RejectedFile``); ``read`` and ``problems`` are complete only after it.
    """
    ex.records = list(ex.records)
    return ex


def extract_file(file: InputFile) -> Extracted:
    return read_all(FhirImporter().extract(file))


def extract(doc: Any, name: str = "bundle.json") -> Extracted:
    return extract_file(as_file(doc, name))


def warnings(ex: Extracted) -> list[str]:
    return [f"{p.position}: {p.reason}" for p in ex.problems if p.severity is Severity.WARNING]


def rejected(ex: Extracted) -> list[str]:
    return [f"{p.position}: {p.reason}" for p in ex.problems if p.severity is Severity.REJECTED]


def stored(rec: Record) -> dict[str, Any]:
    """A record's resource as the vault stores it (canonical JSON, references rewritten)."""
    assert rec.resource_json is not None
    found: dict[str, Any] = orjson.loads(rec.resource_json)
    return found


def by_key(ex: Extracted) -> dict[str, Any]:
    return {r.natural_key: r for r in ex.records}
