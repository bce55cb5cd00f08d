"""What the mutuelle knows of its members: ids, households, contracts, names, residence.

Each household subscribes one contract (shares in ``data/household.yaml``,
ids of ``carnet/rules/contracts``) or is covered by the C2S; it lives in one
département (INSEE weights) and shares a family name. Member numbers and the
pseudonymised SNDS identifier are derived from the person's global number, so
they are unique across chunks and stable for a seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from carnet.restitution.synth import datafiles
from carnet.restitution.synth.arrays import BoolArray, FloatArray, IntArray, rank_in_group
from carnet.restitution.synth.household import SELF, Households, load_rules
from carnet.restitution.synth.population import People, PopulationRules
from carnet.rules.contract import contract_ids

_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd: multiplying by it is a bijection mod 2**64


@dataclass(frozen=True)
class ContractShares:
    ids: tuple[str, ...]
    shares: FloatArray
    c2s_share: float
    c2s_contract: str


@cache
def load_contract_shares() -> ContractShares:
    member = datafiles.section(datafiles.read("household"), "membership", "household.yaml")
    raw = datafiles.section(datafiles.section(member, "contracts", "household.membership"),
                            "shares", "household.membership.contracts")
    ids, shares = datafiles.weights(raw, "household.membership.contracts.shares")
    c2s = datafiles.section(member, "c2s", "household.membership")
    known = set(contract_ids())
    contract = str(datafiles.section(c2s, "contract", "household.membership.c2s"))
    missing = (set(ids) | {contract}) - known
    if missing:
        raise datafiles.SynthDataError(f"household.yaml: unknown contracts {sorted(missing)}")
    return ContractShares(ids, shares, datafiles.share(member, "c2s", "household.membership"),
                          contract)


@dataclass(frozen=True)
class Members:
    """Per person of a chunk."""

    number: IntArray  #: global person number (0-based across the whole run)
    household_number: IntArray  #: global household number
    rank: IntArray  #: 1 for the subscriber, then 2, 3… in the household
    twin_rank: IntArray  #: BEN_RNG_GEM: 1, or 2, 3… for people born the same day in a household
    contract: IntArray  #: index into :meth:`contract_list`
    c2s: BoolArray
    medecin_traitant: BoolArray
    departement: IntArray  #: index into :attr:`PopulationRules.departements`
    family: IntArray  #: index into :attr:`PopulationRules.family`


def contract_list() -> tuple[str, ...]:
    shares = load_contract_shares()
    return (*shares.ids, shares.c2s_contract)


def pseudonym(number: IntArray) -> list[str]:
    """A 17-character pseudonymised NIR (BEN_NIR_PSA) per global person number."""
    mixed = (number.astype(np.uint64) + np.uint64(1)) * _MIX
    return [f"P{int(value):016X}" for value in mixed]


def enrol(people: People, households: Households, rng: np.random.Generator,
          population: PopulationRules, first_person: int, first_household: int) -> Members:
    """Membership attributes; ``households`` numbered locally from 0 in person order."""
    shares = load_contract_shares()
    h = households.household
    contract = rng.choice(len(shares.ids), size=households.count, p=shares.shares)
    c2s = rng.random(households.count) < shares.c2s_share
    contract = np.where(c2s, len(shares.ids), contract)
    departement = rng.choice(len(population.departements), size=households.count,
                             p=population.departement_weights)
    family = rng.integers(0, len(population.family), households.count)
    order = np.lexsort((people.birth, households.role != SELF, h))
    rank = np.empty(len(people), dtype=np.int64)
    rank[order] = rank_in_group(h[order]) + 1
    birth_order = np.lexsort((people.birth, h))
    twin = np.empty(len(people), dtype=np.int64)
    keys = h[birth_order] * 100_000 + people.birth[birth_order] - people.birth.min(initial=0)
    twin[birth_order] = rank_in_group(keys) + 1
    treating = rng.random(len(people)) < load_rules().medecin_traitant_share
    return Members(
        number=first_person + np.arange(len(people), dtype=np.int64),
        household_number=first_household + h, rank=rank, twin_rank=twin,
        contract=contract[h], c2s=c2s[h], medecin_traitant=treating,
        departement=departement[h], family=family[h])
