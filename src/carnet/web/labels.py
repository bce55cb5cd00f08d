"""Human labels for the values the store keeps as codes.

Each label is an English gettext message id, marked with ``N_`` for
extraction; the templates translate it with ``_()`` when they show it.
"""

from __future__ import annotations

from carnet.model import Code, Kind
from carnet.web.i18n import N_

KINDS: dict[str, str] = {
    Kind.DEMOGRAPHICS: N_("Demographics"),
    Kind.COVERAGE: N_("Coverage"),
    Kind.CLAIM: N_("Claim"),
    Kind.ENCOUNTER: N_("Encounter"),
    Kind.CONDITION: N_("Condition"),
    Kind.OBSERVATION: N_("Observation"),
    Kind.MEDICATION_REQUEST: N_("Prescription"),
    Kind.MEDICATION_DISPENSE: N_("Medication dispensed"),
    Kind.MEDICATION_STATEMENT: N_("Medication taken"),
    Kind.MEDICATION_ADMINISTRATION: N_("Medication given"),
    Kind.IMMUNIZATION: N_("Immunization"),
    Kind.PROCEDURE: N_("Procedure"),
    Kind.ALLERGY: N_("Allergy"),
    Kind.DEVICE: N_("Device"),
    Kind.DIAGNOSTIC_REPORT: N_("Report"),
    Kind.DOCUMENT: N_("Document"),
    Kind.CARE_PLAN: N_("Care plan"),
    Kind.GOAL: N_("Goal"),
    Kind.CARE_TEAM: N_("Care team"),
    Kind.IMAGING_STUDY: N_("Imaging study"),
    Kind.REFERENCE: N_("Reference data"),
    Kind.OTHER: N_("Other"),
}

RELATIONSHIPS: dict[str, str] = {
    "self": N_("Vault holder"),
    "spouse": N_("Spouse or partner"),
    "child": N_("Child"),
    "parent": N_("Parent"),
    "other": N_("Other"),
}

OUTCOMES: dict[str, str] = {
    "imported": N_("Imported"),
    "already imported": N_("Already imported"),
    "rejected": N_("Not imported"),
}

SEVERITIES: dict[str, str] = {
    "rejected": N_("Item rejected"),
    "warning": N_("Warning"),
}

SEXES: dict[str, str] = {
    "female": N_("Female"),
    "male": N_("Male"),
    "other": N_("Other"),
    "unknown": N_("Unknown"),
}


def kind_label(kind: str) -> str:
    return KINDS.get(kind, kind)


def relationship_label(relationship: str | None) -> str:
    if not relationship:
        return N_("Not said")
    return RELATIONSHIPS.get(relationship, relationship)


def outcome_label(outcome: str) -> str:
    return OUTCOMES.get(outcome, outcome)


def severity_label(severity: str) -> str:
    return SEVERITIES.get(severity, severity)


def sex_label(sex: str | None) -> str:
    return SEXES.get(sex or "unknown", sex or "unknown")


def system_label(system: str | None) -> str:
    """Short name of a code system (``LOINC``), or its URI when unknown."""
    return Code(system, None).system_label


#: Title and explanation of each error page; never any detail of the failure.
ERRORS: dict[int, tuple[str, str]] = {
    400: (N_("Bad request"), N_("This request could not be understood. Go back and try again.")),
    403: (
        N_("Request refused"),
        N_("This form has expired or did not come from Carnet. Reload the page and send it again."),
    ),
    404: (N_("Not found"), N_("There is nothing at this address.")),
    405: (N_("Not allowed"), N_("This address does not accept this kind of request.")),
    413: (N_("Upload too large"), N_("The files sent together are larger than the limit.")),
    500: (
        N_("Something went wrong"),
        N_("Carnet could not show this page. Your data is unchanged; try again."),
    ),
}


def error_text(status_code: int) -> tuple[str, str]:
    return ERRORS.get(status_code, ERRORS[500] if status_code >= 500 else ERRORS[400])
