"""G1: SIGKILL during import loses nothing acknowledged, duplicates nothing, half-lands nothing."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select

from carnet.store import Vault, create_vault, open_vault
from carnet.store import schema as s
from store.checks import FAST_KDF, PASSPHRASE, assert_sound, current_key_counts, export_digests, half_files
from store.fhirgen import person_files

DRIVER = Path(__file__).with_name("crash_driver.py")
N_FILES = 40
PER_FILE = 600  # observations per file, plus its patient: with the driver's 0.1 s groups, many group commits
MIN_KILLS = 20
KILLS_PER_TRIAL = 4


@dataclass
class Run:
    acknowledged: list[str] = field(default_factory=list)
    killed: bool = False
    seconds: float = 0.0


def _run(vault: Path, folder: Path, kill_after: float | None) -> Run:
    """One driver process; SIGKILL it ``kill_after`` seconds after it opened the vault."""
    env = os.environ | {"CARNET_PASSPHRASE": PASSPHRASE}
    kdf = (str(FAST_KDF.memory_kib), str(FAST_KDF.time_cost), str(FAST_KDF.parallelism))
    proc = subprocess.Popen(
        [sys.executable, str(DRIVER), str(vault), str(folder), *kdf],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    assert proc.stdout is not None
    ready = proc.stdout.readline()
    assert ready == "ready\n", proc.communicate()[1]
    start = time.monotonic()
    run = Run()
    if kill_after is not None:
        time.sleep(kill_after)
        if proc.poll() is None:
            proc.kill()  # SIGKILL
    out, errors = proc.communicate(timeout=120)
    run.seconds = time.monotonic() - start
    run.killed = proc.returncode == -9
    assert run.killed or proc.returncode == 0, errors
    lines = out.splitlines()
    run.acknowledged = [line.removeprefix("done ") for line in lines if line.startswith("done ")]
    assert run.killed or lines[-1] == "finished"
    return run


def _open(path: Path) -> Vault:
    return open_vault(str(path), PASSPHRASE, kdf=FAST_KDF)


def _check_after_crash(path: Path, acknowledged: set[str], per_file: dict[str, int]) -> int:
    """What must hold at any moment, even right after a SIGKILL; returns the number of files stored."""
    with _open(path) as v:
        assert v.key_pragma is not None
        assert_sound(path, v.key_pragma)
        with v.reading() as conn:
            names = [str(n) for n in conn.execute(select(s.imports.c.file_name)).scalars()]
            added = dict(conn.execute(select(s.imports.c.file_name, s.imports.c.added)).all())
            assert half_files(conn) == []
            rows, keys = current_key_counts(conn)
            assert rows == keys == conn.execute(select(func.count()).select_from(s.records)).scalar_one()
    assert len(names) == len(set(names)), "a file landed twice"
    assert acknowledged <= set(names), f"acknowledged but lost: {sorted(acknowledged - set(names))}"
    assert {n: added[n] for n in names} == {n: per_file[n] for n in names}, "a file landed in part"
    return len(names)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_sigkill_during_import(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    person_files(folder, N_FILES, PER_FILE, seed=7)
    assert len(list(folder.iterdir())) == N_FILES

    # A clean import in a fresh vault, by the same driver: the reference, and the run time to aim kills at.
    clean = tmp_path / "clean.carnet"
    create_vault(str(clean), PASSPHRASE, kdf=FAST_KDF).close()
    reference = _run(clean, folder, None)
    assert len(reference.acknowledged) == N_FILES
    with _open(clean) as v, v.reading() as conn:
        per_file = {str(n): int(a) for n, a in conn.execute(select(s.imports.c.file_name, s.imports.c.added))}
        expected_rows = current_key_counts(conn)
    assert set(per_file.values()) == {PER_FILE + 1}
    with _open(clean) as v:
        expected_export = export_digests(v, tmp_path / "export-clean")

    rng = random.Random(1)
    kills = trials = 0
    partial: list[int] = []  # files stored after each kill
    while kills < MIN_KILLS:
        trials += 1
        assert trials <= 3 * MIN_KILLS, f"only {kills} kills landed during an import"
        path = tmp_path / f"trial{trials}.carnet"
        create_vault(str(path), PASSPHRASE, kdf=FAST_KDF).close()
        acknowledged: set[str] = set()
        stored = 0
        for _ in range(KILLS_PER_TRIAL):
            # Aim inside the work left: files already stored are skipped in a few milliseconds.
            run = _run(path, folder, rng.uniform(0.0, reference.seconds * (N_FILES - stored) / N_FILES))
            acknowledged |= set(run.acknowledged)
            if not run.killed:
                break  # the import finished before the kill
            stored = _check_after_crash(path, acknowledged, per_file)
            kills += stored < N_FILES  # the kill cut an import short (not the skip or the close)
            partial.append(stored)
        final = _run(path, folder, None)  # the re-run finishes the job
        assert not final.killed
        _check_after_crash(path, acknowledged | set(final.acknowledged), per_file)
        with _open(path) as v:
            with v.reading() as conn:
                assert current_key_counts(conn) == expected_rows
                assert conn.execute(select(func.count()).select_from(s.imports)).scalar_one() == N_FILES
            assert export_digests(v, tmp_path / f"export{trials}") == expected_export
    assert any(0 < n < N_FILES for n in partial), "no kill fell between two commits"
    print(f"\nG1: {kills} SIGKILLs cut an import short, in {trials} trials; clean import {reference.seconds:.2f} s;"
          f" files stored after each kill: {partial}")
