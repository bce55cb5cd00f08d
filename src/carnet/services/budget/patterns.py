"""Patterns the forecast builds on: recurring care and equipment renewals.

*Recurring care* is an act bought again and again at a steady rhythm: the
refills of a chronic treatment, a nurse's visits, a monthly blood test. A
series is the dates of one act code of one person; it is recurring when it has
at least ``min_count`` dates whose gaps have a median of at most
``max_gap_days``, and *active* when its last date is recent enough to expect
the next one (twice the usual gap, and at least ``active_days``).

*Equipment* (glasses, hearing aids) is renewed once the renewal period of the
rules (``rules/fr/equipment.yaml``) is over: the forecast looks at the last
equipment and when its period ends.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from statistics import median

from carnet.services.budget.lines import Entry, Member
from carnet.services.reimbursement import FrenchRules
from carnet.services.reimbursement.beneficiary import add_months
from carnet.services.reimbursement.parameters import renewal_months
from carnet.services.reimbursement.timeline import RuleNotInForce

#: budget posts whose equipment is renewed on a legal period
EQUIPMENT: tuple[str, ...] = ("optics", "hearing")
#: renewal periods (months) when no rules are given: optics for adults, hearing aids
DEFAULT_PERIODS: dict[str, int] = {"optics": 24, "hearing": 48}
#: items of one equipment may be bought over a few days (frame, then lenses)
SAME_EQUIPMENT_DAYS = 14


@dataclass(frozen=True, slots=True)
class Series:
    """A recurring act of one person."""

    person_id: int
    category: str
    currency: str
    act: str
    dates: tuple[date, ...]
    #: median days between two dates
    gap_days: float
    #: out-of-pocket per date, mean of the last three (cents)
    cost: int
    active: bool
    line_ids: frozenset[int]

    @property
    def per_month(self) -> float:
        """Expected out-of-pocket per month while it goes on (cents)."""
        return self.cost * 30.4375 / max(self.gap_days, 1.0)


@dataclass(frozen=True, slots=True)
class Equipment:
    """One equipment bought: its first day and what it cost the person (cents)."""

    person_id: int
    category: str
    currency: str
    day: date
    cost: int
    line_ids: frozenset[int]


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


def recurring(entries: Iterable[Entry], today: date, *, min_count: int = 4, max_gap_days: int = 100,
              active_days: int = 45, window_days: int = 3 * 365) -> list[Series]:
    """Recurring series of acts of the last ``window_days`` (see the module docstring), active or not."""
    limit, first = today.isoformat(), date.fromordinal(today.toordinal() - window_days).isoformat()
    groups: dict[tuple[int, str, str, str], dict[str, list[Entry]]] = {}
    for e in entries:
        if e.day is None or not first <= e.day < limit or not e.act or e.category in EQUIPMENT:
            continue
        groups.setdefault((e.person_id, e.category, e.currency, e.act), {}).setdefault(e.day, []).append(e)
    found = []
    for (person, category, currency, act), by_day in groups.items():
        if len(by_day) < min_count:
            continue
        texts = sorted(by_day)
        days = [date.fromisoformat(d) for d in texts]
        gap = float(median((b - a).days for a, b in pairwise(days)))
        if gap > max_gap_days or gap <= 0:
            continue
        costs = [sum(e.oop for e in by_day[d]) for d in texts[-3:]]
        active = (today - days[-1]).days <= max(2 * gap, active_days)
        ids = frozenset(e.id for d in texts for e in by_day[d])
        found.append(Series(person, category, currency, act, tuple(days), gap,
                            round(sum(costs) / len(costs)), active, ids))
    return sorted(found, key=lambda s: (s.person_id, s.category, s.act))


def equipments(entries: Iterable[Entry]) -> list[Equipment]:
    """Equipments bought (optics, hearing): lines of one person within a fortnight form one."""
    by_key: dict[tuple[int, str, str], list[tuple[date, Entry]]] = {}
    for e in entries:
        day = _date(e.day)
        if day is not None and e.category in EQUIPMENT:
            by_key.setdefault((e.person_id, e.category, e.currency), []).append((day, e))
    found = []
    for (person, category, currency), items in by_key.items():
        items.sort(key=lambda item: item[0])
        start: date | None = None
        cost, ids = 0, set[int]()
        for day, e in items:
            if start is not None and (day - start).days > SAME_EQUIPMENT_DAYS:
                found.append(Equipment(person, category, currency, start, cost, frozenset(ids)))
                cost, ids = 0, set[int]()
                start = None
            if start is None:
                start = day
            cost += e.oop
            ids.add(e.id)
        if start is not None:
            found.append(Equipment(person, category, currency, start, cost, frozenset(ids)))
    return sorted(found, key=lambda q: (q.person_id, q.category, q.day))


def renewal_period(category: str, member: Member | None, day: date, rules: FrenchRules | None) -> int:
    """Months between two covered equipments for the person on ``day`` (rules, else defaults)."""
    if rules is None or category not in rules.equipment.renewal:
        return DEFAULT_PERIODS[category]
    age = member.age_on(day) if member is not None else None
    try:
        steps = rules.equipment.renewal[category].value_at(day)
    except RuleNotInForce:
        return DEFAULT_PERIODS[category]
    return renewal_months(steps, age if age is not None and age >= 0 else 40)


def due_day(last: Equipment, member: Member | None, rules: FrenchRules | None) -> date:
    """First day a new equipment is covered again."""
    return add_months(last.day, renewal_period(last.category, member, last.day, rules))
