"""Alerts: will this year's out-of-pocket cross the ceiling we set?

A ceiling is a yearly amount of out-of-pocket for the household or for one
person (settings). For the calendar year of ``today`` the alert adds what was
already borne (lines up to today) and the forecast of the year's remaining
months, with the forecast's interval scaled to those months. Its status:

- ``over``: already crossed;
- ``expected``: the central forecast crosses it;
- ``possible``: only the top of the interval crosses it;
- ``ok``: even the top stays below.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from carnet.services.budget.forecast import Forecast
from carnet.services.budget.lines import Entry


@dataclass(frozen=True, slots=True)
class Ceiling:
    """A yearly out-of-pocket ceiling; ``person_id`` None is the whole household."""

    amount: int  # cents
    person_id: int | None = None
    currency: str = "EUR"


@dataclass(frozen=True, slots=True)
class Alert:
    ceiling: Ceiling
    year: int
    spent: int  # cents borne this year up to today
    expected: int  # spent + central forecast of the rest of the year
    high: int  # spent + top of the interval
    status: str

    @property
    def flagged(self) -> bool:
        return self.status != "ok"


def spent_this_year(entries: Iterable[Entry], today: date, person_id: int | None, currency: str) -> int:
    year, limit = str(today.year), today.isoformat()
    return sum(e.oop for e in entries
               if e.currency == currency and e.day and e.day.startswith(year) and e.day <= limit
               and (person_id is None or e.person_id == person_id))


def check(ceilings: Sequence[Ceiling], entries: Sequence[Entry], fit: Forecast, today: date) -> list[Alert]:
    """One alert per ceiling, for the calendar year of ``today``."""
    year = str(today.year)
    inside = [i for i, m in enumerate(fit.months) if m.startswith(year)]
    found = []
    for ceiling in ceilings:
        spent = spent_this_year(entries, today, ceiling.person_id, ceiling.currency)
        band = fit.band(ceiling.currency, ceiling.person_id)
        rest = sum(band.months[i] for i in inside)
        spread = (band.high - band.total) * math.sqrt(len(inside) / len(fit.months)) if fit.months else 0
        expected, high = spent + rest, spent + rest + round(spread)
        if spent > ceiling.amount:
            status = "over"
        elif expected > ceiling.amount:
            status = "expected"
        elif high > ceiling.amount:
            status = "possible"
        else:
            status = "ok"
        found.append(Alert(ceiling, today.year, spent, expected, high, status))
    return found
