"""Store side of the emergency profile: a person's records as evidence, and their overrides.

Only the kinds the profile reads are loaded, and among observations only the
LOINC codes it reads (a Synthea patient has thousands of observations).
Overrides are kept per record id but found again by natural key, so that a
newer version of a record (re-imported with changes) keeps what the person said.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import Connection, and_, delete, or_, select

from carnet.errors import CarnetError
from carnet.model import Code, Kind, Person, Provenance, Quantity, Record
from carnet.services.emergency import OBSERVATION_CODES, Evidence, Override, State
from carnet.store import schema as s
from carnet.store.reader import PersonRow
from carnet.store.vault import utcnow

KINDS = (
    Kind.CONDITION,
    Kind.ALLERGY,
    Kind.MEDICATION_DISPENSE,
    Kind.MEDICATION_REQUEST,
    Kind.MEDICATION_STATEMENT,
    Kind.IMMUNIZATION,
    Kind.DEVICE,
)


def person_of(row: PersonRow) -> Person:
    return Person(row.natural_key, row.given, row.family, row.birth_date, row.sex, row.deceased)


def _record(row: Any) -> Record:
    value = None
    if row.value_num is not None:
        value = Quantity(Decimal(str(row.value_num)), row.value_unit, row.value_unit)
    return Record(
        kind=Kind(row.kind),
        natural_key=row.natural_key,
        person_key=None,
        provenance=Provenance(row.importer, row.file_sha256, row.pointer),
        resource_type=row.resource_type,
        date=row.date,
        end=row.end_date,
        code=Code(row.code_system, row.code, row.display) if row.code or row.display else None,
        status=row.status,
        text=row.display,
        value=value,
        value_text=row.value_text,
        reference_range=row.reference_range,
        details=orjson.loads(row.details) if row.details else {},
        resource=orjson.loads(row.resource) if row.resource else None,
    )


def evidence(conn: Connection, person_id: int) -> list[Evidence]:
    """The person's current records the profile reads, each with its source's name."""
    r, i = s.records.c, s.imports.c
    wanted = or_(
        r.kind.in_([k.value for k in KINDS]),
        and_(r.kind == Kind.OBSERVATION.value, r.code.in_(sorted(OBSERVATION_CODES))),
    )
    q = (
        select(s.records, i.importer, i.file_name, s.sources.c.name.label("source_name"))
        .select_from(s.records.join(s.imports, i.id == r.import_id).outerjoin(s.sources, s.sources.c.id == i.source_id))
        .where(r.person_id == person_id, r.current.is_(True), wanted)
        .order_by(r.id)
    )
    return [Evidence(row.id, _record(row), row.source_name or row.file_name) for row in conn.execute(q)]


def overrides(conn: Connection, person_id: int) -> dict[int, Override]:
    """Overrides of the person's records, keyed by the id of the current version of each record."""
    o, r = s.record_overrides.c, s.records.c
    said = (
        select(r.natural_key, o.state, o.correction, o.updated_at)
        .select_from(s.record_overrides.join(s.records, r.id == o.record_id))
        .where(r.person_id == person_id)
    )
    by_key: dict[str, Override] = {}
    for key, state, correction, updated_at in conn.execute(said):
        fields = orjson.loads(correction) if correction else {}
        found = Override(State(state), fields.get("label"), fields.get("detail"), updated_at)
        if key not in by_key or (by_key[key].updated_at or "") < (updated_at or ""):
            by_key[key] = found
    if not by_key:
        return {}
    current = select(r.id, r.natural_key).where(
        r.person_id == person_id, r.current.is_(True), r.natural_key.in_(list(by_key))
    )
    return {int(rid): by_key[key] for rid, key in conn.execute(current)}


def record_person(conn: Connection, record_id: int) -> tuple[int, str]:
    """(person id, natural key) of a record; a clear error for an unknown record."""
    r = s.records.c
    row = conn.execute(select(r.person_id, r.natural_key).where(r.id == record_id)).first()
    if row is None or row[0] is None:
        raise CarnetError(f"no record with id {record_id} about a person (see: carnet emergency show PERSON)")
    return int(row[0]), str(row[1])


def set_override(
    conn: Connection, record_id: int, state: State | None, label: str | None = None, detail: str | None = None
) -> None:
    """Confirm, correct or hide a record (``state=None`` forgets what was said); call in ``vault.writing()``."""
    _, key = record_person(conn, record_id)
    versions = select(s.records.c.id).where(s.records.c.natural_key == key).scalar_subquery()
    conn.execute(delete(s.record_overrides).where(s.record_overrides.c.record_id.in_(versions)))
    if state is None:
        return
    if state is State.CORRECTED and not (label or detail):
        raise CarnetError("a correction needs a new label or detail")
    fields = {k: v.strip() for k, v in (("label", label), ("detail", detail)) if v and v.strip()}
    conn.execute(
        s.record_overrides.insert().values(
            record_id=record_id,
            state=state.value,
            correction=orjson.dumps(fields).decode() if fields else None,
            updated_at=utcnow(),
        )
    )


def today() -> dt.date:
    """The local date, read here at the edge (the services get it as an argument)."""
    return dt.date.today()
