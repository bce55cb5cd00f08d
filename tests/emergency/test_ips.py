"""The International Patient Summary: valid FHIR, shaped like the HL7 IPS examples, importable.

fhir.resources 8 validates FHIR R5 by default and has no pure R4 module; the
bundle is validated with ``fhir.resources.R4B`` (R4B differs from R4 in none
of the resources used here).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from fhir.resources.R4B.bundle import Bundle

from carnet.emergency import load_profile
from carnet.emergency.entered import save_entered
from carnet.ingest import import_inputs, import_paths
from carnet.services.emergency import Contact, Entered, OrganDonation, Section, build_profile, ips_bundle
from carnet.sources.base import InputFile
from carnet.store import Vault, create_vault, reader
from store.checks import FAST_KDF, PASSPHRASE

from .emergency_helpers import PERSON, TODAY, evidence, household_records, seed

GENERATED = "2026-11-28T10:00:00Z"
ENTERED = Entered(
    contacts=(Contact("Paul Lefèvre", "06 12 34 56 78", "époux"),),
    trusted_person=Contact("Anne Roux", "06 00 00 00 01"),
    doctor=Contact("Dr Martin", "04 78 00 00 00"),
    directives="Pas d'acharnement thérapeutique",
    directives_location="Chez le médecin traitant",
    organ_donation=OrganDonation.ACCEPTS,
    notes="Porte des lentilles",
)
HL7_EXAMPLES = (
    "Bundle-bundle-ips-all-sections.json",
    "Bundle-IPS-examples-Bundle-01.json",
    "Bundle-bundle-minimal.json",
)


def ours(entered: Entered = ENTERED) -> dict[str, Any]:
    profile = build_profile(PERSON, evidence(*household_records()), entered, {}, TODAY)
    return ips_bundle(profile, GENERATED, "fr")


def sections(bundle: dict[str, Any]) -> dict[str, set[str]]:
    """LOINC code of each section → resource types of its entries."""
    index = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    by_type = {f"{r['resourceType']}/{r['id']}": r for r in index.values()}
    found = {}
    for section in bundle["entry"][0]["resource"]["section"]:
        code = section["code"]["coding"][0]["code"]
        refs = [e["reference"] for e in section.get("entry", [])]
        found[code] = {(index.get(ref) or by_type[ref])["resourceType"] for ref in refs}
    return found


@pytest.fixture(scope="module")
def hl7(shared_data: Path) -> dict[str, Any]:
    return json.loads((shared_data / "hl7_ips" / HL7_EXAMPLES[0]).read_text(encoding="utf-8"))


def test_the_bundle_validates_as_fhir_r4b() -> None:
    bundle = ours()
    Bundle.model_validate(bundle)
    Bundle.model_validate(ours(Entered()))


def test_composition_and_bundle_elements_required_by_ips(hl7: dict[str, Any]) -> None:
    bundle = ours()
    assert bundle["type"] == hl7["type"] == "document"
    assert bundle["identifier"]["value"] and bundle["timestamp"] == GENERATED
    assert bundle["meta"]["profile"] == hl7["meta"]["profile"]
    composition, theirs = bundle["entry"][0]["resource"], hl7["entry"][0]["resource"]
    assert composition["resourceType"] == theirs["resourceType"] == "Composition"
    assert composition["type"] == theirs["type"]  # LOINC 60591-5 Patient summary Document
    for element in ("status", "subject", "date", "author", "title", "confidentiality", "section"):
        assert element in composition and element in theirs, element
    urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(set(urls)) == len(urls)
    patient = next(e["resource"] for e in bundle["entry"] if e["fullUrl"] == composition["subject"]["reference"])
    assert patient["resourceType"] == "Patient" and patient["birthDate"] == "1980-02-29"


def test_every_section_matches_the_hl7_example_section_by_section(hl7: dict[str, Any]) -> None:
    mine, theirs = sections(ours()), sections(hl7)
    assert set(mine) <= set(theirs), f"section codes unknown to the IPS example: {set(mine) - set(theirs)}"
    for code, types in mine.items():
        assert types <= theirs[code], f"section {code}: {types} where the example has {theirs[code]}"
    assert {"11450-4", "48765-2", "10160-0", "30954-2", "42348-3", "104605-1"} <= set(mine)
    section = {s["code"]["coding"][0]["code"]: s for s in ours()["entry"][0]["resource"]["section"]}
    for code, s in section.items():
        assert s["text"]["status"] == "generated" and s["text"]["div"].startswith(
            '<div xmlns="http://www.w3.org/1999/xhtml">'
        )
        assert s["code"]["coding"][0]["system"] == "http://loinc.org", code


def test_every_reference_resolves_inside_the_document() -> None:
    bundle = ours()
    urls = {e["fullUrl"] for e in bundle["entry"]}
    text = orjson.dumps(bundle).decode()
    references = set(re.findall(r'"reference":"([^"]+)"', text))
    assert references and references <= urls


def test_empty_mandatory_sections_say_why() -> None:
    empty = ips_bundle(build_profile(PERSON, [], Entered(), {}, TODAY), GENERATED, "en")
    Bundle.model_validate(empty)
    found = empty["entry"][0]["resource"]["section"]
    assert [s["code"]["coding"][0]["code"] for s in found] == ["11450-4", "48765-2", "10160-0"]
    for s in found:
        assert "entry" not in s
        assert s["emptyReason"]["coding"][0] == {
            "system": "http://terminology.hl7.org/CodeSystem/list-empty-reason",
            "code": "unavailable",
            "display": "Unavailable",
        }
        assert "No information available." in s["text"]["div"]


def test_the_same_profile_at_the_same_instant_gives_the_same_bytes() -> None:
    assert orjson.dumps(ours()) == orjson.dumps(ours())


@pytest.fixture
def vault_with_ips(tmp_path: Path, vault: Vault) -> Iterator[tuple[Vault, bytes]]:
    seed(vault, household_records())
    with vault.writing() as conn:
        save_entered(conn, 1, contacts=list(ENTERED.contacts), notes=ENTERED.notes)
    data = orjson.dumps(ips_bundle(load_profile(vault, 1, TODAY), GENERATED, "fr"))
    yield vault, data


def test_an_ips_we_produce_imports_into_an_empty_vault_and_gives_the_same_profile(
    vault_with_ips: tuple[Vault, bytes], tmp_path: Path
) -> None:
    source, data = vault_with_ips
    with create_vault(str(tmp_path / "empty.carnet"), PASSPHRASE, kdf=FAST_KDF) as empty:
        report = import_inputs(empty, [InputFile("ips.json", data)])
        (result,) = report.files
        assert result.outcome.value == "imported" and result.counts.rejected == 0, result.problems
        with empty.reading() as conn:
            (person,) = reader.persons(conn)
        again = load_profile(empty, person.id, TODAY)
    before = load_profile(source, 1, TODAY)
    for section in (Section.ALLERGIES, Section.CONDITIONS, Section.MEDICATIONS, Section.BLOOD_GROUP, Section.RESULTS):
        assert [i.label for i in again.section(section)] == [i.label for i in before.section(section)], section
    assert again.person.display_name == "Élise Lefèvre"


@pytest.mark.parametrize("name", HL7_EXAMPLES)
def test_the_hl7_ips_examples_import(shared_data: Path, vault: Vault, name: str) -> None:
    report = import_paths(vault, [shared_data / "hl7_ips" / name])
    (result,) = report.files
    assert result.outcome.value == "imported" and result.counts.rejected == 0, result.problems
    with vault.reading() as conn:
        (person,) = reader.persons(conn)
    profile = load_profile(vault, person.id, TODAY)
    assert profile.section(Section.ALLERGIES), "the example's allergies are read"
    bundle = ips_bundle(profile, GENERATED, "en")
    Bundle.model_validate(bundle)
