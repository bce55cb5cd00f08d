"""The emergency pages of a person: profile, what they entered, their overrides, IPS and card.

- ``GET /emergency`` — the household, one line per person with the essentials;
- ``GET /people/{id}/emergency`` — the profile: every item with its source and
  date, to confirm, correct or hide; what the person entered; downloads;
- ``GET|POST /people/{id}/emergency/edit`` — contacts, trusted person,
  directives, organ donation, doctor, notes;
- ``POST /records/{id}/emergency`` — confirm, correct, hide or reset one item;
- ``GET /people/{id}/emergency/ips.json`` — the International Patient Summary;
- ``POST /people/{id}/emergency/card`` — the printable card (PDF).

Every form carries the CSRF token of :mod:`carnet.web.security`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from carnet.emergency import load_profile
from carnet.emergency.card import FORMATS, card_pdf
from carnet.emergency.entered import MAX_CONTACTS, parse_contact, save_entered
from carnet.emergency.records import record_person, set_override, today
from carnet.emergency.sharing import summary_json
from carnet.errors import CarnetError
from carnet.services.emergency import OrganDonation, Profile, Section, State, essentials
from carnet.services.emergency.essentials import card_content
from carnet.store import reader
from carnet.web.i18n import LANGUAGES, N_, language_of
from carnet.web.rendering import render_page
from carnet.web.security import CSRF_FIELD, check_csrf, check_origin, csrf_token, set_csrf_cookie
from carnet.web.state import web_state

router = APIRouter()

SECTIONS: dict[str, str] = {
    Section.ALLERGIES: N_("Allergies and intolerances"),
    Section.CONDITIONS: N_("Health problems"),
    Section.MEDICATIONS: N_("Current medications"),
    Section.BLOOD_GROUP: N_("Blood group"),
    Section.PREGNANCY: N_("Pregnancy"),
    Section.DEVICES: N_("Devices and implants"),
    Section.IMMUNIZATIONS: N_("Immunizations"),
    Section.RESULTS: N_("Recent key results"),
    Section.VITAL_SIGNS: N_("Vital signs"),
}
ALWAYS = (Section.ALLERGIES, Section.CONDITIONS, Section.MEDICATIONS)
FLAGS: dict[str, str] = {
    "ald": N_("Long-term condition (ALD)"),
    "high-criticality": N_("High risk"),
    "intolerance": N_("Intolerance"),
    "none-known": N_("No known allergy"),
    "dispensed": N_("Dispensed"),
    "prescribed": N_("Prescribed"),
    "statement": N_("Reported as taken"),
    "days-supply": N_("supply given by the pharmacy"),
    "boxes": N_("one month per box"),
    "default": N_("counted 90 days"),
    "pregnant": N_("Pregnant"),
}
STATES: dict[str, str] = {
    State.CONFIRMED: N_("Confirmed"),
    State.CORRECTED: N_("Corrected"),
    State.HIDDEN: N_("Hidden"),
}
ORGAN: dict[str, str] = {
    OrganDonation.ACCEPTS: N_("Accepts to donate organs"),
    OrganDonation.REFUSES: N_("Refuses to donate organs"),
    OrganDonation.UNSPECIFIED: N_("Not said"),
}


def page(request: Request, template: str, context: Mapping[str, Any], *, status_code: int = 200) -> HTMLResponse:
    """A page with forms: this browser's CSRF token in the context and its cookie."""
    state = web_state(request)
    token = csrf_token(request)
    full = {
        "csrf_field": CSRF_FIELD,
        "csrf_token": token,
        "sections": SECTIONS,
        "flags": FLAGS,
        "states": STATES,
        "organ": ORGAN,
    } | dict(context)
    response = render_page(request, template, full, status_code=status_code, section="emergency")
    set_csrf_cookie(response, token, secure=state.secure_cookies)
    return response


async def checked_form(request: Request) -> FormData:
    """The posted form, once its origin and CSRF token are checked (403 otherwise)."""
    check_origin(request, web_state(request).public_base_url)
    form = await request.form(max_files=0, max_fields=64)
    token = form.get(CSRF_FIELD)
    check_csrf(request, token if isinstance(token, str) else None)
    return form


def text_field(form: FormData, name: str, limit: int = 2000) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def profile_of(request: Request, person_id: int) -> Profile:
    try:
        return load_profile(web_state(request).vault, person_id, today())
    except CarnetError:
        raise HTTPException(404, "no such person") from None


@router.get("/emergency", response_class=HTMLResponse)
def emergency_index(request: Request) -> HTMLResponse:
    """Everyone of the household, with allergies, conditions and medications at a glance."""
    with web_state(request).vault.reading() as conn:
        people = reader.persons(conn)
    profiles = [(p, profile_of(request, p.id)) for p in people]
    return page(request, "emergency_index.html", {"profiles": profiles})


@router.get("/people/{person_id:int}/emergency", response_class=HTMLResponse)
def emergency_profile(request: Request, person_id: int) -> HTMLResponse:
    profile = profile_of(request, person_id)
    shown = [(s, profile.section(s)) for s in Section if s in ALWAYS or profile.section(s)]
    return page(
        request,
        "emergency.html",
        {"person_id": person_id, "profile": profile, "shown": shown, "languages": LANGUAGES, "formats": FORMATS},
    )


@router.get("/people/{person_id:int}/emergency/edit", response_class=HTMLResponse)
def emergency_edit(request: Request, person_id: int) -> HTMLResponse:
    profile = profile_of(request, person_id)
    known = list(profile.entered.contacts)
    contacts = (known + [None] * max(1, 3 - len(known)))[:MAX_CONTACTS]
    return page(request, "emergency_edit.html", {"person_id": person_id, "profile": profile, "contacts": contacts})


def _contact(form: FormData, prefix: str) -> str:
    parts = [text_field(form, f"{prefix}_{k}", 200).replace(";", ",") for k in ("name", "phone", "relation")]
    return ";".join(parts) if parts[0] else ""


@router.post("/people/{person_id:int}/emergency/edit")
async def emergency_save(request: Request, person_id: int) -> Response:
    form = await checked_form(request)
    profile_of(request, person_id)
    organ = text_field(form, "organ_donation")
    changes: dict[str, Any] = {
        "contacts": [c for i in range(MAX_CONTACTS) if (c := parse_contact(_contact(form, f"contact{i}")))],
        "trusted_person": parse_contact(_contact(form, "trusted")),
        "doctor": parse_contact(_contact(form, "doctor")),
        "directives": text_field(form, "directives"),
        "directives_location": text_field(form, "directives_location"),
        "notes": text_field(form, "notes"),
        "organ_donation": OrganDonation(organ) if organ in set(OrganDonation) else OrganDonation.UNSPECIFIED,
    }

    def save() -> None:
        with web_state(request).vault.writing() as conn:
            save_entered(conn, person_id, **changes)

    await run_in_threadpool(save)
    return RedirectResponse(f"/people/{person_id}/emergency", status_code=303)


@router.post("/records/{record_id:int}/emergency")
async def emergency_override(request: Request, record_id: int) -> Response:
    """Confirm, correct, hide or reset (``action``) one item of a profile."""
    form = await checked_form(request)
    action = text_field(form, "action")
    states = {"confirm": State.CONFIRMED, "correct": State.CORRECTED, "hide": State.HIDDEN, "reset": None}
    if action not in states:
        raise HTTPException(400, "unknown action")

    def save() -> int:
        with web_state(request).vault.writing() as conn:
            person_id, _ = record_person(conn, record_id)
            label, detail = text_field(form, "label", 200) or None, text_field(form, "detail", 500) or None
            set_override(conn, record_id, states[action], label, detail)
            return person_id

    try:
        person_id = await run_in_threadpool(save)
    except CarnetError:
        raise HTTPException(400, "cannot change this record") from None
    return RedirectResponse(f"/people/{person_id}/emergency#record-{record_id}", status_code=303)


def _lang(request: Request, value: str | None) -> str:
    return value if value in LANGUAGES else language_of(request)


@router.get("/people/{person_id:int}/emergency/ips.json")
def emergency_ips(request: Request, person_id: int, lang: str | None = None) -> Response:
    """The IPS as a file to save or hand to a doctor."""
    profile_of(request, person_id)
    data = summary_json(web_state(request).vault, person_id, dt.datetime.now(dt.UTC), _lang(request, lang))
    headers = {"Content-Disposition": f'attachment; filename="ips-{person_id}.json"'}
    return Response(data, media_type="application/fhir+json", headers=headers)


@router.post("/people/{person_id:int}/emergency/card")
async def emergency_card(request: Request, person_id: int) -> Response:
    """The card as a PDF, in the language and format chosen; its QR holds the essentials in clear text."""
    form = await checked_form(request)
    profile = profile_of(request, person_id)
    lang, fmt = _lang(request, text_field(form, "lang")), text_field(form, "format")
    if fmt not in FORMATS:
        raise HTTPException(400, "unknown format")
    pdf = await run_in_threadpool(card_pdf, card_content(profile, lang), essentials(profile, lang), fmt)
    headers = {"Content-Disposition": f'attachment; filename="carnet-{fmt}-{lang}-{person_id}.pdf"'}
    return Response(pdf, media_type="application/pdf", headers=headers)
