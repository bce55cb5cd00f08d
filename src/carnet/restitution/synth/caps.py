"""Running caps over a person's acts, applied to the remembered settlements.

The engine settles each distinct act once with fresh counters
(:mod:`settlement`); here, for rows in each person's date order, the same
rules run over the person's history:

* participation forfaitaire: at most N per day with the same professional,
  then the yearly cap;
* franchises: the daily cap of their kind (per professional or per day), then
  the yearly cap across kinds;
* what an AMO payment is too small to withhold is deferred and recovered from
  the person's later payments (carried over the new year);
* mutuelle lines with yearly caps (units, euros, shared caps) are paid by the
  engine's own :func:`~carnet.services.reimbursement.complementary.pay`, in
  order, with the person's running counters.

A cap holding a running total can be computed without a loop: a row gets
``min(nominal, cap − nominal sum of earlier rows)`` clipped at zero, because
rows get their nominal amount until the cap binds. Deferred charges follow a
Lindley recursion, solved with a running minimum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from carnet.restitution.synth.arrays import (
    BoolArray,
    IntArray,
    capped_by,
    cumsum_before,
    running_min_with_zero,
    shifted,
)
from carnet.restitution.synth.dates import to_date
from carnet.restitution.synth.settlement import SettlementMemo
from carnet.services.reimbursement import Counters, Step
from carnet.services.reimbursement.complementary import pay

#: PRS_PPF_COD (IR_PAF_V): subject, daily cap reached, yearly cap reached, not applicable
PPF_CODES = ("S", "J", "A", "T")


@dataclass(frozen=True)
class Charges:
    """Per row (in the rows' order), cents."""

    pf_due: IntArray
    fr_due: IntArray
    pf_held: IntArray
    fr_held: IntArray
    recovered: IntArray
    deferred: IntArray
    amo_paid: IntArray
    amc_act: IntArray
    ppf_code: IntArray  #: index into :data:`PPF_CODES`
    #: rows settled in order by the mutuelle's capped lines: their payment steps
    amc_steps: dict[int, tuple[Step, ...]]


def apply_caps(memo: SettlementMemo, ids: IntArray, person: IntArray, day: IntArray,
               year: IntArray, practitioner: IntArray) -> Charges:
    """Caps for rows sorted by person then day (``ids``: memo entries of the rows)."""
    col = memo.column
    unit = col("pf_unit")[ids]
    pf_nominal = col("pf_due")[ids]
    count = np.where(unit > 0, pf_nominal // np.maximum(unit, 1), 0)
    count_ok = capped_by(count, col("pf_daily_max")[ids], person, day, practitioner)
    pf_daily = count_ok * unit
    pf_due = capped_by(pf_daily, col("pf_cap")[ids], person, year)
    fr_nominal = col("fr_due")[ids]
    per_professional = col("fr_per_professional")[ids].astype(np.bool_)
    fr_daily = capped_by(fr_nominal, col("fr_daily_cap")[ids], person, day, col("fr_kind")[ids],
                         np.where(per_professional, practitioner, -1))
    fr_due = capped_by(fr_daily, col("fr_cap")[ids], person, year)
    gross = col("amo_gross")[ids]
    pf_held = np.minimum(pf_due, gross)
    fr_held = np.minimum(fr_due, gross - pf_held)
    room = gross - pf_held - fr_held
    deferred = pf_due - pf_held + fr_due - fr_held
    recovered = _recovered(room, deferred, person)
    ppf = np.select([(pf_nominal + fr_nominal) == 0, pf_due + fr_due < pf_daily + fr_daily,
                     pf_daily + fr_daily < pf_nominal + fr_nominal], [3, 2, 1], 0)
    amc_act = col("amc_act")[ids].copy()
    steps = _sequential(memo, ids, person, day, col("sequential")[ids].astype(np.bool_), amc_act)
    return Charges(pf_due, fr_due, pf_held, fr_held, recovered, deferred,
                   gross - pf_held - fr_held - recovered, amc_act, ppf, steps)


def _recovered(room: IntArray, deferred: IntArray, person: IntArray) -> IntArray:
    """Earlier deferred charges withheld from each row's remaining room.

    Pending before row i is Q(i−1); the row recovers min(Q(i−1), room) and
    adds its own deferred part. P(i) = Q(i−1) − recovered(i) obeys
    P(i) = max(P(i−1) + d(i−1) − room(i), 0), a Lindley recursion:
    P = S − min(0, running min of S), S the running sum of d(i−1) − room(i).
    """
    previous = shifted(deferred, person)
    step = previous - room
    running = cumsum_before(step, person) + step
    left = running - running_min_with_zero(running, person)
    pending_before = shifted(left, person) + previous
    result: IntArray = pending_before - left
    return result


def _sequential(memo: SettlementMemo, ids: IntArray, person: IntArray, days: IntArray,
                flagged: BoolArray, amc_act: IntArray) -> dict[int, tuple[Step, ...]]:
    """Pay the capped mutuelle lines in order with each person's running counters."""
    counters: dict[int, Counters] = {}
    steps: dict[int, tuple[Step, ...]] = {}
    for row in np.flatnonzero(flagged).tolist():
        entry = memo.entries[int(ids[row])]
        assert entry.component is not None
        who = int(person[row])
        day = to_date(int(days[row]))
        current = counters.get(who)
        current = Counters.start(day.year) if current is None else current.for_day(day)
        payment = pay(entry.component, entry.contract, memo.rules, day, current)
        counters[who] = payment.counters
        amc_act[row] = int(payment.amount * 100)
        steps[row] = payment.steps
    return steps
