"""G21/G22: no plaintext at rest, a wrong passphrase is one clean line, the KDF cost is pinned."""

from __future__ import annotations

import inspect
import os
import random
import string
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest
import sqlcipher3
from argon2.low_level import Type, hash_secret_raw

from carnet.errors import WrongPassphrase
from carnet.ingest import import_paths
from carnet.store import create_vault, open_vault
from carnet.store.backup import backup
from carnet.store.keys import DEFAULT_KDF, KdfParams, derive_key, raw_key_pragma, read_salt
from store.checks import FAST_KDF, PASSPHRASE
from store.fhirgen import bundle, household, write_json, write_ndjson

CARNET = Path(sys.executable).with_name("carnet")
N_CANARIES = 1200


def _canaries(seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(string.ascii_letters + string.digits, k=20)) for _ in range(N_CANARIES)]


def _seeded_inputs(folder: Path, canaries: list[str]) -> list[Path]:
    """Households whose names, notes, codes and labels are all canaries, in NDJSON and Bundle files."""
    texts = iter(canaries)
    paths: list[Path] = []
    i = 0
    while True:
        try:
            resources = household(f"c{i}", texts, n_obs=4)
        except StopIteration:
            break
        if i % 2:
            paths.append(write_json(folder / f"h{i}.json", bundle(resources)))
        else:
            paths.append(write_ndjson(folder / f"h{i}.ndjson", resources))
        i += 1
    return paths


def _needles(canaries: Iterable[str]) -> list[bytes]:
    return [c.encode(enc) for c in canaries for enc in ("utf-8", "utf-16-le", "utf-16-be")]


def _leaks(files: Iterable[Path], needles: list[bytes]) -> dict[str, int]:
    found: dict[str, int] = {}
    for path in files:
        data = path.read_bytes()
        hits = sum(1 for n in needles if n in data)
        if hits:
            found[str(path)] = hits
    return found


def test_no_canary_in_vault_wal_shm_or_backup(tmp_path: Path) -> None:
    canaries = _canaries(21)
    inputs = _seeded_inputs(tmp_path / "in", canaries)
    needles = _needles(canaries)
    # The scan can fail: the inputs hold at least 1,000 of the canaries in clear.
    plain = b"".join(p.read_bytes() for p in inputs)
    assert sum(1 for c in canaries if c.encode() in plain) >= 1000
    target = tmp_path / "vault" / "v.carnet"
    v = create_vault(str(target), PASSPHRASE, kdf=FAST_KDF)
    try:
        report = import_paths(v, inputs)
        assert not report.rejected_anything
        assert report.total("added") >= N_CANARIES // 2
        backup(v, tmp_path / "vault" / "backup.carnet")
        wal = target.with_name(target.name + "-wal")
        assert wal.is_file() and wal.stat().st_size > 0  # scanned while it holds the recent pages
        at_rest = [p for p in (tmp_path / "vault").iterdir() if p.is_file()]
        assert {p.name for p in at_rest} >= {"v.carnet", "v.carnet-wal", "v.carnet-shm", "backup.carnet"}
        assert _leaks(at_rest, needles) == {}
    finally:
        v.close()
    assert _leaks([target], needles) == {}  # after the checkpoint on close


def _cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CARNET), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_cli_import_leaves_no_plaintext_in_temp_dir(tmp_path: Path) -> None:
    canaries = _canaries(22)[:300]
    inputs = _seeded_inputs(tmp_path / "in", canaries)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = os.environ | {"TMPDIR": str(tmp), "CARNET_PASSPHRASE": PASSPHRASE, "HOME": str(tmp_path / "home")}
    env.pop("CARNET_VAULT", None)
    vault = tmp_path / "v.carnet"
    assert _cli("init", "--vault", str(vault), env=env, cwd=tmp_path).returncode == 0
    done = _cli("import", "--vault", str(vault), *map(str, inputs), env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    written = [p for p in tmp_path.rglob("*") if p.is_file() and (tmp_path / "in") not in p.parents]
    assert vault in written
    assert _leaks(written, _needles(canaries)) == {}
    assert not any(c in done.stdout + done.stderr for c in canaries)


@pytest.mark.parametrize("content", ["wrong passphrase", "random bytes", "empty file"])
def test_cli_wrong_passphrase_is_one_line(tmp_path: Path, content: str) -> None:
    vault = tmp_path / "v.carnet"
    if content == "wrong passphrase":
        create_vault(str(vault), PASSPHRASE).close()  # the real KDF, as the CLI uses
    else:
        vault.write_bytes(os.urandom(8192) if content == "random bytes" else b"")
    env = os.environ | {"CARNET_PASSPHRASE": "not the passphrase"}
    for args in (["people"], ["timeline", "1"], ["export", "--out", str(tmp_path / "x")]):
        done = _cli(*args, "--vault", str(vault), env=env, cwd=tmp_path)
        assert done.returncode != 0
        assert done.stdout == ""
        lines = done.stderr.splitlines()
        assert len(lines) == 1, done.stderr
        assert lines[0].startswith("carnet: ") and "vault" in lines[0]
        assert "Traceback" not in done.stderr and "hmac" not in done.stderr.lower()
    assert not (tmp_path / "x").exists()


@pytest.fixture
def vault_file(tmp_path: Path) -> Path:
    target = tmp_path / "v.carnet"
    create_vault(str(target), PASSPHRASE, kdf=FAST_KDF).close()
    return target


def test_wrong_passphrase_raises_and_changes_nothing(vault_file: Path) -> None:
    before = vault_file.read_bytes()
    with pytest.raises(WrongPassphrase):
        open_vault(str(vault_file), "not the passphrase", kdf=FAST_KDF)
    with pytest.raises(WrongPassphrase):
        open_vault(str(vault_file), PASSPHRASE, kdf=KdfParams(memory_kib=8 * 1024, time_cost=2, parallelism=1))
    assert vault_file.read_bytes() == before


def test_default_kdf_is_argon2id_rfc9106_second_option() -> None:
    assert DEFAULT_KDF.memory_kib >= 64 * 1024
    assert DEFAULT_KDF.time_cost >= 3
    assert DEFAULT_KDF.parallelism >= 1
    for fn in (create_vault, open_vault):
        assert inspect.signature(fn).parameters["kdf"].default is DEFAULT_KDF
    salt = bytes(range(16))
    expected = hash_secret_raw(PASSPHRASE.encode(), salt, time_cost=3, memory_cost=64 * 1024, parallelism=4,
                               hash_len=32, type=Type.ID)
    assert derive_key(PASSPHRASE, salt) == expected


def _opens_with(path: Path, key: bytes, salt: bytes) -> bool:
    conn = sqlcipher3.connect(str(path))
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = {raw_key_pragma(key, salt)}")
        conn.execute("PRAGMA cipher_page_size = 32768")  # the page size of new vaults
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlcipher3.DatabaseError:
        return False
    finally:
        conn.close()


def test_cli_vault_is_keyed_with_argon2id_64mib_t3(tmp_path: Path) -> None:
    """The vault ``carnet init`` writes opens with exactly Argon2id(64 MiB, t=3, p=4) of the passphrase."""
    env = os.environ | {"CARNET_PASSPHRASE": PASSPHRASE}
    vault = tmp_path / "v.carnet"
    assert _cli("init", "--vault", str(vault), env=env, cwd=tmp_path).returncode == 0
    salt = read_salt(vault)

    def key(memory_kib: int, time_cost: int) -> bytes:
        return hash_secret_raw(PASSPHRASE.encode(), salt, time_cost=time_cost, memory_cost=memory_kib,
                               parallelism=4, hash_len=32, type=Type.ID)

    assert _opens_with(vault, key(64 * 1024, 3), salt)
    assert not _opens_with(vault, key(64 * 1024, 2), salt)
    assert not _opens_with(vault, key(32 * 1024, 3), salt)
