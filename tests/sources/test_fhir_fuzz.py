"""Mutation fuzz (goal G6): a damaged file is read or refused with RejectedFile, nothing else."""

from __future__ import annotations

import copy
import random
from typing import Any

import orjson
import pytest

from carnet.errors import RejectedFile
from carnet.model import Severity
from carnet.sources.base import InputFile
from carnet.sources.fhir import FhirImporter

from .fhirdata import PATIENT_URN, bundle, observation, patient, read_all
from .test_fhir_claims import adj, eob

SEED = 20240611


def valid_bundle() -> dict[str, Any]:
    condition = {"resourceType": "Condition", "id": "c1", "subject": {"reference": PATIENT_URN},
                 "clinicalStatus": {"coding": [{"code": "active"}]}, "onsetPeriod": {"start": "2020-01-01"},
                 "code": {"coding": [{"system": "http://snomed.info/sct", "code": "44054006"}]}}
    claim = eob([{"sequence": 1, "servicedDate": "2024-03-01", "net": {"value": 30, "currency": "EUR"},
                  "adjudication": [adj("benefit", 21.0, currency="EUR"), adj("copay", 9.0, currency="EUR")]}],
                patient={"reference": PATIENT_URN})
    bp = observation("bp", component=[{"code": {"text": "sys"}, "valueQuantity": {"value": 120}}],
                     referenceRange=[{"low": {"value": 1}, "high": {"value": 2}}])
    return bundle("transaction", [patient(), observation(), condition, claim, bp],
                  [PATIENT_URN, "urn:uuid:o", "urn:uuid:c", "urn:uuid:e", "urn:uuid:bp"])


def check(name: str, data: bytes) -> None:
    importer = FhirImporter()
    file = InputFile(name, data)
    importer.identify(file)  # must not raise either
    try:
        ex = read_all(importer.extract(file))
    except RejectedFile as err:
        assert err.reason
        return
    rejected = sum(1 for p in ex.problems if p.severity is Severity.REJECTED)
    assert ex.read == len(ex.records) + rejected


def byte_mutants(data: bytes, rng: random.Random, count: int) -> list[bytes]:
    out = []
    for _ in range(count):
        buf = bytearray(data)
        action = rng.randrange(5)
        if action == 0:  # flip a few bytes
            for _ in range(rng.randint(1, 8)):
                buf[rng.randrange(len(buf))] = rng.randrange(256)
        elif action == 1:  # truncate
            del buf[rng.randrange(1, len(buf)):]
        elif action == 2:  # insert structure
            at = rng.randrange(len(buf))
            buf[at:at] = rng.choice([b"{", b"}", b"[", b"]", b",", b'"', b":", b"\\", b"\x00", b"\xff\xfe"])
        elif action == 3:  # duplicate a chunk
            a = rng.randrange(len(buf))
            b = min(len(buf), a + rng.randint(1, 200))
            buf[a:a] = buf[a:b]
        else:  # delete a chunk
            a = rng.randrange(len(buf))
            del buf[a : a + rng.randint(1, 50)]
        out.append(bytes(buf))
    return out


CONFUSION: list[Any] = [None, 0, -1, 1.5, True, "", "x" * 300, [], {}, [None], {"reference": 7}, [[[]]],
                        "IGNORED_FIELD", {"coding": "no"}, {"value": "NaN"}, "#patient", "urn:uuid:",
                        {"start": 3}, [{"reference": "#nope"}]]


def replace_somewhere(node: Any, rng: random.Random) -> None:
    """Replace one value, chosen at random along a random path, with a confusing one."""
    while True:
        if type(node) is dict and node:
            key = rng.choice(list(node))
            child = node[key]
            if type(child) in (dict, list) and child and rng.random() < 0.7:
                node = child
                continue
            node[key] = copy.deepcopy(rng.choice(CONFUSION))
            return
        if type(node) is list and node:
            index = rng.randrange(len(node))
            child = node[index]
            if type(child) in (dict, list) and child and rng.random() < 0.7:
                node = child
                continue
            node[index] = copy.deepcopy(rng.choice(CONFUSION))
            return
        return


@pytest.mark.parametrize("batch", range(4))
def test_byte_mutations_of_a_bundle(batch: int) -> None:
    rng = random.Random(SEED + batch)
    data = orjson.dumps(valid_bundle())
    for mutant in byte_mutants(data, rng, 50):
        check("fuzz.json", mutant)


def test_byte_mutations_of_ndjson() -> None:
    rng = random.Random(SEED)
    lines = [orjson.dumps(r) for r in valid_bundle()["entry"][0:3]]
    lines = [line.replace(b"urn:uuid:" + PATIENT_URN[9:].encode(), b"Patient/p") for line in lines]
    data = b"\n".join(lines) + b"\n"
    for mutant in byte_mutants(data, rng, 50):
        check("fuzz.ndjson", mutant)


def test_type_confusion_inside_resources() -> None:
    rng = random.Random(SEED)
    base = valid_bundle()
    for _ in range(150):
        doc = copy.deepcopy(base)
        for _ in range(rng.randint(1, 4)):
            replace_somewhere(doc["entry"][rng.randrange(len(doc["entry"]))], rng)
        check("confused.json", orjson.dumps(doc))


def test_the_unmutated_bundle_is_read_cleanly() -> None:
    ex = FhirImporter().extract(InputFile("ok.json", orjson.dumps(valid_bundle())))
    assert ex.read == 5 and len(ex.records) == 5
    assert [p for p in ex.problems if p.severity is Severity.REJECTED] == []
