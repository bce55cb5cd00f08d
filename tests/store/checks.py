"""Assertions on a vault's files and rows, shared by the store and CLI tests.

``PASSPHRASE`` and ``FAST_KDF`` are the values the ``vault`` fixture of
tests/conftest.py uses (a test checks that they open it). They are not imported
from there: ``from conftest import`` finds whichever conftest.py was imported
last, and tests/reimbursement has one too.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import Connection, func, select

from carnet.export import export_fhir
from carnet.store import Vault
from carnet.store import schema as s
from carnet.store.engine import keyed_connection
from carnet.store.keys import KdfParams

PASSPHRASE = "correct horse battery staple"
FAST_KDF = KdfParams(memory_kib=8 * 1024, time_cost=1, parallelism=1)  # tests only: milliseconds per open


def tree_digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder``, by relative path."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def export_digests(vault: Vault, out: Path) -> dict[str, str]:
    """Export the vault as FHIR NDJSON into ``out`` and hash every file."""
    export_fhir(vault, out)
    return tree_digests(out)


def cipher_checks(path: Path, key_pragma: str) -> tuple[list[str], list[tuple[object, ...]]]:
    """(``integrity_check`` rows, ``cipher_integrity_check`` rows), on a connection of our own."""
    conn = keyed_connection(path, key_pragma)
    try:
        integrity = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
        cipher = [tuple(row) for row in conn.execute("PRAGMA cipher_integrity_check")]
    finally:
        conn.close()
    return integrity, cipher


def assert_sound(path: Path, key_pragma: str) -> None:
    integrity, cipher = cipher_checks(path, key_pragma)
    assert integrity == ["ok"]
    assert cipher == []


def half_files(conn: Connection) -> list[tuple[str, int, int]]:
    """Import rows whose stored records do not add up: (file, added, records found)."""
    r, i = s.records.c, s.imports.c
    found = dict(conn.execute(select(r.import_id, func.count()).group_by(r.import_id)).all())
    rows = conn.execute(select(i.id, i.file_name, i.added)).all()
    return [(name, added, found.get(iid, 0)) for iid, name, added in rows if found.get(iid, 0) != added]


def current_key_counts(conn: Connection) -> tuple[int, int]:
    """(current records, distinct natural keys among them): equal when nothing is duplicated."""
    r = s.records.c
    rows, keys = conn.execute(
        select(func.count(), func.count(func.distinct(r.natural_key))).where(r.current.is_(True))
    ).one()
    return int(rows), int(keys)
