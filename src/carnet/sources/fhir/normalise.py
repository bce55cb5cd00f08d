"""One FHIR R4 resource → one :class:`Record` (and a :class:`Person` for a Patient).

The resource is kept whole in ``Record.resource`` (as parsed) and ``Record.resource_json``
(canonical, references rewritten: what the vault stores);
the normalised fields are what services read. Problems are values: a bad date
is dropped with a WARNING, an unknown code system is kept with a WARNING.
"""

from __future__ import annotations

from typing import Any

from carnet.model import Code, Record
from carnet.sources.fhir import codes as systems
from carnet.sources.fhir.context import Context, at
from carnet.sources.fhir.kinds import OTHER, SPECS, Spec, status_of
from carnet.sources.fhir.patient import person
from carnet.sources.fhir.references import content_key, person_key, subject_reference
from carnet.sources.fhir.values import concept, start_end, valid_date


def _codes(res: dict[str, Any], spec: Spec) -> tuple[tuple[Code, ...], str | None, str]:
    for key in spec.code:
        value = res.get(key)
        if value is not None:
            codes, label = concept(value)
            if codes or label:
                return codes, label, key
    return (), None, ""


def _check_systems(ctx: Context, codes: tuple[Code, ...], pointer: str, key: str) -> None:
    for i, code in enumerate(codes):
        system = code.system
        if system is None or not systems.is_known(system):
            reason = systems.problem(system, code.code)
            if reason is not None:
                ctx.warn(at(pointer, f"/{key}/coding/{i}"), reason)


def _checked(ctx: Context, value: Any, pointer: str, key: str, what: str) -> str | None:
    if value is None:
        return None
    if valid_date(value):
        return str(value)
    ctx.warn(at(pointer, f"/{key}"), f"invalid {what} {str(value)[:40]!r} dropped")
    return None


def _dates(ctx: Context, res: dict[str, Any], spec: Spec, pointer: str) -> tuple[str | None, str | None]:
    """(date, end): the first date element present; the end of its Period or an end element."""
    date: Any = None
    end: Any = None
    where = where_end = ""
    for key in spec.date:
        value = res.get(key)
        if value is not None:
            date, end = start_end(value)
            where = where_end = key
            break
    if end is None:
        for key in spec.end:
            value = res.get(key)
            if value is not None:
                end, where_end = value, key
                break
    return _checked(ctx, date, pointer, where, "date"), _checked(ctx, end, pointer, where_end, "end date")


def _contained_patient(ctx: Context, res: dict[str, Any], local_id: str, pointer: str) -> str | None:
    """A subject ``#id`` naming a contained Patient becomes a Person keyed by its content."""
    contained = res.get("contained")
    if type(contained) is not list:
        return None
    for i, inner in enumerate(contained):
        if type(inner) is dict and inner.get("id") == local_id:
            if inner.get("resourceType") != "Patient":
                return None
            key = content_key("Patient", inner, ctx.refs)
            if key not in ctx.person_keys:
                ctx.add_person(person(ctx, inner, key, at(pointer, f"/contained/{i}")))
            return key
    ctx.warn(at(pointer, "/contained"), f"reference #{local_id} names no contained resource")
    return None


def about(ctx: Context, res: dict[str, Any], resource_type: str, key: str, pointer: str) -> str | None:
    """Natural key of the patient ``res`` is about, or None for reference data."""
    if resource_type == "Patient":
        return key
    ref = subject_reference(res, ctx.refs)
    if ref is None:
        return None
    if ref.startswith("#"):
        return _contained_patient(ctx, res, ref[1:], pointer)
    return person_key(ref)


def _label(res: dict[str, Any], spec: Spec) -> str | None:
    for key in spec.label:
        value = res.get(key)
        if type(value) is str:
            return value
    return None


def record(
    ctx: Context, res: dict[str, Any], resource_type: str, key: str, pointer: str, resource_json: bytes | None = None
) -> Record:
    """The normalised record of one resource (warnings go to ``ctx``); ``resource_json``:
    its canonical JSON, references rewritten, when the caller has it already."""
    spec = SPECS.get(resource_type, OTHER)
    codes, label, code_key = _codes(res, spec)
    extra = spec.enrich(ctx, res, pointer) if spec.enrich is not None else None
    if codes:
        _check_systems(ctx, codes, pointer, code_key)
    if extra:
        if "codes" in extra:  # read through a reference: checked on the referenced record
            codes = extra.pop("codes")
        label = extra.pop("text", None) or label
    date, end = _dates(ctx, res, spec, pointer)
    about_key = about(ctx, res, resource_type, key, pointer)
    if resource_type == "Patient":
        found = person(ctx, res, key, pointer)
        ctx.add_person(found)
        label, date = found.display_name, found.birth_date
    fields: dict[str, Any] = extra or {}
    return Record(
        kind=spec.kind,
        natural_key=key,
        person_key=about_key,
        provenance=ctx.provenance(pointer),
        resource_type=resource_type,
        date=date,
        end=end,
        code=codes[0] if codes else None,
        codes=codes,
        status=status_of(res, spec.status),
        text=label or _label(res, spec),
        resource=res,
        resource_json=resource_json,
        **fields,
    )
