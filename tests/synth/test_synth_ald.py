"""ALD rows (IR_IMB_R) only for people with the condition, with consistent codes."""

from __future__ import annotations

import duckdb
from synth_helpers import rows, scalar

from carnet.restitution.synth import pathology as pathology_module
from carnet.restitution.synth.formulary import load_formulary
from carnet.rules.tables import load_cim10


def test_ald_codes_are_consistent(db: duckdb.DuckDBPyConnection) -> None:
    cim10 = load_cim10()
    found = rows(db, "select distinct IMB_ALD_NUM, MED_MTF_COD, IMB_ETM_NAT from IR_IMB_R")
    assert {r[0] for r in found} >= {8, 13, 14}
    for number, code, nature in found:
        assert cim10[str(code)].ald == str(number)
        assert nature == 41
    assert scalar(db, "select count(*) from IR_IMB_R where IMB_ALD_DTF < IMB_ALD_DTD") == 0


def test_ald_rows_only_for_people_treated_for_the_condition(
        db: duckdb.DuckDBPyConnection) -> None:
    rules = pathology_module.load_rules()
    formulary = load_formulary()
    for condition in rules.conditions:
        if condition.ald_number is None:
            continue
        molecules = {m for treatment in condition.treatments for m in treatment}
        cips = ", ".join(f"'{p.cip13}'" for m in molecules for p in formulary[m].presentations)
        untreated = scalar(db, f"""
            select count(*) from (select distinct BEN_NIR_PSA from IR_IMB_R
                                  where MED_MTF_COD = '{condition.cim10}') a
            where not exists (select 1 from ER_PRS_F p join ER_PHA_F d
                                using (DCT_ORD_NUM, PRS_ORD_NUM)
                              where p.BEN_NIR_PSA = a.BEN_NIR_PSA and PHA_PRS_C13 in ({cips}))""")
        assert untreated == 0, condition.key


def test_ald_related_lines_only_within_an_ald_period(db: duckdb.DuckDBPyConnection) -> None:
    assert scalar(db, "select count(*) from ER_PRS_F where EXO_MTF = 42") > 0
    assert scalar(db, """
        select count(*) from ER_PRS_F p where EXO_MTF = 42 and not exists (
            select 1 from IR_IMB_R i where i.BEN_NIR_PSA = p.BEN_NIR_PSA
            and p.EXE_SOI_DTD between i.IMB_ALD_DTD and i.IMB_ALD_DTF)""") == 0
    assert scalar(db, "select count(*) from ER_PRS_F where EXO_MTF = 42 and "
                      "PRS_NAT_REF <> 2251 and RGO_REM_TAU <> 100") == 0
