"""Exports of a vault: FHIR R4 NDJSON (canonical), CSV for people, the original files."""

from carnet.export.csv_tables import export_csv
from carnet.export.fhir_ndjson import export_fhir
from carnet.export.originals import export_originals

__all__ = ["export_csv", "export_fhir", "export_originals"]
