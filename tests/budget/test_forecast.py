"""Forecast: recurring care, renewals from the rules, regular care, entered care, intervals; backtest."""

from __future__ import annotations

import importlib.util
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from carnet.services.budget import Member, Upcoming, forecast, horizon
from carnet.services.budget.backtest import backtest, last_year, monthly_mean
from carnet.services.budget.forecast import seasonal_profile
from carnet.services.budget.patterns import equipments, recurring
from carnet.services.reimbursement import FrenchRules
from carnet.services.reimbursement.beneficiary import add_months

from .conftest import entry

TODAY = date(2026, 1, 1)
ADULT = Member(1, "Camille", date(1984, 3, 14))
CHILD = Member(2, "Léa", date(2014, 6, 21))
REPO = Path(__file__).resolve().parents[2]


def monthly_refills(person: int, months: int, oop: int, *, last: date = TODAY, first_id: int = 1) -> list:
    return [entry(first_id + i, (last - timedelta(days=30 * (months - i))).isoformat(), "pharmacy", oop,
                  person=person, act="Metformine") for i in range(months)]


def test_horizon_starts_this_month_on_the_first_else_the_next() -> None:
    assert horizon(date(2026, 1, 1))[::11] == ("2026-01", "2026-12")
    assert horizon(date(2026, 1, 15))[::11] == ("2026-02", "2027-01")


def test_active_recurring_care_goes_on_a_stopped_one_does_not(rules: FrenchRules) -> None:
    going = monthly_refills(1, 12, 100)
    stopped = monthly_refills(2, 8, 500, last=TODAY - timedelta(days=200), first_id=100)
    series = recurring(going + stopped, TODAY)
    assert [(s.person_id, s.active, round(s.gap_days)) for s in series] == [(1, True, 30), (2, False, 30)]
    fit = forecast(going + stopped, [ADULT, CHILD], TODAY, rules)
    (cell,) = fit.cells
    assert (cell.person_id, cell.category, [k for k, _ in cell.parts]) == (1, "pharmacy", ["recurring"])
    assert cell.total == pytest.approx(12 * 100 * 30.4375 / 30, abs=12)  # a refill every 30 days
    band = fit.band("EUR", 1, "pharmacy")
    assert band.low < band.total < band.high


def test_glasses_fall_due_with_the_renewal_period_of_the_rules(rules: FrenchRules) -> None:
    adult_glasses = [entry(1, "2024-02-10", "optics", 15000, act="Monture"),
                     entry(2, "2024-02-12", "optics", 25000, act="Verres")]  # one equipment: 400 €
    child_glasses = [entry(3, "2025-03-05", "optics", 8000, person=2, act="Monture")]
    (adult, child) = equipments(adult_glasses + child_glasses)
    assert (adult.day, adult.cost, child.cost) == (date(2024, 2, 10), 40000, 8000)
    fit = forecast(adult_glasses + child_glasses, [ADULT, CHILD], TODAY, rules)
    dues = {r.person_id: r for r in fit.renewals}
    assert (dues[1].due, dues[1].chance, dues[1].cost) == (date(2026, 2, 10), 0.6, 40000)  # 24 months from 16
    assert dues[2].due == date(2026, 3, 5)  # 12 months under 16
    optics = next(c for c in fit.cells if c.person_id == 1)
    assert optics.months[:4] == (0, 8000, 8000, 8000)  # 60 % × 400 € spread over February to April
    assert sum(optics.months) == 24000


def test_entered_care_counts_and_replaces_the_renewal(rules: FrenchRules) -> None:
    glasses = [entry(1, "2024-02-10", "optics", 40000, act="Lunettes")]
    plans = [Upcoming(1, "2026-06", "optics", 30000, "Nouvelles lunettes"),
             Upcoming(1, "2026-03", "dental", 25000, "Couronne"), Upcoming(1, "2027-05", "dental", 1, "later")]
    fit = forecast(glasses, [ADULT], TODAY, rules, plans)
    assert fit.renewals == ()
    assert {c.category: (c.total, dict(c.parts)) for c in fit.cells} == {
        "dental": (25000, {"upcoming": 25000}), "optics": (30000, {"upcoming": 30000})}
    assert len(fit.upcoming) == 2


def test_regular_care_rate_weights_recent_months_more(rules: FrenchRules) -> None:
    old = [entry(i, add_months(date(2023, 1, 15), i).isoformat(), "specialist", 1000) for i in range(12)]
    new = [entry(100 + i, add_months(date(2025, 1, 15), i).isoformat(), "specialist", 3000) for i in range(12)]
    fit = forecast(old + new, [ADULT], TODAY, rules, history_start=date(2023, 1, 1))
    (cell,) = fit.cells
    flat_mean = (12 * 1000 + 12 * 3000) / 36 * 12
    assert flat_mean < cell.total < 12 * 3000  # between the 3-year mean and the last year
    band = fit.band("EUR")
    assert band.low < band.total < band.high and band.total == cell.total


def test_seasonal_profile_keeps_the_mean() -> None:
    winter = [entry(i, f"202{y}-01-10", "gp", 5000) for i, y in enumerate((3, 4, 5))]
    profile = seasonal_profile(winter, date(2023, 1, 1), TODAY, 2.0)
    assert sum(profile) / 12 == pytest.approx(1.0)
    assert profile[0] > 1.5 and profile[6] < 1.0


def test_baselines() -> None:
    history = [entry(1, "2025-03-05", "gp", 200), entry(2, "2024-03-05", "gp", 500)]
    months = horizon(TODAY)
    assert last_year(history, months)[2] == 200 and sum(last_year(history, months)) == 200
    assert monthly_mean(history, date(2024, 1, 1), TODAY) == [round(700 / 24)] * 12


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("budget_backtest", REPO / "bench" / "budget" / "backtest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_backtest_beats_both_baselines_on_a_synthetic_population(tmp_path: Path, rules: FrenchRules) -> None:
    synth = pytest.importorskip("carnet.restitution.synth")
    synth.synthesize(members=300, seed=11, out=tmp_path / "synth", workers=1)
    bench = _bench()
    households = bench.read_synth(tmp_path / "synth")
    cutoff = bench.last_year_start(households)
    result = backtest(households, cutoff, rules)
    model, repeat, mean = (result.score(n) for n in ("forecast", "last_year", "monthly_mean"))
    assert result.households > 100 and cutoff.month == 1
    assert model.mae_year < repeat.mae_year and model.mae_year < mean.mae_year
    assert model.mae_month < repeat.mae_month
    assert 0.6 < result.coverage <= 1.0
