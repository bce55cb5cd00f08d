"""The emergency scenario at the edges: the store glue, the card, SMART Health Links.

- :mod:`carnet.emergency.records` — a person's records as evidence, overrides;
- :mod:`carnet.emergency.entered` — what the person entered (contacts, directives…);
- :mod:`carnet.emergency.card` — the printable card (PDF) and its QR code;
- :mod:`carnet.emergency.shl` and :mod:`carnet.emergency.links` — SMART Health Links.

The profile itself is computed by the pure service :mod:`carnet.services.emergency`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from carnet.emergency.entered import load_entered
from carnet.emergency.records import evidence, overrides, person_of
from carnet.errors import CarnetError
from carnet.services.emergency import Item, Profile, build_profile
from carnet.store import Vault, reader


def load_profile(vault: Vault, person_id: int, today: dt.date) -> Profile:
    """The emergency profile of a person as of ``today``; a clear error for an unknown person."""
    with vault.reading() as conn:
        row = reader.person(conn, person_id)
        if row is None:
            raise CarnetError(f"no person with id {person_id} (see: carnet people)")
        return build_profile(
            person_of(row), evidence(conn, person_id), load_entered(conn, person_id), overrides(conn, person_id), today
        )


def profile_json(profile: Profile) -> dict[str, Any]:
    """The profile as plain JSON (``carnet emergency show --json``), without the source resources."""

    def item(i: Item) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(i).items() if k != "resource"}

    return {
        "person": {"name": profile.person.display_name, "birth_date": profile.person.birth_date},
        "today": profile.today.isoformat(),
        "items": [item(i) for i in profile.items],
        "hidden": [item(i) for i in profile.hidden],
        "entered": dataclasses.asdict(profile.entered),
    }
