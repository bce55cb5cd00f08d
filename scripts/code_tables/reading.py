"""Declared tabular sources: column descriptors, encoding detection, rows with their line.

A source file is described, not coded: its path, declared encoding, delimiter,
quoting and the columns we keep (by header name or by position), each with a
parser from :mod:`code_tables.parsing`. :func:`read_source` decodes the file,
walks it with the :mod:`csv` module and yields one :class:`Record` per data
row; a row that cannot be parsed becomes a :class:`Problem` (file, line,
reason) instead of being dropped silently.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from code_tables.parsing import text

Parser = Callable[[str], str]


class SourceError(Exception):
    """A whole file is unusable (missing, undecodable, unexpected header): a bug to fix."""


@dataclass(frozen=True)
class Problem:
    """A row that could not be used, with where it is and why."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass(frozen=True)
class Column:
    """One kept column: our name, where it is in the file, how its text is parsed."""

    name: str
    header: str | None = None
    index: int | None = None
    parse: Parser = text


@dataclass(frozen=True)
class Origin:
    """Where a data set comes from, as its SOURCE.md says."""

    title: str
    origin: str
    extract: str
    licence: str


@dataclass(frozen=True)
class Source:
    """A declared tabular file, relative to the shared data folder."""

    path: str
    origin: Origin
    encoding: str
    delimiter: str
    columns: tuple[Column, ...]
    header: bool = True
    skip_records: int = 0
    quoting: Literal[0, 1, 2, 3] = csv.QUOTE_MINIMAL
    fields: int | None = None


@dataclass(frozen=True)
class Record:
    """A parsed data row: its first physical line and the kept values (normalised text)."""

    line: int
    values: dict[str, str]


@dataclass
class Reading:
    """What reading one file gave: the encoding actually used and its problems."""

    source: Source
    encoding: str = ""
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)


def detect_encoding(data: bytes, declared: str) -> str:
    """Return ``utf-8`` when the bytes are valid UTF-8, else the declared 8-bit encoding.

    Text in cp1252 with accents is practically never valid UTF-8, so trying
    UTF-8 first is safe; a file declared UTF-8 that is not falls back to cp1252.
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        fallback = declared if declared.replace("-", "").lower() != "utf8" else "cp1252"
        try:
            data.decode(fallback)
        except UnicodeDecodeError as error:
            raise SourceError(f"neither UTF-8 nor {fallback}: {error}") from error
        return fallback
    return "utf-8"


def _normalise_header(cell: str) -> str:
    return " ".join(cell.split())


def _positions(source: Source, header: list[str] | None) -> dict[str, int]:
    """Map each declared column to its position, checking header names where declared."""
    names = [_normalise_header(cell) for cell in header] if header is not None else None
    positions: dict[str, int] = {}
    for column in source.columns:
        if column.header is not None:
            if names is None or column.header not in names:
                raise SourceError(f"{source.path}: column {column.header!r} not in header {names}")
            positions[column.name] = names.index(column.header)
        elif column.index is not None:
            positions[column.name] = column.index
        else:
            raise SourceError(f"{source.path}: column {column.name!r} has no header nor index")
    return positions


def read_source(root: Path, source: Source, reading: Reading) -> Iterator[Record]:
    """Yield the parsed rows of ``source``; problems are appended to ``reading``."""
    path = root / source.path
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SourceError(f"{source.path}: cannot read ({error})") from error
    reading.encoding = detect_encoding(data, source.encoding)
    content = data.decode(reading.encoding).removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=source.delimiter, quoting=source.quoting)
    positions = None if source.header else _positions(source, None)
    previous_end = 0
    for number, cells in enumerate(reader):
        line, previous_end = previous_end + 1, reader.line_num
        if number < source.skip_records:
            continue
        if positions is None:
            positions = _positions(source, cells)
            continue
        if not any(cell.strip() for cell in cells):
            continue
        record = _parse_row(source, positions, cells, line, reading)
        if record is not None:
            reading.rows += 1
            yield record


def _parse_row(
    source: Source, positions: dict[str, int], cells: list[str], line: int, reading: Reading
) -> Record | None:
    if source.fields is not None and len(cells) != source.fields:
        reason = f"expected {source.fields} fields, found {len(cells)}"
        reading.problems.append(Problem(source.path, line, reason))
        return None
    values: dict[str, str] = {}
    for column in source.columns:
        position = positions[column.name]
        if position >= len(cells):
            reason = f"column {column.name}: missing (row has {len(cells)} fields)"
            reading.problems.append(Problem(source.path, line, reason))
            return None
        try:
            values[column.name] = column.parse(cells[position])
        except ValueError as error:
            reading.problems.append(Problem(source.path, line, f"column {column.name}: {error}"))
            return None
    return Record(line, values)
