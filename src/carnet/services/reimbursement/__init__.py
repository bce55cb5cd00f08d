"""French reimbursement engine: who pays what for an act of care, and why.

Pure functions. The rules (``carnet.rules.load_rules()``), the complementary
contract (``carnet.rules.load_contract(id)``) and the person's running
counters come in as arguments; nothing here reads a clock, a file or the
environment. Public API (see ``docs/reimbursement.md``)::

    settle(act, person, counters, rules, contract=None) -> (Settlement, Counters)
    settle_all(acts, person, rules, contract=None, counters=None)
        -> (tuple[Settlement, ...], Counters)
"""

from carnet.services.reimbursement.act import Act, Basket, Category, CodeSystem, Sector
from carnet.services.reimbursement.beneficiary import Beneficiary, Sex
from carnet.services.reimbursement.counters import Counters
from carnet.services.reimbursement.engine import settle, settle_all
from carnet.services.reimbursement.guarantee import (
    BrBasis,
    Contract,
    Guarantee,
    Match,
    Premium,
    SharedCap,
    Situation,
)
from carnet.services.reimbursement.parameters import FrenchRules, MissingRule
from carnet.services.reimbursement.settlement import Settlement, Step
from carnet.services.reimbursement.timeline import Period, RuleNotInForce, Timeline

__all__ = [
    "Act",
    "Basket",
    "Beneficiary",
    "BrBasis",
    "Category",
    "CodeSystem",
    "Contract",
    "Counters",
    "FrenchRules",
    "Guarantee",
    "Match",
    "MissingRule",
    "Period",
    "Premium",
    "RuleNotInForce",
    "Sector",
    "Settlement",
    "Sex",
    "SharedCap",
    "Situation",
    "Step",
    "Timeline",
    "settle",
    "settle_all",
]
