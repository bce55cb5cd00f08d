"""Small values: timelines, ages, wording."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from carnet.services.reimbursement import Beneficiary, Period, RuleNotInForce, Timeline
from carnet.services.reimbursement.beneficiary import add_months
from carnet.services.reimbursement.wording import cents, eur_en, eur_fr, pct, pct_fr


def _period(value: int, start: date | None, end: date | None) -> Period[int]:
    return Period(value, start, end, source="test", rule_id=f"t@{start}")


def test_timeline_lookup_and_gaps():
    timeline = Timeline("t", (
        _period(1, None, date(2023, 12, 31)),
        _period(2, date(2024, 3, 1), None),
    ))
    assert timeline.value_at(date(2000, 1, 1)) == 1
    assert timeline.at(date(2024, 3, 1)).value == 2
    with pytest.raises(RuleNotInForce, match="t: no value in force on 2024-02-01"):
        timeline.at(date(2024, 2, 1))
    assert timeline.gaps(date(2023, 1, 1), date(2026, 12, 31)) == (
        (date(2024, 1, 1), date(2024, 2, 29)),)


def test_timeline_refuses_overlaps():
    with pytest.raises(ValueError, match="overlap"):
        Timeline("t", (_period(1, None, date(2024, 1, 31)), _period(2, date(2024, 1, 31), None)))
    with pytest.raises(ValueError, match="at least one period"):
        Timeline("t", ())


def test_ages_and_months():
    person = Beneficiary(birth_date=date(2008, 2, 29))
    assert person.age_on(date(2026, 2, 28)) == 17
    assert person.age_on(date(2026, 3, 1)) == 18
    baby = Beneficiary(birth_date=date(2025, 1, 31))
    assert baby.months_old(date(2025, 2, 27)) == 0
    assert baby.months_old(date(2025, 2, 28)) == 1
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 6, 1), -4) == date(2025, 2, 1)
    with pytest.raises(ValueError, match="before birth"):
        baby.age_on(date(2024, 12, 31))
    with pytest.raises(ValueError, match="birth_date or an age"):
        Beneficiary()


def test_wording():
    assert eur_fr(Decimal("1234.5")) == "1 234,50 €"
    assert eur_en(Decimal("1234.5")) == "€1,234.50"
    assert pct(Decimal("0.70")) == "70 %" and pct_fr(Decimal("0.125")) == "12,5 %"
    assert cents(Decimal("0.425")) == Decimal("0.43")
