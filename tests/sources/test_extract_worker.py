"""Steps 3–4 in a worker process or in line: the same vault, the same report, the same refusals."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from carnet import ingest, ingest_pool
from carnet.errors import CarnetError
from carnet.ingest import ImportReport, Outcome, import_paths
from carnet.ingest_pool import use_process, workers_for
from carnet.sources.base import InputFile
from carnet.sources.registry import Registry
from carnet.store import Vault, create_vault
from carnet.store import schema as s
from store.checks import FAST_KDF, PASSPHRASE, export_digests
from store.fhirgen import bundle, observation, patient, write_json, write_ndjson


def _inputs(folder: Path) -> list[Path]:
    folder.mkdir()
    paths = []
    for i in range(4):
        pat = patient(f"p{i}")
        obs = [observation(f"o{i}-{j}", pat, 60 + j, day=j + 1) for j in range(30)]
        paths.append(write_json(folder / f"b{i}.json", bundle([pat, *obs])))
    (folder / "broken.json").write_bytes(b'{"resourceType": "Bundle", "entry": [')
    paths.insert(2, folder / "broken.json")
    pat = patient("nd")
    paths.append(
        write_ndjson(folder / "stream.ndjson", [pat, *(observation(f"n{j}", pat, 70, day=2) for j in range(9))])
    )
    return paths


def _import(
    tmp_path: Path, name: str, paths: list[Path], process: bool, workers: int = 1, writer_takes: bool = True,
    slow_worker: bool = False,
) -> tuple[Vault, ImportReport]:
    vault = create_vault(str(tmp_path / f"{name}.carnet"), PASSPHRASE, kdf=FAST_KDF)
    real = ingest_pool._message

    def slow(item: InputFile, registry: Registry) -> tuple[object, ...]:
        time.sleep(0.05)  # the writer, finding nothing to write, takes most inputs itself
        return real(item, registry)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ingest, "use_process", lambda files: process)
        mp.setattr(ingest, "workers_for", lambda files: workers)
        mp.setattr(ingest_pool, "WRITER_TAKES_INPUTS", writer_takes)
        if slow_worker:
            mp.setattr(ingest_pool, "_message", slow)
        return vault, import_paths(vault, paths)


def _summary(report: ImportReport) -> list[tuple[str, Outcome, int, int, list[str]]]:
    return [(f.name, f.outcome, f.counts.read, f.counts.added, [str(p) for p in f.problems]) for f in report.files]


@pytest.mark.parametrize(
    ("workers", "writer_takes", "slow_worker"),
    [(1, True, False), (1, False, False), (1, True, True), (2, True, False), (3, False, False), (2, True, True)],
)
def test_worker_processes_and_in_line_give_the_same_vault(
    tmp_path: Path, workers: int, writer_takes: bool, slow_worker: bool
) -> None:
    paths = _inputs(tmp_path / "in")
    in_line, line_report = _import(tmp_path, "inline", paths, process=False)
    in_process, process_report = _import(
        tmp_path, "process", paths, process=True, workers=workers, writer_takes=writer_takes, slow_worker=slow_worker
    )
    assert _summary(process_report) == _summary(line_report)
    broken = next(f for f in process_report.files if f.name.endswith("broken.json"))
    assert broken.outcome is Outcome.REJECTED and broken.problems[0].reason  # file, position and reason
    assert [f.outcome for f in process_report.files].count(Outcome.IMPORTED) == 5
    ids = []
    for vault in (in_line, in_process):
        with vault.reading() as conn:
            ids.append(conn.execute(select(s.records.c.id, s.records.c.natural_key).order_by(s.records.c.id)).all())
    assert ids[0] == ids[1]
    assert export_digests(in_process, tmp_path / "e1") == export_digests(in_line, tmp_path / "e2")
    in_line.close()
    in_process.close()


def test_process_only_when_safe_and_worth_it() -> None:
    assert not use_process(1)  # one file: the start-up would not pay
    started = threading.Event()
    stop = threading.Event()

    def other() -> None:
        started.set()
        stop.wait()

    helper = threading.Thread(target=other)
    helper.start()
    started.wait()
    try:
        assert not use_process(10)  # a process with another thread is never forked
    finally:
        stop.set()
        helper.join()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_dead_worker_is_an_error_and_committed_files_stay(tmp_path: Path, workers: int) -> None:
    paths = _inputs(tmp_path / "in")
    vault = create_vault(str(tmp_path / "v.carnet"), PASSPHRASE, kdf=FAST_KDF)
    real = ingest_pool._message

    def dies_on_the_fifth_file(item: InputFile, registry: Registry) -> tuple[object, ...]:
        if item.name.endswith("b3.json"):
            os._exit(3)  # as if killed: no message, the pipe just closes
        return real(item, registry)

    done: list[str] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ingest, "use_process", lambda files: True)
        mp.setattr(ingest, "workers_for", lambda files: workers)
        mp.setattr(ingest_pool, "WRITER_TAKES_INPUTS", False)  # so that a worker does reach that file
        mp.setattr(ingest_pool, "_message", dies_on_the_fifth_file)
        with pytest.raises(CarnetError, match="worker process stopped"):
            import_paths(vault, paths, on_commit=lambda group: done.extend(f.name for f in group))
    with vault.reading() as conn:
        stored = conn.execute(select(s.imports.c.file_name).order_by(s.imports.c.id)).scalars().all()
    assert stored == done  # what was reported durable is there, and nothing else
    assert not any(name.endswith(("b3.json", "stream.ndjson")) for name in stored)
    vault.close()


def test_workers_one_per_spare_core_fewer_than_the_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert [workers_for(n) for n in (2, 3, 50)] == [1, 1, 1]  # one core for the writer, one for a worker
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    assert [workers_for(n) for n in (2, 3, 50)] == [1, 2, 3]  # the first file is extracted in line
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert workers_for(50) == ingest_pool.MAX_WORKERS
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert workers_for(50) == 1
