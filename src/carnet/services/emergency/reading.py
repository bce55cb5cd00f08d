"""Small readers of FHIR JSON values, tolerant of whatever a source wrote.

Imported resources are kept as they came: any element may be missing or of
an unexpected type, so every reader checks types and returns None rather
than raising.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from carnet.model import Code, Quantity, Record


def concept_codes(concept: Any) -> tuple[Code, ...]:
    """The codings of a CodeableConcept (or of a bare Coding)."""
    if not isinstance(concept, Mapping):
        return ()
    codings = concept.get("coding") if "coding" in concept else [concept]
    if not isinstance(codings, list):
        return ()
    found = []
    for coding in codings:
        if isinstance(coding, Mapping) and isinstance(coding.get("code"), str):
            system, display = coding.get("system"), coding.get("display")
            found.append(
                Code(
                    system if isinstance(system, str) else None,
                    str(coding["code"]),
                    display if isinstance(display, str) else None,
                )
            )
    return tuple(found)


def concept_text(concept: Any) -> str | None:
    """``text``, else the first coding's display, else its code."""
    if not isinstance(concept, Mapping):
        return None
    text = concept.get("text")
    if isinstance(text, str) and text.strip():
        return text.strip()
    for code in concept_codes(concept):
        if code.display:
            return code.display
    codes = concept_codes(concept)
    return codes[0].code if codes else None


def status(value: Any) -> str | None:
    """A status that is a code (``"active"``) or a CodeableConcept of one."""
    if isinstance(value, str):
        return value
    codes = concept_codes(value)
    return codes[0].code if codes else None


def element(resource: Mapping[str, Any] | None, name: str) -> Any:
    return resource.get(name) if isinstance(resource, Mapping) else None


def parse_date(value: Any) -> dt.date | None:
    """The day of an ISO date or dateTime (``2024``, ``2024-05`` count as their first day)."""
    if not isinstance(value, str) or len(value) < 4:
        return None
    text = value[:10]
    if len(text) == 4:
        text += "-01-01"
    elif len(text) == 7:
        text += "-01"
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def quantity(value: Any) -> Quantity | None:
    if not isinstance(value, Mapping):
        return None
    number = value.get("value")
    if isinstance(number, bool) or not isinstance(number, int | float | str):
        return None
    try:
        amount = Decimal(str(number))
    except InvalidOperation:
        return None
    unit, code = value.get("unit"), value.get("code")
    return Quantity(amount, unit if isinstance(unit, str) else None, code if isinstance(code, str) else None)


def record_codes(record: Record) -> tuple[Code, ...]:
    """Every code of a record: its main code first, then the other codings of its resource."""
    found: list[Code] = [record.code] if record.code and record.code.code else []
    found.extend(record.codes)
    resource = record.resource
    for name in ("code", "medicationCodeableConcept", "vaccineCode", "type"):
        found.extend(concept_codes(element(resource, name)))
    seen: set[tuple[str | None, str | None]] = set()
    unique = []
    for code in found:
        if (code.system, code.code) not in seen:
            seen.add((code.system, code.code))
            unique.append(code)
    return tuple(unique)


def record_label(record: Record) -> str:
    """What a person calls the record: its text, else a code display, else the code."""
    for name in ("code", "medicationCodeableConcept", "vaccineCode"):
        text = concept_text(element(record.resource, name))
        if text:
            return text
    if record.text:
        return record.text
    codes = record_codes(record)
    for code in codes:
        if code.display:
            return code.display
    if codes:
        return f"{codes[0].system_label} {codes[0].code}".strip()
    return record.resource_type or record.kind.value
