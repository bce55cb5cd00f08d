"""New vaults use 32 KiB encrypted pages; vaults made with SQLCipher's 4 KiB pages still open, write and back up."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from carnet.errors import WrongPassphrase
from carnet.ingest import import_paths
from carnet.store import create_vault, engine, open_vault
from carnet.store import schema as s
from carnet.store.backup import backup
from carnet.store.engine import keyed_connection, page_size_of
from store.checks import FAST_KDF, PASSPHRASE, assert_sound
from store.fhirgen import bundle, household, write_json


def _inputs(folder: Path, n: int, prefix: str = "p") -> list[Path]:
    texts = iter(f"{prefix}text{i}" for i in range(10_000))
    return [write_json(folder / f"{prefix}{i}.json", bundle(household(f"{prefix}{i}", texts, 3))) for i in range(n)]


def _records(target: Path) -> int:
    with open_vault(str(target), PASSPHRASE, FAST_KDF) as vault, vault.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(s.records)).scalar_one())


def _page_size(path: Path, key_pragma: str) -> int:
    conn = keyed_connection(path, key_pragma)
    try:
        return page_size_of(conn)
    finally:
        conn.close()


def test_a_new_vault_has_32_kib_pages(tmp_path: Path) -> None:
    path = tmp_path / "v.carnet"
    with create_vault(str(path), PASSPHRASE, FAST_KDF) as vault:
        import_paths(vault, _inputs(tmp_path, 2))
        assert vault.key_pragma is not None
        assert _page_size(path, vault.key_pragma) == 32768
    assert path.stat().st_size % 32768 == 0


def test_a_4_kib_vault_opens_writes_and_backs_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.carnet"
    first, second = _inputs(tmp_path, 2), _inputs(tmp_path, 1, prefix="q")
    with monkeypatch.context() as patch:  # a vault as Carnet made them before: SQLCipher's default pages
        patch.setattr(engine, "PAGE_SIZE", 4096)
        with create_vault(str(path), PASSPHRASE, FAST_KDF) as vault:
            import_paths(vault, first)
    before = _records(path)
    assert before > 0

    with open_vault(str(path), PASSPHRASE, FAST_KDF) as vault:
        assert vault.key_pragma is not None
        assert _page_size(path, vault.key_pragma) == 4096
        report = import_paths(vault, second)
        assert report.total("added") > 0 and not report.rejected_anything
        copy = tmp_path / "copy.carnet"
        backup(vault, copy)
        assert _page_size(copy, vault.key_pragma) == 4096  # the copy keeps the vault's pages
        assert_sound(path, vault.key_pragma)
    assert _records(path) == before + report.total("added")
    assert _records(copy) == _records(path)

    with pytest.raises(WrongPassphrase, match="wrong passphrase"):
        open_vault(str(path), "not the passphrase", FAST_KDF)
