"""Dental care and crowns, glasses and hearing aids, renewed at realistic rhythms.

Dental visits are Poisson by age; each brings some of the usual acts. Glasses
are worn by an age-dependent share of people and renewed, at the earliest,
when the renewal period of the rules (``rules/fr/equipment.yaml``) has passed;
hearing aids every 4 to 6 years. Rates: ``data/everyday.yaml``.
"""

from __future__ import annotations

import numpy as np

from carnet.restitution.synth import datafiles
from carnet.restitution.synth.arrays import IntArray
from carnet.restitution.synth.catalogue import Catalogue
from carnet.restitution.synth.dates import add_months, ages_on, to_date
from carnet.restitution.synth.events import (
    EventLog,
    age_rates,
    pick,
    poisson_days,
    years_of_life,
)
from carnet.restitution.synth.population import People
from carnet.services.reimbursement import FrenchRules
from carnet.services.reimbursement.parameters import renewal_months

_YEAR = 365.25


def add_dental(log: EventLog, rng: np.random.Generator, people: People,
               catalogue: Catalogue, years: range) -> None:
    data = datafiles.read("everyday")
    bands = np.array(data["bands"], dtype=np.int64)
    dental = data["dental"]
    male = np.array(dental["visits"]["male"], dtype=np.float64)
    female = np.array(dental["visits"]["female"], dtype=np.float64)
    names, chances = zip(*dental["acts"].items(), strict=True)
    crowns = dental["crowns"]
    baskets, basket_weights = datafiles.weights(crowns["baskets"], "everyday.dental.crowns")
    crown_chance = np.array(crowns["yearly_chance"], dtype=np.float64)
    for _year, ages, first, last in years_of_life(people, years):
        rows, day = poisson_days(rng, age_rates(bands, male, female, people, ages), first, last)
        visit = log.visits(rows.size)
        took = np.zeros(rows.size, dtype=np.bool_)
        for name, chance in zip(names, chances, strict=True):
            mask = rng.random(rows.size) < float(chance)
            took |= mask
            log.add(rows[mask], day[mask], catalogue.act(name), visit=visit[mask])
        log.add(rows[~took], day[~took], catalogue.act("dental_visit"), visit=visit[~took])
        chance = crown_chance[datafiles.by_band(bands, ages)]
        chance[ages < int(crowns["from_age"])] = 0.0
        who = np.flatnonzero((rng.random(len(people)) < chance) & (last > first))
        when = first[who] + (rng.random(who.size) * (last - first)[who]).astype(np.int64)
        acts = np.array([catalogue.act(b) for b in baskets])[pick(rng, basket_weights, who.size)]
        log.add(who, when, acts)


def _renewals(rng: np.random.Generator, start: IntArray, end: IntArray, period_days: IntArray,
              chance: float, slack: int) -> tuple[IntArray, IntArray]:
    """Renewal days: each after the period, skipping whole periods with 1 − ``chance``."""
    n = start.size
    steps = int(np.ceil((end - start).max(initial=0) / max(period_days.min(initial=365), 1))) + 2
    skipped = rng.geometric(min(max(chance, 1e-6), 1.0), (n, steps)) - 1
    jumps = period_days[:, None] * (1 + skipped) + rng.integers(0, slack + 1, (n, steps))
    jumps[:, 0] = (rng.random(n) * period_days * (1 + skipped[:, 0])).astype(np.int64)
    days = start[:, None] + np.cumsum(jumps, axis=1)
    inside = days <= end[:, None]
    rows = np.broadcast_to(np.arange(n, dtype=np.int64)[:, None], days.shape)
    return rows[inside], days[inside]


def add_optics(log: EventLog, rng: np.random.Generator, people: People, catalogue: Catalogue,
               rules: FrenchRules, reference_day: int) -> None:
    data = datafiles.read("everyday")
    optics = data["optics"]
    bands = np.array(data["bands"], dtype=np.int64)
    wears = rng.random(len(people)) < np.array(optics["wearers"])[
        datafiles.by_band(bands, people.age)]
    who = np.flatnonzero(wears)
    start = np.maximum(people.birth[who] + 365, log.first_day)
    end = np.minimum(people.death[who], log.last_day)
    steps = rules.equipment.renewal["optics"].value_at(to_date(log.last_day))
    oldest = ages_on(people.birth[who], end)
    period = np.array([renewal_months(steps, int(age)) for age in oldest], dtype=np.int64)
    months = np.maximum(period, 1)
    period_days = (add_months(np.full(who.size, reference_day), months) - reference_day)
    rows, day = _renewals(rng, start, end, period_days, float(optics["renewal_chance"]),
                          int(optics["slack_days"]))
    person = who[rows]
    age = ages_on(people.birth[person], day)
    visit = log.visits(person.size)
    adult = age >= int(optics["adult_from_age"])
    class_a = rng.random(person.size) < float(optics["class_a_share"])
    frame = np.select([class_a & adult, class_a, adult],
                      [catalogue.act("frame_a_adult"), catalogue.act("frame_a_child"),
                       catalogue.act("frame_b_adult")], catalogue.act("frame_b_child"))
    log.add(person, day, frame, visit=visit)
    complex_ = (age >= int(optics["complex_lenses_from_age"])) & (
        rng.random(person.size) < float(optics["complex_share"]))
    lens = np.where(complex_, catalogue.act("lens_complex"), catalogue.act("lens_simple"))
    log.add(person, day, lens, quantity=2, visit=visit)
    low, high = optics["optician_after_ophthalmology_days"]
    log.add(person, day - rng.integers(low, high + 1, person.size), catalogue.act("ophthalmology"))


def add_hearing(log: EventLog, rng: np.random.Generator, people: People,
                catalogue: Catalogue) -> None:
    data = datafiles.read("everyday")
    hearing = data["hearing"]
    bands = np.array(data["bands"], dtype=np.int64)
    equipped = rng.random(len(people)) < np.array(hearing["equipped"])[
        datafiles.by_band(bands, people.age)]
    who = np.flatnonzero(equipped)
    low, high = hearing["renewal_years"]
    period = (rng.uniform(low, high, who.size) * _YEAR).astype(np.int64)
    start = np.full(who.size, log.first_day)
    end = np.minimum(people.death[who], log.last_day)
    rows, day = _renewals(rng, start, end, np.maximum(period, 1), 1.0, int(hearing["slack_days"]))
    person = who[rows]
    ears = np.where(rng.random(person.size) < float(hearing["both_ears_share"]), 2, 1)
    aid = np.where(rng.random(person.size) < float(hearing["class_i_share"]),
                   catalogue.act("hearing_aid_1"), catalogue.act("hearing_aid_2"))
    log.add(person, day, aid, quantity=ears)
