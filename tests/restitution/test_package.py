"""A member's package, checked value by value against the hand-made household."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

from carnet.restitution.codes import ADJUDICATION, CARNET_ADJUDICATION, CIM10, CIP13
from carnet.restitution.index import extract_member
from carnet.restitution.pipeline import RestitutionReport

from .conftest import resources
from .fixtures import DOLIPRANE, ECG, VAXIGRIP


def _package(run: tuple[Path, RestitutionReport], member: str) -> dict[str, list[dict[str, Any]]]:
    package = extract_member(run[0], member)
    return {name: resources(data) for name, data in package.resources.items()}


def _adjudications(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """``code → amount`` (or value, for eligpercent)."""
    found: dict[str, Any] = {}
    for entry in entries:
        (coding,) = entry["category"]["coding"]
        assert coding["system"] in (ADJUDICATION, CARNET_ADJUDICATION)
        found[coding["code"]] = entry["amount"]["value"] if "amount" in entry else entry["value"]
        if "amount" in entry:
            assert entry["amount"]["currency"] == "EUR"
    return found


def test_report_counts(household_run: tuple[Path, RestitutionReport]) -> None:
    report = household_run[1]
    assert (report.members, report.claim_lines, report.lines) == (3, 7, 5)
    assert report.resources == {
        "Patient": 3, "Coverage": 5, "Condition": 1, "ExplanationOfBenefit": 4,
        "MedicationDispense": 2, "Procedure": 1, "Immunization": 1,
    }  # fmt: skip


def test_patient_and_coverages(household_run: tuple[Path, RestitutionReport]) -> None:
    package = _package(household_run, "M001")
    (patient,) = package["Patient"]
    assert patient["name"] == [{"use": "official", "family": "DUPONT", "given": ["Marie"]}]
    assert (patient["gender"], patient["birthDate"]) == ("female", "1980-05-12")
    assert {i["value"] for i in patient["identifier"]} == {"M001", "N0000000000000001-1"}
    amo, amc = package["Coverage"]
    assert amo["id"] == f"amo-{patient['id']}" and amo["type"]["coding"][0]["code"] == "PUBLICPOL"
    assert amc["class"][0]["value"] == "essentiel"
    assert amc["relationship"]["coding"][0]["code"] == "self"
    assert amc["beneficiary"] == {"reference": f"Patient/{patient['id']}"}


def test_condition_for_the_ald(household_run: tuple[Path, RestitutionReport]) -> None:
    (condition,) = _package(household_run, "M001")["Condition"]
    assert condition["code"]["coding"] == [
        {"system": CIM10, "code": "E119", "display": "Diabète sucré de type 2, sans complication"}
    ]
    ald = {e["url"]: e for e in condition["extension"][0]["extension"]}
    assert ald["number"]["valueString"] == "8"
    assert ald["period"]["valuePeriod"] == {"start": "2020-03-01"}


def test_claim_with_two_drug_lines(household_run: tuple[Path, RestitutionReport]) -> None:
    eobs = {e["identifier"][0]["value"]: e for e in _package(household_run, "M001")["ExplanationOfBenefit"]}
    assert sorted(eobs) == ["01C731221/1001", "01C731221/1002", "01C731221/1003"]
    eob = eobs["01C731221/1002"]
    assert eob["type"]["coding"][0]["code"] == "pharmacy"
    assert (eob["billablePeriod"], eob["created"]) == ({"start": "2024-03-05", "end": "2024-03-05"}, "2024-03-07")
    assert [i["focal"] for i in eob["insurance"]] == [True, False]
    drug, vaccine = eob["item"]
    assert (drug["sequence"], vaccine["sequence"]) == (1, 2)
    assert drug["productOrService"]["coding"][1] == {
        "system": CIP13, "code": DOLIPRANE, "display": "DOLIPRANE 1000 mg, comprimé"}  # fmt: skip
    assert _adjudications(drug["adjudication"]) == {
        "submitted": 2.18, "eligible": 2.18, "eligpercent": 65, "benefit": 0.92, "amc": 0.76,
        "franchise": 0.50, "copay": 0.50,
    }  # fmt: skip
    assert _adjudications(vaccine["adjudication"]) == {
        "submitted": 12.77, "eligible": 12.77, "eligpercent": 65, "benefit": 8.30, "amc": 4.47, "copay": 0.0,
    }  # fmt: skip
    assert _adjudications(eob["total"]) == {
        "submitted": 14.95, "eligible": 14.95, "benefit": 9.22, "amc": 5.23, "franchise": 0.50, "copay": 0.50,
    }  # fmt: skip
    assert eob["payment"]["date"] == "2024-03-09" and eob["payment"]["amount"]["value"] == 9.22
    assert eob["extension"][0]["valueDate"] == "2024-03-12"


def test_consultation_with_participation_forfaitaire(household_run: tuple[Path, RestitutionReport]) -> None:
    eob = _package(household_run, "M001")["ExplanationOfBenefit"][0]
    (item,) = eob["item"]
    assert item["productOrService"]["coding"][1]["code"] == "G"
    assert _adjudications(item["adjudication"])["participation-forfaitaire"] == 2.00
    # one line: no total repeating the item's adjudications; the payment is still there
    assert "total" not in eob and eob["payment"]["amount"]["value"] == _adjudications(item["adjudication"])["benefit"]


def test_clinical_resources(household_run: tuple[Path, RestitutionReport]) -> None:
    package = _package(household_run, "M001")
    assert [d["medicationCodeableConcept"]["coding"][0]["code"] for d in package["MedicationDispense"]] == [
        DOLIPRANE, VAXIGRIP]  # fmt: skip
    assert package["MedicationDispense"][0]["quantity"] == {"value": 1, "unit": "boîte"}
    (immunization,) = package["Immunization"]
    assert immunization["vaccineCode"]["coding"][0]["code"] == VAXIGRIP
    assert immunization["occurrenceDateTime"] == "2024-03-05"
    (procedure,) = package["Procedure"]
    assert procedure["code"]["coding"][0]["code"] == ECG and procedure["performedDateTime"] == "2024-04-10"


def test_member_without_mutuelle(household_run: tuple[Path, RestitutionReport]) -> None:
    package = _package(household_run, "M003")
    assert len(package["Coverage"]) == 1
    (eob,) = package["ExplanationOfBenefit"]
    assert len(eob["insurance"]) == 1 and "extension" not in eob
    adjudications = _adjudications(eob["item"][0]["adjudication"])
    assert "amc" not in adjudications and adjudications["copay"] == 11.00
    assert package["Patient"][0]["name"][0]["given"] == ['@Léa "Lili"']


def test_member_without_claims(household_run: tuple[Path, RestitutionReport]) -> None:
    package = extract_member(household_run[0], "M002")
    assert package.resources["ExplanationOfBenefit"] == b""
    assert len(package.resources["Coverage"].splitlines()) == 2
    assert package.statement.count(b"\r\n") == 1  # the header only


@pytest.mark.parametrize("member", ["M001", "M002", "M003"])
def test_every_resource_validates_and_references_resolve(
    household_run: tuple[Path, RestitutionReport], member: str
) -> None:
    """fhir.resources has no pure R4 module: R4B (same resources here) validates."""
    _validate(_package(household_run, member))


def test_every_population_resource_validates(population_run: Path) -> None:
    import pyarrow.parquet as pq

    members = pq.read_table(population_run / "index.parquet", columns=["member_id"])["member_id"].to_pylist()
    for member in members:
        package = extract_member(population_run, member)
        _validate({name: resources(data) for name, data in package.resources.items()})


def _validate(package: dict[str, list[dict[str, Any]]]) -> None:
    ids = {f"{r['resourceType']}/{r['id']}" for rs in package.values() for r in rs}
    for found in package.values():
        for resource in found:
            get_fhir_model_class(resource["resourceType"]).model_validate(resource)
            for ref in _references(resource):
                assert ref in ids, f"{resource['resourceType']} points to {ref}, not in the package"


def _references(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["reference"]] if isinstance(node.get("reference"), str) else []
        return own + [r for v in node.values() for r in _references(v)]
    if isinstance(node, list):
        return [r for v in node for r in _references(v)]
    return []


def test_money_adds_up_in_every_line(population_run: Path) -> None:
    """charged = AMO + mutuelle + patient share, on every item the population restituted."""
    from carnet.restitution.index import read_manifest

    manifest = read_manifest(population_run)
    seen = 0
    for shard in manifest["shards"]:
        package = extract_member(population_run, shard["first_member"])
        for eob in resources(package.resources["ExplanationOfBenefit"]):
            for item in eob["item"]:
                a = {k: Decimal(str(v)) for k, v in _adjudications(item["adjudication"]).items()}
                assert a["submitted"] == a["benefit"] + a.get("amc", Decimal(0)) + a["copay"]
                seen += 1
    assert seen


def test_a_member_covering_two_people(population_run: Path) -> None:
    package = extract_member(population_run, "M00008")  # rows 9 and 10 of the population
    patients = resources(package.resources["Patient"])
    assert len(patients) == 2 and len({p["id"] for p in patients}) == 2
    references = {e["patient"]["reference"] for e in resources(package.resources["ExplanationOfBenefit"])}
    assert references <= {f"Patient/{p['id']}" for p in patients}
