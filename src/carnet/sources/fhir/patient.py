"""Patient → :class:`Person` (names, birth date, sex, deceased, identifiers)."""

from __future__ import annotations

from typing import Any

from carnet.model import Code, Person
from carnet.sources.fhir.context import Context, at
from carnet.sources.fhir.values import concept, text, valid_date


def _name(res: dict[str, Any]) -> tuple[str | None, str | None]:
    names = res.get("name")
    if type(names) is not list:
        return None, None
    chosen = None
    for name in names:
        if type(name) is dict:
            if chosen is None or name.get("use") == "official":
                chosen = name
            if name.get("use") == "official":
                break
    if chosen is None:
        return None, None
    given = chosen.get("given")
    given_text = " ".join(g for g in given if type(g) is str) if type(given) is list else None
    family = text(chosen.get("family"))
    if not given_text and not family:
        return text(chosen.get("text")), None
    return given_text or None, family


def _identifiers(res: dict[str, Any]) -> tuple[Code, ...]:
    found = res.get("identifier")
    if type(found) is not list:
        return ()
    codes = []
    for ident in found:
        if type(ident) is dict and type(ident.get("value")) is str:
            kind_codes, kind_label = concept(ident.get("type"))
            label = kind_label or (kind_codes[0].code if kind_codes else None)
            codes.append(Code(text(ident.get("system")), ident["value"], label))
    return tuple(codes)


def _deceased(res: dict[str, Any], ctx: Context, pointer: str) -> str | None:
    when = res.get("deceasedDateTime")
    if when is not None:
        if valid_date(when):
            return str(when)
        ctx.warn(at(pointer, "/deceasedDateTime"), f"invalid date {str(when)[:40]!r} dropped")
        return "true"
    return "true" if res.get("deceasedBoolean") is True else None


def person(ctx: Context, res: dict[str, Any], key: str, pointer: str) -> Person:
    """The Person a Patient resource describes (a bad birth date is a warning)."""
    given, family = _name(res)
    birth = res.get("birthDate")
    if birth is not None and not valid_date(birth):
        ctx.warn(at(pointer, "/birthDate"), f"invalid date {str(birth)[:40]!r} dropped")
        birth = None
    return Person(
        natural_key=key,
        given=given,
        family=family,
        birth_date=birth,
        sex=text(res.get("gender")),
        deceased=_deceased(res, ctx, pointer),
        identifiers=_identifiers(res),
        resource=res,
        provenance=ctx.provenance(pointer),
    )
