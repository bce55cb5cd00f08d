"""FHIR datatypes → model values (codes, dates, quantities, money). Nothing here raises.

Input comes straight from ``orjson.loads`` of an untrusted file, so every
accessor checks the JSON type it gets (``type(x) is dict`` is the fast test)
and answers ``None`` for anything else.
"""

from __future__ import annotations

import calendar
import re
from decimal import Decimal
from typing import Any

from carnet.model import Code, Quantity
from carnet.sources.fhir.references import NO_REFS, Refs

UCUM = "http://unitsofmeasure.org"

#: FHIR date / dateTime / instant (R4 §2.24.0.1), a little lenient: seconds and
#: time zone may be missing, as some real exports write them.
_DATE = re.compile(
    r"\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01])"
    r"(?:T(?:[01]\d|2[0-3]):[0-5]\d(?::(?:[0-5]\d|60)(?:\.\d{1,9})?)?(?:Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00))?)?)?)?"
)


def text(value: Any) -> str | None:
    return value if type(value) is str else None


#: memo of date verdicts and of Code objects: real files repeat the same
#: timestamps (one per encounter) and a small vocabulary of codes; Codes are
#: immutable, so records may share them. Both stop growing at CACHE_SIZE.
CACHE_SIZE = 50_000
_dates: dict[str, bool] = {}
_codes: dict[tuple[Any, Any, Any], Code] = {}


def valid_date(value: Any) -> bool:
    """True for a FHIR date, dateTime or instant that names a real day."""
    if type(value) is not str:
        return False
    known = _dates.get(value)
    if known is None:
        known = _DATE.fullmatch(value) is not None
        if known and len(value) >= 10 and value[8:10] > "28":
            year, month = int(value[:4]), int(value[5:7])
            known = int(value[8:10]) <= calendar.monthrange(year, month)[1]
        if len(_dates) < CACHE_SIZE:
            _dates[value] = known
    return known


def _code(system: Any, code: Any, display: Any) -> Code:
    key = (system, code, display)
    cacheable = True
    try:
        found = _codes.get(key)
    except TypeError:  # a list or an object where a string belongs: not hashable
        cacheable, found = False, None
    if found is None:
        found = Code(
            system if type(system) is str else None,
            code if type(code) is str else None,
            display if type(display) is str else None,
        )
        if cacheable and len(_codes) < CACHE_SIZE:
            _codes[key] = found
    return found


def start_end(value: Any) -> tuple[Any, Any]:
    """A Period → (start, end); any other value → (value, None), to be checked as a date."""
    if type(value) is dict:
        return value.get("start"), value.get("end")
    return value, None


def concept(value: Any) -> tuple[tuple[Code, ...], str | None]:
    """A CodeableConcept, a Coding or a list of either → (codes, label)."""
    if type(value) is list:
        value = value[0] if value else None
    if type(value) is not dict:
        return (), None
    codings = value.get("coding")
    if codings is None and ("code" in value or "system" in value):
        codings = (value,)
    label = value.get("text")
    if type(label) is not str:
        label = None
    if type(codings) is not list and type(codings) is not tuple:
        return (), label
    codes = tuple(
        _code(coding.get("system"), coding.get("code"), coding.get("display"))
        for coding in codings
        if type(coding) is dict
    )
    if label is None and codes:
        label = codes[0].display
    return codes, label


def _first_coding(value: dict[str, Any]) -> dict[str, Any] | None:
    codings = value.get("coding")
    if type(codings) is list and codings and type(codings[0]) is dict:
        return codings[0]
    return None


def code_of(value: Any) -> str | None:
    """The code of a status that may be a plain code, a Coding or a CodeableConcept."""
    if type(value) is str:
        return value
    if type(value) is not dict:
        return None
    coding = _first_coding(value) or value
    code = coding.get("code")
    return code if type(code) is str else text(value.get("text"))


def label_of(value: Any) -> str | None:
    """A human label for a CodeableConcept: its text, else the first display, else the code."""
    if type(value) is list:
        value = value[0] if value else None
    if type(value) is not dict:
        return None
    label = value.get("text")
    if type(label) is str:
        return label
    coding = _first_coding(value) or value
    label = coding.get("display")
    if type(label) is str:
        return label
    code = coding.get("code")
    return code if type(code) is str else None


def decimal(value: Any) -> Decimal | None:
    """A JSON number → Decimal (floats through their shortest repr, as written)."""
    kind = type(value)
    if kind is int:
        return Decimal(value)
    if kind is float:
        return Decimal(repr(value))
    return None


def quantity(value: Any) -> Quantity | None:
    """A FHIR Quantity with its UCUM code when the system is UCUM."""
    if type(value) is not dict:
        return None
    number = decimal(value.get("value"))
    if number is None:
        return None
    unit, code = text(value.get("unit")), text(value.get("code"))
    if value.get("system") == UCUM:
        return Quantity(number, unit or code, code)
    return Quantity(number, unit or code, None)


def quantity_text(value: Any) -> str | None:
    """A Quantity as ``"12.5 mg"`` (for ranges and ratios)."""
    q = quantity(value)
    if q is None:
        return None
    comparator = text(value.get("comparator")) or ""
    return f"{comparator}{q.value} {q.unit}" if q.unit else f"{comparator}{q.value}"


def range_text(value: Any) -> str | None:
    """A Range or a reference range as ``"3.5–5.0 mmol/L"``."""
    if type(value) is not dict:
        return None
    given = text(value.get("text"))
    if given:
        return given
    low, high = quantity_text(value.get("low")), quantity_text(value.get("high"))
    if low and high:
        return f"{low}–{high}"
    if low:
        return f"≥ {low}"
    if high:
        return f"≤ {high}"
    return None


def reference_label(value: Any, refs: Refs = NO_REFS) -> str | None:
    """What a Reference points to, for display: the (rewritten) reference, else its display."""
    if type(value) is list:
        value = value[0] if value else None
    if type(value) is not dict:
        return None
    ref = value.get("reference")
    if type(ref) is str:
        return refs.resolve(ref)
    display = value.get("display")
    if type(display) is str:
        return display
    ident = value.get("identifier")
    if type(ident) is dict and type(ident.get("value")) is str:
        return str(ident["value"])
    return None
