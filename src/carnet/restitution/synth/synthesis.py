"""``synthesize``: a synthetic mutuelle's members and their claims, as Parquet tables.

The population is generated in chunks of :data:`CHUNK_PERSONS` people; chunk
``i`` draws from its own random stream (``SeedSequence(seed, spawn_key=(i,))``)
and writes part ``i`` of every table, so the output is the same whatever the
number of worker processes. The steps of a chunk, in order:

1. people (age pyramid), households, membership (contract, médecin traitant);
2. chronic conditions and ALD; pregnancies;
3. care events: chronic care, consultations, dental, optics, hearing,
   hospital, pregnancies, vaccinations, screenings, check-ups;
4. pricing: the engine settles each distinct act once (memoised per process),
   then running caps, deferred charges and capped mutuelle lines per person;
5. payment dates; tables; Parquet parts.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa

from carnet.restitution.synth import (
    care,
    consultation,
    equipment,
    hospital,
    population,
    prevention,
)
from carnet.restitution.synth import household as household_module
from carnet.restitution.synth import pathology as pathology_module
from carnet.restitution.synth.arrays import group_starts
from carnet.restitution.synth.caps import apply_caps
from carnet.restitution.synth.catalogue import load_catalogue
from carnet.restitution.synth.claims import Priced, prestation_tables
from carnet.restitution.synth.dates import day_number, years_of
from carnet.restitution.synth.events import EventLog
from carnet.restitution.synth.household import Households
from carnet.restitution.synth.membership import Members, contract_list, enrol
from carnet.restitution.synth.payment import category_index, schedule
from carnet.restitution.synth.periods import rule_calendar
from carnet.restitution.synth.pricing import fall_back, key_fields, memo_keys
from carnet.restitution.synth.referential import member_tables, who
from carnet.restitution.synth.settlement import SettlementMemo
from carnet.restitution.synth.writer import write_part
from carnet.rules.contract import load_contract
from carnet.rules.loader import load_rules

CHUNK_PERSONS = 4096


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        found = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return found if found is not None and hasattr(found, "malloc_trim") else None


_LIBC = _libc()
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SynthReport:
    """What a run wrote."""

    members: int
    seed: int
    years: tuple[int, int]
    out: Path
    chunks: int
    households: int
    #: rows written per table
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def lines(self) -> int:
        """Prestation lines (ER_PRS_F rows)."""
        return self.rows.get("ER_PRS_F", 0)


@dataclass(frozen=True)
class Job:
    chunk: int
    persons: int
    seed: int
    years: tuple[int, int]
    out: Path


class _Context:
    """What a worker process keeps between chunks: rules, catalogue, engine memo."""

    def __init__(self, years: tuple[int, int]) -> None:
        self.first_day = day_number(date(years[0], 1, 1))
        self.last_day = day_number(date(years[1], 12, 31))
        self.reference_day = day_number(date(years[1], 1, 1))
        self.rules = load_rules()
        self.catalogue = load_catalogue()
        self.calendar = rule_calendar(self.rules, self.first_day, self.last_day)
        self.contracts = contract_list()
        self.memo = SettlementMemo(self.rules, self.catalogue, self.calendar,
                                   tuple(load_contract(c) for c in self.contracts))


_CONTEXTS: dict[tuple[int, int], _Context] = {}


def _context(years: tuple[int, int]) -> _Context:
    if years not in _CONTEXTS:
        _CONTEXTS[years] = _Context(years)
    return _CONTEXTS[years]


def _grouped(people: population.People, households: Households) -> tuple[
        population.People, Households]:
    """People reordered by household (subscriber first), households renumbered in that order."""
    order = np.lexsort((people.birth, households.role, households.household))
    moved = replace(people, **{f: getattr(people, f)[order]
                               for f in ("sex", "birth", "death", "age", "given")})
    number = np.cumsum(group_starts(households.household[order])) - 1
    return moved, Households(number, households.role[order], households.count)


@dataclass(frozen=True)
class Chunk:
    """Everything one chunk generated (tests look inside)."""

    people: population.People
    households: Households
    members: Members
    conditions: pathology_module.Conditions
    terms: np.ndarray
    fields: dict[str, np.ndarray]
    priced: Priced
    tables: dict[str, pa.Table]


def build_chunk(job: Job) -> Chunk:
    """Generate chunk ``job.chunk`` (no file written)."""
    ctx = _context(job.years)
    rng = np.random.default_rng(np.random.SeedSequence(job.seed, spawn_key=(job.chunk,)))
    pop = population.load_rules()
    people = population.draw_people(job.persons, rng, pop, job.years[1])
    people, homes = _grouped(people, household_module.form_households(
        people, rng, household_module.load_rules()))
    first = job.chunk * CHUNK_PERSONS
    members = enrol(people, homes, rng, pop, first, first)
    patho = pathology_module.load_rules()
    conditions = pathology_module.assign_conditions(people, rng, patho, ctx.reference_day,
                                                    ctx.last_day)
    terms = hospital.pregnancy_terms(people, homes, ctx.first_day)
    log = EventLog(ctx.first_day, ctx.last_day)
    years = range(job.years[0], job.years[1] + 1)
    cat = ctx.catalogue
    care.add_chronic_care(log, rng, people, conditions, patho, cat)
    consultation.add_consultations(log, rng, people, cat, years)
    equipment.add_dental(log, rng, people, cat, years)
    equipment.add_optics(log, rng, people, cat, ctx.rules, ctx.reference_day)
    equipment.add_hearing(log, rng, people, cat)
    hospital.add_stays(log, rng, people, cat, conditions, years)
    hospital.add_pregnancies(log, rng, cat, terms)
    prevention.add_vaccinations(log, rng, people, cat, conditions, patho)
    prevention.add_screenings(log, rng, people, cat)
    prevention.add_checkups(log, rng, people, cat)
    events = log.build(people)
    events = events.take(np.lexsort((events.act, events.visit, events.day, events.person)))
    act = fall_back(events, cat, ctx.rules, ctx.calendar)
    fields = key_fields(events, act, people, members, conditions, terms, cat, ctx.calendar, rng)
    ids = ctx.memo.lookup(memo_keys(fields, cat, ctx.calendar))
    charges = apply_caps(ctx.memo, ids, events.person, events.day, years_of(events.day),
                         cat.practitioner[act])
    categories = np.array([category_index(c) for c in cat.category])
    payments = schedule(rng, events.day, categories[act], ctx.last_day)
    priced = Priced(events, act, fields["sector"], fields["flags"], ids, charges, payments)
    person = who(people, members, pop)
    tables = member_tables(people, homes, members, person, conditions, patho, pop, ctx.contracts)
    tables.update(prestation_tables(job.chunk, priced, members, person, cat, ctx.memo,
                                    ctx.contracts))
    return Chunk(people, homes, members, conditions, terms, fields, priced, tables)


def _run(job: Job) -> tuple[int, dict[str, int]]:
    chunk = build_chunk(job)
    for name, data in sorted(chunk.tables.items()):
        write_part(job.out, name, job.chunk, data)
    households = chunk.households.count
    counts = {name: data.num_rows for name, data in chunk.tables.items()}
    del chunk
    _give_back_memory()
    return households, counts


def _give_back_memory() -> None:
    """Return freed chunk memory to the system, so a worker's footprint stays flat."""
    pa.default_memory_pool().release_unused()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def synthesize(members: int, seed: int, out: Path, years: tuple[int, int] = (2023, 2026),
               progress: Progress | None = None, workers: int | None = None) -> SynthReport:
    """Write ``members`` synthetic members and their claims for ``years`` (inclusive) to ``out``.

    ``out/<TABLE>/part-NNNNN.parquet`` for every table of
    :data:`carnet.restitution.tables.TABLES`. The same ``members``, ``seed``
    and ``years`` give byte-identical files. ``progress(done, total)`` is
    called after each chunk; ``workers`` defaults to the number of CPUs.
    """
    if members < 1 or years[0] > years[1]:
        raise ValueError("members must be positive and years in order")
    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    chunks = -(-members // CHUNK_PERSONS)
    jobs = [Job(i, min(CHUNK_PERSONS, members - i * CHUNK_PERSONS), seed, years, out)
            for i in range(chunks)]
    count = min(workers or os.cpu_count() or 1, chunks)
    rows: dict[str, int] = {}
    households = 0
    # the first chunk runs here: forked workers start with its engine memo warm
    homes, written = _run(jobs[0])
    households += _add(rows, homes, written, progress, 1, chunks)
    if count <= 1 or os.name != "posix":
        for done, (homes, written) in enumerate(map(_run, jobs[1:]), 2):
            households += _add(rows, homes, written, progress, done, chunks)
    else:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(count, mp_context=context) as pool:
            for done, (homes, written) in enumerate(pool.map(_run, jobs[1:]), 2):
                households += _add(rows, homes, written, progress, done, chunks)
    return SynthReport(members, seed, years, out, chunks, households, rows,
                       time.perf_counter() - started)


def _add(rows: dict[str, int], homes: int, written: dict[str, int], progress: Progress | None,
         done: int, total: int) -> int:
    for name, count in written.items():
        rows[name] = rows.get(name, 0) + count
    if progress is not None:
        progress(done, total)
    return homes
