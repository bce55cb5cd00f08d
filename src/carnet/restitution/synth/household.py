"""Households of 1 to 6 people, formed from people already drawn from the pyramid.

Children (minors, and some young adults) are grouped into sibling sets of close
ages; each set gets a mother and/or a father whose ages fit the eldest child;
some other adults live as couples; everybody else lives alone. Parents and
partners are matched by age rank among weighted candidates, so the age
pyramid drawn by :mod:`population` is kept exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from carnet.restitution.synth import datafiles
from carnet.restitution.synth.arrays import BoolArray, FloatArray, IntArray, weighted_pick
from carnet.restitution.synth.population import FEMALE, MALE, People

SELF, SPOUSE, CHILD = 0, 1, 2
ROLE_NAMES = ("self", "spouse", "child")
_MAX_AGE = 130


@dataclass(frozen=True)
class HouseholdRules:
    at_home_until: int
    young_ages: tuple[int, int]
    young_share: float
    family_sizes: IntArray
    family_shares: FloatArray
    sibling_spread: float
    single_parent_share: float
    single_mother_share: float
    mother_age: tuple[float, float, float, float]  # mean, sd, min, max
    partner_gap: tuple[float, float]  # mean, sd
    couple_starts: IntArray
    couple_shares: FloatArray
    medecin_traitant_share: float


@cache
def load_rules() -> HouseholdRules:
    data = datafiles.read("household")
    kids = datafiles.section(data, "children", "household.yaml")
    where = "household.children"
    young = datafiles.section(kids, "young_adults_at_home", where)
    sizes = datafiles.section(datafiles.section(kids, "family_sizes", where), "shares", where)
    keys, shares = datafiles.weights(sizes, f"{where}.family_sizes")
    mother = datafiles.section(kids, "mother_age_at_eldest", where)
    gap = datafiles.section(kids, "partner_age_gap", where)
    couples = datafiles.section(data, "couples", "household.yaml")
    starts, table = datafiles.bands(datafiles.section(couples, "bands", "household.couples"),
                                    ("share",), "household.couples.bands")
    member = datafiles.section(data, "membership", "household.yaml")
    return HouseholdRules(
        at_home_until=int(datafiles.number(kids, "at_home_until_age", where)),
        young_ages=(int(young["from"]), int(young["to"])),
        young_share=datafiles.share(young, "share", f"{where}.young_adults_at_home"),
        family_sizes=np.array([int(k) for k in keys], dtype=np.int64),
        family_shares=shares,
        sibling_spread=datafiles.number(
            datafiles.section(kids, "sibling_age_spread", where), "value", where),
        single_parent_share=datafiles.share(kids, "single_parent_share", where),
        single_mother_share=datafiles.share(kids, "single_parent_mother_share", where),
        mother_age=tuple(datafiles.number(mother, k, where)  # type: ignore[arg-type]
                         for k in ("mean", "sd", "min", "max")),
        partner_gap=(datafiles.number(gap, "mean", where), datafiles.number(gap, "sd", where)),
        couple_starts=starts,
        couple_shares=table[:, 0],
        medecin_traitant_share=datafiles.share(member, "medecin_traitant",
                                               "household.membership"),
    )


@dataclass(frozen=True)
class Households:
    """Per person (in the order of the people passed): household number and role."""

    household: IntArray
    role: IntArray
    count: int


def form_households(people: People, rng: np.random.Generator,
                    rules: HouseholdRules) -> Households:
    """Group ``people`` into households; every person belongs to exactly one."""
    n = len(people)
    household = np.full(n, -1, dtype=np.int64)
    role = np.full(n, SELF, dtype=np.int64)
    young = (people.age >= rules.young_ages[0]) & (people.age <= rules.young_ages[1])
    is_child = (people.age <= rules.at_home_until) | (young & (rng.random(n) < rules.young_share))
    used = is_child.copy()
    families = _families(rng, rules, people, np.flatnonzero(is_child), household, role)
    single = rng.random(families.size) < rules.single_parent_share
    with_mother = ~single | (rng.random(families.size) < rules.single_mother_share)
    with_father = ~single | ~with_mother
    mean, sd, low, high = rules.mother_age
    mother_target = families + np.clip(rng.normal(mean, sd, families.size), low, high)
    sets = np.arange(families.size)
    mothers = _match(rng, people, used, FEMALE, mother_target[with_mother])
    _place(mothers, sets[with_mother], household, role, used, SELF)
    gap_mean, gap_sd = rules.partner_gap
    has_mother = np.zeros(families.size, dtype=np.bool_)
    has_mother[sets[with_mother][mothers >= 0]] = True
    mother_age = np.zeros(families.size)
    mother_age[sets[with_mother][mothers >= 0]] = people.age[mothers[mothers >= 0]]
    father_target = np.where(has_mother, mother_age, mother_target) + rng.normal(
        gap_mean, gap_sd, families.size)
    fathers = _match(rng, people, used, MALE, father_target[with_father])
    _place(fathers, sets[with_father], household, role, used,
           np.where(has_mother[with_father], SPOUSE, SELF))
    count = families.size
    count = _couples(rng, rules, people, used, household, role, count)
    alone = np.flatnonzero(household < 0)
    household[alone] = count + np.arange(alone.size)
    _orphan_sets(household, role)
    return Households(household, role, count + alone.size)


def _families(rng: np.random.Generator, rules: HouseholdRules, people: People,
              children: IntArray, household: IntArray, role: IntArray) -> FloatArray:
    """Split children into sibling sets (numbered from 0); the eldest age of each set."""
    if children.size == 0:
        return np.zeros(0)
    noisy = people.age[children] + rng.normal(0.0, rules.sibling_spread, children.size)
    order = children[np.argsort(noisy, kind="stable")]
    sizes = rng.choice(rules.family_sizes, size=children.size, p=rules.family_shares)
    ends = np.cumsum(sizes)
    count = int(np.searchsorted(ends, children.size)) + 1
    members = np.repeat(np.arange(count), sizes[:count])[: children.size]
    household[order] = members
    role[order] = CHILD
    eldest = np.zeros(count)
    np.maximum.at(eldest, members, people.age[order].astype(np.float64))
    return eldest


def _match(rng: np.random.Generator, people: People, used: BoolArray, sex: int,
           targets: FloatArray) -> IntArray:
    """For each target age, an unused adult of ``sex`` (−1 when none is left).

    Candidates are drawn with weight (smoothed target count / candidate count) at
    their age, then paired with the targets by age rank.
    """
    pool = np.flatnonzero(~used & (people.sex == sex))
    found = np.full(targets.size, -1, dtype=np.int64)
    if targets.size == 0 or pool.size == 0:
        return found
    ages = np.clip(np.rint(targets), 0, _MAX_AGE).astype(np.int64)
    wanted = np.convolve(np.bincount(ages, minlength=_MAX_AGE + 1).astype(np.float64),
                         np.array([1.0, 2.0, 3.0, 2.0, 1.0]) / 9.0, mode="same") + 1e-3
    have = np.bincount(people.age[pool], minlength=_MAX_AGE + 1).astype(np.float64)
    weight = wanted[people.age[pool]] / have[people.age[pool]]
    picked = pool[weighted_pick(rng, weight, targets.size)]
    picked = picked[np.argsort(people.age[picked], kind="stable")]
    slots = np.argsort(targets, kind="stable")[: picked.size]
    found[slots] = picked
    return found


def _place(persons: IntArray, sets: IntArray, household: IntArray, role: IntArray,
           used: BoolArray, as_role: int | IntArray) -> None:
    ok = persons >= 0
    household[persons[ok]] = sets[ok]
    role[persons[ok]] = as_role if isinstance(as_role, int) else as_role[ok]
    used[persons[ok]] = True


def _couples(rng: np.random.Generator, rules: HouseholdRules, people: People, used: BoolArray,
             household: IntArray, role: IntArray, count: int) -> int:
    """Pair some remaining women with remaining men of matching ages; the new count."""
    women = np.flatnonzero(~used & (people.sex == FEMALE))
    share = rules.couple_shares[datafiles.by_band(rules.couple_starts, people.age[women])]
    women = women[rng.random(women.size) < share]
    gap_mean, gap_sd = rules.partner_gap
    targets = people.age[women] + rng.normal(gap_mean, gap_sd, women.size)
    men = _match(rng, people, used, MALE, targets)
    women, men = women[men >= 0], men[men >= 0]
    ids = count + np.arange(women.size)
    household[women] = ids
    household[men] = ids
    woman_first = rng.random(women.size) < 0.5
    role[women] = np.where(woman_first, SELF, SPOUSE)
    role[men] = np.where(woman_first, SPOUSE, SELF)
    used[women] = used[men] = True
    return count + int(women.size)


def _orphan_sets(household: IntArray, role: IntArray) -> None:
    """A sibling set left without a parent (tiny chunks): its first child heads it."""
    order = np.lexsort((role, household))
    first = np.ones(order.size, dtype=np.bool_)
    first[1:] = household[order][1:] != household[order][:-1]
    heads = order[first & (role[order] == CHILD)]
    role[heads] = SELF
