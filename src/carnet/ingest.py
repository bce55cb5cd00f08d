"""The import pipeline, one visible list of steps per file:

1. read      — the file into memory (never copied to disk in clear); zips and
               bulk-export folders are expanded safely into several files;
2. skip      — a file whose SHA-256 was already imported adds nothing;
3. identify  — exactly one importer must claim the file;
4. extract   — records and problems, each with provenance (NDJSON is
               streamed: its lines are read during step 5, and an unreadable
               line still rolls the whole file back);
5. store     — archive the original, then persons, records, claim lines and
               problems under one savepoint: the file lands whole or not at all;
               files are committed in groups (at least every 0.5 s), and a file
               is reported done only once its group is durable.

A rejected file leaves the vault untouched; the other files go on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import ExitStack
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from sqlalchemy import Connection

from carnet.collector import collector_paused
from carnet.errors import RejectedFile
from carnet.ingest_pool import Extraction, forked, inline, use_process, workers_for
from carnet.model import Problem
from carnet.sources.base import MAX_FILE_BYTES, InputFile
from carnet.sources.container import expand, folder_files, iter_folder
from carnet.sources.registry import Registry, default_registry
from carnet.store.rows import FileRef
from carnet.store.vault import Vault
from carnet.store.writer import WriteCounts, already_imported, write_extracted


class Outcome(StrEnum):
    IMPORTED = "imported"
    ALREADY = "already imported"
    REJECTED = "rejected"


@dataclass
class FileResult:
    """What happened to one file."""

    name: str
    outcome: Outcome
    importer: str | None = None
    counts: WriteCounts = field(default_factory=WriteCounts)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class ImportReport:
    files: list[FileResult] = field(default_factory=list)

    @property
    def rejected_anything(self) -> bool:
        return any(f.outcome is Outcome.REJECTED or f.counts.rejected for f in self.files)

    def total(self, attr: str) -> int:
        return sum(int(getattr(f.counts, attr)) for f in self.files)


Progress = Callable[[str, int, int | None], None]


def read_inputs(path: Path) -> Iterator[InputFile | RejectedFile]:
    """Step 1: a file, a zip or a bulk-export folder → files to import."""
    try:
        if path.is_dir():
            yield from iter_folder(path)
            return
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise RejectedFile(str(path), "", f"file too large ({size} bytes; limit {MAX_FILE_BYTES})")
        yield from expand(str(path), path.read_bytes())
    except RejectedFile as err:
        yield err
    except OSError as err:
        yield RejectedFile(str(path), "", f"cannot read: {err.strerror or err}")


#: Group commit: files are written one savepoint each, and the transaction is
#: committed at least this often (seconds) or every GROUP_FILES files. A file
#: is reported done only once its group has committed.
GROUP_SECONDS = 0.5
GROUP_FILES = 256


class _GroupWriter:
    """One write transaction for a group of files, one savepoint per file.

    A file that fails rolls back to its savepoint (the others in the group keep
    their place); a commit makes the whole group durable at once, which spares
    an fsync per file without weakening "each file whole or not at all".
    """

    def __init__(self, vault: Vault, on_commit: Callable[[list[FileResult]], None] | None) -> None:
        self.vault = vault
        self.on_commit = on_commit
        self.stack = ExitStack()
        self.conn: Connection | None = None
        self.started = 0.0
        self.group: list[FileResult] = []

    def connection(self) -> Connection:
        if self.conn is None:
            self.conn = self.stack.enter_context(self.vault.writing())
            self.started = time.monotonic()
        return self.conn

    def write(self, file: InputFile | FileRef, extraction: Callable[[], Extraction]) -> FileResult:
        conn = self.connection()
        if already_imported(conn, file.sha256):
            return FileResult(file.name, Outcome.ALREADY)
        try:
            claimed = extraction()
            if isinstance(claimed, RejectedFile):
                raise claimed
            importer, extracted, prepared = claimed
            with conn.begin_nested():
                counts = write_extracted(conn, file, importer, extracted, prepared)
        except RejectedFile as err:
            return FileResult(file.name, Outcome.REJECTED, problems=[Problem(err.file, err.position, err.reason)])
        result = FileResult(file.name, Outcome.IMPORTED, importer, counts, counts.problems)
        self.group.append(result)
        if len(self.group) >= GROUP_FILES or time.monotonic() - self.started >= GROUP_SECONDS:
            self.commit()
        return result

    def commit(self) -> None:
        if self.conn is None:
            return
        self.stack.close()  # commits the transaction
        self.conn = None
        done, self.group = self.group, []
        if self.on_commit and done:
            self.on_commit(done)

    def abort(self) -> None:
        self.stack.__exit__(RuntimeError, RuntimeError("aborted"), None)
        self.conn = None
        self.group = []


def import_inputs(
    vault: Vault,
    inputs: Iterable[InputFile | RejectedFile],
    registry: Registry | None = None,
    progress: Progress | None = None,
    on_commit: Callable[[list[FileResult]], None] | None = None,
    total: int | None = None,
) -> ImportReport:
    """Import files; ``on_commit`` hears of each group of files once it is durable.

    ``inputs`` may be lazy: only a small window of files is held in memory.
    ``total`` (when known) is passed to ``progress``.
    """
    registry = registry or default_registry()
    report = ImportReport()
    writer = _GroupWriter(vault, on_commit)
    done = 0
    # Steps 1 and 3–4 of the next files run ahead in a worker process while this
    # thread stores, when that is safe and worth it; else in line (see
    # carnet.ingest_pool). Only a few files are in memory at once, however many there are.
    files = total if total is not None else len(inputs) if isinstance(inputs, Sized) else None
    if files is not None and use_process(files):
        arrivals = forked(inputs, registry, workers_for(files))
    else:
        arrivals = inline(inputs, registry)
    # The rows received or extracted here form no reference cycles: the cycle
    # collector waits until the import ends rather than walk them again and again.
    with collector_paused():
        try:
            for arrival in arrivals:
                if isinstance(arrival, RejectedFile):
                    if progress:
                        progress(arrival.file, done, total)
                    problem = Problem(arrival.file, arrival.position, arrival.reason)
                    report.files.append(FileResult(arrival.file, Outcome.REJECTED, problems=[problem]))
                else:
                    file, extraction = arrival
                    if progress:
                        progress(file.name, done, total)
                    report.files.append(writer.write(file, extraction))
                done += 1
            writer.commit()
        except BaseException:
            writer.abort()
            raise
        finally:
            arrivals.close()
    if progress:
        progress("", done, done)
    return report


def import_paths(
    vault: Vault,
    paths: Iterable[Path],
    registry: Registry | None = None,
    progress: Progress | None = None,
    on_commit: Callable[[list[FileResult]], None] | None = None,
) -> ImportReport:
    """Import files, zips and folders, reading them one at a time; each file whole or not at all."""
    paths = list(paths)
    total = sum(len(folder_files(p)) if p.is_dir() else 1 for p in paths)  # a zip counts as one
    inputs = (item for path in paths for item in read_inputs(path))
    return import_inputs(vault, inputs, registry, progress, on_commit, total)
