"""Rule periods and age bands: when and for whom the rules differ.

The engine's result for an act depends on the day only through the rule
values in force, and on the person's age only through the ages the rules
test. Every date a rule value changes starts an *epoch*; every age a rule
tests starts a *band*. Within one category, bands a rule of that category
does not test are merged, and person flags the category does not read are
dropped, so that equal settlements share one memo key:

* the adult age (no PF or franchise below it) matters for the categories
  with a PF or a franchise; the pathway ages for the pathway categories; the
  hearing adult age for hearing; the renewal ages for optics and hearing;
* the médecin traitant matters for the pathway categories only; the ALD for
  ALD-related acts and the urgences fee; the pregnancy for PF, franchises,
  the forfait journalier and the urgences fee; the newborn age for the
  forfait journalier.

A test settles sampled events with their real person and day and checks the
memo gives the same amounts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from carnet.restitution.synth.arrays import IntArray
from carnet.restitution.synth.dates import day_number, to_date
from carnet.services.reimbursement import Category, FrenchRules, Timeline

FLAG_ALD, FLAG_ALD_RELATED, FLAG_TREATING, FLAG_PREGNANT, FLAG_NEWBORN, FLAG_C2S = (
    1 << i for i in range(6))
_CATEGORIES = tuple(Category)


def _timelines(value: Any) -> Iterator[Timeline[Any]]:
    if isinstance(value, Timeline):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from _timelines(getattr(value, item.name))
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _timelines(item)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _timelines(item)


def _values(timeline: Timeline[Any]) -> set[Any]:
    return {period.value for period in timeline.periods}


@dataclass(frozen=True)
class Calendar:
    """Rule epochs and age bands of the synthesised years."""

    epoch_starts: IntArray  #: first day of each epoch (day numbers)
    band_starts: IntArray  #: lowest age of each band
    pregnancy_months: IntArray  #: per epoch: exemption starts this many months before term
    pregnancy_days: IntArray  #: per epoch: …and ends this many days after it
    newborn_months: IntArray  #: per epoch
    #: per category (order of :class:`Category`) × band: the band the category sees
    band_seen: IntArray
    #: per category: the person flags the category reads
    flags_read: IntArray


def rule_calendar(rules: FrenchRules, first_day: int, last_day: int) -> Calendar:
    changes = {first_day}
    for timeline in _timelines(rules):
        for period in timeline.periods:
            if period.start is not None and first_day < day_number(period.start) <= last_day:
                changes.add(day_number(period.start))
            if period.end is not None and first_day < day_number(period.end) + 1 <= last_day:
                changes.add(day_number(period.end) + 1)
    starts = np.array(sorted(changes), dtype=np.int64)
    adult = {int(v) for v in _values(rules.exemptions.adult_age)}
    pathway = {int(v) for v in _values(rules.pathway.from_age)}
    for access in (a for period in rules.pathway.direct_access.periods for a in period.value):
        pathway.update(x for x in (access.min_age, None if access.max_age is None
                                   else access.max_age + 1) if x is not None)
    hearing = {int(v) for v in _values(rules.equipment.hearing_adult_from_age)}
    renewal = {group: {step.min_age for p in timeline.periods for step in p.value}
               for group, timeline in rules.equipment.renewal.items()}
    charged = set().union(*_values(rules.participation.categories)) | set(
        rules.franchise.by_category)
    pathway_categories = set().union(*_values(rules.pathway.categories))
    tested: list[set[int]] = []
    reads: list[int] = []
    for category in _CATEGORIES:
        name = category.value
        ages = {0} | (adult if name in charged else set()) | (
            pathway if name in pathway_categories else set()) | renewal.get(name, set()) | (
            hearing if category is Category.HEARING else set())
        tested.append(ages)
        flags = FLAG_ALD_RELATED | FLAG_C2S
        flags |= FLAG_TREATING if name in pathway_categories else 0
        flags |= FLAG_ALD if category is Category.EMERGENCY else 0
        if name in charged or category in (Category.HOSPITAL, Category.EMERGENCY):
            flags |= FLAG_PREGNANT
        flags |= FLAG_NEWBORN if category is Category.HOSPITAL else 0
        reads.append(flags)
    bands = np.array(sorted(set().union(*tested)), dtype=np.int64)
    seen = np.array([[int(np.searchsorted(bands, max(a for a in ages if a <= band), "left"))
                      for band in bands] for ages in tested], dtype=np.int64)
    days = [to_date(int(d)) for d in starts]
    ex = rules.exemptions
    return Calendar(
        starts, bands,
        np.array([ex.pregnancy_months_before_term.value_at(d) for d in days], dtype=np.int64),
        np.array([ex.pregnancy_days_after_term.value_at(d) for d in days], dtype=np.int64),
        np.array([ex.newborn_months.value_at(d) for d in days], dtype=np.int64),
        seen, np.array(reads, dtype=np.int64))


def category_index(category: Category) -> int:
    return _CATEGORIES.index(category)
