"""Is this FHIR R4? STU3 and R5 content is refused with the evidence, never mis-read.

Evidence, cheapest first: a resource type that does not exist in R4; a version
in ``meta.profile`` or ``fhirVersion``; an element whose R4 shape differs (a
``code`` where R4 has a CodeableConcept, an element renamed between versions).
Only shapes that are *invalid* in R4 count, so odd but valid R4 is never refused.
"""

from __future__ import annotations

from typing import Any

from carnet.errors import RejectedFile


def _words(text: str) -> list[str]:
    return text.split()


R4_TYPES = frozenset(
    _words(
        """Account ActivityDefinition AdverseEvent AllergyIntolerance Appointment AppointmentResponse
    AuditEvent Basic Binary BiologicallyDerivedProduct BodyStructure Bundle CapabilityStatement CarePlan
    CareTeam CatalogEntry ChargeItem ChargeItemDefinition Claim ClaimResponse ClinicalImpression CodeSystem
    Communication CommunicationRequest CompartmentDefinition Composition ConceptMap Condition Consent
    Contract Coverage CoverageEligibilityRequest CoverageEligibilityResponse DetectedIssue Device
    DeviceDefinition DeviceMetric DeviceRequest DeviceUseStatement DiagnosticReport DocumentManifest
    DocumentReference EffectEvidenceSynthesis Encounter Endpoint EnrollmentRequest EnrollmentResponse
    EpisodeOfCare EventDefinition Evidence EvidenceVariable ExampleScenario ExplanationOfBenefit
    FamilyMemberHistory Flag Goal GraphDefinition Group GuidanceResponse HealthcareService ImagingStudy
    Immunization ImmunizationEvaluation ImmunizationRecommendation ImplementationGuide InsurancePlan
    Invoice Library Linkage List Location Measure MeasureReport Media Medication MedicationAdministration
    MedicationDispense MedicationKnowledge MedicationRequest MedicationStatement MedicinalProduct
    MedicinalProductAuthorization MedicinalProductContraindication MedicinalProductIndication
    MedicinalProductIngredient MedicinalProductInteraction MedicinalProductManufactured
    MedicinalProductPackaged MedicinalProductPharmaceutical MedicinalProductUndesirableEffect
    MessageDefinition MessageHeader MolecularSequence NamingSystem NutritionOrder Observation
    ObservationDefinition OperationDefinition OperationOutcome Organization OrganizationAffiliation
    Parameters Patient PaymentNotice PaymentReconciliation Person PlanDefinition Practitioner
    PractitionerRole Procedure Provenance Questionnaire QuestionnaireResponse RelatedPerson RequestGroup
    ResearchDefinition ResearchElementDefinition ResearchStudy ResearchSubject RiskAssessment
    RiskEvidenceSynthesis Schedule SearchParameter ServiceRequest Slot Specimen SpecimenDefinition
    StructureDefinition StructureMap Subscription Substance SubstanceNucleicAcid SubstancePolymer
    SubstanceProtein SubstanceReferenceInformation SubstanceSourceMaterial SubstanceSpecification
    SupplyDelivery SupplyRequest Task TerminologyCapabilities TestReport TestScript ValueSet
    VerificationResult VisionPrescription"""
    )
)

#: resource types of other FHIR versions that R4 does not have
OTHER_TYPES: dict[str, str] = dict.fromkeys(
    _words(
        """BodySite DataElement DeviceComponent EligibilityRequest EligibilityResponse ExpansionProfile
    ImagingManifest ProcedureRequest ProcessRequest ProcessResponse ReferralRequest Sequence
    ServiceDefinition"""
    ),
    "STU3",
) | dict.fromkeys(
    _words(
        """ActorDefinition AdministrableProductDefinition ArtifactAssessment BiologicallyDerivedProductDispense
    Citation ClinicalUseDefinition ConditionDefinition DeviceAssociation DeviceDispense DeviceUsage
    EncounterHistory EvidenceReport FormularyItem GenomicStudy ImagingSelection Ingredient InventoryItem
    InventoryReport ManufacturedItemDefinition MedicinalProductDefinition NutritionIntake NutritionProduct
    PackagedProductDefinition Permission RegulatedAuthorization RequestOrchestration Requirements
    SubscriptionStatus SubscriptionTopic SubstanceDefinition TestPlan Transport"""
    ),
    "R5",
) | dict.fromkeys(
    _words("Conformance DeviceUseRequest DiagnosticOrder MedicationOrder Order OrderResponse"),
    "DSTU2",
)

KNOWN_TYPES = R4_TYPES | OTHER_TYPES.keys()

_PROFILE_MARKS = (("/STU3/", "STU3"), ("/stu3/", "STU3"), ("/fhir/3.0", "STU3"), ("/DSTU2/", "DSTU2"),
                  ("/R5/", "R5"), ("/fhir/5.0", "R5"), ("/R6/", "R6"))
_BUNDLE_TYPES_R5 = frozenset({"subscription-notification"})


def _is_str(value: object) -> bool:
    return type(value) is str


def _shape_stu3(rt: str, res: dict[str, Any]) -> str | None:
    """An element shape that only STU3 has, for the few resource types we normalise."""
    if rt in ("Condition", "AllergyIntolerance"):
        for key in ("clinicalStatus", "verificationStatus"):
            if _is_str(res.get(key)):
                return f"{rt}.{key} is a code (in R4 it is a CodeableConcept)"
    for key in _STU3_ELEMENTS.get(rt, ()):
        if key in res:
            return f"{rt}.{key} exists in STU3 only"
    if rt in ("Claim", "ExplanationOfBenefit"):
        items = res.get("item")
        if type(items) is list and items and type(items[0]) is dict and "service" in items[0]:
            return f"{rt}.item.service (R4 calls it productOrService)"
    if rt == "MedicationRequest" and type(res.get("requester")) is dict and "agent" in res["requester"]:
        return "MedicationRequest.requester.agent exists in STU3 only"
    return None


_STU3_ELEMENTS: dict[str, tuple[str, ...]] = {
    "Condition": ("assertedDate",),
    "Immunization": ("notGiven", "date", "practitioner"),
    "Procedure": ("notDone", "definition"),
    "MedicationStatement": ("taken",),
    "Observation": ("comment", "context"),
    "DocumentReference": ("indexed", "class"),
    "Encounter": ("incomingReferral",),
    "Coverage": ("grouping",),
    "ExplanationOfBenefit": ("organization",),
    "Claim": ("organization",),
}

_R5_ELEMENTS: dict[str, tuple[str, ...]] = {
    "Encounter": ("actualPeriod", "plannedStartDate"),
    "MedicationRequest": ("medication",),
    "MedicationStatement": ("medication", "adherence"),
    "MedicationDispense": ("medication",),
    "MedicationAdministration": ("medication", "occurenceDateTime"),
    "Procedure": ("occurrenceDateTime", "occurrencePeriod"),
    "AllergyIntolerance": ("participant",),
    "Condition": ("participant",),
    "Immunization": ("informationSource",),
    "DiagnosticReport": ("note", "composition"),
}


def _shape_r5(rt: str, res: dict[str, Any]) -> str | None:
    for key in _R5_ELEMENTS.get(rt, ()):
        if key in res:
            return f"{rt}.{key} exists in R5 only"
    if rt == "Encounter" and type(res.get("class")) is list:
        return "Encounter.class is a list (in R4 it is one Coding)"
    if rt == "DocumentReference" and type(res.get("context")) is list:
        return "DocumentReference.context is a list (in R4 it is one element)"
    return None


#: the resource types whose shape is checked
_SHAPED = frozenset(_STU3_ELEMENTS) | frozenset(_R5_ELEMENTS) | {"AllergyIntolerance", "MedicationRequest"}


def _profile_version(res: dict[str, Any]) -> str | None:
    meta = res.get("meta")
    if type(meta) is not dict:
        return None
    profiles = meta.get("profile")
    if type(profiles) is not list:
        return None
    for profile in profiles:
        if type(profile) is str:
            for mark, version in _PROFILE_MARKS:
                if mark in profile:
                    return f"{version}: meta.profile {profile}"
    return None


def _fhir_version(res: dict[str, Any]) -> str | None:
    value = res.get("fhirVersion")
    if type(value) is not str or value.startswith("4."):
        return None
    label = {"1": "DSTU2", "3": "STU3", "5": "R5", "6": "R6"}.get(value[:1])
    return f"{label}: fhirVersion {value}" if label else None


def evidence(res: dict[str, Any]) -> str | None:
    """``"STU3: <why>"`` when ``res`` is not R4, else None. Cheap for R4 content."""
    rt = res.get("resourceType")
    if type(rt) is not str:
        return None
    other = OTHER_TYPES.get(rt)
    if other is not None:
        return f"{other}: resource type {rt} does not exist in R4"
    found = _profile_version(res) if "meta" in res else None
    if found is None and "fhirVersion" in res:
        found = _fhir_version(res)
    if found is None and rt == "Bundle" and res.get("type") in _BUNDLE_TYPES_R5:
        found = f"R5: Bundle.type {res.get('type')}"
    if found is None and rt in _SHAPED:
        reason = _shape_stu3(rt, res)
        if reason is not None:
            return f"STU3: {reason}"
        reason = _shape_r5(rt, res)
        if reason is not None:
            return f"R5: {reason}"
    return found


def check_r4(res: dict[str, Any], file: str, position: str) -> None:
    """Raise :class:`RejectedFile` when ``res`` is STU3, R5 or another version."""
    found = evidence(res)
    if found is not None:
        version, _, why = found.partition(": ")
        raise RejectedFile(file, position, f"this looks like FHIR {version} ({why}); Carnet reads FHIR R4")
