"""Caps, exemptions, counters and renewals over several acts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from reimbursement_helpers import ADULT, E, act, one

from carnet.services.reimbursement import (
    Basket,
    Beneficiary,
    Category,
    Counters,
    settle,
    settle_all,
)


def test_pf_yearly_cap_50_euros(rules):
    # 30 GP visits in 2025 on different days: 25 × 2 € reach the 50 € cap.
    acts = [act((date(2025, 1, 6) + timedelta(days=7 * i)).isoformat(), Category.GP, "30", code="G")
            for i in range(30)]
    settlements, counters = settle_all(acts, ADULT, rules)
    assert counters.pf_total == E("50.00")
    assert sum(s.participation_forfaitaire for s in settlements) == E("50.00")
    assert settlements[24].participation_forfaitaire == E("2.00")
    assert settlements[25].participation_forfaitaire == E("0.00")
    assert settlements[25].amo_paid == E("21.00")


def test_pf_four_a_day_with_the_same_professional(rules):
    acts = [act("2025-02-03", Category.BIOLOGY, "20", practitioner="lab-1") for _ in range(5)]
    settlements, counters = settle_all(acts, ADULT, rules)
    assert [s.participation_forfaitaire for s in settlements] == [E("2.00")] * 4 + [E("0.00")]
    other = act("2025-02-03", Category.BIOLOGY, "20", practitioner="lab-2")
    s, _ = settle(other, ADULT, counters, rules)
    assert s.participation_forfaitaire == E("2.00")


def test_franchise_daily_caps(rules):
    nurse = [act("2025-02-03", Category.AUXILIARY, "10", practitioner="ide") for _ in range(5)]
    settlements, _ = settle_all(nurse, ADULT, rules)
    assert sum(s.franchise for s in settlements) == E("4.00")
    rides = [act("2025-02-03", Category.TRANSPORT, "60", practitioner=f"taxi-{i}") for i in range(3)]
    settlements, _ = settle_all(rides, ADULT, rules)
    assert sum(s.franchise for s in settlements) == E("8.00")  # 4 € each, 8 € a day
    urgent = one(rules, act("2025-02-03", Category.TRANSPORT, "60", kind="emergency"))
    assert urgent.franchise == E("0.00")


def test_franchise_yearly_cap_separate_from_pf(rules):
    boxes = [act((date(2025, 1, 1) + timedelta(days=i)).isoformat(), Category.PHARMACY, "10",
                 drug_rate=65, quantity=2) for i in range(30)]
    settlements, counters = settle_all(boxes, ADULT, rules)
    assert counters.franchise_total == E("50.00")
    assert counters.pf_total == E("0.00")
    assert sum(s.franchise for s in settlements) == E("50.00")


def test_counters_restart_each_year_but_keep_pending_and_equipment(rules):
    start = Counters.start(2025)
    s, c = settle(act("2025-12-30", Category.PHARMACY, "2", drug_rate=15), ADULT, start, rules)
    # 15 % × 2 = 0.30 withheld, 0.70 deferred.
    assert (s.franchise, s.deferred, c.pending) == (E("0.30"), E("0.70"), E("0.70"))
    s2, c2 = settle(act("2026-01-05", Category.GP, "30", code="G"), ADULT, c, rules)
    assert c2.year == 2026 and c2.pf_total == E("2.00") and c2.franchise_total == E("0.00")
    # 21 − 2 (PF) − 0.70 (earlier franchise) = 18.30
    assert (s2.recovered, s2.amo_paid, c2.pending) == (E("0.70"), E("18.30"), E("0.00"))
    assert s2.patient_share == E("11.70")


def test_counters_are_not_changed_in_place(rules):
    start = Counters.start(2025)
    _, after = settle(act("2025-03-01", Category.GP, "30", code="G"), ADULT, start, rules)
    assert start.pf_total == E("0") and after.pf_total == E("2.00")
    with pytest.raises(TypeError):
        after.pf_daily["x"] = 1  # type: ignore[index]


def test_acts_must_be_in_order(rules):
    acts = [act("2025-03-02", Category.GP, "30", code="G"), act("2025-03-01", Category.GP, "30", code="G")]
    with pytest.raises(ValueError, match="out of order"):
        settle_all(acts, ADULT, rules)
    with pytest.raises(ValueError, match="after counters"):
        settle(acts[1], ADULT, Counters.start(2026), rules)


def test_exemptions_pregnancy_and_c2s(rules):
    pregnant = Beneficiary(age=30, pregnancy_term=date(2025, 6, 1))
    # From 6th month (4 months before term: 01/02/2025) to 12 days after birth.
    assert one(rules, act("2025-01-31", Category.GP, "30", code="G"), pregnant).participation_forfaitaire == E("2.00")
    assert one(rules, act("2025-02-01", Category.GP, "30", code="G"), pregnant).participation_forfaitaire == E("0.00")
    assert one(rules, act("2025-06-13", Category.GP, "30", code="G"), pregnant).participation_forfaitaire == E("0.00")
    assert one(rules, act("2025-06-14", Category.GP, "30", code="G"), pregnant).participation_forfaitaire == E("2.00")
    c2s = Beneficiary(age=30, c2s=True)
    assert one(rules, act("2025-03-04", Category.PHARMACY, "10", drug_rate=65), c2s).franchise == E("0.00")
    stay = act("2025-03-04", Category.HOSPITAL, "500", base="500", days=2, heavy_act=False)
    assert one(rules, stay, c2s).daily_fee == E("0.00")
    newborn = Beneficiary(birth_date=date(2025, 2, 20))
    assert one(rules, stay, newborn).daily_fee == E("0.00")


def test_optics_renewal_two_years_for_adults_one_for_children(rules, contracts):
    contract = contracts["niveau-3-renforce"]
    frame = {"kind": "frame", "basket": Basket.FREE}
    acts = [act("2024-03-01", Category.OPTICS, "150", **frame),
            act("2024-03-01", Category.OPTICS, "200", kind="lens_simple", basket=Basket.FREE),
            act("2025-03-01", Category.OPTICS, "150", **frame),
            act("2026-03-01", Category.OPTICS, "150", **frame)]
    settlements, _ = settle_all(acts, ADULT, rules, contract)
    assert [s.complementary_paid for s in settlements] == [E("100.00"), E("160.00"), E("0"), E("100.00")]
    assert settlements[2].amo_paid == E("0") and settlements[2].patient_share == E("150.00")
    child = Beneficiary(birth_date=date(2015, 1, 1))
    settlements, _ = settle_all(acts, child, rules, contract)
    assert settlements[2].complementary_paid == E("100.00")


def test_contract_units_and_shared_yearly_cap(rules, contracts):
    # Niveau 2: 4 sessions × 30 € a year for médecines douces.
    sessions = [act(f"2025-0{m}-10", Category.OTHER, "60") for m in range(1, 7)]
    settlements, counters = settle_all(sessions, ADULT, rules, contracts["niveau-2-confort"])
    assert [s.complementary_paid for s in settlements] == [E("30.00")] * 4 + [E("0.00")] * 2
    assert all(s.amo_paid == 0 and s.base == 0 for s in settlements)
    assert counters.paid_on("niveau-2-confort:cap:alternative_medicine") == E("120.00")


def test_private_room_has_no_base(rules, contracts):
    room = act("2025-03-04", Category.HOSPITAL, "160", kind="private_room", quantity=2)
    s = one(rules, room, contract=contracts["niveau-2-confort"])
    assert (s.base, s.amo_paid, s.complementary_paid, s.patient_share) == (
        E("0"), E("0"), E("100.00"), E("60.00"))
