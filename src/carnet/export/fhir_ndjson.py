"""FHIR R4 NDJSON export: one file per resource type, canonical lines, stable order.

Importing an export into an empty vault and exporting again gives byte-identical
files: each line is the stored canonical JSON (sorted keys), files and lines are
sorted by resource type and natural key.
"""

from __future__ import annotations

from itertools import groupby
from operator import itemgetter
from pathlib import Path

from carnet.export.destination import Destination, destination
from carnet.store.reader import current_resources
from carnet.store.vault import Vault


def export_fhir(vault: Vault, out: Path | Destination) -> dict[str, int]:
    """Write ``<ResourceType>.ndjson`` files into ``out`` (a folder or a zip); return lines per type."""
    target = destination(out)
    counts: dict[str, int] = {}
    with vault.reading() as conn:
        for rtype, rows in groupby(current_resources(conn), key=itemgetter(0)):
            with target.binary(f"{rtype}.ndjson") as fh:
                n = 0
                for _rtype, _key, resource in rows:
                    fh.write(resource.encode("utf-8") + b"\n")
                    n += 1
            counts[rtype] = n
    return counts
