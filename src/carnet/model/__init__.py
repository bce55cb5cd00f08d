"""Records and values of a vault: frozen dataclasses, no I/O.

Nothing in this package imports anything else from ``carnet``.
"""

from carnet.model.records import (
    ClaimLine,
    Extracted,
    Kind,
    Person,
    Record,
)
from carnet.model.values import Code, Money, Problem, Provenance, Quantity, Severity

__all__ = [
    "ClaimLine",
    "Code",
    "Extracted",
    "Kind",
    "Money",
    "Person",
    "Problem",
    "Provenance",
    "Quantity",
    "Record",
    "Severity",
]
