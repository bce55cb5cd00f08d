"""Write one extracted file into the vault, in the caller's transaction.

Re-importing adds nothing: a record whose (natural key, content hash) is known
is a duplicate; the same natural key with new content becomes a new version
and the previous one stops being current.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, text, update

from carnet.model import Extracted, Person, Problem, Severity
from carnet.sources.base import InputFile
from carnet.store import archive, bulk
from carnet.store import schema as s
from carnet.store.rows import (
    CONTENT_HASH,
    LINE_COLUMNS,
    NATURAL_KEY,
    POINTER,
    RECORD_COLUMNS,
    RESOURCE,
    FileRef,
    Prepared,
    Ready,
    ready,
)
from carnet.store.vault import utcnow

#: Resources built from a summary (e.g. a CSV statement) carry this tag; a summary
#: never supersedes the detailed version of the same record.
SUMMARY_MARK = '"code":"from-statement"'
BATCH = 2000
#: The counts of an import row, written once the file is read.
_COUNTS = ("read", "added", "duplicates", "rejected", "warnings")
_PERSON_COLUMNS = ("natural_key", "given", "family", "birth_date", "sex", "deceased", "relationship", "created_at")


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
    """Keep the original bytes, compressed and content-addressed; a known hash is kept once."""
    if not archive.is_archived(conn, file.sha256):
        archive.store(conn, file.sha256, len(file.data), archive.compress(file.data), utcnow())


def already_imported(conn: Connection, sha256: str) -> bool:
    return bool(bulk.rows(conn, "SELECT 1 FROM imports WHERE file_sha256 = ? LIMIT 1", (sha256,)))


def _source_id(conn: Connection, name: str | None) -> int | None:
    if not name:
        return None
    found = bulk.rows(conn, "SELECT id FROM sources WHERE name = ?", (name,))
    if found:
        return int(found[0][0])
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
        self.known = {str(k): int(i) for k, i in bulk.rows(conn, "SELECT natural_key, id FROM persons")}
        self.add_new()

    def add_new(self) -> None:
        """Store the persons found since the last call (the first one ever is "self")."""
        while self.stored < len(self.found):
            person = self.found[self.stored]
            self.stored += 1
            if person.natural_key in self.known:
                continue
            row = (
                person.natural_key,
                person.given,
                person.family,
                person.birth_date,
                person.sex,
                person.deceased,
                None if self.known else "self",
                utcnow(),
            )
            self.known[person.natural_key] = bulk.insert_one(self.conn, s.persons, _PERSON_COLUMNS, row)
            self.counts.persons_added += 1

    def id_of(self, key: str) -> int | None:
        found = self.known.get(key)
        if found is None and self.stored < len(self.found):
            self.add_new()
            found = self.known.get(key)
        return found


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
    top = bulk.rows(conn, "SELECT coalesce(max(id), 0) FROM records")[0][0]
    return list(range(int(top) + 1, int(top) + 1 + count))


#: What the vault already has of some natural keys (whether the resource is a summary included).
_KNOWN = "SELECT natural_key, content_hash, version, current, resource LIKE ? FROM records WHERE natural_key IN ({})"


class _Batch:
    """Records waiting to be written, with duplicate and version checks per batch."""

    def __init__(self, conn: Connection, import_id: int, counts: WriteCounts) -> None:
        self.conn = conn
        self.import_id = import_id
        self.counts = counts
        self.pending: list[tuple[Ready, int | None]] = []

    def add(self, item: Ready, person_id: int | None) -> None:
        self.pending.append((item, person_id))
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        keys = list({item.values[NATURAL_KEY] for item, _ in self.pending})
        existing: dict[str, tuple[set[str], int]] = {}
        detailed: set[str] = set()  # keys whose current version is not a summary
        known = _KNOWN.format(", ".join("?" * len(keys)))
        for key, chash, version, current, summary in bulk.rows(self.conn, known, [f"%{SUMMARY_MARK}%", *keys]):
            hashes, top = existing.get(key, (set(), 0))
            hashes.add(chash)
            existing[key] = (hashes, max(top, version))
            if current and not summary:
                detailed.add(key)
        fresh: list[tuple[Ready, int | None, int]] = []  # (record, person id, version)
        superseded: list[str] = []
        for item, person_id in self.pending:
            key, chash, resource = item.values[NATURAL_KEY], item.values[CONTENT_HASH], item.values[RESOURCE]
            hashes, top = existing.get(key, (set(), 0))
            summary = resource is not None and SUMMARY_MARK in resource
            if chash in hashes or (summary and key in detailed):
                # the same fact again — or a summary of a fact the vault already has in full
                self.counts.duplicates += 1
                continue
            version = 1
            if top:
                version = top + 1
                superseded.append(key)
            hashes.add(chash)
            existing[key] = (hashes, version)
            fresh.append((item, person_id, version))
        self.pending = []
        if superseded:
            self.conn.execute(update(s.records).where(s.records.c.natural_key.in_(superseded)).values(current=False))
        self._insert(fresh)

    def _insert(self, fresh: list[tuple[Ready, int | None, int]]) -> None:
        if not fresh:
            return
        # Rows of one natural key in this batch: only the last one stays current.
        last = {item.values[NATURAL_KEY]: i for i, (item, _, _) in enumerate(fresh)}
        current = [last[item.values[NATURAL_KEY]] == i for i, (item, _, _) in enumerate(fresh)]
        # Records without claim lines first, then those with: the ids they always had.
        order = [i for i, (item, _, _) in enumerate(fresh) if not item.lines]
        order += [i for i, (item, _, _) in enumerate(fresh) if item.lines]
        rows: list[tuple[Any, ...]] = []
        lines: list[tuple[Any, ...]] = []
        for rid, i in zip(allocate_ids(self.conn, len(order)), order, strict=True):
            item, person_id, version = fresh[i]
            rows.append((*item.values, rid, person_id, version, current[i], self.import_id))
            lines.extend((*line, rid, person_id) for line in item.lines)
        bulk.insert_many(self.conn, s.records, RECORD_COLUMNS, rows)
        bulk.insert_many(self.conn, s.claim_lines, LINE_COLUMNS, lines)
        self.counts.added += len(fresh)


def write_extracted(
    conn: Connection, file: InputFile | FileRef, importer: str, extracted: Extracted, prepared: Prepared | None = None
) -> WriteCounts:
    """Store one file: archive, import row, persons, records, problems.

    ``prepared`` is the work :func:`carnet.store.rows.prepare` did ahead for this
    very file and extraction; when it holds the records' rows, ``extracted.records``
    is not read (it may then be empty).
    """
    counts = WriteCounts()
    if prepared is not None:
        archive.store(conn, file.sha256, prepared.size, prepared.chunks, utcnow())
    else:
        assert isinstance(file, InputFile), "a file without its bytes comes with its prepared work"
        archive_file(conn, file)
    import_id = bulk.insert_one(
        conn,
        s.imports,
        ("file_name", "file_sha256", "importer", "source_id", "imported_at", *_COUNTS),
        (file.name, file.sha256, importer, _source_id(conn, extracted.source_name), utcnow(), 0, 0, 0, 0, 0),
    )
    persons = _Persons(conn, extracted.persons, counts)
    batch = _Batch(conn, import_id, counts)
    iterated = 0
    records = prepared.records if prepared and prepared.records is not None else map(ready, extracted.records)
    # ``records`` may be lazy: reading it may raise RejectedFile, which the
    # caller's savepoint turns into "nothing of this file".
    for item in records:
        iterated += 1
        person_id: int | None = None
        if item.person_key is not None:
            found = persons.id_of(item.person_key)
            if found is None:
                extracted.problems.append(
                    Problem(file.name, item.values[POINTER], f"unresolved reference {item.person_key}")
                )
                continue
            person_id = found
        batch.add(item, person_id)
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
    counted = (counts.read, counts.added, counts.duplicates, counts.rejected, counts.warnings)
    bulk.update_one(conn, s.imports, _COUNTS, counted, import_id)
    return counts
