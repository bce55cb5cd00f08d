"""Drugs by molecule: real CIP13 presentations from the BDPM drug table.

``data/formulary.yaml`` names each molecule with a name pattern and its ATC
class; the presentations kept are those of the drug table whose name matches,
that are marketed and have a price and a reimbursement rate. A chronic
treatment is dispensed in standard packs (28-30 units) or large packs (84-90)
when the molecule has them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from types import MappingProxyType

import numpy as np

from carnet.restitution.synth import datafiles
from carnet.restitution.synth.arrays import FloatArray, IntArray
from carnet.rules.tables import Drug, load_drugs

_UNITS = re.compile(r"(\d+)\s*(?:comprimé|gélule|sachet|capsule)", re.IGNORECASE)
STANDARD_PACKS = frozenset({28, 30})
LARGE_PACKS = frozenset({84, 90})


@dataclass(frozen=True)
class Presentation:
    """One box: its CIP13, price with the dispensing fee (cents), rate and days covered."""

    cip13: str
    price: int
    rate: int
    supply_days: int
    large: bool


@dataclass(frozen=True)
class Molecule:
    key: str
    atc: str
    presentations: tuple[Presentation, ...]
    #: boxes per dispensing (acute drugs): values and probabilities
    boxes: tuple[IntArray, FloatArray]

    def candidates(self, large: bool) -> tuple[Presentation, ...]:
        """Standard or large packs when the molecule has both kinds, else all boxes."""
        packs = [p for p in self.presentations if p.large == large]
        return tuple(packs) if packs else self.presentations


class FormularyError(LookupError):
    """A molecule of the formulary matches no usable presentation of the drug table."""


def _units(presentation: str) -> int | None:
    found = [int(n) for n in _UNITS.findall(presentation)]
    return max(found) if found else None


def _price(drug: Drug) -> int | None:
    price = drug.price_with_fee
    if price is None and drug.price is not None:
        price = drug.price + (drug.dispensing_fee or Decimal(0))
    return None if price is None else int((price * 100).to_integral_value())


def _presentations(pattern: re.Pattern[str], units_per_day: float | None,
                   supply_days: int | None) -> tuple[Presentation, ...]:
    found: list[Presentation] = []
    for drug in load_drugs().values():
        price = _price(drug)
        if not drug.marketed or price is None or drug.rate is None:
            continue
        if not pattern.search(drug.name):
            continue
        units = _units(drug.presentation)
        if units_per_day is not None and units is not None:
            days = max(1, round(units / units_per_day))
        else:
            days = supply_days or 30
        found.append(Presentation(drug.cip13, price, drug.rate, days,
                                  units is not None and units in LARGE_PACKS))
    if units_per_day is not None:
        packs = [p for p in found if _units_of(p) in STANDARD_PACKS | LARGE_PACKS]
        found = packs or found
    return tuple(sorted(found, key=lambda p: p.cip13))


def _units_of(presentation: Presentation) -> int | None:
    drug = load_drugs()[presentation.cip13]
    return _units(drug.presentation)


@cache
def load_formulary() -> Mapping[str, Molecule]:
    """Molecules by key, each with its presentations sorted by CIP13."""
    data = datafiles.read("formulary")
    molecules: dict[str, Molecule] = {}
    for key, raw in datafiles.section(data, "molecules", "formulary.yaml").items():
        where = f"formulary.molecules.{key}"
        pattern = re.compile(str(datafiles.section(raw, "match", where)), re.IGNORECASE)
        per_day = raw.get("units_per_day")
        supply = raw.get("supply_days")
        found = _presentations(pattern, None if per_day is None else float(per_day),
                               None if supply is None else int(supply))
        if not found:
            raise FormularyError(f"{where}: no marketed, priced presentation matches")
        values, probabilities = datafiles.weights(raw.get("boxes", {1: 1.0}), f"{where}.boxes")
        molecules[key] = Molecule(
            key, str(datafiles.section(raw, "atc", where)), found,
            (np.array([int(v) for v in values], dtype=np.int64), probabilities))
    return MappingProxyType(molecules)


def all_presentations() -> tuple[str, ...]:
    """Every CIP13 the formulary may dispense, sorted."""
    return tuple(sorted({p.cip13 for m in load_formulary().values() for p in m.presentations}))
