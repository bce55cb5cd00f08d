"""§6 / G5: FHIR export → import into an empty vault → export again is byte-identical; resources validate.

fhir.resources 8 ships R5 (top level), R4B and STU3 models but no R4 package;
R4B is R4 with a few non-clinical additions, so it is the closest validator
available and what these tests use.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import orjson
import pytest
from fhir.resources.R4B import get_fhir_model_class

from carnet.ingest import import_paths
from carnet.store import Vault, create_vault
from store.checks import FAST_KDF, PASSPHRASE, export_digests
from store.fhirgen import RESOURCE_TYPES, bundle, household, words, write_json, write_ndjson


def _round_trip(vault: Vault, inputs: list[Path], tmp_path: Path) -> tuple[Path, dict[str, str]]:
    report = import_paths(vault, inputs)
    assert not report.rejected_anything, [str(p) for f in report.files for p in f.problems][:5]
    first = tmp_path / "export1"
    digests = export_digests(vault, first)
    with create_vault(str(tmp_path / "empty.carnet"), PASSPHRASE, kdf=FAST_KDF) as fresh:
        again = import_paths(fresh, [first])
        assert not again.rejected_anything
        assert again.total("added") == vault_total(first)
        assert export_digests(fresh, tmp_path / "export2") == digests
    return first, digests


def vault_total(folder: Path) -> int:
    """Lines (resources) in the NDJSON files of an export."""
    return sum(len(p.read_bytes().splitlines()) for p in folder.glob("*.ndjson"))


def _validate(folder: Path) -> Counter[str]:
    """Every exported line is its file's resource type and validates against the R4B model."""
    checked: Counter[str] = Counter()
    for path in sorted(folder.glob("*.ndjson")):
        model = get_fhir_model_class(path.stem)
        for line in path.read_bytes().splitlines():
            resource = orjson.loads(line)
            assert resource["resourceType"] == path.stem
            model.model_validate(resource)
            checked[path.stem] += 1
    return checked


def test_round_trip_of_fourteen_linked_resource_types(vault: Vault, tmp_path: Path) -> None:
    texts = words(8)
    inputs = [write_json(tmp_path / "in" / f"b{i}.json", bundle(household(f"p{i}", texts), "transaction"))
              for i in range(3)]
    inputs.append(write_ndjson(tmp_path / "in" / "bulk.ndjson", household("q", texts, n_obs=5)))
    first, digests = _round_trip(vault, inputs, tmp_path)
    assert set(digests) == {f"{t}.ndjson" for t in RESOURCE_TYPES}
    checked = _validate(first)
    assert checked["Observation"] == 3 * 3 + 5 and checked["Patient"] == 4
    # References between resources survive: a report points at its observations, an order at its medication.
    report = orjson.loads((first / "DiagnosticReport.ndjson").read_bytes().splitlines()[0])
    observations = {orjson.loads(line)["id"] for line in (first / "Observation.ndjson").read_bytes().splitlines()}
    assert {r["reference"].removeprefix("Observation/") for r in report["result"]} <= observations
    order = orjson.loads((first / "MedicationRequest.ndjson").read_bytes().splitlines()[0])
    assert order["medicationReference"]["reference"].startswith("Medication/med-")


def test_bundle_uuid_references_become_natural_keys(vault: Vault, tmp_path: Path) -> None:
    """``urn:uuid:`` fullUrls (as Synthea writes them) are rewritten so the export stands alone."""
    resources = household("u1", words(9), n_obs=2)
    entries = [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources]
    raw = orjson.dumps({"resourceType": "Bundle", "type": "transaction", "entry": entries}).decode()
    for r in resources:
        raw = raw.replace(f'"reference":"{r["resourceType"]}/{r["id"]}"', f'"reference":"urn:uuid:{r["id"]}"')
    assert "urn:uuid:u1" in raw and '"Patient/u1"' not in raw
    source = tmp_path / "in" / "uuid.json"
    source.parent.mkdir()
    source.write_text(raw)
    first, _ = _round_trip(vault, [source], tmp_path)
    exported = b"".join(p.read_bytes() for p in first.glob("*.ndjson"))
    assert b"urn:uuid:" not in exported
    assert b'"reference":"Patient/u1"' in exported


@pytest.mark.slow
@pytest.mark.shared_data
def test_round_trip_of_all_synthea_r4(shared_data: Path, vault: Vault, tmp_path: Path) -> None:
    inputs = sorted((shared_data / "synthea_r4").glob("*.json"))
    assert len(inputs) >= 30
    first, digests = _round_trip(vault, inputs, tmp_path)
    assert len(digests) >= 10
    checked = _validate(first)  # all ~8,800 resources, 16 types
    assert set(checked) == {Path(name).stem for name in digests}
    assert sum(checked.values()) == vault_total(first)
