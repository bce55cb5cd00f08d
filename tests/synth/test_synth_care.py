"""Drugs are real presentations; vaccinations and screenings follow the calendar."""

from __future__ import annotations

from decimal import Decimal

import duckdb
from synth_helpers import rows, scalar

from carnet.restitution.synth import datafiles
from carnet.restitution.synth.formulary import load_formulary
from carnet.rules.tables import load_drugs

#: completed months of age on the care day
_AGE_MONTHS = ("((year(EXE_SOI_DTD) - year(BIRTH_DATE)) * 12 + month(EXE_SOI_DTD) - month(BIRTH_DATE)"
               " - (case when day(EXE_SOI_DTD) < day(BIRTH_DATE) then 1 else 0 end))")


def test_drugs_are_real_cip13_of_the_drug_table(db: duckdb.DuckDBPyConnection) -> None:
    drugs = load_drugs()
    found = rows(db, "select distinct PHA_PRS_C13, PHA_ACT_PRU from ER_PHA_F")
    assert len(found) > 200
    for cip13, unit in found:
        drug = drugs[str(cip13)]
        assert drug.marketed and drug.rate is not None
        assert Decimal(unit) == drug.price_with_fee
    rates = rows(db, """select distinct RGO_REM_TAU, EXO_MTF from ER_PRS_F
                        where PRS_NAT_REF in (3311, 3312, 3313, 3341)""")
    assert {r[0] for r in rates} <= {15, 30, 65, 100}


def _vaccine_ages(db: duckdb.DuckDBPyConnection, molecule: str) -> list[tuple[int, int]]:
    cips = ", ".join(f"'{p.cip13}'" for p in load_formulary()[molecule].presentations)
    return [(int(r[0]), int(r[1])) for r in rows(db, f"""
        select {_AGE_MONTHS}, BEN_SEX_COD from ER_PHA_F join ER_PRS_F
        using (DCT_ORD_NUM, PRS_ORD_NUM) join MUT_ADH_R using (BEN_NIR_PSA, BEN_RNG_GEM)
        where PHA_PRS_C13 in ({cips})""")]


def test_vaccinations_follow_the_calendar_ages(db: duckdb.DuckDBPyConnection) -> None:
    calendar = datafiles.read("prevention")["vaccinations"]
    slack = calendar["spread_days"] // 30 + 1
    for series in calendar["series"]:
        if series["vaccine"] in {"vaccine_men_acwy", "vaccine_dtap_ipv_booster",
                                 "vaccine_pneumococcal"}:
            continue  # shared by several series: checked through their union below
        # a birthday at a month's end is reached at the shorter month's end: −1 month in SQL
        allowed = {m + d for m in series["months"] for d in range(-1, slack + 1)}
        ages = _vaccine_ages(db, series["vaccine"])
        assert ages, series["id"]
        assert {a for a, _ in ages} <= allowed | _other_series_months(calendar, series), (
            series["id"], sorted({a for a, _ in ages} - allowed))
    hexavalent = _vaccine_ages(db, "vaccine_hexavalent")
    assert max(a for a, _ in hexavalent) <= 13
    assert min(a for a, _ in _vaccine_ages(db, "vaccine_zoster")) >= 65 * 12
    assert min(a for a, _ in _vaccine_ages(db, "vaccine_flu_high_dose")) >= 65 * 12 - 3
    assert all(11 * 12 <= a <= 15 * 12 for a, _ in _vaccine_ages(db, "vaccine_hpv"))


def _other_series_months(calendar: dict[str, object], series: dict[str, object]) -> set[int]:
    found: set[int] = set()
    for other in calendar["series"]:  # type: ignore[attr-defined]
        if other["vaccine"] == series["vaccine"] and other is not series:
            found |= {m + d for m in other["months"] for d in range(3)}
    return found


def test_screenings_target_the_programme_ages(db: duckdb.DuckDBPyConnection) -> None:
    mammography = rows(db, f"""select min({_AGE_MONTHS}) // 12, max({_AGE_MONTHS}) // 12,
        count(*) filter (where BEN_SEX_COD <> 2) from ER_CAM_F join ER_PRS_F
        using (DCT_ORD_NUM, PRS_ORD_NUM) join MUT_ADH_R using (BEN_NIR_PSA, BEN_RNG_GEM)
        where CAM_PRS_IDE = 'QEQK004'""")[0]
    assert mammography[0] >= 50 and mammography[1] <= 74 and mammography[2] == 0
    hpv = rows(db, f"""select min({_AGE_MONTHS}) // 12, max({_AGE_MONTHS}) // 12
        from ER_BIO_F join ER_PRS_F using (DCT_ORD_NUM, PRS_ORD_NUM)
        join MUT_ADH_R using (BEN_NIR_PSA, BEN_RNG_GEM) where BIO_PRS_IDE = 4127""")[0]
    assert hpv[0] >= 30 and hpv[1] <= 65
    bilan = scalar(db, f"""select count(*) from claims join MUT_ADH_R
        using (BEN_NIR_PSA, BEN_RNG_GEM) where ACT_CODE = 'RDV'
        and not ({_AGE_MONTHS} // 12 between 18 and 25 or {_AGE_MONTHS} // 12 between 45 and 50
                 or {_AGE_MONTHS} // 12 between 60 and 65 or {_AGE_MONTHS} // 12 between 70 and 75)
        """)
    assert bilan == 0
    assert scalar(db, "select count(*) from claims where ACT_CODE = 'RDV' and "
                      "(RGO_REM_TAU <> 100 or PF_MNT > 0)") == 0


def test_chronic_follow_up_exists(db: duckdb.DuckDBPyConnection) -> None:
    """Diabetics (ALD 8) get HbA1c tests, mostly more than once a year."""
    per_year = scalar(db, """select avg(n) from (select count(*) / 4.0 n from ER_BIO_F
        join ER_PRS_F using (DCT_ORD_NUM, PRS_ORD_NUM) where BIO_PRS_IDE = 1577
        and BEN_NIR_PSA in (select BEN_NIR_PSA from IR_IMB_R where IMB_ALD_NUM = 8)
        group by BEN_NIR_PSA)""")
    assert isinstance(per_year, float) and 1.5 < per_year < 4.5
