"""Code systems the FHIR importer recognises; others are kept and flagged.

A code whose system is unknown or missing is still stored with its system URI
(never dropped); the person gets a WARNING so that a typo such as
``http://loinc.org/`` or a local system is visible.
"""

from __future__ import annotations

from carnet.model.values import CODE_SYSTEMS

#: canonical URIs (beyond :data:`carnet.model.values.CODE_SYSTEMS`) of systems
#: seen in real exports: US claims, HL7 v2/v3 tables, French ANS terminologies.
KNOWN_SYSTEMS = frozenset(CODE_SYSTEMS) | {
    "http://hl7.org/fhir/sid/icd-9-cm",
    "http://hl7.org/fhir/sid/icd-10-pcs",
    "http://www.cms.gov/Medicare/Coding/ICD10",
    "http://www.cms.gov/Medicare/Coding/ICD9",
    "http://www.ama-assn.org/go/cpt",
    "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    "http://nucc.org/provider-taxonomy",
    "http://www.nubc.org/patient-discharge",
    "https://www.nubc.org/CodeSystem/RevenueCodes",
    "http://hl7.org/fhir/sid/us-npi",
    "http://hl7.org/fhir/sid/us-ssn",
    "http://hl7.org/fhir/sid/us-mbi",
    "http://hl7.org/fhir/sid/ndc",
    "http://hl7.org/fhir/sid/icd-10-nl",
    "http://dicom.nema.org/resources/ontology/DCM",
    "http://www.whocc.no/atc",
    "http://ncimeta.nci.nih.gov",
    "http://fdasis.nlm.nih.gov",
    "http://id.who.int/icd/release/11/mms",
    "http://www.ihtsdo.org/snomed-ct",
    "http://standardterms.edqm.eu",
    "urn:ietf:bcp:47",
    "urn:ietf:bcp:13",
    "urn:iso:std:iso:3166",
    "urn:iso:std:iso:4217",
    "urn:oid:2.16.840.1.113883.6.238",  # CDC race & ethnicity
    "urn:oid:2.16.840.1.113883.6.1",  # LOINC
    "urn:oid:2.16.840.1.113883.6.96",  # SNOMED CT
    "urn:oid:1.2.250.1.213.2.5",  # CCAM
    "urn:oid:1.2.250.1.213.2.3.1",  # CIP
}

#: URI prefixes of whole families of systems (HL7 tables, CMS variables, ANS…)
KNOWN_PREFIXES = (
    "http://terminology.hl7.org/CodeSystem/",
    "http://hl7.org/fhir/",
    "https://bluebutton.cms.gov/resources/",
    "http://hl7.org/fhir/us/",
    "https://mos.esante.gouv.fr/NOS/",
    "https://smt.esante.gouv.fr/",
    "https://data.esante.gouv.fr/",
    "urn:oid:1.2.250.1.",  # French national OIDs
    "http://www.nlm.nih.gov/research/umls/",
    "http://unitsofmeasure.org",
)

_verdicts: dict[str, bool] = {}


def is_known(system: str) -> bool:
    """True for a recognised code system URI (memoised: few distinct systems per file)."""
    known = _verdicts.get(system)
    if known is None:
        known = system in KNOWN_SYSTEMS or system.startswith(KNOWN_PREFIXES)
        if len(_verdicts) < 10_000:
            _verdicts[system] = known
    return known


def problem(system: str | None, code: str | None) -> str | None:
    """Why a coding deserves a warning, or None."""
    if system is None:
        return f"code {code!r} has no code system" if code is not None else "coding without system or code"
    if not is_known(system):
        return f"unknown code system {system!r} (code {code!r} kept as is)"
    return None
