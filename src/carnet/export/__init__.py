"""Exports of a vault: FHIR R4 NDJSON (canonical) and CSV for people."""

from carnet.export.csv_tables import export_csv
from carnet.export.fhir_ndjson import export_fhir

__all__ = ["export_csv", "export_fhir"]
