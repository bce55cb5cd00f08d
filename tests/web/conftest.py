"""Fixtures of the web tests: a client on the (cheap-KDF) ``vault`` of tests/conftest.py, tiny inline data."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from carnet.model import Code, Extracted, Kind, Person, Provenance, Quantity, Record
from carnet.sources.base import InputFile
from carnet.store import Vault
from carnet.store.writer import write_extracted
from carnet.web import create_app
from live_server import LOCAL_CLIENT

BASE_URL = "http://127.0.0.1"


@pytest.fixture
def client(vault: Vault) -> Iterator[TestClient]:
    with TestClient(create_app(vault), base_url=BASE_URL, client=LOCAL_CLIENT) as c:
        yield c


def csrf_of(client: TestClient) -> str:
    """Open the import form; its hidden field holds the token the cookie also holds."""
    page = client.get("/import")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, "the import form has no CSRF field"
    return match.group(1)


def upload(client: TestClient, files: Sequence[tuple[str, bytes]], token: str | None = "auto") -> Any:
    data = {"csrf_token": csrf_of(client) if token == "auto" else token} if token else {}
    parts = [("files", (name, content, "application/json")) for name, content in files]
    return client.post("/import", data=data, files=parts)


def fhir_bundle(*, given: str = "Marie", family: str = "Curie", value: float = 72.5) -> bytes:
    """A Patient and one body-weight Observation, as a FHIR R4 collection bundle."""
    patient = {
        "resourceType": "Patient",
        "id": "p1",
        "name": [{"given": [given], "family": family}],
        "gender": "female",
        "birthDate": "1967-11-07",
    }
    observation = {
        "resourceType": "Observation",
        "id": "o1",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7", "display": "Body weight"}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": "2023-04-05T09:30:00+02:00",
        "valueQuantity": {"value": value, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg"},
    }
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": "urn:uuid:p1", "resource": patient},
            {"fullUrl": "urn:uuid:o1", "resource": observation},
        ],
    }
    return json.dumps(bundle).encode()


def seed(vault: Vault, records: Sequence[Record] = (), *, name: str = "seed.json") -> InputFile:
    """Write one person and ``records`` straight through the store (no importer needed)."""
    file = InputFile(name, name.encode() + b"-" + str(len(records)).encode())
    person = Person("Patient/p1", given="Marie", family="Curie", birth_date="1967-11-07", sex="female")
    with vault.writing() as conn:
        write_extracted(conn, file, "test", Extracted([person], list(records), source_name="Test holder"))
    return file


def observation(n: int, *, date: str, kind: Kind = Kind.OBSERVATION, resource: dict[str, Any] | None = None) -> Record:
    return Record(
        kind=kind,
        natural_key=f"Observation/o{n}",
        person_key="Patient/p1",
        provenance=Provenance("test", "0" * 64, f"/entry/{n}/resource"),
        resource_type="Observation",
        date=date,
        code=Code("http://loinc.org", "29463-7", f"Body weight {n}"),
        value=Quantity(Decimal("72.5"), "kg", "kg"),
        resource=resource or {"resourceType": "Observation", "id": f"o{n}"},
    )
