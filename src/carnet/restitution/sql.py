"""SQL text that DuckDB and Spark SQL read the same way, and a JSON template compiler.

Both engines run the very same SQL, so the SQL written here keeps to a
subset with identical results in both (checked by the byte-identical test):

- string literals never hold a quote or a backslash (Spark reads backslash
  escapes in literals, DuckDB does not): :func:`lit` spells them ``chr(39)``
  and ``chr(92)``;
- text is joined with ``concat_ws('', …)``, which skips NULLs in both (plain
  ``concat`` skips them in DuckDB and returns NULL in Spark);
- the one function whose spelling differs (a global regular expression
  replace) is defined by each engine under one name, ``carnet_clean``
  (:data:`FUNCTIONS`);
- numbers are printed with ``CAST(… AS STRING)`` only: money is first cast to
  ``DECIMAL(18,2)`` ("12.50" in both), never divided, never cast to integers.

:func:`json_sql` turns a JSON-shaped template (dicts, lists, literal values
and :class:`Sql` leaves) into one SQL expression that builds the JSON text.
Optional members and elements are :class:`When` nodes: omitted when their
condition is false. An optional member is never first in its object (the
comma that joins it is part of it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Union

NEWLINE = "chr(10)"
#: the control characters U+0001–U+001F, as a regular expression (RE2 and Java read it alike)
CONTROL = "'[' || chr(1) || '-' || chr(31) || ']'"
#: functions both engines define before running the pipeline: name → (DuckDB macro, Spark SQL function)
FUNCTIONS = {
    "carnet_clean": (
        f"CREATE MACRO carnet_clean(s) AS regexp_replace(s, {CONTROL}, ' ', 'g')",
        f"CREATE TEMPORARY FUNCTION carnet_clean(s STRING) RETURNS STRING RETURN regexp_replace(s, {CONTROL}, ' ')",
    ),
}


@dataclass(frozen=True, slots=True)
class Sql:
    """A SQL expression whose value is JSON text (already quoted when a string)."""

    expr: str


@dataclass(frozen=True, slots=True)
class When:
    """An optional member or array element, present when ``cond`` (SQL) holds."""

    cond: str
    value: Template


Template = Union[Mapping[str, "Template"], Sequence["Template"], str, int, bool, Sql, When, "Items"]


def lit(text: str) -> str:
    """A SQL expression for the constant ``text`` (quotes and backslashes via ``chr``)."""
    pieces: list[str] = []
    run = ""
    for char in text:
        if char in "'\\":
            if run:
                pieces.append(f"'{run}'")
            pieces.append(f"chr({ord(char)})")
            run = ""
        else:
            run += char
    if run or not pieces:
        pieces.append(f"'{run}'")
    return pieces[0] if len(pieces) == 1 else "(" + " || ".join(pieces) + ")"


def clean(expr: str) -> str:
    """``expr`` with every control character (tab, line breaks…) turned to a space."""
    return f"carnet_clean({expr})"


def text(expr: str) -> Sql:
    """A JSON string of any text (escaped); NULL stays NULL."""
    escaped = f"replace(replace({clean(expr)}, chr(92), chr(92) || chr(92)), chr(34), chr(92) || chr(34))"
    return Sql(f"(chr(34) || {escaped} || chr(34))")


_CONTROL_CHARS = re.compile("[\x01-\x1f]")


def clean_py(value: str) -> str:
    """What :func:`clean` does, in Python (for values prepared once, such as labels)."""
    return _CONTROL_CHARS.sub(" ", value)


def json_text(value: str) -> str:
    """What :func:`text` gives, in Python: the same bytes for the same value."""
    return '"' + clean_py(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def token(expr: str) -> Sql:
    """A JSON string of text known to need no escaping (dates, digits, hex ids); NULL stays NULL."""
    return Sql(f"(chr(34) || CAST({expr} AS STRING) || chr(34))")


def number(expr: str) -> Sql:
    """A JSON number from an integer or decimal column."""
    return Sql(f"CAST({expr} AS STRING)")


def amount(expr: str) -> str:
    """Money as text with two decimals ("12.50")."""
    return f"CAST(CAST({expr} AS DECIMAL(18,2)) AS STRING)"


def money(expr: str) -> dict[str, Template]:
    """A FHIR Money in euros."""
    return {"value": Sql(amount(expr)), "currency": "EUR"}


def concat(parts: Sequence[str]) -> str:
    """``concat_ws('', …)`` of SQL expressions (NULL parts are skipped in both engines)."""
    if not parts:
        return "''"
    if len(parts) == 1:
        return parts[0]
    return "concat_ws('', " + ", ".join(parts) + ")"


class Items:
    """Marks the open array whose elements come from other rows (EOB items)."""


ITEMS = Items()


class _Parts:
    """SQL parts of a JSON text, adjacent constants merged; :data:`ITEMS` kept as a marker."""

    def __init__(self) -> None:
        self.items: list[str | Sql | Items] = []

    def const(self, piece: str) -> None:
        if self.items and isinstance(self.items[-1], str):
            self.items[-1] += piece
        else:
            self.items.append(piece)

    def add(self, item: Sql | Items) -> None:
        self.items.append(item)

    def sql(self, items: list[str | Sql | Items] | None = None) -> list[str]:
        parts = self.items if items is None else items
        if any(isinstance(i, Items) for i in parts):
            raise ValueError("ITEMS is only allowed in json_split")
        return [lit(i) if isinstance(i, str) else i.expr for i in parts if i != ""]  # type: ignore[union-attr]


def _emit(node: Template, out: _Parts) -> None:
    if isinstance(node, Sql | Items):
        out.add(node)
    elif isinstance(node, When):
        raise TypeError("When is only allowed as an object member or array element")
    elif isinstance(node, str | int | bool):
        out.const(json.dumps(node, ensure_ascii=False))
    elif isinstance(node, Mapping):
        out.const("{")
        for i, (key, value) in enumerate(node.items()):
            _member(out, f"{',' if i else ''}{json.dumps(key)}:", value, first=i == 0)
        out.const("}")
    else:
        out.const("[")
        for i, value in enumerate(node):
            _member(out, "," if i else "", value, first=i == 0)
        out.const("]")


def _member(out: _Parts, prefix: str, value: Template, first: bool) -> None:
    if isinstance(value, When):
        if first:
            raise ValueError("an optional member cannot be first in its object or array")
        inner = _Parts()
        inner.const(prefix)
        _emit(value.value, inner)
        out.add(Sql(f"CASE WHEN {value.cond} THEN {concat(inner.sql())} END"))
    else:
        out.const(prefix)
        _emit(value, out)


def json_sql(template: Template) -> str:
    """One SQL expression building the JSON text of ``template``."""
    out = _Parts()
    _emit(template, out)
    return concat(out.sql())


def json_split(template: Template) -> tuple[str, str]:
    """SQL for the text of ``template`` before and after its :data:`ITEMS` marker."""
    out = _Parts()
    _emit(template, out)
    marks = [i for i, item in enumerate(out.items) if isinstance(item, Items)]
    if len(marks) != 1:
        raise ValueError("the template must hold ITEMS exactly once")
    at = marks[0]
    return concat(out.sql(out.items[:at])), concat(out.sql(out.items[at + 1 :]))
