"""What the person entered for emergencies, kept in the settings (area ``emergency``, scope person).

Keys: ``contacts`` (list of {name, phone, relation}), ``trusted_person`` and
``doctor`` (one such object), ``directives``, ``directives_location``,
``organ_donation`` (``yes``, ``no``, ``unspecified``) and ``notes`` (text).
A value set to None or an empty text is removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, func, select

from carnet.errors import CarnetError
from carnet.services.emergency import Contact, Entered, OrganDonation
from carnet.store import schema as s
from carnet.store.settings import area_settings, delete_setting, person_scope, set_setting

AREA = "emergency"
TEXTS = ("directives", "directives_location", "notes")
CONTACTS = ("trusted_person", "doctor")
MAX_TEXT = 2000
MAX_CONTACTS = 10
UNSET = object()


def _contact(value: Any) -> Contact | None:
    if not isinstance(value, Mapping) or not isinstance(value.get("name"), str) or not value["name"].strip():
        return None
    phone, relation = value.get("phone"), value.get("relation")
    return Contact(
        value["name"], phone if isinstance(phone, str) else None, relation if isinstance(relation, str) else None
    )


def load_entered(conn: Connection, person_id: int) -> Entered:
    scope = person_scope(person_id)
    values = area_settings(conn, scope, AREA)
    t = s.settings.c
    updated = conn.execute(select(func.max(t.updated_at)).where(t.scope == scope, t.area == AREA)).scalar()
    contacts = values.get("contacts")
    try:
        organ = OrganDonation(values.get("organ_donation", OrganDonation.UNSPECIFIED.value))
    except ValueError:
        organ = OrganDonation.UNSPECIFIED
    return Entered(
        contacts=tuple(c for v in (contacts if isinstance(contacts, list) else []) if (c := _contact(v))),
        trusted_person=_contact(values.get("trusted_person")),
        directives=_text(values.get("directives")),
        directives_location=_text(values.get("directives_location")),
        organ_donation=organ,
        doctor=_contact(values.get("doctor")),
        notes=_text(values.get("notes")),
        updated_at=updated,
    )


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def contact_json(contact: Contact | None) -> dict[str, str] | None:
    if contact is None:
        return None
    found = {"name": contact.name.strip()[:200]}
    for key, value in (("phone", contact.phone), ("relation", contact.relation)):
        if value and value.strip():
            found[key] = value.strip()[:200]
    return found if found["name"] else None


def parse_contact(text: str) -> Contact | None:
    """``"Name;phone;relation"`` (phone and relation optional) as a contact; empty text is None."""
    parts = [p.strip() for p in text.split(";")]
    if not parts[0]:
        if any(parts):
            raise CarnetError(f"a contact starts with a name: {text!r} (write NAME;PHONE;RELATION)")
        return None
    if len(parts) > 3:
        raise CarnetError(f"too many parts in {text!r} (write NAME;PHONE;RELATION)")
    parts += [""] * (3 - len(parts))
    return Contact(parts[0], parts[1] or None, parts[2] or None)


def save_entered(conn: Connection, person_id: int, **changes: Any) -> None:
    """Set the given fields (others are kept); call inside ``vault.writing()``.

    ``contacts`` is a sequence of :class:`Contact` (it replaces the list),
    ``trusted_person``/``doctor`` a :class:`Contact` or None, ``organ_donation``
    an :class:`OrganDonation`, the texts a string or None.
    """
    scope = person_scope(person_id)
    for key, value in changes.items():
        if key == "contacts":
            found = [c for contact in value if (c := contact_json(contact))]
            if len(found) > MAX_CONTACTS:
                raise CarnetError(f"at most {MAX_CONTACTS} emergency contacts")
            stored: Any = found or None
        elif key in CONTACTS:
            stored = contact_json(value)
        elif key == "organ_donation":
            stored = None if value is OrganDonation.UNSPECIFIED else OrganDonation(value).value
        elif key in TEXTS:
            stored = _text(value)
            if stored is not None and len(stored) > MAX_TEXT:
                raise CarnetError(f"{key}: at most {MAX_TEXT} characters")
        else:
            raise CarnetError(f"unknown emergency field {key!r}")
        if stored is None:
            delete_setting(conn, scope, AREA, key)
        else:
            set_setting(conn, scope, AREA, key, stored)
