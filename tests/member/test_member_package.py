"""The member's side: a package restituted by the holder imports into a vault with its breakdown.

The FHIR files and the readable statement (``releve.csv``) both import; importing
both adds each claim once; the CLI extracts one member's package.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from carnet.ingest import Outcome, import_inputs
from carnet.restitution.index import extract_member
from carnet.restitution.pipeline import restitute
from carnet.restitution.synth import synthesize
from carnet.sources.base import InputFile
from carnet.store import Vault
from carnet.store import schema as s


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("holder")
    synthesize(60, 11, root / "synth", (2024, 2026), None, 1)
    restitute(root / "synth", root / "packages")
    members = pq.read_table(root / "synth" / "MUT_ADH_R").column("MEMBER_ID").to_pylist()
    # the member with the most claims, for a meaningful package
    lines = pq.read_table(root / "synth" / "ER_PRS_F", columns=["BEN_NIR_PSA"]).num_rows
    assert lines > 0
    return root / "packages", str(members[0])


def _fhir_files(package_dir: Path, member: str) -> list[InputFile]:
    package = extract_member(package_dir, member)
    order = sorted(package.resources, key=lambda t: (t != "Patient", t))
    return [
        InputFile(f"{member}/{t}.ndjson", package.resources[t], group=member) for t in order if package.resources[t]
    ]


def _statement(package_dir: Path, member: str) -> InputFile:
    return InputFile(f"{member}/releve.csv", extract_member(package_dir, member).statement)


def _claim_totals(vault: Vault) -> tuple[int, int, int]:
    c = s.claim_lines.c
    r = s.records.c
    with vault.reading() as conn:
        q = (
            select(func.count(), func.sum(c.charged), func.sum(c.patient_share))
            .select_from(s.claim_lines.join(s.records, r.id == c.record_id))
            .where(r.current.is_(True))
        )
        n, charged, share = conn.execute(q).one()
    return int(n), int(charged or 0), int(share or 0)


def _statement_totals(data: bytes) -> tuple[int, int, int]:
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))

    def cents(text: str) -> int:
        return int(Decimal(text.replace(",", ".")) * 100)

    return len(rows), sum(cents(r["Montant payé"]) for r in rows), sum(cents(r["Reste à charge"]) for r in rows)


def test_fhir_package_lands_with_the_breakdown(vault: Vault, packages: tuple[Path, str]) -> None:
    folder, member = packages
    report = import_inputs(vault, _fhir_files(folder, member))
    assert all(f.outcome is Outcome.IMPORTED for f in report.files), [f.problems for f in report.files]
    assert not report.rejected_anything
    # the claim lines carry the same money as the member's readable statement (computed independently)
    assert _claim_totals(vault) == _statement_totals(_statement(folder, member).data)


def test_statement_alone_gives_the_same_claims(vault: Vault, packages: tuple[Path, str]) -> None:
    folder, member = packages
    statement = _statement(folder, member)
    report = import_inputs(vault, [statement])
    assert [f.importer for f in report.files] == ["statement"]
    assert not report.rejected_anything
    assert _claim_totals(vault) == _statement_totals(statement.data)


def test_fhir_and_statement_together_add_each_claim_once(vault: Vault, packages: tuple[Path, str]) -> None:
    folder, member = packages
    statement = _statement(folder, member)
    import_inputs(vault, [statement])  # the summary first
    import_inputs(vault, _fhir_files(folder, member))  # then the detailed files supersede it
    import_inputs(vault, [InputFile("again/releve.csv", statement.data + b"\r\n")])  # a summary again: no effect
    assert _claim_totals(vault) == _statement_totals(statement.data)
    with vault.reading() as conn:
        r = s.records.c
        current = conn.execute(
            select(func.count()).where(
                r.current.is_(True), r.resource_type == "ExplanationOfBenefit", r.resource.contains("from-statement")
            )
        ).scalar_one()
    assert current == 0, "a statement summary replaced the detailed FHIR claim"


def test_bad_statement_is_refused_whole(vault: Vault) -> None:
    header = (
        "Date des soins;Bénéficiaire;Acte;Code;Montant payé;Base de remboursement;Taux (%);"
        "Remboursement Assurance Maladie;Participation forfaitaire / franchise;Remboursement mutuelle;"
        "Reste à charge;N° de décompte;Réf. bénéficiaire;Réf. soin\r\n"
    )
    good = '01/02/2025;"A B";"Consultation";"G";30,00;30,00;70;19,00;2,00;9,00;2,00;"01/1";"p1";"e1"\r\n'
    bad = '31/13/20xx;"A B";"Consultation";"G";30,00;30,00;70;19,00;2,00;9,00;2,00;"01/2";"p1";"e2"\r\n'
    report = import_inputs(vault, [InputFile("releve.csv", ("\ufeff" + header + good + bad).encode())])
    assert report.files[0].outcome is Outcome.REJECTED
    assert "line 3" in report.files[0].problems[0].position
    with vault.reading() as conn:
        assert conn.execute(select(func.count()).select_from(s.records)).scalar_one() == 0


def test_cli_extracts_one_member(tmp_path: Path, packages: tuple[Path, str]) -> None:
    folder, member = packages
    carnet = [sys.executable, "-c", "from carnet.cli import main; main()"]
    done = subprocess.run(
        [*carnet, "restitute", "--out", str(folder), "--member", member, "--to", str(tmp_path / "p")],
        capture_output=True,
        text=True,
        env=os.environ | {"COLUMNS": "200"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "p" / "Patient.ndjson").is_file()
    assert (tmp_path / "p" / "releve.csv").read_bytes() == _statement(folder, member).data
    missing = subprocess.run(
        [*carnet, "restitute", "--out", str(folder), "--member", "NOBODY", "--to", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 1
    assert missing.stderr.strip().count("\n") == 0 and "NOBODY" in missing.stderr
