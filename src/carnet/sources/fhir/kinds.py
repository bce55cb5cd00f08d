"""Which resource type becomes which :class:`Kind`, and where its fields are.

A :class:`Spec` names, in order of preference, the elements holding the main
code, the date (a date or a Period), the end, the status and a label. The few
types that need more (observation values, medication codes through references,
claim lines) have an ``enrich`` function adding fields.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from carnet.model import Kind
from carnet.sources.fhir.claims import claim_lines
from carnet.sources.fhir.context import Context
from carnet.sources.fhir.values import code_of, concept, quantity, range_text, reference_label, text

Enrich = Callable[[Context, dict[str, Any], str], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Spec:
    kind: Kind
    code: tuple[str, ...] = ("code",)
    date: tuple[str, ...] = ()
    end: tuple[str, ...] = ()
    status: tuple[str, ...] = ("status",)
    label: tuple[str, ...] = ()
    enrich: Enrich | None = None


def _observation(ctx: Context, res: dict[str, Any], pointer: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    value = res.get("valueQuantity")
    if value is not None:
        out["value"] = quantity(value)
    else:
        _value_text(res, out)
    ranges = res.get("referenceRange")
    if type(ranges) is list and ranges:
        out["reference_range"] = range_text(ranges[0])
    components = res.get("component")
    if type(components) is list and components:
        parts = [_component(c) for c in components if type(c) is dict]
        out["details"] = {"components": parts}
        if out.get("value") is None and out.get("value_text") is None:
            out["value_text"] = components_text(parts)
    return out


LOINC = "http://loinc.org"
SYSTOLIC, DIASTOLIC = "8480-6", "8462-4"
#: longest text made of components (a panel may have dozens)
MAX_COMPONENTS_TEXT = 200


def components_text(parts: list[dict[str, Any]]) -> str | None:
    """What a panel measured, for display when the observation has no value of its own.

    A blood pressure reads ``"128/82 mm[Hg]"`` (systolic, then diastolic); any
    other panel lists each component with its label, as in
    ``"Systolic 128 mm[Hg] · Diastolic 82 mm[Hg]"``. Components without a value
    are left out; None when none has one.
    """
    valued = [p for p in parts if p["value"] is not None or p["text"] is not None]
    by_code = {p["code"]: p for p in valued if p["system"] in (LOINC, None) and p["value"] is not None}
    systolic, diastolic = by_code.get(SYSTOLIC), by_code.get(DIASTOLIC)
    if len(valued) == 2 and systolic is not None and diastolic is not None and systolic["unit"] == diastolic["unit"]:
        unit = f" {systolic['unit']}" if systolic["unit"] else ""
        return f"{systolic['value']}/{diastolic['value']}{unit}"
    shown = []
    for part in valued:
        value = part["text"] if part["value"] is None else " ".join(filter(None, (part["value"], part["unit"])))
        shown.append(" ".join(filter(None, (part["display"] or part["code"], value))))
    found = " · ".join(shown)
    if len(found) > MAX_COMPONENTS_TEXT:
        found = found[: MAX_COMPONENTS_TEXT - 1] + "…"
    return found or None


def _value_text(res: dict[str, Any], out: dict[str, Any]) -> None:
    for key in ("valueCodeableConcept", "valueString", "valueBoolean", "valueInteger", "valueDateTime",
                "valueTime", "valueRange", "valuePeriod", "valueRatio", "dataAbsentReason"):
        value = res.get(key)
        if value is None:
            continue
        if key == "valueInteger" and type(value) is int:
            out["value"] = quantity({"value": value})
        elif key in ("valueCodeableConcept", "dataAbsentReason"):
            codes, label = concept(value)
            out["value_text"] = label or (codes[0].code if codes else None)
        elif key == "valueRange":
            out["value_text"] = range_text(value)
        elif key == "valuePeriod" and type(value) is dict:
            out["value_text"] = f"{value.get('start', '')}–{value.get('end', '')}"
        elif key == "valueRatio" and type(value) is dict:
            num, den = value.get("numerator"), value.get("denominator")
            n = num.get("value") if type(num) is dict else None
            d = den.get("value") if type(den) is dict else None
            out["value_text"] = f"{n}/{d}"
        elif type(value) is bool:
            out["value_text"] = "true" if value else "false"
        else:
            out["value_text"] = text(value)
        return


def _component(component: dict[str, Any]) -> dict[str, Any]:
    """One component as plain JSON (the store serialises details as JSON)."""
    codes, label = concept(component.get("code"))
    found: dict[str, Any] = {}
    value = quantity(component.get("valueQuantity"))
    if value is None:
        _value_text(component, found)
        value = found.get("value")
    first = codes[0] if codes else None
    return {
        "system": first.system if first else None,
        "code": first.code if first else None,
        "display": label,
        "value": str(value.value) if value else None,
        "unit": (value.unit_code or value.unit) if value else None,
        "text": found.get("value_text"),
    }


def _through(ctx: Context, res: dict[str, Any], key: str, code_key: str) -> dict[str, Any]:
    """Code of a Medication/Device named by a reference, when the file has it."""
    target = res.get(key)
    if type(target) is not dict:
        return {}
    ref = target.get("reference")
    if type(ref) is str:
        ref = ctx.refs.resolve(ref)
    found = ctx.index.get(ref) if type(ref) is str else None
    details = {key: ref} if type(ref) is str else {}
    if found is not None:
        codes, label = concept(found.get(code_key))
        return {"codes": codes, "text": label, "details": details}
    return {"text": text(target.get("display")), "details": details}


def _medication(ctx: Context, res: dict[str, Any], pointer: str) -> dict[str, Any]:
    if "medicationCodeableConcept" in res:
        return {}
    return _through(ctx, res, "medicationReference", "code")


def _device_use(ctx: Context, res: dict[str, Any], pointer: str) -> dict[str, Any]:
    return _through(ctx, res, "device", "type")


def _device(ctx: Context, res: dict[str, Any], pointer: str) -> dict[str, Any]:
    names = res.get("deviceName")
    if type(names) is list and names and type(names[0]) is dict:
        return {"text": text(names[0].get("name"))}
    return {}


def _coverage(ctx: Context, res: dict[str, Any], pointer: str) -> dict[str, Any]:
    payor = reference_label(res.get("payor"), ctx.refs)
    return {"text": payor, "details": {"payor": payor}} if payor else {}


def _claim(ctx: Context, res: dict[str, Any], pointer: str) -> dict[str, Any]:
    details = {k: res[k] for k in ("use", "outcome") if type(res.get(k)) is str}
    return {"claim_lines": claim_lines(ctx, res, pointer), "details": details}


_PERIOD = ("period",)
_MED = ("medicationCodeableConcept",)
_EFFECTIVE = ("effectiveDateTime", "effectivePeriod", "effectiveInstant")

SPECS: dict[str, Spec] = {
    "Patient": Spec(Kind.DEMOGRAPHICS, code=(), status=()),  # date: the birth date, read with the Person
    "Coverage": Spec(Kind.COVERAGE, code=("type",), date=_PERIOD, enrich=_coverage),
    "Claim": Spec(Kind.CLAIM, code=("type",), date=("billablePeriod", "created"), enrich=_claim),
    "ExplanationOfBenefit": Spec(Kind.CLAIM, code=("type",), date=("billablePeriod", "created"), enrich=_claim),
    "Encounter": Spec(Kind.ENCOUNTER, code=("type", "class"), date=_PERIOD),
    "Condition": Spec(Kind.CONDITION, date=("onsetDateTime", "onsetPeriod", "recordedDate"),
                      end=("abatementDateTime",), status=("clinicalStatus",)),
    "Observation": Spec(Kind.OBSERVATION, date=(*_EFFECTIVE, "issued"), enrich=_observation),
    "MedicationRequest": Spec(Kind.MEDICATION_REQUEST, code=_MED, date=("authoredOn",), enrich=_medication),
    "MedicationDispense": Spec(Kind.MEDICATION_DISPENSE, code=_MED, date=("whenHandedOver", "whenPrepared"),
                               enrich=_medication),
    "MedicationStatement": Spec(Kind.MEDICATION_STATEMENT, code=_MED, date=(*_EFFECTIVE, "dateAsserted"),
                                enrich=_medication),
    "MedicationAdministration": Spec(Kind.MEDICATION_ADMINISTRATION, code=_MED, date=_EFFECTIVE,
                                     enrich=_medication),
    "Immunization": Spec(Kind.IMMUNIZATION, code=("vaccineCode",), date=("occurrenceDateTime", "recorded")),
    "Procedure": Spec(Kind.PROCEDURE, date=("performedDateTime", "performedPeriod")),
    "AllergyIntolerance": Spec(Kind.ALLERGY, date=("onsetDateTime", "recordedDate"), status=("clinicalStatus",)),
    "Device": Spec(Kind.DEVICE, code=("type",), enrich=_device),
    "DeviceUseStatement": Spec(Kind.DEVICE, code=(), date=("timingDateTime", "timingPeriod", "recordedOn"),
                               enrich=_device_use),
    "DiagnosticReport": Spec(Kind.DIAGNOSTIC_REPORT, date=(*_EFFECTIVE, "issued")),
    "DocumentReference": Spec(Kind.DOCUMENT, code=("type",), date=("date",), label=("description",)),
    "Composition": Spec(Kind.DOCUMENT, code=("type",), date=("date",), label=("title",)),
    "CarePlan": Spec(Kind.CARE_PLAN, code=("category",), date=_PERIOD, label=("title", "description")),
    "Goal": Spec(Kind.GOAL, code=("description",), date=("startDate", "statusDate"), status=("lifecycleStatus",)),
    "CareTeam": Spec(Kind.CARE_TEAM, code=("category",), date=_PERIOD, label=("name",)),
    "ImagingStudy": Spec(Kind.IMAGING_STUDY, code=("procedureCode", "modality"), date=("started",),
                         label=("description",)),
}

#: not about one person: kept as reference data
REFERENCE = Spec(Kind.REFERENCE, code=("code", "type"), label=("name", "title"))
for _name in ("Organization", "Practitioner", "PractitionerRole", "Location", "Medication", "HealthcareService",
              "Endpoint", "Substance", "InsurancePlan", "Group", "OrganizationAffiliation"):
    SPECS[_name] = REFERENCE

#: everything else: kept whole, with what can be read generically
OTHER = Spec(Kind.OTHER, code=("code", "type", "category"),
             date=("date", "occurrenceDateTime", "authored", "recorded", "created", "issued", "period"),
             label=("title", "name", "description"))


def status_of(res: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = res.get(key)
        if value is not None:
            return code_of(value)
    return None
