"""What an emergency profile is made of: items with their evidence, and what the person entered.

Everything here is a frozen value. The profile is computed from the records
of one person (:class:`Evidence`), what the person entered (:class:`Entered`),
their overrides (:class:`Override`) and ``today``; see
:func:`carnet.services.emergency.build_profile`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from carnet.model import Code, Person, Quantity, Record


class Section(StrEnum):
    """Parts of the profile, in the order a first responder reads them."""

    ALLERGIES = "allergies"
    CONDITIONS = "conditions"
    MEDICATIONS = "medications"
    BLOOD_GROUP = "blood_group"
    PREGNANCY = "pregnancy"
    DEVICES = "devices"
    IMMUNIZATIONS = "immunizations"
    RESULTS = "results"
    VITAL_SIGNS = "vital_signs"


class State(StrEnum):
    """What the person said about an item (``record_overrides.state``)."""

    CONFIRMED = "confirmed"
    CORRECTED = "corrected"
    HIDDEN = "hidden"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One stored record of the person, with where it came from.

    ``record_id`` is the row id in the vault (the id overrides refer to);
    ``source`` a human name for its origin (the data holder, else the file).
    """

    record_id: int
    record: Record
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Override:
    """The person confirmed, corrected (``label``/``detail``) or hid an item."""

    state: State
    label: str | None = None
    detail: str | None = None
    updated_at: str | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """One line of the profile and the evidence behind it.

    - ``label`` what it is (a drug, an allergen, a disease), as the source named it
      or as the person corrected it; ``detail`` free text from the source
      (a reaction, a dosage) or the person;
    - ``date`` the date of the evidence (last dispensing, onset, measure), ISO;
    - ``until`` when it stops holding (the end of a drug supply, of an ALD);
    - ``flags`` short machine words the views translate: ``ald``,
      ``high-criticality``, ``intolerance``, ``dispensed``, ``prescribed``,
      ``statement``, ``pregnant``…;
    - ``value``/``value_text`` a measured or coded value (results, blood group);
    - ``record_ids`` every record merged into this item (an override on any of
      them applies); ``resource`` the original FHIR resource of the newest one.
    """

    section: Section
    label: str
    record_ids: tuple[int, ...]
    date: str | None = None
    until: str | None = None
    source: str | None = None
    detail: str | None = None
    codes: tuple[Code, ...] = ()
    flags: tuple[str, ...] = ()
    value: Quantity | None = None
    value_text: str | None = None
    state: State | None = None
    resource: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> int:
        """The record the views act on (confirm, correct, hide): the newest one."""
        return self.record_ids[0]

    @property
    def code(self) -> Code | None:
        return self.codes[0] if self.codes else None


@dataclass(frozen=True, slots=True)
class Contact:
    """Someone to call: a relative, the trusted person, the treating doctor."""

    name: str
    phone: str | None = None
    relation: str | None = None


class OrganDonation(StrEnum):
    """The person's position on organ donation (France: presumed consent, refusal registered)."""

    ACCEPTS = "yes"
    REFUSES = "no"
    UNSPECIFIED = "unspecified"


@dataclass(frozen=True, slots=True)
class Entered:
    """What only the person can say; kept in the vault's settings (area ``emergency``)."""

    contacts: tuple[Contact, ...] = ()
    trusted_person: Contact | None = None
    directives: str | None = None
    directives_location: str | None = None
    organ_donation: OrganDonation = OrganDonation.UNSPECIFIED
    doctor: Contact | None = None
    notes: str | None = None
    updated_at: str | None = None

    @property
    def empty(self) -> bool:
        return self == Entered(updated_at=self.updated_at)


@dataclass(frozen=True, slots=True)
class Profile:
    """A person's emergency profile as of ``today``: visible items, hidden ones, entered data."""

    person: Person
    today: dt.date
    items: tuple[Item, ...]
    hidden: tuple[Item, ...]
    entered: Entered

    def section(self, section: Section) -> list[Item]:
        return [item for item in self.items if item.section == section]

    def first(self, section: Section) -> Item | None:
        found = self.section(section)
        return found[0] if found else None
