"""A Carnet package ExplanationOfBenefit → a claim line with the whole French breakdown."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from carnet.model import Code, Money
from carnet.services.budget import OwnedLine, entry_of
from sources.fhirdata import extract, warnings

HL7 = "http://terminology.hl7.org/CodeSystem/adjudication"
CARNET = "https://carnet.example/fhir"
NAT = f"{CARNET}/CodeSystem/snds-prs-nat"
STEPS = [{"topic": "charged", "fr": "Prix facturé : 50,00 €.", "en": "Price charged: €50.00.", "rule": None,
          "verified": True, "amount": "50.00"},
         {"topic": "complementary", "fr": "Mutuelle : 24,55 €.", "en": "Mutuelle: €24.55.",
          "rule": "contract:niveau-2-confort#specialist_optam", "verified": True, "amount": "24.55"}]


def part(code: str, value: float, system: str = HL7) -> dict[str, Any]:
    return {"category": {"coding": [{"system": system, "code": code}]}, "amount": {"value": value, "currency": "EUR"}}


def item(seq: int, **extra: Any) -> dict[str, Any]:
    return {
        "sequence": seq,
        "productOrService": {"coding": [{"system": NAT, "code": "1112", "display": "CONSULTATION COTEE CS"}]},
        "servicedDate": "2025-03-04",
        "quantity": {"value": 1},
        "adjudication": [part("submitted", 50.0), part("eligible", 31.5),
                         {"category": {"coding": [{"system": HL7, "code": "eligpercent"}]}, "value": 70},
                         part("benefit", 20.05), part("amc", 24.55, f"{CARNET}/CodeSystem/adjudication"),
                         part("participation-forfaitaire", 2.0, f"{CARNET}/CodeSystem/adjudication"),
                         part("depassement", 18.5, f"{CARNET}/CodeSystem/adjudication"), part("copay", 5.4)],
        **extra,
    }


def package_eob(items: list[dict[str, Any]], *, paid_amo: str | None = "2025-03-09",
                paid_amc: str | None = "2025-03-15") -> dict[str, Any]:
    eob: dict[str, Any] = {
        "resourceType": "ExplanationOfBenefit", "id": "e1", "status": "active", "use": "claim",
        "identifier": [{"system": f"{CARNET}/NamingSystem/snds-decompte", "value": "01C751000/7"}],
        "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "professional"}]},
        "patient": {"reference": "Patient/p1"}, "billablePeriod": {"start": "2025-03-04", "end": "2025-03-04"},
        "created": "2025-03-06", "insurer": {"display": "Assurance Maladie"},
        "provider": {"display": "Professionnel de santé"}, "outcome": "complete", "item": items,
        "payment": {"amount": {"value": 20.05, "currency": "EUR"}},
    }
    if paid_amo:
        eob["payment"]["date"] = paid_amo
    if paid_amc:
        eob["extension"] = [{"url": f"{CARNET}/StructureDefinition/complementary-payment-date",
                             "valueDate": paid_amc}]
    return eob


def test_a_package_line_has_the_french_breakdown_its_category_and_dates() -> None:
    explained = item(1, category={"coding": [{"system": f"{CARNET}/CodeSystem/care-category", "code": "specialist"}]},
                     extension=[{"url": f"{CARNET}/StructureDefinition/reimbursement-explanation",
                                 "valueString": json.dumps(STEPS)}])
    ex = extract(package_eob([explained]), "eob.json")
    (line,) = ex.records[0].claim_lines
    eur = lambda text: Money(Decimal(text))  # noqa: E731
    assert (line.charged, line.base, line.paid_primary, line.paid_complementary) == (
        eur("50.0"), eur("31.5"), eur("20.05"), eur("24.55"))
    assert (line.fixed_charges, line.overbilling, line.patient_share) == (eur("2.0"), eur("18.5"), eur("5.4"))
    assert line.category == "specialist" and line.act == Code(NAT, "1112", "CONSULTATION COTEE CS")
    assert line.provider == "Professionnel de santé"
    facts = line.explanation["carnet"]  # type: ignore[index]
    assert facts["rate"] == 70 and facts["nature"] == "1112"
    assert facts["payment"] == {"primary": "2025-03-09", "complementary": "2025-03-15"}
    assert facts["steps"][1]["rule"] == "contract:niveau-2-confort#specialist_optam"
    assert warnings(ex) == []  # Carnet's own code systems are known
    e = entry_of(OwnedLine(1, 1, line))
    assert (e.category, e.amc, e.fixed, e.overbilling, e.oop, e.tracked) == ("specialist", 2455, 200, 1850, 540, True)


def test_without_a_given_category_it_comes_from_the_nomenclature_or_the_nature() -> None:
    drug = item(2, productOrService={"coding": [
        {"system": NAT, "code": "3313", "display": "PHARMACIE 65%"},
        {"system": "https://data.esante.gouv.fr/ansm/medicament/CIP13", "code": "3400930236154", "display": "X"}]})
    glasses = item(3, productOrService={"coding": [
        {"system": NAT, "code": "3563"},
        {"system": f"{CARNET}/CodeSystem/lpp", "code": "2264861", "display": "OPTIQUE, MONTURE ADULTE DE CLASSE B"}]})
    nature_only = item(4, productOrService={"coding": [{"system": NAT, "code": "4213"}]})
    unpaid = item(5, extension=[{"url": f"{CARNET}/StructureDefinition/primary-payment-date",
                                 "valueDate": "2025-03-20"}])
    lines = extract(package_eob([drug, glasses, nature_only, unpaid], paid_amo=None, paid_amc=None),
                    "eob.json").records[0].claim_lines
    assert [line.category for line in lines] == ["pharmacy", "optics", "transport", "specialist"]
    assert lines[0].act is not None and lines[0].act.code == "3400930236154"  # the drug, not the nature
    assert lines[0].explanation["carnet"]["nature"] == "3313"  # type: ignore[index]
    assert lines[0].explanation["carnet"]["payment"] == {"primary": None, "complementary": None}  # type: ignore[index]
    assert lines[3].explanation["carnet"]["payment"]["primary"] == "2025-03-20"  # type: ignore[index]


def test_a_broken_explanation_is_left_out_not_fatal() -> None:
    bad = item(1, extension=[{"url": f"{CARNET}/StructureDefinition/reimbursement-explanation",
                              "valueString": "{not json"}])
    (line,) = extract(package_eob([bad]), "eob.json").records[0].claim_lines
    assert "steps" not in line.explanation["carnet"]  # type: ignore[index]
    assert line.patient_share == Money(Decimal("5.4"))
