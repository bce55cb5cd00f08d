"""Dated, cited values: the building block of every reimbursement rule.

A rule value (a rate, an amount, a cap, a list of categories) changes over
time. A :class:`Timeline` holds its successive :class:`Period` values, each
with the dates it is in force, the source that states it and whether that
source was verified. The value that applies to an act is the one in force on
the care date (``Timeline.at(day)``).

Nothing here reads files: ``carnet.rules.loader`` builds timelines from the
YAML rule files and hands them to the engine as arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Generic, TypeVar

T = TypeVar("T")


class RuleNotInForce(LookupError):
    """No value of a rule is in force on the requested day (a gap in the data)."""


@dataclass(frozen=True, slots=True)
class Period(Generic[T]):
    """One value of a rule and the days it is in force.

    ``start`` and ``end`` are inclusive; ``None`` means open (in force since
    before the dates Carnet tracks, or still in force).
    """

    value: T
    start: date | None
    end: date | None
    #: citation of the text stating the value (title and address)
    source: str
    #: stable identifier: ``<file>.<key>@<start>``, e.g. ``participations.pf.amount@2024-05-15``
    rule_id: str
    #: False where the fact sheet marks the value [P] (partly) or [U] (unverified)
    verified: bool = True
    note: str | None = None

    def covers(self, day: date) -> bool:
        """True when the value is in force on ``day``."""
        after_start = self.start is None or self.start <= day
        before_end = self.end is None or day <= self.end
        return after_start and before_end


@dataclass(frozen=True, slots=True)
class Timeline(Generic[T]):
    """The successive values of one rule, in date order, without overlap."""

    key: str
    periods: tuple[Period[T], ...]

    def __post_init__(self) -> None:
        if not self.periods:
            raise ValueError(f"{self.key}: a timeline needs at least one period")
        for before, after in pairwise(self.periods):
            if before.end is None or after.start is None or after.start <= before.end:
                raise ValueError(
                    f"{self.key}: periods overlap or are out of order "
                    f"({before.rule_id} and {after.rule_id})"
                )

    def at(self, day: date) -> Period[T]:
        """The period in force on ``day``; :class:`RuleNotInForce` when there is none."""
        for period in self.periods:
            if period.covers(day):
                return period
        raise RuleNotInForce(f"{self.key}: no value in force on {day.isoformat()}")

    def value_at(self, day: date) -> T:
        """The value in force on ``day``."""
        return self.at(day).value

    def gaps(self, first: date, last: date) -> tuple[tuple[date, date], ...]:
        """Spans of ``[first, last]`` that no period covers (empty when fully covered)."""
        holes: list[tuple[date, date]] = []
        cursor = first
        for period in self.periods:
            if period.end is not None and period.end < cursor:
                continue
            if period.start is not None and period.start > cursor:
                hole_end = min(last, date.fromordinal(period.start.toordinal() - 1))
                holes.append((cursor, hole_end))
            if period.end is None or period.end >= last:
                return tuple(holes)
            cursor = date.fromordinal(period.end.toordinal() + 1)
            if cursor > last:
                return tuple(holes)
        holes.append((cursor, last))
        return tuple(holes)
