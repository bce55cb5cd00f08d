"""Read-side queries shared by the CLI, the web app and the services."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Connection, and_, func, select

from carnet.store import schema as s


@dataclass(frozen=True)
class PersonRow:
    id: int
    natural_key: str
    given: str | None
    family: str | None
    birth_date: str | None
    sex: str | None
    deceased: str | None
    relationship: str | None

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.given, self.family) if p) or self.natural_key


@dataclass(frozen=True)
class TimelineItem:
    id: int
    kind: str
    date: str | None
    end_date: str | None
    resource_type: str | None
    code_system: str | None
    code: str | None
    display: str | None
    status: str | None
    value_num: float | None
    value_unit: str | None
    value_text: str | None
    source: str | None
    file_name: str
    pointer: str


@dataclass(frozen=True)
class ImportRow:
    id: int
    file_name: str
    importer: str
    source: str | None
    imported_at: str
    read: int
    added: int
    duplicates: int
    rejected: int
    warnings: int


def persons(conn: Connection) -> list[PersonRow]:
    p = s.persons.c
    rows = conn.execute(
        select(p.id, p.natural_key, p.given, p.family, p.birth_date, p.sex, p.deceased, p.relationship).order_by(p.id)
    )
    return [PersonRow(**row._asdict()) for row in rows]


def person(conn: Connection, person_id: int) -> PersonRow | None:
    return next((p for p in persons(conn) if p.id == person_id), None)


def counts_by_kind(conn: Connection, person_id: int | None = None) -> dict[str, int]:
    r = s.records.c
    q = select(r.kind, func.count()).where(r.current.is_(True)).group_by(r.kind).order_by(r.kind)
    if person_id is not None:
        q = q.where(r.person_id == person_id)
    return {str(k): int(n) for k, n in conn.execute(q)}


def counts_by_person(conn: Connection) -> dict[int, int]:
    r = s.records.c
    q = select(r.person_id, func.count()).where(r.current.is_(True), r.person_id.is_not(None)).group_by(r.person_id)
    return {int(k): int(n) for k, n in conn.execute(q)}


def last_imports(conn: Connection, limit: int = 20) -> list[ImportRow]:
    i = s.imports.c
    q = (
        select(
            i.id,
            i.file_name,
            i.importer,
            s.sources.c.name.label("source"),
            i.imported_at,
            i.read,
            i.added,
            i.duplicates,
            i.rejected,
            i.warnings,
        )
        .select_from(s.imports.outerjoin(s.sources, s.sources.c.id == i.source_id))
        .order_by(i.id.desc())
        .limit(limit)
    )
    return [ImportRow(**row._asdict()) for row in conn.execute(q)]


def timeline(
    conn: Connection,
    person_id: int,
    kinds: list[str] | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int | None = 500,
    offset: int = 0,
) -> list[TimelineItem]:
    """Current records of a person, newest first, each with its source."""
    r = s.records.c
    conds = [r.person_id == person_id, r.current.is_(True)]
    if kinds:
        conds.append(r.kind.in_(kinds))
    if since:
        conds.append(r.date >= since)
    if until:
        conds.append(r.date < until + "\uffff")
    q = (
        select(
            r.id,
            r.kind,
            r.date,
            r.end_date,
            r.resource_type,
            r.code_system,
            r.code,
            r.display,
            r.status,
            r.value_num,
            r.value_unit,
            r.value_text,
            s.sources.c.name.label("source"),
            s.imports.c.file_name,
            r.pointer,
        )
        .select_from(
            s.records.join(s.imports, s.imports.c.id == r.import_id).outerjoin(
                s.sources, s.sources.c.id == s.imports.c.source_id
            )
        )
        .where(and_(*conds))
        .order_by(r.date.desc().nulls_last(), r.id.desc())
        .offset(offset)
    )
    if limit is not None:
        q = q.limit(limit)
    return [TimelineItem(**row._asdict()) for row in conn.execute(q)]


def record_resource(conn: Connection, record_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(s.records.c.resource).where(s.records.c.id == record_id)).first()
    if row is None or row[0] is None:
        return None
    value: dict[str, Any] = orjson.loads(row[0])
    return value


def code_point_order(conn: Connection, *columns: ColumnElement[Any]) -> list[ColumnElement[Any]]:
    """Sort keys by code point on every backend (PostgreSQL would use the database locale)."""
    if conn.dialect.name == "postgresql":
        return [col.collate("C") for col in columns]
    return list(columns)


def current_resources(conn: Connection) -> Iterator[tuple[str, str, str]]:
    """(resource type, natural key, canonical JSON) of every current record, in a stable order.

    The order is by code point on every backend: PostgreSQL would otherwise sort
    by the database's locale (``fr-FR``: ``a`` before ``B``), SQLite by bytes.
    """
    r = s.records.c
    order = code_point_order(conn, r.resource_type, r.natural_key)
    q = (
        select(r.resource_type, r.natural_key, r.resource)
        .where(r.current.is_(True), r.resource.is_not(None))
        .order_by(*order)
    )
    for rtype, key, resource in conn.execution_options(yield_per=2000).execute(q):
        yield str(rtype), str(key), str(resource)
