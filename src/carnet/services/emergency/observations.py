"""Blood group, pregnancy, key results and vital signs: the last value of a few LOINC codes.

Only the codes below are read (the store loads nothing else): a first
responder needs the blood group, whether the person may be pregnant, and the
few results that change a treatment (kidney function, glucose control,
coagulation, haemoglobin, potassium…), each with its date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from carnet.model import Kind
from carnet.services.emergency.clinical import item_of
from carnet.services.emergency.model import Evidence, Item, Section
from carnet.services.emergency.reading import concept_codes, concept_text, element, parse_date, record_codes

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"

BLOOD_GROUP = "882-1"  # ABO and Rh group [Type] in Blood
ABO = "883-9"  # ABO group [Type] in Blood
RH = "10331-7"  # Rh [Type] in Blood
PREGNANCY_STATUS = ("82810-3", "11449-6")  # Pregnancy status; Pregnancy status - Reported
DELIVERY_DATE = ("11778-8", "11779-6", "11780-4")  # Delivery date, estimated (any method)
PREGNANT = frozenset({"77386006"})  # SNOMED CT: Pregnant
PREGNANCY_CONDITIONS = frozenset({"77386006", "72892002"})  # Pregnant; Normal pregnancy
#: how long a "pregnant" status holds when no delivery date says otherwise
PREGNANCY_DAYS = 300

KEY_RESULTS: dict[str, str] = {
    "4548-4": "Hemoglobin A1c",
    "2339-0": "Glucose in blood",
    "2345-7": "Glucose in serum or plasma",
    "2160-0": "Creatinine in serum or plasma",
    "33914-3": "eGFR (MDRD)",
    "62238-1": "eGFR (CKD-EPI)",
    "98979-8": "eGFR (CKD-EPI 2021)",
    "718-7": "Hemoglobin in blood",
    "6301-6": "INR",
    "34714-6": "INR in blood",
    "2823-3": "Potassium",
    "2951-2": "Sodium",
    "777-3": "Platelets",
}
VITAL_SIGNS: dict[str, str] = {
    "85354-9": "Blood pressure",
    "8867-4": "Heart rate",
    "29463-7": "Body weight",
    "8302-2": "Body height",
    "39156-5": "Body mass index",
}
#: every LOINC code the profile reads; the store loads only Observations with one of these
OBSERVATION_CODES = frozenset({BLOOD_GROUP, ABO, RH, *PREGNANCY_STATUS, *DELIVERY_DATE, *KEY_RESULTS, *VITAL_SIGNS})


def _loinc(ev: Evidence) -> set[str]:
    return {c.code for c in record_codes(ev.record) if c.system == LOINC and c.code}


def _latest(evidence: list[Evidence], codes: Iterable[str]) -> Evidence | None:
    wanted = set(codes)
    found = [ev for ev in evidence if _loinc(ev) & wanted and ev.record.status not in ("entered-in-error", "cancelled")]
    return max(found, key=lambda ev: (ev.record.date or "", ev.record_id), default=None)


def _value_text(ev: Evidence) -> str | None:
    coded = element(ev.record.resource, "valueCodeableConcept")
    return concept_text(coded) or ev.record.value_text


def blood_group(observations: list[Evidence]) -> Item | None:
    """882-1 when known; else 883-9 (ABO) with 10331-7 (Rh), the newest of each."""
    combined = _latest(observations, [BLOOD_GROUP])
    if combined is not None:
        return item_of(Section.BLOOD_GROUP, [combined], value_text=_value_text(combined))
    abo, rh = _latest(observations, [ABO]), _latest(observations, [RH])
    if abo is None:
        return None
    parts = [ev for ev in (abo, rh) if ev is not None]
    text = " ".join(t for ev in parts if (t := _value_text(ev)))
    return item_of(Section.BLOOD_GROUP, parts, value_text=text or None)


def pregnancy(observations: list[Evidence], conditions: list[Item], today: dt.date) -> Item | None:
    """Pregnant when the last pregnancy status says so (less than 300 days ago, delivery not passed)."""
    due = _latest(observations, DELIVERY_DATE)
    due_date = parse_date(element(due.record.resource, "valueDateTime")) if due else None
    if due_date is not None and due_date < today - dt.timedelta(days=14):
        due_date = None
    status = _latest(observations, PREGNANCY_STATUS)
    if status is not None:
        said = {c.code for c in concept_codes(element(status.record.resource, "valueCodeableConcept"))}
        when = parse_date(status.record.date)
        recent = when is not None and (today - when).days <= PREGNANCY_DAYS
        if said & PREGNANT and (recent or due_date is not None):
            evidence = [status] + ([due] if due is not None and due_date is not None else [])
            until = due_date.isoformat() if due_date else None
            return item_of(
                Section.PREGNANCY, evidence, flags=("pregnant",), until=until, value_text=_value_text(status)
            )
        return None
    for item in conditions:
        if any(c.system == SNOMED and c.code in PREGNANCY_CONDITIONS for c in item.codes):
            return Item(
                Section.PREGNANCY,
                item.label,
                item.record_ids,
                date=item.date,
                source=item.source,
                codes=item.codes,
                flags=("pregnant",),
                resource=item.resource,
            )
    return None


def latest_values(observations: list[Evidence], codes: dict[str, str], section: Section) -> list[Item]:
    """The last value of each code, in the order of ``codes``."""
    items = []
    for code in codes:
        ev = _latest(observations, [code])
        if ev is not None:
            rec = ev.record
            items.append(item_of(section, [ev], value=rec.value, value_text=None if rec.value else _value_text(ev)))
    return items


def observation_items(evidence: Iterable[Evidence], conditions: list[Item], today: dt.date) -> list[Item]:
    """Blood group, pregnancy, key results, vital signs (each section possibly empty)."""
    observations = [ev for ev in evidence if ev.record.kind is Kind.OBSERVATION]
    found = [blood_group(observations), pregnancy(observations, conditions, today)]
    items = [item for item in found if item is not None]
    items += latest_values(observations, KEY_RESULTS, Section.RESULTS)
    items += latest_values(observations, VITAL_SIGNS, Section.VITAL_SIGNS)
    return items
