"""Prevention: the vaccination calendar, flu campaigns, cancer screening, check-ups.

Vaccine doses are pharmacy dispensings of the vaccine (``data/formulary.yaml``)
at the ages of the 2025 calendar (fact sheet §D.1); screening follows the
organised programmes (§D.2); Mon bilan prévention, M'T dents and the child
exams complete the timeline (§D.3-D.5). Uptakes: ``data/prevention.yaml``;
people who take part once tend to take part again (a per-person propensity).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np

from carnet.restitution.synth import datafiles
from carnet.restitution.synth.arrays import BoolArray, FloatArray, IntArray
from carnet.restitution.synth.catalogue import Catalogue
from carnet.restitution.synth.dates import add_months, day_number, years_of
from carnet.restitution.synth.events import EventLog, periodic_days
from carnet.restitution.synth.formulary import load_formulary
from carnet.restitution.synth.pathology import Conditions, PathologyRules
from carnet.restitution.synth.population import FEMALE, MALE, People

_SEX = {"male": MALE, "female": FEMALE}
_YEAR = 365.25
#: per-person propensity: beta law with this total concentration (low: all or nothing)
_CONCENTRATION = 0.8


def _propensity(rng: np.random.Generator, uptake: float, size: int) -> FloatArray:
    """Per-person chance of taking part each time, averaging ``uptake``."""
    uptake = min(max(uptake, 1e-6), 1 - 1e-6)
    return rng.beta(uptake * _CONCENTRATION, (1 - uptake) * _CONCENTRATION, size)


def _vaccine(rng: np.random.Generator, catalogue: Catalogue, molecule: str,
             size: int) -> IntArray:
    boxes = load_formulary()[molecule].presentations
    return np.array([catalogue.act(f"cip:{boxes[i].cip13}")
                     for i in rng.integers(0, len(boxes), size)], dtype=np.int64)


def _sexed(people: People, raw: Mapping[str, Any]) -> BoolArray:
    sex = raw.get("sex")
    result: BoolArray = np.ones(len(people), dtype=np.bool_) if sex is None else (
        people.sex == _SEX[sex])
    return result


def add_vaccinations(log: EventLog, rng: np.random.Generator, people: People,
                     catalogue: Catalogue, conditions: Conditions,
                     pathology: PathologyRules) -> None:
    data = datafiles.read("prevention")["vaccinations"]
    spread = int(data["spread_days"])
    for series in data["series"]:
        who = np.flatnonzero(_sexed(people, series) & (rng.random(len(people)) < series["series"]))
        for months in series["months"]:
            took = who[rng.random(who.size) < float(series["dose"])]
            day = add_months(people.birth[took], np.full(took.size, int(months)))
            day = day + rng.integers(0, spread + 1, took.size)
            log.add(took, day, _vaccine(rng, catalogue, series["vaccine"], took.size))
    _flu(log, rng, people, catalogue, conditions, pathology, data["flu"])
    for once in data["once_from_65"]:
        since = day_number(date.fromisoformat(str(once["since"])))
        start = np.maximum(np.maximum(add_months(people.birth, np.full(len(people), 780)),
                                      since), log.first_day)
        end = np.minimum(people.death, log.last_day)
        who = np.flatnonzero((start <= end) & (rng.random(len(people)) < float(once["uptake"])))
        day = start[who] + (rng.random(who.size) * (end - start)[who]).astype(np.int64)
        for months in once["doses_months_apart"]:
            log.add(who, add_months(day, np.full(who.size, int(months))),
                    _vaccine(rng, catalogue, once["vaccine"], who.size))


def _flu(log: EventLog, rng: np.random.Generator, people: People, catalogue: Catalogue,
         conditions: Conditions, pathology: PathologyRules, rules: Mapping[str, Any]) -> None:
    at_risk = np.zeros(len(people), dtype=np.bool_)
    for key in rules["at_risk_conditions"]:
        at_risk |= conditions.has[:, pathology.position(key)]
    senior = _propensity(rng, float(rules["uptake_65"]), len(people))
    risk = _propensity(rng, float(rules["uptake_at_risk"]), len(people))
    month, day_of_month = rules["campaign_start"]
    first_year = int(years_of(np.array([log.first_day]))[0]) - 1
    last_year = int(years_of(np.array([log.last_day]))[0])
    for year in range(first_year, last_year + 1):
        start = day_number(date(year, int(month), int(day_of_month)))
        age = (start - people.birth) / _YEAR
        chance = np.where(age >= float(rules["from_age"]), senior,
                          np.where(at_risk & (age >= 18), risk, 0.0))
        who = np.flatnonzero(rng.random(len(people)) < chance)
        when = start + np.minimum(rng.exponential(25.0, who.size),
                                  float(rules["campaign_days"])).astype(np.int64)
        high = (age[who] >= float(rules["from_age"])) & (
            rng.random(who.size) < float(rules["high_dose_share_65"]))
        acts = np.where(high, _vaccine(rng, catalogue, rules["high_dose_vaccine"], who.size),
                        _vaccine(rng, catalogue, rules["vaccine"], who.size))
        log.add(who, when, acts, rate=int(rules["drug_rate"]))


def add_screenings(log: EventLog, rng: np.random.Generator, people: People,
                   catalogue: Catalogue) -> None:
    data = datafiles.read("prevention")["screenings"]
    for name, rules in data.items():
        if name == "source":
            continue
        sex = _sexed(people, rules)
        start = np.maximum(add_months(people.birth, np.full(len(people),
                                                             12 * int(rules["from_age"]))),
                           log.first_day)
        end = np.minimum(np.minimum(add_months(people.birth, np.full(
            len(people), 12 * (int(rules["to_age"]) + 1))) - 1, people.death), log.last_day)
        who = np.flatnonzero(sex & (start <= end)
                             & (rng.random(len(people)) < float(rules["uptake"])))
        years = float(rules["every_years"]) * _YEAR
        rows, day = periodic_days(rng, start[who], end[who], (years, years + 90.0))
        person = who[rows]
        if "positive" in rules:
            positive = rng.random(person.size) < float(rules["positive"])
            low, high = rules["follow_up_days"]
            later = day[positive] + rng.integers(low, high + 1, int(positive.sum()))
            log.add(person[positive], later, catalogue.act(rules["act"]))
            continue
        acts = rules.get("acts", [rules.get("act")])
        visit = log.visits(person.size)
        for offset, act in enumerate(acts):
            log.add(person, day + int(rules.get("analysis_after_days", 0)) * offset,
                    catalogue.act(act), visit=visit)


def add_checkups(log: EventLog, rng: np.random.Generator, people: People,
                 catalogue: Catalogue) -> None:
    """Mon bilan prévention, M'T dents and the compulsory child exams."""
    data = datafiles.read("prevention")
    visit = data["prevention_visit"]
    since = day_number(date.fromisoformat(str(visit["since"])))
    for low, high in visit["age_bands"]:
        start = np.maximum(add_months(people.birth, np.full(len(people), 12 * low)), since)
        end = np.minimum(add_months(people.birth, np.full(len(people), 12 * (high + 1))) - 1,
                         log.last_day)
        who = np.flatnonzero((start <= end) & (rng.random(len(people)) < float(visit["uptake"])))
        day = start[who] + (rng.random(who.size) * (end - start)[who]).astype(np.int64)
        log.add(who, day, catalogue.act(visit["act"]))
    dental = data["dental_prevention"]
    yearly = day_number(date.fromisoformat(str(dental["yearly_since"])))
    keen = _propensity(rng, float(dental["uptake"]), len(people))
    for age in range(int(dental["from_age"]), int(dental["to_age"]) + 1):
        day = add_months(people.birth, np.full(len(people), 12 * age))
        day = day + (rng.random(len(people)) * 330).astype(np.int64)
        allowed = (day >= yearly) | (age in dental["ages_before"])
        who = np.flatnonzero(allowed & (rng.random(len(people)) < keen))
        log.add(who, day[who], catalogue.act(dental["act"]))
    exams = data["child_exams"]
    for act, months_list in ((exams["certificate_act"], exams["certificate_months"]),
                             (exams["other_act"], exams["other_months"])):
        for months in months_list:
            day = add_months(people.birth, np.full(len(people), int(months))) + 8
            who = np.flatnonzero(rng.random(len(people)) < float(exams["uptake"]))
            log.add(who, day[who], catalogue.act(act))
