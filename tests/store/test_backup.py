"""G4: an online backup taken while an import writes is a consistent, verified copy; restore is careful."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from carnet.errors import CarnetError
from carnet.ingest import import_paths
from carnet.store import Vault, create_vault, open_vault
from carnet.store import schema as s
from carnet.store.backup import backup, restore
from store.checks import FAST_KDF, PASSPHRASE, assert_sound, export_digests, half_files
from store.fhirgen import person_file, person_files

CARNET = Path(sys.executable).with_name("carnet")
START_AFTER = 40  # files committed before the backup starts: the vault is then ~7 MB
MAX_FILES = 600  # the importer stops here if the backup never ends


def _imported_files(vault: Vault) -> list[tuple[int, str, int]]:
    i = s.imports.c
    with vault.reading() as conn:
        assert half_files(conn) == []
        return [(int(a), str(b), int(c)) for a, b, c in conn.execute(select(i.id, i.file_name, i.added).order_by(i.id))]


@pytest.mark.slow
def test_cli_backup_during_import_is_a_consistent_prefix(tmp_path: Path) -> None:
    """An importer commits file after file until ``carnet backup`` has returned."""
    target = tmp_path / "v.carnet"
    create_vault(str(target), PASSPHRASE).close()  # the real KDF: the CLI opens it
    started, backed_up = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def importer() -> None:
        rng = random.Random(4)
        try:
            with open_vault(str(target), PASSPHRASE) as v:
                for i in range(MAX_FILES):
                    if backed_up.is_set():
                        break
                    import_paths(v, [person_file(tmp_path / "in", i, 250, rng)])
                    if i + 1 == START_AFTER:
                        started.set()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            started.set()

    thread = threading.Thread(target=importer)
    thread.start()
    try:
        assert started.wait(60)
        out = tmp_path / "backup.carnet"
        env = os.environ | {"CARNET_PASSPHRASE": PASSPHRASE}
        done = subprocess.run([str(CARNET), "backup", "--vault", str(target), "--out", str(out)],
                              env=env, capture_output=True, text=True, timeout=120)
    finally:
        backed_up.set()
        thread.join(120)
    assert not errors
    assert done.returncode == 0, done.stderr
    assert "integrity ok" in done.stdout

    with open_vault(str(out), PASSPHRASE) as b, open_vault(str(target), PASSPHRASE) as v:
        assert b.key_pragma is not None
        assert_sound(out, b.key_pragma)
        in_backup, in_source = _imported_files(b), _imported_files(v)
        # Taken while the import wrote: a backup that waits for the writer to stop would hold every file.
        assert START_AFTER <= len(in_backup) < len(in_source) < MAX_FILES
        assert in_backup == in_source[: len(in_backup)]  # a prefix of what the source committed
        backup_export = export_digests(b, tmp_path / "export-backup")
    # The same prefix imported into a fresh vault exports byte for byte what the backup exports.
    with create_vault(str(tmp_path / "prefix.carnet"), PASSPHRASE, kdf=FAST_KDF) as p:
        import_paths(p, [Path(name) for _, name, _ in in_backup])
        assert export_digests(p, tmp_path / "export-prefix") == backup_export


def test_restore_to_new_path_and_refusals(vault: Vault, tmp_path: Path) -> None:
    import_paths(vault, person_files(tmp_path / "in", 4, 30, seed=5))
    source_export = export_digests(vault, tmp_path / "e-source")
    assert vault.key_pragma is not None
    out = tmp_path / "b.carnet"
    assert backup(vault, out) == out.stat().st_size
    with pytest.raises(CarnetError, match="not overwriting"):
        backup(vault, out)
    restored = tmp_path / "restored" / "r.carnet"
    restored.parent.mkdir()
    restore(out, restored, vault.key_pragma)
    assert_sound(restored, vault.key_pragma)
    with open_vault(str(restored), PASSPHRASE, kdf=FAST_KDF) as r:
        assert export_digests(r, tmp_path / "e-restored") == source_export
    before = restored.read_bytes()
    with pytest.raises(CarnetError, match="already exists"):
        restore(out, restored, vault.key_pragma)
    assert restored.read_bytes() == before
    # A damaged backup is refused before anything is written.
    damaged = tmp_path / "damaged.carnet"
    data = bytearray(out.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    with pytest.raises(CarnetError):
        restore(damaged, tmp_path / "never.carnet", vault.key_pragma)
    assert not (tmp_path / "never.carnet").exists()
