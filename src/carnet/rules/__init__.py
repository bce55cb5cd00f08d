"""Rules as data: French reimbursement parameters and complementary contracts.

``load_rules()`` reads ``fr/*.yaml``; ``load_contract(id)`` and
``load_contracts()`` read ``contracts/*.yaml``; ``validate_contract`` reports
the contrat-responsable constraints a contract breaks. Formats:
``docs/rules.md`` and ``docs/contracts.md``.
"""

from carnet.rules.contract import (
    ContractFileError,
    contract_ids,
    load_contract,
    load_contracts,
    parse_contract,
    validate_contract,
)
from carnet.rules.loader import RuleFileError, load_rules

__all__ = [
    "ContractFileError",
    "RuleFileError",
    "contract_ids",
    "load_contract",
    "load_contracts",
    "load_rules",
    "parse_contract",
    "validate_contract",
]
