"""Shape of the output: exact schemas, deterministic bytes, joins, identifiers."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from synth_helpers import MEMBERS, scalar

from carnet.restitution.synth import SynthReport, synthesize
from carnet.restitution.tables import KEY_NAMES, TABLES


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*.parquet"))}


def test_same_seed_gives_the_same_bytes_whatever_the_workers(tmp_path: Path) -> None:
    one = synthesize(4500, 7, tmp_path / "one", workers=1)  # two chunks
    two = synthesize(4500, 7, tmp_path / "two", workers=2)
    assert one.rows == two.rows and one.chunks == 2
    assert _digest(tmp_path / "one") == _digest(tmp_path / "two")


def test_another_seed_gives_other_people(tmp_path: Path) -> None:
    synthesize(300, 7, tmp_path / "seven", workers=1)
    synthesize(300, 8, tmp_path / "eight", workers=1)
    for table in ("IR_BEN_R", "ER_PRS_F"):
        part = Path(table) / "part-00000.parquet"
        assert (tmp_path / "seven" / part).read_bytes() != (tmp_path / "eight" / part).read_bytes()


def test_every_part_has_the_exact_schema_of_tables(synth: SynthReport) -> None:
    for name, schema in TABLES.items():
        parts = sorted((Path(synth.out) / name).glob("part-*.parquet"))
        assert len(parts) == synth.chunks, name
        for part in parts:
            assert pq.read_schema(part).equals(schema), f"{part}: {pq.read_schema(part)}"
            meta = pq.read_metadata(part)
            assert meta.metadata is None  # no Arrow schema, no timestamps
        assert sum(pq.read_metadata(p).num_rows for p in parts) == synth.rows[name]


def test_counts_and_identifiers(db: duckdb.DuckDBPyConnection, synth: SynthReport) -> None:
    assert synth.rows["IR_BEN_R"] == synth.rows["MUT_ADH_R"] == MEMBERS
    assert scalar(db, "select count(distinct BEN_NIR_PSA) from IR_BEN_R") == MEMBERS
    assert scalar(db, "select count(distinct MEMBER_ID) from MUT_ADH_R") == MEMBERS
    assert scalar(db, "select min(length(BEN_NIR_PSA)) = 17 and max(length(BEN_NIR_PSA)) = 17 "
                      "from IR_BEN_R")
    assert scalar(db, "select count(*) from MUT_ADH_R a anti join IR_BEN_R b "
                      "using (BEN_NIR_PSA, BEN_RNG_GEM)") == 0
    assert scalar(db, "select count(*) from ER_PRS_F p anti join IR_BEN_R b "
                      "using (BEN_NIR_PSA, BEN_RNG_GEM)") == 0
    assert synth.lines / MEMBERS > 40  # several years of care per person


def test_dcir_keys_join_one_to_one(db: duckdb.DuckDBPyConnection, synth: SynthReport) -> None:
    keys = ", ".join(KEY_NAMES)
    assert scalar(db, f"select count(*) from (select {keys} from ER_PRS_F group by all "
                      "having count(*) > 1)") == 0
    assert synth.rows["MUT_PRS_F"] == synth.rows["ER_PRS_F"]
    assert scalar(db, "select count(*) from claims") == synth.rows["ER_PRS_F"]
    for detail in ("ER_PHA_F", "ER_BIO_F", "ER_CAM_F", "ER_TIP_F"):
        assert synth.rows[detail] > 0
        assert scalar(db, f"select count(*) from {detail} d anti join ER_PRS_F p "
                          f"using ({keys})") == 0, detail


@pytest.mark.parametrize("bad", [0, -1])
def test_members_must_be_positive(tmp_path: Path, bad: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        synthesize(bad, 1, tmp_path)
