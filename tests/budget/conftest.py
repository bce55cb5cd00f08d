"""Fixtures of the budget tests: rules, contracts, a household vault, tiny entries."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from carnet.rules import load_contracts, load_rules
from carnet.services.budget import Entry
from carnet.services.reimbursement import Contract, FrenchRules
from carnet.store import Vault

from .household import write_household


@pytest.fixture(scope="session")
def rules() -> FrenchRules:
    return load_rules()


@pytest.fixture(scope="session")
def contracts() -> dict[str, Contract]:
    return {c.id: c for c in load_contracts()}


@pytest.fixture
def today() -> date:
    return date.today()


@pytest.fixture
def household(vault: Vault, today: date) -> Vault:
    """The demo-like household of household.py in a fresh vault."""
    write_household(vault, today)
    return vault


def entry(n: int, day: str, category: str, oop: int, *, person: int = 1, currency: str = "EUR",
          charged: int | None = None, amo: int = 0, amc: int = 0, fixed: int = 0, over: int = 0,
          act: str | None = None, provider: str | None = "Dr A", **extra: Any) -> Entry:
    """An entry in cents; ``charged`` defaults to what the payers add up to."""
    total = charged if charged is not None else amo + amc + oop
    return Entry(n, person, day, category, category, provider, act, currency, total, None, amo, amc, fixed, over,
                 oop, **extra)
