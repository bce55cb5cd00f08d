"""Tables as built, and how they are written: deterministic gzip-compressed UTF-8 CSV."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from code_tables.reading import Problem, Reading


@dataclass
class Table:
    """One compact table: its file name, columns, rows and what it was built from."""

    name: str
    description: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    rows: list[dict[str, str]] = field(default_factory=list)
    readings: list[Reading] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: tuple[str, ...] = ()

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv.gz"

    def all_problems(self) -> list[Problem]:
        """Problems of the table itself and of every file read for it."""
        found = [problem for reading in self.readings for problem in reading.problems]
        return found + self.problems


def deduplicate(table: Table, path: str, rows: Iterable[tuple[int, dict[str, str]]]) -> None:
    """Add ``(line, row)`` pairs read from ``path``, keeping the first row for each key.

    A later row with the same key becomes a problem at its own line.
    """
    seen = {tuple(row[name] for name in table.key) for row in table.rows}
    for line, row in rows:
        key = tuple(row[name] for name in table.key)
        if key in seen:
            reason = f"duplicate key {'/'.join(key)} (first occurrence kept)"
            table.problems.append(Problem(path, line, reason))
            continue
        seen.add(key)
        table.rows.append(row)


def csv_bytes(table: Table) -> bytes:
    """The table as UTF-8 CSV text: header, then rows sorted by key, ``\\n`` line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    ordered = sorted(table.rows, key=lambda row: tuple(_sort_key(row[k]) for k in table.key))
    for row in ordered:
        writer.writerow([row[column] for column in table.columns])
    return buffer.getvalue().encode("utf-8")


def _sort_key(value: str) -> tuple[int, int, str]:
    """Numeric codes sort as numbers (2 before 10), other codes as text."""
    return (0, int(value), "") if value.isdigit() else (1, 0, value)


def write_table(table: Table, folder: Path) -> Path:
    """Write ``<name>.csv.gz`` with gzip mtime 0 and no file name: same input, same bytes."""
    target = folder / table.file_name
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as out:
        out.write(csv_bytes(table))
    target.write_bytes(buffer.getvalue())
    return target
