"""The emergency profile of one person: derive the items, then apply the person's overrides.

Pure: the records (as :class:`Evidence`), what the person entered, their
overrides and ``today`` come in; nothing is read from a clock, a file or the
environment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from carnet.model import Person
from carnet.services.emergency.clinical import allergies, conditions, devices, immunizations
from carnet.services.emergency.medications import medications
from carnet.services.emergency.model import Entered, Evidence, Item, Override, Profile, Section, State
from carnet.services.emergency.observations import observation_items

ORDER = {section: i for i, section in enumerate(Section)}


def derive_items(evidence: Sequence[Evidence], today: dt.date) -> list[Item]:
    """Every item the records support, by section, before any override."""
    found_conditions = conditions(evidence, today)
    items = [
        *allergies(evidence),
        *found_conditions,
        *medications(evidence, today),
        *observation_items(evidence, found_conditions, today),
        *devices(evidence),
        *immunizations(evidence),
    ]
    return sorted(items, key=lambda item: ORDER[item.section])


def override_for(item: Item, overrides: Mapping[int, Override]) -> Override | None:
    """The most recent override on any record of the item."""
    found = [overrides[rid] for rid in item.record_ids if rid in overrides]
    return max(found, key=lambda o: o.updated_at or "", default=None)


def apply_override(item: Item, override: Override | None) -> Item:
    if override is None:
        return item
    if override.state is State.CORRECTED:
        return replace(
            item,
            state=State.CORRECTED,
            label=override.label or item.label,
            detail=override.detail if override.detail is not None else item.detail,
        )
    return replace(item, state=override.state)


def split_hidden(items: Iterable[Item]) -> tuple[list[Item], list[Item]]:
    visible: list[Item] = []
    hidden: list[Item] = []
    for item in items:
        (hidden if item.state is State.HIDDEN else visible).append(item)
    return visible, hidden


def build_profile(
    person: Person,
    evidence: Sequence[Evidence],
    entered: Entered,
    overrides: Mapping[int, Override],
    today: dt.date,
) -> Profile:
    """The profile as of ``today``; hidden items are kept apart, so the person can show them again."""
    items = [apply_override(item, override_for(item, overrides)) for item in derive_items(evidence, today)]
    visible, hidden = split_hidden(items)
    return Profile(person=person, today=today, items=tuple(visible), hidden=tuple(hidden), entered=entered)
