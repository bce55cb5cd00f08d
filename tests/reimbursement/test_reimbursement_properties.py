"""Property tests: invariants of every settlement and caps over a year of random acts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carnet.rules import load_contracts, load_rules
from carnet.services.reimbursement import (
    Act,
    Basket,
    Beneficiary,
    Category,
    CodeSystem,
    Counters,
    Sector,
    settle,
)

RULES = load_rules()
CONTRACTS = (None, *load_contracts())
ZERO = Decimal(0)

money = st.integers(min_value=0, max_value=300_000).map(lambda c: Decimal(c) / 100)


@st.composite
def persons(draw: st.DrawFn) -> Beneficiary:
    born = draw(st.dates(date(1930, 1, 1), date(2022, 12, 31)))
    pregnant = draw(st.booleans()) and draw(st.booleans())
    return Beneficiary(
        birth_date=born,
        ald=draw(st.booleans()),
        medecin_traitant=draw(st.booleans()),
        c2s=draw(st.integers(0, 9)) == 0,
        pregnancy_term=draw(st.dates(date(2023, 1, 1), date(2027, 6, 1))) if pregnant else None,
    )


def _fields(draw: st.DrawFn, category: Category) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if category in (Category.GP, Category.SPECIALIST, Category.IMAGING, Category.HOSPITAL):
        fields["sector"] = draw(st.sampled_from(list(Sector)))
        fields["optam"] = draw(st.booleans())
        fields["in_pathway"] = draw(st.sampled_from([None, True, False]))
    if category is Category.GP and draw(st.booleans()):
        fields.update(code=draw(st.sampled_from(["G", "G+MEG"])), code_system=CodeSystem.NGAP)
    if category is Category.SPECIALIST and draw(st.booleans()):
        fields.update(code="specialiste", code_system=CodeSystem.CARNET)
    if category is Category.PHARMACY:
        fields["drug_rate"] = draw(st.sampled_from([None, 100, 65, 30, 15]))
    if category is Category.OPTICS:
        fields["kind"] = draw(st.sampled_from(["frame", "lens_simple", "lens_complex",
                                               "lens_very_complex"]))
        fields["basket"] = draw(st.sampled_from([Basket.FREE, Basket.RAC0]))
    if category is Category.HEARING:
        fields["basket"] = draw(st.sampled_from([Basket.FREE, Basket.RAC0]))
    if category is Category.HOSPITAL:
        fields["days"] = draw(st.integers(0, 12))
        fields["kind"] = draw(st.sampled_from([None, "fees", "private_room"]))
        fields["psychiatry"] = draw(st.booleans())
    if category is Category.TRANSPORT:
        fields["kind"] = draw(st.sampled_from([None, "emergency"]))
    if category is Category.BIOLOGY:
        fields["kind"] = draw(st.sampled_from([None, "anapath", "hiv_hcv_screening"]))
    return fields


CHARGED = [Category.GP, Category.SPECIALIST, Category.BIOLOGY, Category.PHARMACY,
           Category.AUXILIARY, Category.TRANSPORT]


@st.composite
def years_of_acts(draw: st.DrawFn, categories: tuple[Category, ...] = tuple(Category),
                  most: int = 40) -> list[Act]:
    year = draw(st.integers(2023, 2026))
    offsets = sorted(draw(st.lists(st.integers(0, 364), min_size=1, max_size=most)))
    acts = []
    for offset in offsets:
        category = draw(st.sampled_from(categories))
        fields = _fields(draw, category)
        if "code" not in fields and draw(st.booleans()):
            fields["base"] = draw(money)
        acts.append(Act(
            day=date(year, 1, 1) + timedelta(days=offset),
            category=category,
            charged=draw(money),
            quantity=draw(st.integers(1, 4)),
            ald_related=draw(st.booleans()),
            practitioner=draw(st.sampled_from(["a", "b", None])),
            **fields,
        ))
    return acts


def _check_settlement(s: Any) -> None:
    amounts = (s.charged, s.base, s.amo_gross, s.amo_paid, s.complementary_paid, s.patient_share,
               s.participation_forfaitaire, s.franchise, s.recovered, s.deferred, s.flat_fee,
               s.daily_fee, s.overbilling)
    assert all(a >= 0 for a in amounts), s
    assert all(a == a.quantize(Decimal("0.01")) for a in amounts)
    assert s.charged == s.amo_paid + s.complementary_paid + s.patient_share
    assert s.amo_paid <= s.amo_gross <= s.base
    assert s.amo_paid + s.complementary_paid <= s.charged
    assert s.steps and s.steps[-1].topic == "patient_share"


def _check_caps(counters: Counters, day: date) -> None:
    assert counters.pf_total <= RULES.participation.annual_cap.value_at(day)
    assert counters.franchise_total <= RULES.franchise.annual_cap.value_at(day)
    assert all(n <= RULES.participation.daily_max_count.value_at(day)
               for n in counters.pf_daily.values())
    for key, amount in counters.franchise_daily.items():
        kind = next(k for k in RULES.franchise.by_category.values() if k.name == key.split("|")[1])
        assert kind.daily_cap is not None
        assert amount <= kind.daily_cap.value_at(date.fromisoformat(key.split("|")[0]))


def _check_contract_caps(counters: Counters, contract: Any) -> None:
    for line in contract.guarantees:
        key = f"{contract.id}:{line.id}"
        if line.year_cap is not None:
            assert counters.paid_on(key) <= line.year_cap
        if line.year_count is not None:
            assert counters.units_on(key) <= line.year_count
    for cap in contract.shared_caps.values():
        assert counters.paid_on(f"{contract.id}:cap:{cap.id}") <= cap.amount


EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@EXAMPLES
@given(acts=years_of_acts(), person=persons(), contract=st.sampled_from(CONTRACTS))
def test_a_year_of_random_acts_keeps_every_invariant_and_cap(acts, person, contract):
    _run_year(acts, person, contract)


@EXAMPLES
@given(acts=years_of_acts(tuple(CHARGED), most=150), person=persons(),
       contract=st.sampled_from(CONTRACTS))
def test_heavy_users_never_exceed_the_fixed_charge_caps(acts, person, contract):
    _run_year(acts, person, contract)


def _run_year(acts: list[Act], person: Beneficiary, contract: Any) -> None:
    counters = Counters.start(acts[0].day.year)
    withheld = ZERO
    for a in acts:
        s, counters = settle(a, person, counters, RULES, contract)
        _check_settlement(s)
        _check_caps(counters, a.day)
        if contract is not None:
            _check_contract_caps(counters, contract)
        withheld += s.participation_forfaitaire + s.franchise + s.recovered
    # Everything withheld was due, and nothing due is lost: due = withheld + still pending.
    assert withheld + counters.pending == counters.pf_total + counters.franchise_total
