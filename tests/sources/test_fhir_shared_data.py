"""Every FHIR sample of ../shared/data is read; the counts are the ones each SOURCE.md states.

The expected numbers below were copied by hand from the SOURCE.md files written
with the data (they come from the publishers' files, not from our code).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import pytest

from carnet.errors import RejectedFile
from carnet.model import Extracted, Kind, Severity
from carnet.sources.base import InputFile
from carnet.sources.container import expand_folder
from carnet.sources.fhir import FhirImporter

from .fhirdata import read_all

pytestmark = pytest.mark.shared_data


@dataclass
class Folder:
    files: int = 0
    declined: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    types: Counter[str] = field(default_factory=Counter)
    per_file: dict[str, Counter[str]] = field(default_factory=dict)
    extracted: list[Extracted] = field(default_factory=list)

    @property
    def rejected_items(self) -> list[str]:
        return [str(p) for ex in self.extracted for p in ex.problems if p.severity is Severity.REJECTED]


def read_folder(folder: Path, files: list[InputFile] | None = None) -> Folder:
    importer = FhirImporter()
    result = Folder()
    inputs = files if files is not None else [
        InputFile(str(p), p.read_bytes()) for p in sorted(folder.iterdir()) if p.is_file() and p.name != "SOURCE.md"
    ]
    for file in inputs:
        result.files += 1
        name = Path(file.name).name
        if not importer.identify(file):
            result.declined.append(name)
            continue
        try:
            ex = read_all(importer.extract(file))
        except RejectedFile as err:
            result.refused.append(str(err))
            continue
        assert ex.read == len(ex.records) + sum(1 for p in ex.problems if p.severity is Severity.REJECTED)
        result.extracted.append(ex)
        result.per_file[name] = Counter(r.resource_type or "" for r in ex.records)
        result.types.update(result.per_file[name])
    return result


def test_synthea_r4(shared_data: Path) -> None:
    got = read_folder(shared_data / "synthea_r4")
    assert got.files == 35 and got.declined == [] and got.refused == [] and got.rejected_items == []
    assert got.types == {
        "Observation": 4304, "Claim": 951, "Encounter": 762, "ExplanationOfBenefit": 762, "Procedure": 479,
        "Immunization": 446, "DiagnosticReport": 293, "Condition": 259, "MedicationRequest": 189, "CarePlan": 89,
        "Goal": 69, "Organization": 55, "Practitioner": 55, "Patient": 35, "AllergyIntolerance": 30,
        "ImagingStudy": 21,
    }
    assert {ex.source_name for ex in got.extracted} == {"Synthea"}
    # every clinical record is about the patient of its bundle; Organizations/Practitioners are reference data
    for ex in got.extracted:
        (person,) = ex.persons
        for rec in ex.records:
            assert rec.person_key == (None if rec.kind is Kind.REFERENCE else person.natural_key)
            assert rec.resource_json is not None
            assert "urn:uuid:" not in str(orjson.loads(rec.resource_json).get("subject", ""))
    lines = [line for ex in got.extracted for r in ex.records if r.resource_type == "ExplanationOfBenefit"
             for line in r.claim_lines]
    assert lines and {line.currency for line in lines} == {"USD"}
    assert any(line.paid_primary for line in lines) and any(line.patient_share for line in lines)


def test_synthea_covid_pediatric(shared_data: Path) -> None:
    got = read_folder(shared_data / "synthea_r4_covid_pediatric")
    # SOURCE.md: 9 files (7 patient bundles + hospital and practitioner bundles), 7 patients, batch bundles
    assert got.files == 9 and got.declined == [] and got.refused == [] and got.rejected_items == []
    assert got.types["Patient"] == 7
    assert sum(len(ex.persons) for ex in got.extracted) == 7
    assert got.types["CareTeam"] > 0 and got.types["Immunization"] > 0
    assert got.per_file["hospitalInformation1603148702656.json"].keys() == {"Organization"}
    assert got.per_file["practitionerInformation1603148702656.json"].keys() == {"Practitioner"}


def test_synthea_bulk_ndjson(shared_data: Path) -> None:
    folder = shared_data / "synthea_bulk_ndjson_10p"
    files = expand_folder(folder)
    assert Path(files[0].name).name == "Patient.000.ndjson"
    got = read_folder(folder, files)
    assert got.declined == ["log.ndjson"]  # the bulk-export log is not FHIR
    assert got.refused == [] and got.rejected_items == []
    assert got.types == {
        "Procedure": 1425, "MedicationRequest": 1293, "Encounter": 1090, "Condition": 497, "Immunization": 123,
        "Location": 44, "Practitioner": 43, "PractitionerRole": 43, "Organization": 43, "Device": 12,
        "AllergyIntolerance": 11, "Patient": 10,
    }
    patients = {p.natural_key for ex in got.extracted for p in ex.persons}
    about = {r.person_key for ex in got.extracted for r in ex.records if r.person_key}
    assert len(patients) == 10 and about <= patients  # cross-file references resolve to the Patient file


def test_hl7_ips(shared_data: Path) -> None:
    got = read_folder(shared_data / "hl7_ips")
    assert got.refused == [] and got.declined == [] and got.rejected_items == []
    standalone = Counter(name.split("-", 1)[0] for name in got.per_file if not name.startswith("Bundle-"))
    assert standalone == {
        "Patient": 3, "AllergyIntolerance": 3, "Condition": 1, "Medication": 1, "MedicationStatement": 1,
        "MedicationRequest": 1, "Immunization": 1, "Observation": 13, "DiagnosticReport": 1, "Device": 2,
        "DeviceUseStatement": 1, "Flag": 1, "ImagingStudy": 1, "Procedure": 2, "Specimen": 1, "Organization": 3,
        "Practitioner": 1, "PractitionerRole": 1, "Composition": 1,
    }
    all_sections = got.per_file["Bundle-bundle-ips-all-sections.json"]
    assert (all_sections["Immunization"], all_sections["Observation"]) == (8, 12)
    example = got.per_file["Bundle-IPS-examples-Bundle-01.json"]
    assert [example[t] for t in ("Condition", "MedicationStatement", "AllergyIntolerance", "Observation")] == [
        2, 2, 2, 7]
    minimal = got.per_file["Bundle-bundle-minimal.json"]
    assert [minimal[t] for t in ("Condition", "MedicationStatement", "AllergyIntolerance")] == [1, 1, 1]
    assert all(ex.source_name == "HL7 IPS" for ex in got.extracted
               if any(r.resource_type == "Composition" for r in ex.records))


def test_fhir_r4_examples(shared_data: Path) -> None:
    got = read_folder(shared_data / "fhir_r4_examples")
    # SOURCE.md: 338 files, all FHIR 4.0.1: none may be refused as another version
    assert got.files == 338 and got.declined == [] and got.refused == [] and got.rejected_items == []
    files = Counter(name.split("-", 1)[0] for name in got.per_file)
    assert [files[t] for t in ("Consent", "AuditEvent", "Claim", "ClaimResponse", "CoverageEligibilityResponse",
                               "Provenance")] == [9, 7, 13, 4, 3, 4]
    for name in ("ExplanationOfBenefit-EB3501.json", "Coverage-7546D.json", "Coverage-7547E.json",
                 "Coverage-SP1234.json", "Composition-example.json"):
        assert name in got.per_file
    assert got.types["Consent"] == 9 and got.types["AuditEvent"] == 7 and got.types["Claim"] == 13


def test_cms_blue_button(shared_data: Path) -> None:
    web = read_folder(shared_data / "cms_bluebutton" / "bb2_web_server_v2")
    assert web.files == 14 and sorted(web.declined) == ["bfd_sample_benes.csv", "userinfo_v2.json"]
    assert web.refused == [] and web.rejected_items == []
    assert web.types == {"ExplanationOfBenefit": 23, "Coverage": 5, "Patient": 2, "AuditEvent": 1,
                         "OperationOutcome": 1, "CapabilityStatement": 1}
    bfd = read_folder(shared_data / "cms_bluebutton" / "bfd_endpoint_responses_v2")
    assert bfd.files == 28 and bfd.declined == [] and bfd.refused == [] and bfd.rejected_items == []
    assert bfd.types == {"Claim": 9, "Patient": 7, "ExplanationOfBenefit": 7, "ClaimResponse": 5, "Coverage": 5,
                         "CapabilityStatement": 1}
    # BFD's "IGNORED_FIELD" placeholders are warnings, never crashes
    warned = [p for ex in bfd.extracted for p in ex.problems if "IGNORED_FIELD" in p.reason]
    assert warned and all(p.severity is Severity.WARNING for p in warned)
    lines = [line for ex in web.extracted + bfd.extracted for r in ex.records for line in r.claim_lines]
    assert lines and {line.currency for line in lines} == {"USD"}
    # the holder is named wherever its identifiers appear (not in a bare OperationOutcome)
    with_claims = [ex for ex in web.extracted + bfd.extracted
                   if any(r.resource_type in ("ExplanationOfBenefit", "Coverage", "Claim") for r in ex.records)]
    assert {ex.source_name for ex in with_claims} == {"CMS Blue Button"}
