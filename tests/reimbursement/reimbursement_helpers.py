"""Small builders for the reimbursement tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from carnet.services.reimbursement import (
    Act,
    Beneficiary,
    Category,
    CodeSystem,
    Contract,
    Counters,
    FrenchRules,
    Settlement,
    settle,
)

ADULT = Beneficiary(birth_date=date(1985, 4, 2))


def E(text: str) -> Decimal:
    return Decimal(text)


def act(day: str, category: Category, charged: str, **fields: Any) -> Act:
    """An act on ``day`` (ISO) for ``charged`` euros; NGAP unless another system is given."""
    if "code" in fields and "code_system" not in fields:
        fields["code_system"] = CodeSystem.NGAP
    if "base" in fields and isinstance(fields["base"], str):
        fields["base"] = Decimal(fields["base"])
    return Act(day=date.fromisoformat(day), category=category, charged=Decimal(charged), **fields)


def one(rules: FrenchRules, a: Act, person: Beneficiary = ADULT,
        contract: Contract | None = None, counters: Counters | None = None) -> Settlement:
    """Settle a single act with fresh counters and check the balance invariant."""
    s, _ = settle(a, person, counters or Counters.start(a.day.year), rules, contract)
    assert s.charged == s.amo_paid + s.complementary_paid + s.patient_share
    return s
