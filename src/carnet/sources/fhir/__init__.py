"""FHIR R4 importer: bundles (every type), NDJSON bulk exports, single resources."""

from carnet.sources.fhir.importer import FhirImporter

__all__ = ["FhirImporter"]
