"""The Health Data Hub's synthetic SNDS sample (random values) goes through, its faults reported."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from carnet.restitution.index import extract_member
from carnet.restitution.pipeline import restitute
from carnet.restitution.snds_sample import adapt, is_sample


@pytest.fixture(scope="module")
def sample(shared_data: Path) -> Path:
    folder = shared_data / "snds" / "synthetic" / "schemas"
    if not is_sample(folder):
        pytest.skip(f"no SNDS sample in {folder}")
    return folder


def test_adapter_keeps_rows_and_notes_unreadable_values(sample: Path, tmp_path: Path) -> None:
    notes = adapt(sample, tmp_path)
    assert {p.name for p in tmp_path.iterdir()} >= {"ER_PRS_F.parquet", "IR_BEN_R.parquet", "ER_PHA_F.parquet"}
    assert ("IR_BEN_R", 0, "column BEN_CMU_TOP not in IR_BEN_R.csv; read as empty") in notes
    assert any(t == "ER_TIP_F" and "more than 2 decimals" in r for t, _, r in notes)


def test_sample_is_restituted_with_its_incoherent_rows_reported(sample: Path, tmp_path: Path) -> None:
    report = restitute(sample, tmp_path / "out")
    assert report.members == 10 and report.resources["Patient"] == 10
    with (tmp_path / "out" / "problems.csv").open(encoding="utf-8") as f:
        problems = list(csv.DictReader(f))
    assert len(problems) == report.problem_count > 50
    reasons = {p["reason"] for p in problems}
    assert {"care end date before care start date", "ALD end date before its start date",
            "AMO paid more than the amount charged"} <= reasons  # fmt: skip
    assert all(p["table"] and int(p["row"]) >= 0 and p["reason"] for p in problems)
    package = extract_member(tmp_path / "out", "LliGbdTtjdwtpRVbk-1")  # no mutuelle: NIR-rang
    assert b'"Patient"' in package.resources["Patient"] and package.resources["ExplanationOfBenefit"] == b""
