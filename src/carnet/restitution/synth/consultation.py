"""Consultations and what they lead to: prescriptions, biology, imaging, physiotherapy.

Rates per person and year come from ``data/everyday.yaml`` by age band and
sex. A GP consultation may be followed by a pharmacy dispensing of acute
drugs, a blood test, an imaging exam or a series of physiotherapy sessions;
specialists, osteopaths and physiotherapists are also seen directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from carnet.restitution.synth import datafiles
from carnet.restitution.synth.arrays import FloatArray, IntArray, cumsum_before, group_starts
from carnet.restitution.synth.catalogue import Catalogue
from carnet.restitution.synth.events import (
    EventLog,
    age_rates,
    pick,
    poisson_days,
    years_of_life,
)
from carnet.restitution.synth.formulary import load_formulary
from carnet.restitution.synth.population import MALE, People


def _table(raw: Mapping[str, Any], where: str) -> tuple[FloatArray, FloatArray]:
    return (np.array(datafiles.section(raw, "male", where), dtype=np.float64),
            np.array(datafiles.section(raw, "female", where), dtype=np.float64))


def _weights(raw: Mapping[str, Any], where: str) -> tuple[tuple[str, ...], FloatArray]:
    return datafiles.weights(raw, where)


def add_consultations(log: EventLog, rng: np.random.Generator, people: People,
                      catalogue: Catalogue, years: range) -> None:
    data = datafiles.read("everyday")
    bands = np.array(data["bands"], dtype=np.int64)
    gp = data["consultations"]["gp"]
    gp_male, gp_female = _table(gp, "everyday.consultations.gp")
    for _year, ages, first, last in years_of_life(people, years):
        rate = age_rates(bands, gp_male, gp_female, people, ages)
        rows, day = poisson_days(rng, rate, first, last)
        act = np.full(rows.size, catalogue.act("gp"))
        act[ages[rows] <= int(gp["child_act_until_age"])] = catalogue.act("gp_child")
        adult = ages[rows] >= 16
        act[adult & (rng.random(rows.size) < float(gp["remote_share"]))] = catalogue.act(
            "gp_remote")
        act[_first_of_year(rows, day) & (ages[rows] >= 80)] = catalogue.act("gp_long_80")
        log.add(rows, day, act)
        _after_gp(log, rng, people, catalogue, data["after_gp"], rows, day, ages[rows])
        for entry in data["consultations"]["specialists"]:
            male, female = _table(entry, "everyday.consultations.specialists")
            rate = age_rates(bands, male, female, people, ages)
            rate[(ages < int(entry.get("from_age", 0))) | (ages > int(entry.get("to_age", 200)))] = 0
            who, when = poisson_days(rng, rate, first, last)
            log.add(who, when, catalogue.act(entry["act"]))
        _physio_and_osteo(log, rng, people, catalogue, data, ages, first, last)


def _first_of_year(rows: IntArray, day: IntArray) -> np.ndarray:
    """True for each person's earliest consultation among ``rows`` (one year's batch)."""
    order = np.lexsort((day, rows))
    first = np.zeros(rows.size, dtype=np.bool_)
    starts = np.ones(rows.size, dtype=np.bool_)
    starts[1:] = rows[order][1:] != rows[order][:-1]
    first[order[starts]] = True
    return first


def _after_gp(log: EventLog, rng: np.random.Generator, people: People, catalogue: Catalogue,
              rules: Mapping[str, Any], rows: IntArray, day: IntArray, ages: IntArray) -> None:
    """Dispensings, biology, imaging, physiotherapy and PSA following GP consultations."""
    recipe = rules["prescription"]
    sizes, size_weights = _weights(recipe["items"], "everyday.after_gp.prescription.items")
    molecules, molecule_weights = _weights(rules["acute_drugs"], "everyday.after_gp.acute_drugs")
    has = rng.random(rows.size) < float(recipe["chance"])
    count = np.array(sizes, dtype=np.int64)[pick(rng, size_weights, int(has.sum()))]
    who = np.repeat(rows[has], count)
    low, high = recipe["delay_days"]
    when = np.repeat(day[has] + rng.integers(low, high + 1, int(has.sum())), count)
    visits = np.repeat(log.visits(int(has.sum())), count)
    choice = pick(rng, molecule_weights, who.size)
    formulary = load_formulary()
    for m, molecule in enumerate(molecules):
        mask = choice == m
        boxes = formulary[molecule]
        box = rng.integers(0, len(boxes.presentations), int(mask.sum()))
        acts = np.array([catalogue.act(f"cip:{boxes.presentations[i].cip13}") for i in box],
                        dtype=np.int64)
        values, weights = boxes.boxes
        log.add(who[mask], when[mask], acts, quantity=values[pick(rng, weights, acts.size)],
                visit=visits[mask])
    _biology(log, rng, catalogue, rules, rows, day, ages)
    imaging = rules["imaging"]
    takes = (rng.random(rows.size) < float(imaging["chance"])) & (ages >= imaging["from_age"])
    names, weights = _weights(imaging["acts"], "everyday.after_gp.imaging.acts")
    low, high = imaging["delay_days"]
    acts = np.array([catalogue.act(n) for n in names])[pick(rng, weights, int(takes.sum()))]
    log.add(rows[takes], day[takes] + rng.integers(low, high + 1, int(takes.sum())), acts)
    physio = rules["physiotherapy"]
    takes = (rng.random(rows.size) < float(physio["chance"])) & (ages >= physio["from_age"])
    physiotherapy_series(log, rng, catalogue, rows[takes], day[takes] + 3, physio)
    psa = rules["psa"]
    takes = ((rng.random(rows.size) < float(psa["chance"])) & (ages >= psa["from_age"])
             & (people.sex[rows] == MALE))
    log.add(rows[takes], day[takes] + 2, catalogue.act("bio_psa"))


def _biology(log: EventLog, rng: np.random.Generator, catalogue: Catalogue,
             rules: Mapping[str, Any], rows: IntArray, day: IntArray, ages: IntArray) -> None:
    """A panel of distinct blood tests, one visit to the laboratory."""
    biology = rules["biology"]
    takes = (rng.random(rows.size) < float(biology["chance"])) & (ages >= biology["from_age"])
    sizes, size_weights = _weights(biology["items"], "everyday.after_gp.biology.items")
    names, weights = _weights(rules["biology_panel"], "everyday.after_gp.biology_panel")
    n = int(takes.sum())
    count = np.array(sizes, dtype=np.int64)[pick(rng, size_weights, n)]
    keys = np.log(weights)[None, :] + rng.gumbel(size=(n, len(names)))
    ranked = np.argsort(-keys, axis=1)
    chosen = np.arange(len(names))[None, :] < count[:, None]
    who = np.broadcast_to(rows[takes][:, None], ranked.shape)[chosen]
    low, high = biology["delay_days"]
    when = np.broadcast_to((day[takes] + rng.integers(low, high + 1, n))[:, None],
                           ranked.shape)[chosen]
    visit = np.broadcast_to(log.visits(n)[:, None], ranked.shape)[chosen]
    acts = np.array([catalogue.act(name) for name in names])[ranked[chosen]]
    log.add(who, when, acts, visit=visit)


def physiotherapy_series(log: EventLog, rng: np.random.Generator, catalogue: Catalogue,
                         person: IntArray, start: IntArray, rules: Mapping[str, Any]) -> None:
    """A series of sessions (same physiotherapist) from ``start``, every few days."""
    low, high = rules["sessions"]
    count = rng.integers(low, high + 1, person.size)
    series = np.repeat(np.arange(person.size, dtype=np.int64), count)
    gap_low, gap_high = rules["every_days"]
    steps = rng.integers(gap_low, gap_high + 1, series.size).astype(np.int64)
    steps[group_starts(series)] = 0
    offset = cumsum_before(steps, series) + steps
    log.add(person[series], start[series] + offset, catalogue.act("physiotherapy"))


def _physio_and_osteo(log: EventLog, rng: np.random.Generator, people: People,
                      catalogue: Catalogue, data: Mapping[str, Any], ages: IntArray,
                      first: IntArray, last: IntArray) -> None:
    physio = data["physiotherapy"]
    bands = np.array(physio["bands"], dtype=np.int64)
    chance = np.array(physio["yearly_chance"])[datafiles.by_band(bands, ages)]
    takes = np.flatnonzero((rng.random(len(people)) < chance) & (last > first))
    start = first[takes] + (rng.random(takes.size) * (last - first)[takes]).astype(np.int64)
    physiotherapy_series(log, rng, catalogue, takes, start, physio)
    osteo = data["osteopathy"]
    bands = np.array(osteo["bands"], dtype=np.int64)
    rate = np.array(osteo["yearly_rate"])[datafiles.by_band(bands, ages)]
    who, when = poisson_days(rng, rate, first, last)
    log.add(who, when, catalogue.act("osteopathy"))
