"""The essentials in clear text: what the printed card shows and what its QR code holds.

A first responder reads the card in ten seconds, with no network: name and
birth date, blood group, allergies (high risk first), pregnancy, conditions,
current medications, devices, people to call, directives. The QR text is the
same, cut to :data:`QR_MAX_CHARS` so that any phone camera reads it.
"""

from __future__ import annotations

from dataclasses import dataclass

from carnet.services.emergency.model import Contact, Item, OrganDonation, Profile, Section
from carnet.services.emergency.wording import words

QR_MAX_CHARS = 550


@dataclass(frozen=True)
class CardContent:
    """The card's lines, already worded in one language; empty lists are left out by the views."""

    lang: str
    title: str
    name: str
    born: str | None
    blood_group: str | None
    allergies: list[str]
    conditions: list[str]
    medications: list[str]
    pregnancy: str | None
    devices: list[str]
    contacts: list[str]
    trusted_person: str | None
    doctor: str | None
    directives: str | None
    organ_donation: str | None
    notes: str | None
    made_on: str


def contact_line(contact: Contact) -> str:
    relation = f" ({contact.relation})" if contact.relation else ""
    phone = f" {contact.phone}" if contact.phone else ""
    return f"{contact.name}{relation}{phone}"


def _allergy(item: Item, w: dict[str, str]) -> str:
    if "none-known" in item.flags:
        return w["none_known"]
    parts = [item.label]
    if item.detail:
        parts.append(f"({item.detail})")
    if "high-criticality" in item.flags:
        parts.append(f"— {w['high_criticality']}")
    return " ".join(parts)


def _condition(item: Item, w: dict[str, str]) -> str:
    return f"{item.label} ({w['ald']})" if "ald" in item.flags else item.label


def _medication(item: Item) -> str:
    return f"{item.label} — {item.detail}" if item.detail else item.label


def _pregnancy(item: Item | None, w: dict[str, str]) -> str | None:
    if item is None:
        return None
    return w["pregnant"] + (f", {w['due']} {item.until}" if item.until else "")


def card_content(profile: Profile, lang: str) -> CardContent:
    w = words(lang)
    entered = profile.entered
    blood = profile.first(Section.BLOOD_GROUP)
    pregnant = profile.first(Section.PREGNANCY)
    directives = " — ".join(t for t in (entered.directives, entered.directives_location) if t) or None
    organ = None
    if entered.organ_donation is not OrganDonation.UNSPECIFIED:
        organ = w["organ_yes"] if entered.organ_donation is OrganDonation.ACCEPTS else w["organ_no"]
    return CardContent(
        lang=lang,
        title=w["card"],
        name=profile.person.display_name,
        born=profile.person.birth_date[:10] if profile.person.birth_date else None,
        blood_group=(blood.value_text or blood.label) if blood else None,
        allergies=[_allergy(i, w) for i in profile.section(Section.ALLERGIES)],
        conditions=[_condition(i, w) for i in profile.section(Section.CONDITIONS)],
        medications=[_medication(i) for i in profile.section(Section.MEDICATIONS)],
        pregnancy=_pregnancy(pregnant, w),
        devices=[i.label for i in profile.section(Section.DEVICES)],
        contacts=[contact_line(c) for c in entered.contacts],
        trusted_person=contact_line(entered.trusted_person) if entered.trusted_person else None,
        doctor=contact_line(entered.doctor) if entered.doctor else None,
        directives=directives,
        organ_donation=organ,
        notes=entered.notes,
        made_on=profile.today.isoformat(),
    )


def essentials(profile: Profile, lang: str) -> str:
    """The card as plain text lines (the QR code's content), at most :data:`QR_MAX_CHARS` characters."""
    w = words(lang)
    card = card_content(profile, lang)
    lines = [f"{w['emergency']} — {card.name}" + (f", {w['born']} {card.born}" if card.born else "")]
    if card.blood_group:
        lines.append(f"{w['blood_group']}{w['colon']} {card.blood_group}")
    lines.append(f"{w['allergies']}{w['colon']} " + ("; ".join(card.allergies) or w["not_recorded"]))
    if card.pregnancy:
        lines.append(f"{w['pregnancy']}{w['colon']} {card.pregnancy}")
    for key, values in (
        ("conditions", card.conditions),
        ("medications", card.medications),
        ("devices", card.devices),
        ("contacts", card.contacts),
    ):
        if values:
            lines.append(f"{w[key]}{w['colon']} " + "; ".join(values))
    for key, value in (
        ("trusted_person", card.trusted_person),
        ("doctor", card.doctor),
        ("directives", card.directives),
        ("organ_donation", card.organ_donation),
        ("alerts", card.notes),
    ):
        if value:
            lines.append(f"{w[key]}{w['colon']} {value}")
    lines.append(f"{w['made_on']} {card.made_on}")
    text = "\n".join(lines)
    return text if len(text) <= QR_MAX_CHARS else text[: QR_MAX_CHARS - 1] + "…"
