"""Chronic care: treatment refills with imperfect adherence, and follow-up exams.

For each condition a person has (:mod:`pathology`), every molecule of the
chosen treatment is dispensed from the onset (or the first synthesised day)
at the rhythm of its box: the days a dispensing covers divided by a personal
proportion of days covered (beta law), with some lateness and occasional
long gaps (fact sheet §E.5). Follow-up acts (HbA1c every 3-6 months, yearly
lipids, ECG… fact sheet §E) come on their own schedules, for the share of
people who follow them. Acts tied to a condition under ALD are ALD-related.
"""

from __future__ import annotations

import numpy as np

from carnet.restitution.synth.arrays import BoolArray, IntArray
from carnet.restitution.synth.catalogue import Catalogue
from carnet.restitution.synth.events import EventLog, periodic_days
from carnet.restitution.synth.formulary import load_formulary
from carnet.restitution.synth.pathology import Conditions, PathologyRules
from carnet.restitution.synth.population import People

_MONTH = 30.44
#: a dispensing covers about a month at least (two boxes of 15 days…)
_MONTH_OF_BOXES = 28


def add_chronic_care(log: EventLog, rng: np.random.Generator, people: People,
                     conditions: Conditions, rules: PathologyRules, catalogue: Catalogue) -> None:
    """Refills and follow-up of every condition of every person."""
    molecules = sorted({m for c in rules.conditions for t in c.treatments for m in t})
    dispensed = np.zeros((len(people), len(molecules)), dtype=np.bool_)
    covered = rng.beta(*rules.days_covered, size=len(people))
    large = rng.random(len(people)) < rules.large_pack_share
    for j, condition in enumerate(rules.conditions):
        rows = np.flatnonzero(conditions.has[:, j])
        if rows.size == 0:
            continue
        start = np.maximum(conditions.onset[rows, j], log.first_day)
        end = np.minimum(people.death[rows], log.last_day)
        for option, drugs in enumerate(condition.treatments):
            keep = conditions.treatment[rows, j] == option
            for molecule in drugs:
                m = molecules.index(molecule)
                fresh = keep & ~dispensed[rows, m]
                dispensed[rows[fresh], m] = True
                _refills(log, rng, rules, catalogue, molecule, rows[fresh], start[fresh],
                         end[fresh], covered[rows[fresh]], large[rows[fresh]],
                         conditions, j)
        for item in condition.follow_up:
            takes = rng.random(rows.size) < item.uptake
            who, day = periodic_days(rng, start[takes], end[takes],
                                     (item.every_months[0] * _MONTH,
                                      item.every_months[1] * _MONTH), jitter=7.0)
            person = rows[takes][who]
            log.add(person, day, catalogue.act(item.act),
                    ald=_ald_on(conditions, person, j, day))


def _refills(log: EventLog, rng: np.random.Generator, rules: PathologyRules,
             catalogue: Catalogue, molecule: str, person: IntArray, start: IntArray,
             end: IntArray, covered: np.ndarray, large: BoolArray, conditions: Conditions,
             column: int) -> None:
    """Dispensings of one molecule for ``person`` between ``start`` and ``end``."""
    if person.size == 0:
        return
    boxes = load_formulary()[molecule]
    act = np.empty(person.size, dtype=np.int64)
    supply = np.empty(person.size, dtype=np.int64)
    for flag in (False, True):
        rows = np.flatnonzero(large == flag)
        options = boxes.candidates(flag)
        chosen = rng.integers(0, len(options), size=rows.size)
        act[rows] = [catalogue.act(f"cip:{options[i].cip13}") for i in chosen]
        supply[rows] = [options[i].supply_days for i in chosen]
    quantity = np.maximum(1, np.rint(_MONTH_OF_BOXES / supply)).astype(np.int64)
    interval = quantity * supply / np.maximum(covered, 0.05)
    span = np.maximum(end - start, 0)
    steps = int(np.ceil(span.max() / max(interval.min(), 1.0))) + 2
    chance, low, high = rules.gap
    gaps = (rng.random((person.size, steps)) < chance) * rng.uniform(low, high,
                                                                    (person.size, steps))
    lateness = rng.normal(0.0, rules.jitter_days, (person.size, steps))
    jumps = interval[:, None] + lateness + gaps
    jumps[:, 0] = rng.random(person.size) * np.minimum(interval, 30.0)
    days = start[:, None] + np.rint(np.cumsum(jumps, axis=1)).astype(np.int64)
    inside = (days >= start[:, None]) & (days <= end[:, None])
    rows = np.broadcast_to(np.arange(person.size)[:, None], days.shape)[inside]
    day = days[inside]
    who = person[rows]
    log.add(who, day, act[rows], quantity=quantity[rows],
            ald=_ald_on(conditions, who, column, day))


def _ald_on(conditions: Conditions, person: IntArray, column: int, day: IntArray) -> BoolArray:
    result: BoolArray = (conditions.ald_start[person, column] <= day) & (
        day <= conditions.ald_end[person, column])
    return result
