"""Care events as arrays: who, when, which act, how many, in which visit.

Every generator (:mod:`care`, :mod:`consultation`, :mod:`equipment`,
:mod:`hospital`, :mod:`prevention`) adds batches of events to an
:class:`EventLog`; :meth:`EventLog.build` keeps the events inside the
synthesised years and the person's life, and returns one :class:`Events`.
The helpers draw Poisson counts over person-years and periodic schedules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from carnet.restitution.synth import datafiles
from carnet.restitution.synth.arrays import BoolArray, FloatArray, IntArray
from carnet.restitution.synth.dates import year_start
from carnet.restitution.synth.population import MALE, People

_COLUMNS = ("person", "day", "act", "quantity", "days", "ald", "visit", "rate")


@dataclass(frozen=True)
class Events:
    """One entry per act of care (struct of arrays)."""

    person: IntArray
    day: IntArray
    act: IntArray
    quantity: IntArray
    #: days of a hospital stay (forfait journalier), 0 otherwise
    days: IntArray
    #: the act relates to an ALD the person holds on that day
    ald: BoolArray
    #: events of one visit share a number (they make one décompte)
    visit: IntArray
    #: drug rate forced for this dispensing (flu vaccine for targets), 0: the drug's own
    rate: IntArray

    def __len__(self) -> int:
        return len(self.person)

    def take(self, index: IntArray) -> Events:
        return Events(*(getattr(self, name)[index] for name in _COLUMNS))


@dataclass
class EventLog:
    """Collects event batches; visit numbers are handed out in order."""

    first_day: int
    last_day: int
    _parts: list[tuple[IntArray, ...]] = field(default_factory=list)
    _visits: int = 0

    def visits(self, count: int) -> IntArray:
        """``count`` new visit numbers."""
        start = self._visits
        self._visits += count
        return np.arange(start, start + count, dtype=np.int64)

    def add(self, person: IntArray, day: IntArray, act: int | IntArray, *,
            quantity: int | IntArray = 1, days: int | IntArray = 0,
            ald: bool | BoolArray = False, visit: IntArray | None = None,
            rate: int | IntArray = 0) -> IntArray:
        """Add events (scalars broadcast); a new visit each unless ``visit`` is given."""
        n = len(person)
        if visit is None:
            visit = self.visits(n)

        def full(value: int | bool | IntArray | BoolArray) -> IntArray:
            return np.broadcast_to(np.asarray(value, dtype=np.int64), (n,)).copy()

        self._parts.append((person.astype(np.int64), day.astype(np.int64), full(act),
                            full(quantity), full(days), full(ald), visit.astype(np.int64),
                            full(rate)))
        return visit

    def build(self, people: People) -> Events:
        """All events within the synthesised days and the person's life."""
        if not self._parts:
            empty = np.zeros(0, dtype=np.int64)
            return Events(empty, empty, empty, empty, empty, empty.astype(np.bool_), empty,
                          empty)
        columns = [np.concatenate([part[i] for part in self._parts]) for i in range(8)]
        person, day = columns[0], columns[1]
        keep = ((day >= self.first_day) & (day <= self.last_day)
                & (day >= people.birth[person]) & (day <= people.death[person]))
        kept = [c[keep] for c in columns]
        kept[5] = kept[5].astype(np.bool_)
        return Events(*kept)


def age_rates(starts: IntArray, male: FloatArray, female: FloatArray, people: People,
              ages: IntArray) -> FloatArray:
    """Per-person rate for each person's ``ages``, from male and female band tables."""
    band = datafiles.by_band(starts, ages)
    result: FloatArray = np.where(people.sex == MALE, male[band], female[band])
    return result


def years_of_life(people: People, years: range) -> list[tuple[int, IntArray, IntArray, IntArray]]:
    """For each year: (year, age on 1 July, first and last day alive within the year)."""
    found = []
    for year in years:
        first = int(year_start(np.array([year]))[0])
        last = int(year_start(np.array([year + 1]))[0]) - 1
        mid = first + 181
        ages = (mid - people.birth) // 365.2425
        found.append((year, ages.astype(np.int64), np.maximum(first, people.birth),
                      np.minimum(last, people.death)))
    return found


def poisson_days(rng: np.random.Generator, rate: FloatArray, first: IntArray,
                 last: IntArray) -> tuple[IntArray, IntArray]:
    """Events at ``rate`` a year over each row's days [first, last]: (row, day)."""
    span = np.maximum(last - first + 1, 0)
    counts = rng.poisson(np.maximum(rate, 0.0) * span / 365.25)
    rows = np.repeat(np.arange(len(rate), dtype=np.int64), counts)
    days = first[rows] + (rng.random(rows.size) * span[rows]).astype(np.int64)
    return rows, days


def periodic_days(rng: np.random.Generator, start: IntArray, end: IntArray,
                  every: tuple[float, float], jitter: float = 0.0) -> tuple[IntArray, IntArray]:
    """A schedule per row: every ``every`` days (drawn per row), from a random phase.

    Returns (row, day) for the days within [start, end] of each row.
    """
    n = len(start)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    interval = every[0] + rng.random(n) * (every[1] - every[0])
    span = np.maximum(end - start, 0)
    steps = int(np.ceil(span.max() / max(every[0], 1.0))) + 1
    offsets = rng.random((n, 1)) * interval[:, None] + np.arange(steps)[None, :] * interval[:, None]
    if jitter > 0:
        offsets = offsets + rng.normal(0.0, jitter, offsets.shape)
    days = start[:, None] + np.rint(offsets).astype(np.int64)
    inside = (days >= start[:, None]) & (days <= end[:, None])
    rows = np.broadcast_to(np.arange(n, dtype=np.int64)[:, None], days.shape)
    return rows[inside], days[inside]


def pick(rng: np.random.Generator, weights: FloatArray, size: int) -> IntArray:
    """``size`` draws of an index with probabilities ``weights``."""
    return rng.choice(len(weights), size=size, p=weights).astype(np.int64)
