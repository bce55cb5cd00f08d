"""What each event is, for the engine: a compact key of everything its settlement depends on.

Two events with the same act, sector, price level, quantity, rule epoch, age
band, person flags and contract settle identically with fresh counters, so the
engine runs once per distinct key (:mod:`settlement`) and the running caps are
applied afterwards (:mod:`caps`). Epochs and bands come from the rules
(:mod:`periods`); drugs of the same price and rate share a key.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np

from carnet.restitution.synth.arrays import IntArray
from carnet.restitution.synth.catalogue import MAX_OPTIONS, SECTORS, TARIFF, Catalogue
from carnet.restitution.synth.dates import add_months, ages_on, months_on, to_date
from carnet.restitution.synth.events import Events
from carnet.restitution.synth.hospital import NO_TERM
from carnet.restitution.synth.membership import Members
from carnet.restitution.synth.pathology import Conditions
from carnet.restitution.synth.periods import (
    FLAG_ALD,
    FLAG_ALD_RELATED,
    FLAG_C2S,
    FLAG_NEWBORN,
    FLAG_PREGNANT,
    FLAG_TREATING,
    Calendar,
    category_index,
)
from carnet.restitution.synth.population import People
from carnet.services.reimbursement import FrenchRules, RuleNotInForce

#: (field, bits) of the memo key, lowest bits first
FIELDS = (("act", 14), ("sector", 2), ("option", 3), ("over", 3), ("quantity", 6), ("days", 6),
          ("epoch", 6), ("band", 4), ("flags", 6), ("contract", 4), ("rate", 3))
RATES = (0, 100, 65, 30, 15)


def pack(values: Mapping[str, IntArray]) -> IntArray:
    key = np.zeros(len(values["act"]), dtype=np.int64)
    shift = 0
    for name, bits in FIELDS:
        field = values[name]
        if field.size and (field.min() < 0 or field.max() >= 1 << bits):
            raise OverflowError(f"memo key field {name} out of range")
        key |= field.astype(np.int64) << shift
        shift += bits
    return key


def unpack(key: int) -> dict[str, int]:
    found, shift = {}, 0
    for name, bits in FIELDS:
        found[name] = (key >> shift) & ((1 << bits) - 1)
        shift += bits
    return found


def _tariff_in_force(catalogue: Catalogue, rules: FrenchRules, act: int, day: date) -> bool:
    for part in catalogue.code[act].split("+"):
        tariff = rules.tariffs.find(catalogue.system[act].value, part.strip())
        if tariff is None:
            return False
        try:
            tariff.values.at(day)
        except RuleNotInForce:
            return False
    return True


def fall_back(events: Events, catalogue: Catalogue, rules: FrenchRules,
              calendar: Calendar) -> IntArray:
    """Acts whose tariff is not in force on the day replaced by their fallback act."""
    act = events.act.copy()
    epoch = np.searchsorted(calendar.epoch_starts, events.day, side="right") - 1
    tariffed = catalogue.price[act] == TARIFF
    pairs = np.unique(np.stack([act[tariffed], epoch[tariffed]]), axis=1)
    for a, e in pairs.T:
        current = int(a)
        day = to_date(int(calendar.epoch_starts[e]))
        while not _tariff_in_force(catalogue, rules, current, day):
            current = int(catalogue.fallback[current])
            if current < 0:
                raise RuleNotInForce(f"no tariff in force on {day} for act {catalogue.keys[a]}")
        act[tariffed & (act == a) & (epoch == e)] = current
    return act


def _draw(rng: np.random.Generator, cumulative: np.ndarray) -> IntArray:
    """Index drawn per row from rows of cumulative probabilities."""
    u = rng.random(len(cumulative))
    result: IntArray = np.minimum((u[:, None] > cumulative).sum(axis=1), MAX_OPTIONS - 1)
    return result


def _cumulative(options: list[np.ndarray]) -> np.ndarray:
    table = np.zeros((len(options), MAX_OPTIONS))
    for i, weights in enumerate(options):
        table[i, : len(weights)] = weights
    result: np.ndarray = np.cumsum(table, axis=1)
    result[:, -1] = 1.0
    return result


def key_fields(events: Events, act: IntArray, people: People, members: Members,
               conditions: Conditions, terms: IntArray, catalogue: Catalogue,
               calendar: Calendar, rng: np.random.Generator) -> dict[str, IntArray]:
    """The memo key fields of every event (see :data:`FIELDS`)."""
    person, day = events.person, events.day
    profile = catalogue.practitioner[act]
    shares = np.array([p.sectors for p in catalogue.practitioners])
    sector_u = rng.random((len(people), len(catalogue.practitioners)))[person, profile]
    sector = (sector_u[:, None] > np.cumsum(shares, axis=1)[profile]).sum(axis=1)
    sector = np.where(members.c2s[person], 0, np.minimum(sector, len(SECTORS) - 1))
    option = _draw(rng, _cumulative([w for _, w in catalogue.options])[act])
    over_table = _cumulative([w for p in catalogue.practitioners for _, w in p.overbilling])
    over = _draw(rng, over_table[profile * len(SECTORS) + sector])
    epoch = np.searchsorted(calendar.epoch_starts, day, side="right") - 1
    age = ages_on(people.birth[person], day)
    band = np.searchsorted(calendar.band_starts, age, side="right") - 1
    ald = ((conditions.ald_start[person] <= day[:, None])
           & (day[:, None] <= conditions.ald_end[person])).any(axis=1)
    pregnant = np.zeros(day.size, dtype=np.bool_)
    for slot in range(terms.shape[1]):
        term = terms[person, slot]
        has = term < NO_TERM
        start = add_months(np.where(has, term, day), -calendar.pregnancy_months[epoch])
        pregnant |= has & (start <= day) & (day <= term + calendar.pregnancy_days[epoch])
    newborn = months_on(people.birth[person], day) < calendar.newborn_months[epoch]
    flags = (np.where(ald, FLAG_ALD, 0) | np.where(events.ald & ald, FLAG_ALD_RELATED, 0)
             | np.where(members.medecin_traitant[person], FLAG_TREATING, 0)
             | np.where(pregnant, FLAG_PREGNANT, 0) | np.where(newborn, FLAG_NEWBORN, 0)
             | np.where(members.c2s[person], FLAG_C2S, 0))
    rate_code = np.zeros(day.size, dtype=np.int64)
    for code, value in enumerate(RATES):
        rate_code[events.rate == value] = code
    category = np.array([category_index(c) for c in catalogue.category])[act]
    return {"act": act, "sector": sector, "option": option, "over": over,
            "quantity": events.quantity, "days": events.days, "epoch": epoch, "band": band,
            "flags": flags.astype(np.int64), "contract": members.contract[person],
            "rate": rate_code, "category": category}


def memo_keys(fields: Mapping[str, IntArray], catalogue: Catalogue,
              calendar: Calendar) -> IntArray:
    """The memo key of each event: fields the act's category ignores are folded."""
    category = fields["category"]
    canonical = dict(fields)
    canonical["act"] = catalogue.canonical[fields["act"]]
    canonical["band"] = calendar.band_seen[category, fields["band"]]
    canonical["flags"] = fields["flags"] & calendar.flags_read[category]
    return pack(canonical)
