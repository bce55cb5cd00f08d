"""People of the synthetic population: sex, birth date, death, given name.

Ages follow the INSEE pyramid of ``data/population.yaml`` on the reference day
(1 January of the last synthesised year): a person's age band and sex are drawn
with the pyramid's weights, the exact age within the band uniformly, and the
birth date so that the age on the reference day is exactly that age. Everyone
is alive on the reference day; deaths happen after it at the INSEE rates.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from carnet.restitution.synth import datafiles
from carnet.restitution.synth.arrays import FloatArray, IntArray
from carnet.restitution.synth.dates import year_start, years_of

MALE, FEMALE = 1, 2
#: death day of people alive at the end of the synthesised years
ALIVE = np.iinfo(np.int32).max


@dataclass(frozen=True)
class PopulationRules:
    """The pyramid, mortality, départements and name lists, from the data files."""

    band_starts: IntArray
    #: band × sex (male, female) weights of the pyramid, normalised
    pyramid: FloatArray
    last_age: int
    mortality_starts: IntArray
    #: band × sex annual probabilities of death
    mortality: FloatArray
    departements: tuple[str, ...]
    departement_weights: FloatArray
    cohort_starts: IntArray
    #: cohort → (female names, male names)
    given: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]
    family: tuple[str, ...]

    def given_names(self) -> tuple[str, ...]:
        """Every given name, in a fixed order (index space of :attr:`People.given`)."""
        names: list[str] = []
        for female, male in self.given:
            names.extend(female)
            names.extend(male)
        return tuple(names)


@cache
def load_rules() -> PopulationRules:
    data = datafiles.read("population")
    pyramid = datafiles.section(data, "pyramid", "population.yaml")
    starts, counts = datafiles.bands(
        datafiles.section(pyramid, "bands", "population.pyramid"), ("male", "female"),
        "population.pyramid.bands")
    mortality = datafiles.section(data, "mortality", "population.yaml")
    m_starts, rates = datafiles.bands(
        datafiles.section(mortality, "bands", "population.mortality"), ("male", "female"),
        "population.mortality.bands")
    depts = datafiles.section(data, "departements", "population.yaml")
    codes, dept_weights = datafiles.weights(
        datafiles.section(depts, "weights", "population.departements"),
        "population.departements.weights")
    names = datafiles.read("names")
    cohorts = datafiles.section(datafiles.section(names, "given", "names.yaml"), "cohorts",
                                "names.given")
    family = tuple(datafiles.section(datafiles.section(names, "family", "names.yaml"),
                                     "names", "names.family"))
    return PopulationRules(
        band_starts=starts,
        pyramid=counts / counts.sum(),
        last_age=int(datafiles.number(pyramid, "last_age", "population.pyramid")),
        mortality_starts=m_starts,
        mortality=rates,
        departements=codes,
        departement_weights=dept_weights,
        cohort_starts=np.array([int(c["from"]) for c in cohorts], dtype=np.int64),
        given=tuple((tuple(c["female"]), tuple(c["male"])) for c in cohorts),
        family=family,
    )


@dataclass(frozen=True)
class People:
    """One entry per person of a chunk (struct of arrays)."""

    sex: IntArray  #: 1 male, 2 female
    birth: IntArray  #: day number of birth
    death: IntArray  #: day number of death, :data:`ALIVE` when alive at the end
    age: IntArray  #: age in whole years on the reference day
    given: IntArray  #: index into :meth:`PopulationRules.given_names`

    def __len__(self) -> int:
        return len(self.sex)


def draw_people(count: int, rng: np.random.Generator, rules: PopulationRules,
                reference_year: int) -> People:
    """``count`` people, ages counted on 1 January of ``reference_year``."""
    cells = rng.choice(rules.pyramid.size, size=count, p=rules.pyramid.ravel())
    band, sex_index = np.divmod(cells, 2)
    low = rules.band_starts[band]
    high = np.append(rules.band_starts[1:] - 1, rules.last_age)[band]
    age = low + (rng.random(count) * (high - low + 1)).astype(np.int64)
    # born between 2 January of (Y - age - 1) and 1 January of (Y - age), inclusive
    first = year_start(reference_year - age - 1) + 1
    last = year_start(reference_year - age)
    birth = first + (rng.random(count) * (last - first + 1)).astype(np.int64)
    sex = np.where(sex_index == 0, MALE, FEMALE).astype(np.int64)
    death = _deaths(rng, rules, sex, age, int(year_start(np.array([reference_year]))[0]))
    return People(sex, birth, death, age, _given(rng, rules, sex, birth))


def _deaths(rng: np.random.Generator, rules: PopulationRules, sex: IntArray, age: IntArray,
            reference_day: int) -> IntArray:
    """Death within the year after the reference day, at the INSEE annual probability."""
    band = datafiles.by_band(rules.mortality_starts, age)
    probability = rules.mortality[band, np.where(sex == MALE, 0, 1)]
    dies = rng.random(len(sex)) < probability
    days = reference_day + (rng.random(len(sex)) * 365).astype(np.int64)
    result: IntArray = np.where(dies, days, ALIVE).astype(np.int64)
    return result


def _given(rng: np.random.Generator, rules: PopulationRules, sex: IntArray,
           birth: IntArray) -> IntArray:
    """A given name of the person's birth cohort and sex."""
    cohort = datafiles.by_band(rules.cohort_starts, years_of(birth))
    sizes = np.array([[len(f), len(m)] for f, m in rules.given], dtype=np.int64)
    offsets = np.concatenate(([0], np.cumsum(sizes.ravel())[:-1])).reshape(sizes.shape)
    column = np.where(sex == FEMALE, 0, 1)
    pick = (rng.random(len(sex)) * sizes[cohort, column]).astype(np.int64)
    result: IntArray = offsets[cohort, column] + pick
    return result
