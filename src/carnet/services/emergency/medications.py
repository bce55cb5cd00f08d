"""Current medications, inferred from dispensings, prescriptions and statements.

A drug is current when one of these holds (``today`` given):

- **dispensed**: its last dispensing still covers today. The dispensing covers
  ``daysSupply`` days when the pharmacy said so; else ``quantity`` boxes ×
  :data:`DAYS_PER_BOX` when the quantity is counted in boxes (French claims
  count boxes); else :data:`DEFAULT_WINDOW_DAYS`. :data:`GRACE_DAYS` are added
  for the delay of a renewal. A drug not dispensed for months is not current.
- **prescribed**: an ``active`` MedicationRequest written in the last
  :data:`PRESCRIPTION_WINDOW_DAYS` whose validity period has not ended;
- **statement**: an ``active`` or ``intended`` MedicationStatement whose
  effective period has not ended.

Dispensings of the same drug (same code or label) make one item, dated by the
last one, with ``until`` the last day it covers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from carnet.model import Kind
from carnet.services.emergency.clinical import groups, item_of
from carnet.services.emergency.model import Evidence, Item, Section
from carnet.services.emergency.reading import element, parse_date, quantity

DEFAULT_WINDOW_DAYS = 90
DAYS_PER_BOX = 30
GRACE_DAYS = 30
PRESCRIPTION_WINDOW_DAYS = 365
BOX_UNITS = frozenset({"boîte", "boite", "boîtes", "boites", "box", "boxes", "{box}", "{boîte}", "pack"})
DAY_UNITS = {
    "d": 1,
    "day": 1,
    "days": 1,
    "j": 1,
    "jour": 1,
    "jours": 1,
    "wk": 7,
    "week": 7,
    "weeks": 7,
    "mo": 30,
    "month": 30,
    "months": 30,
}
MEDICATION_KINDS = {Kind.MEDICATION_DISPENSE, Kind.MEDICATION_REQUEST, Kind.MEDICATION_STATEMENT}


def covered_days(dispense: Mapping[str, Any] | None) -> tuple[int, str]:
    """(days a dispensing covers, which rule said so: ``days-supply``, ``boxes`` or ``default``)."""
    supply = quantity(element(dispense, "daysSupply"))
    if supply is not None and supply.value > 0:
        unit = (supply.unit_code or supply.unit or "d").strip().lower()
        return int(supply.value * DAY_UNITS.get(unit, 1)), "days-supply"
    boxes = quantity(element(dispense, "quantity"))
    if boxes is not None and boxes.value > 0 and (boxes.unit_code or boxes.unit or "").strip().lower() in BOX_UNITS:
        return int(boxes.value * DAYS_PER_BOX), "boxes"
    return DEFAULT_WINDOW_DAYS, "default"


def _dispensed_until(ev: Evidence) -> dt.date | None:
    handed = parse_date(ev.record.date)
    if handed is None:
        return None
    days, _ = covered_days(ev.record.resource)
    return handed + dt.timedelta(days=days)


def _period_end(resource: Mapping[str, Any] | None, *path: str) -> dt.date | None:
    value: Any = resource
    for name in path:
        value = element(value, name)
    return parse_date(value)


def _prescribed_until(ev: Evidence, today: dt.date) -> dt.date | None:
    """The last day an active prescription counts (None: not current, today: no end known)."""
    res = ev.record.resource
    if ev.record.status != "active" or element(res, "intent") in ("proposal", "plan"):
        return None
    authored = parse_date(ev.record.date)
    if authored is not None and (today - authored).days > PRESCRIPTION_WINDOW_DAYS:
        return None
    end = _period_end(res, "dispenseRequest", "validityPeriod", "end")
    if end is not None and end < today:
        return None
    return end or (authored + dt.timedelta(days=PRESCRIPTION_WINDOW_DAYS) if authored else today)


def _stated_until(ev: Evidence, today: dt.date) -> dt.date | None:
    """The end of an active statement's period; today when it has none (None: not current)."""
    if ev.record.status not in ("active", "intended"):
        return None
    end = _period_end(ev.record.resource, "effectivePeriod", "end")
    if end is not None and end < today:
        return None
    return end or today


def _evidence_until(ev: Evidence, today: dt.date) -> tuple[dt.date | None, str]:
    kind = ev.record.kind
    if kind is Kind.MEDICATION_DISPENSE:
        if ev.record.status in ("entered-in-error", "cancelled", "declined", "stopped"):
            return None, "dispensed"
        until = _dispensed_until(ev)
        return (until + dt.timedelta(days=GRACE_DAYS) if until else None), "dispensed"
    if kind is Kind.MEDICATION_REQUEST:
        return _prescribed_until(ev, today), "prescribed"
    return _stated_until(ev, today), "statement"


def _dosage(resource: Mapping[str, Any] | None) -> str | None:
    for name in ("dosage", "dosageInstruction"):
        dosages = element(resource, name)
        if isinstance(dosages, list):
            texts = [d["text"] for d in dosages if isinstance(d, Mapping) and isinstance(d.get("text"), str)]
            if texts:
                return "; ".join(texts)
    return None


def medications(evidence: Iterable[Evidence], today: dt.date) -> list[Item]:
    """Current drugs, the most recently evidenced first."""
    items: list[tuple[dt.date, Item]] = []
    for group in groups(ev for ev in evidence if ev.record.kind in MEDICATION_KINDS):
        best: tuple[dt.date, str, Evidence] | None = None
        for ev in group:
            until, basis = _evidence_until(ev, today)
            if until is not None and until >= today and (best is None or until > best[0]):
                best = (until, basis, ev)
        if best is None:
            continue
        until, basis, ev = best
        ordered = [ev, *(other for other in group if other is not ev)]
        flags: tuple[str, ...] = (basis,)
        shown: dt.date | None = None
        if basis == "dispensed":
            shown = until - dt.timedelta(days=GRACE_DAYS)
            flags += (covered_days(ev.record.resource)[1],)
        elif basis == "statement":
            shown = _period_end(ev.record.resource, "effectivePeriod", "end")
        else:
            shown = _period_end(ev.record.resource, "dispenseRequest", "validityPeriod", "end")
        item = item_of(
            Section.MEDICATIONS,
            ordered,
            flags=flags,
            until=shown.isoformat() if shown else None,
            detail=_dosage(ev.record.resource),
        )
        items.append((parse_date(item.date) or today, item))
    return [item for _, item in sorted(items, key=lambda pair: pair[0], reverse=True)]
