"""Forecast: the out-of-pocket of the next twelve months, per person and post, with an interval.

Four parts are added up for each person, post and currency:

- **recurring** care (``patterns.recurring``): each active series goes on at
  its rhythm and its recent cost;
- **renewals** of glasses and hearing aids: when the renewal period of the
  rules ends within the twelve months (or has ended), a new equipment is
  expected with a chance (``ForecastSettings``) at the person's last cost;
- **regular** care: everything else, at the person's rate for the post, a
  mean of the past where each line weighs less as it gets older (half-life
  ``half_life_months``), spread over the months with the household's
  seasonal profile;
- **upcoming** care the person entered (settings): as entered.

The interval (80 % by default) takes the parts as independent: monthly
dispersion of the regular care, a yes/no chance for renewals, a 15 % spread
for recurring care, none for entered care; a normal approximation, floored
at zero. ``backtest.py`` measures both the error and the interval's coverage.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from carnet.services.budget.lines import Entry, Member
from carnet.services.budget.patterns import EQUIPMENT, Equipment, Series, due_day, equipments, recurring
from carnet.services.reimbursement import FrenchRules

DAYS_PER_MONTH = 30.4375


@dataclass(frozen=True, slots=True)
class ForecastSettings:
    """The model's assumptions (docs/budget.md discusses each)."""

    half_life_months: float = 24.0
    #: years of history read (older lines weigh less than 1/8 with a 24-month half-life)
    history_years: int = 6
    #: chance of a new equipment within the year once its renewal period ends in it
    renew_when_due: float = 0.6
    #: … when the period ended before the year began and nothing was bought since
    renew_when_overdue: float = 0.35
    #: seasonal profile shrinkage: the flat profile counts as this many years
    season_weight: float = 2.0
    #: a recurring series' yearly cost varies by this fraction (standard deviation)
    recurring_spread: float = 0.15
    #: two-sided interval: 1.2816 → 80 %
    z: float = 1.2816
    #: care nobody can see coming (a stay, a crown), per person and year: standard deviation, cents
    unforeseen_sd: int = 7500
    #: months over which an expected renewal is spread from its due month
    renewal_months: int = 3


@dataclass(frozen=True, slots=True)
class Upcoming:
    """Care the person knows is coming, entered in the settings."""

    person_id: int
    month: str  # YYYY-MM
    category: str
    oop: int  # expected out-of-pocket, cents
    label: str = ""
    currency: str = "EUR"


@dataclass(frozen=True, slots=True)
class RenewalDue:
    """An equipment the forecast expects (or not) within the twelve months."""

    person_id: int
    category: str
    currency: str
    last_day: date
    due: date
    chance: float
    cost: int  # if it happens, cents


@dataclass(frozen=True, slots=True)
class Cell:
    """Forecast of one person, post and currency: twelve months (cents) and the variance of their sum."""

    person_id: int
    category: str
    currency: str
    months: tuple[int, ...]
    variance: float
    parts: tuple[tuple[str, int], ...]

    @property
    def total(self) -> int:
        return sum(self.months)


@dataclass(frozen=True, slots=True)
class Band:
    """A forecast total with its interval (cents)."""

    months: tuple[int, ...]
    total: int
    low: int
    high: int


@dataclass(frozen=True, slots=True)
class Forecast:
    """Twelve months of forecast: cells per person, post and currency, and what they rest on."""

    months: tuple[str, ...]
    cells: tuple[Cell, ...]
    recurring: tuple[Series, ...]
    renewals: tuple[RenewalDue, ...]
    upcoming: tuple[Upcoming, ...]
    persons: tuple[int, ...]
    settings: ForecastSettings

    def band(self, currency: str, person_id: int | None = None, category: str | None = None) -> Band:
        """Sum of the matching cells (everyone, one person, one post) with its interval.

        The whole of a person (no ``category``) also carries the unforeseen-care variance.
        """
        chosen = [c for c in self.cells if c.currency == currency
                  and (person_id is None or c.person_id == person_id)
                  and (category is None or c.category == category)]
        months = tuple(sum(c.months[i] for c in chosen) for i in range(len(self.months)))
        total = sum(months)
        variance = sum(c.variance for c in chosen)
        if category is None and chosen:
            people = len(self.persons) if person_id is None else 1
            variance += people * self.settings.unforeseen_sd ** 2
        spread = self.settings.z * math.sqrt(variance)
        return Band(months, total, max(0, round(total - spread)), round(total + spread))

    def currencies(self) -> list[str]:
        return sorted({c.currency for c in self.cells}, key=lambda c: (c != "EUR", c))


def horizon(today: date, count: int = 12) -> tuple[str, ...]:
    """The months forecast: from ``today``'s month when it is the 1st, else from the next one."""
    index = today.year * 12 + today.month - 1 + (0 if today.day == 1 else 1)
    return tuple(f"{(index + i) // 12:04d}-{(index + i) % 12 + 1:02d}" for i in range(count))


def _month_start(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def _exposure(start: date, today: date, half_life_days: float) -> float:
    """Weighted months observed between ``start`` and ``today`` (weights halve every half-life)."""
    span = max(0, (today - start).days)
    weighted: float = half_life_days / math.log(2) * (1 - math.pow(0.5, span / half_life_days))
    return weighted / DAYS_PER_MONTH


def seasonal_profile(entries: Iterable[Entry], start: date, today: date, weight: float) -> list[float]:
    """Twelve factors (mean 1), January first, shrunk towards a flat profile."""
    sums = [0.0] * 12
    for e in entries:
        if e.day:
            sums[int(e.day[5:7]) - 1] += e.oop
    seen = [0.0] * 12
    day = date(start.year, start.month, 1)
    while day < today:
        seen[day.month - 1] += 1
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    per = [sums[m] / seen[m] if seen[m] else 0.0 for m in range(12)]
    mean = sum(per) / 12
    if mean <= 0:
        return [1.0] * 12
    years = sum(seen) / 12
    raw = [(p * years + mean * weight) / (years + weight) / mean for p in per]
    norm = sum(raw) / 12
    return [r / norm for r in raw]


class _Cells:
    """The forecast being built: per (person, post, currency), twelve months, a variance, parts."""

    def __init__(self) -> None:
        self.months: dict[tuple[int, str, str], list[float]] = {}
        self.variance: dict[tuple[int, str, str], float] = {}
        self.parts: dict[tuple[int, str, str], dict[str, float]] = {}

    def add(self, key: tuple[int, str, str], part: str, values: list[float], variance: float) -> None:
        months = self.months.setdefault(key, [0.0] * len(values))
        for i, value in enumerate(values):
            months[i] += value
        self.variance[key] = self.variance.get(key, 0.0) + variance
        parts = self.parts.setdefault(key, {})
        parts[part] = parts.get(part, 0.0) + sum(values)

    def cells(self) -> tuple[Cell, ...]:
        found = []
        for key in sorted(self.months):
            rounded = tuple(round(v) for v in self.months[key])
            if any(rounded):
                parts = tuple((k, round(v)) for k, v in sorted(self.parts[key].items()))
                found.append(Cell(*key, rounded, self.variance[key], parts))
        return tuple(found)


def forecast(entries: Sequence[Entry], members: Sequence[Member], today: date,
             rules: FrenchRules | None = None, upcoming: Sequence[Upcoming] = (),
             settings: ForecastSettings | None = None, history_start: date | None = None) -> Forecast:
    """The next twelve months of out-of-pocket (see the module docstring).

    ``entries`` before ``today`` are the history; ``history_start`` is when it
    begins (default: the first line), so that quiet months count too.
    """
    cfg = settings or ForecastSettings()
    months = horizon(today)
    limit = today.isoformat()
    oldest = date(today.year - cfg.history_years, today.month, 1).isoformat()
    past = [e for e in entries if e.day and oldest <= e.day < limit]
    start = history_start or (min(date.fromisoformat(e.day[:10]) for e in past if e.day) if past else today)
    start = max(start, date.fromisoformat(oldest))
    by_id = {m.id: m for m in members}
    cells = _Cells()
    series = recurring(past, today)
    in_series: set[int] = set()
    for s in series:
        in_series |= s.line_ids
        if s.active:
            values = [s.per_month] * len(months)
            cells.add((s.person_id, s.category, s.currency), "recurring", values,
                      (cfg.recurring_spread * sum(values)) ** 2)
    dues = _renewals(past, by_id, rules, months, cfg, upcoming)
    for due in dues:
        cells.add((due.person_id, due.category, due.currency), "renewal", _spread(due, months, cfg),
                  due.chance * (1 - due.chance) * due.cost ** 2)
    regular = [e for e in past if e.id not in in_series and e.category not in EQUIPMENT]
    _regular(regular, by_id, start, today, months, cfg, cells)
    for item in upcoming:
        if item.month in months:
            values = [0.0] * len(months)
            values[months.index(item.month)] = float(item.oop)
            cells.add((item.person_id, item.category, item.currency), "upcoming", values, 0.0)
    persons = tuple(sorted({m.id for m in members} | {e.person_id for e in past}))
    return Forecast(months, cells.cells(), tuple(s for s in series if s.active), tuple(dues),
                    tuple(u for u in upcoming if u.month in months), persons, cfg)


def _regular(regular: Sequence[Entry], by_id: Mapping[int, Member], start: date, today: date,
             months: tuple[str, ...], cfg: ForecastSettings, cells: _Cells) -> None:
    """Each person's rate per post, recent lines weighing more, shaped by the seasonal profile."""
    half_life = cfg.half_life_months * DAYS_PER_MONTH
    profiles = {currency: seasonal_profile((e for e in regular if e.currency == currency), start, today,
                                           cfg.season_weight)
                for currency in {e.currency for e in regular}}
    sums: dict[tuple[int, str, str], float] = {}
    per_month: dict[tuple[int, str, str], dict[str, int]] = {}
    for e in regular:
        key = (e.person_id, e.category, e.currency)
        age = (today - date.fromisoformat(e.month + "-01")).days + 15
        sums[key] = sums.get(key, 0.0) + e.oop * 0.5 ** (age / half_life)
        seen = per_month.setdefault(key, {})
        seen[e.month] = seen.get(e.month, 0) + e.oop
    for key, weighted in sums.items():
        member = by_id.get(key[0])
        own_start = max(start, member.birth_date) if member and member.birth_date else start
        rate = weighted / max(_exposure(own_start, today, half_life), 1.0)
        profile = profiles[key[2]]
        values = [rate * profile[int(m[5:7]) - 1] for m in months]
        observed = max(1, round((today - own_start).days / DAYS_PER_MONTH))
        monthly = [*per_month[key].values(), *[0] * max(0, observed - len(per_month[key]))]
        mean = sum(monthly) / len(monthly)
        variance = sum((v - mean) ** 2 for v in monthly) / max(1, len(monthly) - 1)
        cells.add(key, "regular", values, len(months) * variance)


def _renewals(past: Sequence[Entry], by_id: Mapping[int, Member], rules: FrenchRules | None,
              months: tuple[str, ...], cfg: ForecastSettings, upcoming: Sequence[Upcoming]) -> list[RenewalDue]:
    """Equipments whose renewal period ends before the end of the twelve months."""
    planned = {(u.person_id, u.category) for u in upcoming if u.month in months}
    first = _month_start(months[0])
    last = _month_start(months[-1])
    after = date(last.year + (last.month == 12), last.month % 12 + 1, 1)
    history: dict[tuple[int, str, str], list[Equipment]] = {}
    for q in equipments(past):
        history.setdefault((q.person_id, q.category, q.currency), []).append(q)
    found = []
    for (person, category, currency), bought in sorted(history.items()):
        if (person, category) in planned:
            continue
        due = due_day(bought[-1], by_id.get(person), rules)
        if due >= after:
            continue
        chance = cfg.renew_when_due if due >= first else cfg.renew_when_overdue
        recent = [q.cost for q in bought[-2:]]
        found.append(RenewalDue(person, category, currency, bought[-1].day, due, chance,
                                round(sum(recent) / len(recent))))
    return found


def _spread(due: RenewalDue, months: tuple[str, ...], cfg: ForecastSettings) -> list[float]:
    """The expected cost over the few months after it falls due (all the year when overdue)."""
    key = f"{due.due.year:04d}-{due.due.month:02d}"
    begin = months.index(key) if key in months else 0
    stop = min(len(months), begin + cfg.renewal_months) if key in months else len(months)
    share = due.chance * due.cost / (stop - begin)
    return [share if begin <= i < stop else 0.0 for i in range(len(months))]
