"""Records turned into the rows the store writes, with no database at hand.

Everything here depends on the record alone (canonical JSON, content hash,
claim-line money in cents…), so it can be done ahead of the write transaction,
in another thread or process (:func:`prepare`); the writer then adds what only
the database knows (ids, person id, version, current, import id).

A :class:`Ready` record is plain tuples of ``str``/``int``/``float``/``None``:
cheap to pickle, and what the driver takes as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import orjson

from carnet.model import ClaimLine, Extracted, Money, Record
from carnet.sources.base import InputFile
from carnet.store import archive
from carnet.store.canonical import digest, dumps

#: The columns of ``records`` a :class:`Ready` record holds, in this order…
VALUE_COLUMNS = (
    "kind", "natural_key", "content_hash", "resource_type", "date", "end_date", "code_system", "code", "display",
    "status", "value_num", "value_unit", "value_text", "reference_range", "details", "resource", "file_sha256",
    "pointer",
)  # fmt: skip
#: …and those the writer adds after them.
RECORD_COLUMNS = (*VALUE_COLUMNS, "id", "person_id", "version", "current", "import_id")
NATURAL_KEY, CONTENT_HASH, RESOURCE, POINTER = 1, 2, 15, 17

#: The columns of ``claim_lines`` of a ready line, then the two the writer adds.
LINE_COLUMNS = (
    "line_no", "date", "category", "provider", "act_system", "act_code", "act_display", "quantity", "currency",
    "charged", "base", "paid_primary", "paid_complementary", "fixed_charges", "overbilling", "patient_share",
    "primary_payer", "complementary_payer", "explanation", "record_id", "person_id",
)  # fmt: skip


class Ready(NamedTuple):
    """One record as rows: ``values`` in :data:`VALUE_COLUMNS` order, its claim lines."""

    person_key: str | None
    values: tuple[Any, ...]
    lines: tuple[tuple[Any, ...], ...]


def _cents(m: Money | None) -> int | None:
    return None if m is None else m.cents


def _line(line: ClaimLine) -> tuple[Any, ...]:
    act = line.act
    return (
        line.line_no,
        line.date,
        line.category,
        line.provider,
        act.system if act else None,
        act.code if act else None,
        act.display if act else None,
        None if line.quantity is None else str(line.quantity),
        line.currency,
        _cents(line.charged),
        _cents(line.base),
        _cents(line.paid_primary),
        _cents(line.paid_complementary),
        _cents(line.fixed_charges),
        _cents(line.overbilling),
        _cents(line.patient_share),
        line.primary_payer,
        line.complementary_payer,
        None if line.explanation is None else dumps(line.explanation).decode(),
    )


def _fields(rec: Record) -> Mapping[str, Any]:
    """Content of a record without a FHIR resource, for its hash."""
    fields: dict[str, Any] = orjson.loads(orjson.dumps(rec, default=str))
    del fields["resource_json"]  # None here, and never part of the content
    return fields


def ready(rec: Record) -> Ready:
    """The rows of one record; its content hash is the SHA-256 of its canonical resource JSON."""
    resource = rec.resource_json
    if resource is None and rec.resource is not None:
        resource = dumps(rec.resource)
    content_hash = digest(resource if resource is not None else dumps(_fields(rec)))
    code, value = rec.code, rec.value
    values = (
        rec.kind.value,
        rec.natural_key,
        content_hash,
        rec.resource_type,
        rec.date,
        rec.end,
        code.system if code else None,
        code.code if code else None,
        (code.display if code else None) or rec.text,
        rec.status,
        float(value.value) if value else None,
        (value.unit_code or value.unit) if value else None,
        rec.value_text,
        rec.reference_range,
        dumps(dict(rec.details)).decode() if rec.details else None,
        None if resource is None else resource.decode(),
        rec.provenance.file_sha256,
        rec.provenance.pointer,
    )
    return Ready(rec.person_key, values, tuple(_line(line) for line in rec.claim_lines))


class FileRef(NamedTuple):
    """What the writer needs of a file whose bytes it does not hold (they were prepared elsewhere)."""

    name: str
    sha256: str


@dataclass
class Prepared:
    """The work on one file that needs no database, done ahead of its write.

    ``size`` and ``chunks``: the original's length and its compressed chunks
    for the archive; ``records``: its records as rows, in order — or None when
    the importer reads them lazily (they are then made as the writer reads them).
    """

    size: int
    chunks: list[bytes]
    records: list[Ready] | None = None


def prepare(file: InputFile, extracted: Extracted) -> Prepared:
    """Compress the original and, when the records are a list, make their rows."""
    records = extracted.records
    rows = [ready(rec) for rec in records] if isinstance(records, list) else None
    return Prepared(len(file.data), archive.compress(file.data), rows)
