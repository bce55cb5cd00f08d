"""Conditions, allergies, immunizations and devices: which records still hold.

Records of the same thing from several sources (a SNOMED-coded Condition from
a hospital, the CIM-10 ALD from the Assurance Maladie) are merged when they
share a code or a label; the newest one speaks for the group.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from carnet.model import Kind
from carnet.services.emergency.model import Evidence, Item, Section
from carnet.services.emergency.reading import (
    concept_text,
    element,
    parse_date,
    record_codes,
    record_label,
    status,
)

#: the Carnet extension on the ALD Conditions of the holder packages (see docs/restitution.md)
ALD_EXTENSION = "https://carnet.example/fhir/StructureDefinition/ald-exoneration"
INACTIVE = frozenset({"inactive", "resolved", "remission"})
REFUTED = frozenset({"refuted", "entered-in-error"})
#: SNOMED CT situations saying there is nothing to list
NO_KNOWN_ALLERGY = frozenset({"716186003", "409137002", "428607008", "429625007", "428197003"})
DEVICE_IN_USE = frozenset({"active", "intended", "on-hold", "unknown"})


def groups(evidence: Iterable[Evidence]) -> list[list[Evidence]]:
    """Records about the same thing, newest first; two records share a code or a label."""
    ordered = sorted(evidence, key=lambda e: (e.record.date or "", e.record_id), reverse=True)
    found: list[list[Evidence]] = []
    keys: list[set[str]] = []
    for ev in ordered:
        mine = {f"{c.system}|{c.code}" for c in record_codes(ev.record)} | {record_label(ev.record).casefold()}
        for group, seen in zip(found, keys, strict=True):
            if mine & seen:
                group.append(ev)
                seen |= mine
                break
        else:
            found.append([ev])
            keys.append(mine)
    return found


def item_of(section: Section, group: list[Evidence], **fields: Any) -> Item:
    """An item spoken for by the newest record of ``group``."""
    head = group[0].record
    codes = tuple(dict.fromkeys(c for ev in group for c in record_codes(ev.record)))
    values: dict[str, Any] = {
        "label": record_label(head),
        "record_ids": tuple(ev.record_id for ev in group),
        "date": head.date,
        "source": group[0].source,
        "codes": codes,
        "resource": head.resource,
    }
    return Item(section, **(values | fields))


def _kept(evidence: Iterable[Evidence], kinds: set[Kind], keep: Callable[[Evidence], bool]) -> list[Evidence]:
    return [ev for ev in evidence if ev.record.kind in kinds and keep(ev)]


def ald_period(resource: Mapping[str, Any] | None) -> tuple[str | None, str | None] | None:
    """(start, end) of the ALD exemption a Condition carries, None when it carries none."""
    extensions = element(resource, "extension")
    for ext in extensions if isinstance(extensions, list) else []:
        if not isinstance(ext, Mapping) or ext.get("url") != ALD_EXTENSION:
            continue
        start = end = None
        for part in ext.get("extension") or []:
            period = part.get("valuePeriod") if isinstance(part, Mapping) else None
            if isinstance(period, Mapping):
                start, end = period.get("start"), period.get("end")
        return (start if isinstance(start, str) else None, end if isinstance(end, str) else None)
    return None


def condition_holds(ev: Evidence, today: dt.date) -> bool:
    """Active unless its status says otherwise, it was refuted, it abated or its ALD ended."""
    res, rec = ev.record.resource, ev.record
    clinical = status(element(res, "clinicalStatus")) or rec.status
    if clinical in INACTIVE or status(element(res, "verificationStatus")) in REFUTED:
        return False
    abated = any(k.startswith("abatement") for k in res or {}) or rec.end is not None
    if clinical is None and abated:
        return False
    ald = ald_period(res)
    ended = parse_date(ald[1]) if ald else None
    return not (ended is not None and ended < today)


def conditions(evidence: Iterable[Evidence], today: dt.date) -> list[Item]:
    kept = _kept(evidence, {Kind.CONDITION}, lambda ev: condition_holds(ev, today))
    items = []
    for group in groups(kept):
        ald = next((p for ev in group if (p := ald_period(ev.record.resource))), None)
        items.append(item_of(Section.CONDITIONS, group, flags=("ald",) if ald else (), until=ald[1] if ald else None))
    items.sort(key=lambda i: i.label.casefold())
    return sorted(items, key=lambda i: (i.date or "")[:10], reverse=True)  # newest first, then by name


def allergy_holds(ev: Evidence) -> bool:
    res = ev.record.resource
    clinical = status(element(res, "clinicalStatus")) or ev.record.status
    return clinical not in ("inactive", "resolved") and status(element(res, "verificationStatus")) not in REFUTED


def _reactions(resource: Mapping[str, Any] | None) -> str | None:
    found: list[str] = []
    reactions = element(resource, "reaction")
    for reaction in reactions if isinstance(reactions, list) else []:
        manifestations = element(reaction, "manifestation")
        for m in manifestations if isinstance(manifestations, list) else []:
            text = concept_text(m)
            if text and text not in found:
                found.append(text)
    return ", ".join(found) or None


def allergies(evidence: Iterable[Evidence]) -> list[Item]:
    items = []
    for group in groups(_kept(evidence, {Kind.ALLERGY}, allergy_holds)):
        res = group[0].record.resource
        flags = []
        if any(c.code in NO_KNOWN_ALLERGY for ev in group for c in record_codes(ev.record)):
            flags.append("none-known")
        if element(res, "criticality") == "high":
            flags.append("high-criticality")
        if element(res, "type") == "intolerance":
            flags.append("intolerance")
        items.append(item_of(Section.ALLERGIES, group, flags=tuple(flags), detail=_reactions(res)))
    # what is dangerous first, "no known allergy" last
    return sorted(items, key=lambda i: ("none-known" in i.flags, "high-criticality" not in i.flags))


def immunizations(evidence: Iterable[Evidence]) -> list[Item]:
    done = _kept(evidence, {Kind.IMMUNIZATION}, lambda ev: ev.record.status not in ("not-done", "entered-in-error"))
    seen: set[tuple[str, str | None]] = set()
    items = []
    for ev in sorted(done, key=lambda e: (e.record.date or "", e.record_id), reverse=True):
        key = (record_label(ev.record).casefold(), (ev.record.date or "")[:10] or None)
        if key in seen:
            continue
        seen.add(key)
        items.append(item_of(Section.IMMUNIZATIONS, [ev]))
    return items


def devices(evidence: Iterable[Evidence]) -> list[Item]:
    """Devices and implants in use: a Device without a status counts, a stopped use does not."""
    kept = _kept(evidence, {Kind.DEVICE}, lambda ev: ev.record.status in DEVICE_IN_USE or ev.record.status is None)
    return [item_of(Section.DEVICES, group) for group in groups(kept)]
