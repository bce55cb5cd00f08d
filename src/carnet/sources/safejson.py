"""Safe reading of untrusted JSON and NDJSON (goals G6 and G10).

Everything a hostile file can do to a JSON reader is turned into one clear
:class:`~carnet.errors.RejectedFile` naming the file, the position and the reason:

- a wrong encoding (UTF-16/32, Latin-1 bytes): the byte offset of the first bad byte;
- invalid JSON: ``line L, column C`` from orjson's error;
- nesting deeper than :data:`MAX_DEPTH` (orjson itself stops at 1024, so a
  100,000-deep document never reaches Python's recursion limit), strings longer
  than :data:`MAX_STRING` and arrays longer than :data:`MAX_ITEMS`:
  :func:`check_tree` after parsing.

The FHIR importer checks strings and arrays itself (only in files large enough
to hold one over the limits) and bounds the depth of a resource by what orjson
writes back (:mod:`carnet.sources.fhir.references`); it raises :func:`too_deep`
/ :func:`too_big` so that the messages read the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from carnet.errors import RejectedFile

#: Deepest nesting of objects and arrays accepted (a FHIR resource needs ~15).
MAX_DEPTH = 64
#: Longest single string accepted, in characters.
MAX_STRING = 10 * 1024 * 1024
#: Longest single array accepted.
MAX_ITEMS = 500_000

_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def line_column(data: bytes, offset: int) -> str:
    """``line L, column C`` (1-based, column in bytes) of a byte offset."""
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def check_encoding(data: bytes, name: str) -> bytes:
    """The bytes to parse: UTF-8 without its optional BOM; UTF-16/32 is refused."""
    for bom, label in _BOMS:
        if data.startswith(bom):
            raise RejectedFile(name, "byte 0", f"the file is {label} encoded; Carnet reads UTF-8 JSON")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:]
    head = data[:64]
    if len(head) >= 2 and b"\x00" in head:
        # "{\x00"..." or "\x00{" without a BOM: UTF-16 or UTF-32.
        raise RejectedFile(
            name, f"byte {head.index(0)}", "the file contains NUL bytes (UTF-16?); Carnet reads UTF-8 JSON"
        )
    return data


def _utf8_problem(data: bytes, name: str, line_no: int | None) -> RejectedFile | None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        if line_no is None:
            where = f"byte offset {err.start} ({line_column(data, err.start)})"
        else:
            where = f"line {line_no}, byte offset {err.start} in the line"
        sample = data[err.start : err.start + 4].hex(" ")
        return RejectedFile(
            name, where, f"not valid UTF-8 (bytes {sample}); is it Latin-1 or Windows-1252? Carnet reads UTF-8 JSON"
        )
    return None


def _rejected(err: orjson.JSONDecodeError, data: bytes, name: str, line_no: int | None) -> RejectedFile:
    msg = str(err.msg)
    if "UTF-8" in msg or "surrogate" in msg:
        found = _utf8_problem(data, name, line_no)
        if found is not None:
            return found
    where = f"line {err.lineno if line_no is None else line_no}, column {err.colno}"
    if "depth" in msg or "recursion" in msg:
        return too_deep(name, where)
    return RejectedFile(name, where, f"invalid JSON: {msg}")


def loads(data: bytes, name: str) -> Any:
    """Parse one JSON document; any failure is a :class:`RejectedFile` with its position."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as err:
        raise _rejected(err, data, name, None) from None


def loads_line(line: bytes, name: str, line_no: int) -> Any:
    """Parse one NDJSON line; positions read ``line N, column C``."""
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError as err:
        raise _rejected(err, line, name, line_no) from None


def iter_lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Non-blank lines of an NDJSON file with their 1-based numbers.

    One line is copied at a time (never a list of all lines), so that a large
    file streams in bounded memory.
    """
    start, number, size = 0, 0, len(data)
    while start < size:
        end = data.find(b"\n", start)
        if end < 0:
            end = size
        number += 1
        line = data[start:end]
        if line and not line.isspace():
            yield number, line
        start = end + 1


def too_deep(name: str, position: str, what: str = f"more than {MAX_DEPTH} levels") -> RejectedFile:
    return RejectedFile(name, position, f"JSON nested too deeply ({what})")


def too_big(name: str, position: str, what: str) -> RejectedFile:
    if what == "string":
        return RejectedFile(name, position, f"a JSON string is longer than {MAX_STRING} characters")
    return RejectedFile(name, position, f"a JSON array has more than {MAX_ITEMS} items")


def check_tree(value: Any, name: str, position: str = "", depth: int = 1, strings: bool = True) -> None:
    """Enforce the depth, string and array limits on a parsed document.

    ``strings=False`` skips the string check (worth it when the whole file is
    shorter than :data:`MAX_STRING`, so no string can be longer).
    """
    if depth > MAX_DEPTH:
        raise too_deep(name, position)
    if type(value) is dict:
        for key, item in value.items():
            kind = type(item)
            if kind is dict or kind is list:
                check_tree(item, name, position, depth + 1, strings)
            elif strings and kind is str and len(item) > MAX_STRING:
                raise too_big(name, position, "string")
            if strings and len(key) > MAX_STRING:
                raise too_big(name, position, "string")
    elif type(value) is list:
        if len(value) > MAX_ITEMS:
            raise too_big(name, position, "array")
        for item in value:
            kind = type(item)
            if kind is dict or kind is list:
                check_tree(item, name, position, depth + 1, strings)
            elif strings and kind is str and len(item) > MAX_STRING:
                raise too_big(name, position, "string")
