"""When the AMO and the mutuelle pay each line, and which payments are still pending.

Delays after the care date come from ``data/payment.yaml`` (carte Vitale,
paper forms, hospital and pharmacy tiers payant; the mutuelle a few days after
the AMO through NOEMIE). A payment after the last synthesised day, or held for
a document, is pending: its date is null.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from carnet.restitution.synth import datafiles
from carnet.restitution.synth.arrays import BoolArray, IntArray
from carnet.services.reimbursement import Category

_CATEGORIES = tuple(c.value for c in Category)


@dataclass(frozen=True)
class PaymentRules:
    amo_days: IntArray  #: per category (order of :class:`Category`): low, high
    paper_share: float
    paper_days: tuple[int, int]
    processing_before: tuple[int, int]
    amo_stuck: float
    amc_days: IntArray
    amc_stuck: float


def _ranges(default: list[int], by_category: dict[str, list[int]], where: str) -> IntArray:
    unknown = set(by_category) - set(_CATEGORIES)
    if unknown:
        raise datafiles.SynthDataError(f"{where}: unknown categories {sorted(unknown)}")
    return np.array([by_category.get(c, default) for c in _CATEGORIES], dtype=np.int64)


@cache
def load_rules() -> PaymentRules:
    data = datafiles.read("payment")
    amo, amc = data["amo"], data["amc"]
    return PaymentRules(
        amo_days=_ranges(amo["days"], amo.get("by_category", {}), "payment.amo"),
        paper_share=datafiles.share(amo["paper"], "share", "payment.amo.paper"),
        paper_days=(int(amo["paper"]["days"][0]), int(amo["paper"]["days"][1])),
        processing_before=(int(amo["processing_days_before"][0]),
                           int(amo["processing_days_before"][1])),
        amo_stuck=datafiles.share(amo, "stuck_share", "payment.amo"),
        amc_days=_ranges(amc["after_amo_days"], amc.get("by_category", {}), "payment.amc"),
        amc_stuck=datafiles.share(amc, "stuck_share", "payment.amc"))


@dataclass(frozen=True)
class Payments:
    processed: IntArray  #: day the caisse entered the line (FLX_TRT_DTD)
    amo: IntArray  #: AMO payment day
    amo_pending: BoolArray
    amc: IntArray  #: mutuelle payment day
    amc_pending: BoolArray


def schedule(rng: np.random.Generator, day: IntArray, category: IntArray,
             last_day: int) -> Payments:
    """Payment days of lines cared for on ``day`` (``category``: index in :class:`Category`)."""
    rules = load_rules()
    n = day.size
    low, high = rules.amo_days[category, 0], rules.amo_days[category, 1]
    delay = low + (rng.random(n) * (high - low + 1)).astype(np.int64)
    paper = rng.random(n) < rules.paper_share
    delay = np.where(paper, rng.integers(rules.paper_days[0], rules.paper_days[1] + 1, n), delay)
    amo = day + delay
    before = rng.integers(rules.processing_before[0], rules.processing_before[1] + 1, n)
    processed = np.maximum(amo - before, day)
    amo_pending = (amo > last_day) | (rng.random(n) < rules.amo_stuck)
    low, high = rules.amc_days[category, 0], rules.amc_days[category, 1]
    amc = amo + low + (rng.random(n) * (high - low + 1)).astype(np.int64)
    amc_pending = amo_pending | (amc > last_day) | (rng.random(n) < rules.amc_stuck)
    return Payments(processed, amo, amo_pending, amc, amc_pending)


def category_index(category: Category) -> int:
    return _CATEGORIES.index(category.value)
