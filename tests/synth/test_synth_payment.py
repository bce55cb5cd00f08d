"""Payment dates and explanations of the mutuelle's lines."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import orjson
from synth_helpers import rows, scalar


def test_payment_dates_follow_the_care_and_a_few_are_pending(
        db: duckdb.DuckDBPyConnection) -> None:
    assert scalar(db, "select count(*) from claims where PAID_DATE_AMO < EXE_SOI_DTD "
                      "or PAID_DATE_AMC < PAID_DATE_AMO or FLX_TRT_DTD < EXE_SOI_DTD") == 0
    total, amo_pending, amc_pending = rows(db, """select count(*),
        count(*) filter (where PAID_DATE_AMO is null),
        count(*) filter (where PAID_DATE_AMC is null) from claims""")[0]
    assert 0 < amo_pending <= amc_pending < 0.02 * total
    assert scalar(db, "select count(*) from claims where PAID_DATE_AMO is null and "
                      "PAID_DATE_AMC is not null") == 0
    assert scalar(db, "select count(*) from claims where PAID_DATE_AMO > date '2026-12-31' "
                      "or PAID_DATE_AMC > date '2026-12-31'") == 0


def test_explanations_are_the_engine_steps_with_the_line_amounts(
        db: duckdb.DuckDBPyConnection) -> None:
    sample = rows(db, """select EXPLANATION, RAC_MNT, BSE_REM_MNT, PF_MNT, AMC_MNT, ACT_CODE
                         from claims using sample 3000 rows (reservoir, 7)""")
    for text, rac, amo, pf, amc, code in sample:
        steps = orjson.loads(str(text))
        assert steps[-1]["topic"] == "patient_share"
        assert Decimal(steps[-1]["amount"]) == rac, code
        topics = [s["topic"] for s in steps]
        if code != "FJ":
            assert topics[0] == "charged"
            paid = [s for s in steps if s["topic"] == "amo_paid"]
            assert Decimal(paid[0]["amount"]) == amo
            held = sum(Decimal(s["amount"]) for s in steps if s["topic"] == "withheld"
                       and s["fr"].startswith("Participation"))
            assert held == pf
            mutuelle = sum(Decimal(s["amount"]) for s in steps if s["topic"] == "complementary")
            assert mutuelle == amc, code
        assert all(s["fr"] and s["en"] for s in steps)
    assert scalar(db, "select count(distinct EXPLANATION) from claims") > 100
