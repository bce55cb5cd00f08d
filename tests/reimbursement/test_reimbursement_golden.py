"""Golden cases: expected amounts written by hand from the fact sheet's own arithmetic.

Fact sheet: /work/shared/domain/france-rules.md (§A.1 worked example, §A.12
simulation, §A.3-A.5 charges, §A.8 ALD, §B.1-B.3 guarantees).
"""

from __future__ import annotations

from datetime import date

from reimbursement_helpers import ADULT, E, act, one

from carnet.services.reimbursement import Basket, Beneficiary, Category, CodeSystem, Sector

GP, SPE = Category.GP, Category.SPECIALIST
NO_TREATING_DOCTOR = Beneficiary(birth_date=date(1985, 4, 2), medecin_traitant=False)


def test_a1_gp_visit_in_pathway(rules, contracts):
    # §A.1: AMO = 70 % × 30 = 21 − 2 (PF) = 19 €; TM 9 € paid by the mutuelle; the patient bears 2 €.
    s = one(rules, act("2025-03-04", GP, "30", code="G"), contract=contracts["niveau-1-essentiel"])
    assert (s.base, s.amo_rate, s.amo_gross) == (E("30.00"), E("0.70"), E("21.00"))
    assert (s.participation_forfaitaire, s.amo_paid) == (E("2.00"), E("19.00"))
    assert s.complementary_paid == E("9.00")
    assert s.patient_share == E("2.00")
    assert s.overbilling == E("0.00")
    texts = s.explanation()
    assert "Base de remboursement 30,00 € (tarif G 30,00 €, en vigueur depuis le 22/12/2024)" in texts
    assert "Participation forfaitaire 2,00 € retenue" in texts
    assert "Participation forfaitaire €2.00 withheld" in s.explanation("en")


def test_a1_without_mutuelle_patient_pays_ticket_and_pf(rules):
    s = one(rules, act("2025-03-04", GP, "30", code="G"))
    assert (s.amo_paid, s.complementary_paid, s.patient_share) == (E("19.00"), E("0"), E("11.00"))


def test_a12_sector2_non_optam_with_200_percent_contract(rules, contracts):
    # §A.12: BR 23 €, AMO 0.7 × 23 − 2 = 14.10; « 200 % BR » → 46 € in all; AMC 46 − 16.10 = 29.90;
    # RAC 60 − 14.10 − 29.90 = 16 €.
    a = act("2025-03-04", SPE, "60", code="specialiste", code_system=CodeSystem.CARNET,
            sector=Sector.SECTOR_2, optam=False)
    s = one(rules, a, contract=contracts["niveau-3-renforce"])
    assert (s.base, s.amo_paid, s.complementary_paid, s.patient_share) == (
        E("23.00"), E("14.10"), E("29.90"), E("16.00"))
    assert s.overbilling == E("37.00")


def test_a12_with_the_base_given_by_the_caller(rules, contracts):
    a = act("2025-03-04", SPE, "60", base="23", sector=Sector.SECTOR_2)
    s = one(rules, a, contract=contracts["niveau-3-renforce"])
    assert (s.amo_paid, s.complementary_paid, s.patient_share) == (E("14.10"), E("29.90"), E("16.00"))


def test_a12_option_b_175_percent(rules, contracts):
    # FPE option B, specialist non-OPTAM 175 %: 1.75 × 23 = 40.25; AMC 40.25 − 16.10 = 24.15;
    # RAC 60 − 14.10 − 24.15 = 21.75.
    a = act("2025-03-04", SPE, "60", base="23", sector=Sector.SECTOR_2)
    s = one(rules, a, contract=contracts["fpe-option-b-2024"])
    assert (s.complementary_paid, s.patient_share) == (E("24.15"), E("21.75"))


def test_out_of_pathway_gp_and_the_majoration_left_to_the_patient(rules, contracts):
    # §A.7: 30 % instead of 70 %: AMO 9 − 2 = 7; a responsible « 100 % BR » contract pays the
    # normal TM only (30 % × 30 = 9), not the 40-point majoration (12 €): RAC 12 + 2 = 14 €.
    a = act("2025-03-04", GP, "30", code="G")
    s = one(rules, a, NO_TREATING_DOCTOR, contracts["niveau-1-essentiel"])
    assert (s.amo_rate, s.amo_gross, s.amo_paid) == (E("0.30"), E("9.00"), E("7.00"))
    assert (s.complementary_paid, s.patient_share) == (E("9.00"), E("14.00"))


def test_direct_access_gynecologist_stays_in_pathway(rules):
    a = act("2025-09-01", SPE, "40", code="gynecologue", code_system=CodeSystem.CARNET,
            specialty="gynecology")
    s = one(rules, a, NO_TREATING_DOCTOR)
    # 40 € since 01/07/2025 at 70 % = 28 − 2 = 26.
    assert (s.base, s.amo_paid) == (E("40.00"), E("26.00"))


def test_ald_related_act_at_100_percent_pf_still_due(rules):
    # §A.8: 100 % of the base; PF still due. Specialist 31.50 €: 31.50 − 2 = 29.50; RAC 2 €.
    person = Beneficiary(birth_date=date(1960, 1, 1), ald=True)
    a = act("2025-03-04", SPE, "31.50", code="specialiste", code_system=CodeSystem.CARNET,
            ald_related=True)
    s = one(rules, a, person)
    assert (s.amo_rate, s.amo_paid, s.patient_share) == (E("1.00"), E("29.50"), E("2.00"))
    unrelated = one(rules, act("2025-03-04", SPE, "31.50", code="specialiste",
                               code_system=CodeSystem.CARNET), person)
    # 70 % × 31.50 = 22.05 − 2 = 20.05.
    assert unrelated.amo_paid == E("20.05")


def test_child_under_6_no_pf(rules, contracts):
    # G + MEG = 35 €; 70 % = 24.50; no PF under 18; « 100 % BR » pays 10.50.
    child = Beneficiary(birth_date=date(2020, 6, 1))
    s = one(rules, act("2025-03-04", GP, "35", code="G+MEG"), child, contracts["niveau-1-essentiel"])
    assert (s.base, s.participation_forfaitaire, s.amo_paid) == (E("35.00"), E("0"), E("24.50"))
    assert (s.complementary_paid, s.patient_share) == (E("10.50"), E("0.00"))
    assert "Pas de participation forfaitaire : moins de 18 ans." in s.explanation()


def test_pharmacy_box_at_65_percent_with_franchise(rules, contracts):
    # 10 € box at 65 %: 6.50 − 1 (franchise since 31/03/2024) = 5.50; « 100 % BR »: 3.50; RAC 1 €.
    a = act("2025-03-04", Category.PHARMACY, "10", drug_rate=65)
    s = one(rules, a, contract=contracts["niveau-1-essentiel"])
    assert (s.amo_gross, s.franchise, s.amo_paid) == (E("6.50"), E("1.00"), E("5.50"))
    assert (s.complementary_paid, s.patient_share) == (E("3.50"), E("1.00"))
    before = one(rules, act("2024-03-01", Category.PHARMACY, "10", drug_rate=65))
    assert (before.franchise, before.amo_paid) == (E("0.50"), E("6.00"))


def test_hospital_stay_with_heavy_act_and_daily_fee(rules, contracts):
    # 3 days, base 2 000 €: 80 % would leave a 400 € TM; a heavy act replaces it by 24 €:
    # AMO 1 976 €. Daily fee 20 € × 3 = 60 €. Alone: 84 €. FPE socle (stay 100 % BR,
    # daily fee at actual cost): 24 + 60 = 84 €, RAC 0.
    a = act("2025-05-10", Category.HOSPITAL, "2000", base="2000", days=3)
    alone = one(rules, a)
    assert (alone.amo_paid, alone.flat_fee, alone.daily_fee) == (E("1976.00"), E("24.00"), E("60.00"))
    assert (alone.charged, alone.patient_share) == (E("2060.00"), E("84.00"))
    covered = one(rules, a, contract=contracts["fpe-socle-2024"])
    assert (covered.complementary_paid, covered.patient_share) == (E("84.00"), E("0.00"))


def test_hospital_daily_fee_2026_and_medical_stay(rules):
    # From 01/03/2026: 23 €/day. Medical stay without heavy act: 80 % × 1 000 = 800; TM 200.
    s = one(rules, act("2026-03-10", Category.HOSPITAL, "1000", base="1000", days=2,
                       heavy_act=False))
    assert (s.amo_paid, s.daily_fee, s.patient_share) == (E("800.00"), E("46.00"), E("246.00"))
    psy = one(rules, act("2025-05-10", Category.HOSPITAL, "1000", base="1000", days=2,
                         heavy_act=False, psychiatry=True))
    assert psy.daily_fee == E("30.00")


def test_responsible_ceiling_on_an_over_generous_non_optam_line(rules, contracts):
    from carnet.rules import parse_contract

    text = """
id: generous
name: Generous
responsible: {responsible}
source: test
premium: {{adult: 1, child: 1, child_under_age: 18, source: test}}
guarantees:
  - {{id: spe, label: Spé, when: {{category: specialist}}, percent_br: 300}}
"""
    a = act("2025-03-04", SPE, "60", base="23", sector=Sector.SECTOR_2)
    capped = one(rules, a, contract=parse_contract(text.format(responsible="true")))
    # 300 % would give 69 − 16.10; the law caps non-OPTAM overbilling at 100 % BR: 29.90.
    assert capped.complementary_paid == E("29.90")
    free = one(rules, a, contract=parse_contract(text.format(responsible="false")))
    # Not responsible: everything left after the AMO except the PF: 60 − 16.10 = 43.90; RAC 2 €.
    assert (free.complementary_paid, free.patient_share) == (E("43.90"), E("2.00"))


def test_heavy_act_in_town_and_its_2026_increase(rules):
    # Specialist act, base 150 €: 70 % = 105, TM 45 → flat 24: AMO 126 − 2 (PF) = 124.
    s = one(rules, act("2025-03-04", SPE, "150", base="150"))
    assert (s.amo_gross, s.flat_fee, s.amo_paid) == (E("126.00"), E("24.00"), E("124.00"))
    later = one(rules, act("2026-05-04", SPE, "150", base="150"))
    # 32 € announced from 22/04/2026: AMO 118 − 2 = 116.
    assert later.amo_paid == E("116.00")


def test_emergency_flat_fee(rules, contracts):
    # ER visit, base 50 €: the FPU 19.61 € replaces the TM; AMO 30.39; « 100 % BR » pays 19.61.
    s = one(rules, act("2025-03-04", Category.EMERGENCY, "50", base="50"),
            contract=contracts["niveau-1-essentiel"])
    assert (s.amo_paid, s.complementary_paid, s.patient_share) == (E("30.39"), E("19.61"), E("0.00"))
    ald = one(rules, act("2025-03-04", Category.EMERGENCY, "50", base="50"),
              Beneficiary(age=60, ald=True))
    assert ald.amo_paid == E("41.51")  # reduced FPU 8.49
    assert one(rules, act("2026-03-02", Category.EMERGENCY, "50", base="50")).amo_paid == E("27.00")


def test_gp_tariff_history(rules):
    # G 25 € (2023), 26.50 € (from 22/12/2023), 30 € (from 22/12/2024); PF 1 € then 2 € (15/05/2024).
    assert one(rules, act("2023-06-01", GP, "25", code="G")).amo_paid == E("16.50")
    assert one(rules, act("2024-01-10", GP, "26.50", code="G")).amo_paid == E("17.55")
    assert one(rules, act("2024-02-29", GP, "26.50", code="G")).amo_paid == E("17.55")
    assert one(rules, act("2024-06-01", GP, "26.50", code="G")).amo_paid == E("16.55")
    assert one(rules, act("2024-12-22", GP, "30", code="G")).amo_paid == E("19.00")


def test_dental_rate_change_on_15_october_2023(rules):
    assert one(rules, act("2023-10-14", Category.DENTAL, "100", base="100")).amo_paid == E("70.00")
    assert one(rules, act("2023-10-15", Category.DENTAL, "100", base="100")).amo_paid == E("60.00")


def test_optics_class_a_and_class_b(rules, contracts):
    # Class A frame: base 9 €, 60 % = 5.40; 100 % Santé: the mutuelle pays the rest (24.60).
    a = act("2025-03-04", Category.OPTICS, "30", kind="frame", basket=Basket.RAC0)
    s = one(rules, a, contract=contracts["niveau-1-essentiel"])
    assert (s.base, s.amo_paid, s.complementary_paid, s.patient_share) == (
        E("9.00"), E("5.40"), E("24.60"), E("0.00"))
    # Class B frame 150 €: base 0.05 €, AMO 0.03 €; a 100 € allowance; RAC 49.97 €.
    b = act("2025-03-04", Category.OPTICS, "150", kind="frame", basket=Basket.FREE)
    s = one(rules, b, contract=contracts["niveau-3-renforce"])
    assert (s.amo_paid, s.complementary_paid, s.patient_share) == (E("0.03"), E("100.00"), E("49.97"))


def test_hearing_aid_class_ii_capped_at_1700(rules, contracts):
    # Adult, 2 000 € per ear: base 400, AMO 240; AMO + mutuelle ≤ 1 700 €: mutuelle 1 460; RAC 300.
    a = act("2025-03-04", Category.HEARING, "2000", basket=Basket.FREE)
    s = one(rules, a, ADULT, contracts["niveau-3-renforce"])
    assert (s.base, s.amo_paid, s.complementary_paid, s.patient_share) == (
        E("400.00"), E("240.00"), E("1460.00"), E("300.00"))


def test_non_conventionne_gp_and_deferred_pf(rules):
    # Tarif d'autorité 0.61 € at 70 % = 0.43 €; the 2 € PF can only take 0.43 €, 1.57 € later.
    s = one(rules, act("2025-03-04", GP, "50", code="G", sector=Sector.NON_CONVENTIONNE))
    assert (s.base, s.amo_gross, s.participation_forfaitaire) == (E("0.61"), E("0.43"), E("0.43"))
    assert (s.amo_paid, s.deferred) == (E("0.00"), E("1.57"))
