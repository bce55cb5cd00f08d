"""STU3 and R5 content is refused with the evidence; R4 never is."""

from __future__ import annotations

from typing import Any

import pytest

from carnet.errors import RejectedFile

from .fhirdata import as_file, bundle, extract_file, ndjson, observation, patient


def refused(doc: Any, name: str = "x.json") -> RejectedFile:
    with pytest.raises(RejectedFile) as err:
        extract_file(as_file(doc, name))
    return err.value


STU3 = [
    ({"resourceType": "ProcedureRequest", "id": "1", "status": "active"}, "resource type ProcedureRequest"),
    ({"resourceType": "Condition", "id": "1", "clinicalStatus": "active", "subject": {"reference": "Patient/1"}},
     "Condition.clinicalStatus is a code"),
    ({"resourceType": "AllergyIntolerance", "id": "1", "verificationStatus": "confirmed",
      "patient": {"reference": "Patient/1"}}, "AllergyIntolerance.verificationStatus is a code"),
    ({"resourceType": "Immunization", "id": "1", "notGiven": False, "date": "2017-01-01"}, "Immunization.notGiven"),
    ({"resourceType": "MedicationRequest", "id": "1", "requester": {"agent": {"reference": "Practitioner/1"}}},
     "requester.agent"),
    ({"resourceType": "ExplanationOfBenefit", "id": "1", "item": [{"sequence": 1, "service": {"text": "x"}}]},
     "item.service"),
    ({"resourceType": "Patient", "id": "1", "meta": {"profile": ["http://hl7.org/fhir/STU3/StructureDefinition/Patient"]}},
     "meta.profile"),
    ({"resourceType": "CapabilityStatement", "id": "1", "fhirVersion": "3.0.2"}, "fhirVersion 3.0.2"),
    (observation(comment="written in STU3"), "Observation.comment"),
]

R5 = [
    ({"resourceType": "DeviceUsage", "id": "1", "status": "active"}, "resource type DeviceUsage"),
    ({"resourceType": "Encounter", "id": "1", "class": [{"coding": [{"code": "AMB"}]}]}, "Encounter.class is a list"),
    ({"resourceType": "MedicationRequest", "id": "1", "medication": {"concept": {"text": "aspirin"}}},
     "MedicationRequest.medication"),
    ({"resourceType": "Procedure", "id": "1", "occurrenceDateTime": "2023-01-01"}, "Procedure.occurrenceDateTime"),
    ({"resourceType": "CapabilityStatement", "id": "1", "fhirVersion": "5.0.0"}, "fhirVersion 5.0.0"),
    ({"resourceType": "Bundle", "type": "subscription-notification", "entry": []}, "Bundle.type"),
]


@pytest.mark.parametrize(("doc", "evidence"), STU3)
def test_stu3_is_refused_with_its_evidence(doc: dict[str, Any], evidence: str) -> None:
    err = refused(doc)
    assert err.reason.startswith("this looks like FHIR STU3 (")
    assert evidence in err.reason
    assert err.reason.endswith("; Carnet reads FHIR R4")


@pytest.mark.parametrize(("doc", "evidence"), R5)
def test_r5_is_refused_with_its_evidence(doc: dict[str, Any], evidence: str) -> None:
    err = refused(doc)
    assert err.reason.startswith("this looks like FHIR R5 (")
    assert evidence in err.reason


def test_dstu2_is_refused_too() -> None:
    err = refused({"resourceType": "MedicationOrder", "id": "1"})
    assert err.reason == (
        "this looks like FHIR DSTU2 (resource type MedicationOrder does not exist in R4); Carnet reads FHIR R4"
    )


def test_one_stu3_entry_refuses_the_whole_bundle_at_its_position() -> None:
    doc = bundle("collection", [patient("p1"), {"resourceType": "ReferralRequest", "id": "r"}])
    err = refused(doc)
    assert err.position == "/entry/1/resource"
    assert "ReferralRequest" in err.reason


def test_one_r5_line_refuses_the_whole_ndjson_file() -> None:
    file = ndjson([observation("o1", subject="Patient/1"),
                   {"resourceType": "Encounter", "id": "e", "actualPeriod": {"start": "2024"}}])
    with pytest.raises(RejectedFile) as err:
        extract_file(file)
    assert err.value.position == "line 2"
    assert "Encounter.actualPeriod exists in R5 only" in err.value.reason


@pytest.mark.parametrize("doc", [
    observation(note=[{"text": "R4 calls it note"}]),
    {"resourceType": "Condition", "id": "c", "clinicalStatus": {"coding": [{"code": "active"}]}},
    {"resourceType": "Encounter", "id": "e", "class": {"code": "AMB"}, "period": {"start": "2024"}},
    {"resourceType": "Procedure", "id": "p", "performedDateTime": "2024-01-01"},
    {"resourceType": "CapabilityStatement", "id": "c", "fhirVersion": "4.0.1"},
    {"resourceType": "Patient", "id": "p", "meta": {"profile": ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"]}},
])
def test_r4_is_not_refused(doc: dict[str, Any]) -> None:
    ex = extract_file(as_file(doc))
    assert ex.read == 1 and len(ex.records) == 1
