"""One synthetic population shared by the synth tests, and DuckDB views over its tables."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from synth_helpers import MEMBERS, SEED, YEARS

from carnet.restitution.synth import SynthReport, synthesize
from carnet.restitution.tables import TABLES


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> SynthReport:
    """20,000 members over 2023-2026 (two worker processes)."""
    out = tmp_path_factory.mktemp("synth") / "out"
    return synthesize(MEMBERS, SEED, out, YEARS, workers=2)


@pytest.fixture(scope="session")
def db(synth: SynthReport) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection with one view per table, plus ``claims`` (ER_PRS_F ⋈ MUT_PRS_F)."""
    con = duckdb.connect()
    for name in TABLES:
        con.execute(f"create view {name} as select * from read_parquet("
                    f"'{Path(synth.out) / name}/*.parquet')")
    keys = ", ".join(("DCT_ORD_NUM", "FLX_DIS_DTD", "FLX_EMT_NUM", "FLX_EMT_ORD", "FLX_EMT_TYP",
                      "FLX_TRT_DTD", "ORG_CLE_NUM", "PRS_ORD_NUM", "REM_TYP_AFF"))
    con.execute(f"create view claims as select * from ER_PRS_F join MUT_PRS_F using ({keys})")
    yield con
    con.close()
