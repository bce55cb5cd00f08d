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

:func:`json_sql` turns a JSON-shaped template (dicts, lists, literal values,
:class:`Sql` and :class:`Concat` leaves) into one SQL expression that builds
the JSON text: a ``concat_ws`` whose constant parts are merged. Optional
members and elements are :class:`When` nodes: omitted when their condition is
false; their parts are one ``CASE WHEN cond THEN concat_ws(…) END``, nested
as the template nests them, so that each condition is evaluated once per row
(a flat ``CASE`` per part evaluated them over and over: ~10 % slower on the
ExplanationOfBenefit). An optional member is never first in its object
(the comma that joins it is part of it). :func:`json_text` and
:func:`clean_py` say in Python what the SQL does, for values prepared once.
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
class Concat:
    """Pieces written one after the other: constants (``str``) and SQL text (:class:`Sql`)."""

    pieces: tuple[str | Sql, ...]


@dataclass(frozen=True, slots=True)
class When:
    """An optional member or array element, present when ``cond`` (SQL) holds."""

    cond: str
    value: Template


Template = Union[Mapping[str, "Template"], Sequence["Template"], str, int, bool, Sql, Concat, When, "Items"]


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


def escape(expr: str) -> str:
    """SQL of ``expr`` (without control characters) escaped for a JSON string, quotes excluded."""
    return f"replace(replace({expr}, chr(92), chr(92) || chr(92)), chr(34), chr(92) || chr(34))"


def text(expr: str) -> Concat:
    """A JSON string of any text (cleaned and escaped)."""
    return trusted(clean(expr))


def trusted(expr: str) -> Concat:
    """A JSON string of text without control characters (Carnet's labels, cleaned text)."""
    return Concat(('"', Sql(escape(expr)), '"'))


_CONTROL_CHARS = re.compile("[\x01-\x1f]")


def clean_py(value: str) -> str:
    """What :func:`clean` does, in Python (for values prepared once, such as labels)."""
    return _CONTROL_CHARS.sub(" ", value)


def json_text(value: str) -> str:
    """What :func:`text` gives, in Python: the same bytes for the same value."""
    return '"' + clean_py(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def token(expr: str, prefix: str = "") -> Concat:
    """A JSON string of text that needs no escaping (dates, digits, hex ids), after ``prefix``."""
    return Concat((f'"{prefix}', Sql(f"CAST({expr} AS STRING)"), '"'))


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


#: a part of a JSON text: a constant, SQL text or the ITEMS marker, under the conditions of the
#: optional members that hold it (outermost first)
_Part = tuple["str | Sql | Items", tuple[str, ...]]


def _nested(parts: Sequence[_Part], depth: int = 0) -> list[str]:
    """SQL of ``parts``: a run of parts under one more condition is one ``CASE`` around their
    ``concat_ws`` (each condition is evaluated once per row, not once per part)."""
    out: list[str] = []
    i = 0
    while i < len(parts):
        item, conds = parts[i]
        if len(conds) == depth:
            if isinstance(item, Items):
                raise ValueError("ITEMS is only allowed in json_split")
            out.append(lit(item) if isinstance(item, str) else item.expr)
            i += 1
            continue
        j = i + 1
        while j < len(parts) and parts[j][1][depth : depth + 1] == conds[depth : depth + 1]:
            j += 1
        out.append(f"CASE WHEN {conds[depth]} THEN {concat(_nested(parts[i:j], depth + 1))} END")
        i = j
    return out


class _Parts:
    """The SQL parts of a JSON text, flat: an optional part carries its conditions.

    Adjacent constants under the same conditions merge; an optional member is
    not built as a string of its own but as conditional parts of its parent's
    ``concat_ws`` (a NULL part is skipped), so each byte is written once.
    """

    def __init__(self) -> None:
        self.items: list[_Part] = []

    def const(self, piece: str, conds: tuple[str, ...]) -> None:
        if self.items and isinstance(self.items[-1][0], str) and self.items[-1][1] == conds:
            self.items[-1] = (self.items[-1][0] + piece, conds)
        elif piece:
            self.items.append((piece, conds))

    def add(self, item: Sql | Items, conds: tuple[str, ...]) -> None:
        self.items.append((item, conds))

    def sql(self, cond: str | None = None, items: list[_Part] | None = None) -> list[str]:
        """The parts, all under ``cond`` too when given."""
        parts = self.items if items is None else items
        if cond is None:
            return _nested(parts)
        return _nested([(item, (cond, *conds)) for item, conds in parts])


def _emit(node: Template, out: _Parts, conds: tuple[str, ...]) -> None:
    if isinstance(node, Sql | Items):
        out.add(node, conds)
    elif isinstance(node, Concat):
        for piece in node.pieces:
            out.const(piece, conds) if isinstance(piece, str) else out.add(piece, conds)
    elif isinstance(node, When):
        raise TypeError("When is only allowed as an object member or array element")
    elif isinstance(node, str | int | bool):
        out.const(json.dumps(node, ensure_ascii=False), conds)
    elif isinstance(node, Mapping):
        out.const("{", conds)
        for i, (key, value) in enumerate(node.items()):
            _member(out, f"{',' if i else ''}{json.dumps(key)}:", value, i == 0, conds)
        out.const("}", conds)
    else:
        out.const("[", conds)
        for i, value in enumerate(node):
            _member(out, "," if i else "", value, i == 0, conds)
        out.const("]", conds)


def _member(out: _Parts, prefix: str, value: Template, first: bool, conds: tuple[str, ...]) -> None:
    if isinstance(value, When):
        if first:
            raise ValueError("an optional member cannot be first in its object or array")
        inner = (*conds, value.cond)
        out.const(prefix, inner)
        _emit(value.value, out, inner)
    else:
        out.const(prefix, conds)
        _emit(value, out, conds)


def json_parts(template: Template, cond: str | None = None) -> list[str]:
    """The SQL parts of the JSON text of ``template`` (each part only when ``cond``)."""
    out = _Parts()
    _emit(template, out, ())
    return out.sql(cond)


def json_sql(template: Template) -> str:
    """One SQL expression building the JSON text of ``template``."""
    return concat(json_parts(template))


def json_split(template: Template, head: str, tail: str) -> tuple[list[str], list[str]]:
    """The SQL parts of ``template`` before and after its :data:`ITEMS` marker, under ``head``
    and ``tail`` conditions (the first and last rows of the elements that fill the array)."""
    out = _Parts()
    _emit(template, out, ())
    marks = [i for i, (item, _) in enumerate(out.items) if isinstance(item, Items)]
    if len(marks) != 1:
        raise ValueError("the template must hold ITEMS exactly once")
    at = marks[0]
    return out.sql(head, out.items[:at]), out.sql(tail, out.items[at + 1 :])
