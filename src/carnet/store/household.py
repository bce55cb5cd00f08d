"""Household edits: how each person relates to the vault's owner."""

from __future__ import annotations

from sqlalchemy import update

from carnet.errors import CarnetError
from carnet.store import schema as s
from carnet.store.vault import Vault

RELATIONSHIPS = ("self", "spouse", "partner", "child", "parent", "sibling", "grandparent", "grandchild", "other")


def set_relationship(vault: Vault, person_id: int, relationship: str) -> None:
    if relationship not in RELATIONSHIPS:
        raise CarnetError(f"unknown relationship {relationship!r}; use one of: {', '.join(RELATIONSHIPS)}")
    with vault.writing() as conn:
        done = conn.execute(update(s.persons).where(s.persons.c.id == person_id).values(relationship=relationship))
        if done.rowcount == 0:
            raise CarnetError(f"no person with id {person_id} (see: carnet people)")
