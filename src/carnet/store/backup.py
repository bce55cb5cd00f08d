"""Online backup of a SQLCipher vault (SQLite backup API) and verified restore.

The backup is itself a vault encrypted with the same key: it opens with the
same passphrase. It can be taken while the vault is being written: it is then
the vault as it was at one commit.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlcipher3

from carnet.errors import CarnetError, WrongPassphrase
from carnet.store.engine import keyed_connection, page_size_of
from carnet.store.vault import Vault


def check_integrity(path: Path, key_pragma: str) -> None:
    """``integrity_check`` must say ok and ``cipher_integrity_check`` report nothing."""
    try:
        conn = keyed_connection(path, key_pragma)
    except WrongPassphrase:
        raise CarnetError(f"{path}: not readable with this passphrase") from None
    try:
        result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            raise CarnetError(f"{path}: integrity check failed: {'; '.join(result[:5])}")
        cipher = list(conn.execute("PRAGMA cipher_integrity_check"))
        if cipher:
            raise CarnetError(f"{path}: {len(cipher)} encrypted pages fail their HMAC check")
    except sqlcipher3.DatabaseError as err:
        raise CarnetError(f"{path}: not readable with this passphrase ({err})") from None
    finally:
        conn.close()


def _require_file_vault(vault: Vault) -> tuple[Path, str]:
    if vault.path is None or vault.key_pragma is None:
        raise CarnetError("carnet backup works on vault files; for PostgreSQL use pg_dump")
    return vault.path, vault.key_pragma


def backup(vault: Vault, out: Path) -> int:
    """Copy the vault to ``out`` while others may write; return its size.

    One backup step copies every page inside one read transaction: the copy is
    the vault as of one commit, and in WAL mode writers go on meanwhile. (Small
    steps would restart after every commit of another connection: under a
    steady import the backup would not end before the import does.)
    """
    _src_path, pragma = _require_file_vault(vault)
    if out.exists():
        raise CarnetError(f"{out}: already exists; not overwriting it")
    out.parent.mkdir(parents=True, exist_ok=True)
    raw = vault.engine.raw_connection()
    # the copy keeps the vault's page size (SQLite copies pages as they are)
    target = keyed_connection(out, pragma, page_size_of(raw.driver_connection))
    try:
        raw.driver_connection.backup(target, pages=-1)  # type: ignore[union-attr]
    finally:
        target.close()
        raw.close()
    check_integrity(out, pragma)
    return out.stat().st_size


def restore(backup_file: Path, to: Path, key_pragma: str) -> None:
    """Verify a backup opened with the passphrase's key, then put it in place at ``to``."""
    if to.exists():
        raise CarnetError(f"{to}: already exists; restore into a new path")
    check_integrity(backup_file, key_pragma)
    shutil.copyfile(backup_file, to)
    check_integrity(to, key_pragma)
