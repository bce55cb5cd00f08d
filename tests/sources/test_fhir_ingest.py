"""End to end: FHIR samples imported into an encrypted test vault, counted in the store."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from carnet.ingest import Outcome, import_paths
from carnet.store import Vault
from carnet.store import schema as s
from carnet.store.reader import counts_by_kind, persons

pytestmark = pytest.mark.shared_data


def test_synthea_r4_lands_whole_in_the_vault(shared_data: Path, vault: Vault) -> None:
    files = sorted((shared_data / "synthea_r4").glob("*.json"))
    report = import_paths(vault, files)
    assert {f.outcome for f in report.files} == {Outcome.IMPORTED}
    assert report.total("read") == 8799  # resources in SOURCE.md
    assert report.total("rejected") == 0
    assert report.total("added") + report.total("duplicates") == 8799
    with vault.reading() as conn:
        kinds = counts_by_kind(conn)
        assert len(persons(conn)) == 35
        lines = conn.execute(select(func.count()).select_from(s.claim_lines)).scalar_one()
        currencies = set(conn.execute(select(s.claim_lines.c.currency).distinct()).scalars())
    # SOURCE.md counts per resource type, grouped into kinds
    assert kinds["observation"] == 4304
    assert kinds["claim"] == 951 + 762
    assert kinds["encounter"] == 762
    assert kinds["procedure"] == 479
    assert kinds["immunization"] == 446
    assert kinds["diagnostic_report"] == 293
    assert kinds["condition"] == 259
    assert kinds["medication_request"] == 189
    assert kinds["care_plan"] == 89
    assert kinds["goal"] == 69
    assert kinds["allergy"] == 30
    assert kinds["imaging_study"] == 21
    assert kinds["demographics"] == 35
    # Organizations and Practitioners shared between bundles are stored once
    assert 0 < kinds["reference"] <= 55 + 55
    assert lines > 0 and currencies == {"USD"}
    again = import_paths(vault, files[:3])
    assert {f.outcome for f in again.files} == {Outcome.ALREADY}


def test_bulk_export_folder_resolves_patients_across_files(shared_data: Path, vault: Vault) -> None:
    report = import_paths(vault, [shared_data / "synthea_bulk_ndjson_10p"])
    outcomes = {Path(f.name).name: f.outcome for f in report.files}
    assert outcomes.pop("log.ndjson") is Outcome.REJECTED  # not FHIR: no importer claims it
    assert set(outcomes.values()) == {Outcome.IMPORTED}
    assert report.total("rejected") == 0  # every subject/patient reference found its Patient
    with vault.reading() as conn:
        assert len(persons(conn)) == 10
        assert counts_by_kind(conn)["encounter"] == 1090
