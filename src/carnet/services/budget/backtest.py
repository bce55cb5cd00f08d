"""Backtest: does the forecast beat naive baselines on households' real futures?

Each household's history is cut at ``cutoff``: the forecast is fitted on what
came before and compared with the twelve months after it. Two naive baselines
get the same history:

- **last year repeated**: each month as the same month a year earlier;
- **monthly mean**: the mean monthly out-of-pocket over the whole history.

The main score is the **mean absolute error of the household's twelve-month
out-of-pocket** (euros): what a family planning its year cares about. The
mean absolute error of the monthly figures, the root mean square error of the
yearly ones, the overall bias and the share of households whose actual year
fell in the forecast's 80 % interval are reported too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from carnet.services.budget.forecast import ForecastSettings, forecast, horizon
from carnet.services.budget.lines import Entry, Member
from carnet.services.reimbursement import FrenchRules


@dataclass(frozen=True, slots=True)
class Household:
    id: str
    members: tuple[Member, ...]
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class Score:
    """Errors of one method over all households (euros)."""

    name: str
    mae_year: float
    mae_month: float
    rmse_year: float
    bias_year: float


@dataclass(frozen=True, slots=True)
class Result:
    households: int
    cutoff: date
    months: tuple[str, ...]
    actual_mean: float  # mean twelve-month out-of-pocket per household (euros)
    scores: tuple[Score, ...]
    #: share of households whose actual year is within the forecast's interval
    coverage: float

    def score(self, name: str) -> Score:
        return next(s for s in self.scores if s.name == name)


def _months_of(entries: Iterable[Entry], months: Sequence[str], currency: str) -> list[int]:
    index = {m: i for i, m in enumerate(months)}
    values = [0] * len(months)
    for e in entries:
        i = index.get(e.month)
        if i is not None and e.currency == currency:
            values[i] += e.oop
    return values


def last_year(history: Iterable[Entry], months: Sequence[str], currency: str = "EUR") -> list[int]:
    """Each month as the same month one year earlier."""
    earlier = [f"{int(m[:4]) - 1:04d}{m[4:]}" for m in months]
    return _months_of(history, earlier, currency)


def monthly_mean(history: Sequence[Entry], start: date, cutoff: date, currency: str = "EUR") -> list[int]:
    """The mean monthly out-of-pocket since ``start``, for each of the twelve months."""
    span = (cutoff.year - start.year) * 12 + cutoff.month - start.month
    total = sum(e.oop for e in history if e.currency == currency)
    return [round(total / max(span, 1))] * 12


def backtest(households: Sequence[Household], cutoff: date, rules: FrenchRules | None = None,
             settings: ForecastSettings | None = None, currency: str = "EUR") -> Result:
    """Fit before ``cutoff`` (a 1st of the month), score on the twelve months from it."""
    months = horizon(cutoff)
    limit = cutoff.isoformat()
    errors: dict[str, list[tuple[float, list[float]]]] = {"forecast": [], "last_year": [], "monthly_mean": []}
    bias: dict[str, float] = dict.fromkeys(errors, 0.0)
    inside, actual_sum = 0, 0.0
    starts = [date.fromisoformat(e.day[:10]) for h in households for e in h.entries if e.day]
    start = min(starts) if starts else cutoff
    for h in households:
        history = [e for e in h.entries if e.day and e.day < limit]
        actual = _months_of(h.entries, months, currency)
        fit = forecast(history, h.members, cutoff, rules, settings=settings, history_start=start)
        band = fit.band(currency)
        guesses = {"forecast": list(band.months), "last_year": last_year(history, months, currency),
                   "monthly_mean": monthly_mean(history, start, cutoff, currency)}
        for name, guess in guesses.items():
            gap = (sum(guess) - sum(actual)) / 100
            errors[name].append((gap, [abs(g - a) / 100 for g, a in zip(guess, actual, strict=True)]))
            bias[name] += gap
        inside += band.low <= sum(actual) <= band.high
        actual_sum += sum(actual) / 100
    n = max(1, len(households))
    scores = []
    for name, rows in errors.items():
        scores.append(Score(
            name=name,
            mae_year=sum(abs(g) for g, _ in rows) / n,
            mae_month=sum(sum(m) for _, m in rows) / (n * len(months)),
            rmse_year=math.sqrt(sum(g * g for g, _ in rows) / n),
            bias_year=bias[name] / n,
        ))
    return Result(len(households), cutoff, months, actual_sum / n, tuple(scores), inside / n)
