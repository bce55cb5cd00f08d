"""Fixtures: the French rules and the example contracts, loaded once."""

from __future__ import annotations

import pytest

from carnet.rules import load_contracts, load_rules
from carnet.services.reimbursement import Contract, FrenchRules


@pytest.fixture(scope="session")
def rules() -> FrenchRules:
    return load_rules()


@pytest.fixture(scope="session")
def contracts() -> dict[str, Contract]:
    return {contract.id: contract for contract in load_contracts()}
