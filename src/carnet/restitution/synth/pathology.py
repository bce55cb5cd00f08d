"""Chronic conditions at the Cartographie prevalences, their ALD and treatment.

``data/pathology.yaml`` gives, per condition, the share of men and women
treated in each age band on the reference day. A condition may be more likely
with an earlier one (diabetes → hypertension); the conditional rates are set
so that the overall rate stays the configured one. Each person with a
condition gets an onset date, one of its treatments and, with the configured
share, an ALD with its IR_IMB_R period.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from carnet.restitution.synth import datafiles
from carnet.restitution.synth.arrays import BoolArray, FloatArray, IntArray
from carnet.restitution.synth.dates import add_months
from carnet.restitution.synth.population import MALE, People
from carnet.rules.tables import load_ald, load_cim10

NO_DAY = np.iinfo(np.int32).max
#: an ALD exemption is granted for this many months, then renewed
ALD_MONTHS = 120


@dataclass(frozen=True)
class FollowUp:
    act: str
    every_months: tuple[int, int]
    uptake: float


@dataclass(frozen=True)
class Condition:
    key: str
    label: str
    cim10: str
    ald_number: int | None
    ald_share: float
    #: band × (male, female) prevalence
    prevalence: FloatArray
    min_age: int
    depends_on: tuple[str, float] | None
    #: treatments: shares and molecule lists
    treatment_shares: FloatArray
    treatments: tuple[tuple[str, ...], ...]
    follow_up: tuple[FollowUp, ...]


@dataclass(frozen=True)
class PathologyRules:
    bands: IntArray
    conditions: tuple[Condition, ...]
    onset_mean_years: float
    days_covered: tuple[float, float]
    gap: tuple[float, int, int]
    jitter_days: float
    large_pack_share: float

    def position(self, key: str) -> int:
        for i, condition in enumerate(self.conditions):
            if condition.key == key:
                return i
        raise datafiles.SynthDataError(f"pathology.yaml: unknown condition {key!r}")


def _condition(key: str, raw: Mapping[str, Any], bands: int,
               known: tuple[str, ...]) -> Condition:
    where = f"pathology.conditions.{key}"
    cim10 = str(datafiles.section(raw, "cim10", where))
    if cim10 not in load_cim10():
        raise datafiles.SynthDataError(f"{where}: CIM-10 {cim10} is not in the table")
    ald = raw.get("ald")
    if ald is not None and str(ald["number"]) not in load_ald():
        raise datafiles.SynthDataError(f"{where}: ALD {ald['number']} is not in the list")
    prevalence = np.array([raw["male"], raw["female"]], dtype=np.float64).T
    if prevalence.shape != (bands, 2) or (prevalence < 0).any() or (prevalence > 1).any():
        raise datafiles.SynthDataError(f"{where}: one share per band for male and female")
    depends = raw.get("more_likely_with")
    if depends is not None and depends["condition"] not in known:
        raise datafiles.SynthDataError(f"{where}: depends on a later or unknown condition")
    options = datafiles.section(raw, "treatments", where)
    shares = np.array([float(o["share"]) for o in options])
    follow = tuple(FollowUp(str(f["act"]), (int(f["every_months"][0]), int(f["every_months"][1])),
                            float(f["uptake"])) for f in raw.get("follow_up", ()))
    return Condition(
        key=key, label=str(raw.get("label", key)), cim10=cim10,
        ald_number=None if ald is None else int(ald["number"]),
        ald_share=0.0 if ald is None else float(ald["share"]),
        prevalence=prevalence, min_age=int(raw.get("min_age", 0)),
        depends_on=None if depends is None else (str(depends["condition"]),
                                                 float(depends["relative_risk"])),
        treatment_shares=shares / shares.sum(),
        treatments=tuple(tuple(o["drugs"]) for o in options), follow_up=follow)


@cache
def load_rules() -> PathologyRules:
    data = datafiles.read("pathology")
    bands = np.array(datafiles.section(data, "bands", "pathology.yaml"), dtype=np.int64)
    conditions: list[Condition] = []
    for key, raw in datafiles.section(data, "conditions", "pathology.yaml").items():
        known = tuple(c.key for c in conditions)
        conditions.append(_condition(key, raw, len(bands), known))
    adherence = datafiles.section(data, "adherence", "pathology.yaml")
    covered = adherence["days_covered"]
    gap = adherence["gap"]
    return PathologyRules(
        bands=bands, conditions=tuple(conditions),
        onset_mean_years=datafiles.number(data["onset_years"], "mean", "onset_years"),
        days_covered=(float(covered["alpha"]), float(covered["beta"])),
        gap=(float(gap["chance"]), int(gap["min_days"]), int(gap["max_days"])),
        jitter_days=float(adherence["jitter_days"]),
        large_pack_share=float(adherence["large_pack_share"]))


@dataclass(frozen=True)
class Conditions:
    """Per person × condition (columns in the order of the rules)."""

    has: BoolArray
    onset: IntArray  #: day the condition began (:data:`NO_DAY` without it)
    treatment: IntArray  #: index of the treatment option (−1 without the condition)
    ald_start: IntArray  #: first day of the ALD exemption (:data:`NO_DAY` without ALD)
    ald_end: IntArray  #: last day of the current ALD period


def _rates(condition: Condition, rules: PathologyRules, people: People) -> FloatArray:
    band = datafiles.by_band(rules.bands, people.age)
    rate = condition.prevalence[band, np.where(people.sex == MALE, 0, 1)]
    result: FloatArray = np.where(people.age >= condition.min_age, rate, 0.0)
    return result


def assign_conditions(people: People, rng: np.random.Generator, rules: PathologyRules,
                      reference_day: int, end_day: int) -> Conditions:
    n, k = len(people), len(rules.conditions)
    has = np.zeros((n, k), dtype=np.bool_)
    for j, condition in enumerate(rules.conditions):
        rate = _rates(condition, rules, people)
        if condition.depends_on is not None:
            other, risk = condition.depends_on
            i = rules.position(other)
            p_other = _rates(rules.conditions[i], rules, people)
            with_other = np.minimum(1.0, rate * risk)
            without = np.clip((rate - p_other * with_other) / np.maximum(1 - p_other, 1e-9), 0, 1)
            rate = np.where(has[:, i], with_other, without)
        has[:, j] = rng.random(n) < rate
    earliest = people.birth[:, None] + 365 * np.array([max(c.min_age, 1) for c in
                                                       rules.conditions])[None, :]
    back = (rng.exponential(rules.onset_mean_years * 365.25, (n, k))).astype(np.int64)
    onset = np.clip(reference_day - back, earliest, reference_day)
    onset = np.where(has, onset, NO_DAY)
    treatment = np.full((n, k), -1, dtype=np.int64)
    ald_share = np.array([c.ald_share for c in rules.conditions])
    ald = has & (rng.random((n, k)) < ald_share[None, :])
    for j, condition in enumerate(rules.conditions):
        picks = rng.choice(len(condition.treatments), size=n, p=condition.treatment_shares)
        treatment[:, j] = np.where(has[:, j], picks, -1)
    ald_start = np.where(ald, np.minimum(onset + (rng.random((n, k)) * 180).astype(np.int64),
                                         reference_day), NO_DAY)
    periods = np.maximum(0, (end_day - ald_start) // (ALD_MONTHS * 30) + 1)
    ald_end = add_months(ald_start.ravel(), (periods * ALD_MONTHS).ravel()).reshape(n, k) - 1
    ald_end = np.where(ald, ald_end, NO_DAY)
    return Conditions(has, onset, treatment, ald_start, ald_end)
