"""Normalised fields: kinds, codes with their systems, dates, values, persons, warnings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from carnet.model import Code, Kind, Quantity

from .fhirdata import bundle, extract, observation, patient, rejected, warnings

SNOMED = "http://snomed.info/sct"


def one(resource: dict[str, Any]) -> Any:
    ex = extract(resource, "one.json")
    assert len(ex.records) == 1, ex.problems
    return ex.records[0], ex


def test_patient_gives_a_person_and_a_demographics_record() -> None:
    ex = extract(patient("p1", deceasedDateTime="2023-11-02"), "p.json")
    person = ex.persons[0]
    assert (person.given, person.family) == ("Léa Anne", "Martin")
    assert (person.birth_date, person.sex) == ("1984-03-09", "female")
    assert person.deceased == "2023-11-02"
    assert person.identifiers == (Code("urn:oid:1.2.250.1.213.1.4.8", "284037512345678", "NIR"),)
    assert person.provenance is not None and person.provenance.pointer == ""
    rec = ex.records[0]
    assert (rec.kind, rec.person_key) == (Kind.DEMOGRAPHICS, "Patient/p1")
    assert (rec.date, rec.text) == ("1984-03-09", "Léa Anne Martin")


def test_observation_quantity_keeps_its_ucum_code() -> None:
    rec, ex = one(observation(subject="Patient/p1"))
    assert rec.kind is Kind.OBSERVATION
    assert rec.code == Code("http://loinc.org", "2339-0", "Glucose")
    assert rec.value == Quantity(Decimal("5.4"), "mmol/L", "mmol/L")
    assert rec.date == "2024-02-01T08:30:00+01:00"
    assert (rec.status, rec.person_key) == ("final", "Patient/p1")
    assert warnings(ex) == []


def test_observation_components_range_and_coded_values() -> None:
    bp = observation(subject="Patient/p1", valueQuantity=None, component=[
        {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6", "display": "Systolic"}]},
         "valueQuantity": {"value": 128, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}},
        {"code": {"text": "Position"}, "valueCodeableConcept": {"text": "sitting"}},
    ], referenceRange=[{"low": {"value": 3.9, "unit": "mmol/L"}, "high": {"value": 6.1, "unit": "mmol/L"}}])
    del bp["valueQuantity"]
    rec, _ = one(bp)
    assert rec.value is None
    assert rec.reference_range == "3.9 mmol/L–6.1 mmol/L"
    assert rec.details["components"] == [
        {"system": "http://loinc.org", "code": "8480-6", "display": "Systolic", "value": "128", "unit": "mm[Hg]",
         "text": None},
        {"system": None, "code": None, "display": "Position", "value": None, "unit": None, "text": "sitting"},
    ]
    coded = observation(subject="Patient/p1", valueCodeableConcept={"coding": [
        {"system": SNOMED, "code": "10828004", "display": "Positive"}]})
    del coded["valueQuantity"]
    assert one(coded)[0].value_text == "Positive"
    text = observation(subject="Patient/p1", valueString="trace")
    del text["valueQuantity"]
    assert one(text)[0].value_text == "trace"


def mmhg(value: float) -> dict[str, Any]:
    return {"value": value, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}


def component(code: str | None, display: str | None, **value: Any) -> dict[str, Any]:
    coding = {"system": "http://loinc.org", "code": code} if code else {}
    if display:
        coding["display"] = display
    return {"code": {"coding": [coding]}, **value}


def panel(code: str, *components: dict[str, Any], **extra: Any) -> dict[str, Any]:
    res = observation(subject="Patient/p1", code={"coding": [{"system": "http://loinc.org", "code": code}]},
                      component=list(components), **extra)
    del res["valueQuantity"]
    return res


SYSTOLIC = component("8480-6", "Systolic blood pressure", valueQuantity=mmhg(128))
DIASTOLIC = component("8462-4", "Diastolic blood pressure", valueQuantity=mmhg(82))


@pytest.mark.parametrize("code", ["85354-9", "55284-4"])
def test_blood_pressure_panel_reads_systolic_over_diastolic(code: str) -> None:
    rec, _ = one(panel(code, DIASTOLIC, SYSTOLIC))  # order in the file does not matter
    assert rec.value is None
    assert rec.value_text == "128/82 mm[Hg]"


def test_other_component_panels_list_each_component_with_its_label() -> None:
    mean = component("8478-0", "Mean blood pressure", valueQuantity=mmhg(97))
    assert one(panel("85354-9", SYSTOLIC, DIASTOLIC, mean))[0].value_text == (
        "Systolic blood pressure 128 mm[Hg] · Diastolic blood pressure 82 mm[Hg] · Mean blood pressure 97 mm[Hg]"
    )
    no_display = component("8867-4", None, valueQuantity={"value": 61, "unit": "/min"})
    coded = {"code": {"text": "Position"}, "valueCodeableConcept": {"text": "sitting"}}
    empty = component("9279-1", "Respiratory rate")  # no value: left out
    assert one(panel("x", no_display, coded, empty))[0].value_text == "8867-4 61 /min · Position sitting"
    # units that differ are not written as a pair
    mixed = component("8462-4", "Diastolic", valueQuantity={"value": 11, "unit": "kPa"})
    assert one(panel("85354-9", SYSTOLIC, mixed))[0].value_text == (
        "Systolic blood pressure 128 mm[Hg] · Diastolic 11 kPa"
    )


def test_component_text_stays_short_and_never_hides_an_own_value() -> None:
    many = [component(f"{i}-0", f"Component number {i}", valueQuantity={"value": i}) for i in range(40)]
    text = one(panel("x", *many))[0].value_text
    assert text is not None and len(text) == 200 and text.endswith("…")
    assert one(panel("x", component("x-1", None)))[0].value_text is None  # no component has a value
    own = observation(subject="Patient/p1", component=[SYSTOLIC, DIASTOLIC])
    rec, _ = one(own)
    assert rec.value == Quantity(Decimal("5.4"), "mmol/L", "mmol/L") and rec.value_text is None
    stated = panel("85354-9", SYSTOLIC, DIASTOLIC, valueString="see note")
    assert one(stated)[0].value_text == "see note"


@pytest.mark.parametrize(("resource", "kind", "code", "date"), [
    ({"resourceType": "Condition", "code": {"coding": [{"system": SNOMED, "code": "44054006"}]},
      "onsetDateTime": "2019-05-02", "clinicalStatus": {"coding": [{"code": "active"}]}},
     Kind.CONDITION, "44054006", "2019-05-02"),
    ({"resourceType": "Encounter", "status": "finished", "period": {"start": "2020-01-01T10:00:00Z"},
      "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"}},
     Kind.ENCOUNTER, "AMB", "2020-01-01T10:00:00Z"),
    ({"resourceType": "Immunization", "status": "completed", "occurrenceDateTime": "2021-06-01",
      "vaccineCode": {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "208"}]}},
     Kind.IMMUNIZATION, "208", "2021-06-01"),
    ({"resourceType": "Procedure", "status": "completed", "performedPeriod": {"start": "2018-03-04"},
      "code": {"coding": [{"system": "https://smt.esante.gouv.fr/terminologie-ccam", "code": "YYYY600"}]}},
     Kind.PROCEDURE, "YYYY600", "2018-03-04"),
    ({"resourceType": "MedicationRequest", "status": "active", "intent": "order", "authoredOn": "2022-02-02",
      "medicationCodeableConcept": {"coding": [{"system": "https://data.esante.gouv.fr/ansm/medicament/CIP13",
                                                "code": "3400930000000"}]}},
     Kind.MEDICATION_REQUEST, "3400930000000", "2022-02-02"),
    ({"resourceType": "MedicationDispense", "status": "completed", "whenHandedOver": "2022-02-03",
      "medicationCodeableConcept": {"coding": [{"system": "http://www.whocc.no/atc", "code": "A10BA02"}]}},
     Kind.MEDICATION_DISPENSE, "A10BA02", "2022-02-03"),
    ({"resourceType": "MedicationAdministration", "status": "completed", "effectiveDateTime": "2022-02-04",
      "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                                                "code": "860975"}]}},
     Kind.MEDICATION_ADMINISTRATION, "860975", "2022-02-04"),
    ({"resourceType": "AllergyIntolerance", "recordedDate": "2010-01-01",
      "code": {"coding": [{"system": SNOMED, "code": "91936005"}]}}, Kind.ALLERGY, "91936005", "2010-01-01"),
    ({"resourceType": "DiagnosticReport", "status": "final", "effectiveDateTime": "2023-03-03",
      "code": {"coding": [{"system": "http://loinc.org", "code": "58410-2"}]}},
     Kind.DIAGNOSTIC_REPORT, "58410-2", "2023-03-03"),
    ({"resourceType": "DocumentReference", "status": "current", "date": "2023-04-04T00:00:00Z",
      "type": {"coding": [{"system": "http://loinc.org", "code": "11506-3"}]}},
     Kind.DOCUMENT, "11506-3", "2023-04-04T00:00:00Z"),
    ({"resourceType": "CarePlan", "status": "active", "intent": "plan", "period": {"start": "2023-05-05"},
      "category": [{"coding": [{"system": SNOMED, "code": "698360004"}]}]}, Kind.CARE_PLAN, "698360004",
     "2023-05-05"),
    ({"resourceType": "Goal", "lifecycleStatus": "active", "startDate": "2023-06-06",
      "description": {"text": "HbA1c below 7 %"}}, Kind.GOAL, None, "2023-06-06"),
    ({"resourceType": "CareTeam", "status": "active", "period": {"start": "2023-07-07"}, "name": "Diabète"},
     Kind.CARE_TEAM, None, "2023-07-07"),
    ({"resourceType": "ImagingStudy", "status": "available", "started": "2023-08-08",
      "modality": [{"system": "http://dicom.nema.org/resources/ontology/DCM", "code": "MR"}]},
     Kind.IMAGING_STUDY, "MR", "2023-08-08"),
    ({"resourceType": "Coverage", "status": "active", "period": {"start": "2024-01-01", "end": "2024-12-31"},
      "payor": [{"display": "Mutuelle X"}]}, Kind.COVERAGE, None, "2024-01-01"),
])
def test_kinds_codes_and_dates(resource: dict[str, Any], kind: Kind, code: str | None, date: str) -> None:
    key = "patient" if resource["resourceType"] in ("AllergyIntolerance", "Immunization") else "subject"
    if resource["resourceType"] == "Coverage":
        key = "beneficiary"
    rec, ex = one({**resource, "id": "x1", key: {"reference": "Patient/p1"}})
    assert (rec.kind, rec.code.code if rec.code else None, rec.date) == (kind, code, date)
    assert rec.person_key == "Patient/p1"
    assert warnings(ex) == []


def test_medication_code_is_read_through_a_reference_in_the_same_bundle() -> None:
    med = {"resourceType": "Medication", "id": "m1",
           "code": {"coding": [{"system": "http://www.whocc.no/atc", "code": "L02BG03", "display": "anastrozole"}]}}
    stmt = {"resourceType": "MedicationStatement", "id": "s1", "status": "active",
            "medicationReference": {"reference": "urn:uuid:med-1"}, "subject": {"reference": "Patient/p1"}}
    ex = extract(bundle("collection", [med, stmt], ["urn:uuid:med-1", "urn:uuid:stmt-1"]))
    statement = ex.records[1]
    assert statement.code == Code("http://www.whocc.no/atc", "L02BG03", "anastrozole")
    assert statement.details == {"medicationReference": "Medication/m1"}


def test_device_use_statement_reads_the_device_type() -> None:
    device = {"resourceType": "Device", "id": "d1", "patient": {"reference": "Patient/p1"},
              "type": {"coding": [{"system": SNOMED, "code": "14106009", "display": "Cardiac pacemaker"}]}}
    use = {"resourceType": "DeviceUseStatement", "id": "u1", "status": "active", "subject": {"reference": "Patient/p1"},
           "device": {"reference": "Device/d1"}, "recordedOn": "2015-04-01"}
    ex = extract(bundle("collection", [device, use]))
    assert [r.kind for r in ex.records] == [Kind.DEVICE, Kind.DEVICE]
    assert ex.records[1].code is not None and ex.records[1].code.code == "14106009"
    assert ex.records[1].date == "2015-04-01"


@pytest.mark.parametrize("bad", ["2021-02-30", "IGNORED_FIELD", "2021-13-01", "21-01-01", "2021-01-01T25:00:00Z"])
def test_a_bad_date_is_dropped_with_a_warning(bad: str) -> None:
    rec, ex = one(observation(subject="Patient/p1", effectiveDateTime=bad))
    assert rec.date is None
    assert warnings(ex) == [f"/effectiveDateTime: invalid date {bad!r} dropped"]
    assert rejected(ex) == []


@pytest.mark.parametrize("good", ["2021", "2021-02", "2020-02-29", "2021-02-01T10:00:00Z",
                                  "2021-02-01T10:00:00.123+02:00", "2021-02-01T10:00"])
def test_good_dates_are_kept(good: str) -> None:
    rec, ex = one(observation(subject="Patient/p1", effectiveDateTime=good))
    assert rec.date == good and warnings(ex) == []


def test_unknown_or_missing_code_systems_are_warnings_and_codes_are_kept() -> None:
    obs = observation(subject="Patient/p1", code={"coding": [
        {"system": "http://loinc.org", "code": "2339-0"},
        {"system": "http://acme.example/labcodes", "code": "GLU"},
        {"code": "local-1"},
    ]})
    rec, ex = one(obs)
    assert rec.codes == (Code("http://loinc.org", "2339-0"), Code("http://acme.example/labcodes", "GLU"),
                         Code(None, "local-1"))
    assert warnings(ex) == [
        "/code/coding/1: unknown code system 'http://acme.example/labcodes' (code 'GLU' kept as is)",
        "/code/coding/2: code 'local-1' has no code system",
    ]


def test_warning_positions_in_ndjson_name_the_line() -> None:
    from .fhirdata import extract_file, ndjson

    ex = extract_file(ndjson([observation("o1", subject="Patient/p1", effectiveDateTime="soon")]))
    assert warnings(ex) == ["line 1 /effectiveDateTime: invalid date 'soon' dropped"]


def test_type_confusion_in_a_resource_never_raises() -> None:
    weird = {"resourceType": "Observation", "id": "w", "code": "glucose", "subject": 12, "status": ["final"],
             "effectiveDateTime": 20240101, "valueQuantity": {"value": "5.4"}, "component": "x",
             "referenceRange": [None], "category": {"coding": "nope"}}
    rec, ex = one(weird)
    assert (rec.code, rec.person_key, rec.date, rec.value) == (None, None, None, None)
    assert warnings(ex) == ["/effectiveDateTime: invalid date '20240101' dropped"]


def test_unhashable_values_inside_codings_are_read_safely() -> None:
    odd = observation(subject="Patient/p1", code={"coding": [{"system": {"a": 1}, "code": ["x"], "display": 3},
                                                             {"system": "http://loinc.org", "code": "2339-0"}]})
    rec, ex = one(odd)
    assert rec.codes == (Code(None, None, None), Code("http://loinc.org", "2339-0"))
    assert warnings(ex) == ["/code/coding/0: coding without system or code"]
