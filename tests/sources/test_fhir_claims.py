"""Claim and ExplanationOfBenefit → claim lines with the money breakdown."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from carnet.model import Code, Kind, Money

from .fhirdata import extract, warnings

HL7_ADJ = "http://terminology.hl7.org/CodeSystem/adjudication"
CARIN = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication"
BB = "https://bluebutton.cms.gov/resources/variables/"


def adj(code: str, value: float, system: str = HL7_ADJ, currency: str | None = "USD",
        also: str | None = None) -> dict[str, Any]:
    coding = [{"system": system, "code": code}]
    if also:
        coding.append({"system": "https://bluebutton.cms.gov/resources/codesystem/adjudication", "code": BB + also})
    amount: dict[str, Any] = {"value": value}
    if currency:
        amount["currency"] = currency
    return {"category": {"coding": coding}, "amount": amount}


def eob(items: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "ExplanationOfBenefit", "id": "eob-1", "status": "active", "use": "claim",
        "outcome": "complete", "patient": {"reference": "Patient/p1"}, "insurer": {"display": "Medicare"},
        "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "professional"}]},
        "billablePeriod": {"start": "2024-03-01", "end": "2024-03-01"}, "created": "2024-03-05T10:00:00Z",
        "provider": {"reference": "Practitioner/dr-1"},
        **extra,
    }
    if items is not None:
        res["item"] = items
    return res


def usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


def test_carin_categories_give_the_breakdown() -> None:
    item = {"sequence": 1, "servicedDate": "2024-03-01", "quantity": {"value": 1},
            "productOrService": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "99213"}]},
            "adjudication": [adj("submitted", 150.0), adj("eligible", 100.0), adj("paidtoprovider", 70.0, CARIN),
                             adj("paidtopatient", 10.0, CARIN), adj("deductible", 5.0), adj("coinsurance", 15.0, CARIN),
                             adj("priorpayerpaid", 0.0, CARIN), adj("discount", 3.0, CARIN)]}
    ex = extract(eob([item]), "eob.json")
    rec = ex.records[0]
    assert (rec.kind, rec.person_key, rec.date, rec.details) == (
        Kind.CLAIM, "Patient/p1", "2024-03-01", {"use": "claim", "outcome": "complete"})
    (line,) = rec.claim_lines
    assert line.line_no == 1 and line.date == "2024-03-01" and line.quantity == Decimal(1)
    assert line.act == Code("http://www.ama-assn.org/go/cpt", "99213")
    assert (line.currency, line.charged, line.base) == ("USD", usd("150.0"), usd("100.0"))
    assert line.paid_primary == usd("80.0")  # paid to provider + paid to patient
    assert line.patient_share == usd("20.0")  # deductible + coinsurance
    assert line.paid_complementary == usd("0.0")
    assert (line.provider, line.primary_payer) == ("Practitioner/dr-1", "Medicare")
    assert line.explanation is not None and line.explanation["discount"] == 3.0
    assert warnings(ex) == []


def test_blue_button_variable_wins_over_the_generic_category() -> None:
    item = {"sequence": 2, "servicedPeriod": {"start": "2024-03-02", "end": "2024-03-02"},
            "adjudication": [adj("submitted", 999.0, also="rev_cntr_tot_chrg_amt"),
                             adj("submitted", 5.0, also="rev_cntr_rate_amt"),  # a rate, not a charge
                             adj("submitted", 400.0, also="rev_cntr_pmt_amt_amt"),  # what Medicare paid
                             adj("paidbypatient", 120.0, CARIN, also="rev_cntr_ptnt_rspnsblty_pmt"),
                             adj("coinsurance", 60.0, CARIN, also="rev_cntr_coinsrnc_wge_adjstd_c")]}
    (line,) = extract(eob([item]), "eob.json").records[0].claim_lines
    assert line.line_no == 2 and line.date == "2024-03-02"
    assert line.charged == usd("999.0")
    assert line.paid_primary == usd("400.0")
    assert line.patient_share == usd("120.0")  # the total "paid by patient" wins over its parts
    assert line.explanation is not None and line.explanation["rev_cntr_rate_amt"] == 5.0


def test_synthea_style_lines_with_net_and_bb_codes() -> None:
    bb_system = "https://bluebutton.cms.gov/resources/codesystem/adjudication"
    item = {"sequence": 1, "net": {"value": 140.52, "currency": "USD"},
            "category": {"coding": [{"system": BB + "line_cms_type_srvc_cd", "code": "1", "display": "Medical care"}]},
            "adjudication": [adj(BB + "line_coinsrnc_amt", 28.104, bb_system),
                             adj(BB + "line_prvdr_pmt_amt", 112.416, bb_system),
                             adj(BB + "line_bene_ptb_ddctbl_amt", 0, bb_system),
                             adj(BB + "line_prcsg_ind_cd", 0, bb_system)]}
    (line,) = extract(eob([item]), "eob.json").records[0].claim_lines
    assert (line.charged, line.paid_primary, line.patient_share) == (usd("140.52"), usd("112.416"), usd("28.104"))
    assert line.category == "Medical care"
    assert line.date == "2024-03-01"  # no serviced date: the billable period


def test_unit_price_times_quantity_and_care_team_provider() -> None:
    item = {"sequence": 1, "careTeamSequence": [2], "unitPrice": {"value": 25, "currency": "EUR"},
            "quantity": {"value": 3}, "factor": 1}
    claim = eob([item], resourceType="Claim", careTeam=[{"sequence": 2, "provider": {"display": "Dr Durand"}}])
    (line,) = extract(claim, "claim.json").records[0].claim_lines
    assert (line.currency, line.charged, line.provider) == ("EUR", Money(Decimal(75), "EUR"), "Dr Durand")


def test_eob_without_items_gives_one_line_from_total_and_payment() -> None:
    res = eob(None, total=[{"category": {"coding": [{"system": HL7_ADJ, "code": "submitted"}]},
                            "amount": {"value": 125, "currency": "USD"}}],
              payment={"amount": {"value": 100, "currency": "USD"}})
    (line,) = extract(res, "eob.json").records[0].claim_lines
    assert (line.line_no, line.charged, line.paid_primary, line.date) == (1, usd("125"), usd("100"), "2024-03-01")
    assert line.category == "professional"


def test_claim_without_items_uses_its_total() -> None:
    res = eob(None, resourceType="Claim", total={"value": 60.5, "currency": "EUR"})
    (line,) = extract(res, "claim.json").records[0].claim_lines
    assert line.charged == Money(Decimal("60.5"), "EUR")


def test_currency_defaults_and_mismatch() -> None:
    no_currency = {"sequence": 1, "adjudication": [adj("submitted", 10.0, currency=None)]}
    ex = extract(eob([no_currency]), "eob.json")
    assert ex.records[0].claim_lines[0].currency == "XXX"
    assert any("without a currency" in w for w in warnings(ex))
    # a Blue Button file: US dollars when a Money has no currency
    bb = eob([no_currency], identifier=[{"system": BB + "clm_id", "value": "1"}])
    assert extract(bb, "eob.json").records[0].claim_lines[0].currency == "USD"
    mixed = {"sequence": 1, "adjudication": [adj("submitted", 10.0), adj("benefit", 8.0, currency="EUR")]}
    ex = extract(eob([mixed]), "eob.json")
    line = ex.records[0].claim_lines[0]
    assert (line.charged, line.paid_primary) == (usd("10.0"), None)
    assert any("amount in EUR left out of a USD claim" in w for w in warnings(ex))


def test_bad_service_date_falls_back_with_a_warning() -> None:
    item = {"sequence": 1, "servicedDate": "IGNORED_FIELD", "net": {"value": 1, "currency": "USD"}}
    ex = extract(eob([item], created="IGNORED_FIELD"), "eob.json")
    assert ex.records[0].claim_lines[0].date == "2024-03-01"
    assert "/item/0/serviced: invalid date 'IGNORED_FIELD' dropped" in warnings(ex)


def test_contained_patient_becomes_a_person() -> None:
    contained = {"resourceType": "Patient", "id": "patient", "birthDate": "1975-03-01", "gender": "male",
                 "identifier": [{"system": "http://hl7.org/fhir/sid/us-mbi", "value": "1S00E00AA00"}]}
    claim = eob([], resourceType="Claim", patient={"reference": "#patient"}, contained=[contained])
    ex = extract(claim, "claim.json")
    (person,) = ex.persons
    assert person.natural_key.startswith("Patient/sha256:") and person.birth_date == "1975-03-01"
    assert ex.records[0].person_key == person.natural_key
    assert person.provenance is not None and person.provenance.pointer == "/contained/0"
