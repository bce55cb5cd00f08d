"""The import pipeline, one visible list of steps per file:

1. read      — the file into memory (never copied to disk in clear); zips and
               bulk-export folders are expanded safely into several files;
2. skip      — a file whose SHA-256 was already imported adds nothing;
3. identify  — exactly one importer must claim the file;
4. extract   — records and problems, each with provenance;
5. store     — archive the original, then persons, records, claim lines and
               problems in ONE transaction: the file lands whole or not at all.

A rejected file leaves the vault untouched; the other files go on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from carnet.errors import RejectedFile
from carnet.model import Problem
from carnet.sources.base import MAX_FILE_BYTES, InputFile
from carnet.sources.container import expand, expand_folder
from carnet.sources.registry import Registry, default_registry
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


Progress = Callable[[str, int, int], None]


def read_inputs(path: Path) -> Iterator[InputFile | RejectedFile]:
    """Step 1: a file, a zip or a bulk-export folder → files to import."""
    try:
        if path.is_dir():
            yield from expand_folder(path)
            return
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise RejectedFile(str(path), "", f"file too large ({size} bytes; limit {MAX_FILE_BYTES})")
        yield from expand(str(path), path.read_bytes())
    except RejectedFile as err:
        yield err
    except OSError as err:
        yield RejectedFile(str(path), "", f"cannot read: {err.strerror or err}")


def import_file(vault: Vault, file: InputFile, registry: Registry) -> FileResult:
    """Steps 2–5 for one file."""
    with vault.reading() as conn:
        if already_imported(conn, file.sha256):
            return FileResult(file.name, Outcome.ALREADY)
    try:
        importer = registry.claim(file)
        extracted = importer.extract(file)
        with vault.writing() as conn:
            counts = write_extracted(conn, file, importer.name, extracted)
    except RejectedFile as err:
        return FileResult(file.name, Outcome.REJECTED, problems=[Problem(err.file, err.position, err.reason)])
    return FileResult(file.name, Outcome.IMPORTED, importer.name, counts, counts.problems)


def import_inputs(
    vault: Vault,
    inputs: Iterable[InputFile | RejectedFile],
    registry: Registry | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    registry = registry or default_registry()
    report = ImportReport()
    items = list(inputs)
    for i, item in enumerate(items):
        if progress:
            progress(item.file if isinstance(item, RejectedFile) else item.name, i, len(items))
        if isinstance(item, RejectedFile):
            report.files.append(
                FileResult(item.file, Outcome.REJECTED, problems=[Problem(item.file, item.position, item.reason)])
            )
            continue
        report.files.append(import_file(vault, item, registry))
    if progress:
        progress("", len(items), len(items))
    return report


def import_paths(
    vault: Vault, paths: Iterable[Path], registry: Registry | None = None, progress: Progress | None = None
) -> ImportReport:
    """Import files, zips and folders; each file in its own transaction."""
    inputs: list[InputFile | RejectedFile] = []
    for path in paths:
        inputs.extend(read_inputs(path))
    return import_inputs(vault, inputs, registry, progress)
