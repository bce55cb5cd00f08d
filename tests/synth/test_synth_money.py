"""Money on every line, checked from the raw tables (not by calling the engine)."""

from __future__ import annotations

from datetime import date

import duckdb
from synth_helpers import YEARS, rows, scalar

from carnet.rules.loader import load_rules


def test_charged_is_amo_plus_mutuelle_plus_patient_on_every_line(
        db: duckdb.DuckDBPyConnection) -> None:
    assert scalar(db, "select count(*) from claims where PRS_PAI_MNT <> "
                      "BSE_REM_MNT + AMC_MNT + RAC_MNT") == 0
    assert scalar(db, "select count(*) from claims where least(PRS_PAI_MNT, BSE_REM_BSE, "
                      "BSE_REM_MNT, AMC_MNT, RAC_MNT, PF_MNT, FRA_MNT, PRS_DEP_MNT) < 0") == 0
    assert scalar(db, "select count(*) from claims where BSE_REM_MNT > BSE_REM_BSE") == 0
    assert scalar(db, "select count(*) from claims where PRS_DEP_MNT > 0 and "
                      "PRS_DEP_MNT <> PRS_PAI_MNT - BSE_REM_BSE") == 0
    assert scalar(db, "select count(*) from claims where RGO_REM_TAU not in "
                      "(0, 15, 30, 60, 65, 70, 80, 100)") == 0


def test_yearly_caps_of_participations_and_franchises_are_never_exceeded(
        db: duckdb.DuckDBPyConnection) -> None:
    rules = load_rules()
    for year in range(YEARS[0], YEARS[1] + 1):
        day = date(year, 6, 30)
        pf_cap = rules.participation.annual_cap.value_at(day)
        fr_cap = rules.franchise.annual_cap.value_at(day)
        worst = rows(db, f"""
            select max(pf), max(fr), count(*) filter (where fr = {fr_cap}) from (
              select BEN_NIR_PSA, sum(PF_MNT) pf, sum(FRA_MNT) fr from claims
              where year(EXE_SOI_DTD) = {year} group by 1)""")[0]
        assert worst[0] <= pf_cap and worst[1] <= fr_cap, (year, worst)
    assert scalar(db, f"select count(*) from (select BEN_NIR_PSA from claims group by 1, "
                      f"year(EXE_SOI_DTD) having sum(FRA_MNT) = {fr_cap})") > 0  # caps do bind


def test_daily_caps_per_professional(db: duckdb.DuckDBPyConnection) -> None:
    rules = load_rules()
    most = rules.participation.daily_max_count.periods[-1].value
    assert scalar(db, """select max(n) from (select count(*) n from claims where PF_MNT > 0
                          group by BEN_NIR_PSA, EXE_SOI_DTD, PSE_SPE_COD, PSE_ACT_NAT)""") <= most
    paramedical = rules.franchise.by_category["auxiliary"].daily_cap
    transport = rules.franchise.by_category["transport"].daily_cap
    assert paramedical is not None and transport is not None
    assert scalar(db, """select max(f) from (select sum(FRA_MNT) f from claims
                         where CATEGORY = 'auxiliary' and EXE_SOI_DTD >= date '2024-03-31'
                         group by BEN_NIR_PSA, EXE_SOI_DTD, PSE_ACT_NAT)""") <= (
        paramedical.periods[-1].value)
    assert scalar(db, """select max(f) from (select sum(FRA_MNT) f from claims
                         where CATEGORY = 'transport' and EXE_SOI_DTD >= date '2024-03-31'
                         group by BEN_NIR_PSA, EXE_SOI_DTD)""") <= transport.periods[-1].value


def test_exempt_people_pay_no_participation_or_franchise(db: duckdb.DuckDBPyConnection) -> None:
    assert scalar(db, """select count(*) from claims c join MUT_ADH_R a
                         using (BEN_NIR_PSA, BEN_RNG_GEM)
                         where EXE_SOI_DTD < BIRTH_DATE + interval 18 year
                         and PF_MNT + FRA_MNT > 0""") == 0
    assert scalar(db, "select count(*) from claims where BEN_CMU_TOP = 1 and "
                      "PF_MNT + FRA_MNT > 0") == 0
    assert scalar(db, "select count(*) from claims where BEN_CMU_TOP = 1") > 0


def test_a_typical_gp_consultation(db: duckdb.DuckDBPyConnection) -> None:
    """Fact sheet §A.1: G 30 € in the pathway → AMO 21 − 2 = 19 €, the mutuelle 9 €."""
    found = rows(db, """select BSE_REM_BSE, BSE_REM_MNT, AMC_MNT, RAC_MNT, count(*) from claims
                        join MUT_ADH_R using (BEN_NIR_PSA, BEN_RNG_GEM)
                        where ACT_CODE = 'G' and EXE_SOI_DTD >= date '2025-01-01'
                        and PRS_PAI_MNT = 30 and EXO_MTF = 0 and MEDECIN_TRAITANT
                        and PF_MNT = 2 and BEN_CMU_TOP = 0
                        group by all order by 5 desc limit 1""")
    base, amo, amc, rac, _ = found[0]
    assert (base, amo, amc, rac) == (30, 19, 9, 2)


def test_forfait_journalier_is_its_own_line(db: duckdb.DuckDBPyConnection) -> None:
    assert scalar(db, "select count(*) from claims where PRS_NAT_REF = 2251") > 0
    assert scalar(db, "select count(*) from claims where PRS_NAT_REF = 2251 and "
                      "(BSE_REM_MNT <> 0 or PRS_PAI_MNT <> 20 * PRS_ACT_QTE and "
                      "EXE_SOI_DTD < date '2026-03-01')") == 0
