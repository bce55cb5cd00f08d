"""One FHIR R4 resource per profile item, for the International Patient Summary.

Resources are rebuilt from the item rather than copied from the source: a
source resource may point to practitioners, encounters or medications that
are not in the summary, and a document Bundle must hold every resource it
refers to. What the source said is kept where it matters (codings, statuses,
reactions, values, components); what the person corrected wins (a corrected
label drops the source's codings, which may be what was wrong).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from carnet.model import Code, Quantity
from carnet.services.emergency.clinical import ALD_EXTENSION
from carnet.services.emergency.model import Item, Section, State
from carnet.services.emergency.reading import concept_codes, element

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
HL7 = "http://terminology.hl7.org/CodeSystem"
#: the French legal bases (Code de la santé publique) of advance directives and of organ donation
DIRECTIVES_LAW = "Code de la santé publique, article L1111-11"
ORGAN_LAW = "Code de la santé publique, article L1232-1"
Json = dict[str, Any]


def concept(codes: tuple[Code, ...], text: str | None) -> Json:
    """A CodeableConcept from codes and a label."""
    found: Json = {}
    codings = [
        {k: v for k, v in (("system", c.system), ("code", c.code), ("display", c.display)) if v}
        for c in codes
        if c.code
    ]
    if codings:
        found["coding"] = codings
    if text:
        found["text"] = text
    return found


def item_concept(item: Item) -> Json:
    codes = () if item.state is State.CORRECTED else item.codes
    return concept(codes, item.label)


def hl7(system: str, code: str) -> Json:
    return {"coding": [{"system": f"{HL7}/{system}", "code": code}]}


def quantity(value: Quantity) -> Json:
    found: Json = {"value": float(value.value) if value.value % 1 else int(value.value)}
    if value.unit:
        found["unit"] = value.unit
    if value.unit_code:
        found |= {"system": UCUM, "code": value.unit_code}
    return found


def _day(value: str | None) -> str | None:
    """An ISO date or dateTime as FHIR accepts it (a dateTime needs its time zone)."""
    if not value:
        return None
    if len(value) <= 10 or value.endswith("Z") or "+" in value[10:] or "-" in value[10:]:
        return value
    return value[:10]


def _copied_concept(value: Any) -> Json | None:
    """A CodeableConcept from a source, with only the elements we can vouch for."""
    if not isinstance(value, Mapping):
        return None
    text = value.get("text")
    found = concept(concept_codes(value), text if isinstance(text, str) else None)
    return found or None


def condition(item: Item, patient: str) -> Json:
    res: Json = {
        "resourceType": "Condition",
        "clinicalStatus": hl7("condition-clinical", "active"),
        "category": [hl7("condition-category", "problem-list-item")],
        "code": item_concept(item),
        "subject": {"reference": patient},
    }
    verification = _copied_concept(element(item.resource, "verificationStatus"))
    if verification:
        res["verificationStatus"] = verification
    if _day(item.date):
        res["onsetDateTime"] = _day(item.date)
    extensions = element(item.resource, "extension")
    ald = (
        [e for e in extensions if isinstance(e, Mapping) and e.get("url") == ALD_EXTENSION]
        if isinstance(extensions, list)
        else []
    )
    if ald:
        res["extension"] = [dict(ald[0])]
    return res


def allergy(item: Item, patient: str) -> Json:
    res: Json = {
        "resourceType": "AllergyIntolerance",
        "clinicalStatus": hl7("allergyintolerance-clinical", "active"),
        "code": item_concept(item),
        "patient": {"reference": patient},
    }
    verification = _copied_concept(element(item.resource, "verificationStatus"))
    if verification:
        res["verificationStatus"] = verification
    for name, allowed in (("type", ("allergy", "intolerance")), ("criticality", ("low", "high", "unable-to-assess"))):
        if element(item.resource, name) in allowed:
            res[name] = element(item.resource, name)
    categories = element(item.resource, "category")
    if isinstance(categories, list):
        kept = [c for c in categories if c in ("food", "medication", "environment", "biologic")]
        if kept:
            res["category"] = kept
    reactions = []
    for reaction in element(item.resource, "reaction") or []:
        found = [c for m in element(reaction, "manifestation") or [] if (c := _copied_concept(m))]
        if found:
            reactions.append({"manifestation": found})
    if reactions:
        res["reaction"] = reactions
    elif item.detail and item.state is State.CORRECTED:
        res["reaction"] = [{"manifestation": [{"text": item.detail}]}]
    if _day(item.date):
        res["recordedDate"] = _day(item.date)
    return res


def medication(item: Item, patient: str, asserted: str) -> Json:
    res: Json = {
        "resourceType": "MedicationStatement",
        "status": "active",
        "medicationCodeableConcept": item_concept(item),
        "subject": {"reference": patient},
        "dateAsserted": asserted,
    }
    start, end = _day(item.date), _day(item.until)
    if start and end and end >= start[:10]:
        res["effectivePeriod"] = {"start": start, "end": end}
    elif start:
        res["effectiveDateTime"] = start
    if item.detail:
        res["dosage"] = [{"text": item.detail}]
    return res


def immunization(item: Item, patient: str) -> Json:
    res: Json = {
        "resourceType": "Immunization",
        "status": "completed",
        "vaccineCode": item_concept(item),
        "patient": {"reference": patient},
    }
    when = _day(item.date)
    res["occurrenceDateTime" if when else "occurrenceString"] = when or "unknown"
    return res


def observation(item: Item, patient: str) -> Json:
    category = "vital-signs" if item.section is Section.VITAL_SIGNS else "laboratory"
    res: Json = {
        "resourceType": "Observation",
        "status": "final",
        "category": [hl7("observation-category", category)],
        "code": item_concept(item),
        "subject": {"reference": patient},
    }
    if _day(item.date):
        res["effectiveDateTime"] = _day(item.date)
    coded = _copied_concept(element(item.resource, "valueCodeableConcept"))
    if item.value is not None:
        res["valueQuantity"] = quantity(item.value)
    elif coded and item.state is not State.CORRECTED:
        res["valueCodeableConcept"] = coded
    elif item.value_text:
        res["valueString"] = item.value_text
    components = []
    for part in element(item.resource, "component") or []:
        code, value = _copied_concept(element(part, "code")), element(part, "valueQuantity")
        if code and isinstance(value, Mapping) and isinstance(value.get("value"), int | float):
            kept = {k: value[k] for k in ("value", "unit", "system", "code") if k in value}
            components.append({"code": code, "valueQuantity": kept})
    if components:
        res["component"] = components
    return res


def pregnancy(item: Item, patient: str) -> list[Json]:
    """Pregnancy status (82810-3: pregnant), and the expected delivery date (11778-8) when known."""
    status: Json = {
        "resourceType": "Observation",
        "status": "final",
        "code": concept((Code(LOINC, "82810-3", "Pregnancy status"),), None),
        "subject": {"reference": patient},
        "valueCodeableConcept": concept((Code(SNOMED, "77386006", "Pregnant"),), None),
    }
    if _day(item.date):
        status["effectiveDateTime"] = _day(item.date)
    found = [status]
    if item.until:
        found.append(
            {
                "resourceType": "Observation",
                "status": "final",
                "code": concept((Code(LOINC, "11778-8", "Delivery date Estimated"),), None),
                "subject": {"reference": patient},
                "valueDateTime": item.until,
            }
        )
    return found


def device(item: Item, patient: str) -> Json:
    return {"resourceType": "Device", "type": item_concept(item), "patient": {"reference": patient}}


def device_use(item: Item, patient: str, device: str) -> Json:
    """IPS lists the use of a device; the Device itself is another entry of the bundle."""
    use: Json = {
        "resourceType": "DeviceUseStatement",
        "status": "active",
        "subject": {"reference": patient},
        "device": {"reference": device, "display": item.label},
    }
    if _day(item.date):
        use["timingDateTime"] = _day(item.date)
    return use


def directive_document(patient: str, when: str, text: str | None, kept_at: str | None, title: str) -> Json:
    """The advance directives document: what it says in short, and where the signed one is kept."""
    res: Json = {
        "resourceType": "DocumentReference",
        "status": "current",
        "type": concept((Code(LOINC, "42348-3", "Advance healthcare directives"),), title),
        "subject": {"reference": patient},
        "date": when,
        "content": [{"attachment": {"title": kept_at or title}}],
    }
    if text:
        res["description"] = text
    return res


def consent(
    patient: str,
    when: str,
    text: str,
    law: str,
    *,
    source: str | None = None,
    permit: bool | None = None,
    action: str | None = None,
) -> Json:
    """An advance-directive Consent (scope ``adr``), as the IPS advance directives section lists them."""
    res: Json = {
        "resourceType": "Consent",
        "status": "active",
        "scope": {"coding": [{"system": f"{HL7}/consentscope", "code": "adr", "display": "Advanced Care Directive"}]},
        "category": [
            {
                "coding": [{"system": f"{HL7}/consentcategorycodes", "code": "acd", "display": "Advance Directive"}],
                "text": text,
            }
        ],
        "patient": {"reference": patient},
        "dateTime": when,
        "policyRule": {"text": law},
    }
    if source:
        res["sourceReference"] = {"reference": source}
    if permit is not None:
        res["provision"] = {"type": "permit" if permit else "deny", "action": [{"text": action or text}]}
    return res
