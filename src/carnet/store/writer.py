"""Write one extracted file into the vault, in the caller's transaction.

Re-importing adds nothing: a record whose (natural key, content hash) is known
is a duplicate; the same natural key with new content becomes a new version
and the previous one stops being current.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection, func, select, text, update

from carnet.model import ClaimLine, Extracted, Money, Person, Problem, Record, Severity
from carnet.sources.base import InputFile
from carnet.store import schema as s
from carnet.store.canonical import digest, dumps
from carnet.store.vault import utcnow

CHUNK = 1 << 20
#: Resources built from a summary (e.g. a CSV statement) carry this tag; a summary
#: never supersedes the detailed version of the same record.
SUMMARY_MARK = '"code":"from-statement"'
BATCH = 2000


@dataclass
class WriteCounts:
    """``read = added + duplicates + rejected`` holds for every file."""

    read: int = 0
    added: int = 0
    duplicates: int = 0
    rejected: int = 0
    warnings: int = 0
    persons_added: int = 0
    problems: list[Problem] = field(default_factory=list)


def archive_file(conn: Connection, file: InputFile) -> None:
    """Keep the original bytes, content-addressed; a known hash is kept once."""
    if conn.execute(select(s.archive.c.sha256).where(s.archive.c.sha256 == file.sha256)).first():
        return
    conn.execute(s.archive.insert(), [{"sha256": file.sha256, "size": len(file.data), "created_at": utcnow()}])
    # One chunk at a time: a list of them would copy a large file whole once more.
    for i, off in enumerate(range(0, len(file.data), CHUNK)):
        chunk = {"sha256": file.sha256, "seq": i, "data": file.data[off : off + CHUNK]}
        conn.execute(s.archive_chunks.insert(), [chunk])


def already_imported(conn: Connection, sha256: str) -> bool:
    return conn.execute(select(s.imports.c.id).where(s.imports.c.file_sha256 == sha256).limit(1)).first() is not None


def _source_id(conn: Connection, name: str | None) -> int | None:
    if not name:
        return None
    row = conn.execute(select(s.sources.c.id).where(s.sources.c.name == name)).first()
    if row:
        return int(row[0])
    return int(conn.execute(s.sources.insert().values(name=name).returning(s.sources.c.id)).scalar_one())


class _Persons:
    """Ids of the vault's persons by natural key; the file's persons are added as they appear.

    ``found`` is the importer's list: with lazily read records it keeps growing
    while they are read (a contained Patient, a Bundle line of an NDJSON file),
    so a key not known yet is looked for among the persons found since.
    """

    def __init__(self, conn: Connection, found: list[Person], counts: WriteCounts) -> None:
        self.conn = conn
        self.found = found
        self.counts = counts
        self.stored = 0  # persons of ``found`` already stored
        self.known = {str(k): int(i) for k, i in conn.execute(select(s.persons.c.natural_key, s.persons.c.id))}
        self.add_new()

    def add_new(self) -> None:
        """Store the persons found since the last call (the first one ever is "self")."""
        while self.stored < len(self.found):
            person = self.found[self.stored]
            self.stored += 1
            if person.natural_key in self.known:
                continue
            row = {
                "natural_key": person.natural_key,
                "given": person.given,
                "family": person.family,
                "birth_date": person.birth_date,
                "sex": person.sex,
                "deceased": person.deceased,
                "relationship": None if self.known else "self",
                "created_at": utcnow(),
            }
            self.known[person.natural_key] = int(
                self.conn.execute(s.persons.insert().values(**row).returning(s.persons.c.id)).scalar_one()
            )
            self.counts.persons_added += 1

    def id_of(self, key: str) -> int | None:
        found = self.known.get(key)
        if found is None and self.stored < len(self.found):
            self.add_new()
            found = self.known.get(key)
        return found


def _cents(m: Money | None) -> int | None:
    return None if m is None else m.cents


def _line_row(line: ClaimLine, record_id: int, person_id: int | None) -> dict[str, Any]:
    return {
        "record_id": record_id,
        "person_id": person_id,
        "line_no": line.line_no,
        "date": line.date,
        "category": line.category,
        "provider": line.provider,
        "act_system": line.act.system if line.act else None,
        "act_code": line.act.code if line.act else None,
        "act_display": line.act.display if line.act else None,
        "quantity": None if line.quantity is None else str(line.quantity),
        "currency": line.currency,
        "charged": _cents(line.charged),
        "base": _cents(line.base),
        "paid_primary": _cents(line.paid_primary),
        "paid_complementary": _cents(line.paid_complementary),
        "fixed_charges": _cents(line.fixed_charges),
        "overbilling": _cents(line.overbilling),
        "patient_share": _cents(line.patient_share),
        "primary_payer": line.primary_payer,
        "complementary_payer": line.complementary_payer,
        "explanation": None if line.explanation is None else dumps(line.explanation).decode(),
    }


def _record_row(rec: Record, person_id: int | None, import_id: int) -> dict[str, Any]:
    resource = dumps(rec.resource).decode() if rec.resource is not None else None
    basis = resource if resource is not None else dumps(_fields(rec)).decode()
    return {
        "person_id": person_id,
        "kind": rec.kind.value,
        "natural_key": rec.natural_key,
        "version": 1,
        "content_hash": digest(basis.encode()),
        "current": True,
        "resource_type": rec.resource_type,
        "date": rec.date,
        "end_date": rec.end,
        "code_system": rec.code.system if rec.code else None,
        "code": rec.code.code if rec.code else None,
        "display": (rec.code.display if rec.code else None) or rec.text,
        "status": rec.status,
        "value_num": float(rec.value.value) if rec.value else None,
        "value_unit": (rec.value.unit_code or rec.value.unit) if rec.value else None,
        "value_text": rec.value_text,
        "reference_range": rec.reference_range,
        "details": dumps(dict(rec.details)).decode() if rec.details else None,
        "resource": resource,
        "import_id": import_id,
        "file_sha256": rec.provenance.file_sha256,
        "pointer": rec.provenance.pointer,
    }


def _fields(rec: Record) -> Mapping[str, Any]:
    """Content of a record without a FHIR resource, for its hash."""
    return orjson.loads(orjson.dumps(rec, default=str))  # type: ignore[no-any-return]


def allocate_ids(conn: Connection, count: int) -> list[int]:
    """Ids for ``count`` new records, taken inside the write transaction.

    SQLite: the writer holds the write lock, so max(id)+1… is ours. PostgreSQL:
    values drawn from the column's own sequence.
    """
    if count == 0:
        return []
    if conn.dialect.name == "postgresql":
        sql = "SELECT nextval(pg_get_serial_sequence('records', 'id')) FROM generate_series(1, :n)"
        return [int(v) for v in conn.execute(text(sql), {"n": count}).scalars()]
    top = conn.execute(select(func.coalesce(func.max(s.records.c.id), 0))).scalar_one()
    return list(range(int(top) + 1, int(top) + 1 + count))


class _Batch:
    """Records waiting to be written, with duplicate and version checks per batch."""

    def __init__(self, conn: Connection, import_id: int, counts: WriteCounts) -> None:
        self.conn = conn
        self.import_id = import_id
        self.counts = counts
        self.pending: list[tuple[dict[str, Any], Record]] = []

    def add(self, row: dict[str, Any], rec: Record) -> None:
        self.pending.append((row, rec))
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        keys = list({row["natural_key"] for row, _ in self.pending})
        existing: dict[str, tuple[set[str], int]] = {}
        detailed: set[str] = set()  # keys whose current version is not a summary
        r = s.records.c
        for key, chash, version, current, summary in self.conn.execute(
            select(r.natural_key, r.content_hash, r.version, r.current, r.resource.contains(SUMMARY_MARK)).where(
                r.natural_key.in_(keys)
            )
        ):
            hashes, top = existing.get(key, (set(), 0))
            hashes.add(chash)
            existing[key] = (hashes, max(top, version))
            if current and not summary:
                detailed.add(key)
        fresh: list[tuple[dict[str, Any], Record]] = []
        superseded: list[str] = []
        for row, rec in self.pending:
            hashes, top = existing.get(row["natural_key"], (set(), 0))
            summary = row["resource"] is not None and SUMMARY_MARK in row["resource"]
            if row["content_hash"] in hashes or (summary and row["natural_key"] in detailed):
                # the same fact again — or a summary of a fact the vault already has in full
                self.counts.duplicates += 1
                continue
            if top:
                row["version"] = top + 1
                superseded.append(row["natural_key"])
            hashes.add(row["content_hash"])
            existing[row["natural_key"]] = (hashes, row["version"])
            fresh.append((row, rec))
        self.pending = []
        if superseded:
            self.conn.execute(update(s.records).where(s.records.c.natural_key.in_(superseded)).values(current=False))
        self._insert(fresh)

    def _insert(self, fresh: list[tuple[dict[str, Any], Record]]) -> None:
        if not fresh:
            return
        # Rows of one natural key in this batch: only the last one stays current.
        last: dict[str, int] = {row["natural_key"]: i for i, (row, _) in enumerate(fresh)}
        for i, (row, _) in enumerate(fresh):
            row["current"] = last[row["natural_key"]] == i
        plain = [row for row, rec in fresh if not rec.claim_lines]
        if plain:
            self.conn.execute(s.records.insert(), plain)
        claims = [(row, rec) for row, rec in fresh if rec.claim_lines]
        lines: list[dict[str, Any]] = []
        for rid, (row, rec) in zip(allocate_ids(self.conn, len(claims)), claims, strict=True):
            row["id"] = rid
            lines.extend(_line_row(line, rid, row["person_id"]) for line in rec.claim_lines)
        if claims:
            self.conn.execute(s.records.insert(), [row for row, _ in claims])
        if lines:
            self.conn.execute(s.claim_lines.insert(), lines)
        self.counts.added += len(fresh)


def write_extracted(conn: Connection, file: InputFile, importer: str, extracted: Extracted) -> WriteCounts:
    """Store one file: archive, import row, persons, records, problems."""
    counts = WriteCounts()
    archive_file(conn, file)
    import_id = int(
        conn.execute(
            s.imports.insert()
            .values(
                file_name=file.name,
                file_sha256=file.sha256,
                importer=importer,
                source_id=_source_id(conn, extracted.source_name),
                imported_at=utcnow(),
                read=0,
                added=0,
                duplicates=0,
                rejected=0,
                warnings=0,
            )
            .returning(s.imports.c.id)
        ).scalar_one()
    )
    persons = _Persons(conn, extracted.persons, counts)
    batch = _Batch(conn, import_id, counts)
    iterated = 0
    # ``records`` may be lazy: reading it may raise RejectedFile, which the
    # caller's savepoint turns into "nothing of this file".
    for rec in extracted.records:
        iterated += 1
        person_id: int | None = None
        if rec.person_key is not None:
            found = persons.id_of(rec.person_key)
            if found is None:
                extracted.problems.append(
                    Problem(file.name, rec.provenance.pointer, f"unresolved reference {rec.person_key}")
                )
                continue
            person_id = found
        batch.add(_record_row(rec, person_id, import_id), rec)
    batch.flush()
    persons.add_new()
    # Problems and ``read`` are complete only now that the records were read to the end.
    counts.problems = list(extracted.problems)
    counts.rejected = sum(1 for p in counts.problems if p.severity is Severity.REJECTED)
    unresolved = sum(1 for p in counts.problems if p.reason.startswith("unresolved reference"))
    # Items the importer rejected never reached us as records.
    counts.read = extracted.read or iterated + counts.rejected - unresolved
    counts.warnings = sum(1 for p in counts.problems if p.severity is Severity.WARNING)
    if counts.problems:
        conn.execute(
            s.problems.insert(),
            [
                {
                    "import_id": import_id,
                    "file": p.file,
                    "position": p.position,
                    "reason": p.reason,
                    "severity": p.severity.value,
                }
                for p in counts.problems
            ],
        )
    conn.execute(
        update(s.imports)
        .where(s.imports.c.id == import_id)
        .values(
            read=counts.read,
            added=counts.added,
            duplicates=counts.duplicates,
            rejected=counts.rejected,
            warnings=counts.warnings,
        )
    )
    return counts
