"""Realistic structure: age pyramid, households, chronic conditions at the configured rates."""

from __future__ import annotations

import duckdb
import numpy as np
from synth_helpers import MEMBERS, YEARS, rows, scalar

from carnet.restitution.synth import datafiles
from carnet.restitution.synth import pathology as pathology_module
from carnet.restitution.synth.formulary import load_formulary
from carnet.restitution.synth.population import load_rules

REFERENCE = f"date '{YEARS[1]}-01-01'"


def _ages(db: duckdb.DuckDBPyConnection) -> tuple[np.ndarray, np.ndarray]:
    found = rows(db, f"select date_diff('year', BIRTH_DATE, {REFERENCE}) - (case when "
                     f"strftime(BIRTH_DATE, '%m%d') > '0101' then 1 else 0 end), BEN_SEX_COD "
                     "from MUT_ADH_R join IR_BEN_R using (BEN_NIR_PSA, BEN_RNG_GEM)")
    ages = np.array([r[0] for r in found], dtype=np.int64)
    sexes = np.array([r[1] for r in found], dtype=np.int64)
    return ages, sexes


def test_age_pyramid_follows_the_data_file(db: duckdb.DuckDBPyConnection) -> None:
    rules = load_rules()
    ages, sexes = _ages(db)
    assert ages.min() >= 0 and ages.max() <= rules.last_age
    for column, sex in ((0, 1), (1, 2)):
        for low in range(0, 100, 10):
            bands = (rules.band_starts >= low) & (rules.band_starts < low + 10)
            expected = rules.pyramid[bands, column].sum()
            observed = ((ages >= low) & (ages < low + 10) & (sexes == sex)).mean()
            assert abs(observed - expected) < 0.008, (sex, low, observed, expected)


def test_households_of_one_to_six_with_one_subscriber(db: duckdb.DuckDBPyConnection) -> None:
    sizes = [r[0] for r in rows(db, "select count(*) from MUT_ADH_R group by HOUSEHOLD_ID")]
    assert min(sizes) >= 1 and max(sizes) <= 6
    shares = np.bincount(sizes) / len(sizes)
    assert 0.28 < shares[1] < 0.45  # INSEE: 36 % of households are one person
    assert 2.0 < MEMBERS / len(sizes) < 2.4  # INSEE: 2.2 people per household
    assert scalar(db, "select count(*) from (select HOUSEHOLD_ID from MUT_ADH_R group by 1 "
                      "having count(*) filter (where ROLE = 'self') <> 1)") == 0
    assert scalar(db, "select count(*) from MUT_ADH_R where ROLE = 'child' and "
                      f"BIRTH_DATE < {REFERENCE} - interval 25 year") == 0
    assert scalar(db, "select count(distinct CONTRACT_ID) from MUT_ADH_R") >= 5


def _expected(db: duckdb.DuckDBPyConnection, key: str) -> float:
    rules = pathology_module.load_rules()
    condition = rules.conditions[rules.position(key)]
    ages, sexes = _ages(db)
    band = datafiles.by_band(rules.bands, ages)
    rate = condition.prevalence[band, np.where(sexes == 1, 0, 1)]
    return float(np.where(ages >= condition.min_age, rate, 0.0).mean())


def _treated(db: duckdb.DuckDBPyConnection, molecules: set[str]) -> float:
    formulary = load_formulary()
    cips = ", ".join(f"'{p.cip13}'" for m in molecules for p in formulary[m].presentations)
    count = scalar(db, "select count(distinct BEN_NIR_PSA) from ER_PHA_F join ER_PRS_F "
                       f"using (DCT_ORD_NUM, PRS_ORD_NUM) where PHA_PRS_C13 in ({cips})")
    assert isinstance(count, int)
    return count / MEMBERS


def test_diabetes_prevalence_close_to_the_configured_rate(db: duckdb.DuckDBPyConnection) -> None:
    antidiabetics = {"metformin", "gliclazide", "sitagliptin", "dulaglutide", "insulin_glargine"}
    expected = _expected(db, "diabetes")
    assert 0.04 < expected < 0.08
    assert abs(_treated(db, antidiabetics) / expected - 1) < 0.12


def test_hypertension_prevalence_close_to_the_configured_rate(
        db: duckdb.DuckDBPyConnection) -> None:
    rules = pathology_module.load_rules()
    condition = rules.conditions[rules.position("hypertension")]
    only_hta = {"ramipril", "perindopril", "valsartan", "amlodipine", "indapamide"}
    reached = sum(float(share) for share, drugs in zip(condition.treatment_shares,
                                                       condition.treatments, strict=True)
                  if only_hta & set(drugs))
    expected = _expected(db, "hypertension") * reached
    assert abs(_treated(db, only_hta) / expected - 1) < 0.12
