"""Pending: payments not made after the usual delay, from the delays file."""

from __future__ import annotations

from datetime import date

import pytest

from carnet.services.budget import DelayFileError, parse_delays, pending
from carnet.store.budget import load_delays

from .conftest import entry

DELAYS = load_delays()


def tracked(n: int, day: str, category: str = "gp", *, amo: int = 1900, amc: int = 900,
            amo_on: str | None = None, amc_on: str | None = None) -> object:
    return entry(n, day, category, 200, amo=amo, amc=amc, tracked=True, amo_paid_on=amo_on, amc_paid_on=amc_on)


def test_the_delays_file_says_5_days_with_the_carte_vitale_and_20_on_paper() -> None:
    assert (DELAYS.amo_vitale.days, DELAYS.amo_paper.days, DELAYS.amc_after_amo.days) == (5, 20, 8)
    assert DELAYS.amo_vitale.source == "ameli_delais" and "carte Vitale" in DELAYS.sources["ameli_delais"]
    assert DELAYS.amo_days("hospital") == 45 and DELAYS.amo_days("gp") == 5
    assert DELAYS.amc_days("optics") == 30 and DELAYS.lookback.days == 730


def test_unpaid_after_the_usual_delay_is_pending_then_late() -> None:
    line = tracked(1, "2025-03-01")
    assert pending([line], DELAYS, date(2025, 3, 6)) == []  # within 5 days
    (amo,) = pending([line], DELAYS, date(2025, 3, 10))
    assert (amo.payer, amo.expected, amo.due, amo.days_late, amo.late) == ("amo", 1900, date(2025, 3, 6), 4, False)
    # the mutuelle waits for the AMO: 8 days after the AMO's usual date
    (_, amc) = pending([line], DELAYS, date(2025, 3, 15))
    assert (amc.payer, amc.expected, amc.due, amc.days_late, amc.late) == ("amc", 900, date(2025, 3, 14), 1, False)
    late = pending([line], DELAYS, date(2025, 3, 22))
    assert [(p.payer, p.late) for p in late] == [("amo", True), ("amc", False)]


def test_the_mutuelle_counts_from_the_amo_payment() -> None:
    line = tracked(2, "2025-03-01", amo_on="2025-03-04")
    assert pending([line], DELAYS, date(2025, 3, 12)) == []  # 4 + 8 days
    (amc,) = pending([line], DELAYS, date(2025, 3, 13))
    assert (amc.payer, amc.due, amc.days_late, amc.late) == ("amc", date(2025, 3, 12), 1, False)
    (amc,) = pending([line], DELAYS, date(2025, 3, 28))
    assert amc.late  # 15 days after its usual date
    assert pending([tracked(3, "2025-03-01", amo_on="2025-03-04", amc_on="2025-03-09")], DELAYS,
                   date(2025, 6, 1)) == []


def test_what_is_not_pending() -> None:
    today = date(2025, 6, 1)
    untracked = entry(4, "2025-03-01", "gp", 200, amo=1900)  # a US line: no payment dates
    nothing_due = tracked(5, "2025-03-01", amo=0, amc=0)
    lapsed = tracked(6, "2023-05-01")  # more than two years ago
    future = tracked(7, "2025-07-01")
    hospital = tracked(8, "2025-04-20", "hospital", amc=0)  # 45 days for hospital invoices
    assert pending([untracked, nothing_due, lapsed, future, hospital], DELAYS, today) == []
    assert [p.payer for p in pending([hospital], DELAYS, date(2025, 6, 5))] == ["amo"]


@pytest.mark.parametrize(("data", "message"), [
    ([], r"the top level must be a mapping"),
    ({"sources": {}}, r"sources: a mapping"),
    ({"sources": {"s": "x"}, "amo": {}, "amc": {}}, r"amo.carte_vitale: expected"),
    ({"sources": {"s": "x"}, "amo": {"carte_vitale": {"days": 5, "source": "nowhere"}}, "amc": {}},
     r"amo.carte_vitale.source: unknown source 'nowhere'"),
    ({"sources": {"s": "x"}, "amo": {"carte_vitale": {"days": -1, "source": "s"}}, "amc": {}},
     r"amo.carte_vitale.days"),
    ({"sources": {"s": "x"}, "amo": {"carte_vitale": {"days": 5, "source": "s", "verified": False}}, "amc": {}},
     r"unverified delay needs a note"),
])
def test_a_bad_delays_file_names_the_key(data: object, message: str) -> None:
    with pytest.raises(DelayFileError, match=message):
        parse_delays(data, "bad.yaml")


def test_unknown_post_in_by_category() -> None:
    good = {"days": 5, "source": "s"}
    data = {"sources": {"s": "x"}, "lookback": good,
            "amo": {"carte_vitale": good, "paper": good, "by_category": {"dentist": good}},
            "amc": {"after_amo": good}}
    with pytest.raises(DelayFileError, match=r"amo.by_category: unknown posts \['dentist'\]"):
        parse_delays(data, "bad.yaml")
