"""FHIR R4 files of every shape: bundles of each type, NDJSON, single resources, references."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from carnet.errors import RejectedFile
from carnet.model import Kind, Severity
from carnet.sources.base import InputFile
from carnet.sources.fhir import FhirImporter
from carnet.sources.fhir.references import canonical

from .fhirdata import (
    PATIENT_ID,
    PATIENT_URN,
    as_file,
    bundle,
    by_key,
    extract,
    extract_file,
    ndjson,
    observation,
    patient,
    rejected,
    stored,
    warnings,
)

OBS_URN = "urn:uuid:0f8e1a53-7d44-4c1b-8a0e-3b9d2f6c4e11"


@pytest.mark.parametrize("kind", ["transaction", "batch", "collection", "searchset", "document", "message",
                                  "history", "transaction-response", "batch-response"])
def test_every_bundle_type_is_read(kind: str) -> None:
    ex = extract(bundle(kind, [patient(), observation()], [PATIENT_URN, OBS_URN]))
    assert ex.read == 2
    assert [r.resource_type for r in ex.records] == ["Patient", "Observation"]
    assert [p.natural_key for p in ex.persons] == [f"Patient/{PATIENT_ID}"]
    obs = ex.records[1]
    assert obs.person_key == f"Patient/{PATIENT_ID}"
    assert obs.provenance.pointer == "/entry/1/resource"
    assert obs.provenance.importer == "fhir"
    assert rejected(ex) == []


def test_urn_uuid_references_are_rewritten_to_natural_keys() -> None:
    enc = {"resourceType": "Encounter", "status": "finished", "subject": {"reference": PATIENT_URN},
           "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"}}
    enc_urn = "urn:uuid:5a1c9f7e-2b3d-4e8f-9a0b-1c2d3e4f5a6b"
    obs = observation(encounter={"reference": enc_urn},
                      hasMember=[{"reference": "#local"}, {"reference": "urn:uuid:not-in-this-bundle"}])
    ex = extract(bundle("transaction", [patient(), enc, obs], [PATIENT_URN, enc_urn, OBS_URN]))
    keys = by_key(ex)
    # an entry without id takes the uuid of its fullUrl, and the resource keeps it as its id
    encounter = keys["Encounter/5a1c9f7e-2b3d-4e8f-9a0b-1c2d3e4f5a6b"]
    assert stored(encounter)["id"] == "5a1c9f7e-2b3d-4e8f-9a0b-1c2d3e4f5a6b"
    resource = stored(keys["Observation/obs-1"])
    assert resource["subject"] == {"reference": f"Patient/{PATIENT_ID}"}
    assert resource["encounter"] == {"reference": "Encounter/5a1c9f7e-2b3d-4e8f-9a0b-1c2d3e4f5a6b"}
    # local and unknown references are left alone
    assert resource["hasMember"] == [{"reference": "#local"}, {"reference": "urn:uuid:not-in-this-bundle"}]


def test_absolute_and_relative_references() -> None:
    base = "https://fhir.example.org/r4"
    docs = [patient("p1"), observation("o1", subject=f"{base}/Patient/p1"),
            observation("o2", subject="Patient/p1"), observation("o3", subject="https://elsewhere.example/Patient/zz")]
    ex = extract(bundle("searchset", docs, [f"{base}/Patient/p1", f"{base}/Observation/o1",
                                            f"{base}/Observation/o2", f"{base}/Observation/o3"]))
    keys = by_key(ex)
    o1 = keys["Observation/o1"]
    assert stored(o1)["subject"]["reference"] == "Patient/p1"
    assert o1.person_key == keys["Observation/o2"].person_key == "Patient/p1"
    o3 = keys["Observation/o3"]
    # a foreign server's reference is kept as written, never fetched; the store resolves the tail or rejects
    assert stored(o3)["subject"]["reference"] == "https://elsewhere.example/Patient/zz"
    assert o3.person_key == "Patient/zz"


def test_references_needing_json_escapes_are_rewritten_too() -> None:
    odd = ['https://fhir.example.org/r4/Patient/p"1', "https://fhir.example.org/r4/Patient/p\\2", "urn:uuid:é-3"]
    docs = [patient(f"q{i}") for i in range(3)] + [
        observation(f"o{i}", subject=url, performer=[{"reference": url, "display": "same"}])
        for i, url in enumerate(odd)
    ]
    ex = extract(bundle("collection", docs, [*odd, *(f"urn:uuid:o{i}" for i in range(3))]))
    keys = by_key(ex)
    for i in range(3):
        rec = keys[f"Observation/o{i}"]
        assert rec.person_key == f"Patient/q{i}"
        assert stored(rec)["subject"] == {"reference": f"Patient/q{i}"}
        assert stored(rec)["performer"] == [{"reference": f"Patient/q{i}", "display": "same"}]
        # the stored bytes are what the rewritten resource serialises to
        assert rec.resource_json == canonical({**rec.resource, "subject": {"reference": f"Patient/q{i}"},
                                               "performer": [{"reference": f"Patient/q{i}", "display": "same"}]})


def test_natural_key_falls_back_to_a_content_hash() -> None:
    no_id = {"resourceType": "Organization", "name": "Clinique du Parc"}
    ex = extract(bundle("collection", [no_id, dict(no_id)]))
    keys = [r.natural_key for r in ex.records]
    assert keys[0].startswith("Organization/sha256:") and len(keys[0]) == len("Organization/sha256:") + 64
    assert keys[0] == keys[1]  # same content, same key: the store sees a duplicate
    assert ex.records[0].person_key is None and ex.records[0].kind is Kind.REFERENCE


def test_invalid_id_is_a_warning_and_the_key_comes_from_content() -> None:
    ex = extract(observation("IGNORED_FIELD", subject="Patient/p1"), "obs.json")
    assert ex.records[0].natural_key.startswith("Observation/sha256:")
    assert any("invalid id 'IGNORED_FIELD'" in w for w in warnings(ex))


def test_single_resource_file() -> None:
    ex = extract(patient("p9"), "patient.json")
    assert ex.read == 1
    assert ex.records[0].kind is Kind.DEMOGRAPHICS
    assert ex.records[0].provenance.pointer == ""
    assert ex.persons[0].natural_key == "Patient/p9"


def test_ndjson_positions_are_lines_and_blank_lines_are_skipped() -> None:
    data = ndjson([patient("p1"), observation("o1", subject="Patient/p1")]).data
    file = InputFile("export/Observation.000.ndjson", data.replace(b"\n", b"\n\n", 1), group="export")
    ex = extract_file(file)
    assert ex.read == 2
    assert [r.provenance.pointer for r in ex.records] == ["line 1", "line 3"]
    assert ex.records[1].person_key == "Patient/p1"


def test_ndjson_content_in_a_json_file_is_recognised() -> None:
    file = ndjson([observation("o1", subject="Patient/p1"), observation("o2", subject="Patient/p1")], "dump.json")
    ex = extract_file(file)
    assert [r.natural_key for r in ex.records] == ["Observation/o1", "Observation/o2"]


def test_invalid_ndjson_line_rejects_the_file_with_its_line() -> None:
    file = InputFile("Observation.ndjson", orjson.dumps(observation()) + b'\n{"resourceType": "Observation",\n')
    with pytest.raises(RejectedFile) as err:
        extract_file(file)
    assert err.value.position.startswith("line 2, column")


def test_items_that_are_not_resources_are_rejected_one_by_one() -> None:
    doc = bundle("collection", [observation("o1", subject="Patient/p1")])
    doc["entry"] += [{"resource": {"id": "x"}}, {"resource": [1, 2]}, "garbage"]
    ex = extract(doc)
    assert ex.read == 4 and len(ex.records) == 1
    assert rejected(ex) == [
        "/entry/1/resource: not a FHIR resource (no resourceType)",
        "/entry/2/resource: not a FHIR resource (a JSON object is expected)",
        "/entry/3: bundle entry is not an object",
    ]
    assert ex.read == len(ex.records) + len(rejected(ex))


def test_entries_without_resource_and_paging_links_are_warnings() -> None:
    doc = bundle("searchset", [observation(subject="Patient/p1")],
                 link=[{"relation": "self", "url": "https://x.example/Observation?_count=1"},
                       {"relation": "next", "url": "https://x.example/Observation?_count=1&page=2"}])
    doc["entry"].append({"request": {"method": "DELETE", "url": "Patient/123"}})
    ex = extract(doc)
    assert ex.read == 1
    found = warnings(ex)
    assert any(w.startswith("/link/1: this is one page of a search result") and "page=2" in w for w in found)
    assert "/entry/1: entry without a resource (DELETE Patient/123) ignored" in found


def test_nested_bundles_are_flattened_with_their_pointers() -> None:
    inner = bundle("document", [patient("p1"), observation("o1", subject="urn:uuid:inner-patient")],
                   ["urn:uuid:inner-patient", "urn:uuid:inner-obs"])
    ex = extract(bundle("collection", [inner]))
    assert [r.provenance.pointer for r in ex.records] == ["/entry/0/resource/entry/0/resource",
                                                          "/entry/0/resource/entry/1/resource"]
    assert ex.records[1].person_key == "Patient/p1"
    assert ex.read == 2


def test_reference_data_is_kept_without_a_person() -> None:
    docs: list[dict[str, Any]] = [
        {"resourceType": t, "id": "r1"} for t in ("Organization", "Practitioner", "Location", "Medication")
    ]
    docs += [{"resourceType": "OperationOutcome", "id": "oo", "issue": []},
             {"resourceType": "CapabilityStatement", "id": "cs", "status": "active", "fhirVersion": "4.0.1"}]
    ex = extract(bundle("collection", docs))
    assert {r.resource_type: r.kind for r in ex.records} == {
        "Organization": Kind.REFERENCE, "Practitioner": Kind.REFERENCE, "Location": Kind.REFERENCE,
        "Medication": Kind.REFERENCE, "OperationOutcome": Kind.OTHER, "CapabilityStatement": Kind.OTHER,
    }
    assert all(r.person_key is None for r in ex.records)


def test_unknown_resource_type_is_kept_with_a_warning() -> None:
    ex = extract({"resourceType": "CarnetNote", "id": "n1", "subject": {"reference": "Patient/p1"}}, "n.json")
    assert ex.records[0].kind is Kind.OTHER
    assert any("unknown resource type 'CarnetNote'" in w for w in warnings(ex))


def test_source_name_is_recognised() -> None:
    synthea = patient(identifier=[{"system": "https://github.com/synthetichealth/synthea", "value": "1"}])
    assert extract(synthea, "p.json").source_name == "Synthea"
    cms = observation(subject="Patient/p1",
                      code={"coding": [{"system": "https://bluebutton.cms.gov/resources/variables/x", "code": "1"}]})
    assert extract(cms, "o.json").source_name == "CMS Blue Button"
    assert extract(patient(), "p.json").source_name is None


@pytest.mark.parametrize("data", [
    b'{"sub": "-2014", "name": "John Doe", "patient": "-2014"}',  # OAuth userinfo
    b'{"exportId": "x", "eventId": "kickoff", "eventDetail": {}}\n',  # bulk export log
    b'[{"resourceType": "Patient"}]',  # an array, not a resource
    b'{"wrapper": {"resourceType": "Patient", "id": "1"}}',  # a FHIR resource nested in something else
    b'{"resourceType": "NotAFhirType"}',
    b"BENE_ID|STATE_CODE\n-100|22\n",
    b"",
    b"\xff\xd8\xff\xe0 jpeg",
])
def test_identify_declines_what_is_not_fhir(data: bytes) -> None:
    assert FhirImporter().identify(InputFile("x.json", data)) is False


@pytest.mark.parametrize("data", [
    orjson.dumps(patient()),
    b'\xef\xbb\xbf  {"resourceType" : "Bundle", "type": "collection"}',
    b'{"id": "late", "meta": {"versionId": "1"}, "resourceType": "Observation"}',
    b'{"entry": [{"resource": {"resourceType": "Patient"}}], "resourceType": "Bundle"}',
    b'{"resourceType": "ProcedureRequest", "id": "stu3"}',  # claimed, then refused with a clear reason
    '{"resourceType": "Patient"}'.encode("utf-16"),  # claimed, then refused: "UTF-16 encoded"
])
def test_identify_claims_fhir(data: bytes) -> None:
    assert FhirImporter().identify(InputFile("x.json", data)) is True


def test_a_non_resource_document_is_rejected_by_extract() -> None:
    with pytest.raises(RejectedFile, match="not a FHIR resource"):
        extract_file(as_file({"hello": "world"}))


def test_read_counts_match_records_and_rejections() -> None:
    doc = bundle("collection", [patient(), observation(), {"nope": 1}], [PATIENT_URN, OBS_URN, "urn:uuid:z"])
    ex = extract(doc)
    rejected_count = sum(1 for p in ex.problems if p.severity is Severity.REJECTED)
    assert ex.read == len(ex.records) + rejected_count == 3
