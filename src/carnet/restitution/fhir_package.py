"""The FHIR R4 resources of a member's package, as JSON templates compiled to SQL.

Each function returns the SQL expression of one NDJSON line (or, for the
ExplanationOfBenefit, one fragment per claim line) over the columns of the
pipeline's ``members``, ``conditions`` and ``items`` steps. The shapes below
read like the JSON they produce; ``docs/restitution.md`` has the mapping
table from SNDS columns to FHIR elements.
"""

from __future__ import annotations

from carnet.restitution import codes as c
from carnet.restitution.relations import ACT_URI, ITEM_SEQ, LINE_ID, label_of
from carnet.restitution.sql import (
    ITEMS,
    NEWLINE,
    Concat,
    Sql,
    Template,
    When,
    clean,
    concat,
    escape,
    json_parts,
    json_split,
    json_sql,
    money,
    number,
    text,
    token,
    trusted,
)

PATIENT_REF = token("patient_id", "Patient/")


def _line(template: Template) -> str:
    return concat([json_sql(template), NEWLINE])


def _coding(system: str | Concat, code: str, display: str) -> dict[str, Template]:
    """A Coding of the code in column ``code``, its display in column ``display`` (a label).

    A code with a label is one of Carnet's tables (clean); any other is escaped in full.
    """
    escaped = f"CASE WHEN {display} IS NOT NULL THEN {escape(code)} ELSE {escape(clean(code))} END"
    return {
        "system": system,
        "code": Concat(('"', Sql(escaped), '"')),
        "display": When(f"{display} IS NOT NULL", trusted(display)),
    }


def _category(*codes: tuple[str, str]) -> dict[str, Template]:
    return {"coding": [{"system": system, "code": code} for system, code in codes]}


#: the parts of a reimbursement: (category system, code, amount column, present when)
PARTS: tuple[tuple[str, str, str, str | None], ...] = (
    (c.ADJUDICATION, "submitted", "charged", None),
    (c.ADJUDICATION, "eligible", "base", None),
    (c.ADJUDICATION, "benefit", "amo", None),
    (c.CARNET_ADJUDICATION, "amc", "amc", "contract IS NOT NULL OR {} <> 0"),
    (c.CARNET_ADJUDICATION, "participation-forfaitaire", "pf", "{} > 0"),
    (c.CARNET_ADJUDICATION, "franchise", "fra", "{} > 0"),
    (c.CARNET_ADJUDICATION, "depassement", "dep", "{} > 0"),  # on items only
    (c.ADJUDICATION, "copay", "rac", None),
)


def _amounts(prefix: str = "", rate: bool = False) -> list[Template]:
    out: list[Template] = []
    for system, code, column, when in PARTS:
        if prefix and column == "dep":
            continue
        part: Template = {"category": _category((system, code)), "amount": money(prefix + column)}
        out.append(When(when.format(prefix + column), part) if when else part)
        if rate and column == "base":
            eligpercent: Template = {"category": _category((c.ADJUDICATION, "eligpercent")), "value": number("rate")}
            out.append(When("rate IS NOT NULL", eligpercent))
    return out


def patient() -> str:
    """Patient, from ``members``."""
    name: list[Template] = [{
        "use": "official",
        "family": When("FAMILY IS NOT NULL", text("FAMILY")),
        "given": When("GIVEN IS NOT NULL", [text("GIVEN")]),
    }]  # fmt: skip
    return _line({
        "resourceType": "Patient",
        "id": token("patient_id"),
        "identifier": [
            {"system": c.MEMBER_ID, "value": text("member_id")},
            {"system": c.BENEFICIARY_ID, "value": text("beneficiary")},
        ],
        "name": When("GIVEN IS NOT NULL OR FAMILY IS NOT NULL", name),
        "gender": token("gender"),
        "birthDate": When("birth IS NOT NULL", token("birth")),
        "deceasedDateTime": When("BEN_DCD_DTE IS NOT NULL", token("BEN_DCD_DTE")),
    })  # fmt: skip


def coverage() -> str:
    """The AMO Coverage and, with a contract, the mutuelle's; from ``members``."""
    amo = _line({
        "resourceType": "Coverage",
        "id": token("patient_id", "amo-"),
        "status": "active",
        "type": {"coding": [{"system": c.ACT_CODE, "code": "PUBLICPOL", "display": "public healthcare"}]},
        "beneficiary": {"reference": PATIENT_REF},
        "payor": [{
            "display": "Assurance Maladie",
            "identifier": When("ORG_AFF_BEN IS NOT NULL", {"value": text("ORG_AFF_BEN")}),
        }],
    })  # fmt: skip
    amc = _line({
        "resourceType": "Coverage",
        "id": token("patient_id", "amc-"),
        "status": "active",
        "type": {"coding": [{"system": c.ACT_CODE, "code": "EHCPOL", "display": "extended healthcare"}]},
        "subscriberId": text("member_id"),
        "beneficiary": {"reference": PATIENT_REF},
        "relationship": When("relationship IS NOT NULL",
                             {"coding": [{"system": c.RELATIONSHIP, "code": token("relationship")}]}),
        "payor": [{"display": "Mutuelle"}],
        "class": [{"type": _category((c.COVERAGE_CLASS, "plan")), "value": text("CONTRACT_ID")}],
    })  # fmt: skip
    return concat([amo, f"CASE WHEN CONTRACT_ID IS NOT NULL THEN {amc} END"])


def condition() -> str:
    """Condition for an ALD (CIM-10 code), from ``conditions``."""
    ald: list[Template] = [
        {"url": "period", "valuePeriod": {
            "start": token("IMB_ALD_DTD"), "end": When("IMB_ALD_DTF IS NOT NULL", token("IMB_ALD_DTF"))}},
        When("IMB_ALD_NUM IS NOT NULL", {"url": "number", "valueString": token("IMB_ALD_NUM")}),
        When("ald_label IS NOT NULL", {"url": "label", "valueString": trusted("ald_label")}),
    ]  # fmt: skip
    return _line({
        "resourceType": "Condition",
        "id": token("condition_id"),
        "extension": [{"url": c.ALD_EXTENSION, "extension": ald}],
        "clinicalStatus": _category((c.CONDITION_CLINICAL, "active")),
        "verificationStatus": _category((c.CONDITION_VERIFICATION, "confirmed")),
        "category": [_category((c.CONDITION_CATEGORY, "problem-list-item"))],
        "code": {"coding": [_coding(c.CIM10, "MED_MTF_COD", "cim_label")]},
        "subject": {"reference": PATIENT_REF},
        "recordedDate": token("IMB_ALD_DTD"),
    })  # fmt: skip


def explanation_of_benefit() -> str:
    """One fragment per claim line (``items``): the claim's head on its first line, its tail on the last."""
    item = json_parts({
        "sequence": number(ITEM_SEQ),
        "category": When("category IS NOT NULL", {"coding": [{"system": c.CARE_CATEGORY, "code": text("category")}]}),
        "productOrService": {"coding": [
            _coding(c.PRESTATION_NATURE, "nature", "nature_label"),
            When(f"{ACT_URI} IS NOT NULL", _coding(token(ACT_URI), "act_code", "act_label")),
        ]},
        "servicedDate": token("care_date"),
        "quantity": When("qty IS NOT NULL", {"value": number("qty")}),
        "adjudication": _amounts(rate=True),
    })  # fmt: skip
    first, last = "_row = claim_row", "_row = claim_last_row"
    head, tail = json_split({
        "resourceType": "ExplanationOfBenefit",
        "id": token("eob_id"),
        "identifier": [{"system": c.DECOMPTE_ID, "value": Sql("decompte_json")}],
        "status": "active",
        "type": {"coding": [{"system": c.CLAIM_TYPE, "code": token("claim_type")}]},
        "use": "claim",
        "patient": {"reference": PATIENT_REF},
        "billablePeriod": {"start": token("care_date"), "end": token("period_end")},
        "created": token("created"),
        "insurer": {"display": "Assurance Maladie"},
        "provider": {"display": "Professionnel de santé"},
        "outcome": "complete",
        "insurance": [
            {"focal": True, "coverage": {"reference": token("patient_id", "Coverage/amo-")}},
            When("contract IS NOT NULL", {
                "focal": False, "coverage": {"reference": token("patient_id", "Coverage/amc-")}}),
        ],
        "item": [ITEMS],
        # a claim of one line would repeat its item's adjudications: its total is left out
        "total": When("claim_row <> claim_last_row", _amounts("t_")),
        "payment": {"amount": money("t_amo"), "date": When("paid_amo IS NOT NULL", token("paid_amo"))},
        "extension": When("paid_amc IS NOT NULL", [{"url": c.AMC_PAYMENT_EXTENSION, "valueDate": token("paid_amc")}]),
    }, first, last)  # fmt: skip
    return concat([*head, "CASE WHEN _row <> claim_row THEN ',' END", *item, *tail,
                   f"CASE WHEN {last} THEN {NEWLINE} END"])  # fmt: skip


def medication_dispense() -> str:
    """MedicationDispense for a drug line (CIP13), from ``items``."""
    return _line({
        "resourceType": "MedicationDispense",
        "id": token(LINE_ID),
        "status": "completed",
        "medicationCodeableConcept": {"coding": [_coding(c.CIP13, "cip13", label_of("cip13"))]},
        "subject": {"reference": PATIENT_REF},
        "quantity": When("boxes IS NOT NULL", {"value": number("boxes"), "unit": "boîte"}),
        "whenHandedOver": token("care_date"),
    })  # fmt: skip


def procedure() -> str:
    """Procedure for a CCAM act, from ``items``."""
    return _line({
        "resourceType": "Procedure",
        "id": token(LINE_ID),
        "status": "completed",
        "code": {"coding": [_coding(c.CCAM, "ccam", label_of("ccam"))]},
        "subject": {"reference": PATIENT_REF},
        "performedDateTime": token("care_date"),
    })  # fmt: skip


def immunization() -> str:
    """Immunization for a vaccine dispensed (CIP13 of a vaccine), from ``items``."""
    return _line({
        "resourceType": "Immunization",
        "id": token(LINE_ID),
        "status": "completed",
        "vaccineCode": {"coding": [_coding(c.CIP13, "cip13", label_of("cip13"))]},
        "patient": {"reference": PATIENT_REF},
        "occurrenceDateTime": token("care_date"),
        "primarySource": False,
    })  # fmt: skip
