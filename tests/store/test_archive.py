"""Archived originals: compressed, yet read back byte for byte; schema 0004 converts older vaults."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import func, select, text, update

from carnet.errors import CarnetError
from carnet.ingest import Outcome, import_paths
from carnet.store import Vault, keys, open_vault
from carnet.store import archive as ar
from carnet.store import schema as s
from carnet.store.engine import is_postgres, postgres_engine, sqlcipher_engine
from carnet.store.vault import MIGRATIONS
from store.checks import FAST_KDF, PASSPHRASE
from store.fhirgen import bundle, observation, patient, write_json


def _bundle_bytes(tmp_path: Path, name: str, count: int) -> Path:
    pat = patient(name)
    path = tmp_path / f"{name}.json"
    write_json(path, bundle([pat, *(observation(f"{name}-o{i}", pat, 60 + i % 40, day=i % 28) for i in range(count))]))
    return path


def test_imported_files_read_back_byte_for_byte(vault: Vault, tmp_path: Path) -> None:
    small = _bundle_bytes(tmp_path, "small", 3)
    large = _bundle_bytes(tmp_path, "large", 6000)  # several MiB: more than one chunk before compression
    assert large.stat().st_size > 2 * ar.CHUNK
    report = import_paths(vault, [small, large])
    assert [f.outcome for f in report.files] == [Outcome.IMPORTED, Outcome.IMPORTED]
    with vault.reading() as conn:
        for path in (small, large):
            data = path.read_bytes()
            sha = hashlib.sha256(data).hexdigest()
            assert ar.read_original(conn, sha) == data
            stored = conn.execute(
                select(func.sum(func.length(s.archive_chunks.c.data))).where(s.archive_chunks.c.sha256 == sha)
            ).scalar_one()
            assert stored < len(data) / 3  # FHIR JSON compresses well
            codec = conn.execute(select(s.archive.c.codec).where(s.archive.c.sha256 == sha)).scalar_one()
            assert codec == ar.ZSTD


@pytest.mark.parametrize("size", [0, 1, ar.CHUNK - 1, ar.CHUNK, 3 * ar.CHUNK + 17])
def test_incompressible_bytes_round_trip(vault: Vault, size: int) -> None:
    data = os.urandom(size)
    sha = hashlib.sha256(data).hexdigest()
    chunks = ar.compress(data)
    assert all(len(c) <= ar.CHUNK for c in chunks)
    with vault.writing() as conn:
        ar.store(conn, sha, len(data), chunks, "2026-12-02T00:00:00Z")
        ar.store(conn, sha, len(data), chunks, "2026-12-02T00:00:00Z")  # a known hash is kept once
    with vault.reading() as conn:
        assert ar.read_original(conn, sha) == data


def test_damaged_archive_is_an_error_not_wrong_bytes(vault: Vault, tmp_path: Path) -> None:
    path = _bundle_bytes(tmp_path, "p", 50)
    import_paths(vault, [path])
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    with vault.writing() as conn:
        conn.execute(update(s.archive).where(s.archive.c.sha256 == sha).values(size=1))
    with vault.reading() as conn, pytest.raises(CarnetError, match="does not match"):
        ar.read_original(conn, sha)
    with vault.reading() as conn, pytest.raises(CarnetError, match="no archived file"):
        ar.read_original(conn, "0" * 64)


# --- migration 0004 from a 0003 vault -------------------------------------------------------------


def _vault_at(target: str, revision: str) -> Vault:
    """A vault migrated only up to ``revision``, as an older Carnet left it."""
    if is_postgres(target):
        vault = Vault(postgres_engine(target), target, None)
    else:
        path = Path(target)
        salt = keys.new_salt()
        pragma = keys.raw_key_pragma(keys.derive_key(PASSPHRASE, salt, FAST_KDF), salt)
        vault = Vault(sqlcipher_engine(path, pragma), target, path, pragma)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with vault.writing() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return vault


def _old_archive(vault: Vault, files: list[bytes]) -> None:
    """Files archived as schema 0003 did: the bytes themselves in 1 MiB chunks."""
    with vault.writing() as conn:
        for data in files:
            sha = hashlib.sha256(data).hexdigest()
            conn.execute(
                text("INSERT INTO archive (sha256, size, created_at) VALUES (:s, :n, :t)"),
                {"s": sha, "n": len(data), "t": "2026-11-28T00:00:00Z"},
            )
            for i, off in enumerate(range(0, len(data), ar.CHUNK)):
                conn.execute(
                    text("INSERT INTO archive_chunks (sha256, seq, data) VALUES (:s, :i, :d)"),
                    {"s": sha, "i": i, "d": data[off : off + ar.CHUNK]},
                )


def _files() -> list[bytes]:
    doc = {
        "resourceType": "Bundle",
        "entry": [{"resource": {"resourceType": "Observation", "id": str(i)}} for i in range(60000)],
    }
    return [json.dumps(doc, indent=2).encode(), b"", os.urandom(ar.CHUNK + 5)]


def _check_migrated(target: str) -> None:
    vault = _vault_at(target, "0003")
    files = _files()
    _old_archive(vault, files)
    vault.close()
    with open_vault(target, PASSPHRASE, kdf=FAST_KDF) as migrated, migrated.reading() as conn:
        for data in files:
            sha = hashlib.sha256(data).hexdigest()
            assert conn.execute(select(s.archive.c.codec).where(s.archive.c.sha256 == sha)).scalar_one() == ar.ZSTD
            assert ar.read_original(conn, sha) == data
        stored = conn.execute(select(func.sum(func.length(s.archive_chunks.c.data)))).scalar_one()
        assert stored < len(files[0]) / 3 + len(files[2]) + 1024


def test_a_damaged_0003_archive_stops_the_upgrade_with_a_clear_error(tmp_path: Path) -> None:
    target = str(tmp_path / "damaged.carnet")
    vault = _vault_at(target, "0003")
    _old_archive(vault, [b'{"resourceType": "Bundle"}'])
    with vault.writing() as conn:
        conn.execute(text("UPDATE archive_chunks SET data = :d"), {"d": b'{"resourceType": "Bundlf"}'})
    vault.close()
    with pytest.raises(CarnetError, match="does not match its SHA-256, so the vault was left as it was"):
        open_vault(target, PASSPHRASE, kdf=FAST_KDF)
    with open_vault(target, PASSPHRASE, kdf=FAST_KDF, migrate=False) as untouched, untouched.reading() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0003"
        kept = conn.execute(text("SELECT data FROM archive_chunks")).scalar_one()
        assert bytes(kept) == b'{"resourceType": "Bundlf"}'


def test_0003_vault_archive_is_converted(tmp_path: Path) -> None:
    _check_migrated(str(tmp_path / "old.carnet"))


@pytest.mark.postgres
def test_0003_postgres_archive_is_converted(pg_url: str) -> None:
    _check_migrated(pg_url)


def test_0004_downgrade_restores_plain_chunks(tmp_path: Path) -> None:
    target = str(tmp_path / "v.carnet")
    vault = _vault_at(target, "0004")
    data = _files()[0]
    sha = hashlib.sha256(data).hexdigest()
    with vault.writing() as conn:
        ar.store(conn, sha, len(data), ar.compress(data), "2026-12-02T00:00:00Z")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with vault.writing() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")
    with vault.reading() as conn:
        rows = conn.execute(text("SELECT data FROM archive_chunks WHERE sha256 = :s ORDER BY seq"), {"s": sha})
        assert b"".join(bytes(r[0]) for r in rows) == data
    vault.close()
