"""Read queries the web app needs and ``carnet.store.reader`` does not offer yet.

``record_detail`` belongs in ``store/reader.py`` beside ``timeline``; it lives
here until the store's owner moves it (then this module goes away).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, select

from carnet.store import schema as s


@dataclass(frozen=True)
class RecordDetail:
    """Every normalised field of one record (current or not), with its source."""

    id: int
    person_id: int | None
    kind: str
    natural_key: str
    version: int
    current: bool
    resource_type: str | None
    date: str | None
    end_date: str | None
    code_system: str | None
    code: str | None
    display: str | None
    status: str | None
    value_num: float | None
    value_unit: str | None
    value_text: str | None
    reference_range: str | None
    details: str | None
    resource: str | None
    file_sha256: str
    pointer: str
    file_name: str
    importer: str
    imported_at: str
    source: str | None

    @property
    def details_json(self) -> dict[str, Any] | None:
        if not self.details:
            return None
        value: dict[str, Any] = orjson.loads(self.details)
        return value


def record_detail(conn: Connection, record_id: int) -> RecordDetail | None:
    r = s.records.c
    i = s.imports.c
    q = (
        select(
            r.id, r.person_id, r.kind, r.natural_key, r.version, r.current, r.resource_type, r.date,
            r.end_date, r.code_system, r.code, r.display, r.status, r.value_num, r.value_unit,
            r.value_text, r.reference_range, r.details, r.resource, r.file_sha256, r.pointer,
            i.file_name, i.importer, i.imported_at, s.sources.c.name.label("source"),
        )
        .select_from(
            s.records.join(s.imports, i.id == r.import_id).outerjoin(s.sources, s.sources.c.id == i.source_id)
        )
        .where(r.id == record_id)
    )  # fmt: skip
    row = conn.execute(q).first()
    return None if row is None else RecordDetail(**row._asdict())
