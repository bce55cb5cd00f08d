"""The engine memo: a remembered settlement equals the engine's on the real act and person."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np

from carnet.restitution.synth.dates import to_date
from carnet.restitution.synth.hospital import NO_TERM
from carnet.restitution.synth.periods import FLAG_ALD, FLAG_C2S, FLAG_PREGNANT, FLAG_TREATING
from carnet.restitution.synth.synthesis import Job, _context, build_chunk
from carnet.services.reimbursement import Beneficiary, Counters, Settlement, settle
from carnet.services.reimbursement.beneficiary import add_months


def _cents(amount: Decimal | None) -> int:
    return int((amount or Decimal(0)) * 100)


def _due(done: Settlement, topic: str) -> int:
    return sum(_cents(s.amount) for s in done.steps if s.topic == topic)


def _term(terms: np.ndarray, day: date, rules_months: int, rules_days: int) -> date | None:
    for value in terms:
        if value < NO_TERM:
            term = to_date(int(value))
            if add_months(term, -rules_months) <= day <= date.fromordinal(
                    term.toordinal() + rules_days):
                return term
    return None


def test_memo_matches_the_engine_on_real_people_and_days(tmp_path: Path) -> None:
    years = (2023, 2026)
    chunk = build_chunk(Job(3, 2500, 99, years, tmp_path))
    ctx = _context(years)
    memo, events, fields = ctx.memo, chunk.priced.events, chunk.fields
    ex = ctx.rules.exemptions
    sample = np.random.default_rng(1).choice(len(events), 1500, replace=False)
    for row in sample.tolist():
        values = {name: int(column[row]) for name, column in fields.items()}
        day = to_date(int(events.day[row]))
        person = int(events.person[row])
        flags = values["flags"]
        term = _term(chunk.terms[person], day, ex.pregnancy_months_before_term.value_at(day),
                     ex.pregnancy_days_after_term.value_at(day))
        assert (term is not None) == bool(flags & FLAG_PREGNANT)
        real = Beneficiary(birth_date=to_date(int(chunk.people.birth[person])),
                           ald=bool(flags & FLAG_ALD), medecin_traitant=bool(flags & FLAG_TREATING),
                           pregnancy_term=term, c2s=bool(flags & FLAG_C2S))
        act = memo._act(values, day)  # the real act: real code, day and quantity
        done, _ = settle(act, real, Counters.start(day.year), ctx.rules,
                         memo.contracts[values["contract"]])
        entry = memo.entries[int(chunk.priced.memo[row])]
        assert (entry.charged + entry.daily_fee, entry.base, entry.amo_gross, entry.pf_due,
                entry.fr_due, entry.flat_fee, entry.amc_act + entry.amc_fee) == (
            _cents(done.charged), _cents(done.base), _cents(done.amo_gross),
            _due(done, "participation_forfaitaire"), _due(done, "franchise"),
            _cents(done.flat_fee), _cents(done.complementary_paid)), (
            ctx.catalogue.keys[values["act"]], day, values)
