"""The budget of a household or of one person, as pages and commands show it.

One call gathers the services over the same inputs: totals by month, post,
provider and person, the forecast, the pending payments and the alerts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from carnet.services.budget.alerts import Alert, Ceiling, check
from carnet.services.budget.forecast import Forecast, ForecastSettings, Upcoming, forecast
from carnet.services.budget.lines import Entry, Member, currencies
from carnet.services.budget.pending import Delays, Pending, pending
from carnet.services.budget.track import By, Summary, in_year, summarize, years
from carnet.services.reimbursement import FrenchRules


@dataclass(frozen=True, slots=True)
class Report:
    """Everything a budget page shows, for ``person`` (None: the household) and ``year``."""

    person: Member | None
    members: tuple[Member, ...]
    year: str | None
    years: tuple[str, ...]
    currencies: tuple[str, ...]
    entries: tuple[Entry, ...]  # of the scope, every year
    by_month: Summary
    by_category: Summary
    by_provider: Summary
    by_person: Summary
    forecast: Forecast
    pending: tuple[Pending, ...]
    alerts: tuple[Alert, ...]

    @property
    def year_entries(self) -> list[Entry]:
        if not self.year:
            return list(self.entries)
        return [e for e in self.entries if e.day is not None and e.day.startswith(self.year)]

    def name_of(self, person_id: int) -> str:
        return next((m.name for m in self.members if m.id == person_id), str(person_id))


def default_year(found: Sequence[str], today: date) -> str | None:
    """This year when it has lines, else the latest year with lines."""
    this = str(today.year)
    return this if this in found else (found[0] if found else None)


def build(members: Sequence[Member], entries: Sequence[Entry], today: date, *, person_id: int | None = None,
          year: str | None = None, rules: FrenchRules | None = None, delays: Delays | None = None,
          upcoming: Sequence[Upcoming] = (), ceilings: Sequence[Ceiling] = (),
          settings: ForecastSettings | None = None) -> Report:
    """The report of the household, or of ``person_id``; ``year`` defaults to :func:`default_year`."""
    person = next((m for m in members if m.id == person_id), None) if person_id is not None else None
    scope = [e for e in entries if person_id is None or e.person_id == person_id]
    people = [m for m in members if person_id is None or m.id == person_id]
    found = years(scope)
    chosen = year if year in found else default_year(found, today)
    first = min((e.day for e in entries if e.day), default=None)
    history_start = date.fromisoformat(first) if first else None
    plans = [u for u in upcoming if person_id is None or u.person_id == person_id]
    fit = forecast(scope, people, today, rules, plans, settings, history_start)
    waiting = pending(scope, delays, today) if delays is not None else []
    mine = [c for c in ceilings if person_id is None or c.person_id == person_id]
    of_year = in_year(scope, chosen)

    def by(group: By) -> Summary:
        return replace(summarize(of_year, group), year=chosen)

    return Report(
        person=person, members=tuple(members), year=chosen, years=tuple(found), currencies=tuple(currencies(scope)),
        entries=tuple(scope), by_month=by(By.MONTH), by_category=by(By.CATEGORY), by_provider=by(By.PROVIDER),
        by_person=by(By.PERSON), forecast=fit, pending=tuple(waiting), alerts=tuple(check(mine, scope, fit, today)),
    )
