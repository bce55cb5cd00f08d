"""Emergency: what a first responder needs to know, derived from the vault (scenario 2).

Pure functions (see ``docs/emergency.md``)::

    build_profile(person, evidence, entered, overrides, today) -> Profile
    ips_bundle(profile, generated_at, lang="fr") -> dict   # FHIR R4 IPS document
    essentials(profile, lang) -> str                         # the card's clear-text QR

The store side (loading the records, saving overrides and entered data) is in
:mod:`carnet.emergency`.
"""

from carnet.services.emergency.essentials import essentials
from carnet.services.emergency.ips import ips_bundle
from carnet.services.emergency.medications import DEFAULT_WINDOW_DAYS, GRACE_DAYS
from carnet.services.emergency.model import (
    Contact,
    Entered,
    Evidence,
    Item,
    OrganDonation,
    Override,
    Profile,
    Section,
    State,
)
from carnet.services.emergency.observations import OBSERVATION_CODES
from carnet.services.emergency.profile import build_profile

__all__ = [
    "DEFAULT_WINDOW_DAYS",
    "GRACE_DAYS",
    "OBSERVATION_CODES",
    "Contact",
    "Entered",
    "Evidence",
    "Item",
    "OrganDonation",
    "Override",
    "Profile",
    "Section",
    "State",
    "build_profile",
    "essentials",
    "ips_bundle",
]
