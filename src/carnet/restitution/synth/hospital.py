"""Hospital stays, urgences, sanitary transport, and pregnancies with their delivery.

Stays are medical (several days, forfait journalier), surgical (a surgeon's
fee) or day stays (no night); some come with a private room and, for older or
ALD patients, a transport each way. A child born during the synthesised years
gives its mother prenatal visits, ultrasounds and a delivery stay; the
pregnancy window of the exemption rules follows from the birth date.
Rates: ``data/everyday.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from carnet.restitution.synth import datafiles
from carnet.restitution.synth.arrays import BoolArray, IntArray
from carnet.restitution.synth.catalogue import Catalogue
from carnet.restitution.synth.dates import add_months, ages_on
from carnet.restitution.synth.events import EventLog, pick, poisson_days, years_of_life
from carnet.restitution.synth.household import CHILD, Households
from carnet.restitution.synth.pathology import Conditions
from carnet.restitution.synth.population import FEMALE, People

NO_TERM = np.iinfo(np.int32).max
#: pregnancies per person kept for the exemption window
MAX_TERMS = 2


def _any_ald(conditions: Conditions, person: IntArray, day: IntArray) -> BoolArray:
    result: BoolArray = np.asarray(((conditions.ald_start[person] <= day[:, None])
                                    & (day[:, None] <= conditions.ald_end[person])).any(axis=1))
    return result


def _by_age(rng: np.random.Generator, catalogue: Catalogue, options: list[Mapping[str, Any]],
            ages: IntArray) -> IntArray:
    """An act per row among ``options`` allowed at the row's age (weights renormalised)."""
    weights = np.array([[float(o["weight"]) if age >= int(o["from_age"]) else 0.0
                         for o in options] for age in range(int(ages.max(initial=0)) + 1)])
    table = weights / weights.sum(axis=1, keepdims=True)
    cumulative = np.cumsum(table[ages], axis=1)
    index = (rng.random(ages.size)[:, None] > cumulative).sum(axis=1)
    acts = np.array([catalogue.act(str(o["act"])) for o in options], dtype=np.int64)
    result: IntArray = acts[np.minimum(index, len(options) - 1)]
    return result


def add_stays(log: EventLog, rng: np.random.Generator, people: People, catalogue: Catalogue,
              conditions: Conditions, years: range) -> None:
    data = datafiles.read("everyday")["hospital"]
    bands = np.array(data["bands"], dtype=np.int64)
    kinds, kind_weights = datafiles.weights(data["kinds"], "everyday.hospital.kinds")
    for _year, ages, first, last in years_of_life(people, years):
        rate = np.array(data["yearly_rate"])[datafiles.by_band(bands, ages)]
        rows, day = poisson_days(rng, rate, first, last)
        age = ages[rows]
        kind = pick(rng, kind_weights, rows.size)
        medical, surgical = kind == kinds.index("medical"), kind == kinds.index("surgical")
        extra = data["medical_days"]
        days = np.where(medical, np.clip(1 + rng.geometric(1 / (1 + extra["mean_extra"]),
                                                           rows.size), extra["min"], extra["max"]),
                        rng.integers(data["surgical_days"]["min"],
                                     data["surgical_days"]["max"] + 1, rows.size))
        days = np.where(medical | surgical, days, 0)
        ald = _any_ald(conditions, rows, day) & medical
        visit = log.visits(rows.size)
        full = days > 0
        log.add(rows[full], day[full], catalogue.act("stay_medical"), days=days[full],
                quantity=days[full], ald=ald[full], visit=visit[full])
        log.add(rows[~full], day[~full], catalogue.act("stay_day"), visit=visit[~full])
        log.add(rows[surgical], day[surgical],
                _by_age(rng, catalogue, data["surgeries"], age[surgical]), visit=visit[surgical])
        day_stay = ~full
        log.add(rows[day_stay], day[day_stay],
                _by_age(rng, catalogue, data["day_acts"], age[day_stay]), visit=visit[day_stay])
        room = full & (rng.random(rows.size) < float(data["private_room_chance"]))
        log.add(rows[room], day[room], catalogue.act("private_room"), quantity=days[room],
                visit=visit[room])
        _transport(log, rng, catalogue, data["transport"], rows, day, days, age, ald)
    _emergencies(log, rng, people, catalogue, years)


def _transport(log: EventLog, rng: np.random.Generator, catalogue: Catalogue,
               rules: Mapping[str, Any], rows: IntArray, day: IntArray, days: IntArray,
               age: IntArray, ald: BoolArray) -> None:
    """A ride to the hospital and one back, for older or ALD patients."""
    chance = np.where(ald, float(rules["ald_chance"]),
                      np.where(age >= int(rules["chance_from_age"]), float(rules["chance"]), 0.0))
    takes = rng.random(rows.size) < chance
    modes, weights = datafiles.weights(rules["modes"], "everyday.hospital.transport.modes")
    acts = np.array([catalogue.act(m) for m in modes])[pick(rng, weights, int(takes.sum()))]
    back = day[takes] + np.maximum(days[takes] - 1, 0)
    for when in (day[takes], back):
        log.add(rows[takes], when, acts, ald=ald[takes])


def _emergencies(log: EventLog, rng: np.random.Generator, people: People,
                 catalogue: Catalogue, years: range) -> None:
    data = datafiles.read("everyday")["emergency"]
    bands = np.array(data["bands"], dtype=np.int64)
    for _year, ages, first, last in years_of_life(people, years):
        rows, day = poisson_days(rng, np.array(data["yearly_rate"])[
            datafiles.by_band(bands, ages)], first, last)
        visit = log.add(rows, day, catalogue.act("emergency"))
        ride = rng.random(rows.size) < float(data["transport_chance"])
        log.add(rows[ride], day[ride], catalogue.act("ambulance"), visit=visit[ride])


def pregnancy_terms(people: People, households: Households, first_day: int) -> IntArray:
    """Per person, up to :data:`MAX_TERMS` birth days of her children born since ``first_day``."""
    rules = datafiles.read("everyday")["pregnancy"]
    terms = np.full((len(people), MAX_TERMS), NO_TERM, dtype=np.int64)
    born = np.flatnonzero((households.role == CHILD) & (people.birth >= first_day - 270))
    mothers = np.flatnonzero((households.role != CHILD) & (people.sex == FEMALE))
    mother_of = np.full(households.count, -1, dtype=np.int64)
    mother_of[households.household[mothers]] = mothers
    mother = mother_of[households.household[born]]
    ok = mother >= 0
    born, mother = born[ok], mother[ok]
    age = ages_on(people.birth[mother], people.birth[born])
    ok = age >= int(rules["mother_from_age"])
    born, mother = born[ok], mother[ok]
    order = np.lexsort((people.birth[born], mother))
    born, mother = born[order], mother[order]
    slot = np.arange(mother.size) - np.searchsorted(mother, mother)
    keep = slot < MAX_TERMS
    terms[mother[keep], slot[keep]] = people.birth[born][keep]
    return terms


def add_pregnancies(log: EventLog, rng: np.random.Generator, catalogue: Catalogue,
                    terms: IntArray) -> None:
    """Prenatal visits, ultrasounds and the delivery stay before each term."""
    rules = datafiles.read("everyday")["pregnancy"]
    mother, slot = np.nonzero(terms < NO_TERM)
    term = terms[mother, slot]
    acts, weights = datafiles.weights(rules["prenatal_visits"]["acts"], "everyday.pregnancy")
    jitter = int(rules["jitter_days"])
    for months in rules["prenatal_visits"]["months_before_birth"]:
        day = add_months(term, np.full(term.size, -int(months))) + rng.integers(
            -jitter, jitter + 1, term.size)
        log.add(mother, day, np.array([catalogue.act(a) for a in acts])[
            pick(rng, weights, term.size)])
    for act, months_before in rules["ultrasounds"].items():
        day = term - round(float(months_before) * 30.44) + rng.integers(-jitter, jitter + 1,
                                                                         term.size)
        log.add(mother, day, catalogue.act(act))
    low, high = rules["delivery_days"]
    days = rng.integers(low, high + 1, term.size)
    visit = log.add(mother, term, catalogue.act("stay_delivery"), days=days)
    log.add(mother, term, catalogue.act("delivery"), visit=visit)
