"""The person whose act is settled, as far as reimbursement rules care."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months (31 Jan + 1 month → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@dataclass(frozen=True, slots=True)
class Beneficiary:
    """A person covered by the Assurance Maladie.

    Give ``birth_date`` (preferred: the age then follows the care date) or a
    fixed ``age``. ``pregnancy_term`` is the expected (or actual) date of
    birth of a pregnancy; the exemption window around it comes from the rules.
    """

    birth_date: date | None = None
    age: int | None = None
    sex: Sex = Sex.UNKNOWN
    #: recognised affection de longue durée (exonération du ticket modérateur)
    ald: bool = False
    #: a médecin traitant is declared (parcours de soins coordonnés)
    medecin_traitant: bool = True
    pregnancy_term: date | None = None
    #: complémentaire santé solidaire (or AME): no PF, no franchise, no forfait journalier
    c2s: bool = False

    def __post_init__(self) -> None:
        if self.birth_date is None and self.age is None:
            raise ValueError("a beneficiary needs a birth_date or an age")
        if self.age is not None and self.age < 0:
            raise ValueError("age must not be negative")

    def age_on(self, day: date) -> int:
        """Age in whole years on ``day``."""
        if self.birth_date is None:
            assert self.age is not None
            return self.age
        born = self.birth_date
        if day < born:
            raise ValueError(f"care date {day.isoformat()} before birth {born.isoformat()}")
        had_birthday = (day.month, day.day) >= (born.month, born.day)
        return day.year - born.year - (0 if had_birthday else 1)

    def months_old(self, day: date) -> int | None:
        """Age in whole months on ``day`` (None when only a fixed age is known)."""
        if self.birth_date is None:
            return None
        born = self.birth_date
        months = (day.year - born.year) * 12 + day.month - born.month
        if add_months(born, months) > day:
            months -= 1
        return months

    def in_pregnancy_window(self, day: date, months_before: int, days_after: int) -> bool:
        """True from ``months_before`` the term up to ``days_after`` it (inclusive)."""
        if self.pregnancy_term is None:
            return False
        start = add_months(self.pregnancy_term, -months_before)
        end = date.fromordinal(self.pregnancy_term.toordinal() + days_after)
        return start <= day <= end
