"""The International Patient Summary (HL7 IPS, FHIR R4) of an emergency profile.

A ``document`` Bundle: the Composition first (LOINC 60591-5, "Patient
summary Document"), then the Patient and every resource a section points to.
The problems (11450-4), allergies (48765-2) and medications (10160-0)
sections are always there, with an ``emptyReason`` when they have no entry;
immunizations (11369-6), results (30954-2), vital signs (8716-3), devices
(46264-8), pregnancy (10162-6), advance directives (42348-3) and alerts
(104605-1) are there when known. Ids are UUIDs derived from the person and
``generated_at``: the same profile at the same instant gives the same bundle.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from carnet.model import Code
from carnet.services.emergency import ips_resources as r
from carnet.services.emergency.model import Contact, Item, OrganDonation, Profile, Section
from carnet.services.emergency.wording import words

IPS = "http://hl7.org/fhir/uv/ips/StructureDefinition"
NAMESPACE = uuid.UUID("5b0c6a52-8f0e-4a57-9a55-0d6e7c1b2f43")
XHTML = "http://www.w3.org/1999/xhtml"
#: Carnet's code for the French "personne de confiance" (Code de la santé publique, L.1111-6)
CONTACT_ROLE = "https://carnet.example/fhir/CodeSystem/contact-role"
EMPTY_REASON = {"coding": [{"system": f"{r.HL7}/list-empty-reason", "code": "unavailable", "display": "Unavailable"}]}
#: (section key, LOINC code, LOINC display, always present)
SECTIONS = (
    ("conditions", "11450-4", "Problem list - Reported", True),
    ("allergies", "48765-2", "Allergies and adverse reactions Document", True),
    ("medications", "10160-0", "History of Medication use Narrative", True),
    ("immunizations", "11369-6", "History of Immunization note", False),
    ("results", "30954-2", "Relevant diagnostic tests/laboratory data note", False),
    ("vital_signs", "8716-3", "Vital signs note", False),
    ("devices", "46264-8", "History of medical device use", False),
    ("pregnancy", "10162-6", "History of pregnancies Narrative", False),
    ("directives", "42348-3", "Advance healthcare directives", False),
    ("alerts", "104605-1", "Alert", False),
)
Json = dict[str, Any]


@dataclass
class _Document:
    """Entries of the bundle being built, and which ones each section lists."""

    seed: str
    entries: list[Json] = field(default_factory=list)
    sections: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # key → (reference, narrative line)

    def add(self, resource: Json, section: str | None = None, line: str = "") -> str:
        rid = str(uuid.uuid5(NAMESPACE, f"{self.seed}/{len(self.entries)}"))
        url = f"urn:uuid:{rid}"
        self.entries.append(
            {
                "fullUrl": url,
                "resource": {"resourceType": resource["resourceType"], "id": rid}
                | {k: v for k, v in resource.items() if k != "resourceType"},
            }
        )
        if section is not None:
            self.sections.setdefault(section, []).append((url, line))
        return url


def _line(item: Item, w: dict[str, str]) -> str:
    parts = [item.label]
    if item.value is not None:
        parts.append(f"{item.value.value} {item.value.unit or item.value.unit_code or ''}".strip())
    elif item.value_text:
        parts.append(item.value_text)
    if item.detail:
        parts.append(item.detail)
    if "high-criticality" in item.flags:
        parts.append(w["high_criticality"])
    if item.date:
        parts.append(item.date[:10])
    if item.source:
        parts.append(f"{w['source']}{w['colon']} {item.source}")
    return " · ".join(parts)


def _narrative(lines: list[str], empty: str) -> Json:
    body = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    inner = f"<ul>{body}</ul>" if lines else f"<p>{html.escape(empty)}</p>"
    div = f'<div xmlns="{XHTML}">{inner}</div>'
    return {"status": "generated", "div": div}


def _contact(person: Contact, relation: Json) -> Json:
    found: Json = {"relationship": [relation], "name": {"text": person.name}}
    if person.phone:
        found["telecom"] = [{"system": "phone", "value": person.phone}]
    return found


def _patient(profile: Profile) -> Json:
    p, entered = profile.person, profile.entered
    name: Json = {"text": p.display_name}
    if p.family:
        name["family"] = p.family
    if p.given:
        name["given"] = [p.given]
    res: Json = {"resourceType": "Patient", "meta": {"profile": [f"{IPS}/Patient-uv-ips"]}, "name": [name]}
    if p.sex in ("male", "female", "other", "unknown"):
        res["gender"] = p.sex
    if p.birth_date:
        res["birthDate"] = p.birth_date[:10]
    contacts = [
        _contact(c, r.concept((Code(f"{r.HL7}/v2-0131", "C", "Emergency Contact"),), c.relation))
        for c in entered.contacts
    ]
    if entered.trusted_person:
        trusted = Code(CONTACT_ROLE, "trusted-person", "Personne de confiance")
        contacts.append(_contact(entered.trusted_person, r.concept((trusted,), entered.trusted_person.relation)))
    if contacts:
        res["contact"] = contacts
    return res


def _doctor(doctor: Contact) -> Json:
    res: Json = {"resourceType": "Practitioner", "name": [{"text": doctor.name}]}
    if doctor.phone:
        res["telecom"] = [{"system": "phone", "value": doctor.phone}]
    return res


def _item_resources(profile: Profile, doc: _Document, patient: str, asserted: str, w: dict[str, str]) -> None:
    simple: dict[Section, tuple[str, Callable[[Item, str], Json]]] = {
        Section.CONDITIONS: ("conditions", r.condition),
        Section.ALLERGIES: ("allergies", r.allergy),
        Section.IMMUNIZATIONS: ("immunizations", r.immunization),
        Section.RESULTS: ("results", r.observation),
        Section.BLOOD_GROUP: ("results", r.observation),
        Section.VITAL_SIGNS: ("vital_signs", r.observation),
    }
    for item in profile.items:
        line = _line(item, w)
        if item.section in simple:
            key, build = simple[item.section]
            doc.add(build(item, patient), key, line)
        elif item.section is Section.MEDICATIONS:
            doc.add(r.medication(item, patient, asserted), "medications", line)
        elif item.section is Section.PREGNANCY:
            for res in r.pregnancy(item, patient):
                doc.add(res, "pregnancy", f"{w['pregnant']} · {w['due']} {item.until}" if item.until else line)
        elif item.section is Section.DEVICES:
            device = doc.add(r.device(item, patient))
            doc.add(r.device_use(item, patient, device), "devices", line)


def _entered_resources(profile: Profile, doc: _Document, patient: str, generated_at: str, w: dict[str, str]) -> None:
    """Directives and organ donation as Consents (the document itself as a DocumentReference), notes as a Flag."""
    entered = profile.entered
    if entered.directives or entered.directives_location:
        document = doc.add(
            r.directive_document(
                patient, generated_at, entered.directives, entered.directives_location, w["directives"]
            )
        )
        line = " · ".join(t for t in (entered.directives, entered.directives_location) if t)
        consent = r.consent(patient, generated_at, w["directives"], r.DIRECTIVES_LAW, source=document)
        doc.add(consent, "directives", f"{w['directives']}{w['colon']} {line}")
    if entered.organ_donation is not OrganDonation.UNSPECIFIED:
        accepts = entered.organ_donation is OrganDonation.ACCEPTS
        text = f"{w['organ_donation']}{w['colon']} {w['organ_yes'] if accepts else w['organ_no']}"
        consent = r.consent(patient, generated_at, text, r.ORGAN_LAW, permit=accepts, action=w["organ_donation"])
        doc.add(consent, "directives", text)
    if entered.notes:
        flag = {
            "resourceType": "Flag",
            "status": "active",
            "code": {"text": entered.notes},
            "subject": {"reference": patient},
        }
        doc.add(flag, "alerts", entered.notes)


def ips_bundle(profile: Profile, generated_at: str, lang: str = "fr") -> Json:
    """The profile as an IPS document Bundle (FHIR R4 JSON); ``generated_at`` is an ISO instant with zone."""
    w = words(lang)
    doc = _Document(seed=f"{profile.person.natural_key}|{generated_at}")
    doc.add({"resourceType": "Composition"})  # first, as a document Bundle wants; filled in below
    patient = doc.add(_patient(profile))
    if profile.entered.doctor:
        doctor = doc.add(_doctor(profile.entered.doctor))
        doc.entries[1]["resource"]["generalPractitioner"] = [{"reference": doctor}]
    _item_resources(profile, doc, patient, generated_at[:10], w)
    _entered_resources(profile, doc, patient, generated_at, w)
    sections = []
    for key, code, display, always in SECTIONS:
        listed = doc.sections.get(key, [])
        if not listed and not always:
            continue
        section: Json = {
            "title": w[key],
            "code": {"coding": [{"system": r.LOINC, "code": code, "display": display}]},
            "text": _narrative([line for _, line in listed], w["none"]),
        }
        if listed:
            section["entry"] = [{"reference": url} for url, _ in listed]
        else:
            section["emptyReason"] = EMPTY_REASON
        sections.append(section)
    composition = doc.entries[0]["resource"]
    composition |= {
        "meta": {"profile": [f"{IPS}/Composition-uv-ips"]},
        "language": lang,
        "status": "final",
        "type": {"coding": [{"system": r.LOINC, "code": "60591-5", "display": "Patient summary Document"}]},
        "subject": {"reference": patient},
        "date": generated_at,
        "author": [{"reference": patient}],
        "title": f"{w['title']} — {profile.person.display_name}",
        "confidentiality": "N",
        "section": sections,
    }
    bundle_id = str(uuid.uuid5(NAMESPACE, f"{doc.seed}/bundle"))
    return {
        "resourceType": "Bundle",
        "id": bundle_id,
        "meta": {"profile": [f"{IPS}/Bundle-uv-ips"]},
        "language": lang,
        "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{bundle_id}"},
        "type": "document",
        "timestamp": generated_at,
        "entry": doc.entries,
    }
