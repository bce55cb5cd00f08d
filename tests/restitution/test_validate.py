"""Incoherent rows: reported with table, row and reason, left out, never a crash."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from carnet.restitution.inputs import RestitutionError
from carnet.restitution.pipeline import RestitutionReport, restitute

from .fixtures import household, write_tables


def _problems(out: Path) -> list[tuple[str, int, str]]:
    with (out / "problems.csv").open(encoding="utf-8", newline="") as f:
        return [(r["table"], int(r["row"]), r["reason"]) for r in csv.DictReader(f)]


def test_household_problems(household_run: tuple[Path, RestitutionReport]) -> None:
    out, report = household_run
    assert _problems(out) == [
        ("ER_PRS_F", 6, "AMO paid more than the amount charged"),
        ("ER_PRS_F", 6, "negative amount in PRS_DEP_MNT"),
        ("ER_PRS_F", 6, "negative amount in PRS_PAI_MNT"),
        ("ER_PRS_F", 7, "beneficiary is not a known member (BEN_NIR_PSA, BEN_RNG_GEM)"),
        ("MUT_PRS_F", 5, "no prestation in ER_PRS_F with these keys"),
    ]
    assert report.problem_count == 5 and str(report.problems[3]) == (
        "ER_PRS_F:row 7: beneficiary is not a known member (BEN_NIR_PSA, BEN_RNG_GEM)")  # fmt: skip


def test_population_problems(population_run: Path) -> None:
    found = {(t, reason.split(" (")[0]) for t, _, reason in _problems(population_run)}
    assert found == {("ER_PRS_F", "duplicate prestation key"), ("ER_PRS_F", "care end date before care start date")}


def test_rows_hanging_on_a_skipped_prestation(tmp_path: Path) -> None:
    rows = household()
    rows["ER_PRS_F"][1]["EXE_SOI_DTF"] = rows["ER_PRS_F"][1]["EXE_SOI_DTD"].replace(year=2023)  # the drug line
    rows["ER_PHA_F"].append({**rows["ER_PHA_F"][0], "PHA_PRS_C13": "3400000000000"})  # a second detail row
    report = restitute(write_tables(tmp_path / "in", rows), tmp_path / "out")
    problems = _problems(tmp_path / "out")
    assert ("ER_PHA_F", 1, "its prestation (ER_PRS_F row 2) was skipped") in problems
    assert ("MUT_PRS_F", 2, "its prestation (ER_PRS_F row 2) was skipped") in problems
    assert ("ER_PHA_F", 3, "second row for one prestation (first: ER_PHA_F row 1)") in problems
    assert ("ER_PHA_F", 3, "unknown CIP13 code 3400000000000") in problems
    assert report.lines == 4 and report.resources["MedicationDispense"] == 1


def test_output_folder_is_replaced_only_when_it_is_a_restitution(tmp_path: Path) -> None:
    source = write_tables(tmp_path / "in", household())
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "precious.txt").write_text("keep me")
    with pytest.raises(RestitutionError, match="not empty"):
        restitute(source, tmp_path / "other")
    first = restitute(source, tmp_path / "out")
    second = restitute(source, tmp_path / "out")
    assert first.output_bytes == second.output_bytes


def test_bad_inputs_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(RestitutionError, match="no such input folder"):
        restitute(tmp_path / "absent", tmp_path / "out")
    rows = household()
    del rows["ER_PRS_F"]
    with pytest.raises(RestitutionError, match="no ER_PRS_F table"):
        restitute(write_tables(tmp_path / "no-prs", rows), tmp_path / "out")
    source = write_tables(tmp_path / "bad", household())
    table = pq.read_table(source / "IR_BEN_R.parquet").drop_columns(["BEN_SEX_COD"])
    pq.write_table(table.append_column("EXTRA", pa.array(["x"] * table.num_rows)), source / "IR_BEN_R.parquet")
    with pytest.raises(RestitutionError, match="BEN_SEX_COD missing"):
        restitute(source, tmp_path / "out")
